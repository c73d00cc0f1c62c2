"""The comparison rules on facts made to the point: kinds, precedence, schedules, and terminal escaping."""

from __future__ import annotations

from typing import Any

from snapsite.changes.compare import compare
from snapsite.changes.facts import RunFact, ScheduleFact, SnapshotFacts
from snapsite.site.views.changes import run_change_view
from snapsite.snapshot.records import Manifest

ZERO = (0,) * 9


def manifest(created_at: str, **fields: Any) -> Manifest:
    return Manifest.model_validate(
        {
            "schemaVersion": "stellaops.runs-snapshot@1",
            "snapshotId": f"snap:t:{created_at}",
            "createdAt": created_at,
            "environment": "test",
            "source": "tests",
            "files": [],
            **fields,
        }
    )


def run(rid: str, state: str, retry_of: str | None = None, completed: int = 0, queued: int = 10, **kw: Any) -> RunFact:
    return RunFact(rid, "acme", state, retry_of, kw.get("created", rid), kw.get("code"), completed, queued, ZERO)


def facts(created_at: str, *runs: RunFact, schedules: tuple[ScheduleFact, ...] = ()) -> SnapshotFacts:
    return SnapshotFacts("x", manifest(created_at), {r.id: r for r in runs}, {s.id: s for s in schedules})


def test_progress_alone_is_no_row_of_the_tab_but_its_page_says_so() -> None:
    old = facts("2026-11-19T00:00:00Z", run("a", "running", completed=2))
    new = facts("2026-11-20T00:00:00Z", run("a", "running", completed=7))
    changes = compare(old, new)
    assert changes.runs == () and [c.id for c in changes.progressed] == ["a"]
    view = run_change_view(changes.progressed[0], {"a": "0c/abcdefgh"})
    assert [(f.label, f.before, f.after) for f in view.figures] == [("progress", "20% (2 of 10)", "70% (7 of 10)")]


def test_a_failure_resolved_already_in_old_is_not_resolved_again() -> None:
    both = (run("a", "error", code="E1"), run("b", "completed", retry_of="a"))
    changes = compare(facts("2026-11-19T00:00:00Z", *both), facts("2026-11-20T00:00:00Z", *both))
    assert changes.runs == () and changes.unchanged


def test_a_failed_retry_in_new_resolves_nothing_and_is_a_new_failure() -> None:
    old = facts("2026-11-19T00:00:00Z", run("a", "error", code="E1"))
    new = facts("2026-11-20T00:00:00Z", run("a", "error", code="E1"), run("b", "error", "a", code="E2"))
    changes = compare(old, new)
    assert [(c.id, c.kind) for c in changes.runs] == [("b", "new")]
    assert changes.failures_by_code() == {"E2": 1}


def test_schedule_status_changes_are_named() -> None:
    def schedules(*pairs: tuple[str, str]) -> tuple[ScheduleFact, ...]:
        return tuple(ScheduleFact(i, "acme", f"name {i}", status) for i, status in pairs)

    old = facts("2026-11-19T00:00:00Z", schedules=schedules(("p", "paused"), ("d", "enabled"), ("e", "disabled")))
    new = facts("2026-11-20T00:00:00Z", schedules=schedules(("p", "disabled"), ("d", "paused"), ("e", "enabled")))
    assert [(s.id, s.change, s.before, s.after) for s in compare(old, new).schedules] == [
        ("d", "paused", "enabled", "paused"),
        ("e", "enabled", "disabled", "enabled"),
        ("p", "disabled", "paused", "disabled"),
    ]

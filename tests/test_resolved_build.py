"""Resolved failures end to end (site contract, issue 14): a snapshot with retry chains built in the test, and what
the built site says about each failure: rows, data files, run pages, their retry commands and the scripts."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import KeyPair, SnapshotBuilder, files_of, run_record
from retry_chains import MANAGE, data_rows, listed_rows, page_name, run_page
from snapsite.formats.downloads import command_line, option
from snapsite.preview.watch import rebuild_site
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.spill import bucket_of
from snapsite.site.views.runs import OUTSIDE_RUN

ERROR = {"code": "ERR_RUN_005", "message": "scanner timeout"}


def failed(index: int, tenant: str = "acme", **changes: Any) -> dict[str, Any]:
    return run_record(index, tenant, state="error", error=ERROR, finishedAt="2026-11-20T02:10:05Z", **changes)


def at(hour: int) -> str:
    return f"2026-11-20T{hour:02d}:00:00Z"


@dataclass(frozen=True)
class Chains:
    """The runs of the snapshot, named by their part in the chains."""

    runs: dict[str, dict[str, Any]]

    def id(self, name: str) -> str:
        return str(self.runs[name]["id"])


@pytest.fixture
def chains(tmp_path: Path, keypair: KeyPair) -> tuple[SnapshotBuilder, Chains]:
    """failed -> failed -> completed; failed -> cancelled; an open failure; a globex failure that an acme run
    completed (a retry across tenants); an acme failure that a globex run completed."""
    builder = SnapshotBuilder(tmp_path / "snapshot", keypair)
    builder.root.mkdir()
    builder.write("tenants.json", json.dumps([{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}]))
    runs: dict[str, dict[str, Any]] = {}
    runs["first"] = failed(1, createdAt=at(1))
    runs["second"] = failed(2, createdAt=at(2), retryOf=runs["first"]["id"], badges=["retry"])
    runs["fixer"] = run_record(3, createdAt=at(3), retryOf=runs["second"]["id"], badges=["retry"])
    runs["dropped"] = failed(4, createdAt=at(4))
    runs["cancelled"] = run_record(5, createdAt=at(5), state="cancelled", retryOf=runs["dropped"]["id"])
    runs["open"] = failed(6, createdAt=at(6))
    runs["foreign"] = failed(7, tenant="globex", createdAt=at(7))
    runs["crossfix"] = run_record(8, createdAt=at(8), retryOf=runs["foreign"]["id"])
    runs["acme_failure"] = failed(9, createdAt=at(9))
    runs["globex_fix"] = run_record(10, tenant="globex", createdAt=at(10), retryOf=runs["acme_failure"]["id"])
    # Plain runs with the same ids in ordinary slots, so the snapshot is not only chains.
    runs["plain"] = run_record(11, createdAt=at(11))
    for run in runs.values():
        run["scheduleId"] = None
    builder.write_records("runs.ndjson", list(runs.values()))
    # A failed segment in a resolved failure and in an open one: only the open one offers a segment retry.
    segment = {
        "id": "seg-1", "shard": 0, "state": "error", "targetCount": 4, "processed": 1, "executor": None,
        "retryCount": 0, "startedAt": None, "finishedAt": None, "cooldownUntil": None, "error": ERROR,
    }  # fmt: skip
    builder.write_records("segments.ndjson", [{**segment, "runId": runs[name]["id"]} for name in ("first", "open")])
    builder.sign()
    return builder, Chains(runs)


def build(builder: SnapshotBuilder, output: Path, **options: Any) -> Path:
    build_site(BuildOptions(snapshot=builder.root, trust_roots=(builder.key.public,), output=output, **options))
    return output


def retry_line(run_id: str, segment: str | None = None) -> str:
    """A retry command as the site writes it (ids as `--name=value` words)."""
    words = ["stella", "runs", "retry", option("run", run_id)] + ([option("segment", segment)] if segment else [])
    return command_line(words)


def text_of(page: BeautifulSoup, selector: str) -> str:
    found = page.select_one(selector)
    assert found is not None, selector
    return found.get_text()


def retry_commands(page: BeautifulSoup) -> list[str]:
    return [code.get_text() for code in page.select("#actions code") if code.get_text().startswith("stella runs retry")]


def script_runs(site: Path) -> list[str]:
    """The run ids `scripts/retry-failed-runs.sh` retries."""
    lines = (site / "scripts" / "retry-failed-runs.sh").read_text().splitlines()
    commands = [shlex.split(line) for line in lines if line.startswith("stella ")]
    assert all(c[:3] == ["stella", "runs", "retry"] and c[3].startswith("--run=") and len(c) == 4 for c in commands)
    return [c[3].removeprefix("--run=") for c in commands]


def test_every_failure_of_a_chain_is_resolved_by_the_completed_retry(
    chains: tuple[SnapshotBuilder, Chains], tmp_path: Path
) -> None:
    builder, c = chains
    site = build(builder, tmp_path / "site", scopes=MANAGE)
    expected = {
        c.id("first"): c.id("fixer"),
        c.id("second"): c.id("fixer"),
        c.id("foreign"): c.id("crossfix"),
        c.id("acme_failure"): c.id("globex_fix"),
    }
    rows = data_rows(site)
    assert {rid: row["resolvedBy"] for rid, row in rows.items() if row["resolvedBy"]} == expected
    listed = listed_rows(site)
    assert {rid: tr["data-resolved-by"] for rid, tr in listed.items() if tr.has_attr("data-resolved-by")} == expected
    for rid in expected:
        assert "resolved" in listed[rid].get_text()
    # Failures with no completed retry stay open: a cancelled retry resolves nothing.
    for name in ("dropped", "open"):
        assert rows[c.id(name)]["resolvedBy"] is None


def test_a_resolved_page_names_its_retry_and_offers_no_retry(
    chains: tuple[SnapshotBuilder, Chains], tmp_path: Path
) -> None:
    builder, c = chains
    site = build(builder, tmp_path / "site", scopes=MANAGE)
    for name in ("first", "second"):
        page = run_page(site, c.id(name))
        note = page.select_one('[data-testid="resolved-by"]')
        assert note is not None, name
        assert note["data-resolved-by"] == c.id("fixer")
        assert "Resolved by" in note.get_text()
        link = note.find("a")
        assert link is not None and link.get_text() == c.id("fixer")
        assert str(link["href"]).endswith(f"{page_name(site, c.id('fixer'))}.html")
        assert retry_commands(page) == [], name
        assert "stella runs retry" not in page.get_text(), name  # no segment retry either
        assert f"Resolved by: {c.id('fixer')}" in text_of(page, "#incident")
    # An open failure offers its retry and says nothing of a resolution.
    for name in ("open", "dropped"):
        page = run_page(site, c.id(name))
        assert page.select_one('[data-testid="resolved-by"]') is None
        assert retry_commands(page) == [retry_line(c.id(name))]
    segment_retry = retry_line(c.id("open"), "seg-1")
    assert segment_retry in run_page(site, c.id("open")).get_text()


def test_the_original_links_forward_to_its_retries(chains: tuple[SnapshotBuilder, Chains], tmp_path: Path) -> None:
    builder, c = chains
    site = build(builder, tmp_path / "site", scopes=MANAGE)

    def forward(name: str) -> list[tuple[str, str]]:
        links = run_page(site, c.id(name)).select('[data-testid="retried-by"] a[data-retry-id]')
        return [(str(a["data-retry-id"]), str(a["href"]).removeprefix("../../runs/")) for a in links]

    def page(name: str) -> str:
        return f"{page_name(site, c.id(name))}.html"

    assert forward("first") == [(c.id("second"), page("second"))]
    assert forward("second") == [(c.id("fixer"), page("fixer"))]
    assert forward("dropped") == [(c.id("cancelled"), page("cancelled"))]
    assert forward("open") == []
    # A failure whose only retry was cancelled says it is still open.
    pending = run_page(site, c.id("dropped")).select_one('[data-testid="retry-pending"]')
    assert pending is not None and "still open" in pending.get_text()
    assert "cancelled" in text_of(run_page(site, c.id("dropped")), '[data-testid="retried-by"]')


def test_the_retry_script_never_retries_a_resolved_run(chains: tuple[SnapshotBuilder, Chains], tmp_path: Path) -> None:
    builder, c = chains
    site = build(builder, tmp_path / "site", scopes=MANAGE)
    assert script_runs(site) == sorted([c.id("dropped"), c.id("open")])
    for path, data in files_of(site / "scripts").items():
        for name in ("first", "second", "foreign", "acme_failure"):
            assert f"retry --run={c.id(name)}".encode() not in data, (path, name)


def test_a_tenant_build_resolves_only_with_its_own_runs_and_names_no_other_tenant(
    chains: tuple[SnapshotBuilder, Chains], tmp_path: Path
) -> None:
    builder, c = chains
    globex = build(builder, tmp_path / "globex", scopes=MANAGE, tenants=("globex",))
    # The acme run that completed the globex failure is not in this build: the failure is open here.
    assert data_rows(globex)[c.id("foreign")]["resolvedBy"] is None
    assert script_runs(globex) == [c.id("foreign")]
    assert retry_commands(run_page(globex, c.id("foreign"))) == [retry_line(c.id("foreign"))]
    # The globex run retried an acme run: it says so without the id.
    fix = run_page(globex, c.id("globex_fix"))
    assert "a run outside this build" in text_of(fix, "#summary")
    assert data_rows(globex)[c.id("globex_fix")]["retryOf"] == OUTSIDE_RUN
    acme = build(builder, tmp_path / "acme", scopes=MANAGE, tenants=("acme",))
    assert data_rows(acme)[c.id("acme_failure")]["resolvedBy"] is None
    assert data_rows(acme)[c.id("first")]["resolvedBy"] == c.id("fixer")
    for site, others in ((globex, ("acme",)), (acme, ("globex", "Globex"))):
        for path, data in files_of(site).items():
            for needle in others:
                assert needle.encode() not in data, (site.name, path, needle)


def test_a_new_retry_in_another_bucket_renders_the_original_again(
    chains: tuple[SnapshotBuilder, Chains], tmp_path: Path
) -> None:
    """Retry links span buckets: an incremental rebuild after a retry completes must not reuse the stale page."""
    builder, c = chains
    runs = builder.records("runs.ndjson")
    builder.write_records("runs.ndjson", [r for r in runs if r["id"] != c.id("crossfix")])
    builder.sign()
    site = tmp_path / "site"
    options = BuildOptions(snapshot=builder.root, trust_roots=(builder.key.public,), output=site, scopes=MANAGE)
    first = rebuild_site(options)
    assert first is not None
    assert retry_commands(run_page(site, c.id("foreign"))) != []
    assert bucket_of(c.id("foreign"), 256) != bucket_of(c.id("crossfix"), 256)
    builder.write_records("runs.ndjson", runs)
    builder.sign()
    second = rebuild_site(options)
    assert second is not None and second.reused_runs > 0
    page = run_page(site, c.id("foreign"))
    note = page.select_one('[data-testid="resolved-by"]')
    assert note is not None and note["data-resolved-by"] == c.id("crossfix")
    assert retry_commands(page) == []
    full = build(builder, tmp_path / "full", scopes=MANAGE)
    assert files_of(site) == files_of(full)

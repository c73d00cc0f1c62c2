"""The `--since OLD` parts of the site, as plain view objects made from `snapsite.changes.compare.Changes`.

The banner line, each card's move since OLD, the `changes` tab's data (what `data-change` and
`data-state-before` say on each row), what a changed run's page says, and the schedule changes of schedules.html.
OLD is verified in full but never rendered: everything shown of it comes from its facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from snapsite.changes.compare import Changes, RunChange, Totals
from snapsite.changes.facts import DELTA_FIELDS, RunFact
from snapsite.changes.report import interval_text
from snapsite.humane import span
from snapsite.site.views.format import human_time, runbook_name

DELTA_LABELS = dict(
    zip(
        DELTA_FIELDS,
        ("new findings", "critical", "high", "medium", "low", "resolved", "quieted", "severity shifts", "KEV"),
        strict=True,
    )
)


@dataclass(frozen=True)
class SinceInfo:
    """The banner's "Since <OLD snapshotId>, <OLD createdAt> (<age between them>)" and the build's change counts."""

    snapshot_id: str
    created_at: str  # RFC 3339
    created_at_text: str
    age_text: str  # "1d 00h earlier" or "3h 00m later (OLD is the newer snapshot)"
    old_is_newer: bool
    interval_text: str
    warnings: tuple[str, ...]  # environment or source differ (built with --force)
    new: int
    state: int
    resolved: int
    new_failures: int
    vanished: int  # runs of OLD not in this build's snapshot: counted, never guessed at


def since_info(changes: Changes, created_at: datetime) -> SinceInfo:
    """The banner facts of a `--since` build; `created_at` is OLD's."""
    seconds = changes.interval_seconds
    age = f"{span(seconds)} earlier" if seconds > 0 else f"{span(seconds)} later, OLD is the newer snapshot"
    return SinceInfo(
        snapshot_id=changes.old.snapshot_id,
        created_at=changes.old.created_at,
        created_at_text=human_time(created_at),
        age_text=age if seconds else "taken at the same time",
        old_is_newer=seconds < 0,
        interval_text=interval_text(seconds),
        warnings=changes.mismatches,
        new=changes.count("new"),
        state=changes.count("state"),
        resolved=changes.count("resolved"),
        new_failures=len(changes.new_failures),
        vanished=changes.vanished,
    )


def signed(value: float) -> str:
    """`+3`, `-2`, `0`; whole numbers without a decimal point."""
    number = int(value) if float(value).is_integer() else round(value, 2)
    return f"+{number}" if number > 0 else str(number)


def card_changes(changes: Changes, since: SinceInfo) -> dict[str, str]:
    """Each index card's move since OLD, by the card's test id (`+3 since 2026-11-19 12:00:00 UTC`)."""
    before, after = changes.totals_before, changes.totals_after
    when = f"since {since.created_at_text}"

    def moved(field: str) -> str:
        return f"{signed(getattr(after, field) - getattr(before, field))} {when}"

    return {
        "card-active": moved("active"),
        "card-queue": moved("queue_depth"),
        "card-findings": moved("new_findings"),
        "card-kev": moved("kev_additions"),
    }


def failures_moved(before: Totals, after: Totals) -> str:
    """`+3 failures` (runs in state error, this snapshot against OLD)."""
    return f"{signed(after.failures - before.failures)} failures"


@dataclass(frozen=True)
class FigureChange:
    """One figure of a run in OLD and now."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RunChangeView:
    """What a changed run's page says: its change, and the OLD values the site can show."""

    kind: str  # new | state | resolved | progress
    state_before: str | None
    state_after: str
    error_before: str | None
    resolved_by: str | None
    resolved_by_slug: str | None  # when the resolving run is in this build
    resolved_by_runbook: str | None
    figures: tuple[FigureChange, ...]  # progress and deltas that differ (all zero before, for a new run)


def _progress(fact: RunFact) -> str:
    return f"{fact.progress_pct}% ({fact.completed} of {fact.queued})"


def run_change_view(change: RunChange, slugs: Mapping[str, str]) -> RunChangeView:
    """The page view of one changed run; `slugs` are this build's runs' (a link only to those)."""
    now, before = change.now, change.before
    figures = []
    if before is not None:
        if (before.completed, before.queued) != (now.completed, now.queued):
            figures.append(FigureChange("progress", _progress(before), _progress(now)))
        for name, old, new in zip(DELTA_FIELDS, before.deltas, now.deltas, strict=True):
            if old != new:
                figures.append(FigureChange(DELTA_LABELS[name], str(old), str(new)))
    fixer = change.resolved_by
    return RunChangeView(
        kind=change.kind,
        state_before=change.state_before,
        state_after=now.state,
        error_before=before.error_code if before else None,
        resolved_by=fixer,
        resolved_by_slug=slugs.get(fixer) if fixer else None,
        resolved_by_runbook=runbook_name(now.error_code) if now.error_code else None,
        figures=tuple(figures),
    )


def run_change_views(changes: Changes, slugs: Mapping[str, str]) -> dict[str, RunChangeView]:
    """The page view of every run that changed since OLD (the tab's rows and the runs that only progressed)."""
    return {c.id: run_change_view(c, slugs) for c in (*changes.runs, *changes.progressed)}


def tab_data(changes: Changes) -> dict[str, object]:
    """The `changes` tab's data for `data/changes.js`: per row [kind, state before, resolved by], and the counts."""
    return {
        "since": changes.old.snapshot_id,
        "rows": {c.id: [c.kind, c.state_before, c.resolved_by] for c in changes.runs},
        "vanished": changes.vanished,
    }


@dataclass(frozen=True)
class ChangeRow:
    """A row of the changes tab in index.html's no-JavaScript listing."""

    id: str
    slug: str
    kind: str
    state_before: str | None
    state: str
    created_at: str


def static_change_rows(changes: Changes, limit: int, slugs: Mapping[str, str]) -> tuple[ChangeRow, ...]:
    """The first `limit` rows of the changes tab, newest first like the table, for readers without JavaScript."""
    ordered = sorted(changes.runs, key=lambda c: (c.now.created_at, c.id), reverse=True)[:limit]
    return tuple(ChangeRow(c.id, slugs[c.id], c.kind, c.state_before, c.now.state, c.now.created_at) for c in ordered)


@dataclass(frozen=True)
class ScheduleChangeView:
    id: str
    name: str
    tenant_id: str
    tenant_name: str
    change: str  # added | removed | paused | resumed | disabled | enabled
    before: str | None
    after: str | None


def schedule_change_views(changes: Changes, tenant_names: Mapping[str, str]) -> tuple[ScheduleChangeView, ...]:
    """The schedule changes schedules.html lists, in tenant and name order."""
    return tuple(
        ScheduleChangeView(
            s.id, s.name, s.tenant_id, tenant_names.get(s.tenant_id, s.tenant_id), s.change, s.before, s.after
        )
        for s in changes.schedules
    )

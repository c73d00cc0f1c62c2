"""The comparison of two snapshots' facts: new runs, state changes, resolved failures, KEV, schedules.

The rows of the site's `changes` tab (site contract) are the runs new in NEW (`new`), whose state differs from
OLD's (`state`), and OLD failures that a completed retry in NEW resolved (`resolved`, by the contract's rule in
`snapsite.snapshot.resolved`). Runs of OLD missing from NEW (a shorter retention, or a tenant left out) are only
counted: nothing says what became of them. Every list is sorted, so the same pair gives the same output.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from snapsite.changes.facts import KEV, NEW_FINDINGS, RunFact, ScheduleFact, SnapshotFacts
from snapsite.snapshot.resolved import resolved_by

ACTIVE_STATES = frozenset({"planning", "queued", "running"})


@dataclass(frozen=True)
class Side:
    """One snapshot of the pair, as both outputs name it."""

    source: str
    snapshot_id: str
    created_at: str
    environment: str
    origin: str  # the manifest's `source`
    runs: int  # of the build's tenants


@dataclass(frozen=True)
class RunChange:
    """A row of the `changes` tab, or a run whose progress or deltas moved (`progress`, on its page only)."""

    id: str
    tenant_id: str
    kind: str  # new | state | resolved | progress
    now: RunFact
    before: RunFact | None  # None for a new run
    resolved_by: str | None = None  # for `resolved`: the completed run that resolved it

    @property
    def state_before(self) -> str | None:
        return self.before.state if self.before else None


@dataclass(frozen=True)
class ScheduleChange:
    """A schedule added, removed, paused, resumed, disabled or enabled since OLD."""

    id: str
    tenant_id: str
    name: str
    change: str
    before: str | None  # status in OLD, None when added
    after: str | None  # status in NEW, None when removed


@dataclass(frozen=True)
class KevChange:
    """A run whose KEV additions grew since OLD (a new run counts from zero)."""

    id: str
    tenant_id: str
    before: int
    after: int


@dataclass(frozen=True)
class Totals:
    """The card figures of one side: what index.html's cards show, so a card can say how it moved."""

    active: int
    failures: int
    queue_depth: float
    new_findings: int
    kev_additions: int


@dataclass(frozen=True)
class Changes:
    """Everything that changed from OLD to NEW, within the build's tenants."""

    old: Side
    new: Side
    interval_seconds: int  # NEW's createdAt minus OLD's: negative when OLD is the newer snapshot
    mismatches: tuple[str, ...]  # environment or source that differ (refused unless forced)
    runs: tuple[RunChange, ...]  # the changes tab's rows, by id
    progressed: tuple[RunChange, ...]  # same state, other progress or deltas, by id
    kev: tuple[KevChange, ...]
    schedules: tuple[ScheduleChange, ...]  # by tenant, name, id
    vanished: int  # runs of OLD not in NEW: counted, never guessed at
    totals_before: Totals
    totals_after: Totals

    def count(self, kind: str) -> int:
        """How many rows of the changes tab have `kind`."""
        return sum(1 for change in self.runs if change.kind == kind)

    @property
    def new_failures(self) -> tuple[RunChange, ...]:
        """Runs in error in NEW that were not in OLD, or not in error there: rows `new` or `state`, by id."""
        return tuple(c for c in self.runs if c.now.state == "error" and c.kind in ("new", "state"))

    def failures_by_code(self) -> dict[str, int]:
        """New failures per error code, most first, then by code."""
        counts = Counter(change.now.error_code or "(no code)" for change in self.new_failures)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def transitions(self) -> dict[tuple[str, str], int]:
        """State changes per (from, to), most first."""
        counts = Counter((c.state_before or "", c.now.state) for c in self.runs if c.kind == "state")
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    @property
    def kev_added(self) -> int:
        return sum(k.after - k.before for k in self.kev)

    @property
    def unchanged(self) -> bool:
        return not (self.runs or self.progressed or self.schedules or self.vanished)


def _side(facts: SnapshotFacts) -> Side:
    m = facts.manifest
    return Side(facts.source, m.snapshot_id, facts.created_at_text, m.environment, m.source, len(facts.runs))


def _totals(facts: SnapshotFacts) -> Totals:
    runs = facts.runs.values()
    return Totals(
        active=sum(1 for r in runs if r.state in ACTIVE_STATES),
        failures=sum(1 for r in runs if r.state == "error"),
        queue_depth=facts.queue_total(),
        new_findings=sum(r.deltas[NEW_FINDINGS] for r in runs),
        kev_additions=sum(r.deltas[KEV] for r in runs),
    )


def _schedule_change(before: ScheduleFact | None, after: ScheduleFact | None) -> str | None:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    if before.status == after.status:
        return None
    if after.status in ("paused", "disabled"):
        return after.status
    return "resumed" if before.status == "paused" else "enabled"


def compare(old: SnapshotFacts, new: SnapshotFacts) -> Changes:
    """The changes from `old` to `new` (both verified, both limited to the same tenants)."""
    resolved_before = resolved_by(r.link() for r in old.runs.values())
    resolved_now = resolved_by(r.link() for r in new.runs.values())
    rows: list[RunChange] = []
    progressed: list[RunChange] = []
    kev: list[KevChange] = []
    for run_id in sorted(new.runs):
        now = new.runs[run_id]
        before = old.runs.get(run_id)
        if before is None:
            rows.append(RunChange(run_id, now.tenant_id, "new", now, None))
        elif before.state != now.state:
            rows.append(RunChange(run_id, now.tenant_id, "state", now, before))
        elif now.state == "error" and run_id in resolved_now and run_id not in resolved_before:
            rows.append(RunChange(run_id, now.tenant_id, "resolved", now, before, resolved_now[run_id]))
        elif (before.completed, before.queued, before.deltas) != (now.completed, now.queued, now.deltas):
            progressed.append(RunChange(run_id, now.tenant_id, "progress", now, before))
        kev_before = before.deltas[KEV] if before else 0
        if now.deltas[KEV] > kev_before:
            kev.append(KevChange(run_id, now.tenant_id, kev_before, now.deltas[KEV]))
    schedules = []
    for schedule_id in sorted(old.schedules.keys() | new.schedules.keys()):
        was, became = old.schedules.get(schedule_id), new.schedules.get(schedule_id)
        change = _schedule_change(was, became)
        if change is not None:
            fact = became or was
            assert fact is not None
            schedules.append(
                ScheduleChange(
                    schedule_id,
                    fact.tenant_id,
                    fact.name,
                    change,
                    was.status if was else None,
                    became.status if became else None,
                )
            )
    schedules.sort(key=lambda s: (s.tenant_id, s.name.casefold(), s.name, s.id))
    mismatches = tuple(
        f"{name} {a!r} (OLD) differs from {b!r} (NEW)"
        for name, a, b in (
            ("environment", old.manifest.environment, new.manifest.environment),
            ("source", old.manifest.source, new.manifest.source),
        )
        if a != b
    )
    return Changes(
        old=_side(old),
        new=_side(new),
        interval_seconds=int((new.created_at - old.created_at).total_seconds()),
        mismatches=mismatches,
        runs=tuple(rows),
        progressed=tuple(progressed),
        kev=tuple(kev),
        schedules=tuple(schedules),
        vanished=sum(1 for run_id in old.runs if run_id not in new.runs),
        totals_before=_totals(old),
        totals_after=_totals(new),
    )

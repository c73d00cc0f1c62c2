"""The facts of one snapshot that a comparison needs, kept while verification streams its records.

A `--since` build verifies the older snapshot in full but renders nothing of it: this sink keeps, per run, its
state, retry link, error code, progress counters and deltas, and per schedule its status, in a few hundred bytes
a run. Records of tenants outside the build are dropped here, so no count made from these facts includes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from snapsite.snapshot.records import Manifest, MetricSample, Run, Schedule
from snapsite.snapshot.resolved import RetryLink
from snapsite.verify.sink import IgnoreRecords
from snapsite.verify.steps import VerificationReport, iso_text

QUEUE_DEPTH = "scheduler_queue_depth"
QUEUE_STAGES = ("planner", "executor")
DELTA_FIELDS = (
    "new_findings",
    "new_criticals",
    "new_high",
    "new_medium",
    "new_low",
    "resolved",
    "quieted",
    "severity_shifts",
    "kev_additions",
)
KEV = DELTA_FIELDS.index("kev_additions")
NEW_FINDINGS = DELTA_FIELDS.index("new_findings")


class RunFact(NamedTuple):
    """What a comparison knows of one run (a tuple: 100,000 of them stay small)."""

    id: str
    tenant_id: str
    state: str
    retry_of: str | None
    created_at: str  # RFC 3339 UTC with a Z: orders like the instant
    error_code: str | None
    completed: int
    queued: int
    deltas: tuple[int, ...]  # in DELTA_FIELDS order

    @property
    def progress_pct(self) -> int:
        """completed / queued as a whole percentage, 0 when nothing is queued (the spec's progress)."""
        return min(100, self.completed * 100 // self.queued) if self.queued else 0

    def link(self) -> RetryLink:
        return RetryLink(self.id, self.state, self.retry_of, self.created_at)


class ScheduleFact(NamedTuple):
    """What a comparison knows of one schedule."""

    id: str
    tenant_id: str
    name: str
    status: str  # enabled | paused | disabled, as schedules.html shows it


def schedule_status(schedule: Schedule) -> str:
    """`disabled` before `paused` before `enabled`: the status schedules.html shows."""
    return "disabled" if not schedule.enabled else "paused" if schedule.paused_at is not None else "enabled"


@dataclass
class SnapshotFacts:
    """One verified snapshot, reduced to what `compare` reads."""

    source: str  # the path the operator gave
    manifest: Manifest
    runs: dict[str, RunFact] = field(default_factory=dict)
    schedules: dict[str, ScheduleFact] = field(default_factory=dict)
    queue_depth: dict[tuple[tuple[str, str], ...], tuple[datetime, float]] = field(default_factory=dict)

    @property
    def snapshot_id(self) -> str:
        return self.manifest.snapshot_id

    @property
    def created_at(self) -> datetime:
        return self.manifest.created_at

    @property
    def created_at_text(self) -> str:
        return iso_text(self.manifest.created_at)

    def queue_total(self) -> float:
        """The latest planner plus executor queue depth at or before createdAt, summed over every series."""
        return float(
            sum(value for labels, (_, value) in self.queue_depth.items() if dict(labels).get("stage") in QUEUE_STAGES)
        )


@dataclass
class FactsCollector(IgnoreRecords):
    """A verification record sink (`verify_container(..., sink=)`) that fills a `SnapshotFacts`.

    `tenants` limits it to a build's tenants (None: every tenant); a metric sample without a tenant label is
    snapshot-wide and kept only when every tenant is.
    """

    report: VerificationReport
    tenants: frozenset[str] | None
    runs: dict[str, RunFact] = field(default_factory=dict)
    schedules: dict[str, ScheduleFact] = field(default_factory=dict)
    queue_depth: dict[tuple[tuple[str, str], ...], tuple[datetime, float]] = field(default_factory=dict)
    _known_tenants: frozenset[str] | None = None

    def _selected(self, tenant_id: str) -> bool:
        return self.tenants is None or tenant_id in self.tenants

    def run(self, run: Run, line: int, raw: bytes) -> None:
        self.add_run(run)

    def schedule(self, schedule: Schedule, line: int, raw: bytes) -> None:
        if self._selected(schedule.tenant_id):
            self.schedules[schedule.id] = ScheduleFact(
                schedule.id, schedule.tenant_id, schedule.name, schedule_status(schedule)
            )

    def metric(self, sample: MetricSample, line: int, raw: bytes) -> None:
        if sample.name == QUEUE_DEPTH:
            self._queue_sample(sample)

    def add_run(self, run: Run) -> None:
        """Keep one run's facts (when its tenant is built)."""
        if not self._selected(run.tenant_id):
            return
        d = run.deltas
        self.runs[run.id] = RunFact(
            run.id,
            run.tenant_id,
            run.state,
            run.retry_of,
            iso_text(run.created_at),
            run.error.code if run.error else None,
            run.stats.completed,
            run.stats.queued,
            (
                d.new_findings,
                d.new_criticals,
                d.new_high,
                d.new_medium,
                d.new_low,
                d.resolved,
                d.quieted,
                d.severity_shifts,
                d.kev_additions,
            ),
        )

    def _queue_sample(self, sample: MetricSample) -> None:
        """The latest sample at or before createdAt per series; on equal times the later line wins."""
        tenant = sample.labels.get("tenantId")
        if self._known_tenants is None:  # tenants.json is read before any record
            self._known_tenants = frozenset(t.id for t in self.report.tenants)
        if tenant is not None and (tenant not in self._known_tenants or not self._selected(tenant)):
            return
        if tenant is None and self.tenants is not None:
            return
        manifest = self.report.manifest
        if manifest is None or sample.ts > manifest.created_at:
            return
        key = tuple(sorted(sample.labels.items()))
        kept = self.queue_depth.get(key)
        if kept is None or sample.ts >= kept[0]:
            self.queue_depth[key] = (sample.ts, float(sample.value))

    def facts(self) -> SnapshotFacts:
        """The facts gathered; call after verification passed (the manifest is then known)."""
        assert self.report.manifest is not None
        return SnapshotFacts(self.report.source, self.report.manifest, self.runs, self.schedules, self.queue_depth)

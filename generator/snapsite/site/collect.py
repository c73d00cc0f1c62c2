"""The build's record sink: keeps what the site-wide pages need and spills each run's records to disk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from snapsite.site.names import RunSlugs
from snapsite.site.spill import Spill
from snapsite.site.views.attention import worst_evidence
from snapsite.site.views.observability import ObservabilityCollector
from snapsite.site.views.rows import RunRow, Scopes, link_retries, run_row
from snapsite.site.views.runs import OUTSIDE_RUN
from snapsite.snapshot.records import (
    EvidenceItem,
    FindingDelta,
    ImpactEntry,
    LogEntry,
    MetricSample,
    Run,
    Schedule,
    Segment,
    TelemetryEvent,
)
from snapsite.verify.steps import VerificationReport

KIND_RUN, KIND_SEGMENT, KIND_FINDING, KIND_LOG = range(4)


@dataclass
class SiteCollector:
    """Receives every valid record (a verify.sink.RecordSink, one typed method per kind) and keeps only the
    selected tenants' data."""

    report: VerificationReport
    spill: Spill
    tenants: frozenset[str] | None  # None: every tenant
    scopes: Scopes
    schedules: list[Schedule] = field(default_factory=list)
    rows: list[RunRow] = field(default_factory=list)
    run_ids: set[str] = field(default_factory=set)
    slugs: RunSlugs = field(default_factory=RunSlugs)  # every run's `<shard>/<name>`, by id
    evidence: list[EvidenceItem] = field(default_factory=list)
    findings_per_run: Counter[str] = field(default_factory=Counter)
    error_codes: set[str] = field(default_factory=set)
    impact_rows: list[tuple[str, str, str, list[str], list[str], list[str]]] = field(default_factory=list)
    # Records kept per file: the verification page of a --tenant build counts only these (site contract).
    kept: Counter[str] = field(default_factory=Counter)
    _schedule_names: dict[str, str] = field(default_factory=dict)
    _observability: ObservabilityCollector | None = None

    @property
    def now(self) -> datetime:
        """The snapshot's createdAt: the site's "now" (the manifest is parsed before any record)."""
        assert self.report.manifest is not None
        return self.report.manifest.created_at

    @property
    def observability(self) -> ObservabilityCollector:
        """Metrics, events and run statistics; made once the manifest and tenants are known."""
        if self._observability is None:
            tenants = [t for t in self.report.tenants if self._selected(t.id)]
            self._observability = ObservabilityCollector(self.now, tenants)
        return self._observability

    def finish_rows(self) -> None:
        """Give the rows what needs every record: retry links (resolved failures) and evidence flags.

        Call once verification is over (every run read, every attestation checked). Only evidence the build's
        scopes show flags a run: a withheld item would flag a run for a reason nobody can see.
        """
        rows = link_retries(self.rows)
        statuses = {status.id: status.status for status in self.report.evidence}
        per_run: dict[str, list[str]] = {}
        if self.scopes.downloads:
            for item in self.evidence:
                if (self.scopes.policy or item.kind != "policy-run") and item.id in statuses:
                    per_run.setdefault(item.run_id, []).append(statuses[item.id])
        flags = {run_id: worst_evidence(found) for run_id, found in per_run.items()}
        self.rows = [replace(row, evidence_alert=flags[row.id]) if flags.get(row.id) else row for row in rows]

    def _selected(self, tenant_id: str) -> bool:
        return self.tenants is None or tenant_id in self.tenants

    def _child(self, run_id: str, name: str, kind: int, line: int, raw: bytes) -> bool:
        """Spill a run's child record when its run is built; whether it was."""
        if run_id not in self.run_ids:
            return False
        self.kept[name] += 1
        self.spill.add(run_id, kind, line, raw)
        return True

    def segment(self, segment: Segment, line: int, raw: bytes) -> None:
        if self._child(segment.run_id, "segments.ndjson", KIND_SEGMENT, line, raw) and segment.error is not None:
            self.error_codes.add(segment.error.code)

    def finding(self, finding: FindingDelta, line: int, raw: bytes) -> None:
        if self._child(finding.run_id, "findings.ndjson", KIND_FINDING, line, raw):
            self.findings_per_run[finding.run_id] += 1

    def log(self, entry: LogEntry, line: int, raw: bytes) -> None:
        self._child(entry.run_id, "logs.ndjson", KIND_LOG, line, raw)

    def schedule(self, schedule: Schedule, line: int, raw: bytes) -> None:
        if self._selected(schedule.tenant_id):
            self.kept["schedules.ndjson"] += 1
            self.schedules.append(schedule)
            self._schedule_names[schedule.id] = schedule.name

    def evidence_item(self, item: EvidenceItem, line: int, raw: bytes) -> None:
        if item.run_id in self.run_ids:
            self.kept["evidence.ndjson"] += 1
            self.evidence.append(item)

    def impact(self, entry: ImpactEntry, line: int, raw: bytes) -> None:
        if self._selected(entry.tenant_id):
            self.kept["impact.ndjson"] += 1
            e = entry
            self.impact_rows.append((e.tenant_id, e.image_digest, e.repository, e.tags, e.purls, e.vulnerability_ids))

    def run(self, run: Run, line: int, raw: bytes) -> None:
        if not self._selected(run.tenant_id):
            return
        row = run_row(run, self._schedule_names, self.now, self.scopes, self.slugs.add(run.id))
        self.kept["runs.ndjson"] += 1
        self.rows.append(row)
        self.observability.add_run(row)
        self.run_ids.add(run.id)
        if run.error is not None:
            self.error_codes.add(run.error.code)
        self.spill.add(run.id, KIND_RUN, line, raw)

    def metric(self, sample: MetricSample, line: int, raw: bytes) -> None:
        tenant = sample.labels.get("tenantId")
        # A sample without a tenant label is snapshot-wide: shown only when every tenant is built.
        if self._selected(tenant) if tenant is not None else self.tenants is None:
            self.kept["metrics.ndjson"] += 1
            self.observability.add_metric(sample)

    def event(self, event: TelemetryEvent, line: int, raw: bytes) -> None:
        if self._selected(event.tenant_id):
            self.kept["events.ndjson"] += 1
            # Runs are read before events (as before every record that names a run), so this is final.
            if self.tenants is not None and event.run_id is not None and event.run_id not in self.run_ids:
                event = event.model_copy(update={"run_id": OUTSIDE_RUN})
            self.observability.add_event(event)

    def record_counts(self) -> dict[str, int]:
        """Records per file as the site may show them: the snapshot's, or in a --tenant build the build's own."""
        if self.tenants is None:
            return dict(self.report.records)
        counts = {name: self.kept[name] for name in self.report.records}
        counts["tenants.json"] = sum(1 for t in self.report.tenants if t.id in self.tenants)
        return counts

    def hide_outside_references(self) -> None:
        """In a --tenant build, a `retryOf` or a schedule's `lastRunId` naming a run outside the build is shown
        without its id (an event's `runId` is replaced as it is collected).

        Called once every run is collected (a run may name a later line's run). The id could be another
        tenant's; the site contract allows no id of theirs anywhere in the output.
        """
        if self.tenants is None:
            return
        self.schedules = [
            s.model_copy(update={"last_run_id": OUTSIDE_RUN})
            if s.last_run_id is not None and s.last_run_id not in self.run_ids
            else s
            for s in self.schedules
        ]
        self.rows = [
            replace(row, retry_of=OUTSIDE_RUN) if row.retry_of is not None and row.retry_of not in self.run_ids else row
            for row in self.rows
        ]

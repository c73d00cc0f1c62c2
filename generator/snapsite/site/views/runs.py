"""The run page's view: its seven sections, the links to its files, and its evidence (rows are `rows`')."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from snapsite.formats.downloads import command_line, option
from snapsite.site.names import shard, slug
from snapsite.site.views.format import human_time, iso, runbook_name, size
from snapsite.site.views.rows import ACTIVE_STATES, RunRow, Scopes, seconds_between
from snapsite.snapshot.records import EvidenceItem, FindingDelta, LogEntry, Run, RunPhase, Segment
from snapsite.verify.evidence import EvidenceStatus

PHASES = ("planner", "queue", "execution", "post-processing")
LOGS_SHOWN = 50
FINDINGS_SHOWN = 500
SEVERITY_ORDER = ("critical", "high", "medium", "low", "none", "unknown")


@dataclass(frozen=True)
class RetryView:
    """A run linked from another run's page (its retry, or the retry that resolved it)."""

    id: str
    slug: str
    state: str


# What a --tenant build shows for a reference to a run outside it, instead of that run's id.
OUTSIDE_RUN = "a run outside this build"


@dataclass(frozen=True)
class PhaseView:
    name: str
    state: str
    started_at: str
    finished_at: str
    x: float  # position and width in a 0..100 SVG viewBox
    width: float


@dataclass(frozen=True)
class SegmentView:
    id: str
    shard: int
    state: str
    target_count: int
    processed: int
    executor: str | None
    retry_count: int
    started_at: str
    finished_at: str
    cooldown_until: str | None
    cooling_down: bool
    error_code: str | None
    error_message: str | None
    runbook: str | None
    retry_command: str | None


@dataclass(frozen=True)
class FindingView:
    image_digest: str
    repository: str
    vulnerability_id: str
    purl: str
    severity: str
    previous_severity: str | None
    change: str
    kev: bool


@dataclass(frozen=True)
class LogView:
    ts: str
    ts_text: str
    severity: str
    message: str
    correlation_id: str
    segment_id: str | None


@dataclass(frozen=True)
class EvidenceView:
    id: str
    kind: str
    title: str
    media_type: str
    size: int
    size_text: str
    sha256: str
    status: str
    reason: str | None
    href: str | None  # relative to the site root
    attestation_href: str | None
    bundle_status: str | None
    bundle_problem: str | None
    bundle_entries: tuple[tuple[str, int, str, bool, str | None], ...]


@dataclass(frozen=True)
class SiteBundle:
    """A run's evidence bundle written into the site (`bundles/<shard>/<name>.tgz`)."""

    href: str
    size: int
    size_text: str
    sha256: str


@dataclass(frozen=True)
class RunPage:
    """Everything `runs/<shard>/<name>.html` shows."""

    row: RunRow
    tenant_name: str
    retry_of_slug: str | None  # set when the retried run is in this build
    created_at_text: str
    started_at_text: str
    finished_at_text: str
    phases: tuple[PhaseView, ...]
    throughput_per_minute: float | None
    segments: tuple[SegmentView, ...]
    severity_counts: tuple[tuple[str, int], ...]
    findings: tuple[FindingView, ...]
    findings_total: int
    findings_csv: str | None
    evidence: tuple[EvidenceView, ...]
    evidence_hidden: int  # items withheld by the build's scopes
    logs: tuple[LogView, ...]
    logs_total: int
    logs_query: str
    commands: tuple[tuple[str, str], ...]  # (label, CLI line)
    incident: str
    bundle: SiteBundle | None = None  # the run's evidence bundle in the site (runs.evidenceBundles)
    resolved_by: RetryView | None = None  # the completed retry that resolved this failure
    deltas_note: str | None = None  # why the run's deltas metric and its findings records differ, when they do
    retries: tuple[RetryView, ...] = ()  # the runs that retry this one directly, oldest first

    @property
    def segment_retries(self) -> bool:
        """Whether any segment offers a retry command (the segments table then has a Retry column)."""
        return any(s.retry_command for s in self.segments)

    @property
    def severity_bars(self) -> list[tuple[str, int, float]]:
        """(severity, count, bar width in a 0..100 viewBox), the largest count spanning the full width."""
        most = max([count for _, count in self.severity_counts] + [1])
        return [(name, count, round(count * 100 / most, 2)) for name, count in self.severity_counts]


def run_page_file(run_slug: str) -> str:
    """A run's own page, relative to the site root."""
    return f"runs/{run_slug}.html"


def findings_file(run_slug: str) -> str:
    """A run's findings delta CSV, relative to the site root."""
    return f"downloads/findings/{run_slug}.csv"


def bundle_file(run_slug: str) -> str:
    """A run's evidence bundle in the site, relative to the site root.

    `.tgz`, not `.tar.gz`: a 12-character name takes two FAT32 directory entries, a 15-character one three.
    """
    return f"bundles/{run_slug}.tgz"


# Every file taken from the snapshot ends in `.bin`: a name no browser renders (application/octet-stream, never
# sniffed), so opening one from file:// or from `serve` downloads it instead of running it, whatever its name in the
# snapshot (`.html`, `.svg`, `.xhtml`, `.xml`) or its media type. The original extension stays visible before it.
INERT_SUFFIX = ".bin"


def evidence_href(item: EvidenceItem) -> str:
    """Where an evidence file is copied in the site: portable, from its id, inert whatever its name, and in its
    run's shard folder (so that `evidence/` of a million-run site stays under the folder budget)."""
    stem = item.path.rsplit("/", 1)[-1]
    extension = stem.rsplit(".", 1)[-1].lower() if "." in stem else ""
    if not extension.isalnum() or len(extension) > 12 or extension == "bin":
        extension = ""
    return f"evidence/{shard(item.run_id)}/{slug(item.id)}{'.' + extension if extension else ''}{INERT_SUFFIX}"


def attestation_href(item: EvidenceItem) -> str:
    """Where an evidence item's attestation (snapshot content too) is copied: inert like the evidence file."""
    return f"evidence/{shard(item.run_id)}/{slug(item.id)}.dsse.json{INERT_SUFFIX}"


def _phases(run: Run, now: datetime) -> tuple[PhaseView, ...]:
    by_name: dict[str, RunPhase] = {p.name: p for p in run.phases}
    spans = []
    for name in PHASES:
        phase = by_name.get(name)
        seconds = None
        if phase and phase.started_at:
            seconds = seconds_between(phase.started_at, phase.finished_at or now)
        spans.append((name, phase, seconds))
    known = [s for _, _, s in spans if s]
    total = sum(known)
    views, x = [], 0.0
    for name, phase, seconds in spans:
        # Phases without a duration still get a sliver, so all four are always visible.
        width = 100.0 / len(PHASES) if not total else 6.0 + 76.0 * (seconds or 0) / total
        views.append(
            PhaseView(
                name=name,
                state=phase.state if phase else "pending",
                started_at=human_time(phase.started_at if phase else None),
                finished_at=human_time(phase.finished_at if phase else None),
                x=round(x, 3),
                width=round(width, 3),
            )
        )
        x += width
    return tuple(views)


def _command(*parts: str) -> str:
    return command_line(parts)


def run_page(
    run: Run,
    row: RunRow,
    *,
    tenant_name: str,
    run_slugs: Mapping[str, str],
    segments: Sequence[Segment],
    findings: Sequence[FindingDelta],
    logs: Sequence[LogEntry],
    evidence: Sequence[tuple[EvidenceItem, EvidenceStatus]],
    now: datetime,
    scopes: Scopes,
    rows: Mapping[str, RunRow],
    bundle: SiteBundle | None = None,
) -> RunPage:
    """The run page of `run` from its records; `now` is the snapshot's createdAt.

    `rows` (every run of the build by id) names the runs this one links to: the retry that resolved it and its
    retries. A resolved failure offers no "Retry run": retrying it again is the harm the contract's rule prevents.
    """
    minutes = (row.duration_seconds or 0) / 60
    segment_views = tuple(
        SegmentView(
            id=s.id,
            shard=s.shard,
            state=s.state,
            target_count=s.target_count,
            processed=s.processed,
            executor=s.executor,
            retry_count=s.retry_count,
            started_at=human_time(s.started_at),
            finished_at=human_time(s.finished_at),
            cooldown_until=human_time(s.cooldown_until) if s.cooldown_until else None,
            cooling_down=s.cooldown_until is not None and s.cooldown_until > now,
            error_code=s.error.code if s.error else None,
            error_message=s.error.message if s.error else None,
            runbook=runbook_name(s.error.code) if s.error else None,
            retry_command=(
                _command("stella", "runs", "retry", option("run", run.id), option("segment", s.id))
                if scopes.manage and s.state == "error" and row.resolved_by is None
                else None
            ),
        )
        for s in segments
    )
    counts = {name: 0 for name in SEVERITY_ORDER}
    for f in findings:
        counts[f.severity] += 1
    ordered_logs = sorted(logs, key=lambda e: e.ts)[-LOGS_SHOWN:]
    shown_evidence = [(item, status) for item, status in evidence if scopes.policy or item.kind != "policy-run"]
    commands = [("Export evidence bundle", _command("stella", "runs", "export", option("run", run.id), "--bundle"))]
    if scopes.manage:
        if run.state in ("error", "cancelled") and row.resolved_by is None:
            commands.insert(0, ("Retry run", _command("stella", "runs", "retry", option("run", run.id))))
        if run.state in ACTIVE_STATES:
            commands.insert(0, ("Cancel run", _command("stella", "runs", "cancel", option("run", run.id))))
    return RunPage(
        row=row,
        tenant_name=tenant_name,
        retry_of_slug=run_slugs.get(run.retry_of) if run.retry_of else None,
        created_at_text=human_time(run.created_at),
        started_at_text=human_time(run.started_at),
        finished_at_text=human_time(run.finished_at),
        phases=_phases(run, now),
        throughput_per_minute=round(row.processed / minutes, 1) if minutes > 0 else None,
        segments=segment_views,
        severity_counts=tuple((name, counts[name]) for name in SEVERITY_ORDER),
        findings=tuple(
            FindingView(
                image_digest=f.image_digest,
                repository=f.repository,
                vulnerability_id=f.vulnerability_id,
                purl=f.purl,
                severity=f.severity,
                previous_severity=f.previous_severity,
                change=f.change,
                kev=f.kev,
            )
            for f in findings[:FINDINGS_SHOWN]
        ),
        findings_total=len(findings),
        findings_csv=findings_file(row.slug) if findings else None,
        evidence=tuple(evidence_view(item, status, scopes) for item, status in shown_evidence)
        if scopes.downloads
        else (),
        evidence_hidden=len(evidence) - (len(shown_evidence) if scopes.downloads else 0),
        logs=tuple(
            LogView(iso(e.ts) or "", human_time(e.ts), e.severity, e.message, e.correlation_id, e.segment_id)
            for e in ordered_logs
        ),
        logs_total=len(logs),
        logs_query=f'runId:"{run.id}" AND correlationId:"{run.correlation_id}"',
        commands=tuple(commands),
        incident=incident_text(run, row, tenant_name),
        bundle=bundle,
        resolved_by=_retry_view(rows[row.resolved_by]) if row.resolved_by else None,
        deltas_note=deltas_note(row, findings),
        retries=tuple(_retry_view(rows[rid]) for rid in row.retried_by),
    )


def deltas_note(row: RunRow, findings: Sequence[FindingDelta]) -> str | None:
    """One line on why the run's `deltas` (a metric the Scheduler computed) and its findings records disagree.

    Both are shown with their source; without a word, "New findings 45" above "4 findings records" reads as an
    error in the site.
    """
    new_records = sum(1 for f in findings if f.change == "new")
    if new_records == row.new_findings:
        return None
    return (
        f"The deltas count {row.new_findings} new findings, the snapshot carries {new_records} "
        f'record{"s" if new_records != 1 else ""} of change "new": a kit holds only the records it was asked to carry.'
    )


def _retry_view(row: RunRow) -> RetryView:
    return RetryView(row.id, row.slug, row.state)


def evidence_view(item: EvidenceItem, status: EvidenceStatus, scopes: Scopes) -> EvidenceView:
    """An evidence item as the run page and evidence.html list it."""
    return EvidenceView(
        id=item.id,
        kind=item.kind,
        title=item.title,
        media_type=item.media_type,
        size=item.size,
        size_text=size(item.size),
        sha256=item.sha256,
        status=status.status,
        reason=status.reason,
        href=evidence_href(item),
        attestation_href=attestation_href(item) if item.attestation else None,
        bundle_status=status.bundle_status,
        bundle_problem=status.bundle_problem,
        bundle_entries=tuple((e.path, e.size, e.sha256, e.ok, e.problem) for e in status.bundle_entries),
    )


def incident_text(run: Run, row: RunRow, tenant_name: str) -> str:
    """The "escalate to support" template, pre-filled with the run's context."""
    lines = [
        f"Subject: Scheduler run {run.state}: {run.id}",
        "",
        f"Tenant: {tenant_name} ({run.tenant_id})",
        f"Run: {run.id}",
        f"State: {run.state}",
        f"Trigger: {run.trigger} ({run.mode}), initiator {run.initiator}",
        f"Schedule: {row.schedule_name or run.schedule_id or '-'}",
        f"Correlation id: {run.correlation_id}",
        f"Created: {iso(run.created_at)}; started: {iso(run.started_at) or '-'}; "
        f"finished: {iso(run.finished_at) or '-'}",
        f"Progress: {row.processed}/{row.total} ({row.progress_pct}%)",
    ]
    if run.error:
        lines.append(f"Error: {run.error.code}: {run.error.message}")
    if row.retry_of:
        lines.append(f"Retry of: {row.retry_of}")
    if row.resolved_by:
        lines.append(f"Resolved by: {row.resolved_by} (a completed retry)")
    lines += ["", "What happened / what was tried:", ""]
    return "\n".join(lines)

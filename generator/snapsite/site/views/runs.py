"""Run views: the row of the runs table and data files, and the run page with its seven sections."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from snapsite.formats.downloads import command_line, option
from snapsite.site.names import run_slug, shard, slug
from snapsite.site.views.format import duration, human_time, iso, runbook_name, size
from snapsite.snapshot.records import EvidenceItem, FindingDelta, LogEntry, Run, RunPhase, Segment
from snapsite.snapshot.resolved import RetryLink, resolved_by, retried_by
from snapsite.verify.evidence import EvidenceStatus

ACTIVE_STATES = frozenset({"planning", "queued", "running"})
PHASES = ("planner", "queue", "execution", "post-processing")
LOGS_SHOWN = 50
FINDINGS_SHOWN = 500
SEVERITY_ORDER = ("critical", "high", "medium", "low", "none", "unknown")
BADGE_LABELS = {
    "kev-first": "KEV first",
    "content-refresh": "Content refresh",
    "policy-promotion-follow-up": "Policy promotion follow-up",
    "retry": "Retry",
}


@dataclass(frozen=True)
class Scopes:
    """What the build may show (console scopes and feature flags, read at build time)."""

    policy: bool = True  # policy:runs
    downloads: bool = True  # downloads.read
    manage: bool = False  # runs.manage and runs.retry.enabled
    bundles: bool = False  # runs.evidenceBundles


# A console run id, `run:<tenant>:<yyyymmddThhmmssZ>:<nonce>` (the nonce at most 16 characters).
_CONSOLE_ID = re.compile(r"run:[^:]+:\d{8}T\d{6}Z:([^:]{1,16})")


@dataclass(frozen=True)
class RunRow:
    """One run as the runs table and the data files show it."""

    id: str
    slug: str  # `<shard>/<name>`: the run's files are runs/<slug>.html, downloads/findings/<slug>.csv, ...
    tenant_id: str
    schedule_id: str | None
    schedule_name: str | None
    trigger: str
    mode: str
    state: str
    initiator: str
    policy_revision: str | None
    correlation_id: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    duration_seconds: int | None
    running: bool
    progress_pct: int
    processed: int
    total: int
    new_findings: int
    new_criticals: int
    new_high: int
    new_medium: int
    new_low: int
    resolved: int
    quieted: int
    severity_shifts: int
    kev_additions: int
    badges: tuple[str, ...]
    error_code: str | None
    error_message: str | None
    retry_of: str | None
    shard_count: int
    # Set by `link_retries` once every run of the build is known (the rule spans runs and buckets).
    resolved_by: str | None = None  # the completed retry that resolved this failure (site contract)
    retried_by: tuple[str, ...] = ()  # the runs of the build that retry this one directly, oldest first
    evidence_alert: str | None = None  # `invalid` or `untrusted`: the worst signature status of its shown evidence
    created_ago: str = ""  # how long before the snapshot was taken (the site's "now"): `2h 05m ago`

    @property
    def created_text(self) -> str:
        """`2026-11-20 11:59 UTC`: the runs table's Created column (the minute; the run page has the second)."""
        return f"{self.created_at[:10]} {self.created_at[11:16]} UTC" if len(self.created_at) >= 16 else self.created_at

    @property
    def short_id(self) -> str:
        """The id as a row shows it (the theme's format.js `shortId`, the same rule): a console id
        `run:<tenant>:<time>:<nonce>` shows its nonce, as tenant and time have their own columns; another id longer
        than 20 characters its first and last 8 around an ellipsis. The row keeps the whole id too."""
        console = _CONSOLE_ID.fullmatch(self.id)
        if console:
            return console.group(1)
        return f"{self.id[:8]}\u2026{self.id[-8:]}" if len(self.id) > 20 else self.id

    @property
    def duration_text(self) -> str:
        return duration(self.duration_seconds)

    @property
    def deltas_text(self) -> str:
        """`+2 critical +5 high -1 quieted`, or an em dash."""
        parts = [
            f"+{n} {label}"
            for n, label in (
                (self.new_criticals, "critical"),
                (self.new_high, "high"),
                (self.new_medium, "medium"),
                (self.new_low, "low"),
            )
            if n
        ]
        parts += [f"-{n} {label}" for n, label in ((self.resolved, "resolved"), (self.quieted, "quieted")) if n]
        return " ".join(parts) or "\u2014"

    @property
    def deltas_tooltip(self) -> str:
        return (
            f"new {self.new_findings}: critical {self.new_criticals}, high {self.new_high}, "
            f"medium {self.new_medium}, low {self.new_low}; resolved {self.resolved}, quieted {self.quieted}, "
            f"severity shifts {self.severity_shifts}, KEV additions {self.kev_additions}"
        )

    @property
    def badge_labels(self) -> list[tuple[str, str]]:
        return [(b, BADGE_LABELS[b]) for b in self.badges]

    @property
    def runbook(self) -> str | None:
        return runbook_name(self.error_code) if self.error_code else None


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else max(0, int((end - start).total_seconds()))


def run_row(
    run: Run, schedule_names: Mapping[str, str], now: datetime, scopes: Scopes, file_slug: str | None = None
) -> RunRow:
    """The table row of `run`; `now` (the snapshot's createdAt) ends the timer of unfinished runs.

    `file_slug` is the run's slug from the build's `RunSlugs` (default: computed from the id alone).
    """
    running = run.finished_at is None and run.state in ACTIVE_STATES
    end = run.finished_at if run.finished_at is not None else (now if running else None)
    queued, completed = run.stats.queued, run.stats.completed
    d = run.deltas
    # Badges are shown in this order: KEV first leads, as in the console.
    badges = tuple(b for b in BADGE_LABELS if b in run.badges)
    return RunRow(
        id=run.id,
        slug=file_slug if file_slug is not None else run_slug(run.id),
        tenant_id=run.tenant_id,
        schedule_id=run.schedule_id,
        schedule_name=schedule_names.get(run.schedule_id) if run.schedule_id else None,
        trigger=run.trigger,
        mode=run.mode,
        state=run.state,
        initiator=run.initiator,
        policy_revision=run.policy_revision if scopes.policy else None,
        correlation_id=run.correlation_id,
        created_at=iso(run.created_at) or "",
        started_at=iso(run.started_at),
        finished_at=iso(run.finished_at),
        duration_seconds=_seconds(run.started_at, end),
        running=running,
        progress_pct=min(100, completed * 100 // queued) if queued else 0,
        processed=completed,
        total=queued,
        new_findings=d.new_findings,
        new_criticals=d.new_criticals,
        new_high=d.new_high,
        new_medium=d.new_medium,
        new_low=d.new_low,
        resolved=d.resolved,
        quieted=d.quieted,
        severity_shifts=d.severity_shifts,
        kev_additions=d.kev_additions,
        badges=badges,
        error_code=run.error.code if run.error else None,
        error_message=run.error.message if run.error else None,
        retry_of=run.retry_of,
        shard_count=run.shard_count,
        created_ago=f"{duration(max(0.0, (now - run.created_at).total_seconds()))} ago",
    )


def link_retries(rows: Sequence[RunRow]) -> list[RunRow]:
    """`rows` with the retry links that need every run of the build: resolved failures and forward links.

    Only runs of the build take part (a `--tenant` build's `retryOf` to another tenant's run is already hidden, and
    such a run could not resolve anything here). Rows without a change are returned as they were.
    """
    links = [RetryLink(r.id, r.state, r.retry_of, r.created_at) for r in rows]
    fixed, forward = resolved_by(links), retried_by(links)
    out = []
    for row in rows:
        fixer, retries = fixed.get(row.id), forward.get(row.id, ())
        out.append(replace(row, resolved_by=fixer, retried_by=retries) if fixer is not None or retries else row)
    return out


def open_failures(rows: Iterable[RunRow]) -> list[RunRow]:
    """The failed runs no completed retry resolved: what `scripts/retry-failed-runs.sh` may retry."""
    return [r for r in rows if r.state == "error" and r.resolved_by is None]


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
            seconds = _seconds(phase.started_at, phase.finished_at or now)
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
        f"The run's deltas count {row.new_findings} new findings; this snapshot carries {new_records} findings "
        f'record{"s" if new_records != 1 else ""} of change "new": the Scheduler counts every finding while the '
        "Offline Kit exports only the records it was asked to carry, so the records can be fewer (or, after a "
        "re-export, more)."
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

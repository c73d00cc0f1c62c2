"""A run as the runs table shows it: `RunRow`, made from the run record by `run_row`, with the retry links that
need every run of the build (`link_retries`) and the scopes a build may show.

Rows are made while the records stream past (the collector keeps every row), and the same row feeds the index,
the listing pages, the data files (`data_fields`) and each run page's header; the run page itself is `runs`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from snapsite.site.names import run_slug
from snapsite.site.views.format import duration, iso, runbook_name
from snapsite.snapshot.records import Run
from snapsite.snapshot.resolved import RetryLink, resolved_by, retried_by

ACTIVE_STATES = frozenset({"planning", "queued", "running"})
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


# A RunRow field marked so is shown by the pages only, never written to the runs table's data files.
PAGES_ONLY = {"pages_only": True}


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
    # the runs of the build that retry this one directly, oldest first
    retried_by: tuple[str, ...] = field(default=(), metadata=PAGES_ONLY)
    evidence_alert: str | None = None  # `invalid` or `untrusted`: the worst signature status of its shown evidence
    # how long before the snapshot was taken (the site's "now"): `2h 05m ago`
    created_ago: str = field(default="", metadata=PAGES_ONLY)

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


def data_fields() -> tuple[str, ...]:
    """The fields of a RunRow that the runs table's data files carry, in declaration order (`data/meta.js` names
    them for the browser): every field but those marked PAGES_ONLY, so a new field reaches the table by default."""
    return tuple(f.name for f in fields(RunRow) if not f.metadata.get("pages_only"))


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole seconds from `start` to `end` (never negative); None when either is unknown."""
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
        duration_seconds=seconds_between(run.started_at, end),
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

"""The small types a demo is made of: text timestamps, tenants with their schedules and images, runs."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from snapsite.authoring.demo.vocabulary import DAY


class Clock:
    """RFC 3339 text of epoch seconds, as JSON strings, from a table of the minutes around the snapshot.

    A run has some thirty timestamps: strftime for each would cost more than everything else.
    """

    def __init__(self, created: int) -> None:
        self.base = created - created % 60 - 9 * DAY
        start = datetime.fromtimestamp(self.base, UTC)
        self.minutes = [(start + timedelta(minutes=m)).strftime('"%Y-%m-%dT%H:%M:') for m in range(11 * 24 * 60)]
        self.seconds = [f'{second:02d}Z"' for second in range(60)]
        self.span = len(self.minutes) * 60

    def json(self, seconds: int | None) -> str:
        """`"2026-11-20T12:00:00Z"` with its quotes, or `null`."""
        if seconds is None:
            return "null"
        offset = seconds - self.base
        if 0 <= offset < self.span:
            return self.minutes[offset // 60] + self.seconds[offset % 60]
        return datetime.fromtimestamp(seconds, UTC).strftime('"%Y-%m-%dT%H:%M:%SZ"')

    def iso(self, seconds: int) -> str:
        return self.json(seconds)[1:-1]

    def compact(self, seconds: int) -> str:
        """`YYYYMMDDTHHMMSSZ`, the timestamp part of a run id."""
        return self.iso(seconds).replace("-", "").replace(":", "")


@dataclass
class Schedule:
    id: str
    name: str
    enabled: bool
    cron: str
    timezone: str
    mode: str
    selection: dict[str, Any]
    paused_at: int | None
    last_run_id: str | None = None

    def active_at(self, seconds: int) -> bool:
        return self.enabled and (self.paused_at is None or seconds < self.paused_at)


@dataclass(frozen=True)
class Image:
    digest: str
    repository: str
    tags: tuple[str, ...]
    packages: tuple[int, ...]  # indexes into PACKAGES


Failed = tuple[str, int, str, Schedule | None, str, str | None]


@dataclass
class Tenant:
    index: int
    id: str
    name: str
    weight: float
    schedules: list[Schedule] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    # Recent failed runs a retry may point at: (id, finishedAt, trigger, schedule, mode, policy revision).
    failed: deque[Failed] = field(default_factory=lambda: deque(maxlen=16))


@dataclass(slots=True)
class Segment:
    id: str
    shard: int
    target: int
    state: str = "queued"
    processed: int = 0
    executor: str | None = None
    retries: int = 0
    started: int | None = None
    finished: int | None = None
    cooldown: int | None = None
    error: tuple[str, str] | None = None


class Finding(NamedTuple):
    image: Image
    purl: str
    vulnerability: str
    severity: str
    previous: str | None
    change: str
    kev: bool


@dataclass(slots=True)
class Run:
    """One run while it is being written; dropped afterwards."""

    index: int
    tenant: Tenant
    state: str
    created: int
    shard_count: int
    id: str = ""
    slug: str = ""  # the run id made safe for file names
    schedule: Schedule | None = None
    trigger: str = "cron"
    mode: str = "analysis-only"
    initiator: str = "system:scheduler"
    policy: str | None = None
    correlation: str = ""
    planner_end: int | None = None
    started: int | None = None
    exec_end: int | None = None
    finished: int | None = None
    candidates: int = 0
    deduped: int = 0
    queued: int = 0
    completed: int = 0
    deltas: tuple[int, ...] | None = None  # in DELTA_NAMES order
    error: tuple[str, str, str] | None = None  # code, message, failing phase
    retry_of: str | None = None
    badges: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

"""What every page shows: the offline banner, staleness, verification verdict, navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from snapsite.site.views.changes import SinceInfo
from snapsite.site.views.format import duration, human_time
from snapsite.snapshot.records import Manifest, Tenant

HEARTBEAT_WARNING_SECONDS = 90
AMBER_HOURS = 24
RED_HOURS = 72
NAV = (
    ("index.html", "Runs"),
    ("schedules.html", "Schedules"),
    ("observability.html", "Observability"),
    ("evidence.html", "Evidence"),
    ("verification.html", "Verification"),
)


@dataclass(frozen=True)
class Staleness:
    """How old the snapshot is at `as_of`, and its colour (green < 24 h, amber 24-72 h, red beyond or past
    the snapshot's own staleness window)."""

    level: str  # green | amber | red
    age_text: str
    window_hours: float


def staleness(created_at: datetime, as_of: datetime, window_hours: float | None) -> Staleness:
    """The staleness of a snapshot created at `created_at`, seen at `as_of`."""
    age = max(0, int((as_of - created_at).total_seconds()))
    window = float(window_hours) if window_hours is not None else float(RED_HOURS)
    hours = age / 3600
    if hours > min(RED_HOURS, window):
        level = "red"
    elif hours >= AMBER_HOURS:
        level = "amber"
    else:
        level = "green"
    return Staleness(level, duration(age) if age else "0s", window)


@dataclass(frozen=True)
class SiteInfo:
    """Site-wide facts every template may show (the header, the offline banner, the footer)."""

    title: str
    snapshot_id: str
    created_at: str  # RFC 3339, for scripts
    created_at_text: str
    environment: str
    source: str
    verification: str  # verified | unverified
    verification_problems: tuple[str, ...]
    keyids: tuple[str, ...]
    staleness: Staleness
    built_at: str  # RFC 3339: SOURCE_DATE_EPOCH, else the snapshot's createdAt
    heartbeat_warning: str | None
    impact_index_age_text: str | None
    tenants: tuple[Tenant, ...]
    scopes: tuple[str, ...]
    features: tuple[tuple[str, bool], ...]  # flag name, on
    generator_version: str
    nav: tuple[tuple[str, str], ...] = NAV
    since: SinceInfo | None = None  # a `--since OLD` build: the banner says since when


def heartbeat_warning(manifest: Manifest) -> str | None:
    """A warning when the planner's heartbeat was older than 90 s when the snapshot was taken."""
    if manifest.planner_heartbeat_at is None:
        return "The snapshot has no planner heartbeat."
    silence = manifest.created_at - manifest.planner_heartbeat_at
    if silence > timedelta(seconds=HEARTBEAT_WARNING_SECONDS):
        return (
            f"Planner heartbeat was {duration(silence.total_seconds())} old at snapshot time "
            f"(last at {human_time(manifest.planner_heartbeat_at)})."
        )
    return None

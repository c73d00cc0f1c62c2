"""The Schedules page: next runs across DST changes, queue depth, the manual run form and preview impact."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from snapsite.formats.downloads import command_line, option
from snapsite.site.views.charts import Chart, StackedBar, stacked_bars
from snapsite.site.views.format import human_time, iso, runbook_name
from snapsite.site.views.observability import QueueDepth
from snapsite.snapshot.records import Schedule, Selection, Tenant

INVALID_CRON = "invalid cron expression"
UNKNOWN_ZONE = "unknown time zone"
IMPACT_RUNBOOK_CODE = "ERR_RUN_009"
QUEUE_STAGES = ("planner", "executor")
SCOPE_KINDS = (
    ("purls", "Package URLs (purl)"),
    ("vulnerability-ids", "Vulnerability IDs"),
    ("image-digests", "Image digests"),
)
MODES = ("analysis-only", "content-refresh")
SUBMIT_SCRIPT = "scripts/submit-request.sh"
# Cron daemons take a clock change of more than 3 h for a correction, so no DST fold is longer than this.
_LOOKBACK = timedelta(hours=3)
_MAX_CANDIDATES = 2000
_SCOPE_TEXT_CHARS = 160
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class NextRunError(ValueError):
    """A schedule whose next run cannot be computed: a cron expression croniter rejects or that never fires,
    or an unknown time zone. The message is what the Schedules page shows."""


def next_run(cron: str, tz: str, after: datetime) -> datetime:
    """The first run of the 5-field `cron` in the IANA zone `tz` strictly after `after`, in UTC.

    Cron is wall-clock time in `tz`; across DST changes this does what Vixie cron and cronie do. A job at a fixed
    time (no `*` leading its minute or hour field) whose local time is skipped by a spring-forward change runs at
    the first instant after the change; one whose local time happens twice in a fall-back change runs at the first
    occurrence only. A wildcard job (`*/15 * * * *`, `15 * * * *`) follows real time: nothing in the skipped
    hour, both passes of the repeated one. Raises NextRunError (ValueError for a naive `after`).
    """
    fields = cron.split()
    if len(fields) != 5:
        raise NextRunError(INVALID_CRON)
    try:
        zone = ZoneInfo(tz)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise NextRunError(UNKNOWN_ZONE) from exc
    if after.utcoffset() is None:
        raise ValueError("next_run needs a timezone-aware `after`")
    wild = fields[0].startswith("*") or fields[1].startswith("*")
    after = after.astimezone(UTC)
    # Start before `after`: in a fall-back hour, wall times earlier than after's may still happen after it.
    start = (after - _LOOKBACK).astimezone(zone).replace(tzinfo=None)
    found: list[datetime] = []
    try:
        candidates = croniter(" ".join(fields), start)
        for _ in range(_MAX_CANDIDATES):
            instants = _instants(candidates.get_next(datetime), zone, wild)
            found += (t for t in instants if t > after)
            # A candidate's first instant never precedes an earlier candidate's: nothing later can beat these.
            if instants and instants[0] > after:
                return min(found)
    except (ValueError, OverflowError) as exc:  # croniter's errors are ValueErrors
        raise NextRunError(INVALID_CRON) from exc
    raise NextRunError(INVALID_CRON)


def _instants(wall: datetime, zone: ZoneInfo, wild: bool) -> list[datetime]:
    """The instants, in order, at which the naive local time `wall` fires a job."""
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return [first]
    if first.astimezone(zone).replace(tzinfo=None) == wall:  # it happens twice; fold 0 is the first time
        return [first, second] if wild else [first]
    # The clocks jumped over `wall`: for fold 0 zoneinfo uses the offset before the jump, for fold 1 the one
    # after, so the jump lies between `second` and `first`.
    return [] if wild else [_jump(second, first, zone)]


def _jump(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant in (before, after] at which `zone`'s offset changes (a bisection over whole seconds)."""
    target = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def local_text(instant: datetime, tz: str) -> str:
    """`2026-03-29 03:00 CEST (UTC+02:00)`: an instant as the wall clock of zone `tz` shows it."""
    local = instant.astimezone(ZoneInfo(tz))
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"


@dataclass(frozen=True)
class ScheduleRow:
    """One schedule as the Schedules page lists it; times are computed from the snapshot's createdAt."""

    id: str
    name: str
    tenant_id: str
    tenant_name: str
    cron: str
    timezone: str
    enabled: bool
    paused: bool
    paused_at: str | None  # human text
    mode: str
    scope: str
    status: str  # enabled | paused | disabled
    next_run: datetime | None  # aware UTC; None when paused, disabled or not computable
    next_run_iso: str | None
    next_run_text: str  # UTC text, or why there is none
    next_run_local: str | None  # in the schedule's zone
    earliest_after_resume: datetime | None  # the first run if resumed at createdAt (enabled schedules)
    earliest_after_resume_text: str | None
    earliest_after_resume_local: str | None
    problem: str | None  # e.g. "invalid cron expression"
    last_run_id: str | None
    last_run_slug: str | None  # set when that run is in this build
    pause_command: str | None  # only with the runs.manage scope, for enabled, unpaused schedules


def scope_text(selection: Selection) -> str:
    """`by-namespace: data, identity`, `by-labels: env=prod; tier=1`: what a schedule scans, shortened."""
    parts = []
    for key, value in sorted((selection.model_extra or {}).items()):
        parts.append(f"{key} {_value_text(value)}")
    text = selection.scope + (": " + "; ".join(parts) if parts else "")
    return text if len(text) <= _SCOPE_TEXT_CHARS else text[: _SCOPE_TEXT_CHARS - 1] + "\u2026"


def _value_text(value: object) -> str:
    if isinstance(value, str) and _DIGEST.match(value):
        return value[:19] + "\u2026"  # sha256: and 12 hex digits tell digests apart
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"key", "values"}:  # a label selector
            return f"{_value_text(value['key'])}={'|'.join(_value_text(v) for v in value['values'] or [])}"
        return ", ".join(f"{k}={_value_text(v)}" for k, v in sorted(value.items()))
    return str(value)


def schedule_row(
    schedule: Schedule, tenant_name: str, run_slugs: Mapping[str, str], now: datetime, scopes_manage: bool
) -> ScheduleRow:
    """The row of `schedule` at `now` (the snapshot's createdAt); never raises on a bad cron expression."""
    paused = schedule.paused_at is not None
    status = "disabled" if not schedule.enabled else "paused" if paused else "enabled"
    upcoming: datetime | None = None
    problem = None
    if schedule.enabled:
        try:
            upcoming = next_run(schedule.cron_expression, schedule.timezone, now)
        except NextRunError as exc:
            problem = str(exc)
    nxt = upcoming if status == "enabled" else None
    if nxt is not None:
        next_text = human_time(nxt)
    elif problem:
        next_text = problem
    else:
        next_text = "none (disabled)" if status == "disabled" else "none while paused"
    last = schedule.last_run_id
    return ScheduleRow(
        id=schedule.id,
        name=schedule.name,
        tenant_id=schedule.tenant_id,
        tenant_name=tenant_name,
        cron=schedule.cron_expression,
        timezone=schedule.timezone,
        enabled=schedule.enabled,
        paused=paused,
        paused_at=human_time(schedule.paused_at) if paused else None,
        mode=schedule.mode,
        scope=scope_text(schedule.selection),
        status=status,
        next_run=nxt,
        next_run_iso=iso(nxt),
        next_run_text=next_text,
        next_run_local=local_text(nxt, schedule.timezone) if nxt else None,
        earliest_after_resume=upcoming,
        earliest_after_resume_text=human_time(upcoming) if upcoming else None,
        earliest_after_resume_local=local_text(upcoming, schedule.timezone) if upcoming else None,
        problem=problem,
        last_run_id=last,
        last_run_slug=run_slugs.get(last) if last is not None else None,
        pause_command=(
            command_line(("stella", "schedules", "pause", option("schedule", schedule.id)))
            if scopes_manage and status == "enabled"
            else None
        ),
    )


@dataclass(frozen=True)
class ManualRunForm:
    """The manual run form: static here; a script turns it into a request file for `scripts/`."""

    tenants: tuple[tuple[str, str], ...]  # id, name
    modes: tuple[str, ...] = MODES
    scope_kinds: tuple[tuple[str, str], ...] = SCOPE_KINDS  # value, label
    submit_script: str = SUBMIT_SCRIPT  # relative to the site root
    submit_command: str = "stella runs submit --bundle run-request.json"


@dataclass(frozen=True)
class ImpactPreview:
    """The preview-impact section: how old the impact index is, and a warning when it is stale."""

    index_age_text: str | None
    stale: bool
    runbook_code: str
    runbook: str  # relative to the site root
    commands: tuple[str, ...]  # `stella runs preview` per tenant


@dataclass(frozen=True)
class SchedulesPage:
    """Everything `schedules.html` shows."""

    now_text: str
    rows: tuple[ScheduleRow, ...]
    status_counts: tuple[tuple[str, int], ...]  # (enabled | paused | disabled, count)
    queue_chart: Chart
    queue_planner: int | float
    queue_executor: int | float
    form: ManualRunForm
    impact: ImpactPreview
    manage: bool


def schedules_page(
    schedules: Sequence[Schedule],
    tenants: Sequence[Tenant],
    metrics_queue: QueueDepth,
    run_slugs: Mapping[str, str],
    now: datetime,
    scopes_manage: bool,
    *,
    impact_index_age: str | None = None,
    impact_index_stale: bool = False,
) -> SchedulesPage:
    """The Schedules page at `now` (the snapshot's createdAt). `metrics_queue` is the latest queue depth per
    (tenant, schedule, stage); `impact_index_age` is the impact index's age as text, None when unknown."""
    names = {t.id: t.name for t in tenants}
    rows = sorted(
        (schedule_row(s, names.get(s.tenant_id, s.tenant_id), run_slugs, now, scopes_manage) for s in schedules),
        key=lambda r: (r.tenant_id, r.name.casefold(), r.name, r.id),
    )
    schedule_names = {s.id: s.name for s in schedules}
    depth: dict[tuple[str, str], dict[str, int | float]] = {}
    for (tenant, schedule, stage), value in metrics_queue.items():
        if stage in QUEUE_STAGES:
            depth.setdefault((tenant, schedule), {})[stage] = value
    bars = [
        StackedBar(
            f"{names.get(tenant, tenant)} / {schedule_names.get(schedule, schedule)}",
            tuple(float(stages.get(stage, 0)) for stage in QUEUE_STAGES),
        )
        for (tenant, schedule), stages in sorted(
            depth.items(),
            key=lambda item: (item[0][0], schedule_names.get(item[0][1], item[0][1]).casefold(), item[0][1]),
        )
    ]
    ordered_tenants = sorted(tenants, key=lambda t: t.id)
    return SchedulesPage(
        now_text=human_time(now),
        rows=tuple(rows),
        status_counts=tuple(
            (status, sum(1 for r in rows if r.status == status)) for status in ("enabled", "paused", "disabled")
        ),
        queue_chart=stacked_bars(
            bars, QUEUE_STAGES, title="Queue depth by tenant and schedule (latest sample)", label_heading="Schedule"
        ),
        queue_planner=sum(v.get("planner", 0) for v in depth.values()),
        queue_executor=sum(v.get("executor", 0) for v in depth.values()),
        form=ManualRunForm(tenants=tuple((t.id, t.name) for t in ordered_tenants)),
        impact=ImpactPreview(
            index_age_text=impact_index_age,
            stale=impact_index_stale,
            runbook_code=IMPACT_RUNBOOK_CODE,
            runbook=f"runbooks/{runbook_name(IMPACT_RUNBOOK_CODE)}.html",
            commands=tuple(
                command_line(("stella", "runs", "preview", option("tenant", t.id), "--file", "keys.json"))
                for t in ordered_tenants
            ),
        ),
        manage=scopes_manage,
    )

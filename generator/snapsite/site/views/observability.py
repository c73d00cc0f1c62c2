"""The Observability page: metric cards, 24-hour trends, alert banners and the latest telemetry events.

Metrics and events stream in (millions of lines), so `ObservabilityCollector` keeps a bounded summary: the latest
value of each series, the last 24 hours of the known metrics in 15-minute buckets, the latest events, and counts.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from snapsite.site.views.charts import Bar, Chart, Series, bar_chart, line_chart, number_text
from snapsite.site.views.format import count_text, duration, human_time, iso, runbook_name
from snapsite.site.views.rows import RunRow
from snapsite.snapshot.records import MetricSample, TelemetryEvent, Tenant

QUEUE_DEPTH = "scheduler_queue_depth"
RUNS_ACTIVE = "scheduler_runs_active"
RUNS_ERROR_TOTAL = "scheduler_runs_error_total"
RUNS_DURATION = "scheduler_runs_duration_seconds"
DETERMINISM = "scheduler_determinism_score"
KNOWN_METRICS = frozenset({QUEUE_DEPTH, RUNS_ACTIVE, RUNS_ERROR_TOTAL, RUNS_DURATION, DETERMINISM})
TRIGGER_ORDER = ("cron", "manual", "feedser", "vexer", "policy", "content-refresh")
WINDOW = timedelta(hours=24)
BUCKETS = 96  # 15-minute trend points over the window
EVENTS_KEPT = 200
MAX_KINDS = 1000  # distinct unknown metric names and event types counted one by one; the rest are summed
QUEUE_THRESHOLD = 1000
REPEATED_ERROR_COUNT = 3
EVENT_DATA_CHARS = 300

Number = int | float
QueueDepth = Mapping[tuple[str, str, str], Number]
"""The latest queue depth at or before "now", keyed by (tenantId, scheduleId, stage)."""

_SeriesKey = tuple[str, tuple[tuple[str, str], ...]]  # metric name, sorted labels
_Point = tuple[datetime, int, Number]  # timestamp, arrival order (breaks ties: the later line wins), value


class _KindCounter:
    """Counts per name for at most MAX_KINDS names; samples of further names are summed in `overflow`."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.overflow = 0

    def add(self, name: str) -> None:
        if name in self.counts or len(self.counts) < MAX_KINDS:
            self.counts[name] += 1
        else:
            self.overflow += 1


class ObservabilityCollector:
    """Accumulates metrics, events and run rows in bounded memory, relative to `now` (the snapshot's createdAt).

    Records of tenants not in `tenants` are ignored (the site hides tenants absent from the snapshot); a metric
    sample without a `tenantId` label is snapshot-wide and kept.
    """

    def __init__(self, now: datetime, tenants: Iterable[Tenant]) -> None:
        self.now = now
        self.start = now - WINDOW  # the trend window is (start, now]
        self.tenant_names = {t.id: t.name for t in tenants}
        self._order = 0
        self._latest: dict[_SeriesKey, _Point] = {}
        self._buckets: dict[_SeriesKey, dict[int, _Point]] = {}
        self._window_counts: Counter[str] = Counter()
        self._window_sums: dict[str, float] = {}
        self.unknown_metrics = _KindCounter()
        self.samples_after_now = 0
        self._events: list[tuple[datetime, int, TelemetryEvent]] = []  # a min-heap of the latest EVENTS_KEPT
        self.event_types = _KindCounter()
        self.events_total = 0
        self.runs_by_trigger: Counter[str] = Counter()
        self._durations: dict[str, tuple[int, int]] = {}  # trigger -> (finished runs, seconds)
        self.errors: Counter[str] = Counter()
        self.errors_in_window: Counter[str] = Counter()

    def _known_tenant(self, tenant_id: str | None) -> bool:
        return tenant_id is None or tenant_id in self.tenant_names

    def add_metric(self, sample: MetricSample) -> None:
        """Fold one metric sample in; samples after `now` are counted and otherwise ignored."""
        if not self._known_tenant(sample.labels.get("tenantId")):
            return
        if sample.name not in KNOWN_METRICS:
            self.unknown_metrics.add(sample.name)
            return
        if sample.ts > self.now:
            self.samples_after_now += 1
            return
        self._order += 1
        key = (sample.name, tuple(sorted(sample.labels.items())))
        point = (sample.ts, self._order, sample.value)
        latest = self._latest.get(key)
        if latest is None or sample.ts >= latest[0]:
            self._latest[key] = point
        if sample.ts <= self.start:
            return
        index = -(-(sample.ts - self.start) // (WINDOW / BUCKETS)) - 1  # bucket i ends at start + (i+1) * width
        buckets = self._buckets.setdefault(key, {})
        kept = buckets.get(index)
        if kept is None or sample.ts >= kept[0]:
            buckets[index] = point
        self._window_counts[sample.name] += 1
        self._window_sums[sample.name] = self._window_sums.get(sample.name, 0.0) + sample.value

    def add_event(self, event: TelemetryEvent) -> None:
        """Count one telemetry event and keep it if it is among the latest EVENTS_KEPT by (ts, line order)."""
        if not self._known_tenant(event.tenant_id):
            return
        self._order += 1
        self.events_total += 1
        self.event_types.add(event.type)
        item = (event.ts, self._order, event)
        if len(self._events) < EVENTS_KEPT:
            heapq.heappush(self._events, item)
        elif item[:2] > self._events[0][:2]:
            heapq.heapreplace(self._events, item)

    def add_run(self, row: RunRow) -> None:
        """Count one run: per trigger, its duration when finished, its error code (and whether in the window)."""
        if not self._known_tenant(row.tenant_id):
            return
        self.runs_by_trigger[row.trigger] += 1
        if row.finished_at is not None and row.duration_seconds is not None:
            runs, seconds = self._durations.get(row.trigger, (0, 0))
            self._durations[row.trigger] = (runs + 1, seconds + row.duration_seconds)
        if row.error_code is not None:
            self.errors[row.error_code] += 1
            when = datetime.fromisoformat(row.finished_at or row.created_at)
            if self.start < when <= self.now:
                self.errors_in_window[row.error_code] += 1

    def queue_depth(self) -> dict[tuple[str, str, str], Number]:
        """The latest `scheduler_queue_depth` at or before now per (tenantId, scheduleId, stage), sorted."""
        depth = {}
        for (name, labels), (_, _, value) in self._latest.items():
            if name == QUEUE_DEPTH:
                tags = dict(labels)
                depth[(tags.get("tenantId", ""), tags.get("scheduleId", ""), tags.get("stage", ""))] = value
        return dict(sorted(depth.items()))

    def latest(self, name: str) -> list[tuple[dict[str, str], datetime, Number]]:
        """The latest sample of every series of metric `name`: (labels, ts, value), in label order."""
        return sorted(
            ((dict(labels), ts, value) for (n, labels), (ts, _, value) in self._latest.items() if n == name),
            key=lambda item: sorted(item[0].items()),
        )

    def window_mean(self, name: str) -> tuple[int, float | None]:
        """How many samples of `name` fell in the window, and their mean."""
        count = self._window_counts[name]
        return count, (self._window_sums[name] / count if count else None)

    def trend(self, name: str, combine: Callable[[Sequence[float]], float]) -> dict[str, list[float | None]]:
        """Per tenant, one value per bucket of the window: `combine` of its series' values, each series
        carrying its last value forward from its first sample in the window."""
        columns: dict[str, list[list[float]]] = {}
        for (n, labels), buckets in self._buckets.items():
            if n != name:
                continue
            tenant = dict(labels).get("tenantId", "")
            column = columns.setdefault(tenant, [[] for _ in range(BUCKETS)])
            carried: float | None = None
            for index in range(BUCKETS):
                if index in buckets:
                    carried = float(buckets[index][2])
                if carried is not None:
                    column[index].append(carried)
        return {
            tenant: [combine(values) if values else None for values in column]
            for tenant, column in sorted(columns.items())
        }

    def bucket_ends(self) -> list[datetime]:
        return [self.start + WINDOW / BUCKETS * (index + 1) for index in range(BUCKETS)]

    def events(self) -> list[TelemetryEvent]:
        """The kept events, newest first."""
        return [event for _, _, event in sorted(self._events, key=lambda item: item[:2], reverse=True)]

    def average_durations(self) -> dict[str, float]:
        """Mean duration in seconds of the finished runs, per trigger."""
        return {trigger: seconds / runs for trigger, (runs, seconds) in self._durations.items()}


@dataclass(frozen=True)
class MetricCard:
    metric: str
    label: str
    value: str
    detail: str


@dataclass(frozen=True)
class Alert:
    kind: str  # planner-lag | queue-depth | repeated-error
    level: str  # warning | critical
    message: str
    href: str | None  # relative to the site root
    link_text: str | None
    code: str | None = None  # the error code of a repeated-error alert (the index links to its failures)
    count: str | None = None  # the alert's number, short (failures in the window, queue depth) for the index


@dataclass(frozen=True)
class EventView:
    ts: str
    ts_text: str
    type: str
    tenant_id: str
    tenant_name: str
    run_id: str | None
    run_slug: str | None  # set when the run is in this build
    data: str  # compact JSON, shortened


@dataclass(frozen=True)
class ErrorCodeView:
    code: str
    runbook: str  # file stem under runbooks/
    runs: int
    in_window: int


@dataclass(frozen=True)
class ObservabilityPage:
    """Everything `observability.html` shows."""

    window_text: str
    cards: tuple[MetricCard, ...]
    alerts: tuple[Alert, ...]
    charts: tuple[Chart, ...]
    errors: tuple[ErrorCodeView, ...]
    events: tuple[EventView, ...]
    events_total: int
    event_types: tuple[tuple[str, int], ...]
    event_types_other: int  # events of types beyond the counted ones
    other_metrics: tuple[tuple[str, int], ...]  # unknown metric names, sample counts
    other_metrics_overflow: int
    samples_after_now: int


def _cards(collector: ObservabilityCollector, active_runs: int | None = None) -> tuple[MetricCard, ...]:
    def newest(series: Sequence[tuple[dict[str, str], datetime, Number]]) -> str:
        return human_time(max(ts for _, ts, _ in series)) if series else ""

    cards = []
    queue = collector.latest(QUEUE_DEPTH)
    planner = sum(v for labels, _, v in queue if labels.get("stage") == "planner")
    executor = sum(v for labels, _, v in queue if labels.get("stage") == "executor")
    cards.append(
        MetricCard(
            QUEUE_DEPTH,
            "Queue depth",
            count_text(sum(v for _, _, v in queue)) if queue else "\u2014",
            f"planner {count_text(planner)}, executor {count_text(executor)}; {len(queue)} series, "
            f"latest sample {newest(queue)}"
            if queue
            else "no samples",
        )
    )
    for name, label in ((RUNS_ACTIVE, "Active runs"), (RUNS_ERROR_TOTAL, "Run errors (total)")):
        series = collector.latest(name)
        detail = f"{len(series)} series, latest sample {newest(series)}" if series else "no samples"
        if name == RUNS_ACTIVE and active_runs is not None:
            # Active has one definition on every page (issue 14): runs in planning, queued or running. The gauge is
            # the scheduler's own sample and may differ; both are shown, each with its source.
            detail += (
                f". The run records of this snapshot count {count_text(active_runs)} active runs (planning, queued or"
                " running), as the Runs page does; the gauge is sampled by the scheduler separately"
            )
        cards.append(MetricCard(name, label, count_text(sum(v for _, _, v in series)) if series else "\u2014", detail))
    count, mean = collector.window_mean(RUNS_DURATION)
    cards.append(
        MetricCard(
            RUNS_DURATION,
            "Run duration (mean)",
            duration(mean) if mean is not None and math.isfinite(mean) else "\u2014",
            f"mean of {count} sample{'s' if count != 1 else ''} in the last 24 h" if count else "no samples in 24 h",
        )
    )
    return tuple(cards)


def _tenant_label(collector: ObservabilityCollector, tenant_id: str) -> str:
    return collector.tenant_names.get(tenant_id, tenant_id) if tenant_id else "(no tenant)"


def _charts(collector: ObservabilityCollector) -> tuple[Chart, ...]:
    labels = [f"{end:%Y-%m-%d %H:%M}" for end in collector.bucket_ends()]

    def lines(trend: dict[str, list[float | None]]) -> list[Series]:
        return [Series(_tenant_label(collector, tenant), tuple(values)) for tenant, values in trend.items()]

    triggers = [t for t in TRIGGER_ORDER if t in collector.runs_by_trigger]
    triggers += sorted(set(collector.runs_by_trigger) - set(TRIGGER_ORDER))
    averages = collector.average_durations()
    return (
        line_chart(
            lines(collector.trend(QUEUE_DEPTH, sum)),
            labels,
            title="Queue depth per tenant, last 24 h (UTC)",
        ),
        bar_chart(
            [Bar(t, collector.runs_by_trigger[t]) for t in triggers],
            title="Runs per trigger (all runs in this build)",
            label_heading="Trigger",
            value_label="Runs",
        ),
        bar_chart(
            [Bar(t, averages[t], duration(averages[t])) for t in triggers if t in averages],
            title="Average duration of finished runs per trigger",
            label_heading="Trigger",
            value_label="Average duration",
        ),
        line_chart(
            lines(collector.trend(DETERMINISM, lambda values: sum(values) / len(values))),
            labels,
            title="Determinism score per tenant, last 24 h (UTC)",
            y_min=0.0,
            y_max=1.0,
            value_text=lambda v: f"{v:.3f}",
        ),
    )


def _alerts(collector: ObservabilityCollector, planner_lag: str | None, threshold: float) -> tuple[Alert, ...]:
    alerts = []
    if planner_lag:
        alerts.append(Alert("planner-lag", "warning", planner_lag, None, None))
    depth = collector.queue_depth()
    total = sum(depth.values())
    if total > threshold:
        per_tenant: dict[str, Number] = {}
        for (tenant, _, _), value in depth.items():
            per_tenant[tenant] = per_tenant.get(tenant, 0) + value
        tenant, most = min(per_tenant.items(), key=lambda item: (-item[1], item[0]))
        alerts.append(
            Alert(
                "queue-depth",
                "warning",
                f"Queue depth {count_text(total)} is above the threshold of {count_text(threshold)} "
                f"(largest: {_tenant_label(collector, tenant)} with {number_text(most)}).",
                None,
                None,
                count=count_text(total),
            )
        )
    for code, count in sorted(collector.errors_in_window.items(), key=lambda item: (-item[1], item[0])):
        if count >= REPEATED_ERROR_COUNT:
            alerts.append(
                Alert(
                    "repeated-error",
                    "critical",
                    f"Error {code} was seen {count} times in the last 24 h.",
                    f"runbooks/{runbook_name(code)}.html",
                    f"Runbook {code}",
                    code,
                    str(count),
                )
            )
    return tuple(alerts)


def _event_view(event: TelemetryEvent, collector: ObservabilityCollector, run_slugs: Mapping[str, str]) -> EventView:
    data = json.dumps(event.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return EventView(
        ts=iso(event.ts) or "",
        ts_text=human_time(event.ts),
        type=event.type,
        tenant_id=event.tenant_id,
        tenant_name=_tenant_label(collector, event.tenant_id),
        run_id=event.run_id,
        run_slug=run_slugs.get(event.run_id) if event.run_id is not None else None,
        data=data if len(data) <= EVENT_DATA_CHARS else data[: EVENT_DATA_CHARS - 1] + "\u2026",
    )


def observability_page(
    collector: ObservabilityCollector,
    planner_lag: str | None = None,
    run_slugs: Mapping[str, str] | None = None,
    *,
    queue_threshold: float = QUEUE_THRESHOLD,
    active_runs: int | None = None,
) -> ObservabilityPage:
    """The Observability page from a filled collector. `planner_lag` is the heartbeat warning (or None);
    `run_slugs` are the runs of this build by id (events link to their pages); the queue depth alert fires above
    `queue_threshold`; `active_runs` is the count of the build's run records in an active state, which the
    gauge's card shows beside it (the Runs page counts those)."""
    return ObservabilityPage(
        window_text=f"{human_time(collector.start)} to {human_time(collector.now)}",
        cards=_cards(collector, active_runs),
        alerts=_alerts(collector, planner_lag, queue_threshold),
        charts=_charts(collector),
        errors=tuple(
            ErrorCodeView(code, runbook_name(code), count, collector.errors_in_window[code])
            for code, count in sorted(collector.errors.items(), key=lambda item: (-item[1], item[0]))
        ),
        events=tuple(_event_view(e, collector, run_slugs or {}) for e in collector.events()),
        events_total=collector.events_total,
        event_types=tuple(sorted(collector.event_types.counts.items(), key=lambda item: (-item[1], item[0]))),
        event_types_other=collector.event_types.overflow,
        other_metrics=tuple(sorted(collector.unknown_metrics.counts.items())),
        other_metrics_overflow=collector.unknown_metrics.overflow,
        samples_after_now=collector.samples_after_now,
    )

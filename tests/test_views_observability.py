"""The Observability page: the bounded collector, cards, trends, alerts, events, and its template."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bs4 import Tag
from conftest import run_record
from schedule_pages import BIDI, HOSTILE, NOW, check_page, render
from snapsite.site.names import run_slug
from snapsite.site.views.observability import (
    BUCKETS,
    DETERMINISM,
    EVENTS_KEPT,
    MAX_KINDS,
    QUEUE_DEPTH,
    RUNS_ACTIVE,
    RUNS_DURATION,
    RUNS_ERROR_TOTAL,
    ObservabilityCollector,
    observability_page,
)
from snapsite.site.views.rows import RunRow, Scopes, run_row
from snapsite.snapshot.records import MetricSample, Run, TelemetryEvent, Tenant

TENANTS = [Tenant(id="acme", name="Acme Corp"), Tenant(id="globex", name=HOSTILE), Tenant(id="initrode", name=BIDI)]
STEP = timedelta(hours=24) / BUCKETS


def metric(name: str, ts: datetime, value: float, **labels: str) -> MetricSample:
    return MetricSample(ts=ts, name=name, labels=labels, value=value)


def event(ts: datetime, type: str = "scheduler.run.started", tenant: str = "acme", **changes: Any) -> TelemetryEvent:
    record: dict[str, Any] = {"ts": ts, "type": type, "tenantId": tenant, "runId": None, "data": {}}
    record.update(changes)
    return TelemetryEvent.model_validate(record)


def row(index: int, **changes: Any) -> RunRow:
    return run_row(Run.model_validate(run_record(index, **changes)), {}, NOW, Scopes())


def collector() -> ObservabilityCollector:
    return ObservabilityCollector(NOW, TENANTS)


def queue(
    ts: datetime, value: float, tenant: str = "acme", schedule: str = "s1", stage: str = "planner"
) -> MetricSample:
    return metric(QUEUE_DEPTH, ts, value, tenantId=tenant, scheduleId=schedule, stage=stage)


# --- the collector -----------------------------------------------------------------------------------------


def test_the_trend_window_is_the_24_hours_up_to_now() -> None:
    c = collector()
    c.add_metric(queue(NOW - timedelta(hours=24), 100, schedule="edge"))  # on the boundary: outside
    c.add_metric(queue(NOW - timedelta(hours=30), 100, schedule="old"))
    c.add_metric(queue(NOW - timedelta(hours=24) + timedelta(seconds=1), 5, schedule="first"))
    c.add_metric(queue(NOW, 7, schedule="last"))
    trend = c.trend(QUEUE_DEPTH, sum)["acme"]
    assert len(trend) == BUCKETS
    assert trend[0] == 5  # "first" in the first bucket; "edge" and "old" are outside
    assert trend[-2] == 5
    assert trend[-1] == 12  # "last" joins at now
    assert c.bucket_ends()[-1] == NOW
    # The latest values know no window: "old" and "edge" are still the latest of their series.
    assert c.queue_depth()[("acme", "old", "planner")] == 100
    assert c.queue_depth()[("acme", "edge", "planner")] == 100
    count, mean = c.window_mean(QUEUE_DEPTH)
    assert (count, mean) == (2, 6.0)


def test_latest_value_per_series_and_later_lines_win_ties() -> None:
    c = collector()
    c.add_metric(queue(NOW - timedelta(minutes=5), 9))
    c.add_metric(queue(NOW - timedelta(minutes=10), 50))  # older, arrives later: not the latest
    c.add_metric(queue(NOW - timedelta(minutes=5), 11))  # same time, later line: wins
    c.add_metric(queue(NOW - timedelta(minutes=1), 4, stage="executor"))
    c.add_metric(queue(NOW - timedelta(minutes=1), 3, tenant="globex", schedule="s9"))
    assert c.queue_depth() == {
        ("acme", "s1", "executor"): 4,
        ("acme", "s1", "planner"): 11,
        ("globex", "s9", "planner"): 3,
    }


def test_samples_after_now_unknown_names_and_unknown_tenants() -> None:
    c = collector()
    c.add_metric(queue(NOW + timedelta(seconds=1), 999))
    c.add_metric(queue(NOW, 1, tenant="initech"))  # not a tenant of the snapshot: hidden
    c.add_metric(metric("scheduler_cache_hit_ratio", NOW, 0.5, tenantId="acme"))
    c.add_metric(metric("scheduler_cache_hit_ratio", NOW, 0.6, tenantId="acme"))
    c.add_metric(metric(HOSTILE, NOW, 1))
    assert c.queue_depth() == {}
    assert c.samples_after_now == 1
    page = observability_page(c)
    assert page.other_metrics == ((HOSTILE, 1), ("scheduler_cache_hit_ratio", 2))
    assert page.samples_after_now == 1


def test_counted_names_are_bounded() -> None:
    c = collector()
    for index in range(MAX_KINDS + 5):
        c.add_metric(metric(f"unknown_{index}", NOW, 1))
        c.add_event(event(NOW, type=f"type.{index}"))
    page = observability_page(c)
    assert len(page.other_metrics) == MAX_KINDS and page.other_metrics_overflow == 5
    assert len(page.event_types) == MAX_KINDS and page.event_types_other == 5


def test_only_the_latest_events_are_kept_newest_first() -> None:
    c = collector()
    start = NOW - timedelta(hours=10)
    # Out of order, with a tie at every timestamp: the later line of a tie is the later event.
    for index in reversed(range(250)):
        c.add_event(event(start + timedelta(minutes=index), data={"n": index, "line": "a"}))
        c.add_event(event(start + timedelta(minutes=index), type="scheduler.run.completed", data={"n": index}))
    c.add_event(event(NOW, tenant="initech"))  # hidden tenant
    kept = c.events()
    assert len(kept) == EVENTS_KEPT
    assert c.events_total == 500
    assert [e.data["n"] for e in kept[:3]] == [249, 249, 248]
    assert kept[0].type == "scheduler.run.completed"  # the later line of the newest tie
    assert min(e.data["n"] for e in kept) == 150
    page = observability_page(c)
    assert page.event_types == (("scheduler.run.completed", 250), ("scheduler.run.started", 250))


def test_runs_per_trigger_durations_and_error_codes() -> None:
    c = collector()
    c.add_run(row(1, trigger="cron"))  # 10 minutes, finished
    c.add_run(row(2, trigger="cron", startedAt="2026-11-20T02:00:05Z", finishedAt="2026-11-20T02:30:05Z"))
    c.add_run(row(3, trigger="manual", state="running", finishedAt=None))  # unfinished: no average
    c.add_run(row(4, trigger="concelier", tenant="globex"))  # the newer name of feedser
    c.add_run(row(5, tenant="initech"))  # hidden tenant
    error = {"code": "ERR_RUN_005", "message": "boom"}
    c.add_run(row(6, state="error", error=error))
    old = {
        "createdAt": "2026-11-18T02:00:00Z",
        "startedAt": "2026-11-18T02:00:00Z",
        "finishedAt": "2026-11-18T03:00:00Z",
    }
    c.add_run(row(7, state="error", error=error, **old))  # an hour long, two days ago
    assert dict(c.runs_by_trigger) == {"cron": 4, "manual": 1, "feedser": 1}
    assert c.average_durations()["cron"] == (600 + 1800 + 600 + 3600) / 4
    assert "manual" not in c.average_durations()
    assert c.errors["ERR_RUN_005"] == 2 and c.errors_in_window["ERR_RUN_005"] == 1


def test_trend_carries_each_series_forward_and_combines_per_tenant() -> None:
    c = collector()
    start = NOW - timedelta(hours=24)
    c.add_metric(queue(start + STEP / 2, 5, schedule="a"))  # bucket 0
    c.add_metric(queue(start + STEP * 10, 3, schedule="b"))  # end of bucket 9
    c.add_metric(queue(start + STEP * 20 + STEP / 2, 1, schedule="a"))  # bucket 20
    c.add_metric(metric(DETERMINISM, start + STEP / 2, 0.9, tenantId="acme", shard="1"))
    c.add_metric(metric(DETERMINISM, start + STEP / 2, 0.7, tenantId="acme", shard="2"))
    trend = c.trend(QUEUE_DEPTH, sum)["acme"]
    assert (trend[0], trend[8], trend[9], trend[19], trend[20], trend[-1]) == (5, 5, 8, 8, 4, 4)
    determinism = c.trend(DETERMINISM, lambda v: sum(v) / len(v))["acme"]
    assert determinism[0] is not None and abs(determinism[0] - 0.8) < 1e-9


# --- the page ----------------------------------------------------------------------------------------------


def filled() -> ObservabilityCollector:
    c = collector()
    for step in range(BUCKETS):
        ts = NOW - STEP * step
        c.add_metric(queue(ts, 400, schedule="s1"))
        c.add_metric(queue(ts, 300, schedule="s1", stage="executor"))
        c.add_metric(queue(ts, 350, tenant="globex", schedule="s2"))
        c.add_metric(metric(DETERMINISM, ts, 0.99, tenantId="acme"))
        c.add_metric(metric(DETERMINISM, ts, 0.5, tenantId="initrode"))
        c.add_metric(metric(RUNS_DURATION, ts, 60 if step % 2 else 120, tenantId="acme", trigger="cron"))
    c.add_metric(metric(RUNS_ACTIVE, NOW, 2, tenantId="acme"))
    c.add_metric(metric(RUNS_ACTIVE, NOW, 3, tenantId="globex"))
    c.add_metric(metric(RUNS_ERROR_TOTAL, NOW, 7, tenantId="acme", code="ERR_RUN_005"))
    c.add_metric(metric("scheduler_cache_hit_ratio", NOW, 0.5, tenantId="acme"))
    # A code is ^[A-Z][A-Z0-9_]{2,63}$ (snapshot spec section 2): hostile text reaches the page through the message.
    hostile_code = {"code": "ERR_HOSTILE", "message": HOSTILE}
    for index in range(3):
        c.add_run(row(index, state="error", error={"code": "ERR_RUN_005", "message": "lock"}))
        c.add_run(row(10 + index, state="error", error=hostile_code, tenant="globex"))
    c.add_run(row(20, state="error", error={"code": "ERR_RUN_001", "message": "once"}))
    run_id = row(0).id
    c.add_event(event(NOW - timedelta(minutes=1), runId=run_id, data={"note": "</script><script>alert(3)"}))
    c.add_event(event(NOW, type=HOSTILE, tenant="globex", runId="run:globex:gone", data={"k": HOSTILE}))
    return c


def test_cards() -> None:
    cards = {card.metric: card for card in observability_page(filled()).cards}
    assert cards[QUEUE_DEPTH].value == "1,050"  # one number format on every page (issue 14)
    assert cards[QUEUE_DEPTH].detail.startswith("planner 750, executor 300; 3 series")
    assert cards[RUNS_ACTIVE].value == "5"
    assert cards[RUNS_ERROR_TOTAL].value == "7"
    assert cards[RUNS_DURATION].value == "1m 30s"
    assert cards[RUNS_DURATION].detail == f"mean of {BUCKETS} samples in the last 24 h"
    empty = {card.metric: card for card in observability_page(collector()).cards}
    assert {card.value for card in empty.values()} == {"\u2014"}


def test_alerts() -> None:
    c = filled()
    kinds = [(a.kind, a.href) for a in observability_page(c, "Planner heartbeat was 5m 00s old").alerts]
    assert kinds == [
        ("planner-lag", None),
        ("queue-depth", None),
        ("repeated-error", "runbooks/ERR_HOSTILE.html"),
        ("repeated-error", "runbooks/ERR_RUN_005.html"),
    ]
    quiet = observability_page(c, None, queue_threshold=1050).alerts
    assert [a.kind for a in quiet] == ["repeated-error", "repeated-error"]  # 1050 is not above 1050
    queue_alert = observability_page(c, queue_threshold=100).alerts[0]
    assert "Acme Corp with 700" in queue_alert.message
    assert observability_page(collector(), None).alerts == ()


def test_charts_and_events() -> None:
    c = filled()
    page = observability_page(c, None, {row(0).id: row(0).slug})
    queue_chart, triggers, durations, determinism = page.charts
    assert queue_chart.columns == ("Time", "Acme Corp", HOSTILE)
    assert queue_chart.rows[-1] == (f"{NOW:%Y-%m-%d %H:%M}", "700", "350")
    assert triggers.rows == (("cron", "7"),)
    assert durations.rows == (("cron", "10m 00s"),)
    assert determinism.columns == ("Time", "Acme Corp", BIDI)
    assert determinism.rows[0][1:] == ("0.990", "0.500")
    first, second = page.events
    assert (first.type, first.run_slug, first.tenant_name) == (HOSTILE, None, HOSTILE)
    assert second.run_slug == run_slug(row(0).id)
    assert second.data == '{"note":"</script><script>alert(3)"}'
    assert [(e.code, e.runs, e.in_window) for e in page.errors] == [
        ("ERR_HOSTILE", 3, 3),
        ("ERR_RUN_005", 3, 3),
        ("ERR_RUN_001", 1, 1),
    ]


def test_long_event_data_is_shortened() -> None:
    c = collector()
    c.add_event(event(NOW, data={"blob": "x" * 1000}))
    (view,) = observability_page(c).events
    assert len(view.data) == 300 and view.data.endswith("\u2026")


def test_observability_template() -> None:
    page = observability_page(filled(), f"Planner heartbeat {HOSTILE}", {row(0).id: row(0).slug})
    doc = render("observability.html", "Observability", page=page)
    check_page(doc)
    main = doc.find("main")
    assert isinstance(main, Tag)
    assert [h.get_text() for h in main.find_all("h2")] == [
        "Alerts",
        "Metrics",
        "Trends",
        "Errors by code",
        "Telemetry events",
        "Other metrics",
    ]
    assert len(main.select("svg.chart[role=img]")) == 4
    assert "<U+202E>gnp.exe" in main.select("svg.chart")[3].get_text()
    assert len(main.select("li.card[data-metric]")) == 4
    alerts = main.select("#alerts .alert")
    assert [a["data-alert"] for a in alerts] == ["planner-lag", "queue-depth", "repeated-error", "repeated-error"]
    assert HOSTILE in alerts[0].get_text()
    runbook = alerts[2].find("a")
    assert isinstance(runbook, Tag) and runbook["href"] == "runbooks/ERR_HOSTILE.html"
    events = main.select("#events table.events tbody tr")
    assert events[0]["data-event-type"] == HOSTILE
    assert events[0].find("a") is None  # its run is not in the build
    link = events[1].find("a")
    assert isinstance(link, Tag) and link["href"] == f"runs/{run_slug(row(0).id)}.html"
    assert "</script><script>alert(3)" in events[1].get_text()
    assert "scheduler_cache_hit_ratio" in main.select_one("#other-metrics").get_text()  # type: ignore[union-attr]


def test_observability_template_without_data() -> None:
    doc = render("observability.html", "Observability", page=observability_page(collector()))
    check_page(doc)
    text = doc.get_text()
    assert "No alerts" in text and "No telemetry events" in text and "No failed runs." in text

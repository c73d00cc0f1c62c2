"""The Schedules page: next runs across DST, paused and disabled schedules, queue depth, and its template."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bs4 import Tag
from schedule_pages import BIDI, HOSTILE, NOW, TENANTS, check_page, render
from snapsite.site.names import run_slug
from snapsite.site.views.schedules import (
    INVALID_CRON,
    NextRunError,
    next_run,
    schedule_row,
    schedules_page,
)
from snapsite.snapshot.records import Schedule


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def schedule(**changes: Any) -> Schedule:
    record: dict[str, Any] = {
        "id": "sch-nightly",
        "tenantId": "acme",
        "name": "Nightly",
        "enabled": True,
        "cronExpression": "0 2 * * *",
        "timezone": "Europe/Berlin",
        "mode": "analysis-only",
        "selection": {"scope": "all-images"},
        "pausedAt": None,
        "lastRunId": None,
    }
    record.update(changes)
    return Schedule.model_validate(record)


# --- next_run ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "zone", "after", "expected"),
    [
        # Berlin springs forward on 2026-03-29 at 02:00 CET: 02:30 does not exist, the job runs at 03:00 CEST.
        ("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"),
        ("30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"),
        ("0 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"),
        ("30 3 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:30:00Z"),
        # Berlin falls back on 2026-10-25 at 03:00 CEST: 02:30 happens twice, the job runs the first time only.
        ("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"),
        ("30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
        ("30 2 * * *", "Europe/Berlin", "2026-10-25T01:10:00Z", "2026-10-26T01:30:00Z"),
        # New York: springs forward 2026-03-08 02:00 EST, falls back 2026-11-01 02:00 EDT.
        ("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"),
        ("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z"),
        ("30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"),
        ("*/30 8-18 * * 1-5", "America/New_York", "2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z"),
        # Wildcard jobs follow real time: nothing in the skipped hour, both passes of the repeated one.
        ("15 * * * *", "Europe/Berlin", "2026-03-29T00:20:00Z", "2026-03-29T01:15:00Z"),
        ("*/15 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T00:00:00Z"),
        ("*/30 * * * *", "Europe/Berlin", "2026-10-25T00:40:00Z", "2026-10-25T01:00:00Z"),
        ("15 2 * * *", "Europe/Berlin", "2026-10-25T00:20:00Z", "2026-10-26T01:15:00Z"),
        # UTC, strictly after: a run at exactly `after` is not the next one.
        ("0 4 1 * *", "UTC", "2026-11-20T12:00:00Z", "2026-12-01T04:00:00Z"),
        ("0 4 1 * *", "UTC", "2026-12-01T04:00:00Z", "2027-01-01T04:00:00Z"),
        ("0 12 * * *", "UTC", "2026-11-20T11:59:59.5+00:00", "2026-11-20T12:00:00Z"),
        # An offset on `after` changes nothing: it is an instant.
        ("0 12 * * *", "UTC", "2026-11-20T13:30:00+01:00", "2026-11-21T12:00:00Z"),
    ],
)
def test_next_run(cron: str, zone: str, after: str, expected: str) -> None:
    result = next_run(cron, zone, utc(after))
    assert result == utc(expected)
    assert result.tzinfo is UTC


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize("start", ["2026-03-07T00:00:00Z", "2026-10-24T00:00:00Z"])
def test_wildcard_minutes_run_every_20_minutes_of_real_time_through_dst(zone: str, start: str) -> None:
    # Both zones change by whole hours, so a job on minutes 0, 20, 40 fires every 20 minutes of real time.
    run = utc(start)
    for _ in range(3 * 24 * 3 + 30):  # past both zones' changes
        following = next_run("*/20 * * * *", zone, run)
        assert following - run == timedelta(minutes=20), run
        run = following


def test_a_fixed_time_job_runs_once_a_day_through_dst() -> None:
    runs = [utc("2026-10-23T00:00:00Z")]
    for _ in range(4):
        runs.append(next_run("30 2 * * *", "Europe/Berlin", runs[-1]))
    assert [r.isoformat() for r in runs[1:]] == [
        "2026-10-23T00:30:00+00:00",
        "2026-10-24T00:30:00+00:00",
        "2026-10-25T00:30:00+00:00",
        "2026-10-26T01:30:00+00:00",
    ]


def test_next_run_ignores_the_process_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = next_run("30 2 * * *", "Europe/Berlin", utc("2026-03-28T12:00:00Z"))
    try:
        for tz in ("America/New_York", "Asia/Kolkata", "Pacific/Chatham"):
            monkeypatch.setenv("TZ", tz)
            time.tzset()
            assert next_run("30 2 * * *", "Europe/Berlin", utc("2026-03-28T12:00:00Z")) == expected
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    "cron",
    ["61 * * * *", "a b c d e", "* * * * * *", "* * * *", "0 0 30 2 *", "*/0 * * * *", "H 2 * * *", ""],
)
def test_invalid_cron_expressions_raise_next_run_error(cron: str) -> None:
    with pytest.raises(NextRunError, match=INVALID_CRON):
        next_run(cron, "UTC", NOW)


def test_a_naive_after_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware") as caught:
        next_run("0 2 * * *", "UTC", datetime(2026, 11, 20, 12, 0))  # noqa: DTZ001 - naive on purpose
    assert not isinstance(caught.value, NextRunError)


def test_unknown_time_zone_raises_next_run_error() -> None:
    for zone in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(NextRunError):
            next_run("0 2 * * *", zone, NOW)


# --- rows --------------------------------------------------------------------------------------------------


def test_an_enabled_schedule_shows_its_next_run_in_utc_and_local_time() -> None:
    row = schedule_row(schedule(), "Acme Corp", {}, NOW, scopes_manage=False)
    assert row.status == "enabled"
    assert row.next_run == utc("2026-11-21T01:00:00Z")
    assert row.next_run_iso == "2026-11-21T01:00:00Z"
    assert row.next_run_text == "2026-11-21 01:00:00 UTC"
    assert row.next_run_local == "2026-11-21 02:00 CET (UTC+01:00)"
    assert row.pause_command is None
    assert row.problem is None


def test_a_paused_schedule_shows_the_earliest_run_after_resume() -> None:
    row = schedule_row(schedule(pausedAt="2026-11-19T08:00:00Z"), "Acme", {}, NOW, scopes_manage=True)
    assert row.status == "paused"
    assert row.next_run is None
    assert row.next_run_text == "none while paused"
    assert row.paused_at == "2026-11-19 08:00:00 UTC"
    assert row.earliest_after_resume == utc("2026-11-21T01:00:00Z")
    assert row.earliest_after_resume_local == "2026-11-21 02:00 CET (UTC+01:00)"
    assert row.pause_command is None  # already paused


def test_a_disabled_schedule_has_no_next_run() -> None:
    for paused in (None, "2026-11-19T08:00:00Z"):
        row = schedule_row(schedule(enabled=False, pausedAt=paused), "Acme", {}, NOW, scopes_manage=True)
        assert row.status == "disabled"
        assert row.next_run is None and row.earliest_after_resume is None
        assert row.next_run_text == "none (disabled)"
        assert row.pause_command is None


def test_an_invalid_cron_expression_is_shown_not_raised() -> None:
    row = schedule_row(schedule(cronExpression="99 * * * *"), "Acme", {}, NOW, scopes_manage=True)
    assert row.problem == INVALID_CRON
    assert row.next_run_text == INVALID_CRON
    assert row.next_run is None


def test_pause_command_is_quoted_and_needs_the_manage_scope() -> None:
    odd = schedule(id="sch-$(rm -rf ~)'x")
    assert schedule_row(odd, "Acme", {}, NOW, scopes_manage=False).pause_command is None
    row = schedule_row(odd, "Acme", {}, NOW, scopes_manage=True)
    assert row.pause_command == "stella schedules pause '--schedule=sch-$(rm -rf ~)'\"'\"'x'"
    assert row.earliest_after_resume == row.next_run


def test_last_run_links_only_to_runs_in_the_build() -> None:
    run_id = "run:acme:20261120T020000Z:7f3a9c"
    linked = schedule_row(schedule(lastRunId=run_id), "Acme", {run_id: run_slug(run_id)}, NOW, scopes_manage=False)
    assert linked.last_run_slug == run_slug(run_id)
    missing = schedule_row(schedule(lastRunId=run_id), "Acme", {}, NOW, scopes_manage=False)
    assert missing.last_run_slug is None and missing.last_run_id == run_id


def test_scope_text_spells_out_the_selection() -> None:
    labels = {"scope": "by-labels", "labels": [{"key": "env", "values": ["prod", "stage"]}]}
    assert schedule_row(schedule(selection=labels), "A", {}, NOW, False).scope == "by-labels: labels env=prod|stage"
    namespaces = {"scope": "by-namespace", "namespaces": ["data", "identity"]}
    row = schedule_row(schedule(selection=namespaces), "A", {}, NOW, False)
    assert row.scope == "by-namespace: namespaces data, identity"
    digests = {"scope": "by-digest", "digests": ["sha256:" + "a" * 64, "sha256:" + "b" * 64]}
    row = schedule_row(schedule(selection=digests), "A", {}, NOW, False)
    assert row.scope == f"by-digest: digests sha256:{'a' * 12}\u2026, sha256:{'b' * 12}\u2026"
    many = {"scope": "by-repo", "repositories": [f"registry.example/team/{n}" for n in range(20)]}
    scope = schedule_row(schedule(selection=many), "A", {}, NOW, False).scope
    assert len(scope) == 160 and scope.endswith("\u2026")


# --- the page ----------------------------------------------------------------------------------------------


def page_schedules() -> list[Schedule]:
    return [
        schedule(id="sch-b", name="Zulu", tenantId="acme"),
        schedule(id="sch-a", name="alpha", tenantId="acme", pausedAt="2026-11-19T08:00:00Z"),
        schedule(id="sch-g", name=HOSTILE, tenantId="globex", enabled=False, cronExpression="0 0 30 2 *"),
        schedule(id="sch-x", name="Broken", tenantId="globex", cronExpression="0 0 30 2 *"),
    ]


QUEUE = {
    ("acme", "sch-b", "planner"): 3,
    ("acme", "sch-b", "executor"): 4,
    ("globex", "sch-g", "executor"): 7.5,
    ("acme", "sch-a", "other"): 100,  # not a stage the site knows
    ("acme", BIDI, "executor"): 1,  # a schedule not in the build: shown by its id
}


def test_schedules_page_sorts_rows_and_charts_queue_depth() -> None:
    page = schedules_page(
        page_schedules(), TENANTS, QUEUE, {}, NOW, False, impact_index_age="1d 06h", impact_index_stale=True
    )
    assert [(r.tenant_id, r.name) for r in page.rows] == [
        ("acme", "alpha"),  # by name, ignoring case
        ("acme", "Zulu"),
        ("globex", HOSTILE),  # "<" sorts before letters
        ("globex", "Broken"),
    ]
    assert page.status_counts == (("enabled", 2), ("paused", 1), ("disabled", 1))
    assert page.queue_chart.rows == (
        ("Acme Corp / Zulu", "3", "4", "7"),
        (f"Acme Corp / {BIDI}", "0", "1", "1"),
        (f"{HOSTILE} / {HOSTILE}", "0", "7.5", "7.5"),
    )
    assert (page.queue_planner, page.queue_executor) == (3, 12.5)
    assert page.form.tenants == (("acme", "Acme Corp"), ("globex", HOSTILE))
    assert page.impact.stale and page.impact.runbook == "runbooks/ERR_RUN_009.html"
    assert page.impact.commands[0] == "stella runs preview --tenant=acme --file keys.json"


def test_schedules_template() -> None:
    page = schedules_page(
        page_schedules(),
        TENANTS,
        QUEUE,
        {},
        NOW,
        True,
        impact_index_age="1d 06h",
        impact_index_stale=True,
    )
    doc = render("schedules.html", "Schedules", page=page)
    check_page(doc)
    main = doc.find("main")
    assert isinstance(main, Tag)
    assert [h.get_text() for h in main.find_all("h2")] == [
        "Schedules",
        "Queue depth",
        "Manual run",
        "Preview impact",
        "Pause a schedule",
    ]
    rows = main.select("table.schedules tbody tr[data-schedule-id]")
    assert [r["data-schedule-id"] for r in rows] == ["sch-a", "sch-b", "sch-g", "sch-x"]
    assert HOSTILE in rows[2].get_text()
    assert "invalid cron expression" in rows[3].get_text()
    assert main.select_one("svg.chart[role=img]") is not None
    assert "Acme Corp / <U+202E>gnp.exe" in main.select_one("#queue svg").get_text()  # type: ignore[union-attr]
    warning = main.select_one("#preview-impact .alert")
    assert warning is not None
    link = warning.find("a")
    assert isinstance(link, Tag) and link["href"] == "runbooks/ERR_RUN_009.html"
    form = main.find("form")
    assert isinstance(form, Tag) and "action" not in form.attrs
    assert {f["name"] for f in form.select("[name]")} == {"tenant", "mode", "scopeKind", "scope", "policySnapshot"}
    for field in form.select("select, textarea, input"):
        assert main.select_one(f'label[for="{field["id"]}"]') is not None
    assert "scripts/" in main.get_text()
    pause = [r["data-schedule-id"] for r in main.select("#pause tbody tr[data-schedule-id]")]
    assert pause == ["sch-b", "sch-x"]  # the enabled, unpaused ones; pausing needs no valid expression
    assert "invalid cron expression" in main.select("#pause tbody tr")[1].get_text()
    assert "stella schedules pause --schedule=sch-b" in main.get_text()


def test_schedules_template_without_manage_or_data() -> None:
    page = schedules_page([], TENANTS, {}, {}, NOW, False, impact_index_age=None, impact_index_stale=False)
    doc = render("schedules.html", "Schedules", page=page)
    check_page(doc)
    assert doc.select_one("#pause") is None
    assert doc.select_one("#preview-impact .alert") is None
    assert "No schedules in this build." in doc.get_text()
    assert "No data" in doc.get_text()

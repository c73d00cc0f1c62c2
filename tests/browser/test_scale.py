"""The workspace on a generated snapshot of 20,000 runs: the counts of every hash key against the oracle, only the
rows in view in the DOM while scrolling anywhere, selection at scale, and filter changes that stay quick."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from snapsite.site.names import run_slug

from browser.conftest import LARGE_RUNS, Opener, Shared, Workspace
from browser.oracle import Oracle, run_ids, sample_views
from browser.sites import Site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def large(browser: Browser, large_site: Site) -> Iterator[Shared]:
    shared = Shared(browser, large_site)
    shared.page.wait_for_selector("#runs-table[data-state=ready]", state="attached", timeout=60_000)
    yield shared
    shared.close()


@pytest.fixture
def lws(large: Shared) -> Iterator[Workspace]:
    yield large.workspace
    large.guard.check()


def test_every_hash_key_matches_the_oracle_at_scale(lws: Workspace, large_oracle: Oracle) -> None:
    assert len(large_oracle.runs) == LARGE_RUNS
    tenants = sorted({r.tenant_id for r in large_oracle.runs})
    fragments = [
        *sample_views(large_oracle),
        f"tab=completed&tenant={tenants[0]}&tenant={tenants[3]}&severity=critical&sort=progressPct",
        "tab=all&sort=-durationSeconds",
        "tab=failures&sort=id",
    ]
    for fragment in fragments:
        lws.show(fragment)
        assert lws.count() == large_oracle.count(fragment), fragment
        assert lws.tab_counts() == large_oracle.tab_counts(fragment), fragment
        shown = lws.ids()
        expected = run_ids(large_oracle.runs_of(fragment))
        assert shown == expected[: len(shown)], fragment
    # One number format (issue 14): "20,000 runs match" beside "All 20,000 runs ... are loaded".
    lws.show("tab=all")
    assert lws.page.inner_text("#result-count-shown") == f"{LARGE_RUNS:,}" and lws.count() == LARGE_RUNS
    assert f"All {LARGE_RUNS:,} runs" in lws.page.inner_text("#runs-status")


def test_only_the_rows_in_view_are_in_the_dom(lws: Workspace, large_oracle: Oracle) -> None:
    lws.show("tab=all")
    page = lws.page
    expected = run_ids(large_oracle.runs)
    assert lws.count() == LARGE_RUNS
    assert page.get_attribute("#runs-table", "aria-rowcount") == str(LARGE_RUNS + 1)
    assert 10 < len(lws.ids()) < 100
    for position in (LARGE_RUNS // 2, LARGE_RUNS - 1, 12_345, 0):
        page.eval_on_selector(
            "#runs-table",
            """(table, position) => {
                const wrap = table.parentNode;
                const row = table.tBodies[0].querySelector('tr.run');
                wrap.scrollTop = position * row.getBoundingClientRect().height;
            }""",
            position,
        )
        page.wait_for_function(
            "id => [...document.querySelectorAll('#runs-table tr[data-run-id]')].some(r => r.dataset.runId === id)",
            arg=expected[position],
        )
        shown = lws.ids()
        assert len(shown) < 100
        first = expected.index(shown[0])
        assert shown == expected[first : first + len(shown)]
        row = page.locator(f'#runs-table tr[aria-rowindex="{position + 2}"]')
        assert row.get_attribute("data-run-id") == expected[position] and row.is_visible()


def test_selecting_every_match_downloads_them_all(lws: Workspace, large_oracle: Oracle) -> None:
    fragment = "tab=completed&severity=critical"
    lws.show(fragment)
    page = lws.page
    page.check("#runs-table thead input.select-all")
    assert page.inner_text("#selection-bar [data-selection-count]").replace(",", "") == str(lws.count())
    with page.expect_download() as info:
        page.click('#selection-bar button[data-selection="csv"]')
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"), newline="")))
    assert {row[0] for row in rows[1:]} == {r.id for r in large_oracle.runs_of(fragment)}
    page.click('#selection-bar button[data-selection="clear"]')


def test_filter_changes_stay_quick(lws: Workspace) -> None:
    lws.show("tab=all")
    timings = lws.page.evaluate(
        """async () => {
            const select = document.getElementById('filter-severity');
            const times = [];
            for (let i = 0; i < 12; i += 1) {
                select.value = i % 2 ? '' : 'critical';
                const start = performance.now();
                select.dispatchEvent(new Event('change', {bubbles: true}));
                document.getElementById('runs-table').getBoundingClientRect();
                times.push(performance.now() - start);
                await new Promise(resolve => setTimeout(resolve, 0));
            }
            return times;
        }"""
    )
    # The bench measures this properly (100,000 runs, < 50 ms median); here only a gross regression fails.
    assert statistics.median(timings) < 250, timings


def test_segment_cooldowns_count_down_by_the_viewer_clock(
    open_page: Opener, large_site: Site, large_oracle: Oracle
) -> None:
    created = large_oracle.manifest.created_at
    lines = (large_site.snapshot / "segments.ndjson").read_bytes().splitlines()  # bytes: only \n ends a line
    cooling = [
        s for s in map(json.loads, lines) if s["cooldownUntil"] and datetime.fromisoformat(s["cooldownUntil"]) > created
    ]
    assert cooling, "the generated snapshot has no segment cooling down at snapshot time"
    segment = cooling[0]
    until = datetime.fromisoformat(segment["cooldownUntil"])
    page = open_page(large_site, "")
    # Paused, so the first reading does not depend on how long the page took to load on a busy machine.
    page.clock.install(time=until - timedelta(minutes=2, seconds=10))
    page.clock.pause_at(until - timedelta(minutes=2, seconds=5))
    page.goto(large_site.url(f"runs/{run_slug(segment['runId'])}.html"))
    timer = page.locator(f'tr[data-segment-id="{segment["id"]}"] .cooldown-timer')
    assert timer.inner_text() == "retry possible in 2m 05s by this computer's clock"
    page.clock.run_for(150_000)
    assert timer.inner_text() == "over by this computer's clock"

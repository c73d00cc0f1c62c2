"""The index's attention strip in the browser (issue 14): each item leads to the view it speaks of, and the stale
snapshot's next step appears by the reader's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from browser.conftest import Opener, Workspace
from browser.oracle import Oracle, run_ids
from browser.sites import Site


def test_the_evidence_item_leads_to_the_flagged_runs(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    assert demo_oracle.evidence_alerts  # the demo has invalid and untrusted evidence, or this proves nothing
    page = open_page(demo)
    ws = Workspace(page).ready()
    item = page.locator('[data-testid="attention"] [data-attention="evidence"]')
    assert f"{len(demo_oracle.evidence_alerts)} runs with invalid or untrusted evidence" in item.inner_text()
    before = ws.seq()
    item.locator("a").click()
    ws.wait_render(before)
    assert ws.hash() == "tab=all&evidence=problem"
    assert ws.count() == demo_oracle.count("tab=all&evidence=problem") == len(demo_oracle.evidence_alerts)
    assert ws.ids() == run_ids(demo_oracle.runs_of("tab=all&evidence=problem"))
    badges = page.locator("#runs-table tbody tr[data-run-id] .evidence-alert")
    assert badges.count() == ws.count()
    assert page.input_value("#filter-evidence") == "problem"


def test_a_repeated_error_leads_to_its_failures(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo)
    ws = Workspace(page).ready()
    items = page.locator('[data-testid="attention"] [data-attention="repeated-error"]')
    assert items.count() > 0
    link = items.first.locator("a")
    href = link.get_attribute("href") or ""
    assert href.startswith("index.html#tab=failures&error=")
    before = ws.seq()
    link.click()
    ws.wait_render(before)
    fragment = href.split("#", 1)[1]
    assert ws.hash() == fragment
    assert ws.count() == demo_oracle.count(fragment) > 0
    code = fragment.rsplit("=", 1)[1]
    assert code in items.first.inner_text()


@pytest.mark.parametrize(("age", "shown"), [(timedelta(hours=2), False), (timedelta(days=4), True)])
def test_the_stale_next_step_follows_the_reader_clock(
    open_page: Opener, demo: Site, demo_oracle: Oracle, age: timedelta, shown: bool
) -> None:
    page = open_page(demo, "")
    page.clock.install(time=demo_oracle.manifest.created_at + age)
    page.goto(demo.url("index.html"))
    hint = page.locator('[data-attention="stale"]')
    assert hint.is_visible() is shown
    if shown:  # its next step is one click away: the command that makes a newer site
        hint.locator("summary").click()
        assert hint.locator("code").inner_text().startswith("snapsite build NEWER-SNAPSHOT.tar.zst")

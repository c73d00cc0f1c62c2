"""The first screen (issue 14): at 1440x900 the list is the page, on every tab, with five tenants; at 390x844 no
page is wider than the screen. Geometry is measured in Chromium on real built sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser.conftest import Opener, Workspace
from browser.sites import Site, generated_site, site_pages

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TABS = ("active", "completed", "scheduled", "failures", "all")
ROWS = "#runs-table tbody tr[data-run-id], #scheduled-view tbody tr[data-schedule-id]"


@pytest.fixture(scope="module")
def five_tenants(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A generated snapshot of five tenants, enough runs that every runs tab has more than ten."""
    return generated_site(tmp_path_factory.mktemp("five") / "five", runs=900, tenants=5, seed=14)


def geometry(page: Any) -> dict[str, Any]:
    """Where the first row of the view starts, how many rows are wholly in the viewport, and the tallest row."""
    return dict(
        page.evaluate(
            """selector => {
              const boxes = [...document.querySelectorAll(selector)].map(r => r.getBoundingClientRect())
                .filter(b => b.height > 0);
              return {
                first: boxes.length ? boxes[0].top : null,
                full: boxes.filter(b => b.top >= 0 && b.bottom <= innerHeight).length,
                tallest: Math.max(0, ...boxes.map(b => b.height)),
                rows: boxes.length,
              };
            }""",
            ROWS,
        )
    )


@pytest.mark.parametrize("tab", TABS)
def test_at_1440_the_first_row_is_high_and_ten_rows_show(open_page: Opener, five_tenants: Site, tab: str) -> None:
    page = open_page(five_tenants, fragment=f"tab={tab}", viewport=DESKTOP)
    ws = Workspace(page).ready()
    assert ws.page.locator(".site-header .tenant").count() == 5
    found = geometry(page)
    assert found["first"] is not None, tab
    assert found["first"] <= 0.6 * DESKTOP["height"], (tab, found)
    expected = min(10, ws.count())
    assert found["full"] >= expected, (tab, found)
    if tab != "scheduled":
        assert found["tallest"] <= 40, (tab, found)


def test_at_1440_the_demo_with_its_attention_strip_still_shows_ten_rows(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, fragment="tab=all", viewport=DESKTOP)
    Workspace(page).ready()
    assert page.locator('[data-testid="attention"] [data-attention]:visible').count() >= 3
    found = geometry(page)
    assert found["first"] <= 0.6 * DESKTOP["height"] and found["full"] >= 10, found


def test_at_390_no_page_is_wider_than_the_screen(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, "", viewport=PHONE)
    for path in site_pages(demo):
        target, _, fragment = path.partition("#")
        page.goto(demo.url(target, fragment))
        if target == "index.html":
            Workspace(page).ready()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)


def test_at_390_controls_are_at_least_24_px(open_page: Opener, demo: Site) -> None:
    """Tap targets (WCAG 2.5.8): buttons, fields, checkboxes, tabs and menus; links inside running text are exempt."""
    page = open_page(demo, fragment="tab=failures", viewport=PHONE)
    Workspace(page).ready()
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              'button, input, select, summary, nav a, .attention a, #runs-table a.run-id')]
            .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0 &&
              !e.closest('.visually-hidden') && (b.width < 24 || b.height < 24); })
            .map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().width)}x` +
                      `${Math.round(e.getBoundingClientRect().height)}`)"""
    )
    assert small == []


def test_the_geometry_helper_sees_rows(tmp_path: Path, open_page: Opener, demo: Site) -> None:
    """The measurement itself: a page with no rows reports none, so the checks above cannot pass vacuously."""
    page = open_page(demo, fragment="tab=all&q=no-such-run-anywhere", viewport=DESKTOP)
    Workspace(page).ready()
    assert geometry(page)["rows"] == 0 and geometry(page)["first"] is None

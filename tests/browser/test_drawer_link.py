"""The drawer is a link (site contract, issue 14): `#run=<id>` opens it, opening adds `run` to the hash, closing
takes it out, and Back closes it without losing the list's place."""

from __future__ import annotations

from playwright.sync_api import Page

from browser.conftest import Opener, Workspace
from browser.oracle import Oracle, visible
from browser.sites import Site

DRAWER = '[data-testid="run-drawer"]'


def drawer_run(page: Page) -> str | None:
    """The run id of the open drawer, or None when no drawer is open."""
    found = page.evaluate(
        """selector => { const d = document.querySelector(selector);
             return d && d.open ? d.getAttribute('data-run-id') : null; }""",
        DRAWER,
    )
    return None if found is None else str(found)


def test_clicking_a_row_adds_run_to_the_hash_and_back_closes_it(
    open_page: Opener, demo: Site, demo_oracle: Oracle
) -> None:
    page = open_page(demo, fragment="tab=all")
    ws = Workspace(page).ready()
    ws.page.locator("#runs-table").evaluate("t => t.parentNode.scrollTop = 400")
    # The virtual table redraws its rows on the frames after a scroll: let it, then name the row by its run id,
    # so the click cannot land on a row drawn in its place.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    run_id = page.locator("#runs-table tbody tr[data-run-id]").nth(12).get_attribute("data-run-id") or ""
    before = ws.ids()
    page.locator(f'#runs-table tbody tr[data-run-id="{run_id}"] a.run-id').click()
    page.locator(f'{DRAWER} [data-section="summary"]').wait_for()
    assert drawer_run(page) == run_id
    assert ws.hash() == f"tab=all&run={run_id}"
    page.go_back()
    page.wait_for_function("() => !location.hash.includes('run=')")
    page.wait_for_function(f"() => !document.querySelector('{DRAWER}').open")
    assert ws.hash() == "tab=all"
    assert ws.ids() == before  # the list kept its place
    page.go_forward()
    page.wait_for_function(f"() => document.querySelector('{DRAWER}').open")
    assert drawer_run(page) == run_id
    # Closing (here with the button) takes run out of the hash again.
    page.click(f"{DRAWER} button.drawer-close")
    page.wait_for_function("() => !location.hash.includes('run=')")
    assert ws.hash() == "tab=all" and drawer_run(page) is None


def test_an_address_with_run_opens_its_drawer(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    run = demo_oracle.runs[len(demo_oracle.runs) // 2]
    page = open_page(demo, fragment=f"tab=completed&run={run.id}")
    Workspace(page).ready()
    page.locator(f'{DRAWER} [data-section="summary"]').wait_for()
    assert drawer_run(page) == visible(run.id)
    assert run.correlation_id in page.locator(f'{DRAWER} [data-section="summary"]').inner_text()
    length = page.evaluate("history.length")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !location.hash.includes('run=')")
    # Opened from the address, so closing replaces the entry instead of adding one.
    assert page.evaluate("location.hash") == "#tab=completed" and page.evaluate("history.length") == length


def test_an_unknown_run_in_the_address_says_so(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, fragment="tab=all&run=run:nobody:20261120T000000Z:000000")
    Workspace(page).ready()
    page.wait_for_function("() => document.getElementById('runs-status').textContent.includes('not in this site')")
    assert drawer_run(page) is None

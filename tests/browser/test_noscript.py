"""A page whose scripts cannot run stays honest: with JavaScript off, with its scripts blocked, in a sandboxed frame.

`<noscript>` only covers a browser with JavaScript off; a policy or a sandbox that blocks the scripts leaves it
hidden. So the index says that filters need JavaScript and links the static listing until its table starts, and
the banner gives the snapshot's time with its age unknown rather than "fresh".
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Route

from browser.conftest import VIEWPORT, Opener, Workspace
from browser.oracle import Oracle, run_ids
from browser.sites import Site


def assert_honest_without_scripts(frame: Page | Frame, oracle: Oracle) -> None:
    """What a reader sees when the table never started."""
    note = frame.locator("[data-until-table].note")
    assert note.is_visible() and "need JavaScript" in note.inner_text()
    link = frame.locator(".static-listing a[href]").first
    assert link.is_visible() and link.get_attribute("href") == "list/page-0001.html"
    assert frame.locator(".static-listing").is_visible()
    staleness = frame.locator(".offline-banner .staleness")
    assert staleness.inner_text() == "age unknown without JavaScript"
    assert "fresh" not in frame.locator(".offline-banner").inner_text()
    assert frame.locator(".offline-banner time").get_attribute("datetime") == oracle.manifest.created_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    # The static rows are the active runs, as the note says, and the count says how many.
    shown = frame.eval_on_selector_all("#runs-table tbody tr[data-run-id]", "r => r.map(x => x.dataset.runId)")
    assert shown == run_ids(oracle.runs_of("tab=active"))[: len(shown)] and shown


@pytest.fixture
def bare_context(browser: Browser, demo: Site) -> Iterator[BrowserContext]:
    """A context that reaches only the site's files, like the guarded one, but tolerates the loads a test blocks."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]

    def route(route: Route) -> None:
        if route.request.url.startswith(demo.prefix):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


def test_with_javascript_off(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, fragment="tab=failures", java_script_enabled=False)
    assert_honest_without_scripts(page, demo_oracle)
    assert "JavaScript is off in this browser" in page.locator("[data-until-table].note").inner_text()


def test_with_its_scripts_blocked(bare_context: BrowserContext, demo: Site, demo_oracle: Oracle) -> None:
    blocked: list[str] = []

    def no_scripts(route: Route) -> None:
        if route.request.resource_type == "script":
            blocked.append(route.request.url)
            route.abort()
        else:
            route.fallback()

    bare_context.route("**/*", no_scripts)
    page = bare_context.new_page()
    page.goto(demo.url("index.html", "tab=failures"))
    page.wait_for_load_state("load")
    assert any(url.endswith(".js") for url in blocked)
    assert_honest_without_scripts(page, demo_oracle)
    # JavaScript itself is on, so <noscript> says nothing: the note stands without it.
    assert "JavaScript is off" not in page.locator("[data-until-table].note").inner_text()


def test_in_a_sandboxed_frame(bare_context: BrowserContext, demo: Site, demo_oracle: Oracle) -> None:
    host = demo.root / "sandbox-host.html"  # beside the site, inside its folder so the guard lets it load
    host.write_text(
        '<!doctype html><title>host</title><iframe sandbox src="index.html#tab=failures" width="1200" height="900">'
        "</iframe>"
    )
    try:
        page = bare_context.new_page()
        page.goto(demo.url("sandbox-host.html"))
        page.wait_for_load_state("load")
        frame = next(f for f in page.frames if f.url.endswith("index.html#tab=failures"))
        frame.wait_for_load_state("load")
        assert frame.evaluate("1 + 1") == 2  # Playwright's own evaluation still works in the frame
        assert_honest_without_scripts(frame, demo_oracle)
    finally:
        host.unlink()


def test_once_the_table_runs_the_notes_give_way(open_page: Opener, demo: Site) -> None:
    page = open_page(demo)
    Workspace(page).ready()
    assert page.locator("[data-until-table]").count() == 2
    for element in page.locator("[data-until-table]").all():
        assert element.is_hidden()
    staleness = page.locator(".offline-banner .staleness")
    assert staleness.inner_text().endswith(")") and " old (" in staleness.inner_text()

"""Hostile browsers: the header ticker by the viewer's clock, storage refused, a sandboxed frame, no JavaScript,
and the keyboard alone."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from browser.conftest import VIEWPORT, Opener, Workspace
from browser.oracle import Oracle, run_ids
from browser.sites import Site

NO_STORAGE = """
(function () {
  function refuse() { throw new DOMException("storage is disabled", "SecurityError"); }
  Object.defineProperty(window, "localStorage", { configurable: true, get: refuse });
  Object.defineProperty(window, "sessionStorage", { configurable: true, get: refuse });
})();
"""


@pytest.mark.parametrize(
    ("age", "text", "level"),
    [
        (timedelta(hours=2, minutes=5), "2h 05m old (fresh)", "green"),
        (timedelta(days=1, hours=3), "1d 03h old (aging)", "amber"),
        (timedelta(days=3, hours=1), "3d 01h old (stale)", "red"),
        # A clock behind the snapshot cannot tell its age (it used to say "0s old (fresh)"): half a minute of
        # slack, since the page's clock runs on while it loads.
        (
            timedelta(hours=-2, minutes=-30, seconds=-30),
            "age unknown: this computer's clock is 2h 30m behind the snapshot",
            "unknown",
        ),
    ],
)
def test_the_ticker_shows_the_age_by_the_viewer_clock(
    open_page: Opener, demo: Site, demo_oracle: Oracle, age: timedelta, text: str, level: str
) -> None:
    page = open_page(demo, "")
    page.clock.install(time=demo_oracle.manifest.created_at + age)
    for path in ("index.html", "schedules.html", "verification.html"):
        page.goto(demo.url(path))
        staleness = page.locator(".offline-banner .staleness")
        assert staleness.inner_text() == text, path
        assert staleness.get_attribute("class") == f"staleness staleness-{level}"


def test_the_ticker_moves_every_30_seconds(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, "")
    page.clock.install(time=demo_oracle.manifest.created_at + timedelta(hours=23, minutes=59, seconds=45))
    page.goto(demo.url("observability.html"))
    staleness = page.locator(".offline-banner .staleness")
    assert staleness.inner_text() == "23h 59m old (fresh)"
    page.clock.run_for(30_000)
    assert staleness.inner_text() == "1d 00h old (aging)"
    assert "staleness-amber" in (staleness.get_attribute("class") or "")


def test_a_short_staleness_window_turns_red_sooner(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, "")
    page.clock.install(time=demo_oracle.manifest.created_at + timedelta(hours=30))
    page.goto(demo.url("evidence.html"))
    page.eval_on_selector(".offline-banner .staleness", "s => s.setAttribute('data-staleness-window-hours', '12')")
    page.clock.run_for(30_000)
    assert page.get_attribute(".offline-banner .staleness", "data-staleness") == "red"


def test_everything_works_with_storage_disabled(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, "")
    page.context.add_init_script(NO_STORAGE)
    page.goto(demo.url("index.html", "tab=failures&q=err"))
    ws = Workspace(page).ready()
    assert ws.count() == demo_oracle.count("tab=failures&q=err")
    page.goto(demo.url("schedules.html"))
    page.wait_for_selector("#manual-run-generate:not([hidden])")
    page.fill("#manual-run-scope", "pkg:npm/lodash@4.17.21")
    with page.expect_download():
        page.click("#manual-run-generate")


def test_choices_are_remembered_where_storage_works(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, "schedules.html")
    page.wait_for_selector("#manual-run-generate:not([hidden])")
    page.select_option("#manual-run-tenant", "initech")
    page.fill("#manual-run-scope", "pkg:npm/lodash@4.17.21")
    page.on("download", lambda download: None)
    page.click("#manual-run-generate")
    page.wait_for_selector("#manual-run-result [data-request-id]")
    page.reload()
    page.wait_for_selector("#manual-run-generate:not([hidden])")
    assert page.input_value("#manual-run-tenant") == "initech"


@pytest.mark.parametrize("missing", ["data/meta.js", "data/runs-0001.js"])
def test_a_missing_data_file_ends_the_loading_with_an_error_naming_it(
    browser: Browser, demo: Site, tmp_path: Path, missing: str
) -> None:
    """index.html starts meta.js and the first runs file early (async scripts): one that fails, even before the
    workspace's script runs, is reported, never waited for."""
    root = tmp_path / "site"
    shutil.copytree(demo.root, root)
    (root / missing).unlink()
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
        )
        page = context.new_page()
        page.goto(Site(root, demo.snapshot).url(fragment="tab=all"))
        page.wait_for_selector("#runs-table[data-state=error]", state="attached", timeout=15_000)
        assert missing in page.inner_text("#runs-status")
        page.wait_for_timeout(500)  # nothing turns it back to ready
        assert page.get_attribute("#runs-table", "data-state") == "error"
    finally:
        context.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(demo: Site, tmp_path: Path) -> Iterator[Site]:
    """A copy of the demo site, with a page framing it, served on the loopback interface.

    From file:// a sandboxed frame gets an opaque origin that Chromium lets load no local file at all, not even
    the style sheet: a frame sandbox is only meaningful for a served copy of the site.
    """
    root = tmp_path / "site"
    shutil.copytree(demo.root, root)
    (root / "frame.html").write_text(
        '<!doctype html><html lang="en"><title>frame</title>'
        '<iframe sandbox="allow-scripts allow-downloads" src="index.html#tab=all&amp;severity=critical"'
        ' title="workspace" width="1200" height="800"></iframe></html>'
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root, demo.snapshot, base=f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_workspace_works_in_a_sandboxed_frame(open_page: Opener, served: Site, demo_oracle: Oracle) -> None:
    page = open_page(served, "frame.html")
    frame = page.frame_locator("iframe")
    frame.locator("#runs-table[data-state=ready]").wait_for(state="attached")
    expected = demo_oracle.count("tab=all&severity=critical")
    assert int(frame.locator('[data-testid="result-count"]').inner_text()) == expected
    frame.locator('nav.tabs a[data-tab="failures"]').click()
    count = frame.locator('[data-testid="result-count"]')
    assert int(count.inner_text()) == demo_oracle.count("tab=failures&severity=critical")
    frame.locator("#runs-table tbody a.run-id").first.click()
    frame.locator('dialog.drawer [data-section="logs"]').wait_for()


def test_without_javascript_the_static_page_stands(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, java_script_enabled=False)
    expected = run_ids(demo_oracle.runs_of("tab=active"))
    assert (
        page.eval_on_selector_all("#runs-table tbody tr[data-run-id]", "r => r.map(x => x.dataset.runId)") == expected
    )
    assert page.inner_text('[data-testid="result-count"]') == str(len(expected))
    assert page.locator("noscript").count() > 0
    assert page.locator("#selection-bar").is_hidden() and page.locator("#split-field").is_hidden()
    run = open_page(demo, "runs/" + demo_oracle.rows[demo_oracle.runs[0].id].slug + ".html", java_script_enabled=False)
    assert run.locator("button[data-copy]").first.is_hidden()
    assert run.locator(".incident-actions").is_hidden()


def test_the_keyboard_alone_reaches_tabs_filters_rows_and_the_drawer(
    open_page: Opener, demo: Site, demo_oracle: Oracle
) -> None:
    page = open_page(demo)
    ws = Workspace(page).ready()
    page.focus('nav.tabs a[data-tab="completed"]')
    before = ws.seq()
    page.keyboard.press("Enter")
    ws.wait_render(before)
    assert ws.hash() == "tab=completed"
    page.focus("#filter-state")
    before = ws.seq()
    page.keyboard.press("ArrowDown")  # the first state after "Any state"
    ws.wait_render(before)
    chosen = page.input_value("#filter-state")
    assert chosen and ws.count() == demo_oracle.count(f"tab=completed&state={chosen}")
    page.focus("#filter-q")
    page.keyboard.type("system")
    page.wait_for_function("() => location.hash.indexOf('q=system') !== -1")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('run-id')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('run-id')")
    page.keyboard.press("Enter")
    page.locator('dialog.drawer [data-section="summary"]').wait_for()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('run-id')")

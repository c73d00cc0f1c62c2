"""Fixtures of the browser tests: one headless Chromium per session (the system's, never a downloaded one), sites
built once per session, and pages whose every request outside the site folder is aborted and recorded, and whose
console errors, page errors and CSP violations are recorded: a test passes only if there were none.

The 20,000-run site takes the longest to build: it is built in a background process from the end of collection on,
while the demo site is being tested, and the tests that need it run last.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, sync_playwright

from browser.firefox import FIREFOX, Firefox
from browser.oracle import Oracle
from browser.sites import DEMO_PUB, MANAGE_SCOPES, ROOT, Site, demo_site

CHROMIUM = Path(os.environ.get("SNAPSITE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
LARGE_RUNS = 20_000
LARGE_TENANTS = 5
LARGE_SEED = 23
VIEWPORT = {"width": 1280, "height": 900}
# Reported through the console, so one listener catches both: Chromium logs most violations itself, this adds
# the ones it only dispatches as events.
CSP_PROBE = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI);
});
"""

_large: dict[str, Any] = {}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests of the large site last, and start building it now, in the background."""
    large = [item for item in items if "large_site" in getattr(item, "fixturenames", ())]
    if not large:
        return
    items[:] = [item for item in items if item not in large] + large
    if config.option.collectonly or "process" in _large:
        return
    folder = Path(tempfile.mkdtemp(prefix="snapsite-browser-"))
    log = (folder / "build.log").open("wb")
    command = [sys.executable, "-m", "browser.sites", str(folder / "large"), "--runs", str(LARGE_RUNS)]
    command += ["--tenants", str(LARGE_TENANTS), "--seed", str(LARGE_SEED)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    _large.update(folder=folder, log=log, process=subprocess.Popen(command, stdout=log, stderr=log, env=env))


def pytest_sessionfinish(session: pytest.Session) -> None:
    process = _large.get("process")
    if process is not None:
        if process.poll() is None:
            process.kill()
            process.wait()
        _large["log"].close()
        shutil.rmtree(_large["folder"], ignore_errors=True)


@pytest.fixture(scope="session")
def large_site() -> Site:
    """The generated 20,000-run snapshot's site (default scopes), built in the background since collection."""
    process = _large.get("process")
    assert process is not None, "the large site's build was not started at collection"
    code = process.wait(timeout=900)
    folder: Path = _large["folder"]
    assert code == 0, (folder / "build.log").read_text(errors="replace")
    return Site(folder / "large" / "site", folder / "large" / "snapshot")


@pytest.fixture(scope="session")
def large_oracle(large_site: Site) -> Oracle:
    # browser.sites.generated_site signs with signer.key beside the snapshot; its .pub is the site's trust root.
    return Oracle(large_site.snapshot, large_site.snapshot.parent / "signer.key.pub")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system; missing, it fails the run instead of skipping it."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) or point SNAPSITE_CHROMIUM "
            "at it. The browser tests never skip.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The embedded demo (300 runs, 3 tenants) built with every scope, runs.manage included."""
    return demo_site(tmp_path_factory.mktemp("demo") / "site", MANAGE_SCOPES)


@pytest.fixture(scope="session")
def demo_readonly(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The embedded demo with the default scopes: no runs.manage."""
    return demo_site(tmp_path_factory.mktemp("demo-readonly") / "site", frozenset({"runs.read", "downloads.read"}))


@pytest.fixture(scope="session")
def demo_oracle(demo: Site) -> Oracle:
    return Oracle(demo.snapshot, DEMO_PUB)


class Guard:
    """Cuts one browser context off from everything outside the site folder and records what went wrong."""

    def __init__(self, site: Site) -> None:
        self.prefix = site.prefix
        self.blocked: list[str] = []
        self.errors: list[str] = []

    def attach(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)
        context.add_init_script(CSP_PROBE)
        context.on("page", self._page)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.prefix):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _page(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def check(self) -> None:
        """Fail on any request that left the folder, console error or CSP violation so far (and forget them)."""
        blocked, errors = list(self.blocked), list(self.errors)
        self.blocked.clear()
        self.errors.clear()
        assert not blocked, f"requests left the site folder: {blocked}"
        assert not errors, f"console errors or CSP violations: {errors}"


Opener = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Opener]:
    """`open_page(site, path="index.html", fragment="", **context_options)`: a fresh guarded page on `site`."""
    opened: list[tuple[BrowserContext, Guard]] = []

    def opener(site: Site, path: str = "index.html", fragment: str = "", **options: Any) -> Page:
        options = {"viewport": VIEWPORT, **options}  # a test may ask for another viewport
        context = browser.new_context(accept_downloads=True, **options)
        guard = Guard(site)
        guard.attach(context)
        opened.append((context, guard))
        page = context.new_page()
        if path:
            page.goto(site.url(path, fragment))
        return page

    yield opener
    try:
        for _, guard in opened:
            guard.check()
    finally:
        for context, _ in opened:
            context.close()


class Workspace:
    """index.html in one page: show a view by its hash and read what the page shows."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def ready(self) -> Workspace:
        self.page.wait_for_selector("#runs-table[data-state=ready]", state="attached")
        return self

    def seq(self) -> int:
        return int(self.page.get_attribute("#runs-table", "data-render-seq") or 0)

    def wait_render(self, before: int) -> None:
        self.page.wait_for_function(
            "n => +document.getElementById('runs-table').getAttribute('data-render-seq') > n", arg=before
        )

    def show(self, fragment: str) -> None:
        """Set the URL hash as a link would, and wait until the page has drawn that view."""
        if self.hash() == fragment:
            return
        before = self.seq()
        self.page.evaluate("fragment => { location.hash = fragment; }", fragment)
        self.wait_render(before)

    def hash(self) -> str:
        return str(self.page.evaluate("location.hash.replace(/^#/, '')"))

    def count(self) -> int:
        return int(self.page.inner_text('[data-testid="result-count"]'))

    def tab_counts(self) -> dict[str, int]:
        found = self.page.eval_on_selector_all(
            "nav.tabs a[data-tab]", "links => links.map(a => [a.dataset.tab, a.querySelector('.count').textContent])"
        )
        return {key: int(value.replace(",", "")) for key, value in found}  # "1,234": one number format

    def ids(self, scope: str = "#runs-table") -> list[str]:
        """The run ids of the rows in the DOM, in order."""
        ids = self.page.eval_on_selector_all(
            f"{scope} tbody tr[data-run-id]", "rows => rows.map(r => r.getAttribute('data-run-id'))"
        )
        return [str(i) for i in ids]


@pytest.fixture
def workspace(open_page: Opener, demo: Site) -> Workspace:
    """The demo's index.html, loaded."""
    return Workspace(open_page(demo)).ready()


class Shared:
    """One guarded page kept open for a whole test module (loading a large site once), checked after each test."""

    def __init__(self, browser: Browser, site: Site, path: str = "index.html") -> None:
        self.context = browser.new_context(accept_downloads=True, viewport=VIEWPORT)  # type: ignore[arg-type]
        self.guard = Guard(site)
        self.guard.attach(self.context)
        self.page = self.context.new_page()
        self.page.goto(site.url(path))
        self.workspace = Workspace(self.page)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def demo_shared(browser: Browser, demo: Site) -> Iterator[Shared]:
    shared = Shared(browser, demo)
    shared.workspace.ready()
    yield shared
    shared.close()


@pytest.fixture
def ws(demo_shared: Shared) -> Iterator[Workspace]:
    """The demo's index.html, shared by a module's tests; each test must leave no error behind."""
    yield demo_shared.workspace
    demo_shared.guard.check()


@pytest.fixture(scope="session")
def firefox_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    """Headless Firefox ESR from the system; missing, it fails the run instead of skipping it."""
    if not FIREFOX.is_file():
        pytest.fail(
            f"Firefox ESR not found at {FIREFOX}: install it (apt-get install firefox-esr) or point SNAPSITE_FIREFOX "
            "at it. The browser tests never skip.",
            pytrace=False,
        )
    firefox = Firefox(tmp_path_factory.mktemp("firefox-downloads"))
    yield firefox
    firefox.close()


@pytest.fixture
def firefox(firefox_session: Firefox) -> Iterator[Firefox]:
    """The session's Firefox; a test passes only if the pages it opened reported no script error or CSP violation."""
    firefox_session.errors.clear()
    yield firefox_session
    assert firefox_session.errors == [], firefox_session.errors

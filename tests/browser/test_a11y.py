"""Accessibility: axe-core (a test-only npm package, tests/browser/package.json) finds no violation on any page type,
with the scripts' own parts shown (the drawer, the forms' results, the pause dialog, split view)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from browser.conftest import AXE, Guard, Workspace
from browser.oracle import Oracle
from browser.sites import Site


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"{AXE} is missing: run `npm ci` in tests/browser (axe-core is a test-only dependency)", pytrace=False
        )
    return AXE.read_text(encoding="utf-8")


WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(WIDTHS))
def audit(
    browser: Browser, demo: Site, axe_source: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], Page]]:
    """Open a page of the demo where axe can be injected (CSP bypassed for this context only), at desktop width
    (1440x900) and at phone width (390x844): every test of this module runs at both."""
    context = browser.new_context(bypass_csp=True, viewport=WIDTHS[request.param])  # type: ignore[arg-type]
    guard = Guard(demo)
    guard.attach(context)

    def opener(path: str) -> Page:
        page = context.new_page()
        page.goto(demo.url(path))
        return page

    yield opener
    try:
        guard.check()
    finally:
        context.close()


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(
        "() => axe.run(document, {preload: false, resultTypes: ['violations']}).then(r => r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))"
    )
    return list(found)


def assert_clean(page: Page, axe_source: str, what: str) -> None:
    found = violations(page, axe_source)
    assert not found, f"{what}: " + json.dumps(found, indent=1)


def first_run(demo: Site, needle: str) -> str:
    pages = sorted((demo.root / "runs").glob("*/*.html"))
    return next(p.relative_to(demo.root).as_posix() for p in pages if needle in p.read_text())


def test_index_with_its_views_and_the_drawer(
    audit: Callable[[str], Page], axe_source: str, demo_oracle: Oracle
) -> None:
    page = audit("index.html#tab=all")
    ws = Workspace(page).ready()
    assert_clean(page, axe_source, "index.html with the attention strip")
    page.locator("#more-filters summary").click()
    assert_clean(page, axe_source, "index.html with More filters open")
    page.locator("#more-filters summary").click()
    page.locator("#runs-table tbody input.select-run").first.check()
    assert_clean(page, axe_source, "index.html")
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    ws.show(f"tab=failures&tenant={tenants[0]}&tenant={tenants[1]}&split=1")
    assert_clean(page, axe_source, "split view")
    ws.show("tab=scheduled")
    assert_clean(page, axe_source, "scheduled tab")
    ws.show("tab=failures")
    page.locator("#runs-table tbody a.run-id").first.click()
    page.locator('dialog.drawer [data-section="actions"]').wait_for()
    assert_clean(page, axe_source, "run drawer")


def test_schedules_with_results_and_the_pause_dialog(audit: Callable[[str], Page], axe_source: str, demo: Site) -> None:
    page = audit("schedules.html")
    page.wait_for_selector("#manual-run-generate:not([hidden])")
    assert_clean(page, axe_source, "schedules.html")
    page.fill("#manual-run-scope", "not a purl")
    page.click("#manual-run-generate")
    page.fill("#preview-keys", "CVE-2023-44487\npkg:npm/semver")
    page.click('#preview-impact-form button[data-action="preview"]')
    page.wait_for_selector('#preview-impact-result [data-testid="impact-count"]')
    assert_clean(page, axe_source, "schedules.html with results")
    page.locator("#pause button[data-pause]").first.click()
    assert_clean(page, axe_source, "pause dialog")


@pytest.mark.parametrize("path", ["observability.html", "evidence.html", "verification.html", "list/page-0001.html"])
def test_site_pages(audit: Callable[[str], Page], axe_source: str, path: str) -> None:
    assert_clean(audit(path), axe_source, path)


def test_run_and_runbook_pages(audit: Callable[[str], Page], axe_source: str, demo: Site) -> None:
    path = first_run(demo, "stella runs retry")
    assert_clean(audit(path), axe_source, path)
    for needle in ('data-testid="resolved-by"', 'data-testid="deltas-note"', 'data-testid="retried-by"'):
        path = first_run(demo, needle)
        assert_clean(audit(path), axe_source, path)
    assert_clean(audit("runbooks/ERR_RUN_005.html"), axe_source, "runbook")

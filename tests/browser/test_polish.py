"""The polish of issue 14, point 10, each checked in the browser: captions, error codes' underscores, one number
format, the manual run form without runs.manage, evidence.html filtered by status, telemetry types that wrap only
after a dot, and the Active runs card that says how the Runs page counts. (The pause dialog's wording is checked in
test_forms.py.)"""

from __future__ import annotations

from browser.conftest import Opener, Workspace
from browser.firefox import Firefox
from browser.oracle import Oracle
from browser.sites import Site


def test_captions_say_failed_runs_and_error_codes_keep_their_underscores(ws: Workspace) -> None:
    ws.show("tab=failures")
    assert ws.page.inner_text("#runs-table caption") == "Failed runs, newest first"
    code = ws.page.locator("#runs-table tbody a.error-code").first
    assert "_" in code.inner_text()
    # The underline sits below the descenders, so it no longer hides the underscores of ERR_RUN_005.
    offset = code.evaluate("a => parseFloat(getComputedStyle(a).textUnderlineOffset)")
    assert offset >= 3, offset


def test_counts_are_written_one_way(ws: Workspace, demo_oracle: Oracle) -> None:
    """The count the eye reads is grouped like every other number ("20,000 runs match"); the contract's hook stays
    the plain integer."""
    ws.show("tab=all")
    assert ws.count() == len(demo_oracle.runs)
    shown = ws.page.inner_text("#result-count-shown")
    assert shown == f"{len(demo_oracle.runs):,}"
    assert ws.page.get_attribute("#result-count-shown", "aria-hidden") == "true"
    status = ws.page.inner_text("#runs-status")
    assert f"All {len(demo_oracle.runs):,} runs" in status


def test_the_manual_run_form_needs_runs_manage(open_page: Opener, demo: Site, demo_readonly: Site) -> None:
    readonly = open_page(demo_readonly, "schedules.html")
    readonly.wait_for_selector('[data-testid="manual-run-needs-manage"]')
    assert readonly.locator("#manual-run-form").count() == 0
    manage = open_page(demo, "schedules.html")
    assert manage.locator("#manual-run-form").count() == 1
    assert manage.locator('[data-testid="manual-run-needs-manage"]').count() == 0


def test_evidence_is_filtered_by_signature_status(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, "evidence.html")
    rows = page.locator("#evidence-list tbody tr[data-signature-status]")
    total = rows.count()
    statuses = rows.evaluate_all("rs => rs.map(r => r.dataset.signatureStatus)")
    assert page.is_visible(".status-filter")
    for status in sorted(set(statuses)):
        link = page.locator(f'.status-filter a[data-status="{status}"]')
        assert int(link.locator(".count").inner_text().replace(",", "")) == statuses.count(status)
        link.click()
        page.wait_for_function("s => location.hash === '#status=' + s", arg=status)
        shown = page.locator("#evidence-list tbody tr[data-signature-status]:visible")
        assert shown.count() == statuses.count(status)
        assert set(shown.evaluate_all("rs => rs.map(r => r.dataset.signatureStatus)")) == {status}
        assert link.get_attribute("aria-current") == "true"
        assert page.inner_text("#evidence-shown").startswith(f"{statuses.count(status)} of {total}")
    # The filtered list is a link: opened afresh, it shows the same rows; "All" shows every row again.
    again = open_page(demo, "evidence.html", fragment="status=invalid")
    assert again.locator("#evidence-list tbody tr[data-signature-status]:visible").count() == statuses.count("invalid")
    again.click('.status-filter a[data-status=""]')
    again.wait_for_function("() => location.hash === '#status='")
    assert again.locator("#evidence-list tbody tr[data-signature-status]:visible").count() == total


def test_evidence_status_filter_in_firefox(firefox: Firefox, demo: Site) -> None:
    firefox.open(demo.url("evidence.html", "status=untrusted"))
    firefox.wait("document.getElementById('evidence-shown').textContent !== ''")
    shown = firefox.js(
        "return Array.from(document.querySelectorAll('#evidence-list tbody tr[data-signature-status]'))"
        ".filter(r => !r.hidden).map(r => r.dataset.signatureStatus)"
    )
    assert shown and set(shown) == {"untrusted"}


def test_telemetry_types_wrap_only_after_a_dot(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, "observability.html", viewport={"width": 390, "height": 844})
    types = page.locator("#events code.dotted")
    assert types.count() > 0
    styles = types.evaluate_all(
        "cs => cs.map(c => [getComputedStyle(c).overflowWrap, getComputedStyle(c).wordBreak,"
        " c.querySelectorAll('wbr').length === (c.textContent.match(/\\./g) || []).length])"
    )
    assert all(style == ["normal", "normal", True] for style in styles), styles[:3]


def test_active_runs_have_one_definition_on_every_page(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    active = demo_oracle.count("tab=active")
    index = open_page(demo)
    Workspace(index).ready()
    assert index.inner_text('[data-testid="card-active"] .card-value') == f"{active:,}"
    assert "planning, queued or running" in index.inner_text('[data-testid="card-active"]')
    observability = open_page(demo, "observability.html")
    card = observability.inner_text('[data-metric="scheduler_runs_active"]')
    assert f"count {active:,} active runs (planning, queued or running), as the Runs page does" in card

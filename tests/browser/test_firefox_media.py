"""Issue 13's checks in Firefox ESR too: the index honest when its scripts cannot run (a sandboxed frame) and the
printed view (WebDriver's Print Page, Firefox's own PDF), from file:// with the network trapped."""

from __future__ import annotations

import base64

from selenium.webdriver.common.by import By

from browser.firefox import Firefox
from browser.oracle import Oracle, run_ids
from browser.sites import Site
from browser.test_print import pdf_pages

READY = "document.querySelector('#runs-table[data-state=ready]') !== null"


def test_in_a_sandboxed_frame_the_index_says_what_it_cannot_do(firefox: Firefox, demo: Site) -> None:
    host = demo.root / "sandbox-host-firefox.html"  # inside the site folder, like the Chromium case
    host.write_text(
        '<!doctype html><title>host</title><iframe sandbox src="index.html#tab=failures" width="1200" height="900">'
        "</iframe>"
    )
    driver = firefox.driver
    try:
        firefox.open(demo.url(host.name))
        driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
        note = driver.find_element(By.CSS_SELECTOR, "[data-until-table].note")
        assert note.is_displayed() and "need JavaScript" in note.text
        link = driver.find_element(By.CSS_SELECTOR, ".static-listing a[href]")
        assert link.is_displayed() and (link.get_attribute("href") or "").endswith("list/page-0001.html")
        staleness = driver.find_element(By.CSS_SELECTOR, ".offline-banner .staleness")
        assert staleness.text == "age unknown without JavaScript"
    finally:
        driver.switch_to.default_content()
        host.unlink()
    # The sandbox gives the frame a null principal, which file:// forbids to load the site's files: that is the
    # blocking under test, not a fault of the page, so those reports alone are expected.
    blocked = [e for e in firefox.errors if e.startswith("Security Error: Content at moz-nullprincipal:")]
    assert blocked and len(blocked) == len(firefox.errors), firefox.errors
    firefox.errors.clear()


def test_the_printed_view_has_every_matching_run_and_no_blank_page(
    firefox: Firefox, demo: Site, demo_oracle: Oracle
) -> None:
    firefox.open(demo.url(fragment="tab=all"))
    firefox.wait(READY)
    firefox.js("window.dispatchEvent(new Event('beforeprint'))")
    ids = firefox.js(
        "return Array.from(document.querySelectorAll('.print-view tbody tr[data-run-id]'), r => r.dataset.runId)"
    )
    assert ids == run_ids(demo_oracle.runs_of("tab=all"))
    firefox.js("window.dispatchEvent(new Event('afterprint'))")
    assert firefox.js("return document.querySelectorAll('.print-view').length") == 0
    pages, drawing = pdf_pages(base64.b64decode(firefox.driver.print_page()))
    # Firefox prints on Letter with its own margins: about 25 rows a page (Chromium fits 30 on A4).
    assert pages >= 1 and drawing >= pages and pages <= 2 + len(ids) // 20, (pages, drawing)

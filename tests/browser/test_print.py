"""Printing the workspace (`@media print`): the current view as a plain table with its header, every matching run up
to the print limit, then one line on how many more match and where the full list is, without blank pages.

Checked with Chromium's `page.pdf()`, which fires `beforeprint` and `afterprint` as a real print does; the PDF's
pages are counted and each must draw text (a blank page draws none).
"""

from __future__ import annotations

import re
import zlib

import pytest
from playwright.sync_api import Page

from browser.conftest import Opener, Workspace
from browser.oracle import Oracle, run_ids
from browser.sites import Site

PAGE = re.compile(rb"/Type\s*/Page(?!s)")
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_pages(pdf: bytes) -> tuple[int, int]:
    """The PDF's page count, and how many of its content streams draw text (`BT` ... `ET`).

    Page objects are counted in the file and inside compressed object streams (Firefox writes them there).
    """
    drawing, pages = 0, len(PAGE.findall(pdf))
    for raw in STREAM.findall(pdf):
        try:
            content = zlib.decompress(raw)
        except zlib.error:
            continue  # not a Flate stream: fonts and images are not page content here
        pages += len(PAGE.findall(content))
        if re.search(rb"\bBT\b.*?\bET\b", content, re.S):
            drawing += 1
    return pages, drawing


def printed(page: Page) -> tuple[list[str], list[str], str]:
    """Print media on, `beforeprint` fired: the print table's run ids, its header and the closing line."""
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    ids = page.eval_on_selector_all(".print-view tbody tr[data-run-id]", "r => r.map(x => x.dataset.runId)")
    header = page.eval_on_selector_all(".print-view thead th", "h => h.map(x => x.textContent)")
    more = page.inner_text(".print-view .print-more")
    assert page.locator("#runs-table").is_hidden() and page.locator(".print-view").is_visible()
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.locator(".print-view").count() == 0
    return ids, header, more


@pytest.mark.parametrize("fragment", ["tab=failures", "tab=all", "tab=completed&sort=id"])
def test_the_view_prints_every_matching_run(open_page: Opener, demo: Site, demo_oracle: Oracle, fragment: str) -> None:
    page = open_page(demo, fragment=fragment)
    Workspace(page).ready()
    expected = run_ids(demo_oracle.runs_of(fragment))
    ids, header, more = printed(page)
    assert ids == expected
    assert header == ["Run ID", "Tenant", "Trigger", "State", "Created", "Progress", "Deltas"]
    assert "more matching" not in more and "list/page-0001.html" in more and f"index.html#{fragment}" in more
    pages, drawing = pdf_pages(page.pdf(format="A4"))
    assert pages >= 1 and drawing >= pages  # no blank page
    # A4 holds at least 30 one-line rows after the first page's header and banner: no page wasted.
    assert pages <= 2 + len(expected) // 30, pages


def test_past_the_limit_one_line_says_how_many_more_and_where(
    open_page: Opener, demo: Site, demo_oracle: Oracle
) -> None:
    page = open_page(demo, fragment="tab=all")
    Workspace(page).ready()
    page.evaluate("document.getElementById('runs-table').setAttribute('data-print-rows', '100')")
    ids, _, more = printed(page)
    everything = run_ids(demo_oracle.runs_of("tab=all"))
    assert ids == everything[:100]
    assert more.startswith(f"{len(everything) - 100} more matching runs are not printed.")
    assert "static listing (list/page-0001.html)" in more
    pages, drawing = pdf_pages(page.pdf(format="A4"))
    assert drawing >= pages and pages <= 2 + 100 // 30

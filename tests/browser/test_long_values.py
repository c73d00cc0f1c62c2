"""Long values render: a 600-character unbroken id, error message, initiator or log line never widens a page
(issue 12). Each token wraps or is cut with an ellipsis, and its full text stays in the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SnapshotBuilder, run_record
from playwright.sync_api import Page

from browser.conftest import Opener
from browser.sites import MANAGE_SCOPES, Site, build

WIDE = 1440
LONG = "x" * 600
LONG_ID = "run:acme:20261120T020000Z:" + "f" * 574


@pytest.fixture
def long_site(snapshot: SnapshotBuilder, tmp_path: Path) -> Site:
    runs = snapshot.records("runs.ndjson")
    runs.append(
        run_record(
            9,
            id=LONG_ID,
            state="error",
            initiator="user:" + LONG,
            correlationId="c-" + LONG,
            policyRevision="P-" + LONG,
            error={"code": "ERR_RUN_005", "message": "timeout:" + LONG},
            retryOf=runs[0]["id"],
        )
    )
    snapshot.write_records("runs.ndjson", runs)
    segments = snapshot.records("segments.ndjson")
    segments.append(
        {
            **segments[0],
            "runId": LONG_ID,
            "id": "seg-" + LONG,
            "executor": "exec-" + LONG,
            "state": "error",
            "error": {"code": "ERR_RUN_005", "message": "m:" + LONG},
        }
    )
    snapshot.write_records("segments.ndjson", segments)
    logs = snapshot.records("logs.ndjson")
    logs.append(
        {
            **logs[0],
            "runId": LONG_ID,
            "message": "log:" + LONG,
            "correlationId": LONG,
            "fields": {"k" + LONG: "v" + LONG},
        }
    )
    snapshot.write_records("logs.ndjson", logs)
    snapshot.sign()
    return build(snapshot.root, snapshot.key.public, tmp_path / "site", MANAGE_SCOPES)


def _page_path(site: Site, run_id: str) -> str:
    """The run's page, found by its `<main data-run-id>` (the name is a slug of the id)."""
    marker = f'data-run-id="{run_id}"'
    (found,) = [p for p in (site.root / "runs").rglob("*.html") if marker in p.read_text(encoding="utf-8")]
    return found.relative_to(site.root).as_posix()


def _open_wide(open_page: Opener, site: Site, path: str) -> Page:
    page = open_page(site, path="")
    page.set_viewport_size({"width": WIDE, "height": 900})
    page.goto(site.url(path))
    return page


def test_a_run_page_with_600_character_tokens_is_no_wider_than_the_window(open_page: Opener, long_site: Site) -> None:
    page = _open_wide(open_page, long_site, _page_path(long_site, LONG_ID))
    page.wait_for_selector("main[data-run-id]")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
    # Nothing is lost: the full texts are in the page (wrapped or in a title).
    html = page.content()
    for text in (LONG_ID, "timeout:" + LONG, "user:" + LONG, "log:" + LONG, "seg-" + LONG):
        assert text in html, text[:20]


@pytest.mark.parametrize("path", ["index.html", "evidence.html", "verification.html", "list/page-0001.html"])
def test_other_pages_with_600_character_tokens_are_no_wider_than_the_window(
    open_page: Opener, long_site: Site, path: str
) -> None:
    page = _open_wide(open_page, long_site, path)
    page.wait_for_load_state("load")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths

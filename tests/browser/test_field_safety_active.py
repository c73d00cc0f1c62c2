"""Finding 3: snapshot content became active. Evidence named .html/.svg/.xhtml/.xml kept its extension, its
Download link navigated on file:// (the download attribute is ignored there), its script ran and reached out; runbook
links and images could point at /etc/passwd or ../../../../etc/hostname. Here, in Chromium and in Firefox ESR from
file:// with the network blocked: every snapshot file downloads instead of rendering, no script of it runs, no
request leaves, and every runbook link or image stays inside the site."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SnapshotBuilder
from hostile import HOSTILE_EVIDENCE, PWNED, add_hostile_content
from playwright.sync_api import Error as PlaywrightError
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.names import slug

from browser.conftest import Opener
from browser.firefox import Firefox
from browser.sites import Site

SCOPES = frozenset({"runs.read", "policy:runs", "downloads.read"})
LINKS = "Array.from(document.querySelectorAll('a[href], img[src]'), e => e.href || e.src)"


@pytest.fixture
def hostile_site(snapshot: SnapshotBuilder, tmp_path: Path) -> Site:
    add_hostile_content(snapshot)
    output = tmp_path / "site"
    options = BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=output, scopes=SCOPES)
    build_site(options)
    return Site(output, snapshot.root)


def _snapshot_files(site: Site) -> dict[str, Path]:
    """Each hostile evidence item's file in the site (found by its slug), plus the attestation."""
    found = {}
    evidence = [p for p in (site.root / "evidence").rglob("*") if p.is_file()]  # in shard folders
    for item_id in HOSTILE_EVIDENCE:
        (copy,) = [p for p in evidence if p.name.startswith(slug(item_id) + ".") and ".dsse" not in p.name]
        found[item_id] = copy
    (attestation,) = [p for p in evidence if p.name.startswith(f"{slug('ev-noext')}.dsse")]
    found["attestation"] = attestation
    return found


def test_evidence_is_stored_under_an_inert_name(hostile_site: Site) -> None:
    for item_id, copy in _snapshot_files(hostile_site).items():
        assert copy.suffix == ".bin", copy.name
        if item_id in HOSTILE_EVIDENCE:
            assert copy.read_bytes() == HOSTILE_EVIDENCE[item_id][2]  # stored byte for byte, only renamed


def test_chromium_downloads_evidence_and_runs_none_of_it(open_page: Opener, hostile_site: Site) -> None:
    page = open_page(hostile_site, "evidence.html")
    title = page.title()
    files = _snapshot_files(hostile_site)
    links = page.locator("a[download]")
    hrefs = [str(h) for h in links.evaluate_all("as => as.map(a => a.href)")]
    for copy in files.values():
        url = copy.as_uri()
        assert url in hrefs, url
        with page.expect_download() as clicked:  # as an operator clicks "Download"
            page.locator(f'a[download][href$="{copy.name}"]').first.click()
        assert Path(str(clicked.value.path())).read_bytes() == copy.read_bytes()
        opened = page.context.new_page()  # and as one opens the file itself (a bookmark, a double-click)
        with opened.expect_download() as direct:
            try:
                opened.goto(url)
            except PlaywrightError as error:  # "Download is starting": the navigation became a download
                assert "download" in str(error).lower(), error
        assert Path(str(direct.value.path())).read_bytes() == copy.read_bytes()
        opened.close()
    assert page.title() == title
    assert all(PWNED not in p.title() for p in page.context.pages)
    # The open_page fixture then fails the test on any request that left the folder (the canary host included),
    # console error or CSP violation.


def test_chromium_runbook_links_and_images_stay_inside_the_site(open_page: Opener, hostile_site: Site) -> None:
    page = open_page(hostile_site, "runbooks/ERR_RUN_005.html")
    urls = [str(u) for u in page.evaluate(LINKS)]
    assert urls and all(u.startswith(hostile_site.prefix) for u in urls), urls
    text = page.locator("main").inner_text()
    for shown in (
        "[passwd](/etc/passwd)",
        "[hostname](../../../../etc/hostname)",
        "![img](../../../../etc/hostname.png)",
    ):
        assert shown in text  # the Markdown, as plain text
    assert page.locator("main a", has_text="inside").count() == 1  # a link inside the site still works


def _download_started(folder: Path, before: set[Path]) -> Path:
    """The new entry of the download folder: the file, or its `.part` while headless Firefox waits to be told where
    to save an octet-stream. None within a generous while means the browser opened the file instead."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = [p for p in folder.iterdir() if p not in before]
        if new:
            return new[0]
        time.sleep(0.05)
    raise AssertionError(f"no download in {folder}: the browser opened the file instead")


@pytest.fixture
def firefox_alone(tmp_path: Path) -> Iterator[Firefox]:
    """A Firefox of this test's own, set up as the `firefox` fixture's: headless Firefox leaves an octet-stream
    download pending (`.part`) while it would ask where to save it, which must not reach the session's browser
    and its download folder."""
    (tmp_path / "downloads").mkdir()
    firefox = Firefox(tmp_path / "downloads")
    try:
        yield firefox
        assert firefox.errors == [], firefox.errors
    finally:
        firefox.close()


def test_firefox_downloads_evidence_and_runs_none_of_it(firefox_alone: Firefox, hostile_site: Site) -> None:
    firefox = firefox_alone
    firefox.open(hostile_site.url("evidence.html"))
    page_url = firefox.js("return location.href")
    title = firefox.js("return document.title")
    files = _snapshot_files(hostile_site)
    hrefs = firefox.js("return Array.from(document.querySelectorAll('a[download]'), a => a.href)")
    for copy in files.values():
        url = copy.as_uri()
        assert url in hrefs, url
        before = set(firefox.downloads.iterdir())
        firefox.js("document.querySelector(arguments[0]).click()", f'a[download][href$="{copy.name}"]')
        assert _download_started(firefox.downloads, before).name.endswith((".bin", ".bin.part"))
        before = set(firefox.downloads.iterdir())
        firefox.js("location.href = arguments[0]", url)  # opening the file itself, as a bookmark would
        assert _download_started(firefox.downloads, before).name.endswith((".bin", ".bin.part"))
        # Still the evidence page: neither the click nor the navigation rendered the file.
        assert firefox.js("return [location.href, document.title]") == [page_url, title]
    assert PWNED not in firefox.js("return document.title")
    assert firefox.trap.seen("snapsite-canary") == []


def test_firefox_runbook_links_and_images_stay_inside_the_site(firefox: Firefox, hostile_site: Site) -> None:
    firefox.open(hostile_site.url("runbooks/ERR_RUN_005.html"))
    urls = firefox.js(f"return {LINKS}")
    assert urls and all(str(u).startswith(hostile_site.prefix) for u in urls), urls
    assert "[passwd](/etc/passwd)" in firefox.js("return document.querySelector('main').textContent")
    assert firefox.trap.seen("snapsite-canary") == []

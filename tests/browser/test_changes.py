"""The `changes` tab of a `--since` build (site contract), in Chromium and Firefox ESR from file://: its rows and
their `data-change` / `data-state-before`, its count, and the other filters applied within it, against the pair's
known changes (tests/pairs.py) and the oracle's reading of the other filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from pairs import PUB, Pair, make_pair
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions

from browser.conftest import Opener, Workspace
from browser.firefox import Firefox
from browser.oracle import Oracle, run_ids, visible
from browser.sites import Site

ROWS_JS = """rows => rows.map(r => [r.dataset.runId, r.dataset.change || null, r.dataset.stateBefore || null])"""


@dataclass(frozen=True)
class SinceSite:
    site: Site
    pair: Pair
    oracle: Oracle
    rows: dict[str, list[Any]]  # run id -> [kind, state before, resolved by], from data/changes.js

    def expected(self, filters: str = "") -> list[str]:
        """The ids the changes tab shows under `filters`, in order: the oracle's runs that are changes."""
        shown = self.oracle.runs_of("tab=all" + (f"&{filters}" if filters else ""))
        changed = {visible(run_id) for run_id in self.rows}
        return [i for i in run_ids(shown) if i in changed]


@pytest.fixture(scope="session")
def since(tmp_path_factory: pytest.TempPathFactory) -> SinceSite:
    folder = tmp_path_factory.mktemp("since")
    pair = make_pair(folder / "pair")
    out = folder / "site"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out, since=pair.old))
    text = (out / "data" / "changes.js").read_text(encoding="utf-8")
    rows = json.loads(text[text.index("=") + 1 : -2])["rows"]
    return SinceSite(Site(out, pair.new), pair, Oracle(pair.new), rows)


def shown_rows(ws: Workspace) -> list[tuple[str, str | None, str | None]]:
    found = ws.page.eval_on_selector_all("#runs-table tbody tr[data-run-id]", ROWS_JS)
    return [(str(i), c, b) for i, c, b in found]


def test_the_changes_tab_shows_every_change_with_its_kind(open_page: Opener, since: SinceSite) -> None:
    ws = Workspace(open_page(since.site, fragment="tab=changes")).ready()
    assert ws.count() == len(since.rows) == ws.tab_counts()["changes"]
    expected = since.expected()
    rows = shown_rows(ws)
    assert [r[0] for r in rows] == expected[: len(rows)] and len(rows) >= min(15, len(expected))
    for run_id, change, before in rows:
        kind, state_before, _ = since.rows[run_id]
        assert change == kind and before == state_before, run_id
    ws.show(f"tab=changes&q={since.pair.resolved}")
    assert shown_rows(ws) == [(since.pair.resolved, "resolved", "error")]
    ws.show(f"tab=changes&q={since.pair.failed}")
    assert shown_rows(ws) == [(since.pair.failed, "state", "running")]


@pytest.mark.parametrize("filters", ["tenant=acme", "state=error", "tenant=globex&tenant=initech", "trigger=cron"])
def test_other_filters_apply_within_the_changes_tab(open_page: Opener, since: SinceSite, filters: str) -> None:
    ws = Workspace(open_page(since.site, fragment=f"tab=changes&{filters}")).ready()
    expected = since.expected(filters)
    assert ws.count() == len(expected) == ws.tab_counts()["changes"], filters
    assert ws.tab_counts()["all"] == since.oracle.count(f"tab=all&{filters}")
    assert [r[0] for r in shown_rows(ws)] == expected[: len(shown_rows(ws))]


def test_other_tabs_count_as_before_and_link_to_changes(open_page: Opener, since: SinceSite) -> None:
    ws = Workspace(open_page(since.site, fragment="tab=failures")).ready()
    counts = ws.tab_counts()
    assert counts["failures"] == since.oracle.count("tab=failures") and counts["changes"] == len(since.rows)
    ws.page.click('nav.tabs a[data-tab="changes"]')
    ws.page.wait_for_function("location.hash.includes('tab=changes')")
    assert ws.count() == len(since.rows)


def test_a_plain_build_has_no_changes_tab(open_page: Opener, demo: Site) -> None:
    ws = Workspace(open_page(demo, fragment="tab=changes")).ready()
    assert "changes" not in ws.tab_counts()
    assert ws.page.get_attribute('nav.tabs a[data-tab="active"]', "aria-current") == "true"


def test_the_changes_tab_in_firefox(firefox: Firefox, since: SinceSite) -> None:
    firefox.open(since.site.url(fragment="tab=changes&tenant=acme"))
    firefox.wait("document.querySelector('#runs-table[data-state=ready]') !== null")
    count = int(firefox.js("return document.querySelector('[data-testid=\"result-count\"]').textContent"))
    expected = since.expected("tenant=acme")
    assert count == len(expected)
    rows = firefox.js(f"return ({ROWS_JS})(Array.from(document.querySelectorAll('#runs-table tbody tr[data-run-id]')))")
    assert [r[0] for r in rows] == expected[: len(rows)]
    for run_id, change, before in rows:
        assert [change, before] == since.rows[run_id][:2], run_id

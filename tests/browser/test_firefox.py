"""The core of the workspace in Firefox ESR, the other browser of locked-down fleets, from file:// with the network
trapped: every hash view's count, the drawer, the selection's downloads and the manual run form."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from pathlib import Path

from browser.firefox import Firefox
from browser.oracle import Oracle, run_ids, sample_views, visible
from browser.sites import Site

READY = "document.querySelector('#runs-table[data-state=ready]') !== null"


def show(firefox: Firefox, fragment: str) -> None:
    """Set the hash as a link would and wait until the table has drawn that view."""
    before = int(firefox.js("return +document.getElementById('runs-table').getAttribute('data-render-seq')"))
    if firefox.js("return location.hash.replace(/^#/, '')") == fragment:
        return
    firefox.js("location.hash = arguments[0]", fragment)
    firefox.wait(f"+document.getElementById('runs-table').getAttribute('data-render-seq') > {before}")


def shown_ids(firefox: Firefox) -> list[str]:
    ids = firefox.js(
        "return Array.from(document.querySelectorAll('#runs-table tbody tr[data-run-id]'), r => r.dataset.runId)"
    )
    return [str(i) for i in ids]


def downloaded(folder: Path, suffix: str, before: set[Path]) -> Path:
    """The one new finished file ending in `suffix` in Firefox's download folder."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        new = [p for p in folder.glob(f"*{suffix}") if p not in before]
        if new and not list(folder.glob("*.part")):
            assert len(new) == 1, new
            return new[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} download in {folder}")


def test_every_hash_view_counts_as_the_oracle_does(firefox: Firefox, demo: Site, demo_oracle: Oracle) -> None:
    firefox.open(demo.url())
    firefox.wait(READY)
    for fragment in sample_views(demo_oracle):
        show(firefox, fragment)
        count = int(firefox.js("return document.querySelector('[data-testid=\"result-count\"]').textContent"))
        assert count == demo_oracle.count(fragment), fragment
        shown = shown_ids(firefox)
        expected = run_ids(demo_oracle.runs_of(fragment))
        assert shown == expected[: len(shown)], fragment
        assert len(shown) == len(expected) or len(shown) >= 15, fragment


def test_a_row_opens_the_drawer(firefox: Firefox, demo: Site, demo_oracle: Oracle) -> None:
    failed = next(r for r in demo_oracle.runs if r.state == "error")
    firefox.open(demo.url(fragment=f"tab=failures&q={failed.id}"))
    firefox.wait(READY)
    assert shown_ids(firefox) == [visible(failed.id)]
    firefox.js("document.querySelector('#runs-table tbody tr[data-run-id] a.run-id').click()")
    firefox.wait("document.querySelector('dialog.drawer [data-section=actions]') !== null")
    sections = firefox.js(
        "return Array.from(document.querySelectorAll('dialog.drawer section[data-section]'), s => s.dataset.section)"
    )
    assert sections == ["summary", "progress", "segments", "deltas", "evidence", "logs", "actions"]
    assert firefox.js("return document.querySelector('dialog.drawer').open") is True
    summary = firefox.js("return document.querySelector('dialog.drawer [data-section=summary]').textContent")
    assert failed.correlation_id in summary


def test_the_selection_downloads_a_csv_of_the_chosen_runs(firefox: Firefox, demo: Site, demo_oracle: Oracle) -> None:
    firefox.open(demo.url(fragment="tab=failures"))
    firefox.wait(READY)
    before = set(firefox.downloads.iterdir())
    firefox.js("document.querySelector('#runs-table thead input.select-all').click()")
    firefox.js("document.querySelector('#selection-bar button[data-selection=\"csv\"]').click()")
    table = downloaded(firefox.downloads, ".csv", before)
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8"), newline="")))
    assert rows[0][:3] == ["id", "slug", "tenantId"]
    listed = {row[0] for row in rows[1:]}
    assert listed == {r.id for r in demo_oracle.runs_of("tab=failures")}


def test_the_manual_run_form_writes_a_request_it_can_check(firefox: Firefox, demo: Site, demo_oracle: Oracle) -> None:
    firefox.open(demo.url("schedules.html"))
    firefox.wait("document.querySelector('#manual-run-generate:not([hidden])') !== null")
    before = set(firefox.downloads.iterdir())
    firefox.js(
        """
        const tenant = document.getElementById('manual-run-tenant');
        tenant.value = tenant.options[1].value;
        tenant.dispatchEvent(new Event('change', {bubbles: true}));
        const kind = document.getElementById('manual-run-scope-kind');
        kind.value = 'vulnerability-ids';
        kind.dispatchEvent(new Event('change', {bubbles: true}));
        document.getElementById('manual-run-scope').value = 'CVE-2026-1234';
        document.getElementById('manual-run-policy').value = 'P-7@12';
        document.getElementById('manual-run-generate').click();
        """
    )
    request = downloaded(firefox.downloads, ".json", before)
    data = request.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert request.name == f"run-request-{digest[:12]}.json"
    body = json.loads(data)
    assert body["snapshotId"] == demo_oracle.manifest.snapshot_id
    assert body["policySnapshot"] == "P-7@12"
    script = downloaded(firefox.downloads, ".sh", before)
    assert f"echo '{digest}  {request.name}' | sha256sum -c -" in script.read_text(encoding="utf-8")

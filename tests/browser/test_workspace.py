"""The Runs workspace on the embedded demo: every URL-hash key against the Python oracle, tabs, sort, the hash as
the view (round trip, back and forward), split view, selection downloads, the drawer and the keyboard."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Download, Page

from browser.conftest import Opener, Workspace
from browser.oracle import Oracle, run_ids, sample_views, visible
from browser.sites import Site


def test_the_static_rows_give_way_to_the_same_rows_drawn_by_script(open_page: Opener, demo: Site) -> None:
    static = open_page(demo, java_script_enabled=False)
    rows = static.locator("#runs-table tbody tr[data-run-id]")
    expected = [rows.nth(i).inner_text().split() for i in range(min(5, rows.count()))]
    page = open_page(demo)
    ws = Workspace(page).ready()
    assert page.locator("#runs-table tbody tr[data-run-id]").count() == ws.count()
    drawn = page.locator("#runs-table tbody tr[data-run-id]")
    # The same six columns, badges, tooltips and links; the script's rows add a selection box.
    assert [drawn.nth(i).inner_text().split() for i in range(len(expected))] == expected
    # The static rows' mouse-only titles are the script's keyboard tooltips (data-tip, on an element with a tab stop).
    for selector in ("a.run-id", ".trigger", ".deltas"):
        drawn_tip = page.locator(f"#runs-table tbody tr >> {selector}").first
        assert static.locator(f"#runs-table tbody tr >> {selector}").first.get_attribute("title") == (
            drawn_tip.get_attribute("data-tip")
        )
        assert drawn_tip.get_attribute("title") is None and drawn_tip.evaluate("e => e.tabIndex") == 0
    assert page.locator("#runs-table tbody tr[data-run-id] input[type=checkbox]").count() == ws.count()


def test_every_hash_key_matches_the_oracle(ws: Workspace, demo_oracle: Oracle) -> None:
    for fragment in sample_views(demo_oracle):
        ws.show(fragment)
        assert ws.count() == demo_oracle.count(fragment), fragment
        assert ws.tab_counts() == demo_oracle.tab_counts(fragment), fragment
        shown = ws.ids()
        expected = run_ids(demo_oracle.runs_of(fragment))
        assert shown == expected[: len(shown)], fragment
        assert len(shown) == len(expected) or len(shown) >= 15, fragment
        scheduled = ws.page.eval_on_selector_all(
            "#scheduled-view tr[data-schedule-id]", "rows => rows.map(r => r.dataset.scheduleId)"
        )
        listed = [s.id for s in demo_oracle.schedules_of(fragment)] if "tab=scheduled" in fragment else []
        assert scheduled == listed, fragment


def test_all_alone_shows_every_run_and_a_missing_tab_means_active(ws: Workspace, demo_oracle: Oracle) -> None:
    ws.show("tab=all")
    assert ws.count() == len(demo_oracle.runs) == 300
    ws.show("q=")
    assert ws.count() == demo_oracle.count("tab=active") > 0
    assert ws.page.get_attribute('nav.tabs a[data-tab="active"]', "aria-current") == "true"


@pytest.mark.parametrize(
    "sort", ["id", "-id", "trigger", "-state", "progressPct", "-durationSeconds", "-newFindings", "createdAt"]
)
def test_sort_by_any_field(ws: Workspace, demo_oracle: Oracle, sort: str) -> None:
    fragment = f"tab=all&sort={sort}"
    ws.show(fragment)
    shown = ws.ids()
    assert len(shown) > 10
    assert shown == run_ids(demo_oracle.runs_of(fragment))[: len(shown)]


def test_sort_headers_toggle_and_say_so(ws: Workspace, demo_oracle: Oracle) -> None:
    ws.show("tab=completed")
    header = ws.page.locator('#runs-table th[data-column="durationSeconds"]')
    before = ws.seq()
    header.locator("button").click()
    ws.wait_render(before)
    assert header.get_attribute("aria-sort") == "descending"
    assert ws.hash() == "tab=completed&sort=-durationSeconds"
    before = ws.seq()
    header.locator("button").click()
    ws.wait_render(before)
    assert header.get_attribute("aria-sort") == "ascending" and ws.hash().endswith("sort=durationSeconds")
    assert ws.ids() == run_ids(demo_oracle.runs_of(ws.hash()))[: len(ws.ids())]
    # One column is sorted; every other sortable header says "none" and shows a cue (issue 14: it used to carry no
    # aria-sort at all, so a screen reader could not tell that it sorts).
    assert ws.page.locator('#runs-table th[aria-sort]:not([aria-sort="none"])').count() == 1
    sortable = ws.page.locator("#runs-table th[data-column]")
    assert sortable.count() == ws.page.locator("#runs-table th[data-column][aria-sort]").count() == 8
    assert ws.page.locator('#runs-table th[aria-sort="none"] .sort-mark').first.inner_text().strip() == "\u2195"


def test_controls_write_the_hash_and_the_hash_sets_the_controls(
    open_page: Opener, demo: Site, demo_oracle: Oracle
) -> None:
    page = open_page(demo)
    ws = Workspace(page).ready()
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    page.click('nav.tabs a[data-tab="all"]')
    assert ws.hash() == "tab=all"
    page.click("#tenant-picker summary")  # tenants are checkboxes in a disclosure: no Ctrl-click
    page.check(f'#filter-tenant input[value="{tenants[0]}"]')
    page.check(f'#filter-tenant input[value="{tenants[2]}"]')
    page.click("#tenant-picker summary")
    page.select_option("#filter-trigger", "cron")
    page.click("#more-filters summary")  # the filters beyond the compact bar
    page.select_option("#filter-severity", "high")
    page.fill("#filter-from", "2026-11-15")
    page.fill("#filter-q", "system")
    page.wait_for_function("() => location.hash.indexOf('q=system') !== -1")
    expected = f"tab=all&tenant={tenants[0]}&tenant={tenants[2]}&trigger=cron&severity=high&from=2026-11-15&q=system"
    assert ws.hash() == expected
    assert ws.count() == demo_oracle.count(expected) > 0
    # The same address in a new page: the same view and controls.
    again = open_page(demo, fragment=expected)
    other = Workspace(again).ready()
    assert other.count() == ws.count() and other.ids() == ws.ids()
    assert again.eval_on_selector_all("#filter-tenant input:checked", "boxes => boxes.map(b => b.value)") == [
        tenants[0],
        tenants[2],
    ]
    assert again.input_value("#filter-trigger") == "cron" and again.input_value("#filter-q") == "system"
    assert again.input_value("#filter-from") == "2026-11-15" and again.input_value("#filter-severity") == "high"
    # Back and forward walk through the views.
    page.go_back()
    page.wait_for_function("() => location.hash.indexOf('q=') === -1")
    without_q = expected.replace("&q=system", "")
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=result-count]').textContent === '{demo_oracle.count(without_q)}'"
    )
    assert page.input_value("#filter-q") == ""
    page.go_back()
    page.wait_for_function("() => location.hash.indexOf('from=') === -1")
    assert page.input_value("#filter-from") == ""
    page.go_forward()
    page.wait_for_function("() => location.hash.indexOf('from=') !== -1")
    assert ws.count() == demo_oracle.count(without_q)
    # Clearing keeps the tab and drops every filter.
    page.click("#filters button[type=reset]")
    assert ws.hash() == "tab=all" and ws.count() == 300


def test_unknown_values_stay_visible_in_the_controls(ws: Workspace) -> None:
    ws.show("tab=all&trigger=teleport&tenant=nobody")
    assert ws.count() == 0
    assert ws.page.input_value("#filter-trigger") == "teleport"
    assert "No runs match" in ws.page.inner_text("#runs-table tbody")


def test_split_view_shows_each_tenant_in_its_own_pane(ws: Workspace, demo_oracle: Oracle) -> None:
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    fragment = f"tab=all&tenant={tenants[0]}&tenant={tenants[1]}&severity=high&split=1"
    ws.show(fragment)
    panes = ws.page.locator("#split-panes section.pane")
    assert panes.count() == 2
    assert ws.page.is_hidden("#runs-table") and ws.page.is_checked("#filter-split")
    for index, tenant in enumerate(tenants[:2]):
        pane = panes.nth(index)
        assert pane.get_attribute("data-tenant") == tenant
        single = f"tab=all&tenant={tenant}&severity=high"
        assert int(pane.locator('[data-testid="pane-count"]').inner_text().replace(",", "")) == demo_oracle.count(
            single
        )
        ids = ws.ids(f'#split-panes section.pane[data-tenant="{tenant}"]')
        assert ids and ids == run_ids(demo_oracle.runs_of(single))[: len(ids)]
    assert ws.count() == demo_oracle.count(fragment.replace("&split=1", ""))
    # One tenant is not a split: a note says so, and the single table comes back.
    ws.show(f"tab=all&tenant={tenants[0]}&split=1")
    assert ws.page.is_visible("#split-note") and ws.page.is_visible("#runs-table")
    ws.show(f"tab=scheduled&tenant={tenants[0]}&tenant={tenants[2]}&split=1")
    for tenant in (tenants[0], tenants[2]):
        rows = ws.page.locator(f'#split-panes section.pane[data-tenant="{tenant}"] tr[data-schedule-id]')
        assert rows.count() == len([s for s in demo_oracle.schedules if s.tenant_id == tenant])


def test_split_view_by_the_controls(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, fragment="tab=all")
    Workspace(page).ready()
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    page.click("#tenant-picker summary")
    for tenant in tenants:
        page.check(f'#filter-tenant input[value="{tenant}"]')
    page.check("#filter-split")
    assert page.locator("#split-panes section.pane").count() == 3
    assert "split=1" in page.evaluate("location.hash")


def _download(page: Page, selector: str) -> Download:
    with page.expect_download() as info:
        page.click(selector)
    return info.value


def test_selection_downloads_csv_and_export_script(
    open_page: Opener, demo: Site, demo_oracle: Oracle, tmp_path: Path
) -> None:
    hostile = next(s for s in demo_oracle.schedules if s.name.startswith("="))
    page = open_page(demo, fragment=f"tab=all&schedule={hostile.id}")
    ws = Workspace(page).ready()
    expected = demo_oracle.runs_of(ws.hash())
    assert expected
    page.check("#runs-table thead input.select-all")
    ws.show("tab=failures")
    boxes = page.locator("#runs-table tbody tr[data-run-id] input.select-run")
    boxes.nth(0).click()
    boxes.nth(3).click(modifiers=["Shift"])  # a range: the first four failures
    failures = demo_oracle.runs_of("tab=failures")[:4]
    chosen = {r.id for r in expected} | {r.id for r in failures}
    assert page.inner_text("#selection-bar [data-selection-count]") == str(len(chosen))

    table = _download(page, '#selection-bar button[data-selection="csv"]')
    assert table.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(table.path()).read_text(encoding="utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "slug", "tenantId"] and "detailFile" not in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == chosen
    for run in expected:
        assert by_id[run.id]["scheduleName"] == "'" + hostile.name  # formula-safe
        assert by_id[run.id]["createdAt"] == run.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for row in body:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)

    script = _download(page, '#selection-bar button[data-selection="script"]')
    text = Path(script.path()).read_text(encoding="utf-8")
    target = tmp_path / script.suggested_filename
    target.write_text(text, encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(target)], capture_output=True).returncode == 0
    lines = text.splitlines()
    assert lines[0] == "#!/bin/sh" and "set -eu" in lines
    commands = [shlex.split(line) for line in lines if line.startswith("stella ")]
    assert {c[3].removeprefix("--run=") for c in commands} == chosen
    assert all(
        c[:3] == ["stella", "runs", "export"] and c[3].startswith("--run=") and c[4:] == ["--bundle"] for c in commands
    )
    page.click('#selection-bar button[data-selection="clear"]')
    assert page.inner_text("#selection-bar [data-selection-count]") == "0"
    assert page.is_disabled('#selection-bar button[data-selection="csv"]')


def test_a_row_opens_the_drawer_with_the_run_sections(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    segments = [json.loads(line) for line in (demo.snapshot / "segments.ndjson").read_bytes().splitlines() if line]
    failing = {s["runId"] for s in segments if s["state"] == "error"}
    # An open failure: a resolved one offers no retry (test_resolved_failures_* below).
    failed = next(
        r for r in demo_oracle.runs if r.state == "error" and r.id in failing and r.id not in demo_oracle.resolved_by
    )
    page = open_page(demo, fragment=f"tab=failures&q={failed.id}")
    ws = Workspace(page).ready()
    assert ws.ids() == [visible(failed.id)]
    link = page.locator("#runs-table tbody tr[data-run-id] a.run-id")
    link.click()
    drawer = page.locator("dialog.drawer")
    drawer.locator('[data-section="actions"]').wait_for()
    assert drawer.evaluate("d => d.open")
    sections = drawer.locator("section[data-section]").evaluate_all("s => s.map(e => e.dataset.section)")
    assert sections == ["summary", "progress", "segments", "deltas", "evidence", "logs", "actions"]
    assert drawer.locator("a.deep-link").get_attribute("href") == f"runs/{demo_oracle.rows[failed.id].slug}.html"
    assert failed.correlation_id in drawer.locator('[data-section="summary"]').inner_text()
    assert drawer.locator("[data-segment-id]").count() > 0
    assert drawer.locator('[data-section="actions"] button[data-copy]').first.is_visible()
    retry = drawer.locator('[data-section="actions"] button[data-copy]').evaluate_all("b => b.map(x => x.dataset.copy)")
    assert f"stella runs retry {shlex.quote('--run=' + failed.id)}" in retry
    # Focus is inside and stays inside; Escape closes and gives focus back to the row.
    assert drawer.evaluate("d => d.contains(document.activeElement)")
    for _ in range(40):
        page.keyboard.press("Tab")
        assert drawer.evaluate("d => d.contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert not drawer.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.classList.contains('run-id')")
    # The keyboard opens it too.
    page.keyboard.press("Enter")
    drawer.locator('[data-section="summary"]').wait_for()
    page.click("dialog.drawer button.drawer-close")
    assert not drawer.evaluate("d => d.open")


def test_keyboard_moves_through_rows_beyond_those_drawn(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    page = open_page(demo, fragment="tab=all")
    ws = Workspace(page).ready()
    expected = run_ids(demo_oracle.runs_of("tab=all"))
    page.locator("#runs-table tbody tr[data-run-id] a.run-id").first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    focused = "document.activeElement.closest('tr').getAttribute('data-run-id')"
    assert page.evaluate(focused) == expected[3]
    page.keyboard.press("End")
    assert page.evaluate(focused) == expected[-1]
    assert expected[0] not in ws.ids()  # drawn rows follow the focus: the first is gone
    page.keyboard.press("Home")
    assert page.evaluate(focused) == expected[0]
    page.keyboard.press("PageDown")
    assert expected.index(page.evaluate(focused)) > 3


def test_resolved_failures_follow_the_open_ones_and_are_counted(ws: Workspace, demo_oracle: Oracle) -> None:
    resolved = demo_oracle.resolved_by
    failures = [r for r in demo_oracle.runs if r.state == "error"]
    assert 0 < len(resolved) < len(failures)  # the demo has both, or this test proves nothing
    ws.show("tab=failures")
    label = ws.page.inner_text("#result-label")
    assert f"{len(resolved)} of them resolved by a retry" in label
    assert ws.page.get_attribute(".result-summary", "aria-live") == "polite"
    shown = ws.ids()
    first = run_ids([r for r in failures if r.id not in resolved])[0]
    assert shown[0] == first
    # Every drawn row carries the contract's attribute exactly when the oracle says it is resolved.
    marks = ws.page.eval_on_selector_all(
        "#runs-table tbody tr[data-run-id]", "rows => rows.map(r => [r.dataset.runId, r.dataset.resolvedBy || null])"
    )
    assert marks and all(by == (resolved.get(rid) and visible(resolved[rid])) for rid, by in marks)
    ws.show("tab=failures&resolved=yes")
    assert ws.count() == len(resolved)
    marks = ws.page.eval_on_selector_all(
        "#runs-table tbody tr[data-run-id]", "rows => rows.map(r => r.dataset.resolvedBy)"
    )
    assert marks and all(marks)
    assert ws.page.locator("#runs-table tbody tr[data-run-id] .badge.resolved").count() == len(marks)
    assert ws.page.input_value("#filter-resolved") == "yes"
    ws.show("tab=failures&resolved=no")
    assert ws.count() == len(failures) - len(resolved)


def test_a_resolved_run_in_the_drawer_offers_no_retry(open_page: Opener, demo: Site, demo_oracle: Oracle) -> None:
    rid, fixer = next(iter(sorted(demo_oracle.resolved_by.items())))
    page = open_page(demo, fragment=f"tab=failures&q={rid}")
    ws = Workspace(page).ready()
    assert ws.ids() == [visible(rid)]
    page.locator("#runs-table tbody tr[data-run-id] a.run-id").click()
    drawer = page.locator("dialog.drawer")
    drawer.locator('[data-section="actions"]').wait_for()
    commands = drawer.locator('[data-section="actions"] button[data-copy]').evaluate_all(
        "b => b.map(x => x.dataset.copy)"
    )
    assert commands and not any(c.startswith("stella runs retry --run") for c in commands)
    run_page = open_page(demo, f"runs/{demo_oracle.rows[rid].slug}.html")
    note = run_page.locator('[data-testid="resolved-by"]')
    assert note.get_attribute("data-resolved-by") == fixer
    note.locator("a").click()
    run_page.wait_for_url(f"**/{demo_oracle.rows[fixer].slug}.html")
    assert run_page.get_attribute("main", "data-run-id") == fixer


def test_clear_resets_the_sort_to_newest_first(ws: Workspace) -> None:
    ws.show("tab=all&sort=id&trigger=cron")
    before = ws.seq()
    ws.page.click('#filters button[type="reset"]')
    ws.wait_render(before)
    assert ws.hash() == "tab=all"
    assert ws.page.locator("#runs-table caption").inner_text().endswith("newest first")

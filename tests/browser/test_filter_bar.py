"""The compact filter bar (issue 14): active filters as removable chips, tenants as checkboxes (no Ctrl-click) that
write repeatable tenant keys, state options that follow the tab, and a skip link to the runs. Counts are checked
against the oracle through the contract's hooks."""

from __future__ import annotations

from browser.conftest import Opener, Workspace
from browser.oracle import Oracle
from browser.sites import Site


def chip_keys(ws: Workspace) -> list[tuple[str, str]]:
    found = ws.page.eval_on_selector_all(
        "#filter-chips button[data-chip-key]", "bs => bs.map(b => [b.dataset.chipKey, b.dataset.chipValue])"
    )
    return [(str(k), str(v)) for k, v in found]


def test_active_filters_show_as_chips_and_each_removes_its_key(ws: Workspace, demo_oracle: Oracle) -> None:
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    fragment = f"tab=all&tenant={tenants[0]}&tenant={tenants[1]}&trigger=cron&severity=high&q=a&sort=id"
    ws.show(fragment)
    assert ws.page.is_visible("#filter-chips")
    assert chip_keys(ws) == [
        ("tenant", tenants[0]),
        ("tenant", tenants[1]),
        ("trigger", "cron"),
        ("severity", "high"),
        ("q", "a"),
    ]
    label = ws.page.get_attribute('#filter-chips button[data-chip-key="severity"]', "aria-label")
    assert label == "Remove filter Severity impact: new high findings"
    # Each chip is a button: pressing it takes its key (or that one tenant) out of the hash; sort stays.
    expected = fragment
    for key, value in [("trigger", "cron"), ("tenant", tenants[0]), ("q", "a")]:
        before = ws.seq()
        ws.page.click(f'#filter-chips button[data-chip-key="{key}"][data-chip-value="{value}"]')
        ws.wait_render(before)
        expected = expected.replace(f"&{key}={value}", "")
        assert ws.hash() == expected
        assert ws.count() == demo_oracle.count(expected)
        assert (key, value) not in chip_keys(ws)
    # The keyboard: focus stays among the chips, and Enter removes the focused one.
    assert ws.page.evaluate("document.activeElement.closest('#filter-chips') !== null")
    while chip_keys(ws):
        before = ws.seq()
        ws.page.keyboard.press("Enter")
        ws.wait_render(before)
    assert ws.hash() == "tab=all&sort=id" and ws.page.is_hidden("#filter-chips")
    assert ws.page.evaluate("document.activeElement.id") == "filter-q"


def test_tenants_are_checkboxes_that_write_repeatable_tenant_keys(
    open_page: Opener, demo: Site, demo_oracle: Oracle
) -> None:
    page = open_page(demo, fragment="tab=all")
    ws = Workspace(page).ready()
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    assert page.locator("#filter-tenant select, select[multiple]").count() == 0
    assert page.is_hidden(f'#filter-tenant input[value="{tenants[0]}"]')  # closed until asked for
    page.click("#tenant-picker summary")
    page.check(f'#filter-tenant input[value="{tenants[2]}"]')
    page.check(f'#filter-tenant input[value="{tenants[0]}"]')
    assert ws.hash() == f"tab=all&tenant={tenants[2]}&tenant={tenants[0]}"
    assert ws.count() == demo_oracle.count(ws.hash())
    # "Side by side" sits with the tenants it splits; the summary names the choice.
    assert page.is_visible("#tenant-picker #filter-split")
    page.check("#filter-split")
    assert page.locator("#split-panes section.pane").count() == 2
    page.uncheck(f'#filter-tenant input[value="{tenants[2]}"]')
    assert ws.hash() == f"tab=all&tenant={tenants[0]}&split=1"
    label = " ".join(page.inner_text(f'#filter-tenant label:has(input[value="{tenants[0]}"])').split())
    assert page.inner_text("#tenant-summary") == label.rsplit(" (", 1)[0].strip()
    # A tenant key in an address ticks its box; one the snapshot lacks gets a box saying so.
    ws.show(f"tab=all&tenant={tenants[1]}&tenant=nobody")
    checked = page.eval_on_selector_all("#filter-tenant input:checked", "bs => bs.map(b => b.value)")
    assert checked == [tenants[1], "nobody"]
    assert "not in this snapshot" in page.inner_text("#filter-tenant li[data-extra]")


def test_state_options_follow_the_tab(ws: Workspace, demo_oracle: Oracle) -> None:
    def offered() -> list[str]:
        return [str(v) for v in ws.page.eval_on_selector_all("#filter-state option", "os => os.map(o => o.value)")]

    ws.show("tab=failures")
    assert offered() == ["", "error"]
    ws.show("tab=completed")
    assert offered() == ["", "cancelled", "completed"]
    ws.show("tab=active")
    assert offered() == ["", "planning", "queued", "running"]
    ws.show("tab=all")
    assert set(offered()) == {"", *{r.state for r in demo_oracle.runs}}
    # A tab link drops a state its tab excludes (Failures + cancelled was always empty) and keeps the rest.
    ws.show("tab=completed&state=cancelled&trigger=cron")
    href = ws.page.get_attribute('nav.tabs a[data-tab="failures"]', "href")
    assert href == "#tab=failures&trigger=cron"
    assert ws.page.get_attribute('nav.tabs a[data-tab="all"]', "href") == "#tab=all&trigger=cron&state=cancelled"
    before = ws.seq()
    ws.page.click('nav.tabs a[data-tab="failures"]')
    ws.wait_render(before)
    assert ws.hash() == "tab=failures&trigger=cron" and ws.page.input_value("#filter-state") == ""
    assert ws.count() == demo_oracle.count("tab=failures&trigger=cron") > 0
    # An address naming an excluded state anyway: the control says so instead of pretending.
    ws.show("tab=failures&state=cancelled")
    assert ws.page.input_value("#filter-state") == "cancelled"
    assert "not on this tab" in ws.page.inner_text("#filter-state option[data-extra]")
    # The Scheduled tab lists schedules: it shows no state as chosen, the run filters are off, and a chip says
    # which keys of the address it does not apply.
    ws.show("tab=scheduled&state=error&q=a")
    assert ws.page.input_value("#filter-state") == "" and ws.page.is_disabled("#filter-state")
    assert ws.page.is_disabled("#filter-trigger") and not ws.page.is_disabled("#filter-q")
    ignored = ws.page.inner_text('#filter-chips button[data-chip-key="state"]')
    assert "not applied to schedules" in ignored
    assert "not applied" not in ws.page.inner_text('#filter-chips button[data-chip-key="q"]')


def test_a_skip_link_leads_to_the_runs(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, fragment="tab=all")
    Workspace(page).ready()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the runs"
    assert page.is_visible("a.skip-link[href='#runs-results']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "runs-results"
    # The next Tab is inside the results: the table's first control, not the header or the filters.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#runs-table') !== null")
    # Other pages have the one skip link to their content; the listing pages too.
    for path in ("schedules.html", "list/page-0001.html"):
        other = open_page(demo, path)
        assert other.eval_on_selector_all("a.skip-link", "ls => ls.map(l => l.getAttribute('href'))") == ["#main"]


def test_the_floating_disclosures_close_like_menus(open_page: Opener, demo: Site) -> None:
    """The tenant picker and More filters close on a click or focus elsewhere, and on Escape (focus back on them)."""
    page = open_page(demo, fragment="tab=all")
    Workspace(page).ready()
    page.click("#tenant-picker summary")
    assert page.evaluate("document.getElementById('tenant-picker').open")
    page.click("h1")
    assert not page.evaluate("document.getElementById('tenant-picker').open")
    page.click("#more-filters summary")
    page.focus("#filter-severity")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('more-filters').open")
    assert page.evaluate("document.activeElement === document.querySelector('#more-filters summary')")
    page.click("#tenant-picker summary")
    page.focus("#filter-q")  # Tab onwards: the picker closes behind
    assert not page.evaluate("document.getElementById('tenant-picker').open")

"""Rows an operator can scan (issue 14): short run ids with the whole id on hover and on keyboard focus, tooltips a
keyboard reaches, two-line cards on a phone, split panes readable at 1440 px, and scrolling regions a keyboard
reaches. Rows are found through the contract's hooks (data-run-id)."""

from __future__ import annotations

import re
from typing import Any

from browser.conftest import Opener, Workspace
from browser.oracle import Oracle
from browser.sites import Site, site_pages

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
CONSOLE_ID = re.compile(r"run:[^:]+:\d{8}T\d{6}Z:([^:]{1,16})")


def short(run_id: str) -> str:
    """The row's short id: a console id's nonce, else the first and last 8 characters of a long id."""
    match = CONSOLE_ID.fullmatch(run_id)
    if match:
        return match.group(1)
    return f"{run_id[:8]}\u2026{run_id[-8:]}" if len(run_id) > 20 else run_id


def tip(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const t = document.getElementById('snapsite-tip');
              if (!t || t.hidden) return {shown: false};
              const b = t.getBoundingClientRect();
              return {shown: true, text: t.textContent, inside: b.left >= 0 && b.right <= innerWidth &&
                      b.top >= 0 && b.bottom <= innerHeight}; }"""
        )
    )


def test_rows_show_short_ids_and_the_whole_id_on_hover_and_on_focus(ws: Workspace, demo_oracle: Oracle) -> None:
    ws.show("tab=all")
    rows = ws.page.locator("#runs-table tbody tr[data-run-id]")
    for i in range(min(10, rows.count())):
        row = rows.nth(i)
        run_id = str(row.get_attribute("data-run-id"))
        link = row.locator("a.run-id")
        assert link.inner_text() == short(run_id), run_id
        assert link.get_attribute("aria-label") == link.get_attribute("data-tip") == run_id
    assert ws.ids() == [r.id for r in demo_oracle.sort(demo_oracle.runs_of("tab=all"), "-createdAt")][: rows.count()]
    first = rows.nth(0)
    run_id = str(first.get_attribute("data-run-id"))
    # Keyboard focus shows the whole id, and the link is described by it; Escape dismisses it.
    ws.page.focus("#filter-q")
    first.locator("a.run-id").focus()
    assert tip(ws.page) == {"shown": True, "text": run_id, "inside": True}
    assert first.locator("a.run-id").get_attribute("aria-describedby") == "snapsite-tip"
    ws.page.keyboard.press("Escape")
    assert tip(ws.page) == {"shown": False}
    # Hover shows it too.
    ws.page.hover(f'#runs-table tr[data-run-id="{run_id}"] a.run-id')
    assert tip(ws.page)["text"] == run_id
    ws.page.mouse.move(0, 0)


def test_every_tooltip_is_reachable_by_keyboard(open_page: Opener, demo: Site) -> None:
    """No mouse-only `title` is left; every element with a tooltip has a tab stop, and Tab onto it shows it."""
    page = open_page(demo, fragment="tab=all")
    Workspace(page).ready()
    for path in ["index.html", "list/page-0001.html", "evidence.html", "verification.html", "schedules.html"]:
        if path != "index.html":
            page.goto(demo.url(path))
        mouse_only = page.evaluate(
            "() => [...document.querySelectorAll('[title]')].filter(e => !e.closest('svg')).map(e => e.outerHTML)"
        )
        assert mouse_only == [], path
        unreachable = page.evaluate(
            "() => [...document.querySelectorAll('[data-tip]')].filter(e => e.tabIndex < 0).map(e => e.outerHTML)"
        )
        assert unreachable == [], path
    page.goto(demo.url("index.html", "tab=all"))
    Workspace(page).ready()
    trigger = page.locator("#runs-table tbody tr[data-run-id] .trigger").first
    # Tab from the run id onto the trigger: its tooltip (schedule and initiator) shows.
    page.locator("#runs-table tbody tr[data-run-id] a.run-id").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('trigger')")
    assert tip(page)["text"] == trigger.get_attribute("data-tip") and tip(page)["text"].startswith("Schedule: ")
    # The header's tenant badges (their ids) too.
    badge = page.locator(".site-header .badge.tenant").first
    badge.focus()
    assert tip(page)["text"] == badge.get_attribute("data-tip")


def test_on_a_phone_each_run_is_a_two_line_card(open_page: Opener, demo: Site) -> None:
    page = open_page(demo, fragment="tab=failures", viewport=PHONE)
    Workspace(page).ready()
    cards = page.evaluate(
        """() => [...document.querySelectorAll('#runs-table tbody tr[data-run-id]')].map(tr => {
              const box = e => e.getBoundingClientRect();
              const id = box(tr.querySelector('a.run-id')), state = box(tr.querySelector('.badge.state'));
              const tenant = box(tr.querySelector('.run-tenant'));
              return {height: box(tr).height, width: box(tr).width, scroll: tr.scrollWidth - tr.clientWidth,
                      firstLine: Math.abs((id.top + id.bottom) / 2 - (state.top + state.bottom) / 2) < 8,
                      secondLine: tenant.top >= id.bottom - 2, right: box(tr).right, stateRight: state.right,
                      idWhole: tr.querySelector('a.run-id').scrollWidth <= tr.querySelector('a.run-id').clientWidth,
                      codeWhole: !tr.querySelector('a.error-code') ||
                        box(tr.querySelector('a.error-code')).right <= box(tr.querySelector('a.error-code')
                          .closest('td')).right + 1};
            })"""
    )
    assert len(cards) >= 10
    heights = {round(c["height"]) for c in cards}
    assert len(heights) == 1 and 40 <= heights.pop() <= 72, cards[:2]  # two lines, one height (the virtual table)
    for card in cards:
        assert card["firstLine"] and card["secondLine"] and card["idWhole"] and card["codeWhole"], card
        assert card["width"] <= PHONE["width"] and card["scroll"] <= 0 and card["stateRight"] <= card["right"], card
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_split_panes_show_id_state_created_and_progress_whole_at_1440(
    open_page: Opener, demo: Site, demo_oracle: Oracle
) -> None:
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    page = open_page(demo, fragment=f"tab=all&tenant={tenants[0]}&tenant={tenants[1]}&split=1", viewport=DESKTOP)
    ws = Workspace(page).ready()
    for fragment in (ws.hash(), f"tab=failures&tenant={tenants[0]}&tenant={tenants[2]}&split=1"):
        ws.show(fragment)
        assert page.locator("#split-panes section.pane").count() == 2
        clipped = page.evaluate(
            """() => {
              const out = [];
              const whole = (el, cell) => {
                const b = el.getBoundingClientRect(), c = cell.getBoundingClientRect();
                return el.scrollWidth <= el.clientWidth + 1 && b.left >= c.left - 1 && b.right <= c.right + 1 &&
                       b.width > 0;
              };
              for (const tr of document.querySelectorAll('#split-panes tr[data-run-id]')) {
                const box = tr.getBoundingClientRect();
                if (box.top < 0 || box.bottom > innerHeight) continue;
                const parts = {id: tr.querySelector('a.run-id'), state: tr.querySelector('.badge.state'),
                               created: tr.querySelector('time'),
                               progress: tr.querySelector('.progress-cell .num')};
                for (const [name, el] of Object.entries(parts)) {
                  if (!whole(el, el.closest('td, th'))) out.push(`${tr.dataset.runId} ${name}: ${el.textContent}`);
                }
                const code = tr.querySelector('a.error-code');
                if (code && !whole(code, code.closest('td'))) out.push(`${tr.dataset.runId} code`);
              }
              return out;
            }"""
        )
        assert clipped == [], fragment
        assert page.locator("#split-panes tr[data-run-id]").count() >= 10


def test_scrolling_regions_are_reachable_by_keyboard_on_every_page(open_page: Opener, demo: Site) -> None:
    """axe's scrollable-region-focusable, at phone width where most things scroll: a region that scrolls either has a
    tab stop or holds one."""
    page = open_page(demo, "", viewport=PHONE)
    for path in site_pages(demo):
        target, _, fragment = path.partition("#")
        page.goto(demo.url(target, fragment))
        if target == "index.html":
            Workspace(page).ready()
        unreachable = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => {
                  const s = getComputedStyle(e);
                  const scrolls = (e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(s.overflowX)) ||
                                  (e.scrollHeight > e.clientHeight + 1 && /auto|scroll/.test(s.overflowY));
                  if (!scrolls || e.getBoundingClientRect().width === 0) return false;
                  const stop = 'a[href], button, input, select, textarea, summary, [tabindex]';
                  return !(e.matches(stop) && e.tabIndex >= 0) && !e.querySelector(stop);
                }).map(e => `${e.tagName}.${e.className}`)"""
        )
        assert unreachable == [], path

"""The filter bar and rows of issue 14 in Firefox ESR, from file:// with the network trapped: chips that remove their
key, tenant checkboxes writing repeatable tenant keys, state options that follow the tab, and short run ids whose
whole id shows on keyboard focus."""

from __future__ import annotations

from browser.firefox import Firefox
from browser.oracle import Oracle
from browser.sites import Site

READY = "document.querySelector('#runs-table[data-state=ready]') !== null"
SEQ = "+document.getElementById('runs-table').getAttribute('data-render-seq')"


def act(firefox: Firefox, script: str, *args: object) -> None:
    """Run `script` and wait until the table has drawn the view it led to."""
    before = int(firefox.js(f"return {SEQ}"))
    firefox.js(script, *args)
    firefox.wait(f"{SEQ} > {before}")


def current_hash(firefox: Firefox) -> str:
    return str(firefox.js("return location.hash.replace(/^#/, '')"))


def count(firefox: Firefox) -> int:
    return int(firefox.js("return document.querySelector('[data-testid=\"result-count\"]').textContent"))


def test_tenant_boxes_and_chips_write_and_remove_hash_keys(firefox: Firefox, demo: Site, demo_oracle: Oracle) -> None:
    tenants = sorted({r.tenant_id for r in demo_oracle.runs})
    firefox.open(demo.url(fragment="tab=all&trigger=cron"))
    firefox.wait(READY)
    firefox.js("document.querySelector('#tenant-picker summary').click()")
    for tenant in (tenants[1], tenants[0]):
        act(firefox, 'document.querySelector(`#filter-tenant input[value="${arguments[0]}"]`).click()', tenant)
    expected = f"tab=all&tenant={tenants[1]}&tenant={tenants[0]}&trigger=cron"
    assert current_hash(firefox) == expected and count(firefox) == demo_oracle.count(expected)
    chips = firefox.js(
        "return Array.from(document.querySelectorAll('#filter-chips button'), b => b.dataset.chipKey + '=' +"
        " b.dataset.chipValue)"
    )
    assert chips == [f"tenant={tenants[1]}", f"tenant={tenants[0]}", "trigger=cron"]
    act(firefox, "document.querySelector('#filter-chips button[data-chip-key=\"trigger\"]').click()")
    assert current_hash(firefox) == f"tab=all&tenant={tenants[1]}&tenant={tenants[0]}"
    act(firefox, f"document.querySelector('#filter-chips button[data-chip-value=\"{tenants[1]}\"]').click()")
    assert current_hash(firefox) == f"tab=all&tenant={tenants[0]}"
    assert count(firefox) == demo_oracle.count(f"tab=all&tenant={tenants[0]}")


def test_state_options_follow_the_tab(firefox: Firefox, demo: Site, demo_oracle: Oracle) -> None:
    firefox.open(demo.url(fragment="tab=completed&state=cancelled"))
    firefox.wait(READY)
    options = "return Array.from(document.querySelectorAll('#filter-state option'), o => o.value)"
    assert firefox.js(options) == ["", "cancelled", "completed"]
    act(firefox, "document.querySelector('nav.tabs a[data-tab=\"failures\"]').click()")
    assert current_hash(firefox) == "tab=failures" and firefox.js(options) == ["", "error"]
    assert count(firefox) == demo_oracle.count("tab=failures")
    act(firefox, "location.hash = 'tab=scheduled&state=error'")
    assert firefox.js(
        "return [document.getElementById('filter-state').value, document.getElementById('filter-state').disabled]"
    ) == ["", True]


def test_short_ids_show_the_whole_id_on_keyboard_focus(firefox: Firefox, demo: Site) -> None:
    firefox.open(demo.url(fragment="tab=all"))
    firefox.wait(READY)
    row = firefox.js(
        "const tr = document.querySelector('#runs-table tbody tr[data-run-id]');"
        "const a = tr.querySelector('a.run-id'); a.focus();"
        "const tip = document.getElementById('snapsite-tip');"
        "return [tr.dataset.runId, a.textContent, a.getAttribute('aria-label'), tip && !tip.hidden && tip.textContent]"
    )
    run_id, text, label, shown = row
    assert text != run_id and run_id.endswith(text) and label == run_id and shown == run_id

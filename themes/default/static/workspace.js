/* snapsite default theme: the Runs workspace (index.html), wiring the page to the parts the scripts before it
 * define (Snapsite.workspace): runs-loader.js fills a runs-data.js store, url-state.js reads and writes the view in
 * the URL hash, filters.js picks the runs, virtual-table.js draws them with run-row.js, drawer.js shows one, and
 * selection.js makes the files of the selected ones.
 *
 * Tabs, filters, sort and search live in the hash (see url-state.js and filters.js). This theme adds one key:
 * split=1 with two or more tenant keys shows each of those tenants in its own pane, side by side, each with its
 * own table and count. The drawer is a link too (site contract): `run=<id>` opens it, opening adds a history
 * entry with `run`, and closing takes it out again (Back closes it). Everything the page changes is in one
 * object, `ui`.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { format, app, urlState, filterBar, filters, runRow, selection, drawer } = Snapsite;
  const { VirtualTable, frame } = Snapsite.virtualTable;
  const { h, clear, closest } = app;
  const { safeClass, humanTime, parseTime, groupDigits } = format;
  const doc = document;

  /** @typedef {import("./runs-data.js").RunStore} RunStore */
  /** @typedef {import("./runs-data.js").Schedule} Schedule */
  /** @typedef {import("./url-state.js").ViewState} ViewState */
  /** @typedef {import("./filters.js").RunsResult} RunsResult */
  /** @typedef {import("./virtual-table.js").VirtualTable} Table */
  /** @typedef {import("./run-row.js").RunRowElement} RunRowElement */
  /**
   * One tenant's pane of a split view.
   * @typedef {{ tenant: string, scheduled: boolean, count: HTMLElement, box: HTMLElement, view: Table | null }} Pane
   */

  const found = doc.getElementById("runs-table");
  if (!(found instanceof HTMLTableElement) || !found.tBodies.length) {
    return;
  }
  const table = found;

  /** @type {Record<string, string>} */
  const TAB_LABELS = {
    active: "Active",
    completed: "Completed",
    scheduled: "Scheduled",
    failures: "Failures",
    all: "All",
    changes: "Changed"
  };
  /** @type {Record<string, string>} */
  const RUN_NOUNS = {
    active: "active runs",
    completed: "completed runs",
    failures: "failed runs",
    all: "runs",
    changes: "runs new or changed since the older snapshot"
  };
  // A `--since` build has a changes tab (and data/changes.js, loaded before this script); others do not.
  const TABS = doc.querySelector('nav.tabs a[data-tab="changes"]') ? urlState.SINCE_TABS : urlState.TABS;
  const TYPING_BURST_MS = 1000;
  const NAV_KEYS = ["ArrowDown", "ArrowUp", "PageDown", "PageUp", "Home", "End"];
  const NONE = new Uint32Array(0);

  /** The page's elements (any but the table may be missing from a theme that overrides index.html). */
  const els = {
    table,
    mainWrap: /** @type {HTMLElement} */ (table.parentNode),
    section: closest(table, "section") || doc.body,
    form: /** @type {HTMLFormElement | null} */ (doc.getElementById("filters")),
    count: doc.querySelector('[data-testid="result-count"]'),
    countShown: doc.getElementById("result-count-shown"),
    label: doc.getElementById("result-label"),
    status: doc.getElementById("runs-status"),
    selectionBar: doc.getElementById("selection-bar"),
    splitField: doc.getElementById("split-field"),
    splitBox: /** @type {HTMLInputElement | null} */ (doc.getElementById("filter-split")),
    splitNote: doc.getElementById("split-note"),
    panes: doc.getElementById("split-panes"),
    scheduled: doc.getElementById("scheduled-view"),
    scheduleSelect: /** @type {HTMLSelectElement | null} */ (doc.getElementById("schedule-select")),
    chips: doc.getElementById("filter-chips"),
    tenantSummary: doc.getElementById("tenant-summary"),
    tabs: doc.querySelector("nav.tabs")
  };

  /** Everything the workspace changes as it runs. */
  const ui = {
    /** @type {ViewState} the view the hash names */
    view: urlState.parse(window.location.hash, TABS),
    /** the hash as the page last wrote or read it (a hashchange to it is the page's own) */
    lastHash: window.location.hash.replace(/^#/, ""),
    /** until when typing in the search box replaces the history entry instead of adding one */
    typingUntil: 0,
    /** renders so far (data-render-seq, for tests) */
    seq: 0,
    /** @type {RunStore | null} */
    runs: null,
    /** @type {Table | null} */
    mainView: null,
    /** @type {Pane[]} */
    panes: [],
    /** @type {{ view: Table, pos: number } | null} where a shift-click range starts */
    anchor: null,
    resizeQueued: false,
    /** whether the open drawer's history entry is the page's own (closing then goes Back instead of replacing) */
    drawerPushed: false,
    /** the run id of the hash that was not found in the data (reported once) */
    missingRun: ""
  };

  /** @param {string} message */
  function setStatus(message) {
    if (els.status) {
      els.status.hidden = false;
      els.status.textContent = message;
    }
  }

  /** @param {string} message */
  function fail(message) {
    table.setAttribute("data-state", "error");
    setStatus(message);
  }

  /** @param {ViewState} view */
  function sortOf(view) {
    return urlState.sortOf(view, ui.runs ? ui.runs.fields : []);
  }

  /* --- the tables ------------------------------------------------------------------------------------------ */

  /**
   * Turn a static table into the script's: a selection column, sort buttons, fixed column widths.
   * @param {HTMLTableElement} tableEl
   * @param {string} paneLabel
   */
  function headerCells(tableEl, paneLabel) {
    const head = /** @type {HTMLTableSectionElement} */ (tableEl.tHead);
    const row = clear(head.rows[0]);
    const all = h("input", {
      type: "checkbox",
      class: "select-all",
      "aria-label": `Select every run ${paneLabel ? `of ${paneLabel} ` : ""}matching the filters`
    });
    row.appendChild(h("th", { scope: "col", class: "select" }, [h("span", { class: "visually-hidden" }, "Select"), all]));
    for (const column of runRow.COLUMNS) {
      row.appendChild(
        h("th", { scope: "col", "data-column": column.sort }, [
          h("button", { type: "button", class: "sort", "data-sort": column.sort }, [
            column.label,
            h("span", { class: "sort-mark", "aria-hidden": "true" })
          ])
        ])
      );
    }
    const cols = h("colgroup", null, [
      h("col", { class: "c-select" }),
      ...runRow.COLUMNS.map((column) => h("col", { class: column.cls }))
    ]);
    const old = tableEl.querySelector("colgroup");
    if (old) {
      tableEl.removeChild(old);
    }
    tableEl.insertBefore(cols, head);
    tableEl.classList.add("vt");
  }

  /**
   * @param {string} caption
   * @param {string} paneLabel
   */
  function runsTableElement(caption, paneLabel) {
    const tableEl = h("table", { class: "runs vt" }, [h("caption", null, caption), h("thead", null, h("tr")), h("tbody")]);
    headerCells(tableEl, paneLabel);
    return tableEl;
  }

  /**
   * A virtual table over `tableEl` drawing rows of the runs store.
   * @param {HTMLTableElement} tableEl
   * @param {string} emptyText
   */
  function virtualTable(tableEl, emptyText) {
    const runs = /** @type {RunStore} */ (ui.runs);
    return new VirtualTable(
      tableEl,
      emptyText,
      (run) => runRow.build(runs, run),
      (run) => runs.selected[run] === 1
    );
  }

  /** @param {ViewState} view */
  function sortCaption(view) {
    const sort = sortOf(view);
    if (sort.field === "createdAt") {
      return sort.desc ? "newest first" : "oldest first";
    }
    const column = runRow.COLUMNS.find((c) => c.sort === sort.field);
    return `sorted by ${column ? column.label : sort.field}${sort.desc ? ", descending" : ", ascending"}`;
  }

  /** @param {ViewState} view */
  function runsCaption(view) {
    return view.tab === "all" ? "All runs" : view.tab === "failures" ? "Failed runs" : `${TAB_LABELS[view.tab]} runs`;
  }

  /**
   * The Scheduled tab's table.
   * @param {Schedule[]} list
   * @param {string} caption
   */
  function scheduleTable(list, caption) {
    const runs = /** @type {RunStore} */ (ui.runs);
    const rows = list.map((s) => {
      /** @type {(Node | string)[]} */
      let next;
      if (s.nextRun) {
        next = [h("time", { datetime: s.nextRun }, humanTime(parseTime(s.nextRun)))];
      } else if (s.problem) {
        next = [h("span", { class: "badge schedule-problem" }, s.problem)];
      } else {
        next = [s.status === "disabled" ? "none (disabled)" : "none while paused"];
      }
      if (s.status === "paused" && s.earliestAfterResume) {
        next.push(h("span", { class: "muted line" }, `earliest after resume: ${humanTime(parseTime(s.earliestAfterResume))}`));
      }
      return h("tr", { "data-schedule-id": s.id, "data-status": s.status }, [
        h("th", { scope: "row" }, [s.name, h("code", { class: "muted line" }, s.id)]),
        h("td", null, [runs.tenantName(s.tenantId), h("span", { class: "muted line" }, s.tenantId)]),
        h("td", null, [h("code", null, s.cron), h("span", { class: "muted line" }, s.timezone)]),
        h("td", null, h("span", { class: `badge schedule-status status-${safeClass(s.status)}` }, s.status)),
        h("td", null, next)
      ]);
    });
    if (!rows.length) {
      rows.push(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No schedules match.")));
    }
    const headers = ["Schedule", "Tenant", "Cron and time zone", "Status", "Next run"];
    return h(
      "div",
      { class: "table-wrap", tabindex: "0" }, // keyboard access when it scrolls (phones)
      h("table", { class: "schedules-tab" }, [
        h("caption", null, caption),
        h("thead", null, h("tr", null, headers.map((label) => h("th", { scope: "col" }, label)))),
        h("tbody", null, rows)
      ])
    );
  }

  /* --- rendering the view ---------------------------------------------------------------------------------- */

  /** The tables on show: the panes' when split, else the main one unless the Scheduled tab hides it. */
  function viewsShown() {
    if (ui.panes.length && els.panes && !els.panes.hidden) {
      return ui.panes.flatMap((pane) => (pane.view ? [pane.view] : []));
    }
    return els.mainWrap.hidden || !ui.mainView ? [] : [ui.mainView];
  }

  /** Measure the shown tables (before a change writes to the DOM: see VirtualTable); a table never measured yet
   * measures itself once it has rows. */
  function measureViews() {
    for (const view of viewsShown()) {
      if (view.head) {
        view.measure();
      }
    }
  }

  function splitTenants() {
    return ui.view.split && ui.view.tenants.length >= 2 ? ui.view.tenants : null;
  }

  /** @param {boolean} keepScroll */
  function render(keepScroll) {
    const runs = ui.runs;
    const mainView = ui.mainView;
    if (!runs || !mainView) {
      return;
    }
    const view = ui.view;
    measureViews();
    const result = filters.filterRuns(runs, view);
    const schedules = filters.filterSchedules(runs.meta.schedules || [], view);
    const scheduled = view.tab === "scheduled";
    /** @type {Record<string, number>} */
    const counts = {
      active: result.counts[0],
      completed: result.counts[1],
      failures: result.counts[2],
      changes: result.changed,
      all: result.total,
      scheduled: schedules.length
    };
    if (els.count) {
      const shown = scheduled ? schedules.length : result.n;
      els.count.textContent = String(shown); // the contract's hook: the plain integer
      if (els.countShown) {
        els.countShown.textContent = groupDigits(shown); // what the eye reads: one number format everywhere
      }
    }
    if (els.label) {
      els.label.textContent = scheduled
        ? `schedules${view.tenants.length || view.schedule || view.q ? " match the filters." : "."}`
        : view.tab === "failures" && result.resolvedFailures
          ? `${RUN_NOUNS[view.tab]} match the filters; ${result.resolvedFailures} of them resolved by a retry that ` +
            "completed (open failures first)."
          : `${RUN_NOUNS[view.tab]} match the filters.`;
    }
    for (const link of doc.querySelectorAll("nav.tabs a[data-tab]")) {
      const key = link.getAttribute("data-tab") || "";
      const badge = link.querySelector(".count");
      if (badge && Object.hasOwn(counts, key)) {
        badge.textContent = groupDigits(counts[key]);
      }
      const target = filterBar.retab(view, /** @type {ViewState["tab"]} */ (key));
      link.setAttribute("href", `#${urlState.serialize(target)}`);
      if (key === view.tab) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    }
    const sort = sortOf(view);
    for (const header of doc.querySelectorAll("table.vt th[data-column]")) {
      const mark = /** @type {HTMLElement} */ (header.querySelector(".sort-mark"));
      if (header.getAttribute("data-column") === sort.field) {
        header.setAttribute("aria-sort", sort.desc ? "descending" : "ascending");
        mark.textContent = sort.desc ? " \u25bc" : " \u25b2";
      } else {
        // Every sortable header says it is sortable (site contract hooks, issue 14), with a visible cue.
        header.setAttribute("aria-sort", "none");
        mark.textContent = " \u2195";
      }
    }

    const paneTenants = splitTenants();
    if (els.splitNote) {
      els.splitNote.hidden = !(view.split && !paneTenants);
    }
    const panesEl = /** @type {HTMLElement} */ (els.panes);
    const scheduledEl = /** @type {HTMLElement} */ (els.scheduled);
    if (paneTenants) {
      els.mainWrap.hidden = true;
      scheduledEl.hidden = true;
      panesEl.hidden = false;
      clear(scheduledEl);
      mainView.show(NONE, 0, false);
      renderPanes(paneTenants, result, schedules, keepScroll);
    } else {
      panesEl.hidden = true;
      clearPanes();
      els.mainWrap.hidden = scheduled;
      scheduledEl.hidden = !scheduled;
      clear(scheduledEl);
      if (scheduled) {
        mainView.show(NONE, 0, false);
        scheduledEl.appendChild(scheduleTable(schedules, "Schedules: the next run of each, or why there is none"));
      } else {
        /** @type {HTMLTableCaptionElement} */ (table.caption).textContent = `${runsCaption(view)}, ${sortCaption(view)}`;
        mainView.show(result.order, result.n, keepScroll);
      }
    }
    syncTabControls();
    renderChips();
    updateSelection();
    ui.seq += 1;
    table.setAttribute("data-render-seq", String(ui.seq));
  }

  function clearPanes() {
    ui.panes = [];
    if (els.panes) {
      clear(els.panes);
    }
  }

  /**
   * @param {string[]} tenants
   * @param {RunsResult} result
   * @param {Schedule[]} schedules
   * @param {boolean} keepScroll
   */
  function renderPanes(tenants, result, schedules, keepScroll) {
    const runs = /** @type {RunStore} */ (ui.runs);
    const panesEl = /** @type {HTMLElement} */ (els.panes);
    const scheduled = ui.view.tab === "scheduled";
    const same =
      ui.panes.length === tenants.length &&
      ui.panes.every((pane, k) => pane.tenant === tenants[k] && pane.scheduled === scheduled);
    if (!same) {
      clearPanes();
      for (const tenant of tenants) {
        const name = runs.tenantName(tenant);
        const count = h("span", { class: "num", "data-testid": "pane-count" }, "0");
        const box = h("section", { class: "pane", "data-tenant": tenant, "aria-label": `Tenant ${name}` }, [
          h("h3", null, [name, " ", h("span", { class: "muted" }, `(${tenant})`)]),
          h("p", { class: "result-summary" }, [count, " match"])
        ]);
        /** @type {Pane} */
        const pane = { tenant, scheduled, count, box, view: null };
        if (!scheduled) {
          box.appendChild(h("div", { class: "table-wrap pane-wrap" }, runsTableElement("", name)));
        }
        panesEl.appendChild(box);
        if (!scheduled) {
          const tableEl = /** @type {HTMLTableElement} */ (box.querySelector("table"));
          pane.view = virtualTable(tableEl, "No runs of this tenant match.");
        }
        ui.panes.push(pane);
      }
    }
    if (scheduled) {
      for (const pane of ui.panes) {
        const mine = schedules.filter((s) => s.tenantId === pane.tenant);
        pane.count.textContent = groupDigits(mine.length);
        const old = pane.box.querySelector(".table-wrap");
        if (old) {
          pane.box.removeChild(old);
        }
        pane.box.appendChild(scheduleTable(mine, `Schedules of ${runs.tenantName(pane.tenant)}`));
      }
      return;
    }
    /** @type {Map<string, number[]>} */
    const lists = new Map(tenants.map((tenant) => [tenant, []]));
    const tenantCol = runs.cols.tenantId;
    const tenantValues = runs.dicts.tenantId.values;
    for (let p = 0; p < result.n; p += 1) {
      const run = result.order[p];
      const list = lists.get(String(tenantValues[tenantCol[run]]));
      if (list) {
        list.push(run);
      }
    }
    for (const pane of ui.panes) {
      const order = new Uint32Array(lists.get(pane.tenant) || []);
      const paneView = /** @type {Table} */ (pane.view);
      pane.count.textContent = groupDigits(order.length);
      /** @type {HTMLTableCaptionElement} */ (paneView.table.caption).textContent =
        `${runsCaption(ui.view)} of ${runs.tenantName(pane.tenant)}, ${sortCaption(ui.view)}`;
      paneView.show(order, order.length, keepScroll);
    }
  }

  /* --- controls <-> view ------------------------------------------------------------------------------------- */

  /**
   * Choose `value` in `select`, adding it as an option when the snapshot does not have it.
   * @param {HTMLSelectElement | null} select
   * @param {string} value
   */
  function setSelect(select, value) {
    if (!select) {
      return;
    }
    const extra = select.querySelector("option[data-extra]");
    if (extra) {
      select.removeChild(extra);
    }
    if (value && !Array.from(select.options).some((o) => o.value === value)) {
      select.appendChild(h("option", { value, "data-extra": "" }, `${value} (not in this snapshot)`));
    }
    select.value = value;
  }

  /** @param {string} key */
  function control(key) {
    return els.form ? els.form.querySelector(`#filter-${key}`) : null;
  }

  /** The tenant boxes and the picker's summary, from the view (a tenant not in the snapshot gets a box too). */
  function syncTenants() {
    const fieldset = control("tenant");
    if (!fieldset) {
      return;
    }
    const list = fieldset.querySelector("ul") || fieldset;
    for (const extra of fieldset.querySelectorAll("li[data-extra]")) {
      list.removeChild(extra);
    }
    const boxes = () => /** @type {HTMLInputElement[]} */ (Array.from(fieldset.querySelectorAll('input[name="tenant"]')));
    for (const tenant of ui.view.tenants) {
      if (!boxes().some((box) => box.value === tenant)) {
        const box = h("input", { type: "checkbox", name: "tenant", value: tenant });
        list.appendChild(h("li", { "data-extra": "" }, h("label", { class: "check" }, [box, ` ${format.visible(tenant)} `,
          h("span", { class: "muted" }, "(not in this snapshot)")])));
      }
    }
    for (const box of boxes()) {
      box.checked = ui.view.tenants.includes(box.value);
    }
    if (els.tenantSummary) {
      const chosen = ui.view.tenants;
      const names = chosen.map((t) => (ui.runs ? ui.runs.tenantName(t) : t));
      els.tenantSummary.textContent = !chosen.length
        ? "Any tenant"
        : chosen.length <= 2
          ? names.join(", ")
          : `${chosen.length} tenants`;
    }
  }

  /** @type {string[] | null} the snapshot's states, as the page listed them */
  let allStates = null;

  /**
   * The controls that depend on the tab: the state options it offers (a state it excludes is not offered; one
   * the hash names anyway stays visible as such), and on the Scheduled tab the run filters disabled, since it
   * lists schedules.
   */
  function syncTabControls() {
    const view = ui.view;
    const stateSelect = /** @type {HTMLSelectElement | null} */ (control("state"));
    if (stateSelect) {
      if (allStates === null) {
        allStates = Array.from(stateSelect.options)
          .filter((o) => o.value && !o.hasAttribute("data-extra"))
          .map((o) => o.value);
      }
      const offered = filterBar.statesFor(view.tab, allStates);
      const shown = Array.from(stateSelect.options)
        .filter((o) => o.value && !o.hasAttribute("data-extra"))
        .map((o) => o.value);
      if (shown.join("\n") !== offered.join("\n")) {
        for (const option of Array.from(stateSelect.options)) {
          if (option.value) {
            stateSelect.removeChild(option);
          }
        }
        for (const state of offered) {
          stateSelect.appendChild(h("option", { value: state }, state));
        }
      }
      const extra = stateSelect.querySelector("option[data-extra]");
      if (extra) {
        stateSelect.removeChild(extra);
      }
      const wanted = filterBar.applies(view.tab, "state") ? view.state : "";
      if (wanted && !offered.includes(wanted)) {
        const why = (allStates || []).includes(wanted) ? "not on this tab" : "not in this snapshot";
        stateSelect.appendChild(h("option", { value: wanted, "data-extra": "" }, `${wanted} (${why})`));
      }
      stateSelect.value = wanted;
    }
    if (els.form) {
      for (const el of els.form.querySelectorAll("select[name], input[name]")) {
        const field = /** @type {HTMLInputElement} */ (el);
        if (field.name !== "tenant" && field.name !== "split") {
          field.disabled = !filterBar.applies(view.tab, field.name);
        }
      }
    }
  }

  /** The active filters as chips: each a button taking its key (or one tenant) out of the hash. */
  function renderChips() {
    const list = els.chips;
    if (!list) {
      return;
    }
    const runs = ui.runs;
    const scheduleNames = new Map((runs ? runs.meta.schedules || [] : []).map((s) => [s.id, s.name]));
    const chips = filterBar.chips(ui.view, {
      tenant: (id) => (runs ? runs.tenantName(id) : id),
      schedule: (id) => scheduleNames.get(id) || id
    });
    clear(list);
    for (const chip of chips) {
      const note = chip.applies ? "" : " (not applied to schedules)";
      list.appendChild(
        h("li", null, h("button", {
          type: "button",
          class: `chip${chip.applies ? "" : " chip-ignored"}`,
          "data-chip-key": chip.key,
          "data-chip-value": chip.value,
          "aria-label": `Remove filter ${format.visible(chip.text)}${note}`
        }, [format.visible(chip.text) + note, h("span", { class: "chip-x", "aria-hidden": "true" }, " \u00d7")]))
      );
    }
    list.hidden = chips.length === 0;
  }

  /** @param {MouseEvent} event */
  function onChip(event) {
    const button = closest(event.target, "button[data-chip-key]");
    if (!button || !els.chips) {
      return;
    }
    const buttons = Array.from(els.chips.querySelectorAll("button[data-chip-key]"));
    const index = buttons.indexOf(/** @type {Element} */ (button));
    ui.view = filterBar.without(ui.view, button.getAttribute("data-chip-key") || "", button.getAttribute("data-chip-value") || "");
    syncControls();
    apply(true);
    // Focus stays in the chips (the next one, or the one before), else goes to the search box.
    const left = els.chips.querySelectorAll("button[data-chip-key]");
    const next = left[Math.min(index, left.length - 1)] || control("q");
    if (next instanceof HTMLElement) {
      next.focus();
    }
  }

  function syncControls() {
    if (!els.form) {
      return;
    }
    const view = ui.view;
    syncTenants();
    // The state select follows the tab: syncTabControls.
    const selects = /** @type {const} */ (["trigger", "schedule", "severity", "policy", "shard", "error", "resolved", "evidence"]);
    for (const key of selects) {
      setSelect(/** @type {HTMLSelectElement | null} */ (control(key)), view[key]);
    }
    setSelect(els.scheduleSelect, view.schedule);
    for (const key of /** @type {const} */ (["from", "to"])) {
      const input = /** @type {HTMLInputElement | null} */ (control(key));
      if (input) {
        const day = /^\d{4}-\d{2}-\d{2}/.exec(view[key]);
        input.value = day ? day[0] : "";
      }
    }
    const q = /** @type {HTMLInputElement | null} */ (control("q"));
    if (q && q.value.trim() !== view.q) {
      q.value = view.q;
    }
    if (els.splitBox) {
      els.splitBox.checked = view.split;
    }
    syncTabControls();
  }

  /**
   * Put the view in the hash: a new history entry when `push`, else in place.
   * @param {boolean} push
   */
  function writeHash(push) {
    const next = urlState.serialize(ui.view);
    ui.lastHash = next;
    if (window.location.hash.replace(/^#/, "") === next) {
      return;
    }
    try {
      if (push) {
        window.location.hash = next;
      } else {
        window.location.replace(`#${next}`);
      }
    } catch {
      /* a frame that may not navigate itself: the view still works, it just is not in the address */
    }
  }

  /** @param {boolean} push */
  function apply(push) {
    writeHash(push);
    render(false);
  }

  /** @param {Event} event */
  function onControl(event) {
    const el = /** @type {HTMLInputElement & HTMLSelectElement} */ (event.target);
    const name = el.name;
    if (!name) {
      return;
    }
    const view = ui.view;
    if (name === "tenant") {
      view.tenants = el.checked
        ? [...view.tenants.filter((t) => t !== el.value), el.value]
        : view.tenants.filter((t) => t !== el.value);
      syncTenants();
    } else if (name === "split") {
      view.split = el.checked;
    } else if (name === "q") {
      if (event.type !== "input" && el.value.trim() === view.q) {
        return;
      }
      const burst = Date.now() < ui.typingUntil;
      ui.typingUntil = Date.now() + TYPING_BURST_MS;
      view.q = el.value.trim();
      apply(!burst);
      return;
    } else if (urlState.isSingleKey(name)) {
      view[name] = el.value;
    } else {
      return;
    }
    if (name === "schedule") {
      setSelect(els.scheduleSelect, view.schedule);
      setSelect(/** @type {HTMLSelectElement | null} */ (control("schedule")), view.schedule);
    }
    apply(true);
  }

  function onHashChange() {
    const raw = window.location.hash.replace(/^#/, "");
    if (raw === ui.lastHash) {
      return; // the page's own write
    }
    ui.lastHash = raw;
    const next = urlState.parse(raw, TABS);
    // Only the drawer changed (Back after opening one, Forward, a link to a run): the list keeps its place.
    const drawerOnly =
      next.run !== ui.view.run &&
      urlState.serialize({ ...next, run: "" }) === urlState.serialize({ ...ui.view, run: "" });
    ui.view = next;
    ui.drawerPushed = false;
    if (!drawerOnly) {
      syncControls();
      render(false);
    }
    syncDrawer();
  }

  /** Open or close the drawer as the view's `run` says (after a hash change or once the runs are loaded). */
  function syncDrawer() {
    const wanted = ui.view.run;
    if (!wanted) {
      drawer.close();
      return;
    }
    if (drawer.openRun() === wanted || !ui.runs) {
      return;
    }
    const ids = ui.runs.cols.id;
    for (let i = 0; i < ui.runs.n; i += 1) {
      if (ids[i] === wanted) {
        openDrawer(i, null, false);
        return;
      }
    }
    if (els.table.getAttribute("data-state") === "ready" && ui.missingRun !== wanted) {
      ui.missingRun = wanted;
      setStatus(`The run ${format.visible(wanted)} of the address is not in this site.`);
    }
  }

  /* --- selection and its downloads -------------------------------------------------------------------------- */

  function updateSelection() {
    const runs = ui.runs;
    if (!runs) {
      return;
    }
    for (const view of viewsShown()) {
      view.refreshSelection();
      const all = /** @type {HTMLInputElement | null} */ (view.table.querySelector("input.select-all"));
      if (all) {
        let chosen = 0;
        for (let p = 0; p < view.n; p += 1) {
          chosen += runs.selected[view.order[p]];
        }
        all.checked = view.n > 0 && chosen === view.n;
        all.indeterminate = chosen > 0 && chosen < view.n;
      }
    }
    if (els.selectionBar) {
      const count = els.selectionBar.querySelector("[data-selection-count]");
      if (count) {
        count.textContent = groupDigits(runs.selectedCount);
      }
      for (const button of els.selectionBar.querySelectorAll("button")) {
        button.disabled = runs.selectedCount === 0;
      }
    }
  }

  /** @param {MouseEvent} event */
  function onSelectionAction(event) {
    const button = closest(event.target, "button[data-selection]");
    const runs = ui.runs;
    if (!button || !runs || !els.selectionBar) {
      return;
    }
    const action = button.getAttribute("data-selection");
    const count = runs.selectedCount;
    if (action === "clear") {
      runs.clearSelection();
      updateSelection();
      app.announce("Selection cleared.");
      return;
    }
    let name;
    let body;
    if (action === "csv") {
      name = `runs-selection-${count}.csv`;
      body = selection.csv(runs, runs.selectedRuns());
      app.download(name, body, "text/csv;charset=utf-8");
    } else if (action === "script") {
      name = `export-runs-${count}.sh`;
      body = selection.exportScript(runs, runs.selectedRuns(), String(runs.meta.snapshotId));
      app.download(name, body, "text/x-shellscript;charset=utf-8");
    } else {
      return;
    }
    app.fileText(els.selectionBar, name, body);
  }

  /* --- the table's clicks and keys ------------------------------------------------------------------------------ */

  /**
   * The table (main or pane) an element is in.
   * @param {EventTarget | null} el
   */
  function viewOf(el) {
    const tableEl = closest(el, "table");
    if (tableEl === table) {
      return ui.mainView;
    }
    const pane = ui.panes.find((p) => p.view && p.view.table === tableEl);
    return pane ? pane.view : null;
  }

  /**
   * @param {Table} view
   * @param {HTMLInputElement} box
   * @param {RunRowElement} tr
   * @param {boolean} shift
   */
  function onRowBox(view, box, tr, shift) {
    const runs = /** @type {RunStore} */ (ui.runs);
    const on = box.checked;
    const anchor = ui.anchor;
    if (shift && anchor && anchor.view === view && anchor.pos < view.n) {
      const from = Math.min(anchor.pos, tr._pos);
      const to = Math.max(anchor.pos, tr._pos);
      for (let p = from; p <= to; p += 1) {
        runs.setSelected(view.order[p], on);
      }
    } else {
      runs.setSelected(tr._run, on);
    }
    ui.anchor = { view, pos: tr._pos };
    updateSelection();
  }

  /** @param {MouseEvent} event */
  function onTableClick(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    const view = viewOf(target);
    const runs = ui.runs;
    if (!view || !runs) {
      return;
    }
    const sortButton = closest(target, "button[data-sort]");
    if (sortButton) {
      const field = sortButton.getAttribute("data-sort") || "";
      const sort = sortOf(ui.view);
      const column = runRow.COLUMNS.find((c) => c.sort === field);
      const first = column ? column.first : "asc";
      const desc = sort.field === field ? !sort.desc : first === "desc";
      ui.view.sort = `${desc ? "-" : ""}${field}`;
      apply(true);
      return;
    }
    if (target instanceof HTMLInputElement && target.classList.contains("select-all")) {
      for (let p = 0; p < view.n; p += 1) {
        runs.setSelected(view.order[p], target.checked);
      }
      updateSelection();
      return;
    }
    const tr = /** @type {RunRowElement | null} */ (closest(target, "tr.run"));
    if (!tr || tr._run === undefined) {
      return;
    }
    if (target instanceof HTMLInputElement && target.classList.contains("select-run")) {
      onRowBox(view, target, tr, event.shiftKey);
      return;
    }
    const link = closest(target, "a");
    if (link && !link.classList.contains("run-id")) {
      return; // a runbook link
    }
    if (closest(target, "input, button, select, textarea, label")) {
      return;
    }
    if (link && (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0)) {
      return; // a new tab or window: the run's static page
    }
    event.preventDefault();
    openDrawer(tr._run, link || tr.querySelector("a.run-id"));
  }

  /** @param {KeyboardEvent} event */
  function onTableKey(event) {
    const key = event.key;
    if (!NAV_KEYS.includes(key)) {
      return;
    }
    const target = /** @type {HTMLElement} */ (event.target);
    const tr = /** @type {RunRowElement | null} */ (closest(target, "tr.run"));
    const view = tr && viewOf(tr);
    if (!tr || !view || !closest(target, "a.run-id, input.select-run")) {
      return;
    }
    const page = view.pageRows();
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    const wanted = key === "Home" ? 0 : key === "End" ? view.n - 1 : tr._pos + moves[key];
    const p = Math.max(0, Math.min(view.n - 1, wanted));
    event.preventDefault();
    const row = view.reveal(p);
    const focus = row && row.querySelector(target.classList.contains("select-run") ? "input.select-run" : "a.run-id");
    if (focus instanceof HTMLElement) {
      focus.focus();
    }
  }

  /**
   * Open the drawer on run `run`; with `push` (a click), add a history entry whose hash names the run.
   * @param {number} run
   * @param {HTMLElement | null} opener
   * @param {boolean} [push]
   */
  function openDrawer(run, opener, push = true) {
    const runs = /** @type {RunStore} */ (ui.runs);
    const manage = (runs.meta.scopes || []).includes("runs.manage");
    const id = runs.cols.id[run];
    const details = {
      id,
      slug: runs.cols.slug[run],
      detailFile: runs.cols.detailFile[run],
      row: rowObject(runs, run),
      manage
    };
    if (push && ui.view.run !== id) {
      ui.view.run = id;
      writeHash(true);
      ui.drawerPushed = true;
    }
    /** @returns {HTMLElement | null} */
    const focusBack = () => {
      for (const view of viewsShown()) {
        const tr = view.rows.get(run);
        if (tr) {
          return tr.querySelector("a.run-id");
        }
      }
      return null;
    };
    drawer.open(details, opener, focusBack, () => drawerClosed(id));
  }

  /**
   * The drawer of run `id` closed (Close, Escape, or the hash): take `run` out of the hash, going Back when the
   * entry is the page's own, so that Forward opens it again.
   * @param {string} id
   */
  function drawerClosed(id) {
    if (ui.view.run !== id) {
      return; // closed because the hash changed: the hash is already right
    }
    ui.view.run = "";
    if (ui.drawerPushed) {
      ui.drawerPushed = false;
      window.history.back();
    } else {
      writeHash(false);
    }
  }

  /**
   * Run `i`'s row with the view's snake_case names (`tenant_id`), as the drawer reads it.
   * @param {RunStore} runs
   * @param {number} i
   * @returns {Record<string, any>}
   */
  function rowObject(runs, i) {
    /** @type {Record<string, any>} */
    const row = {};
    for (const field of runs.fields) {
      row[field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = runs.value(field, i);
    }
    return row;
  }

  /* --- start ---------------------------------------------------------------------------------------------------- */

  /** The first rows are in: the static table becomes the script's. */
  function start() {
    // The table runs: the note and the static listing for a page whose table did not start give way.
    for (const el of doc.querySelectorAll("[data-until-table]")) {
      /** @type {HTMLElement} */ (el).hidden = true;
    }
    headerCells(table, "");
    ui.mainView = virtualTable(table, "No runs match these filters.");
    if (els.selectionBar) {
      els.selectionBar.hidden = false;
    }
    if (els.splitField) {
      els.splitField.hidden = false;
    }
  }

  function listen() {
    const form = els.form;
    if (form) {
      form.addEventListener("change", onControl);
      form.addEventListener("input", (event) => {
        if (/** @type {HTMLInputElement} */ (event.target).name === "q") {
          onControl(event);
        }
      });
      form.addEventListener("submit", (event) => event.preventDefault());
      form.addEventListener("click", onChip);
      form.addEventListener("reset", (event) => {
        event.preventDefault();
        ui.view = urlState.cleared(ui.view);
        syncControls();
        apply(true);
      });
    }
    const scheduleSelect = els.scheduleSelect;
    if (scheduleSelect) {
      scheduleSelect.addEventListener("change", () => {
        ui.view.schedule = scheduleSelect.value;
        setSelect(/** @type {HTMLSelectElement | null} */ (control("schedule")), ui.view.schedule);
        apply(true);
      });
    }
    if (els.tabs) {
      els.tabs.addEventListener("click", (event) => {
        const link = closest(event.target, "a[data-tab]");
        const mouse = /** @type {MouseEvent} */ (event);
        if (!link || mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || !ui.runs) {
          return;
        }
        event.preventDefault();
        ui.view = filterBar.retab(ui.view, /** @type {ViewState["tab"]} */ (link.getAttribute("data-tab")));
        syncControls();
        apply(true);
      });
    }
    els.section.addEventListener("click", onTableClick);
    els.section.addEventListener("keydown", onTableKey);
    if (els.selectionBar) {
      els.selectionBar.addEventListener("click", onSelectionAction);
    }
    window.addEventListener("hashchange", onHashChange);
    window.addEventListener("resize", () => {
      if (ui.mainView && !ui.resizeQueued) {
        ui.resizeQueued = true;
        frame(() => {
          ui.resizeQueued = false;
          for (const view of viewsShown()) {
            view.measure();
            view.draw(false);
          }
        });
      }
    });
  }

  function load() {
    const files = (table.getAttribute("data-run-files") || "").split(/\s+/).filter(Boolean);
    table.setAttribute("data-state", "loading");
    syncControls();
    setStatus("Loading the runs of this snapshot\u2026");
    Snapsite.runsLoader.load(files, {
      meta: (store) => {
        ui.runs = store;
      },
      start,
      render: () => {
        render(true);
        if (ui.view.run) {
          syncDrawer(); // the run may be in the first chunk: no need to wait for the rest
        }
      },
      progress: (loaded, expected) =>
        setStatus(`Loading the runs of this snapshot: ${groupDigits(loaded)} of ${groupDigits(expected)}\u2026`),
      ready: (loaded) => {
        table.setAttribute("data-state", "ready");
        setStatus(`All ${groupDigits(loaded)} runs of this snapshot are loaded.`);
        syncDrawer(); // an address with run=<id>: open its drawer now that every run is known
      },
      fail
    });
  }

  listen();
  load();

  const workspace = { ui, render };
  Snapsite.workspace = workspace;
  if (typeof module === "object" && module.exports) {
    module.exports = workspace;
  }
})();

/* snapsite default theme: one row of the runs table, and the table's columns (Snapsite.runRow). Needs format.js,
 * app.js and runs-data.js.
 */
/**
 * A drawn row: its run's index, its position in the shown order and its checkbox.
 * @typedef {HTMLTableRowElement & { _run: number, _pos: number, _box: HTMLInputElement }} RunRowElement
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { visible, safeClass, duration, isoSeconds, humanTime, safeHref, runbookName, shortId } = Snapsite.format;
  const { h, append } = Snapsite.app;

  /** @typedef {import("./runs-data.js").RunStore} RunStore */

  /** The sortable columns after the selection column; `first` is the direction of a first click. */
  const COLUMNS = [
    { sort: "id", label: "Run ID", cls: "c-id", first: "asc" },
    { sort: "tenantId", label: "Tenant", cls: "c-tenant", first: "asc" },
    { sort: "createdAt", label: "Created", cls: "c-created", first: "desc" },
    { sort: "trigger", label: "Trigger", cls: "c-trigger", first: "asc" },
    { sort: "state", label: "State", cls: "c-state", first: "asc" },
    { sort: "progressPct", label: "Progress", cls: "c-progress", first: "desc" },
    { sort: "durationSeconds", label: "Duration", cls: "c-duration", first: "desc" },
    { sort: "newFindings", label: "Deltas", cls: "c-deltas", first: "desc" }
  ];
  /** @type {Record<string, string>} */
  const BADGE_LABELS = {
    "kev-first": "KEV first",
    "content-refresh": "Content refresh",
    "policy-promotion-follow-up": "Policy promotion follow-up",
    retry: "Retry"
  };
  const ADDED = [["newCriticals", "critical"], ["newHigh", "high"], ["newMedium", "medium"], ["newLow", "low"]];
  const REMOVED = [["resolved", "resolved"], ["quieted", "quieted"]];

  /**
   * `+2 critical +1 high -3 resolved`, or an em dash.
   * @param {RunStore} runs
   * @param {number} i
   */
  function deltasText(runs, i) {
    const parts = [];
    for (const [field, word] of ADDED) {
      const count = runs.cols[field][i];
      if (count > 0) {
        parts.push(`+${count} ${word}`);
      }
    }
    for (const [field, word] of REMOVED) {
      const count = runs.cols[field][i];
      if (count > 0) {
        parts.push(`-${count} ${word}`);
      }
    }
    return parts.join(" ") || "\u2014";
  }

  /**
   * @param {RunStore} runs
   * @param {number} i
   */
  function deltasTooltip(runs, i) {
    const c = runs.cols;
    return (
      `new ${c.newFindings[i]}: critical ${c.newCriticals[i]}, high ${c.newHigh[i]}, medium ${c.newMedium[i]}, ` +
      `low ${c.newLow[i]}; resolved ${c.resolved[i]}, quieted ${c.quieted[i]}, ` +
      `severity shifts ${c.severityShifts[i]}, KEV additions ${c.kevAdditions[i]}`
    );
  }

  /**
   * A state badge, and the error code linked to its runbook.
   * @param {string} state
   * @param {string | null | undefined} code
   * @returns {(Node | string)[]}
   */
  function stateBadge(state, code) {
    /** @type {(Node | string)[]} */
    const parts = [h("span", { class: `badge state state-${safeClass(state)}` }, state)];
    if (code) {
      parts.push(" ", h("a", { class: "error-code", href: `runbooks/${runbookName(code)}.html` }, code));
    }
    return parts;
  }

  /**
   * The row of run `i`.
   * @param {RunStore} runs
   * @param {number} i
   * @returns {RunRowElement}
   */
  function build(runs, i) {
    const cols = runs.cols;
    const id = cols.id[i];
    const state = runs.text("state", i);
    const tr = /** @type {RunRowElement} */ (h("tr", { "data-run-id": id, class: `run state-row-${safeClass(state)}` }));
    // Resolved failures (site contract): the completed retry's id, from the build's resolvedBy field.
    const resolvedBy = cols.resolvedBy ? cols.resolvedBy[i] : null;
    if (resolvedBy) {
      tr.setAttribute("data-resolved-by", resolvedBy);
    }
    const change = runs.changeOf(i);
    if (change) {
      // The site contract's hooks of the changes tab: the kind of change, and the state the older snapshot had
      // (a `state` row's, and a resolved failure's: error).
      tr.setAttribute("data-change", change.kind);
      if (change.stateBefore) {
        tr.setAttribute("data-state-before", change.stateBefore);
      }
    }
    const box = h("input", { type: "checkbox", class: "select-run", "aria-label": `Select run ${visible(id)}` });
    box.checked = runs.selected[i] === 1;
    tr._box = box;
    tr._run = i;
    tr.appendChild(h("td", { class: "select" }, box));

    /** @type {string[]} */
    const badges = runs.value("badges", i);
    /** @type {Node[]} */
    // A short id (the full one is in data-run-id, the link's name, and its tooltip on hover and on focus).
    const idCell = [
      h("a", { class: "run-id", href: safeHref(`runs/${cols.slug[i]}.html`), "aria-label": id, "data-tip": id }, shortId(visible(id)))
    ];
    const evidenceAlert = cols.evidenceAlert ? cols.evidenceAlert[i] : null;
    if (evidenceAlert) {
      idCell.push(h("span", { class: `badge evidence-alert sig-${safeClass(evidenceAlert)}` }, `evidence ${evidenceAlert}`));
    }
    if (badges.length) {
      idCell.push(
        h(
          "ul",
          { class: "badges", "aria-label": "Badges" },
          badges.map((key) => h("li", { class: `badge flag flag-${safeClass(key)}` }, BADGE_LABELS[key] || key))
        )
      );
    }
    tr.appendChild(h("th", { scope: "row" }, h("div", { class: "clip" }, idCell)));

    tr.appendChild(h("td", null, h("div", { class: "clip" }, h("span", { class: "run-tenant" }, runs.text("tenantId", i)))));

    // Created: the minute in UTC, and how long before the snapshot was taken (the site's "now").
    const created = cols.createdAt[i];
    const snapshotAt = Snapsite.format.parseTime(String(runs.meta.createdAt || ""));
    const ago = Number.isNaN(snapshotAt) ? "" : `${duration(Math.max(0, (snapshotAt - created) / 1000))} ago`;
    tr.appendChild(
      h("td", null, h("div", { class: "clip" }, [
        h("time", { datetime: isoSeconds(created) || "" }, humanTime(created).replace(/:\d\d UTC$/, " UTC")),
        h("span", { class: "muted" }, ago)
      ]))
    );

    const scheduleName = runs.text("scheduleName", i);
    const scheduleId = runs.text("scheduleId", i);
    const trigger = [
      h(
        "span",
        {
          class: "trigger",
          tabindex: "0", // its tooltip is reachable by keyboard (app.js shows it on focus)
          "data-tip": `Schedule: ${scheduleName || scheduleId || "none"}; initiator: ${runs.text("initiator", i)}`
        },
        runs.text("trigger", i)
      )
    ];
    if (scheduleName || scheduleId) {
      trigger.push(h("span", { class: "muted line" }, scheduleName || scheduleId));
    }
    tr.appendChild(h("td", null, h("div", { class: "clip" }, trigger)));

    const stateCell = stateBadge(state, runs.text("errorCode", i));
    if (resolvedBy) {
      stateCell.push(" ", h("span", { class: "badge resolved" }, ["resolved", h("span", { class: "visually-hidden" }, ` by ${resolvedBy}`)]));
    }
    const message = runs.text("errorMessage", i);
    if (message) {
      stateCell.push(" ", h("span", { class: "reason" }, message)); // ellipsised; the whole text is on the run's page
    }
    tr.appendChild(h("td", null, h("div", { class: "clip" }, stateCell)));

    const pct = cols.progressPct[i];
    tr.appendChild(
      h("td", { class: "progress-cell" }, [
        h("progress", { max: "100", value: String(pct), "aria-label": `${pct}% complete` }),
        " ",
        h("span", { class: "num" }, `${pct}%`),
        " ",
        h("span", { class: "muted num" }, `${cols.processed[i]}/${cols.total[i]}`)
      ])
    );

    const seconds = cols.durationSeconds[i];
    const durationText = duration(Number.isNaN(seconds) ? null : seconds);
    const durationCell = h("td", { class: "num" });
    if (cols.running[i] === 1) {
      const started = Number.isNaN(cols.startedAt[i]) ? cols.createdAt[i] : cols.startedAt[i];
      append(durationCell, [
        h("span", { class: "timer", "data-started-at": isoSeconds(started) }, durationText),
        " ",
        h("span", { class: "muted" }, "running")
      ]);
    } else {
      durationCell.textContent = durationText;
    }
    tr.appendChild(durationCell);

    tr.appendChild(
      h("td", null, h("div", { class: "clip" }, h("span", { class: "deltas", tabindex: "0", "data-tip": deltasTooltip(runs, i) }, deltasText(runs, i))))
    );
    return tr;
  }

  const runRow = { COLUMNS, BADGE_LABELS, deltasText, stateBadge, build };
  Snapsite.runRow = runRow;
  if (typeof module === "object" && module.exports) {
    module.exports = runRow;
  }
})();

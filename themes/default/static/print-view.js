/* snapsite default theme: printing the Runs workspace (Snapsite.printView). Needs workspace.js first.
 *
 * The virtual table holds a screenful of rows over a tall spacer: printed, it gives those rows and then blank
 * pages. Before printing (Ctrl+P, or a PDF export, which fires beforeprint too) this draws the view's matching runs,
 * up to the table's data-print-rows (2,000 by default), as one plain table whose header repeats on every page, and
 * a closing line saying how many more match and where the full list is; the print style shows it instead of the
 * virtual table, and afterprint removes it. The Scheduled tab and split panes print as they are.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { format, app, filters, runRow, urlState, workspace } = Snapsite;
  const { h } = app;
  const doc = document;
  const PRINT_ROWS = 2000;
  const HEADERS = ["Run ID", "Tenant", "Trigger", "State", "Created", "Progress", "Deltas"];
  /** @type {Record<string, string>} */
  const NOUNS = { active: "active runs", completed: "completed runs", failures: "failed runs", all: "runs" };

  const table = doc.getElementById("runs-table");
  /** @type {HTMLElement | null} */
  let shown = null;

  /** Draw the print table of the current view (nothing for the Scheduled tab, split panes or no data yet). */
  function prepare() {
    remove();
    const ui = workspace && workspace.ui;
    const runs = ui && ui.runs;
    const panes = doc.getElementById("split-panes");
    if (!(table instanceof HTMLTableElement) || !ui || !runs || ui.view.tab === "scheduled" || (panes && !panes.hidden)) {
      return;
    }
    const limit = parseInt(table.getAttribute("data-print-rows") || "", 10) || PRINT_ROWS;
    const result = filters.filterRuns(runs, ui.view);
    const count = Math.min(result.n, limit);
    const rows = [];
    for (let p = 0; p < count; p += 1) {
      const i = result.order[p];
      const code = runs.value("errorCode", i);
      rows.push(
        h("tr", { "data-run-id": format.visible(String(runs.value("id", i))) }, [
          h("th", { scope: "row" }, String(runs.value("id", i))),
          h("td", null, String(runs.value("tenantId", i))),
          h("td", null, String(runs.value("trigger", i))),
          h("td", null, `${runs.value("state", i)}${code ? ` ${code}` : ""}`),
          h("td", null, format.humanTime(/** @type {number} */ (runs.cols.createdAt[i]))),
          h("td", { class: "num" }, `${runs.value("progressPct", i)}%`),
          h("td", null, runRow.deltasText(runs, i))
        ])
      );
    }
    const listing = doc.querySelector(".static-listing a[href]");
    const more = result.n - count;
    const where =
      `Every run of this snapshot is in the static listing${listing ? ` (${listing.getAttribute("href")})` : ""}; ` +
      `this view is index.html#${urlState.serialize(ui.view)}.`;
    const caption = table.caption ? table.caption.textContent : "Runs";
    shown = h("section", { class: "print-view", "aria-hidden": "true" }, [
      h("table", { class: "print-table" }, [
        h("caption", null, `${caption}: ${format.groupDigits(result.n)} ${NOUNS[ui.view.tab] || "runs"}`),
        h("thead", null, h("tr", null, HEADERS.map((label) => h("th", { scope: "col" }, label)))),
        h("tbody", null, rows)
      ]),
      h(
        "p",
        { class: "print-more" },
        `${more > 0 ? `${format.groupDigits(more)} more matching run${more === 1 ? " is" : "s are"} not printed. ` : ""}${where}`
      )
    ]);
    (app.closest(table, "section") || doc.body).appendChild(shown);
    doc.documentElement.classList.add("printing-view");
  }

  function remove() {
    if (shown && shown.parentNode) {
      shown.parentNode.removeChild(shown);
    }
    shown = null;
    doc.documentElement.classList.remove("printing-view");
  }

  window.addEventListener("beforeprint", prepare);
  window.addEventListener("afterprint", remove);

  const printView = { prepare, remove };
  Snapsite.printView = printView;
  if (typeof module === "object" && module.exports) {
    module.exports = printView;
  }
})();

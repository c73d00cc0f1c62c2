/* snapsite default theme: the files made from the workspace's selected runs (Snapsite.selection): a CSV of their
 * fields (every cell neutralised against formulas) and a shell script that exports them as evidence bundles
 * (every id a single-quoted shell word). Needs format.js and runs-data.js.
 *
 * No DOM; Node loads this file for the unit tests in tests/js.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { csvCell, shQuote, commentSafe } = Snapsite.format;

  /** @typedef {import("./runs-data.js").RunStore} RunStore */

  /**
   * The CSV (RFC 4180, CRLF line ends) of runs `chosen`: a header of the data fields, then one line per run.
   * @param {RunStore} runs
   * @param {readonly number[]} chosen
   */
  function csv(runs, chosen) {
    const fields = runs.fields.filter((field) => field !== "detailFile");
    const lines = [fields.map(csvCell).join(",")];
    for (const i of chosen) {
      lines.push(
        fields
          .map((field) => {
            const v = runs.value(field, i);
            return csvCell(Array.isArray(v) ? v.join(" ") : v);
          })
          .join(",")
      );
    }
    return `${lines.join("\r\n")}\r\n`;
  }

  /**
   * The shell script that exports runs `chosen` with the `stella` CLI.
   * @param {RunStore} runs
   * @param {readonly number[]} chosen
   * @param {string} snapshotId
   */
  function exportScript(runs, chosen, snapshotId) {
    const lines = [
      "#!/bin/sh",
      `# Generated in the browser by snapsite from snapshot ${commentSafe(snapshotId)}.`,
      `# Export the ${chosen.length} selected run${chosen.length === 1 ? "" : "s"} as evidence bundles.`,
      "# Carry this file back across the air gap and run it where the `stella` CLI can reach the Scheduler.",
      "set -eu"
    ];
    for (const i of chosen) {
      const id = String(runs.cols.id[i]);
      if (id.includes("\u0000")) {
        lines.push(`# skipped a run whose id holds a NUL character: ${commentSafe(id)}`);
      } else {
        lines.push(`stella runs export ${shQuote(`--run=${id}`)} --bundle`); // an id may start with "-"
      }
    }
    return `${lines.join("\n")}\n`;
  }

  const selection = { csv, exportScript };
  Snapsite.selection = selection;
  if (typeof module === "object" && module.exports) {
    module.exports = selection;
  }
})();

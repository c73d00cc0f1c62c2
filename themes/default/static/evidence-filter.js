/* snapsite default theme: evidence.html filtered by signature status (Snapsite.evidenceFilter). Needs format.js and
 * app.js.
 *
 * The page's hash names the status (`#status=invalid`; none or empty: every status), so a filtered list is a link.
 * Rows carry the site contract's data-signature-status; the others are hidden, and a live line says how many show.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const doc = document;
  const STATUSES = ["verified", "unsigned", "untrusted", "invalid"];

  /**
   * The status a hash names ("" for every status, and for a value that is no status).
   * @param {string} hash
   */
  function statusOf(hash) {
    const value = new URLSearchParams(hash.replace(/^#/, "")).get("status") || "";
    return STATUSES.includes(value) ? value : "";
  }

  function apply() {
    const status = statusOf(window.location.hash);
    const rows = /** @type {HTMLElement[]} */ (Array.from(doc.querySelectorAll("#evidence-list tbody tr[data-signature-status]")));
    let shown = 0;
    for (const row of rows) {
      row.hidden = status !== "" && row.getAttribute("data-signature-status") !== status;
      shown += row.hidden ? 0 : 1;
    }
    for (const link of doc.querySelectorAll(".status-filter a[data-status]")) {
      if (link.getAttribute("data-status") === status) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    }
    const line = doc.getElementById("evidence-shown");
    if (line) {
      const { groupDigits } = Snapsite.format;
      line.textContent = status
        ? `${groupDigits(shown)} of ${groupDigits(rows.length)} evidence files have the status ${status}.`
        : `${groupDigits(rows.length)} evidence files, every status.`;
    }
  }

  if (doc.querySelector(".status-filter")) {
    window.addEventListener("hashchange", apply);
    apply();
  }

  const evidenceFilter = { STATUSES, statusOf, apply };
  Snapsite.evidenceFilter = evidenceFilter;
  if (typeof module === "object" && module.exports) {
    module.exports = evidenceFilter;
  }
})();

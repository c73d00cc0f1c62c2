/* snapsite default theme: the virtualised runs table (Snapsite.virtualTable). Needs app.js and run-row.js.
 *
 * Only the rows in view, plus a few, are in the DOM; spacer rows keep the scrollbar true to the whole list. The
 * layout it needs (the header height, row height, view height and scroll position) is read by `measure()` before a
 * change writes to the DOM, while the layout is still clean: drawing then only writes, and the browser lays the
 * page out once per change instead of twice.
 */
/** @typedef {HTMLTableRowElement & { _cell: HTMLTableCellElement }} SpacerRow */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { h, clear } = Snapsite.app;
  const { COLUMNS } = Snapsite.runRow;

  /** @typedef {import("./run-row.js").RunRowElement} RunRowElement */
  const OVERSCAN = 4;
  const FALLBACK_ROW_HEIGHT = 60;

  /**
   * Run `callback` before the next frame.
   * @param {() => void} callback
   */
  function frame(callback) {
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(callback);
    } else {
      window.setTimeout(callback, 16);
    }
  }

  /** @returns {SpacerRow} */
  function spacer() {
    const cell = h("td", { colspan: String(COLUMNS.length + 1) });
    const row = /** @type {SpacerRow} */ (h("tr", { class: "spacer", "aria-hidden": "true" }, cell));
    row._cell = cell;
    return row;
  }

  class VirtualTable {
    /**
     * @param {HTMLTableElement} table
     * @param {string} emptyText  what the table says when no run matches
     * @param {(run: number) => RunRowElement} buildRow
     * @param {(run: number) => boolean} isSelected
     */
    constructor(table, emptyText, buildRow, isSelected) {
      this.table = table;
      this.wrap = /** @type {HTMLElement} */ (table.parentNode);
      this.body = table.tBodies[0];
      this.buildRow = buildRow;
      this.isSelected = isSelected;
      this.top = spacer();
      this.bottom = spacer();
      this.empty = h("tr", { class: "empty" }, h("td", { colspan: String(COLUMNS.length + 1) }, emptyText));
      /** @type {Map<number, RunRowElement>} the drawn rows by run */
      this.rows = new Map();
      /** @type {Uint32Array} */
      this.order = new Uint32Array(0);
      this.n = 0;
      this.rowHeight = 0;
      this.head = 0; // from the wrapper's top to the first row: caption and header
      this.viewHeight = 0;
      this.scrolled = 0; // the wrapper's scrollTop as last seen
      this.first = -1;
      this.last = -1;
      this.queued = false;
      clear(this.body);
      this.body.appendChild(this.top);
      this.body.appendChild(this.bottom);
      this.wrap.addEventListener(
        "scroll",
        () => {
          if (!this.queued) {
            this.queued = true;
            frame(() => {
              this.queued = false;
              this.measure();
              this.draw(false);
            });
          }
        },
        { passive: true }
      );
    }

    /**
     * Show `order[0..n)`; the scroll position goes back to the top unless `keepScroll`.
     * @param {Uint32Array} order
     * @param {number} n
     * @param {boolean} keepScroll
     */
    show(order, n, keepScroll) {
      this.order = order;
      this.n = n;
      this.table.setAttribute("aria-rowcount", String(n + 1));
      const reset = !keepScroll && this.scrolled > 0;
      if (!keepScroll) {
        this.scrolled = 0;
      }
      this.draw(true);
      if (reset) {
        this.wrap.scrollTop = 0;
      }
      if (!this.head || !this.rowHeight) {
        this.measure();
        if (this.rowHeight) {
          this.draw(true);
        }
      }
    }

    /** Read the layout: scroll position, header height, row height (cheap while nothing has been written since
     * the last frame; a forced layout otherwise). */
    measure() {
      this.scrolled = this.wrap.scrollTop;
      const box = this.wrap.getBoundingClientRect();
      if (box.height > 0 && this.wrap.scrollHeight > this.wrap.clientHeight + 1) {
        // The wrapper grows with its rows up to its maximum height: only a scrolling one shows that height.
        this.viewHeight = this.wrap.clientHeight;
      }
      const head = this.top.getBoundingClientRect().top - box.top + this.scrolled - (this.wrap.clientTop || 0);
      if (head > 0) {
        this.head = head;
      }
      const row = this.rows.size ? this.rows.values().next().value : null;
      const height = row ? row.getBoundingClientRect().height : 0;
      if (height > 0) {
        this.rowHeight = height;
      }
    }

    /**
     * Draw the rows in view; unless `force`, only when that range changed.
     * @param {boolean} force
     */
    draw(force) {
      const n = this.n;
      const body = this.body;
      if (!n) {
        for (const tr of this.rows.values()) {
          body.removeChild(tr);
        }
        this.rows = new Map();
        this.top._cell.style.height = "0px";
        this.bottom._cell.style.height = "0px";
        if (!this.empty.parentNode) {
          body.insertBefore(this.empty, this.bottom);
        }
        this.first = this.last = 0;
        return;
      }
      if (this.empty.parentNode) {
        body.removeChild(this.empty);
      }
      const rowHeight = this.rowHeight || FALLBACK_ROW_HEIGHT;
      // The wrapper's height as last measured; before that the window's (the wrapper is at most 80% of it).
      const view = this.viewHeight || window.innerHeight || 800;
      const scrolled = Math.max(0, this.scrolled - this.head);
      let first = Math.max(0, Math.floor(scrolled / rowHeight) - OVERSCAN);
      const last = Math.min(n, Math.ceil((scrolled + view) / rowHeight) + OVERSCAN);
      if (first >= n) {
        first = Math.max(0, n - OVERSCAN);
      }
      if (!force && first === this.first && last === this.last) {
        return;
      }
      this.first = first;
      this.last = last;
      /** @type {Map<number, RunRowElement>} */
      const kept = new Map();
      for (let p = first; p < last; p += 1) {
        const run = this.order[p];
        let tr = this.rows.get(run);
        if (!tr) {
          tr = this.buildRow(run);
        } else {
          tr._box.checked = this.isSelected(run);
        }
        tr._pos = p;
        tr.setAttribute("aria-rowindex", String(p + 2));
        tr.classList.toggle("odd", p % 2 === 1);
        kept.set(run, tr);
      }
      for (const [run, tr] of this.rows) {
        if (!kept.has(run)) {
          body.removeChild(tr);
        }
      }
      let ref = this.top.nextSibling;
      for (let p = first; p < last; p += 1) {
        const row = /** @type {RunRowElement} */ (kept.get(this.order[p]));
        if (ref && row === ref) {
          ref = ref.nextSibling;
        } else {
          body.insertBefore(row, ref);
        }
      }
      this.rows = kept;
      this.top._cell.style.height = `${first * rowHeight}px`;
      this.bottom._cell.style.height = `${(n - last) * rowHeight}px`;
    }

    /**
     * Scroll row position `p` into view, draw, and return its row.
     * @param {number} p
     */
    reveal(p) {
      this.measure();
      const rowHeight = this.rowHeight || FALLBACK_ROW_HEIGHT;
      const sticky = this.table.tHead ? this.table.tHead.getBoundingClientRect().height : 0;
      const top = this.head + p * rowHeight;
      if (top - sticky < this.scrolled) {
        this.wrap.scrollTop = top - sticky;
      } else if (top + rowHeight > this.scrolled + this.wrap.clientHeight) {
        this.wrap.scrollTop = top + rowHeight - this.wrap.clientHeight;
      }
      this.scrolled = this.wrap.scrollTop;
      this.draw(true);
      return this.rows.get(this.order[p]) || null;
    }

    /** The rows that fit the view: the step of PageUp / PageDown. */
    pageRows() {
      return Math.max(1, Math.floor(this.wrap.clientHeight / (this.rowHeight || FALLBACK_ROW_HEIGHT)) - 1);
    }

    refreshSelection() {
      for (const [run, tr] of this.rows) {
        tr._box.checked = this.isSelected(run);
      }
    }
  }

  const virtualTable = { VirtualTable, frame };
  Snapsite.virtualTable = virtualTable;
  if (typeof module === "object" && module.exports) {
    module.exports = virtualTable;
  }
})();

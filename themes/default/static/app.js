/* snapsite default theme: behaviour shared by every page. Needs format.js, encode.js, dom.js, handoff.js and
 * dialog.js (base.html loads them in that order).
 *
 * Plain classic scripts (no modules, no eval, no network): the site is opened from file:// under a CSP that only
 * allows scripts from the site's own folder. Everything is feature-detected and every failure degrades to the
 * static page.
 *
 * It gives every page: the header's staleness ticker (the snapshot's age by this computer's clock, every 30 s),
 * copy buttons (clipboard, or selecting the text where the clipboard is refused), file downloads made in the
 * browser (Blob), cooldown timers, and tab stops on scrolling tables (Snapsite.app).
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { format, encode, dom, handoff, dialog } = Snapsite;
  const { duration, parseTime } = format;
  const { closest } = dom;
  const doc = document;
  const TICK_MS = 30000;
  const AMBER_HOURS = 24;
  const RED_HOURS = 72;
  const STALENESS_WORDS = { green: "fresh", amber: "aging", red: "stale" };

  /** The header's ticker: the snapshot's age by this computer's clock and its staleness colour. */
  function tickStaleness() {
    const now = Date.now();
    for (const el of doc.querySelectorAll(".staleness[data-created-at]")) {
      const created = parseTime(el.getAttribute("data-created-at"));
      if (Number.isNaN(created)) {
        continue;
      }
      let windowHours = parseFloat(el.getAttribute("data-staleness-window-hours") || "");
      if (!(windowHours > 0)) {
        windowHours = RED_HOURS;
      }
      const age = Math.max(0, Math.floor((now - created) / 1000));
      const hours = age / 3600;
      const level = hours > Math.min(RED_HOURS, windowHours) ? "red" : hours >= AMBER_HOURS ? "amber" : "green";
      el.classList.remove("staleness-green", "staleness-amber", "staleness-red");
      el.classList.add(`staleness-${level}`);
      el.setAttribute("data-staleness", level);
      el.setAttribute("title", "Age by this computer's clock, updated every 30 seconds");
      el.textContent = `${age ? duration(age) : "0s"} old (${STALENESS_WORDS[level]})`;
    }
  }

  /** Segment cooldowns: how long until the cooldown ends, by this computer's clock. */
  function tickCooldowns() {
    const now = Date.now();
    for (const el of doc.querySelectorAll("[data-cooldown-until]")) {
      const until = parseTime(el.getAttribute("data-cooldown-until"));
      if (Number.isNaN(until)) {
        continue;
      }
      const left = Math.ceil((until - now) / 1000);
      el.textContent =
        left > 0 ? `retry possible in ${duration(left)} by this computer's clock` : "over by this computer's clock";
    }
  }

  function tick() {
    tickStaleness();
    tickCooldowns();
  }

  /**
   * Show the controls that only work with a script (copy buttons, [data-needs-script]).
   * @param {ParentNode} [root]
   */
  function revealControls(root) {
    for (const el of (root || doc).querySelectorAll("button[data-copy][hidden], [data-needs-script][hidden]")) {
      /** @type {HTMLElement} */ (el).hidden = false;
    }
  }

  /** Scrolling regions that hold nothing focusable get a tab stop, so keyboard users can scroll them. */
  function focusableScrollers() {
    for (const wrap of doc.querySelectorAll(".table-wrap")) {
      if (!wrap.hasAttribute("tabindex") && !wrap.querySelector("a[href], button, input, select, textarea")) {
        const caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent || "" : "Table");
      }
    }
  }

  /**
   * The text of a textarea or input, or any element's text.
   * @param {HTMLElement} el
   */
  function textOf(el) {
    return "value" in el ? String(el.value) : el.textContent || "";
  }

  /** @param {MouseEvent} event */
  function onClick(event) {
    const button = closest(event.target, "button");
    if (!button) {
      return;
    }
    if (button.hasAttribute("data-copy")) {
      handoff.copyText(button.getAttribute("data-copy") || "", button);
    } else if (button.hasAttribute("data-copy-target")) {
      const source = doc.getElementById(button.getAttribute("data-copy-target") || "");
      if (source) {
        handoff.copyText(textOf(source), button);
      }
    } else if (button.hasAttribute("data-download-target")) {
      const from = doc.getElementById(button.getAttribute("data-download-target") || "");
      if (from && button.parentElement) {
        const text = textOf(from);
        const name = button.getAttribute("data-filename") || "download.txt";
        handoff.download(name, text);
        handoff.fileText(button.parentElement, name, text);
      }
    }
  }

  const app = { tick, revealControls };
  Snapsite.app = app;

  // The helpers under their former flat names, for scripts and tests that drive a page (tests/browser).
  /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window)).snapsiteApp = {
    ...format,
    ...encode,
    ...dom,
    ...handoff,
    makeDialog: dialog.make,
    openDialog: dialog.open,
    closeDialog: dialog.close,
    ...app
  };

  doc.documentElement.classList.add("js");
  doc.addEventListener("click", onClick);
  revealControls(doc);
  focusableScrollers();
  tick();
  window.setInterval(tick, TICK_MS);

  if (typeof module === "object" && module.exports) {
    module.exports = app;
  }
})();

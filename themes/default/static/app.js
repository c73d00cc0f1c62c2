/* snapsite default theme: what every page's scripts share, and what every page does (Snapsite.app). Needs
 * format.js.
 *
 * Plain classic scripts (no modules, no eval, no network): the site is opened from file:// under a CSP that only
 * allows scripts from the site's own folder. Everything is feature-detected and every failure degrades to the
 * static page. Snapshot text only ever reaches the page through textContent and setAttribute, with bidirectional
 * controls shown as <U+202E> like the server-side templates do.
 *
 * One file, in sections, because it is on every page and a page's scripts load one request at a time: elements and
 * classic script loading; handing text to the user (clipboard, downloads made in the browser, shown file text,
 * announcements); modal dialogs; and the page behaviour: the header's staleness ticker (the snapshot's age by this
 * computer's clock, every 30 s), cooldown timers, copy and download buttons, tab stops on scrolling tables.
 */
/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[]} Children */
/** @typedef {Record<string, string | number | boolean | null | undefined>} Attributes */

/**
 * What a dialog remembers while it is open: who opened it, and what to do once it closed.
 * @typedef {object} DialogState
 * @property {HTMLElement | null} opener
 * @property {((opener: HTMLElement | null) => HTMLElement | null | undefined) | null} onClose
 * @property {boolean} open  whether a fallback (non-<dialog>) dialog is shown
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { visible, utf8, duration, parseTime } = Snapsite.format;
  const doc = document;

  /* --- elements and scripts ------------------------------------------------------------------------------ */

  /**
   * Append `children` to `el`: strings become text (made visible), nodes are appended, null and false skipped.
   * @template {Element} E
   * @param {E} el
   * @param {Children} [children]
   * @returns {E}
   */
  function append(el, children) {
    if (children === null || children === undefined || children === false) {
      return el;
    }
    for (const child of Array.isArray(children) ? children : [children]) {
      if (child === null || child === undefined || child === false) {
        continue;
      }
      el.appendChild(typeof child === "object" ? child : doc.createTextNode(visible(child)));
    }
    return el;
  }

  /**
   * An element: `attrs` are set with setAttribute (values made visible), `children` strings become text.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {Attributes | null} [attrs]
   * @param {Children} [children]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function h(tag, attrs, children) {
    const el = doc.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (name === "text") {
        el.textContent = visible(value);
      } else if (name === "class") {
        el.className = String(value);
      } else {
        el.setAttribute(name, value === true ? "" : visible(value));
      }
    }
    return append(el, children);
  }

  /**
   * An SVG element (attributes only: the CSP forbids style attributes, not presentation attributes).
   * @param {string} tag
   * @param {Record<string, string>} attrs
   * @param {Children} [children]
   * @returns {SVGElement}
   */
  function svg(tag, attrs, children) {
    const el = /** @type {SVGElement} */ (doc.createElementNS("http:" + "//www.w3.org/2000/svg", tag));
    for (const [name, value] of Object.entries(attrs)) {
      el.setAttribute(name, visible(value));
    }
    return append(el, children);
  }

  /**
   * Remove every child of `el`.
   * @template {Node} N
   * @param {N} el
   * @returns {N}
   */
  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
    return el;
  }

  /**
   * The nearest element from `start` up that matches `selector`.
   * @param {EventTarget | Node | null} start
   * @param {string} selector
   * @returns {HTMLElement | null}
   */
  function closest(start, selector) {
    let el = /** @type {Node | null} */ (start);
    while (el && el.nodeType === 1) {
      if (/** @type {Element} */ (el).matches(selector)) {
        return /** @type {HTMLElement} */ (el);
      }
      el = el.parentNode;
    }
    return null;
  }

  /**
   * Load a classic script of the site (file:// forbids fetch and modules); `done(ok)` runs after it ran (or
   * failed).
   * @param {string} src
   * @param {(ok: boolean) => void} done
   */
  function loadScript(src, done) {
    const script = doc.createElement("script");
    script.src = src;
    script.async = false;
    script.onload = () => {
      script.remove();
      done(true);
    };
    script.onerror = () => {
      script.remove();
      done(false);
    };
    (doc.head || doc.body).appendChild(script);
  }

  /** Storage: optional, and refused in sandboxed frames or locked-down browsers. */
  const store = {
    /** @param {string} key */
    get(key) {
      try {
        return window.localStorage ? window.localStorage.getItem(`snapsite:${key}`) : null;
      } catch {
        return null;
      }
    },
    /**
     * @param {string} key
     * @param {string} value
     */
    set(key, value) {
      try {
        if (window.localStorage) {
          window.localStorage.setItem(`snapsite:${key}`, value);
        }
      } catch {
        /* storage disabled or full: the value simply is not remembered */
      }
    }
  };

  /* --- handing text to the user ------------------------------------------------------------------------------ */
  const SHOW_TEXT_LIMIT = 256 * 1024;

  /** @type {{ region: HTMLElement | null }} the live region of announcements, made the first time */
  const announcer = { region: null };

  /**
   * Tell screen readers (and sighted users, in the status line) what just happened.
   * @param {string} message
   */
  function announce(message) {
    if (!announcer.region) {
      announcer.region = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite", id: "snapsite-announcer" });
      doc.body.appendChild(announcer.region);
    }
    const region = announcer.region;
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = message;
    }, 30);
  }

  /**
   * @param {HTMLElement | null | undefined} button
   * @param {string} text
   */
  function flash(button, text) {
    if (!button) {
      return;
    }
    if (!button.hasAttribute("data-label")) {
      button.setAttribute("data-label", button.textContent || "");
    }
    button.textContent = text;
    window.setTimeout(() => {
      button.textContent = button.getAttribute("data-label");
    }, 2000);
  }

  /**
   * Select the text of `el` (a textarea, input or any element) so that the user can copy it by hand.
   * @param {HTMLElement} el
   */
  function selectText(el) {
    try {
      if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) {
        el.focus();
        el.select();
        return true;
      }
      const selection = window.getSelection && window.getSelection();
      if (!selection) {
        return false;
      }
      const range = doc.createRange();
      range.selectNodeContents(el);
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The element showing the text a copy button copies: a textarea or code beside it, made if missing.
   * @param {HTMLElement} button
   * @param {string} text
   * @returns {HTMLElement}
   */
  function textBeside(button, text) {
    const target = button.getAttribute("data-copy-target");
    const byId = target ? doc.getElementById(target) : null;
    if (byId) {
      return byId;
    }
    const box = closest(button, ".command") || /** @type {HTMLElement | null} */ (button.parentNode);
    const shown = box && box.querySelector("textarea, code");
    if (shown instanceof HTMLElement && shown.textContent === visible(text)) {
      return shown;
    }
    const found = box && box.querySelector("textarea.copy-fallback");
    let made;
    if (found instanceof HTMLTextAreaElement) {
      made = found;
    } else {
      made = h("textarea", { class: "copy-fallback", readonly: true, rows: "3", "aria-label": "Text to copy" });
      button.after(made);
    }
    made.value = text;
    return made;
  }

  /**
   * Copy `text` to the clipboard; where the clipboard is refused (file://, policies), select it instead.
   * @param {string} text
   * @param {HTMLElement} button
   */
  function copyText(text, button) {
    const fallback = () => {
      const el = textBeside(button, text);
      let copied = false;
      if (selectText(el)) {
        try {
          copied = !!(doc.execCommand && doc.execCommand("copy"));
        } catch {
          copied = false;
        }
      }
      flash(button, copied ? "Copied" : "Selected");
      announce(copied ? "Copied to the clipboard." : "The text is selected: press Ctrl+C (or \u2318C) to copy it.");
    };
    const clipboard = navigator.clipboard;
    if (clipboard && typeof clipboard.writeText === "function" && window.isSecureContext !== false) {
      try {
        clipboard.writeText(text).then(() => {
          flash(button, "Copied");
          announce("Copied to the clipboard.");
        }, fallback);
        return;
      } catch {
        /* fall through to selecting the text */
      }
    }
    fallback();
  }

  /**
   * Offer `text` as the file `name`, made in the browser (a Blob and a temporary <a download>). Returns false
   * where the browser cannot download that way; callers also show the text (fileText) so nothing is lost.
   * @param {string} name
   * @param {string | Uint8Array} text
   * @param {string} [mime]
   */
  function download(name, text, mime) {
    try {
      const a = doc.createElement("a");
      if (!window.Blob || !window.URL || typeof URL.createObjectURL !== "function" || !("download" in a)) {
        return false;
      }
      const bytes = typeof text === "string" ? utf8(text) : text;
      const blob = new Blob([/** @type {BlobPart} */ (bytes)], { type: mime || "text/plain;charset=utf-8" });
      const url = URL.createObjectURL(blob);
      a.href = url;
      a.download = name;
      a.hidden = true;
      doc.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
      announce(`Downloading ${name}.`);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A folded copy of a downloaded file's text, for browsers (or frames) that block downloads.
   * @param {Element} container
   * @param {string} name
   * @param {string} text
   */
  function fileText(container, name, text) {
    const key = name.replace(/[^\w.-]/g, "");
    const old = container.querySelector(`details.file-text[data-file='${key}']`);
    if (old) {
      old.remove();
    }
    if (text.length > SHOW_TEXT_LIMIT) {
      return null;
    }
    const area = h("textarea", { readonly: true, rows: "8", spellcheck: "false", "aria-label": `Text of ${name}` });
    const details = h("details", { class: "file-text", "data-file": key }, [
      h("summary", null, `Show the text of ${name} (if the download was blocked)`),
      area
    ]);
    area.value = text;
    container.appendChild(details);
    return details;
  }

  /* --- modal dialogs: focus moves in, is kept in, and goes back; Escape closes ------------------------------- */

  const FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), " +
    "summary, [tabindex]:not([tabindex='-1'])";

  /** @type {WeakMap<HTMLElement, DialogState>} */
  const states = new WeakMap();

  /** @param {HTMLElement} dialog */
  function stateOf(dialog) {
    let state = states.get(dialog);
    if (!state) {
      state = { opener: null, onClose: null, open: false };
      states.set(dialog, state);
    }
    return state;
  }

  /** @param {Element} root */
  function focusables(root) {
    return Array.from(root.querySelectorAll(FOCUSABLE)).filter(
      (el) => el instanceof HTMLElement && (el.offsetParent !== null || el === doc.activeElement)
    );
  }

  /**
   * A dialog element, added to the page, hidden.
   * @param {string} className
   * @param {string} labelledBy  the id of its heading
   * @returns {HTMLElement}
   */
  function makeDialog(className, labelledBy) {
    const native = typeof window.HTMLDialogElement === "function";
    const dialog = /** @type {HTMLElement} */ (h(native ? "dialog" : "div", { class: className, "aria-labelledby": labelledBy }));
    if (!native) {
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.className += " dialog-fallback";
      dialog.hidden = true;
    }
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !native) {
        event.preventDefault();
        closeDialog(dialog);
      } else if (event.key === "Tab") {
        const items = /** @type {HTMLElement[]} */ (focusables(dialog));
        if (!items.length) {
          event.preventDefault();
          return;
        }
        const first = items[0];
        const last = items[items.length - 1];
        if (event.shiftKey && (doc.activeElement === first || !dialog.contains(doc.activeElement))) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && (doc.activeElement === last || !dialog.contains(doc.activeElement))) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    if (native) {
      dialog.addEventListener("close", () => afterClose(dialog));
    }
    doc.body.appendChild(dialog);
    return dialog;
  }

  /**
   * Show `dialog` and move focus in. `onClose(opener)` runs after it closed and may name the element that gets the
   * focus back (the opener otherwise).
   * @param {HTMLElement} dialog
   * @param {HTMLElement | null} [opener]
   * @param {DialogState["onClose"]} [onClose]
   */
  function openDialog(dialog, opener, onClose) {
    const state = stateOf(dialog);
    state.opener = opener || /** @type {HTMLElement | null} */ (doc.activeElement);
    state.onClose = onClose || null;
    if (dialog instanceof HTMLDialogElement) {
      if (!dialog.open) {
        dialog.showModal();
      }
    } else {
      dialog.hidden = false;
      state.open = true;
    }
    const preferred = dialog.querySelector("[data-autofocus]") || focusables(dialog)[0];
    if (preferred instanceof HTMLElement) {
      preferred.focus();
    }
  }

  /** @param {HTMLElement} dialog */
  function closeDialog(dialog) {
    const state = stateOf(dialog);
    if (dialog instanceof HTMLDialogElement) {
      if (dialog.open) {
        dialog.close();
      }
    } else if (state.open) {
      state.open = false;
      dialog.hidden = true;
      afterClose(dialog);
    }
  }

  /** @param {HTMLElement} dialog */
  function afterClose(dialog) {
    const state = stateOf(dialog);
    const { opener, onClose } = state;
    state.opener = null;
    state.onClose = null;
    const target = onClose ? onClose(opener) || opener : opener;
    if (target && target.focus && doc.contains(target)) {
      target.focus();
    }
  }

  /* --- page behaviour ------------------------------------------------------------------------------------------ */
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
      const age = Math.floor((now - created) / 1000);
      const hours = age / 3600;
      let level = hours > Math.min(RED_HOURS, windowHours) ? "red" : hours >= AMBER_HOURS ? "amber" : "green";
      if (age < 0) {
        level = "unknown";
      }
      el.classList.remove("staleness-green", "staleness-amber", "staleness-red", "staleness-unknown");
      el.classList.add(`staleness-${level}`);
      el.setAttribute("data-staleness", level);
      const hint = doc.querySelector("[data-stale-hint]"); // the attention strip's next step (index.html)
      if (hint instanceof HTMLElement) {
        hint.hidden = level !== "red";
      }
      el.setAttribute("data-tip", "Age by this computer's clock, updated every 30 seconds");
      el.setAttribute("tabindex", "0");
      // A clock behind the snapshot's time cannot tell its age: say so rather than call it fresh.
      el.textContent =
        age < 0
          ? `age unknown: this computer's clock is ${duration(Math.ceil((created - now) / 1000))} behind the snapshot`
          : `${age ? duration(age) : "0s"} old (${STALENESS_WORDS[level]})`;
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

  /** Scrolling regions that hold nothing focusable get a tab stop, so keyboard users can scroll them: table
   * wrappers, and preformatted text wider than its box (runbooks' code blocks). */
  function focusableScrollers() {
    for (const pre of doc.querySelectorAll("main pre:not([tabindex])")) {
      if (pre.scrollWidth > pre.clientWidth + 1 || pre.scrollHeight > pre.clientHeight + 1) {
        pre.setAttribute("tabindex", "0");
      }
    }
    for (const wrap of doc.querySelectorAll(".table-wrap")) {
      if (!wrap.hasAttribute("tabindex") && !wrap.querySelector("a[href], button, input, select, textarea")) {
        const caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent || "" : "Table");
      }
    }
  }

  /* --- tooltips that a keyboard reaches --------------------------------------------------------------------- */

  const TIP_ID = "snapsite-tip";
  const TAB_STOP = "a[href], button, input, select, textarea, summary, [tabindex]";
  /** @type {HTMLElement | null} the element whose tooltip shows */
  let tipOwner = null;

  /**
   * Turn `title` tooltips (a mouse-only hint, on spans that a keyboard cannot reach) into `data-tip` ones, each on
   * an element with a tab stop; the one tooltip element shows on hover and on focus alike.
   * @param {ParentNode} [root]
   */
  function keyboardTips(root) {
    for (const el of (root || doc).querySelectorAll("[title]")) {
      if (el.closest("svg")) {
        continue; // an SVG <title> child names a chart; a title attribute there is left alone
      }
      el.setAttribute("data-tip", el.getAttribute("title") || "");
      el.removeAttribute("title");
      if (!el.matches(TAB_STOP)) {
        el.setAttribute("tabindex", "0");
      }
    }
  }

  /** @returns {HTMLElement} */
  function tipElement() {
    const found = doc.getElementById(TIP_ID);
    if (found) {
      return found;
    }
    const tip = h("div", { id: TIP_ID, class: "tip", role: "tooltip", hidden: true });
    doc.body.appendChild(tip);
    return tip;
  }

  /** @param {HTMLElement} el */
  function showTip(el) {
    const text = el.getAttribute("data-tip") || "";
    if (!text) {
      return;
    }
    hideTip();
    const tip = tipElement();
    tip.textContent = visible(text);
    tip.hidden = false;
    tipOwner = el;
    if (!el.hasAttribute("aria-describedby")) {
      el.setAttribute("aria-describedby", TIP_ID);
    }
    // Placed under the element (above it near the bottom of the window), inside the window, through the CSSOM:
    // the CSP forbids style attributes, not style properties set by a script.
    const box = el.getBoundingClientRect();
    const width = tip.offsetWidth;
    const height = tip.offsetHeight;
    const left = Math.max(4, Math.min(box.left, window.innerWidth - width - 4));
    const below = box.bottom + 4 + height <= window.innerHeight;
    tip.style.left = `${Math.round(left)}px`;
    tip.style.top = `${Math.round(below ? box.bottom + 4 : Math.max(4, box.top - height - 4))}px`;
  }

  function hideTip() {
    const tip = doc.getElementById(TIP_ID);
    if (tip) {
      tip.hidden = true;
    }
    if (tipOwner && tipOwner.getAttribute("aria-describedby") === TIP_ID) {
      tipOwner.removeAttribute("aria-describedby");
    }
    tipOwner = null;
  }

  function listenTips() {
    doc.addEventListener("focusin", (event) => {
      const el = closest(event.target, "[data-tip]");
      if (el) {
        showTip(/** @type {HTMLElement} */ (el));
      } else {
        hideTip();
      }
    });
    doc.addEventListener("focusout", (event) => {
      if (tipOwner && event.target === tipOwner) {
        hideTip();
      }
    });
    doc.addEventListener("mouseover", (event) => {
      const el = closest(event.target, "[data-tip]");
      if (el && el !== tipOwner) {
        showTip(/** @type {HTMLElement} */ (el));
      } else if (!el && tipOwner && tipOwner !== doc.activeElement) {
        hideTip();
      }
    });
    doc.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && tipOwner) {
        hideTip(); // WCAG 1.4.13: a tooltip can be dismissed without moving focus
      }
    });
    window.addEventListener("scroll", () => hideTip(), { capture: true, passive: true });
  }

  /* --- disclosures that float over the page (the tenant picker, More filters) -------------------------------- */

  const FLOATING = "details.dropdown, details.more-filters";

  /**
   * Close the open floating disclosures that do not hold `el`, as a menu would: a click or focus elsewhere.
   * @param {EventTarget | null} el
   */
  function closeFloating(el) {
    for (const details of doc.querySelectorAll(`${FLOATING.replace(/, /g, "[open], ")}[open]`)) {
      if (!(el instanceof Node) || !details.contains(el)) {
        /** @type {HTMLDetailsElement} */ (details).open = false;
      }
    }
  }

  function listenFloating() {
    doc.addEventListener("click", (event) => closeFloating(event.target));
    doc.addEventListener("focusin", (event) => closeFloating(event.target));
    doc.addEventListener("keydown", (event) => {
      const open = closest(doc.activeElement, FLOATING);
      if (event.key === "Escape" && open instanceof HTMLDetailsElement && open.open) {
        open.open = false;
        const summary = open.querySelector("summary");
        if (summary) {
          summary.focus();
        }
      }
    });
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
      copyText(button.getAttribute("data-copy") || "", button);
    } else if (button.hasAttribute("data-copy-target")) {
      const source = doc.getElementById(button.getAttribute("data-copy-target") || "");
      if (source) {
        copyText(textOf(source), button);
      }
    } else if (button.hasAttribute("data-download-target")) {
      const from = doc.getElementById(button.getAttribute("data-download-target") || "");
      if (from && button.parentElement) {
        const text = textOf(from);
        const name = button.getAttribute("data-filename") || "download.txt";
        download(name, text);
        fileText(button.parentElement, name, text);
      }
    }
  }

  const app = {
    h,
    svg,
    append,
    clear,
    closest,
    loadScript,
    store,
    announce,
    copyText,
    download,
    fileText,
    makeDialog,
    openDialog,
    closeDialog,
    tick,
    revealControls,
    keyboardTips,
    showTip,
    hideTip
  };
  Snapsite.app = app;

  // The helpers under their former flat names, for scripts and tests that drive a page (tests/browser).
  /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (window)).snapsiteApp = { ...Snapsite.format, ...app };

  doc.documentElement.classList.add("js");
  doc.addEventListener("click", onClick);
  revealControls(doc);
  keyboardTips(doc);
  listenTips();
  listenFloating();
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
  tick();
  window.setInterval(tick, TICK_MS);

  if (typeof module === "object" && module.exports) {
    module.exports = app;
  }
})();

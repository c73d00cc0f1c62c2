/* snapsite default theme: handing text to the user (Snapsite.handoff): the clipboard, or the text selected where
 * the clipboard is refused; files made in the browser (Blob), with a folded copy of their text where downloads are
 * blocked; and announcements for screen readers. Needs format.js, encode.js and dom.js.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { visible } = Snapsite.format;
  const { utf8 } = Snapsite.encode;
  const { h, closest } = Snapsite.dom;
  const doc = document;
  const SHOW_TEXT_LIMIT = 256 * 1024;

  /** @type {{ liveRegion: HTMLElement | null }} */
  const state = { liveRegion: null };

  /**
   * Tell screen readers (and sighted users, in the status line) what just happened.
   * @param {string} message
   */
  function announce(message) {
    if (!state.liveRegion) {
      state.liveRegion = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite", id: "snapsite-announcer" });
      doc.body.appendChild(state.liveRegion);
    }
    const region = state.liveRegion;
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

  const handoff = { announce, copyText, download, fileText };
  Snapsite.handoff = handoff;
  if (typeof module === "object" && module.exports) {
    module.exports = handoff;
  }
})();

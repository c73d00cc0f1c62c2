/* snapsite default theme: modal dialogs (Snapsite.dialog): focus moves in, is kept in, and goes back; Escape
 * closes. A <dialog> where supported, else a div with role=dialog. Needs dom.js.
 */
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
  const { h } = Snapsite.dom;
  const doc = document;

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
  function make(className, labelledBy) {
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
        close(dialog);
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
  function open(dialog, opener, onClose) {
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
  function close(dialog) {
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

  const dialog = { make, open, close };
  Snapsite.dialog = dialog;
  if (typeof module === "object" && module.exports) {
    module.exports = dialog;
  }
})();

/* snapsite default theme: building and finding elements, loading classic scripts, optional storage
 * (Snapsite.dom). Needs format.js.
 *
 * Snapshot text only ever reaches the page through textContent and setAttribute, with bidirectional controls
 * shown as <U+202E> like the server-side templates do.
 */
/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[]} Children */
/** @typedef {Record<string, string | number | boolean | null | undefined>} Attributes */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { visible } = Snapsite.format;
  const doc = document;

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

  const dom = { h, svg, append, clear, closest, loadScript, store };
  Snapsite.dom = dom;
  if (typeof module === "object" && module.exports) {
    module.exports = dom;
  }
})();

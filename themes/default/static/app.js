/* snapsite default theme: behaviour shared by every page.
 *
 * A plain classic script (no modules, no eval, no network): the site is opened from file:// under a CSP that only
 * allows scripts from the site's own folder. Everything is feature-detected and every failure degrades to the
 * static page. Snapshot text only ever reaches the page through textContent and setAttribute, with bidirectional
 * controls shown as <U+202E> like the server-side templates do.
 *
 * It gives every page: the header's staleness ticker (the snapshot's age by this computer's clock, every 30 s),
 * copy buttons (clipboard, or selecting the text where the clipboard is refused), file downloads made in the
 * browser (Blob), cooldown timers, modal dialogs, and the helpers the page scripts (runs-table.js, forms.js)
 * use through window.snapsiteApp.
 */
(function () {
  "use strict";

  var doc = document;
  var BIDI = /[\u202a-\u202e\u2066-\u2069]/;
  var BIDI_ALL = /[\u202a-\u202e\u2066-\u2069]/g;
  var TICK_MS = 30000;
  var AMBER_HOURS = 24;
  var RED_HOURS = 72;
  var STALENESS_WORDS = { green: "fresh", amber: "aging", red: "stale" };

  /* --- text and elements ------------------------------------------------------------------------------- */

  /** Snapshot text as the page shows it: bidirectional controls become visible `<U+202E>` text. */
  function visible(value) {
    if (value === null || value === undefined) {
      return "";
    }
    var text = String(value);
    if (!BIDI.test(text)) {
      return text;
    }
    return text.replace(BIDI_ALL, function (ch) {
      return "<U+" + ("000" + ch.charCodeAt(0).toString(16).toUpperCase()).slice(-4) + ">";
    });
  }

  /** An element: `attrs` are set with setAttribute (values made visible), `children` strings become text. */
  function h(tag, attrs, children) {
    var el = doc.createElement(tag);
    if (attrs) {
      for (var name in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, name)) {
          var value = attrs[name];
          if (value === null || value === undefined || value === false) {
            continue;
          }
          if (name === "text") {
            el.textContent = visible(value);
          } else if (name === "class") {
            el.className = value;
          } else {
            el.setAttribute(name, value === true ? "" : visible(value));
          }
        }
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    if (children === null || children === undefined || children === false) {
      return el;
    }
    if (!Array.isArray(children)) {
      children = [children];
    }
    for (var i = 0; i < children.length; i += 1) {
      var child = children[i];
      if (child === null || child === undefined || child === false) {
        continue;
      }
      el.appendChild(typeof child === "object" ? child : doc.createTextNode(visible(child)));
    }
    return el;
  }

  /** An SVG element (attributes only: the CSP forbids style attributes, not presentation attributes). */
  function svg(tag, attrs, children) {
    var el = doc.createElementNS("http:" + "//www.w3.org/2000/svg", tag);
    for (var name in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, name)) {
        el.setAttribute(name, visible(attrs[name]));
      }
    }
    return append(el, children);
  }

  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
    return el;
  }

  function closest(el, selector) {
    while (el && el.nodeType === 1) {
      if (el.matches ? el.matches(selector) : el.msMatchesSelector && el.msMatchesSelector(selector)) {
        return el;
      }
      el = el.parentNode;
    }
    return null;
  }

  /** A relative link target built from snapshot data: refused (null) unless it stays inside the site. */
  function safeHref(path) {
    if (typeof path !== "string" || !path || /^[a-zA-Z][a-zA-Z0-9+.-]*:|^[\\/]|(^|\/)\.\.(\/|$)|[\s\\]/.test(path)) {
      return null;
    }
    return path;
  }

  /* --- formatting (the same as generator/views/format.py) ----------------------------------------------- */

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) {
      text = "0" + text;
    }
    return text;
  }

  /** `1h 02m`, `3m 07s`, `12s`, or an em dash. */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || seconds !== seconds || seconds < 0) {
      return "\u2014";
    }
    var whole = Math.floor(seconds);
    var days = Math.floor(whole / 86400);
    var rest = whole % 86400;
    var hours = Math.floor(rest / 3600);
    rest %= 3600;
    var minutes = Math.floor(rest / 60);
    var secs = rest % 60;
    if (days) {
      return days + "d " + pad(hours, 2) + "h";
    }
    if (hours) {
      return hours + "h " + pad(minutes, 2) + "m";
    }
    if (minutes) {
      return minutes + "m " + pad(secs, 2) + "s";
    }
    return secs + "s";
  }

  /** Milliseconds of an RFC 3339 time (NaN when absent or unreadable); the common `...Z` form without Date.parse. */
  function parseTime(text) {
    if (typeof text !== "string") {
      return NaN;
    }
    if (text.length === 20 && text.charAt(19) === "Z" && text.charAt(10) === "T") {
      return Date.UTC(
        +text.slice(0, 4),
        +text.slice(5, 7) - 1,
        +text.slice(8, 10),
        +text.slice(11, 13),
        +text.slice(14, 16),
        +text.slice(17, 19)
      );
    }
    var human = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) UTC$/.exec(text);
    if (human) {
      return Date.UTC(+human[1], +human[2] - 1, +human[3], +human[4], +human[5], +human[6]);
    }
    return Date.parse(text);
  }

  /** RFC 3339 in UTC with seconds precision: `2026-11-20T12:00:00Z`. */
  function isoSeconds(ms) {
    if (ms !== ms) {
      return null;
    }
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  function humanTime(ms) {
    var iso = isoSeconds(ms);
    return iso ? iso.replace("T", " ").replace("Z", " UTC") : "\u2014";
  }

  function groupDigits(number) {
    return String(number).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /* --- bytes and SHA-256 (SubtleCrypto is missing on file:// in some browsers) ------------------------------ */

  /** UTF-8 bytes of a string; a lone surrogate becomes U+FFFD, as TextEncoder and Blob do. */
  function utf8(text) {
    var out = [];
    for (var i = 0; i < text.length; i += 1) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i += 1;
        } else {
          c = 0xfffd;
        }
      } else if (c >= 0xd800 && c <= 0xdfff) {
        c = 0xfffd;
      }
      if (c < 0x80) {
        out.push(c);
      } else if (c < 0x800) {
        out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      } else if (c < 0x10000) {
        out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      } else {
        out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
    }
    return new Uint8Array(out);
  }

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2
  ];

  /** The SHA-256 of `bytes` (a Uint8Array, or a string taken as UTF-8) as 64 lowercase hex digits. */
  function sha256Hex(bytes) {
    if (typeof bytes === "string") {
      bytes = utf8(bytes);
    }
    var length = bytes.length;
    var blocks = Math.floor((length + 8) / 64) + 1;
    var data = new Uint8Array(blocks * 64);
    data.set(bytes);
    data[length] = 0x80;
    var bitsHigh = Math.floor(length / 0x20000000);
    var bitsLow = (length * 8) >>> 0;
    var end = data.length;
    data[end - 8] = (bitsHigh >>> 24) & 255;
    data[end - 7] = (bitsHigh >>> 16) & 255;
    data[end - 6] = (bitsHigh >>> 8) & 255;
    data[end - 5] = bitsHigh & 255;
    data[end - 4] = (bitsLow >>> 24) & 255;
    data[end - 3] = (bitsLow >>> 16) & 255;
    data[end - 2] = (bitsLow >>> 8) & 255;
    data[end - 1] = bitsLow & 255;
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var W = new Array(64);
    for (var offset = 0; offset < end; offset += 64) {
      var t;
      for (t = 0; t < 16; t += 1) {
        var p = offset + t * 4;
        W[t] = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
      }
      for (t = 16; t < 64; t += 1) {
        var w15 = W[t - 15];
        var w2 = W[t - 2];
        var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], hh = H[7];
      for (t = 0; t < 64; t += 1) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (hh + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0;
      H[1] = (H[1] + b) | 0;
      H[2] = (H[2] + c) | 0;
      H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0;
      H[5] = (H[5] + f) | 0;
      H[6] = (H[6] + g) | 0;
      H[7] = (H[7] + hh) | 0;
    }
    var hex = "";
    for (var i = 0; i < 8; i += 1) {
      hex += ("0000000" + (H[i] >>> 0).toString(16)).slice(-8);
    }
    return hex;
  }

  /* --- names, shell and CSV (the same rules as generator/names.py and generator/downloads.py) ------------- */

  var CODE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
  var RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
  var runbookNames = {};

  /** A portable file stem for an id: its readable part and 10 hex digits of its sha256. */
  function slug(identifier) {
    var readable = identifier.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    readable = readable.slice(0, 64).replace(/-+$/, "") || "x";
    return readable + "-" + sha256Hex(identifier).slice(0, 10);
  }

  /** The file stem of an error code's runbook page (runbooks/<name>.html). */
  function runbookName(code) {
    if (!Object.prototype.hasOwnProperty.call(runbookNames, code)) {
      runbookNames[code] = CODE.test(code) && !RESERVED.test(code + ".html") ? code : slug(code);
    }
    return runbookNames[code];
  }

  /** One shell word: always single-quoted, a quote inside written as '"'"'. */
  function shQuote(word) {
    return "'" + String(word).replace(/'/g, "'\"'\"'") + "'";
  }

  /** Text safe inside a shell comment line (no line breaks or other controls, no bidi overrides). */
  function commentSafe(text) {
    return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, "?");
  }

  /** A CSV cell (RFC 4180) that a spreadsheet will not run as a formula. */
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) {
      text = "'" + text;
    }
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  /** JSON with object keys sorted at every level and no insignificant whitespace. */
  function canonicalJson(value) {
    if (Array.isArray(value)) {
      return "[" + value.map(canonicalJson).join(",") + "]";
    }
    if (value !== null && typeof value === "object") {
      return (
        "{" +
        Object.keys(value)
          .sort()
          .map(function (key) {
            return JSON.stringify(key) + ":" + canonicalJson(value[key]);
          })
          .join(",") +
        "}"
      );
    }
    return JSON.stringify(value);
  }

  /* --- storage: optional, and refused in sandboxed frames or locked-down browsers ------------------------- */

  var store = {
    get: function (key) {
      try {
        return window.localStorage ? window.localStorage.getItem("snapsite:" + key) : null;
      } catch (err) {
        return null;
      }
    },
    set: function (key, value) {
      try {
        if (window.localStorage) {
          window.localStorage.setItem("snapsite:" + key, value);
        }
      } catch (err) {
        /* storage disabled or full: the value simply is not remembered */
      }
    }
  };

  /* --- announcements, copying and downloads --------------------------------------------------------------- */

  var liveRegion = null;

  /** Tell screen readers (and sighted users, in the status line) what just happened. */
  function announce(message) {
    if (!liveRegion) {
      liveRegion = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite", id: "snapsite-announcer" });
      doc.body.appendChild(liveRegion);
    }
    liveRegion.textContent = "";
    window.setTimeout(function () {
      liveRegion.textContent = message;
    }, 30);
  }

  function flash(button, text) {
    if (!button) {
      return;
    }
    if (!button.hasAttribute("data-label")) {
      button.setAttribute("data-label", button.textContent);
    }
    button.textContent = text;
    window.setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
    }, 2000);
  }

  /** Select the text of `el` (a textarea, input or any element) so that the user can copy it by hand. */
  function selectText(el) {
    try {
      if (el.select && (el.tagName === "TEXTAREA" || el.tagName === "INPUT")) {
        el.focus();
        el.select();
        return true;
      }
      var selection = window.getSelection && window.getSelection();
      if (!selection) {
        return false;
      }
      var range = doc.createRange();
      range.selectNodeContents(el);
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    } catch (err) {
      return false;
    }
  }

  /** The element showing the text a copy button copies: a textarea or code beside it, made if missing. */
  function textBeside(button, text) {
    var target = button.getAttribute("data-copy-target");
    if (target && doc.getElementById(target)) {
      return doc.getElementById(target);
    }
    var box = closest(button, ".command") || button.parentNode;
    var shown = box && box.querySelector("textarea, code");
    if (shown && shown.textContent === visible(text)) {
      return shown;
    }
    var made = box && box.querySelector("textarea.copy-fallback");
    if (!made) {
      made = h("textarea", { class: "copy-fallback", readonly: true, rows: "3", "aria-label": "Text to copy" });
      button.parentNode.insertBefore(made, button.nextSibling);
    }
    made.value = text;
    return made;
  }

  /** Copy `text` to the clipboard; where the clipboard is refused (file://, policies), select it instead. */
  function copyText(text, button) {
    function fallback() {
      var el = textBeside(button, text);
      var copied = false;
      if (selectText(el)) {
        try {
          copied = !!(doc.execCommand && doc.execCommand("copy"));
        } catch (err) {
          copied = false;
        }
      }
      flash(button, copied ? "Copied" : "Selected");
      announce(copied ? "Copied to the clipboard." : "The text is selected: press Ctrl+C (or \u2318C) to copy it.");
    }
    var clipboard = navigator.clipboard;
    if (clipboard && typeof clipboard.writeText === "function" && window.isSecureContext !== false) {
      try {
        clipboard.writeText(text).then(function () {
          flash(button, "Copied");
          announce("Copied to the clipboard.");
        }, fallback);
        return;
      } catch (err) {
        /* fall through to selecting the text */
      }
    }
    fallback();
  }

  /**
   * Offer `text` as the file `name`, made in the browser (a Blob and a temporary <a download>). Returns false
   * where the browser cannot download that way; callers also show the text (fileText) so nothing is lost.
   */
  function download(name, text, mime) {
    try {
      var a = doc.createElement("a");
      if (!window.Blob || !window.URL || typeof URL.createObjectURL !== "function" || !("download" in a)) {
        return false;
      }
      var blob = new Blob([typeof text === "string" ? utf8(text) : text], { type: mime || "text/plain;charset=utf-8" });
      var url = URL.createObjectURL(blob);
      a.href = url;
      a.download = name;
      a.hidden = true;
      doc.body.appendChild(a);
      a.click();
      doc.body.removeChild(a);
      window.setTimeout(function () {
        URL.revokeObjectURL(url);
      }, 60000);
      announce("Downloading " + name + ".");
      return true;
    } catch (err) {
      return false;
    }
  }

  var SHOW_TEXT_LIMIT = 256 * 1024;

  /** A folded copy of a downloaded file's text, for browsers (or frames) that block downloads. */
  function fileText(container, name, text) {
    var old = container.querySelector("details.file-text[data-file='" + name.replace(/[^\w.-]/g, "") + "']");
    if (old) {
      old.parentNode.removeChild(old);
    }
    if (text.length > SHOW_TEXT_LIMIT) {
      return null;
    }
    var details = h("details", { class: "file-text", "data-file": name.replace(/[^\w.-]/g, "") }, [
      h("summary", null, "Show the text of " + name + " (if the download was blocked)"),
      h("textarea", { readonly: true, rows: "8", spellcheck: "false", "aria-label": "Text of " + name })
    ]);
    details.querySelector("textarea").value = text;
    container.appendChild(details);
    return details;
  }

  /* --- modal dialogs: focus moves in, is kept in, and goes back; Escape closes ------------------------------ */

  var FOCUSABLE =
    "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), " +
    "summary, [tabindex]:not([tabindex='-1'])";

  function focusables(root) {
    var all = root.querySelectorAll(FOCUSABLE);
    var shown = [];
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].offsetParent !== null || all[i] === doc.activeElement) {
        shown.push(all[i]);
      }
    }
    return shown;
  }

  /**
   * A dialog element (a <dialog> where supported, else a div with role=dialog). `onClose` runs after it closed
   * and focus went back to the element that opened it.
   */
  function makeDialog(className, labelledBy) {
    var native = typeof window.HTMLDialogElement === "function";
    var dialog = h(native ? "dialog" : "div", { class: className, "aria-labelledby": labelledBy });
    if (!native) {
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.className += " dialog-fallback";
      dialog.hidden = true;
    }
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !native) {
        event.preventDefault();
        closeDialog(dialog);
      } else if (event.key === "Tab") {
        var items = focusables(dialog);
        if (!items.length) {
          event.preventDefault();
          return;
        }
        var first = items[0];
        var last = items[items.length - 1];
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
      dialog.addEventListener("close", function () {
        afterClose(dialog);
      });
    }
    doc.body.appendChild(dialog);
    return dialog;
  }

  function openDialog(dialog, opener, onClose) {
    dialog._snapsiteOpener = opener || doc.activeElement;
    dialog._snapsiteOnClose = onClose || null;
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) {
        dialog.showModal();
      }
    } else {
      dialog.hidden = false;
      dialog._snapsiteOpen = true;
    }
    var items = focusables(dialog);
    var preferred = dialog.querySelector("[data-autofocus]") || items[0];
    if (preferred) {
      preferred.focus();
    }
  }

  function closeDialog(dialog) {
    if (typeof dialog.close === "function" && dialog.tagName === "DIALOG") {
      if (dialog.open) {
        dialog.close();
      }
    } else if (dialog._snapsiteOpen) {
      dialog._snapsiteOpen = false;
      dialog.hidden = true;
      afterClose(dialog);
    }
  }

  function afterClose(dialog) {
    var opener = dialog._snapsiteOpener;
    var onClose = dialog._snapsiteOnClose;
    dialog._snapsiteOpener = null;
    dialog._snapsiteOnClose = null;
    var target = onClose ? onClose(opener) || opener : opener;
    if (target && target.focus && doc.contains(target)) {
      target.focus();
    }
  }

  /* --- classic <script src> loading (file:// forbids fetch and modules) ----------------------------------- */

  /** Load a classic script of the site; `done(ok)` runs after it ran (or failed). */
  function loadScript(src, done) {
    var script = doc.createElement("script");
    script.src = src;
    script.async = false;
    script.onload = function () {
      script.parentNode.removeChild(script);
      done(true);
    };
    script.onerror = function () {
      script.parentNode.removeChild(script);
      done(false);
    };
    (doc.head || doc.body).appendChild(script);
  }

  /* --- page behaviour ------------------------------------------------------------------------------------ */

  /** The header's ticker: the snapshot's age by this computer's clock and its staleness colour. */
  function tickStaleness() {
    var now = Date.now();
    var items = doc.querySelectorAll(".staleness[data-created-at]");
    for (var i = 0; i < items.length; i += 1) {
      var el = items[i];
      var created = parseTime(el.getAttribute("data-created-at"));
      if (created !== created) {
        continue;
      }
      var windowHours = parseFloat(el.getAttribute("data-staleness-window-hours"));
      if (!(windowHours > 0)) {
        windowHours = RED_HOURS;
      }
      var age = Math.max(0, Math.floor((now - created) / 1000));
      var hours = age / 3600;
      var level = hours > Math.min(RED_HOURS, windowHours) ? "red" : hours >= AMBER_HOURS ? "amber" : "green";
      el.classList.remove("staleness-green", "staleness-amber", "staleness-red");
      el.classList.add("staleness-" + level);
      el.setAttribute("data-staleness", level);
      var hint = doc.querySelector("[data-stale-hint]"); // the attention strip's next step (index.html)
      if (hint) {
        hint.hidden = level !== "red";
      }
      el.setAttribute("title", "Age by this computer's clock, updated every 30 seconds");
      el.textContent = (age ? duration(age) : "0s") + " old (" + STALENESS_WORDS[level] + ")";
    }
  }

  /** Segment cooldowns: how long until the cooldown ends, by this computer's clock. */
  function tickCooldowns() {
    var now = Date.now();
    var items = doc.querySelectorAll("[data-cooldown-until]");
    for (var i = 0; i < items.length; i += 1) {
      var until = parseTime(items[i].getAttribute("data-cooldown-until"));
      if (until !== until) {
        continue;
      }
      var left = Math.ceil((until - now) / 1000);
      items[i].textContent =
        left > 0 ? "retry possible in " + duration(left) + " by this computer's clock" : "over by this computer's clock";
    }
  }

  function tick() {
    tickStaleness();
    tickCooldowns();
  }

  function revealControls(root) {
    var hidden = (root || doc).querySelectorAll("button[data-copy][hidden], [data-needs-script][hidden]");
    for (var i = 0; i < hidden.length; i += 1) {
      hidden[i].hidden = false;
    }
  }

  /** Scrolling regions that hold nothing focusable get a tab stop, so keyboard users can scroll them. */
  function focusableScrollers() {
    var wraps = doc.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i += 1) {
      var wrap = wraps[i];
      if (!wrap.hasAttribute("tabindex") && !wrap.querySelector("a[href], button, input, select, textarea")) {
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", caption ? caption.textContent : "Table");
      }
    }
  }

  function onClick(event) {
    var button = closest(event.target, "button");
    if (!button) {
      return;
    }
    if (button.hasAttribute("data-copy")) {
      copyText(button.getAttribute("data-copy"), button);
    } else if (button.hasAttribute("data-copy-target")) {
      var source = doc.getElementById(button.getAttribute("data-copy-target"));
      if (source) {
        copyText("value" in source ? source.value : source.textContent, button);
      }
    } else if (button.hasAttribute("data-download-target")) {
      var from = doc.getElementById(button.getAttribute("data-download-target"));
      if (from) {
        var text = "value" in from ? from.value : from.textContent;
        var name = button.getAttribute("data-filename") || "download.txt";
        download(name, text);
        fileText(button.parentNode, name, text);
      }
    }
  }

  var app = {
    visible: visible,
    h: h,
    svg: svg,
    append: append,
    clear: clear,
    closest: closest,
    safeHref: safeHref,
    pad: pad,
    duration: duration,
    parseTime: parseTime,
    isoSeconds: isoSeconds,
    humanTime: humanTime,
    groupDigits: groupDigits,
    utf8: utf8,
    sha256Hex: sha256Hex,
    slug: slug,
    runbookName: runbookName,
    shQuote: shQuote,
    commentSafe: commentSafe,
    csvCell: csvCell,
    canonicalJson: canonicalJson,
    store: store,
    announce: announce,
    copyText: copyText,
    download: download,
    fileText: fileText,
    makeDialog: makeDialog,
    openDialog: openDialog,
    closeDialog: closeDialog,
    loadScript: loadScript,
    revealControls: revealControls,
    tick: tick
  };
  window.snapsiteApp = app;

  doc.documentElement.classList.add("js");
  doc.addEventListener("click", onClick);
  revealControls(doc);
  focusableScrollers();
  tick();
  window.setInterval(tick, TICK_MS);
})();

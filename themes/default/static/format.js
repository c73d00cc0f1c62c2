/* snapsite default theme: how values are written on the page (the same rules as generator/views/format.py).
 *
 * Pure functions, no DOM: loaded first on every page (Snapsite.format), and by Node for the unit tests in
 * tests/js. Every script of the theme is a classic script (file:// forbids modules) that adds one member to the
 * one global, Snapsite.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));

  const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
  const BIDI_ALL = /[\u202a-\u202e\u2066-\u2069]/g;
  const DASH = "\u2014";

  /**
   * Snapshot text as the page shows it: bidirectional controls become visible `<U+202E>` text.
   * @param {unknown} value
   * @returns {string}
   */
  function visible(value) {
    if (value === null || value === undefined) {
      return "";
    }
    const text = String(value);
    if (!BIDI.test(text)) {
      return text;
    }
    return text.replace(BIDI_ALL, (ch) => `<U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}>`);
  }

  /**
   * A value made safe for a class name: letters, digits, `_` and `-` only.
   * @param {unknown} value
   */
  function safeClass(value) {
    return String(value).replace(/[^A-Za-z0-9_-]/g, "");
  }

  /**
   * @param {number | string} number
   * @param {number} width
   */
  function pad(number, width) {
    return String(number).padStart(width, "0");
  }

  /**
   * `1h 02m`, `3m 07s`, `12s`, or an em dash.
   * @param {number | null | undefined} seconds
   */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds) || seconds < 0) {
      return DASH;
    }
    const whole = Math.floor(seconds);
    const days = Math.floor(whole / 86400);
    let rest = whole % 86400;
    const hours = Math.floor(rest / 3600);
    rest %= 3600;
    const minutes = Math.floor(rest / 60);
    const secs = rest % 60;
    if (days) {
      return `${days}d ${pad(hours, 2)}h`;
    }
    if (hours) {
      return `${hours}h ${pad(minutes, 2)}m`;
    }
    if (minutes) {
      return `${minutes}m ${pad(secs, 2)}s`;
    }
    return `${secs}s`;
  }

  /**
   * Milliseconds of an RFC 3339 time (NaN when absent or unreadable); the common `...Z` form without Date.parse.
   * @param {unknown} text
   */
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
    const human = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) UTC$/.exec(text);
    if (human) {
      return Date.UTC(+human[1], +human[2] - 1, +human[3], +human[4], +human[5], +human[6]);
    }
    return Date.parse(text);
  }

  /**
   * RFC 3339 in UTC with seconds precision: `2026-11-20T12:00:00Z` (null for NaN).
   * @param {number} ms
   */
  function isoSeconds(ms) {
    if (Number.isNaN(ms)) {
      return null;
    }
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /**
   * `2026-11-20 12:00:00 UTC`, or an em dash.
   * @param {number} ms
   */
  function humanTime(ms) {
    const iso = isoSeconds(ms);
    return iso ? iso.replace("T", " ").replace("Z", " UTC") : DASH;
  }

  /**
   * `1234567` as `1,234,567`.
   * @param {number | string} number
   */
  function groupDigits(number) {
    return String(number).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  const format = { visible, safeClass, pad, duration, parseTime, isoSeconds, humanTime, groupDigits };
  Snapsite.format = format;
  if (typeof module === "object" && module.exports) {
    module.exports = format;
  }
})();

/* snapsite default theme: how values are written (Snapsite.format; the same rules as generator/views/format.py,
 * generator/names.py and generator/downloads.py): on the page (durations, times, digits, bidirectional controls made
 * visible, class names), and where snapshot text goes from there: UTF-8 and SHA-256, portable file names, shell
 * words and comments, CSV cells, canonical JSON and relative links.
 *
 * Pure functions, no DOM: loaded first on every page, and by Node for the unit tests in tests/js. Every script of
 * the theme is a classic script (file:// forbids modules) that adds one member to the one global, Snapsite.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));

  /* --- on the page ---------------------------------------------------------------------------------------- */

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

  /**
   * A run id short enough for a row: the console's `run:<tenant>:<time>:<nonce>` shows its nonce (the tenant and
   * the time have their own columns); any other id longer than 20 characters keeps its first 8 and last 8 around
   * an ellipsis. The row keeps the whole id in its link's tooltip and label, and in `data-run-id`.
   * @param {string} id
   */
  function shortId(id) {
    const parts = /^run:[^:]+:\d{8}T\d{6}Z:([^:]{1,16})$/.exec(id);
    if (parts) {
      return parts[1];
    }
    // Counted in code points, as RunRow.short_id does in Python: slicing UTF-16 units could cut a character of
    // an astral plane in half and make a static row and a drawn row disagree.
    const chars = Array.from(id);
    return chars.length > 20 ? `${chars.slice(0, 8).join("")}\u2026${chars.slice(-8).join("")}` : id;
  }

  /* --- bytes and SHA-256 (SubtleCrypto is missing on file:// in some browsers) ------------------------------ */

  /**
   * UTF-8 bytes of a string; a lone surrogate becomes U+FFFD, as TextEncoder and Blob do.
   * @param {string} text
   */
  function utf8(text) {
    /** @type {number[]} */
    const out = [];
    for (let i = 0; i < text.length; i += 1) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
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

  const K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2
  ];

  /**
   * The SHA-256 of `input` (bytes, or a string taken as UTF-8) as 64 lowercase hex digits.
   * @param {Uint8Array | string} input
   */
  function sha256Hex(input) {
    const bytes = typeof input === "string" ? utf8(input) : input;
    const length = bytes.length;
    const blocks = Math.floor((length + 8) / 64) + 1;
    const data = new Uint8Array(blocks * 64);
    data.set(bytes);
    data[length] = 0x80;
    const bitsHigh = Math.floor(length / 0x20000000);
    const bitsLow = (length * 8) >>> 0;
    const end = data.length;
    data[end - 8] = (bitsHigh >>> 24) & 255;
    data[end - 7] = (bitsHigh >>> 16) & 255;
    data[end - 6] = (bitsHigh >>> 8) & 255;
    data[end - 5] = bitsHigh & 255;
    data[end - 4] = (bitsLow >>> 24) & 255;
    data[end - 3] = (bitsLow >>> 16) & 255;
    data[end - 2] = (bitsLow >>> 8) & 255;
    data[end - 1] = bitsLow & 255;
    const H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    const W = new Array(64).fill(0);
    for (let offset = 0; offset < end; offset += 64) {
      for (let t = 0; t < 16; t += 1) {
        const p = offset + t * 4;
        W[t] = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
      }
      for (let t = 16; t < 64; t += 1) {
        const w15 = W[t - 15];
        const w2 = W[t - 2];
        const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = H;
      for (let t = 0; t < 64; t += 1) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (hh + S1 + ch + K[t] + W[t]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) | 0;
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
    return H.map((word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
  }

  /* --- names, shell, CSV, JSON and links --------------------------------------------------------------------- */

  const CODE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
  const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
  /** @type {Map<string, string>} */
  const runbookNames = new Map();

  /**
   * A portable file stem for an id: its readable part and 10 hex digits of its sha256.
   * @param {string} identifier
   */
  function slug(identifier) {
    let readable = identifier.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    readable = readable.slice(0, 64).replace(/-+$/, "") || "x";
    return `${readable}-${sha256Hex(identifier).slice(0, 10)}`;
  }

  /**
   * The file stem of an error code's runbook page (runbooks/<name>.html).
   * @param {string} code
   */
  function runbookName(code) {
    let name = runbookNames.get(code);
    if (name === undefined) {
      name = CODE.test(code) && !RESERVED.test(`${code}.html`) ? code : slug(code);
      runbookNames.set(code, name);
    }
    return name;
  }

  /**
   * One shell word: always single-quoted, a quote inside written as '"'"'.
   * @param {unknown} word
   */
  function shQuote(word) {
    return `'${String(word).replace(/'/g, `'"'"'`)}'`;
  }

  /**
   * Text safe inside a shell comment line (no line breaks or other controls, no bidi overrides).
   * @param {unknown} text
   */
  function commentSafe(text) {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
    return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, "?");
  }

  /**
   * A CSV cell (RFC 4180) that a spreadsheet will not run as a formula: one starting with `=`, `+`, `-`, `@`, tab
   * or CR gets a leading `'`.
   * @param {unknown} value
   */
  function csvCell(value) {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) {
      text = `'${text}`;
    }
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  /**
   * JSON with object keys sorted at every level and no insignificant whitespace.
   * @param {unknown} value
   * @returns {string}
   */
  function canonicalJson(value) {
    if (Array.isArray(value)) {
      return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
      const object = /** @type {Record<string, unknown>} */ (value);
      const members = Object.keys(object)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
      return `{${members.join(",")}}`;
    }
    return JSON.stringify(value);
  }

  /**
   * A relative link target built from snapshot data: refused (null) unless it stays inside the site.
   * @param {unknown} path
   * @returns {string | null}
   */
  function safeHref(path) {
    if (typeof path !== "string" || !path || /^[a-zA-Z][a-zA-Z0-9+.-]*:|^[\\/]|(^|\/)\.\.(\/|$)|[\s\\]/.test(path)) {
      return null;
    }
    return path;
  }

  const format = {
    visible,
    safeClass,
    pad,
    duration,
    parseTime,
    isoSeconds,
    humanTime,
    groupDigits,
    shortId,
    utf8,
    sha256Hex,
    slug,
    runbookName,
    shQuote,
    commentSafe,
    csvCell,
    canonicalJson,
    safeHref
  };
  Snapsite.format = format;
  if (typeof module === "object" && module.exports) {
    module.exports = format;
  }
})();

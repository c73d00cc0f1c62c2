/* snapsite default theme: the runs of the workspace as columns (Snapsite.runsData). Needs format.js.
 *
 * data/meta.js names the fields; each data/runs-NNNN.js adds rows (arrays in that order). They are taken in chunk
 * by chunk into columns made once: numbers and times in Float64Arrays (NaN for none), repeated text as dictionary
 * codes in Uint32Arrays (0 for none), other text as strings, plus a lowercase search text (id and correlation id)
 * per run. The selection is a Uint8Array beside them.
 *
 * No DOM; Node loads this file for the unit tests in tests/js.
 */
/** @typedef {"number" | "time" | "coded" | "text"} Kind */
/** @typedef {Float64Array | Uint32Array | (string | null)[]} Column */
/**
 * What data/meta.js says (the fields the row arrays follow, and the build's facts).
 * @typedef {object} Meta
 * @property {string[]} fields
 * @property {number} [runs]
 * @property {string} [snapshotId]
 * @property {string} [createdAt]  the snapshot's time: the site's "now" (the Created column counts back from it)
 * @property {string[]} [scopes]
 * @property {[string, string][]} [tenants]  id and name of each tenant
 * @property {Schedule[]} [schedules]
 */
/**
 * What data/changes.js says in a `--since` build: each changed run's [kind, state before, resolved by].
 * @typedef {object} Changes
 * @property {string} since  the older snapshot's id
 * @property {Record<string, [string, string | null, string | null]>} rows
 * @property {number} vanished
 */
/**
 * A schedule of the Scheduled tab.
 * @typedef {object} Schedule
 * @property {string} id
 * @property {string} name
 * @property {string} tenantId
 * @property {string} [cron]
 * @property {string} [timezone]
 * @property {string} [status]
 * @property {string | null} [nextRun]
 * @property {string | null} [problem]
 * @property {string | null} [earliestAfterResume]
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { parseTime, isoSeconds } = Snapsite.format;

  const NUMBERS = [
    "durationSeconds", "running", "progressPct", "processed", "total", "newFindings", "newCriticals", "newHigh",
    "newMedium", "newLow", "resolved", "quieted", "severityShifts", "kevAdditions", "shardCount", "detailFile"
  ];
  const TIMES = ["createdAt", "startedAt", "finishedAt"];
  const CODED = [
    "tenantId", "scheduleId", "scheduleName", "trigger", "mode", "state", "initiator", "policyRevision", "errorCode",
    "errorMessage", "badges", "retryOf"
  ];
  const REQUIRED = ["id", "slug", "correlationId", "tenantId", "state", "createdAt", "detailFile"];
  /** The kinds of change of the changes tab (site contract), by code; 0 is no change. */
  const CHANGE_KINDS = [null, "new", "state", "resolved"];

  /**
   * The kind of column a field is kept in.
   * @param {string} field
   * @returns {Kind}
   */
  function kindOf(field) {
    if (NUMBERS.includes(field)) {
      return "number";
    }
    if (TIMES.includes(field)) {
      return "time";
    }
    if (CODED.includes(field)) {
      return "coded";
    }
    return "text";
  }

  /** The distinct values of a coded field; code 0 is "none". */
  class Dict {
    constructor() {
      /** @type {unknown[]} */
      this.values = [null];
      /** @type {Map<unknown, number>} */
      this.index = new Map();
      /** @type {(string | null)[] | null} */
      this.lower = null;
      /** @type {Float64Array | null} */
      this.rank = null;
    }

    /**
     * The code of `value`, added if new (0 for null and undefined).
     * @param {unknown} value
     */
    code(value) {
      if (value === null || value === undefined) {
        return 0;
      }
      let code = this.index.get(value);
      if (code === undefined) {
        code = this.values.length;
        this.values.push(value);
        this.index.set(value, code);
        this.lower = null;
        this.rank = null;
      }
      return code;
    }

    /**
     * Flags, by code, of the values containing `needle` (lowercase).
     * @param {string} needle
     */
    matching(needle) {
      if (!this.lower) {
        this.lower = this.values.map((v) => (v === null ? null : String(v).toLowerCase()));
      }
      const lower = this.lower;
      const flags = new Uint8Array(this.values.length);
      for (let c = 1; c < lower.length; c += 1) {
        flags[c] = String(lower[c]).includes(needle) ? 1 : 0;
      }
      return flags;
    }

    /** The sort rank of each code (null: NaN, sorted last by the comparator). */
    ranks() {
      if (!this.rank) {
        const values = /** @type {any[]} */ (this.values);
        const codes = [];
        for (let c = 1; c < values.length; c += 1) {
          codes.push(c);
        }
        codes.sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
        const rank = new Float64Array(values.length);
        rank[0] = NaN;
        codes.forEach((code, r) => {
          rank[code] = r;
        });
        this.rank = rank;
      }
      return this.rank;
    }
  }

  /** The runs in columns, filled chunk by chunk, with the selection and cached sort orders. */
  class RunStore {
    /**
     * @param {Meta} meta
     * @param {Changes | null} [changes]  data/changes.js of a `--since` build
     */
    constructor(meta, changes = null) {
      this.meta = meta;
      /** @type {Record<string, [string, string | null, string | null]> | null} */
      this.changeRows = changes && changes.rows ? changes.rows : null;
      /** each run's kind of change since the older snapshot (a CHANGE_KINDS code) */
      this.change = new Uint8Array(0);
      /** @type {(string | null)[]} each changed run's state in the older snapshot */
      this.stateBefore = [];
      this.fields = meta.fields.slice();
      /** @type {Record<string, Kind>} */
      this.kinds = {};
      /** @type {Record<string, Dict>} */
      this.dicts = {};
      /** @type {Record<string, any>} columns by field (Float64Array, Uint32Array or an array of strings) */
      this.cols = {};
      /** @type {string[]} */
      this.search = [];
      this.n = 0;
      this.capacity = 0;
      this.selected = new Uint8Array(0);
      this.selectedCount = 0;
      /** @type {Record<string, Uint32Array>} sort orders by "field:asc" / "field:desc" */
      this.permutations = {};
      /** a reused buffer for the filtered order */
      this.buffer = new Uint32Array(0);
      for (const field of this.fields) {
        this.kinds[field] = kindOf(field);
        if (this.kinds[field] === "coded") {
          this.dicts[field] = new Dict();
        }
      }
      for (const field of REQUIRED) {
        if (!this.fields.includes(field)) {
          throw new Error(`data/meta.js lacks the field ${field}`);
        }
      }
      this.grow(meta.runs || 0);
    }

    /** @param {number} min */
    grow(min) {
      if (this.capacity >= min) {
        return;
      }
      const capacity = Math.max(min, this.capacity * 2, 1024);
      for (const field of this.fields) {
        const old = this.cols[field];
        const kind = this.kinds[field];
        let col;
        if (kind === "number" || kind === "time") {
          col = new Float64Array(capacity);
        } else if (kind === "coded") {
          col = new Uint32Array(capacity);
        } else {
          col = old || [];
        }
        if (old && col !== old) {
          col.set(old.subarray(0, this.n));
        }
        this.cols[field] = col;
      }
      const selected = new Uint8Array(capacity);
      selected.set(this.selected.subarray(0, this.n));
      this.selected = selected;
      const change = new Uint8Array(capacity);
      change.set(this.change.subarray(0, this.n));
      this.change = change;
      this.capacity = capacity;
    }

    /**
     * Take in rows (arrays in the order of meta.fields).
     * @param {unknown[][]} rows
     */
    ingest(rows) {
      this.grow(this.n + rows.length);
      const fields = this.fields;
      const width = fields.length;
      const sinks = fields.map((field) => {
        const col = this.cols[field];
        const kind = this.kinds[field];
        if (kind === "number") {
          return (/** @type {number} */ i, /** @type {any} */ v) => {
            col[i] = v === null || v === undefined ? NaN : +v;
          };
        }
        if (kind === "time") {
          return (/** @type {number} */ i, /** @type {any} */ v) => {
            col[i] = parseTime(v);
          };
        }
        if (kind === "coded") {
          const dict = this.dicts[field];
          return field === "badges"
            ? (/** @type {number} */ i, /** @type {any} */ v) => {
                col[i] = dict.code(v && v.length ? v.join(" ") : null);
              }
            : (/** @type {number} */ i, /** @type {any} */ v) => {
                col[i] = dict.code(v);
              };
        }
        return (/** @type {number} */ i, /** @type {any} */ v) => {
          col[i] = v === undefined ? null : v;
        };
      });
      const idAt = fields.indexOf("id");
      const correlationAt = fields.indexOf("correlationId");
      const changeRows = this.changeRows;
      for (const row of rows) {
        const i = this.n;
        for (let k = 0; k < width; k += 1) {
          sinks[k](i, row[k]);
        }
        this.search[i] = `${String(row[idAt])}\n${String(row[correlationAt])}`.toLowerCase();
        const changed = changeRows !== null && Object.hasOwn(changeRows, String(row[idAt]))
          ? changeRows[String(row[idAt])]
          : null;
        this.change[i] = changed ? Math.max(0, CHANGE_KINDS.indexOf(changed[0])) : 0;
        this.stateBefore[i] = changed ? changed[1] : null;
        this.n += 1;
      }
      this.permutations = {};
    }

    /**
     * A run's value of `field` as the data files had it.
     * @param {string} field
     * @param {number} i
     * @returns {any}
     */
    value(field, i) {
      const kind = this.kinds[field];
      const v = this.cols[field][i];
      if (kind === "number") {
        return Number.isNaN(v) ? null : field === "running" ? v === 1 : v;
      }
      if (kind === "time") {
        return isoSeconds(v);
      }
      if (kind === "coded") {
        const decoded = this.dicts[field].values[v];
        return field === "badges" ? (decoded ? String(decoded).split(" ") : []) : decoded;
      }
      return v;
    }

    /**
     * The text of a coded field of run `i` (null for none).
     * @param {string} field
     * @param {number} i
     * @returns {any}
     */
    text(field, i) {
      return this.dicts[field].values[this.cols[field][i]];
    }

    /**
     * Run `i`'s kind of change since the older snapshot (`new`, `state`, `resolved`) and its state then, or null.
     * @param {number} i
     * @returns {{ kind: string, stateBefore: string | null } | null}
     */
    changeOf(i) {
      const kind = CHANGE_KINDS[this.change[i]];
      return kind ? { kind, stateBefore: this.stateBefore[i] } : null;
    }

    /**
     * @param {number} run
     * @param {boolean} on
     */
    setSelected(run, on) {
      if ((this.selected[run] === 1) !== on) {
        this.selected[run] = on ? 1 : 0;
        this.selectedCount += on ? 1 : -1;
      }
    }

    clearSelection() {
      this.selected.fill(0);
      this.selectedCount = 0;
    }

    /** The selected runs, in data order. */
    selectedRuns() {
      const runs = [];
      for (let i = 0; i < this.n; i += 1) {
        if (this.selected[i] === 1) {
          runs.push(i);
        }
      }
      return runs;
    }

    /**
     * The name of a tenant (its id when meta.js does not name it).
     * @param {string} id
     */
    tenantName(id) {
      const named = (this.meta.tenants || []).find((pair) => pair[0] === id);
      return named ? named[1] : id;
    }
  }

  const runsData = { kindOf, Dict, RunStore, CHANGE_KINDS };
  Snapsite.runsData = runsData;
  if (typeof module === "object" && module.exports) {
    module.exports = runsData;
  }
})();

/* snapsite default theme: which runs a view shows, in which order (Snapsite.filters). Needs format.js,
 * url-state.js and runs-data.js.
 *
 * The site contract's filters: tab (active = planning, queued, running; completed = completed, cancelled;
 * failures = error; all), tenant (repeatable: OR), trigger, state, schedule (scheduleId), severity (critical:
 * newCriticals > 0, high: newHigh > 0), policy (policyRevision), from / to (createdAt, an RFC 3339 date or
 * date-time; from inclusive, to exclusive), shard (shardCount), error (errorCode), q (case-insensitive substring
 * of run id, correlation id, initiator, schedule name or error message), resolved (no: runs no completed retry
 * resolved, yes: failures one did). This theme adds evidence (problem: runs with invalid or untrusted evidence;
 * invalid; untrusted). Keys combine with AND. The Failures tab lists open failures first, then the resolved ones,
 * each part in the sort's order. The Scheduled tab lists schedules, to which only tenant, schedule and q
 * (schedule name or id) apply.
 * The changes tab of a `--since` build shows the runs new or changed since the older snapshot (runs-data.js's
 * `change`), any state.
 *
 * No DOM; Node loads this file for the unit tests in tests/js.
 */
/**
 * The result of filtering the runs: the run indices of the view's tab in sort order (`order[0..n)`; the array
 * is reused by the next call), and the count of each runs tab under the same filters.
 * @typedef {object} RunsResult
 * @property {Uint32Array} order
 * @property {number} n
 * @property {number[]} counts  active, completed, failures, other
 * @property {number} total
 * @property {number} resolvedFailures  failures among the matches that a completed retry resolved
 * @property {number} changed  the count of the changes tab (runs new or changed since the older snapshot)
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { parseTime } = Snapsite.format;
  const { sortOf } = Snapsite.urlState;

  /** @typedef {import("./runs-data.js").RunStore} RunStore */
  /** @typedef {import("./runs-data.js").Schedule} Schedule */
  /** @typedef {import("./url-state.js").ViewState} ViewState */

  /** The tab of each run state (counts[] index); any other state counts in slot 3. */
  const TAB_OF_STATE = { planning: 0, queued: 0, running: 0, completed: 1, cancelled: 1, error: 2 };
  /** @type {Record<string, number>} */
  const RUN_TAB = { active: 0, completed: 1, failures: 2 };
  const OTHER_TAB = 3;
  const NO_FILTER = -1;
  const NO_MATCH = -2;
  const EVIDENCE_ALERTS = ["problem", "invalid", "untrusted"];

  /**
   * Run indices in sort order (null: the data's own order, newest first, which is -createdAt).
   * @param {RunStore} runs
   * @param {string} field
   * @param {boolean} desc
   * @returns {Uint32Array | null}
   */
  function permutation(runs, field, desc) {
    if (field === "createdAt" && desc) {
      return null;
    }
    const key = `${field}:${desc ? "desc" : "asc"}`;
    const cached = runs.permutations[key];
    if (cached) {
      return cached;
    }
    const n = runs.n;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i += 1) {
      order[i] = i;
    }
    const dir = desc ? -1 : 1;
    const kind = runs.kinds[field];
    /** @type {(a: number, b: number) => number} */
    let compare;
    if (kind === "text") {
      const strings = runs.cols[field];
      compare = (a, b) => {
        const x = strings[a];
        const y = strings[b];
        if (x === null || y === null) {
          return x === y ? a - b : x === null ? 1 : -1;
        }
        return x < y ? -dir : x > y ? dir : a - b;
      };
    } else {
      let keys;
      if (kind === "coded") {
        const ranks = runs.dicts[field].ranks();
        const codes = runs.cols[field];
        keys = new Float64Array(n);
        for (let j = 0; j < n; j += 1) {
          keys[j] = ranks[codes[j]];
        }
      } else {
        keys = runs.cols[field];
      }
      compare = (a, b) => {
        const x = keys[a];
        const y = keys[b];
        if (Number.isNaN(x) || Number.isNaN(y)) {
          return Number.isNaN(x) && Number.isNaN(y) ? a - b : Number.isNaN(x) ? 1 : -1;
        }
        return x < y ? -dir : x > y ? dir : a - b;
      };
    }
    order.sort(compare);
    runs.permutations[key] = order;
    return order;
  }

  /**
   * The code of `value` in the dictionary of `field`: -1 for no filter, -2 for a value no run has.
   * @param {RunStore} runs
   * @param {string} field
   * @param {string} value
   */
  function codeFilter(runs, field, value) {
    if (!value) {
      return NO_FILTER;
    }
    const code = runs.dicts[field] ? runs.dicts[field].index.get(value) : undefined;
    return code === undefined ? NO_MATCH : code;
  }

  /**
   * The milliseconds of a from / to bound: a date (midnight UTC) or a date-time; NaN when empty or unreadable.
   * @param {string} value
   */
  function bound(value) {
    if (!value) {
      return NaN;
    }
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (day) {
      return Date.UTC(+day[1], +day[2] - 1, +day[3]);
    }
    return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(value) ? parseTime(value) : NaN;
  }

  /**
   * The runs matching `view` in its tab, in sort order, and the count of every runs tab under the same filters.
   * @param {RunStore} runs
   * @param {ViewState} view
   * @returns {RunsResult}
   */
  function filterRuns(runs, view) {
    const n = runs.n;
    if (runs.buffer.length < n) {
      runs.buffer = new Uint32Array(runs.capacity);
    }
    const cols = runs.cols;
    const sort = sortOf(view, runs.fields);
    const perm = permutation(runs, sort.field, sort.desc);
    let tenantFlags = null;
    if (view.tenants.length) {
      const tenants = runs.dicts.tenantId;
      tenantFlags = new Uint8Array(tenants.values.length);
      for (const tenant of view.tenants) {
        const code = tenants.index.get(tenant);
        if (code !== undefined) {
          tenantFlags[code] = 1;
        }
      }
    }
    const trigger = codeFilter(runs, "trigger", view.trigger);
    const runState = codeFilter(runs, "state", view.state);
    const schedule = codeFilter(runs, "scheduleId", view.schedule);
    const policy = codeFilter(runs, "policyRevision", view.policy);
    const error = codeFilter(runs, "errorCode", view.error);
    const severity = !view.severity ? 0 : view.severity === "critical" ? 1 : view.severity === "high" ? 2 : 3;
    const from = bound(view.from);
    const to = bound(view.to);
    let shard = NO_FILTER;
    if (view.shard) {
      shard = /^\d+$/.test(view.shard) ? +view.shard : NO_MATCH;
    }
    const q = view.q.toLowerCase();
    const qInitiator = q ? runs.dicts.initiator.matching(q) : new Uint8Array(0);
    const qSchedule = q ? runs.dicts.scheduleName.matching(q) : new Uint8Array(0);
    const qError = q ? runs.dicts.errorMessage.matching(q) : new Uint8Array(0);
    const resolved = !view.resolved ? NO_FILTER : view.resolved === "no" ? 0 : view.resolved === "yes" ? 1 : NO_MATCH;
    const resolvedCol = cols.resolvedBy || [];
    const evidence = view.evidence;
    const evidenceCol = cols.evidenceAlert || [];
    const dead =
      [trigger, runState, schedule, policy, error, shard, resolved].includes(NO_MATCH) ||
      (evidence !== "" && !EVIDENCE_ALERTS.includes(evidence)) ||
      severity === 3 ||
      (view.from !== "" && Number.isNaN(from)) ||
      (view.to !== "" && Number.isNaN(to));

    const stateValues = runs.dicts.state.values;
    const tabOf = new Uint8Array(stateValues.length);
    stateValues.forEach((value, code) => {
      const tab = /** @type {Record<string, number>} */ (TAB_OF_STATE)[String(value)];
      tabOf[code] = tab === undefined ? OTHER_TAB : tab;
    });
    // -1: every runs tab; -4: the changes tab; -3: the Scheduled tab (no run rows, only the counts)
    const wanted =
      view.tab === "all" ? -1 : view.tab === "changes" ? -4 : RUN_TAB[view.tab] === undefined ? -3 : RUN_TAB[view.tab];
    const counts = [0, 0, 0, 0];
    let changedCount = 0;
    const change = runs.change;
    let total = 0;
    let resolvedFailures = 0;
    /** @type {number[]} */
    const later = []; // the Failures tab: resolved failures follow the open ones
    let m = 0;
    const tenantCol = cols.tenantId;
    const triggerCol = cols.trigger;
    const stateCol = cols.state;
    const scheduleCol = cols.scheduleId;
    const policyCol = cols.policyRevision;
    const errorCol = cols.errorCode;
    const criticals = cols.newCriticals;
    const highs = cols.newHigh;
    const created = cols.createdAt;
    const shards = cols.shardCount;
    const initiators = cols.initiator;
    const scheduleNames = cols.scheduleName;
    const messages = cols.errorMessage;
    const search = runs.search;
    const out = runs.buffer;
    const hasFrom = !Number.isNaN(from);
    const hasTo = !Number.isNaN(to);
    for (let p = 0; p < n && !dead; p += 1) {
      const i = perm ? perm[p] : p;
      if (tenantFlags !== null && tenantFlags[tenantCol[i]] === 0) continue;
      if (trigger !== NO_FILTER && triggerCol[i] !== trigger) continue;
      if (runState !== NO_FILTER && stateCol[i] !== runState) continue;
      if (schedule !== NO_FILTER && scheduleCol[i] !== schedule) continue;
      if (policy !== NO_FILTER && policyCol[i] !== policy) continue;
      if (error !== NO_FILTER && errorCol[i] !== error) continue;
      if (severity === 1 && !(criticals[i] > 0)) continue;
      if (severity === 2 && !(highs[i] > 0)) continue;
      if (hasFrom && !(created[i] >= from)) continue;
      if (hasTo && !(created[i] < to)) continue;
      if (shard >= 0 && shards[i] !== shard) continue;
      const isResolved = resolvedCol[i] ? 1 : 0;
      if (resolved !== NO_FILTER && isResolved !== resolved) continue;
      if (evidence && !(evidenceCol[i] && (evidence === "problem" || evidenceCol[i] === evidence))) continue;
      if (
        q &&
        qInitiator[initiators[i]] === 0 &&
        qSchedule[scheduleNames[i]] === 0 &&
        qError[messages[i]] === 0 &&
        !search[i].includes(q)
      ) {
        continue;
      }
      const tab = tabOf[stateCol[i]];
      counts[tab] += 1;
      total += 1;
      const changed = change[i] !== 0;
      if (changed) {
        changedCount += 1;
      }
      if (tab === RUN_TAB.failures && isResolved) {
        resolvedFailures += 1;
        if (wanted === RUN_TAB.failures) {
          later.push(i);
          continue;
        }
      }
      if (wanted === -1 || tab === wanted || (wanted === -4 && changed)) {
        out[m] = i;
        m += 1;
      }
    }
    for (const i of later) {
      out[m] = i;
      m += 1;
    }
    return { order: out, n: m, counts, total, resolvedFailures, changed: changedCount };
  }

  /**
   * The schedules of the Scheduled tab under `view`: tenant, schedule and q apply.
   * @param {readonly Schedule[]} schedules
   * @param {ViewState} view
   */
  function filterSchedules(schedules, view) {
    const q = view.q.toLowerCase();
    return schedules.filter((s) => {
      if (view.tenants.length && !view.tenants.includes(s.tenantId)) {
        return false;
      }
      if (view.schedule && s.id !== view.schedule) {
        return false;
      }
      return !q || String(s.name).toLowerCase().includes(q) || String(s.id).toLowerCase().includes(q);
    });
  }

  const filters = { TAB_OF_STATE, permutation, codeFilter, bound, filterRuns, filterSchedules };
  Snapsite.filters = filters;
  if (typeof module === "object" && module.exports) {
    module.exports = filters;
  }
})();

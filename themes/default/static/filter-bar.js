/* snapsite default theme: the compact filter bar's rules (Snapsite.filterBar). Needs url-state.js.
 *
 * Which run states a tab offers (a state the tab excludes is never offered: Failures + cancelled would always be
 * empty), which keys apply to the Scheduled tab (tenant, schedule and q: it lists schedules, not runs), the view a
 * tab link leads to (the state is dropped when the new tab excludes it), and the active filters as chips, each
 * removing its key (or one tenant) from the hash.
 *
 * Pure functions, no DOM; Node loads this file for the unit tests in tests/js.
 */
/** @typedef {import("./url-state.js").ViewState} ViewState */
/** @typedef {import("./url-state.js").Tab} Tab */
/**
 * One active filter, shown as a removable chip. `applies` is false for a key the view's tab ignores (a run filter
 * on the Scheduled tab).
 * @typedef {{ key: string, value: string, text: string, applies: boolean }} Chip
 */
/**
 * How chips name values: a tenant's and a schedule's names (their ids when unknown).
 * @typedef {{ tenant?: (id: string) => string, schedule?: (id: string) => string }} ChipNames
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { SINGLE_KEYS, copy } = Snapsite.urlState;

  /** @type {Record<string, readonly string[] | null>} the states each tab shows; null: any */
  const TAB_STATES = {
    active: ["planning", "queued", "running"],
    completed: ["completed", "cancelled"],
    failures: ["error"],
    scheduled: [],
    all: null,
    changes: null
  };
  /** The keys the Scheduled tab applies; every other filter is about runs. */
  const SCHEDULE_KEYS = ["tenant", "schedule", "q"];
  /** @type {Record<string, string>} */
  const KEY_LABELS = {
    tenant: "Tenant",
    q: "Search",
    trigger: "Trigger",
    state: "State",
    schedule: "Schedule",
    severity: "Severity impact",
    policy: "Policy revision",
    from: "Created from",
    to: "Created before",
    shard: "Planner shards",
    error: "Error code",
    resolved: "Resolved by a retry",
    evidence: "Evidence signatures"
  };
  /** @type {Record<string, Record<string, string>>} */
  const VALUE_LABELS = {
    severity: { critical: "new critical findings", high: "new high findings" },
    resolved: { no: "open failures only", yes: "resolved only" },
    evidence: { problem: "invalid or untrusted", invalid: "invalid", untrusted: "untrusted" }
  };

  /**
   * The states of `states` (the snapshot's, in its order) that tab `tab` offers.
   * @param {string} tab
   * @param {readonly string[]} states
   * @returns {string[]}
   */
  function statesFor(tab, states) {
    const allowed = Object.hasOwn(TAB_STATES, tab) ? TAB_STATES[tab] : null;
    return allowed === null ? [...states] : states.filter((state) => allowed.includes(state));
  }

  /**
   * Whether filter `key` applies on tab `tab`.
   * @param {string} tab
   * @param {string} key
   */
  function applies(tab, key) {
    return tab !== "scheduled" || SCHEDULE_KEYS.includes(key);
  }

  /**
   * The view a link to tab `tab` shows: the same filters, less a state the new tab excludes.
   * @param {ViewState} view
   * @param {Tab} tab
   * @returns {ViewState}
   */
  function retab(view, tab) {
    const next = copy(view);
    next.tab = tab;
    if (next.state && statesFor(tab, [next.state]).length === 0) {
      next.state = "";
    }
    return next;
  }

  /**
   * The view's active filters, in the hash's order: tenants first, then the other keys.
   * @param {ViewState} view
   * @param {ChipNames} [names]
   * @returns {Chip[]}
   */
  function chips(view, names = {}) {
    /** @type {Chip[]} */
    const out = [];
    const tenantName = names.tenant || ((id) => id);
    for (const tenant of view.tenants) {
      const name = tenantName(tenant);
      out.push({
        key: "tenant",
        value: tenant,
        text: `${KEY_LABELS.tenant}: ${name === tenant ? tenant : `${name} (${tenant})`}`,
        applies: true
      });
    }
    for (const key of SINGLE_KEYS) {
      const value = view[key];
      if (!value) {
        continue;
      }
      let shown = value;
      if (key === "schedule" && names.schedule) {
        shown = names.schedule(value);
      } else if (VALUE_LABELS[key] && VALUE_LABELS[key][value]) {
        shown = VALUE_LABELS[key][value];
      } else if (key === "q") {
        shown = `\u201c${value}\u201d`;
      }
      out.push({ key, value, text: `${KEY_LABELS[key]}: ${shown}`, applies: applies(view.tab, key) });
    }
    return out;
  }

  /**
   * The view without one chip's filter: its key, or for a tenant that one tenant (a split needs two).
   * @param {ViewState} view
   * @param {string} key
   * @param {string} value
   * @returns {ViewState}
   */
  function without(view, key, value) {
    const next = copy(view);
    if (key === "tenant") {
      next.tenants = next.tenants.filter((tenant) => tenant !== value);
    } else if (Snapsite.urlState.isSingleKey(key)) {
      next[key] = "";
    }
    return next;
  }

  const filterBar = { TAB_STATES, SCHEDULE_KEYS, KEY_LABELS, statesFor, applies, retab, chips, without };
  Snapsite.filterBar = filterBar;
  if (typeof module === "object" && module.exports) {
    module.exports = filterBar;
  }
})();

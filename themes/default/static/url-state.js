/* snapsite default theme: the Runs workspace's view <-> the URL hash (Snapsite.urlState).
 *
 * The view lives in the hash as a query string (the site contract), so any view is a link: tab (active |
 * completed | scheduled | failures | all, and changes in a `--since` build; missing = active), tenant (repeatable), trigger, state, schedule,
 * severity, policy, from, to, shard, error, q and sort (a field, a leading "-" for descending; default
 * -createdAt). A repeated single key counts once, the first time. The contract's resolved (no | yes: failures a
 * completed retry resolved) and run (the run whose drawer is open); this theme adds split=1 and evidence
 * (problem | invalid | untrusted: runs whose evidence failed its signature check).
 *
 * Pure functions, no DOM; Node loads this file for the unit tests in tests/js.
 */
/** @typedef {"active" | "completed" | "scheduled" | "failures" | "all" | "changes"} Tab */
/** @typedef {"trigger" | "state" | "schedule" | "severity" | "policy" | "from" | "to" | "shard" | "error" | "resolved" | "evidence" | "q"} SingleKey */
/**
 * What the workspace shows: every key of the hash, parsed. `run` is the run whose drawer is open ("" for none).
 * @typedef {{ tab: Tab, tenants: string[], sort: string, split: boolean, run: string } & Record<SingleKey, string>} ViewState
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));

  /** @type {Tab[]} */
  const TABS = ["active", "completed", "scheduled", "failures", "all"];
  /** @type {Tab[]} the tabs of a `--since` build, whose index.html has a changes tab */
  const SINCE_TABS = [...TABS, "changes"];
  /** @type {SingleKey[]} */
  const SINGLE_KEYS = [
    "trigger",
    "state",
    "schedule",
    "severity",
    "policy",
    "from",
    "to",
    "shard",
    "error",
    "resolved",
    "evidence",
    "q"
  ];
  const DEFAULT_SORT = "-createdAt";

  /** @returns {ViewState} */
  function defaults() {
    return {
      tab: "active",
      tenants: [],
      trigger: "",
      state: "",
      schedule: "",
      severity: "",
      policy: "",
      from: "",
      to: "",
      shard: "",
      error: "",
      resolved: "",
      evidence: "",
      q: "",
      sort: DEFAULT_SORT,
      split: false,
      run: ""
    };
  }

  /**
   * @param {string} key
   * @returns {key is SingleKey}
   */
  function isSingleKey(key) {
    return /** @type {string[]} */ (SINGLE_KEYS).includes(key);
  }

  /**
   * @param {string} value
   * @param {readonly Tab[]} tabs
   * @returns {value is Tab}
   */
  function isTab(value, tabs) {
    return /** @type {readonly string[]} */ (tabs).includes(value);
  }

  /**
   * The view a hash (with or without its `#`) names. URLSearchParams decodes it the way the site contract's
   * oracle (Python's parse_qsl) does: `+` is a space, a malformed escape stays as written. A tab not in `tabs`
   * (the changes tab of a build without one) means active.
   * @param {string} hash
   * @param {readonly Tab[]} [tabs]
   * @returns {ViewState}
   */
  function parse(hash, tabs = TABS) {
    const view = defaults();
    /** @type {Set<string>} */
    const seen = new Set();
    for (const [key, value] of new URLSearchParams(hash.replace(/^#/, ""))) {
      if (key === "tenant") {
        if (value && !view.tenants.includes(value)) {
          view.tenants.push(value);
        }
        continue;
      }
      if (seen.has(key)) {
        continue; // a repeated single key: the first one counts
      }
      seen.add(key);
      if (key === "tab") {
        view.tab = isTab(value, tabs) ? value : "active";
      } else if (key === "sort") {
        view.sort = value || DEFAULT_SORT;
      } else if (key === "split") {
        view.split = value === "1" || value === "true";
      } else if (key === "run") {
        view.run = value;
      } else if (isSingleKey(key)) {
        view[key] = key === "q" ? value.trim() : value;
      }
    }
    return view;
  }

  /**
   * A hash value, percent-encoded except for the characters that keep run ids and times readable (`: @ / ,`).
   * @param {string} value
   */
  function encodeValue(value) {
    return encodeURIComponent(value)
      .replace(/%3A/gi, ":")
      .replace(/%40/gi, "@")
      .replace(/%2F/gi, "/")
      .replace(/%2C/gi, ",");
  }

  /**
   * The hash (without `#`) of a view: tab first, then tenants, the other keys that are set, a sort other than
   * the default, split, and last the open drawer's run.
   * @param {ViewState} view
   */
  function serialize(view) {
    const parts = [`tab=${view.tab}`];
    for (const tenant of view.tenants) {
      parts.push(`tenant=${encodeValue(tenant)}`);
    }
    for (const key of SINGLE_KEYS) {
      if (view[key]) {
        parts.push(`${key}=${encodeValue(view[key])}`);
      }
    }
    if (view.sort && view.sort !== DEFAULT_SORT) {
      parts.push(`sort=${encodeValue(view.sort)}`);
    }
    if (view.split) {
      parts.push("split=1");
    }
    if (view.run) {
      parts.push(`run=${encodeValue(view.run)}`);
    }
    return parts.join("&");
  }

  /**
   * A copy of `view` that can be changed without changing it.
   * @param {ViewState} view
   * @returns {ViewState}
   */
  function copy(view) {
    return { ...view, tenants: [...view.tenants] };
  }

  /**
   * The view with its filters and sort cleared (newest first): the same tab, and the same open drawer.
   * @param {ViewState} view
   */
  function cleared(view) {
    return { ...defaults(), tab: view.tab, run: view.run };
  }

  /**
   * The field and direction of the view's sort; an unknown or unsortable field sorts newest first.
   * @param {ViewState} view
   * @param {readonly string[]} fields  the fields of the runs data
   * @returns {{ field: string, desc: boolean }}
   */
  function sortOf(view, fields) {
    const desc = view.sort.charAt(0) === "-";
    const field = desc ? view.sort.slice(1) : view.sort;
    if (!fields.includes(field) || field === "badges" || field === "detailFile") {
      return { field: "createdAt", desc: true };
    }
    return { field, desc };
  }

  const urlState = { TABS, SINCE_TABS, SINGLE_KEYS, DEFAULT_SORT, defaults, isSingleKey, parse, serialize, copy, cleared, sortOf };
  Snapsite.urlState = urlState;
  if (typeof module === "object" && module.exports) {
    module.exports = urlState;
  }
})();

/* snapsite default theme: the Runs workspace (index.html). Needs app.js first.
 *
 * Loads data/meta.js and data/runs-NNNN.js (classic scripts: file:// forbids fetch; index.html starts meta.js and
 * the first runs file early, the others follow together, run in order) into columns (typed arrays, dictionary
 * codes and a lowercase search text, made once), then draws a virtualised table: only the rows in view, plus a
 * few, are in the DOM; spacer rows keep the scrollbar true to the whole list.
 *
 * The view lives in the URL hash as a query string (the site contract): tab (active | completed | scheduled |
 * failures | all; missing = active), tenant (repeatable: OR), trigger, state, schedule (scheduleId), severity
 * (critical: newCriticals > 0, high: newHigh > 0), policy (policyRevision), from / to (createdAt, RFC 3339 date or
 * date-time; from inclusive, to exclusive), shard (shardCount), error (errorCode), q (case-insensitive substring of
 * run id, correlation id, initiator, schedule name or error message) and sort (a field of meta.fields, a leading
 * "-" for descending; default -createdAt). Keys combine with AND. The Scheduled tab lists schedules, to which only
 * tenant, schedule and q (schedule name or id) apply. This theme adds one key: split=1 with two or more tenant keys
 * shows each of those tenants in its own pane, side by side, each with its own table and count.
 */
(function () {
  "use strict";

  var app = window.snapsiteApp;
  var doc = document;
  var table = doc.getElementById("runs-table");
  if (!app || !table || !table.tBodies.length || !window.Uint32Array || !window.Float64Array || !window.Map) {
    return;
  }
  var h = app.h;

  var TABS = ["active", "completed", "scheduled", "failures", "all"];
  var TAB_LABELS = { active: "Active", completed: "Completed", scheduled: "Scheduled", failures: "Failures", all: "All" };
  var RUN_TAB = { active: 0, completed: 1, failures: 2 };
  var RUN_NOUNS = { active: "active runs", completed: "completed runs", failures: "failed runs", all: "runs" };
  var TAB_OF_STATE = { planning: 0, queued: 0, running: 0, completed: 1, cancelled: 1, error: 2 };
  var OTHER_TAB = 3;
  var SINGLE_KEYS = ["trigger", "state", "schedule", "severity", "policy", "from", "to", "shard", "error", "resolved", "evidence", "q"];
  var DEFAULT_SORT = "-createdAt";
  var COLUMNS = [
    { sort: "id", label: "Run ID", cls: "c-id", first: "asc" },
    { sort: "trigger", label: "Trigger", cls: "c-trigger", first: "asc" },
    { sort: "state", label: "State", cls: "c-state", first: "asc" },
    { sort: "progressPct", label: "Progress", cls: "c-progress", first: "desc" },
    { sort: "durationSeconds", label: "Duration", cls: "c-duration", first: "desc" },
    { sort: "newFindings", label: "Deltas", cls: "c-deltas", first: "desc" }
  ];
  var BADGE_LABELS = {
    "kev-first": "KEV first",
    "content-refresh": "Content refresh",
    "policy-promotion-follow-up": "Policy promotion follow-up",
    retry: "Retry"
  };
  var NUMBERS = [
    "durationSeconds", "running", "progressPct", "processed", "total", "newFindings", "newCriticals", "newHigh",
    "newMedium", "newLow", "resolved", "quieted", "severityShifts", "kevAdditions", "shardCount", "detailFile"
  ];
  var TIMES = ["createdAt", "startedAt", "finishedAt"];
  var CODED = [
    "tenantId", "scheduleId", "scheduleName", "trigger", "mode", "state", "initiator", "policyRevision", "errorCode",
    "errorMessage", "badges", "retryOf"
  ];
  var OVERSCAN = 4;
  var FALLBACK_ROW_HEIGHT = 60;
  var TYPING_BURST_MS = 1000;

  /* --- the data: columns filled chunk by chunk --------------------------------------------------------- */

  function Dict() {
    this.values = [null];
    this.index = new Map();
    this.lower = null;
    this.rank = null;
  }

  Dict.prototype.code = function (value) {
    if (value === null || value === undefined) {
      return 0;
    }
    var code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.index.set(value, code);
      this.lower = null;
      this.rank = null;
    }
    return code;
  };

  /** Flags, by code, of the values containing `needle` (lowercase). */
  Dict.prototype.matching = function (needle) {
    if (!this.lower) {
      this.lower = this.values.map(function (v) {
        return v === null ? null : String(v).toLowerCase();
      });
    }
    var flags = new Uint8Array(this.values.length);
    for (var c = 1; c < this.lower.length; c += 1) {
      flags[c] = this.lower[c].indexOf(needle) !== -1 ? 1 : 0;
    }
    return flags;
  };

  /** The sort rank of each code (null: NaN, sorted last by the comparator). */
  Dict.prototype.ranks = function () {
    if (!this.rank) {
      var codes = [];
      for (var c = 1; c < this.values.length; c += 1) {
        codes.push(c);
      }
      var values = this.values;
      codes.sort(function (a, b) {
        return values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0;
      });
      this.rank = new Float64Array(this.values.length);
      this.rank[0] = NaN;
      for (var r = 0; r < codes.length; r += 1) {
        this.rank[codes[r]] = r;
      }
    }
    return this.rank;
  };

  var data = {
    meta: null,
    fields: [],
    kinds: {},
    n: 0,
    capacity: 0,
    cols: {},
    dicts: {},
    search: [],
    selected: new Uint8Array(0),
    selectedCount: 0,
    permutations: {}
  };

  function kindOf(field) {
    if (NUMBERS.indexOf(field) !== -1) {
      return "number";
    }
    if (TIMES.indexOf(field) !== -1) {
      return "time";
    }
    if (CODED.indexOf(field) !== -1) {
      return "coded";
    }
    return "text";
  }

  function grow(min) {
    if (data.capacity >= min) {
      return;
    }
    var capacity = Math.max(min, data.capacity * 2, 1024);
    data.fields.forEach(function (field) {
      var old = data.cols[field];
      var kind = data.kinds[field];
      var col;
      if (kind === "number" || kind === "time") {
        col = new Float64Array(capacity);
      } else if (kind === "coded") {
        col = new Uint32Array(capacity);
      } else {
        col = old || [];
      }
      if (old && col !== old) {
        col.set(old.subarray(0, data.n));
      }
      data.cols[field] = col;
    });
    var selected = new Uint8Array(capacity);
    selected.set(data.selected.subarray(0, data.n));
    data.selected = selected;
    data.capacity = capacity;
  }

  function setup(meta) {
    data.meta = meta;
    data.fields = meta.fields.slice();
    data.fields.forEach(function (field) {
      data.kinds[field] = kindOf(field);
      if (data.kinds[field] === "coded") {
        data.dicts[field] = new Dict();
      }
    });
    ["id", "slug", "correlationId", "tenantId", "state", "createdAt", "detailFile"].forEach(function (field) {
      if (data.fields.indexOf(field) === -1) {
        throw new Error("data/meta.js lacks the field " + field);
      }
    });
    grow(meta.runs || 0);
  }

  function ingest(rows) {
    grow(data.n + rows.length);
    var fields = data.fields;
    var width = fields.length;
    var sinks = fields.map(function (field) {
      var col = data.cols[field];
      var kind = data.kinds[field];
      if (kind === "number") {
        return function (i, v) {
          col[i] = v === null || v === undefined ? NaN : +v;
        };
      }
      if (kind === "time") {
        return function (i, v) {
          col[i] = app.parseTime(v);
        };
      }
      if (kind === "coded") {
        var dict = data.dicts[field];
        return field === "badges"
          ? function (i, v) {
              col[i] = dict.code(v && v.length ? v.join(" ") : null);
            }
          : function (i, v) {
              col[i] = dict.code(v);
            };
      }
      return function (i, v) {
        col[i] = v === undefined ? null : v;
      };
    });
    var idAt = fields.indexOf("id");
    var correlationAt = fields.indexOf("correlationId");
    for (var r = 0; r < rows.length; r += 1) {
      var row = rows[r];
      var i = data.n;
      for (var k = 0; k < width; k += 1) {
        sinks[k](i, row[k]);
      }
      data.search[i] = (String(row[idAt]) + "\n" + String(row[correlationAt])).toLowerCase();
      data.n += 1;
    }
    data.permutations = {};
  }

  /** A run's value of `field` as the data files had it. */
  function value(field, i) {
    var kind = data.kinds[field];
    var v = data.cols[field][i];
    if (kind === "number") {
      return v !== v ? null : field === "running" ? v === 1 : v;
    }
    if (kind === "time") {
      return app.isoSeconds(v);
    }
    if (kind === "coded") {
      var decoded = data.dicts[field].values[v];
      return field === "badges" ? (decoded ? decoded.split(" ") : []) : decoded;
    }
    return v;
  }

  function text(field, i) {
    return data.dicts[field].values[data.cols[field][i]];
  }

  /* --- the view's state and the URL hash --------------------------------------------------------------- */

  function defaults() {
    return {
      tab: "active",
      tenants: [],
      trigger: "", state: "", schedule: "", severity: "", policy: "", from: "", to: "", shard: "", error: "", resolved: "", evidence: "", q: "",
      sort: DEFAULT_SORT,
      split: false
    };
  }

  function decode(part) {
    try {
      return decodeURIComponent(part.replace(/\+/g, " "));
    } catch (err) {
      return part;
    }
  }

  function encode(value) {
    return encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%40/gi, "@").replace(/%2F/gi, "/").replace(/%2C/gi, ",");
  }

  function parseHash(hash) {
    var state = defaults();
    var seen = {};
    hash.replace(/^#/, "").split("&").forEach(function (pair) {
      if (!pair) {
        return;
      }
      var at = pair.indexOf("=");
      var key = decode(at === -1 ? pair : pair.slice(0, at));
      var val = at === -1 ? "" : decode(pair.slice(at + 1));
      if (key === "tenant") {
        if (val && state.tenants.indexOf(val) === -1) {
          state.tenants.push(val);
        }
      } else if (Object.prototype.hasOwnProperty.call(seen, key)) {
        return; // a repeated single key: the first one counts
      } else if (key === "tab") {
        state.tab = TABS.indexOf(val) !== -1 ? val : "active";
      } else if (key === "sort") {
        state.sort = val || DEFAULT_SORT;
      } else if (key === "split") {
        state.split = val === "1" || val === "true";
      } else if (SINGLE_KEYS.indexOf(key) !== -1) {
        state[key] = key === "q" ? val.trim() : val;
      }
      seen[key] = true;
    });
    return state;
  }

  function serialize(state) {
    var parts = ["tab=" + state.tab];
    state.tenants.forEach(function (tenant) {
      parts.push("tenant=" + encode(tenant));
    });
    SINGLE_KEYS.forEach(function (key) {
      if (state[key]) {
        parts.push(key + "=" + encode(state[key]));
      }
    });
    if (state.sort && state.sort !== DEFAULT_SORT) {
      parts.push("sort=" + encode(state.sort));
    }
    if (state.split) {
      parts.push("split=1");
    }
    return parts.join("&");
  }

  function sortOf(state) {
    var desc = state.sort.charAt(0) === "-";
    var field = desc ? state.sort.slice(1) : state.sort;
    if (data.fields.indexOf(field) === -1 || field === "badges" || field === "detailFile") {
      return { field: "createdAt", desc: true };
    }
    return { field: field, desc: desc };
  }

  /* --- filtering and sorting ----------------------------------------------------------------------------- */

  /** Run indices in sort order (null: the data's own order, newest first, which is -createdAt). */
  function permutation(field, desc) {
    if (field === "createdAt" && desc) {
      return null;
    }
    var key = field + (desc ? ":desc" : ":asc");
    var cached = data.permutations[key];
    if (cached) {
      return cached;
    }
    var n = data.n;
    var order = new Uint32Array(n);
    for (var i = 0; i < n; i += 1) {
      order[i] = i;
    }
    var dir = desc ? -1 : 1;
    var kind = data.kinds[field];
    var compare;
    if (kind === "text") {
      var strings = data.cols[field];
      compare = function (a, b) {
        var x = strings[a];
        var y = strings[b];
        if (x === null || y === null) {
          return x === y ? a - b : x === null ? 1 : -1;
        }
        return x < y ? -dir : x > y ? dir : a - b;
      };
    } else {
      var keys;
      if (kind === "coded") {
        var ranks = data.dicts[field].ranks();
        var codes = data.cols[field];
        keys = new Float64Array(n);
        for (var j = 0; j < n; j += 1) {
          keys[j] = ranks[codes[j]];
        }
      } else {
        keys = data.cols[field];
      }
      compare = function (a, b) {
        var x = keys[a];
        var y = keys[b];
        if (x !== x || y !== y) {
          return x !== x && y !== y ? a - b : x !== x ? 1 : -1;
        }
        return x < y ? -dir : x > y ? dir : a - b;
      };
    }
    order.sort(compare);
    data.permutations[key] = order;
    return order;
  }

  /** The code of `value` in the dictionary of `field`: -1 for no filter, -2 for a value no run has. */
  function codeFilter(field, val) {
    if (!val) {
      return -1;
    }
    var code = data.dicts[field] ? data.dicts[field].index.get(val) : undefined;
    return code === undefined ? -2 : code;
  }

  function bound(val) {
    if (!val) {
      return NaN;
    }
    var day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(val);
    if (day) {
      return Date.UTC(+day[1], +day[2] - 1, +day[3]);
    }
    return /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(val) ? app.parseTime(val) : NaN;
  }

  var buffer = new Uint32Array(0);
  var NONE = new Uint32Array(0);

  /**
   * The runs matching `state` in its tab, in sort order ({order, n}), and the count of every runs tab under the
   * same filters.
   */
  function filterRuns(state) {
    var n = data.n;
    if (buffer.length < n) {
      buffer = new Uint32Array(data.capacity);
    }
    var cols = data.cols;
    var sort = sortOf(state);
    var perm = permutation(sort.field, sort.desc);
    var tenantFlags = null;
    if (state.tenants.length) {
      var tenants = data.dicts.tenantId;
      tenantFlags = new Uint8Array(tenants.values.length);
      state.tenants.forEach(function (tenant) {
        var code = tenants.index.get(tenant);
        if (code !== undefined) {
          tenantFlags[code] = 1;
        }
      });
    }
    var trigger = codeFilter("trigger", state.trigger);
    var runState = codeFilter("state", state.state);
    var schedule = codeFilter("scheduleId", state.schedule);
    var policy = codeFilter("policyRevision", state.policy);
    var error = codeFilter("errorCode", state.error);
    var severity = !state.severity ? 0 : state.severity === "critical" ? 1 : state.severity === "high" ? 2 : 3;
    var from = bound(state.from);
    var to = bound(state.to);
    var shard = -1;
    if (state.shard) {
      shard = /^\d+$/.test(state.shard) ? +state.shard : -2;
    }
    var q = state.q.toLowerCase();
    var qInitiator = q ? data.dicts.initiator.matching(q) : null;
    var qSchedule = q ? data.dicts.scheduleName.matching(q) : null;
    var qError = q ? data.dicts.errorMessage.matching(q) : null;
    // Resolved failures (site contract): `resolved=no` keeps the unresolved runs, `yes` the resolved ones.
    var resolvedWant = state.resolved === "no" ? 0 : state.resolved === "yes" ? 1 : state.resolved ? -2 : -1;
    var resolvedCol = cols.resolvedBy || [];
    // Evidence flags (issue 14): `problem` = invalid or untrusted evidence, or one of those two statuses.
    var evidenceWant = state.evidence;
    var evidenceCol = cols.evidenceAlert || [];
    var evidenceKnown = !evidenceWant || ["problem", "invalid", "untrusted"].indexOf(evidenceWant) !== -1;
    var dead = trigger === -2 || runState === -2 || schedule === -2 || policy === -2 || error === -2 || resolvedWant === -2;
    dead = dead || !evidenceKnown;
    dead = dead || severity === 3 || shard === -2 || (state.from && from !== from) || (state.to && to !== to);

    var stateDict = data.dicts.state;
    var tabOf = new Uint8Array(stateDict.values.length);
    for (var c = 0; c < stateDict.values.length; c += 1) {
      var t = TAB_OF_STATE[stateDict.values[c]];
      tabOf[c] = t === undefined ? OTHER_TAB : t;
    }
    var wanted = state.tab === "all" ? -1 : RUN_TAB[state.tab];
    if (wanted === undefined) {
      wanted = -3; // the Scheduled tab: no run rows, only the counts
    }
    var counts = [0, 0, 0, 0];
    var total = 0;
    var resolvedFailures = 0;
    var later = []; // the Failures tab shows open failures first: resolved ones follow, in the same order
    var m = 0;
    var tenantCol = cols.tenantId;
    var triggerCol = cols.trigger;
    var stateCol = cols.state;
    var scheduleCol = cols.scheduleId;
    var policyCol = cols.policyRevision;
    var errorCol = cols.errorCode;
    var criticals = cols.newCriticals;
    var highs = cols.newHigh;
    var created = cols.createdAt;
    var shards = cols.shardCount;
    var initiators = cols.initiator;
    var scheduleNames = cols.scheduleName;
    var messages = cols.errorMessage;
    var search = data.search;
    var out = buffer;
    for (var p = 0; p < n && !dead; p += 1) {
      var i = perm ? perm[p] : p;
      if (tenantFlags !== null && tenantFlags[tenantCol[i]] === 0) continue;
      if (trigger !== -1 && triggerCol[i] !== trigger) continue;
      if (runState !== -1 && stateCol[i] !== runState) continue;
      if (schedule !== -1 && scheduleCol[i] !== schedule) continue;
      if (policy !== -1 && policyCol[i] !== policy) continue;
      if (error !== -1 && errorCol[i] !== error) continue;
      if (severity === 1 && !(criticals[i] > 0)) continue;
      if (severity === 2 && !(highs[i] > 0)) continue;
      if (from === from && !(created[i] >= from)) continue;
      if (to === to && !(created[i] < to)) continue;
      if (shard >= 0 && shards[i] !== shard) continue;
      var isResolved = resolvedCol[i] ? 1 : 0;
      if (resolvedWant !== -1 && isResolved !== resolvedWant) continue;
      if (evidenceWant && !(evidenceCol[i] && (evidenceWant === "problem" || evidenceCol[i] === evidenceWant))) continue;
      if (
        q &&
        qInitiator[initiators[i]] === 0 &&
        qSchedule[scheduleNames[i]] === 0 &&
        qError[messages[i]] === 0 &&
        search[i].indexOf(q) === -1
      ) {
        continue;
      }
      var tab = tabOf[stateCol[i]];
      counts[tab] += 1;
      total += 1;
      if (tab === 2 && isResolved) {
        resolvedFailures += 1;
        if (wanted === 2) {
          later.push(i);
          continue;
        }
      }
      if (wanted === -1 || tab === wanted) {
        out[m] = i;
        m += 1;
      }
    }
    for (var k = 0; k < later.length; k += 1) {
      out[m] = later[k];
      m += 1;
    }
    return { order: out, n: m, counts: counts, total: total, resolvedFailures: resolvedFailures };
  }

  /** The schedules of the Scheduled tab under `state`: tenant, schedule and q apply. */
  function filterSchedules(state) {
    var q = state.q.toLowerCase();
    var schedules = (data.meta && data.meta.schedules) || [];
    return schedules.filter(function (s) {
      if (state.tenants.length && state.tenants.indexOf(s.tenantId) === -1) {
        return false;
      }
      if (state.schedule && s.id !== state.schedule) {
        return false;
      }
      return !q || String(s.name).toLowerCase().indexOf(q) !== -1 || String(s.id).toLowerCase().indexOf(q) !== -1;
    });
  }

  /* --- one row of the table ------------------------------------------------------------------------------- */

  function safeClass(value) {
    return String(value).replace(/[^A-Za-z0-9_-]/g, "");
  }

  function deltasText(i) {
    var cols = data.cols;
    var parts = [];
    [["newCriticals", "critical"], ["newHigh", "high"], ["newMedium", "medium"], ["newLow", "low"]].forEach(function (pair) {
      var count = cols[pair[0]][i];
      if (count > 0) {
        parts.push("+" + count + " " + pair[1]);
      }
    });
    [["resolved", "resolved"], ["quieted", "quieted"]].forEach(function (pair) {
      var count = cols[pair[0]][i];
      if (count > 0) {
        parts.push("-" + count + " " + pair[1]);
      }
    });
    return parts.join(" ") || "\u2014";
  }

  function deltasTooltip(i) {
    var c = data.cols;
    return (
      "new " + c.newFindings[i] + ": critical " + c.newCriticals[i] + ", high " + c.newHigh[i] + ", medium " +
      c.newMedium[i] + ", low " + c.newLow[i] + "; resolved " + c.resolved[i] + ", quieted " + c.quieted[i] +
      ", severity shifts " + c.severityShifts[i] + ", KEV additions " + c.kevAdditions[i]
    );
  }

  function stateBadge(state, code) {
    var parts = [h("span", { class: "badge state state-" + safeClass(state) }, state)];
    if (code) {
      parts.push(" ", h("a", { class: "error-code", href: "runbooks/" + app.runbookName(code) + ".html" }, code));
    }
    return parts;
  }

  function buildRow(i) {
    var id = data.cols.id[i];
    var state = text("state", i);
    var tr = h("tr", { "data-run-id": id, class: "run state-row-" + safeClass(state) });
    var resolvedBy = data.cols.resolvedBy ? data.cols.resolvedBy[i] : null;
    if (resolvedBy) {
      tr.setAttribute("data-resolved-by", resolvedBy);
    }
    var box = h("input", { type: "checkbox", class: "select-run", "aria-label": "Select run " + app.visible(id) });
    box.checked = data.selected[i] === 1;
    tr._box = box;
    tr._run = i;
    tr.appendChild(h("td", { class: "select" }, box));

    var badges = value("badges", i);
    var idCell = [h("a", { class: "run-id", href: app.safeHref("runs/" + data.cols.slug[i] + ".html"), title: id }, id)];
    var evidenceAlert = data.cols.evidenceAlert ? data.cols.evidenceAlert[i] : null;
    if (evidenceAlert) {
      idCell.push(" ", h("span", { class: "badge evidence-alert sig-" + safeClass(evidenceAlert) }, "evidence " + evidenceAlert));
    }
    if (badges.length) {
      idCell.push(
        h(
          "ul",
          { class: "badges", "aria-label": "Badges" },
          badges.map(function (key) {
            return h("li", { class: "badge flag flag-" + safeClass(key) }, BADGE_LABELS[key] || key);
          })
        )
      );
    }
    tr.appendChild(h("th", { scope: "row" }, h("div", { class: "clip" }, idCell)));

    var scheduleName = text("scheduleName", i);
    var scheduleId = text("scheduleId", i);
    var trigger = [
      h(
        "span",
        {
          class: "trigger",
          title: "Schedule: " + (scheduleName || scheduleId || "none") + "; initiator: " + text("initiator", i)
        },
        text("trigger", i)
      )
    ];
    if (scheduleName || scheduleId) {
      trigger.push(h("span", { class: "muted line" }, scheduleName || scheduleId));
    }
    tr.appendChild(h("td", null, h("div", { class: "clip" }, trigger)));

    var stateCell = stateBadge(state, text("errorCode", i));
    if (resolvedBy) {
      stateCell.push(" ", h("span", { class: "badge resolved" }, ["resolved", h("span", { class: "visually-hidden" }, " by " + resolvedBy)]));
    }
    tr.appendChild(h("td", null, h("div", { class: "clip" }, stateCell)));

    var pct = data.cols.progressPct[i];
    tr.appendChild(
      h("td", { class: "progress-cell" }, [
        h("progress", { max: "100", value: String(pct), "aria-label": pct + "% complete" }),
        " ",
        h("span", { class: "num" }, pct + "%"),
        " ",
        h("span", { class: "muted num" }, data.cols.processed[i] + "/" + data.cols.total[i])
      ])
    );

    var seconds = data.cols.durationSeconds[i];
    var durationText = app.duration(seconds !== seconds ? null : seconds);
    var durationCell = h("td", { class: "num" });
    if (data.cols.running[i] === 1) {
      var started = data.cols.startedAt[i] === data.cols.startedAt[i] ? data.cols.startedAt[i] : data.cols.createdAt[i];
      app.append(durationCell, [
        h("span", { class: "timer", "data-started-at": app.isoSeconds(started) }, durationText),
        " ",
        h("span", { class: "muted" }, "running")
      ]);
    } else {
      durationCell.textContent = durationText;
    }
    tr.appendChild(durationCell);

    tr.appendChild(h("td", null, h("div", { class: "clip" }, h("span", { class: "deltas", title: deltasTooltip(i) }, deltasText(i)))));
    return tr;
  }

  /* --- the virtualised table ------------------------------------------------------------------------------ */

  var frame =
    window.requestAnimationFrame ||
    function (callback) {
      return window.setTimeout(callback, 16);
    };

  function spacer() {
    var cell = h("td", { colspan: String(COLUMNS.length + 1) });
    var row = h("tr", { class: "spacer", "aria-hidden": "true" }, cell);
    row._cell = cell;
    return row;
  }

  /**
   * A table drawing only the rows of `order` that are in view of its scrolling wrapper. The layout it needs (the
   * header height, row height, view height and scroll position) is read by `measure()` before a change writes to
   * the DOM, while the layout is still clean: drawing then only writes, and the browser lays the page out once per
   * change instead of twice.
   */
  function VirtualTable(tableEl, emptyText) {
    var self = this;
    this.table = tableEl;
    this.wrap = tableEl.parentNode;
    this.body = tableEl.tBodies[0];
    this.emptyText = emptyText;
    this.top = spacer();
    this.bottom = spacer();
    this.empty = h("tr", { class: "empty" }, h("td", { colspan: String(COLUMNS.length + 1) }, emptyText));
    this.rows = new Map();
    this.order = new Uint32Array(0);
    this.n = 0;
    this.rowHeight = 0;
    this.head = 0; // from the wrapper's top to the first row: caption and header
    this.viewHeight = 0;
    this.scrolled = 0; // the wrapper's scrollTop as last seen
    this.first = -1;
    this.last = -1;
    this.queued = false;
    app.clear(this.body);
    this.body.appendChild(this.top);
    this.body.appendChild(this.bottom);
    this.wrap.addEventListener(
      "scroll",
      function () {
        if (!self.queued) {
          self.queued = true;
          frame(function () {
            self.queued = false;
            self.measure();
            self.draw(false);
          });
        }
      },
      supportsPassive() ? { passive: true } : false
    );
  }

  VirtualTable.prototype.show = function (order, n, keepScroll) {
    this.order = order;
    this.n = n;
    this.table.setAttribute("aria-rowcount", String(n + 1));
    var reset = !keepScroll && this.scrolled > 0;
    if (!keepScroll) {
      this.scrolled = 0;
    }
    this.draw(true);
    if (reset) {
      this.wrap.scrollTop = 0;
    }
    if (!this.head || !this.rowHeight) {
      this.measure();
      if (this.rowHeight) {
        this.draw(true);
      }
    }
  };

  /** Read the layout: scroll position, header height, row height (cheap while nothing has been written since
   * the last frame; a forced layout otherwise). */
  VirtualTable.prototype.measure = function () {
    this.scrolled = this.wrap.scrollTop;
    var box = this.wrap.getBoundingClientRect();
    var wrapTop = box.top;
    if (box.height > 0 && this.wrap.scrollHeight > this.wrap.clientHeight + 1) {
      // The wrapper grows with its rows up to its maximum height: only a scrolling one shows that height.
      this.viewHeight = this.wrap.clientHeight;
    }
    var head = this.top.getBoundingClientRect().top - wrapTop + this.scrolled - (this.wrap.clientTop || 0);
    if (head > 0) {
      this.head = head;
    }
    var row = this.rows.size ? this.rows.values().next().value : null;
    var height = row ? row.getBoundingClientRect().height : 0;
    if (height > 0) {
      this.rowHeight = height;
    }
  };

  VirtualTable.prototype.draw = function (force) {
    var n = this.n;
    var body = this.body;
    if (!n) {
      this.rows.forEach(function (tr) {
        body.removeChild(tr);
      });
      this.rows = new Map();
      this.top._cell.style.height = "0px";
      this.bottom._cell.style.height = "0px";
      if (!this.empty.parentNode) {
        body.insertBefore(this.empty, this.bottom);
      }
      this.first = this.last = 0;
      return;
    }
    if (this.empty.parentNode) {
      body.removeChild(this.empty);
    }
    var rowHeight = this.rowHeight || FALLBACK_ROW_HEIGHT;
    // The wrapper's height as last measured; before that the window's (the wrapper is at most 80% of it).
    var view = this.viewHeight || window.innerHeight || 800;
    var scrolled = Math.max(0, this.scrolled - this.head);
    var first = Math.max(0, Math.floor(scrolled / rowHeight) - OVERSCAN);
    var last = Math.min(n, Math.ceil((scrolled + view) / rowHeight) + OVERSCAN);
    if (first >= n) {
      first = Math.max(0, n - OVERSCAN);
    }
    if (!force && first === this.first && last === this.last) {
      return;
    }
    this.first = first;
    this.last = last;
    var kept = new Map();
    var p;
    for (p = first; p < last; p += 1) {
      var run = this.order[p];
      var tr = this.rows.get(run);
      if (!tr) {
        tr = buildRow(run);
      } else {
        tr._box.checked = data.selected[run] === 1;
      }
      tr._pos = p;
      tr.setAttribute("aria-rowindex", String(p + 2));
      tr.classList.toggle("odd", p % 2 === 1);
      kept.set(run, tr);
    }
    this.rows.forEach(function (row, key) {
      if (!kept.has(key)) {
        body.removeChild(row);
      }
    });
    var ref = this.top.nextSibling;
    for (p = first; p < last; p += 1) {
      var row = kept.get(this.order[p]);
      if (row === ref) {
        ref = ref.nextSibling;
      } else {
        body.insertBefore(row, ref);
      }
    }
    this.rows = kept;
    this.top._cell.style.height = first * rowHeight + "px";
    this.bottom._cell.style.height = (n - last) * rowHeight + "px";
  };

  /** Scroll row position `p` into view, draw, and return its row. */
  VirtualTable.prototype.reveal = function (p) {
    this.measure();
    var rowHeight = this.rowHeight || FALLBACK_ROW_HEIGHT;
    var sticky = this.table.tHead ? this.table.tHead.getBoundingClientRect().height : 0;
    var top = this.head + p * rowHeight;
    if (top - sticky < this.scrolled) {
      this.wrap.scrollTop = top - sticky;
    } else if (top + rowHeight > this.scrolled + this.wrap.clientHeight) {
      this.wrap.scrollTop = top + rowHeight - this.wrap.clientHeight;
    }
    this.scrolled = this.wrap.scrollTop;
    this.draw(true);
    return this.rows.get(this.order[p]) || null;
  };

  VirtualTable.prototype.refreshSelection = function () {
    this.rows.forEach(function (tr, run) {
      tr._box.checked = data.selected[run] === 1;
    });
  };

  function supportsPassive() {
    var passive = false;
    try {
      var options = Object.defineProperty({}, "passive", {
        get: function () {
          passive = true;
          return true;
        }
      });
      window.addEventListener("snapsite-probe", null, options);
      window.removeEventListener("snapsite-probe", null, options);
    } catch (err) {
      passive = false;
    }
    return passive;
  }

  /** Measure the shown tables (before a change writes to the DOM: see VirtualTable); a table never measured yet
   * measures itself once it has rows. */
  function measureViews() {
    viewsShown().forEach(function (view) {
      if (view.head) {
        view.measure();
      }
    });
  }

  /* --- page elements ------------------------------------------------------------------------------------- */

  var section = closestSection(table);
  var form = doc.getElementById("filters");
  var countEl = doc.querySelector('[data-testid="result-count"]');
  var labelEl = doc.getElementById("result-label");
  var statusEl = doc.getElementById("runs-status");
  var selectionBar = doc.getElementById("selection-bar");
  var splitField = doc.getElementById("split-field");
  var splitBox = doc.getElementById("filter-split");
  var splitNote = doc.getElementById("split-note");
  var panesEl = doc.getElementById("split-panes");
  var scheduledEl = doc.getElementById("scheduled-view");
  var scheduleSelect = doc.getElementById("schedule-select");
  var mainWrap = table.parentNode;
  var state = parseHash(window.location.hash);
  var lastHash = window.location.hash.replace(/^#/, "");
  var typingUntil = 0;
  var seq = 0;
  var mainView = null;
  var panes = [];
  var anchor = null;

  function closestSection(el) {
    return app.closest(el, "section") || doc.body;
  }

  function setStatus(message) {
    if (statusEl) {
      statusEl.hidden = false;
      statusEl.textContent = message;
    }
  }

  /** Turn the static table into the script's: a selection column, sort buttons, fixed column widths. */
  function headerCells(tableEl, paneLabel) {
    var head = tableEl.tHead;
    var row = head.rows[0];
    app.clear(row);
    var all = h("input", {
      type: "checkbox",
      class: "select-all",
      "aria-label": "Select every run " + (paneLabel ? "of " + paneLabel + " " : "") + "matching the filters"
    });
    row.appendChild(h("th", { scope: "col", class: "select" }, [h("span", { class: "visually-hidden" }, "Select"), all]));
    COLUMNS.forEach(function (column) {
      row.appendChild(
        h("th", { scope: "col", "data-column": column.sort }, [
          h("button", { type: "button", class: "sort", "data-sort": column.sort }, [
            column.label,
            h("span", { class: "sort-mark", "aria-hidden": "true" })
          ])
        ])
      );
    });
    var cols = h("colgroup", null, [h("col", { class: "c-select" })].concat(
      COLUMNS.map(function (column) {
        return h("col", { class: column.cls });
      })
    ));
    var old = tableEl.querySelector("colgroup");
    if (old) {
      tableEl.removeChild(old);
    }
    tableEl.insertBefore(cols, head);
    tableEl.classList.add("vt");
  }

  function runsTableElement(caption, paneLabel) {
    var tableEl = h("table", { class: "runs vt" }, [
      h("caption", null, caption),
      h("thead", null, h("tr")),
      h("tbody")
    ]);
    headerCells(tableEl, paneLabel);
    return tableEl;
  }

  /* --- rendering the state -------------------------------------------------------------------------------- */

  function tenantName(id) {
    var tenants = (data.meta && data.meta.tenants) || [];
    for (var t = 0; t < tenants.length; t += 1) {
      if (tenants[t][0] === id) {
        return tenants[t][1];
      }
    }
    return id;
  }

  function sortCaption(state) {
    var sort = sortOf(state);
    if (sort.field === "createdAt") {
      return sort.desc ? "newest first" : "oldest first";
    }
    var column = null;
    COLUMNS.forEach(function (c) {
      if (c.sort === sort.field) {
        column = c.label;
      }
    });
    return "sorted by " + (column || sort.field) + (sort.desc ? ", descending" : ", ascending");
  }

  function scheduleTable(list, caption) {
    var rows = list.map(function (s) {
      var next;
      if (s.nextRun) {
        next = [h("time", { datetime: s.nextRun }, app.humanTime(app.parseTime(s.nextRun)))];
      } else if (s.problem) {
        next = [h("span", { class: "badge schedule-problem" }, s.problem)];
      } else {
        next = [s.status === "disabled" ? "none (disabled)" : "none while paused"];
      }
      if (s.status === "paused" && s.earliestAfterResume) {
        next.push(h("span", { class: "muted line" }, "earliest after resume: " + app.humanTime(app.parseTime(s.earliestAfterResume))));
      }
      return h("tr", { "data-schedule-id": s.id, "data-status": s.status }, [
        h("th", { scope: "row" }, [s.name, h("code", { class: "muted line" }, s.id)]),
        h("td", null, [tenantName(s.tenantId), h("span", { class: "muted line" }, s.tenantId)]),
        h("td", null, [h("code", null, s.cron), h("span", { class: "muted line" }, s.timezone)]),
        h("td", null, h("span", { class: "badge schedule-status status-" + safeClass(s.status) }, s.status)),
        h("td", null, next)
      ]);
    });
    if (!rows.length) {
      rows.push(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No schedules match.")));
    }
    return h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: "schedules-tab" }, [
      h("caption", null, caption),
      h("thead", null, h("tr", null, ["Schedule", "Tenant", "Cron and time zone", "Status", "Next run"].map(function (label) {
        return h("th", { scope: "col" }, label);
      }))),
      h("tbody", null, rows)
    ]));
  }

  function splitTenants() {
    return state.split && state.tenants.length >= 2 ? state.tenants : null;
  }

  function render(keepScroll) {
    if (!data.meta) {
      return;
    }
    if (mainView) {
      measureViews();
    }
    var result = filterRuns(state);
    var schedules = filterSchedules(state);
    var scheduled = state.tab === "scheduled";
    var counts = {
      active: result.counts[0],
      completed: result.counts[1],
      failures: result.counts[2],
      all: result.total,
      scheduled: schedules.length
    };
    var shown = scheduled ? schedules.length : result.n;
    if (countEl) {
      countEl.textContent = String(shown);
    }
    if (labelEl) {
      labelEl.textContent = scheduled
        ? "schedules" + (state.tenants.length || state.schedule || state.q ? " match the filters." : ".")
        : state.tab === "failures" && result.resolvedFailures
          ? RUN_NOUNS[state.tab] + " match the filters; " + result.resolvedFailures +
            " of them resolved by a retry that completed (open failures first)."
          : RUN_NOUNS[state.tab] + " match the filters.";
    }
    var links = doc.querySelectorAll("nav.tabs a[data-tab]");
    for (var l = 0; l < links.length; l += 1) {
      var key = links[l].getAttribute("data-tab");
      var badge = links[l].querySelector(".count");
      if (badge && Object.prototype.hasOwnProperty.call(counts, key)) {
        badge.textContent = String(counts[key]);
      }
      var target = copyState(state);
      target.tab = key;
      links[l].setAttribute("href", "#" + serialize(target));
      if (key === state.tab) {
        links[l].setAttribute("aria-current", "true");
      } else {
        links[l].removeAttribute("aria-current");
      }
    }
    var sort = sortOf(state);
    var headers = doc.querySelectorAll("table.vt th[data-column]");
    for (var c = 0; c < headers.length; c += 1) {
      var column = headers[c].getAttribute("data-column");
      var mark = headers[c].querySelector(".sort-mark");
      if (column === sort.field) {
        headers[c].setAttribute("aria-sort", sort.desc ? "descending" : "ascending");
        mark.textContent = sort.desc ? " \u25bc" : " \u25b2";
      } else {
        headers[c].removeAttribute("aria-sort");
        mark.textContent = "";
      }
    }

    var paneTenants = splitTenants();
    if (splitNote) {
      splitNote.hidden = !(state.split && !paneTenants);
    }
    if (paneTenants) {
      mainWrap.hidden = true;
      scheduledEl.hidden = true;
      panesEl.hidden = false;
      app.clear(scheduledEl);
      mainView.show(NONE, 0, false);
      renderPanes(paneTenants, result, schedules, keepScroll);
    } else {
      panesEl.hidden = true;
      clearPanes();
      mainWrap.hidden = scheduled;
      scheduledEl.hidden = !scheduled;
      app.clear(scheduledEl);
      if (scheduled) {
        mainView.show(NONE, 0, false);
        scheduledEl.appendChild(scheduleTable(schedules, "Schedules: the next run of each, or why there is none"));
      } else {
        table.caption.textContent = (state.tab === "all" ? "All runs" : TAB_LABELS[state.tab] + " runs") + ", " + sortCaption(state);
        mainView.show(result.order, result.n, keepScroll);
      }
    }
    updateSelection();
    seq += 1;
    table.setAttribute("data-render-seq", String(seq));
  }

  function clearPanes() {
    panes = [];
    if (panesEl) {
      app.clear(panesEl);
    }
  }

  function renderPanes(tenants, result, schedules, keepScroll) {
    var same = panes.length === tenants.length && panes.every(function (pane, k) {
      return pane.tenant === tenants[k] && pane.scheduled === (state.tab === "scheduled");
    });
    if (!same) {
      clearPanes();
      tenants.forEach(function (tenant) {
        var name = tenantName(tenant);
        var count = h("span", { class: "num", "data-testid": "pane-count" }, "0");
        var pane = { tenant: tenant, scheduled: state.tab === "scheduled", count: count, view: null, box: null };
        pane.box = h("section", { class: "pane", "data-tenant": tenant, "aria-label": "Tenant " + name }, [
          h("h3", null, [name, " ", h("span", { class: "muted" }, "(" + tenant + ")")]),
          h("p", { class: "result-summary" }, [count, " match"])
        ]);
        if (!pane.scheduled) {
          var tableEl = runsTableElement("", name);
          pane.box.appendChild(h("div", { class: "table-wrap pane-wrap" }, tableEl));
        }
        panesEl.appendChild(pane.box);
        if (!pane.scheduled) {
          pane.view = new VirtualTable(pane.box.querySelector("table"), "No runs of this tenant match.");
        }
        panes.push(pane);
      });
    }
    var slot = {};
    tenants.forEach(function (tenant, k) {
      slot[tenant] = k;
    });
    if (state.tab === "scheduled") {
      panes.forEach(function (pane) {
        var mine = schedules.filter(function (s) {
          return s.tenantId === pane.tenant;
        });
        pane.count.textContent = String(mine.length);
        var old = pane.box.querySelector(".table-wrap");
        if (old) {
          pane.box.removeChild(old);
        }
        pane.box.appendChild(scheduleTable(mine, "Schedules of " + tenantName(pane.tenant)));
      });
      return;
    }
    var lists = tenants.map(function () {
      return [];
    });
    var tenantCol = data.cols.tenantId;
    var tenantValues = data.dicts.tenantId.values;
    for (var p = 0; p < result.n; p += 1) {
      var run = result.order[p];
      var k = slot[tenantValues[tenantCol[run]]];
      if (k !== undefined) {
        lists[k].push(run);
      }
    }
    panes.forEach(function (pane, k) {
      var order = new Uint32Array(lists[k]);
      pane.count.textContent = String(order.length);
      pane.view.table.caption.textContent =
        (state.tab === "all" ? "All runs" : TAB_LABELS[state.tab] + " runs") + " of " + tenantName(pane.tenant) + ", " + sortCaption(state);
      pane.view.show(order, order.length, keepScroll);
    });
  }

  function copyState(s) {
    var copy = {};
    for (var key in s) {
      if (Object.prototype.hasOwnProperty.call(s, key)) {
        copy[key] = Array.isArray(s[key]) ? s[key].slice() : s[key];
      }
    }
    return copy;
  }

  /* --- controls <-> state ----------------------------------------------------------------------------------- */

  function setSelect(select, val) {
    if (!select) {
      return;
    }
    var extra = select.querySelector("option[data-extra]");
    if (extra) {
      select.removeChild(extra);
    }
    if (val && !Array.prototype.some.call(select.options, function (o) { return o.value === val; })) {
      select.appendChild(h("option", { value: val, "data-extra": "" }, val + " (not in this snapshot)"));
    }
    select.value = val;
  }

  function syncControls() {
    if (!form) {
      return;
    }
    var tenantSelect = form.querySelector("#filter-tenant");
    if (tenantSelect) {
      Array.prototype.forEach.call(tenantSelect.querySelectorAll("option[data-extra]"), function (o) {
        tenantSelect.removeChild(o);
      });
      state.tenants.forEach(function (tenant) {
        if (!Array.prototype.some.call(tenantSelect.options, function (o) { return o.value === tenant; })) {
          tenantSelect.appendChild(h("option", { value: tenant, "data-extra": "" }, tenant + " (not in this snapshot)"));
        }
      });
      Array.prototype.forEach.call(tenantSelect.options, function (o) {
        o.selected = state.tenants.indexOf(o.value) !== -1;
      });
    }
    ["trigger", "state", "schedule", "severity", "policy", "shard", "error", "resolved", "evidence"].forEach(function (key) {
      setSelect(form.querySelector("#filter-" + key), state[key]);
    });
    setSelect(scheduleSelect, state.schedule);
    ["from", "to"].forEach(function (key) {
      var input = form.querySelector("#filter-" + key);
      if (input) {
        var day = /^\d{4}-\d{2}-\d{2}/.exec(state[key]);
        input.value = day ? day[0] : "";
      }
    });
    var q = form.querySelector("#filter-q");
    if (q && q.value.trim() !== state.q) {
      q.value = state.q;
    }
    if (splitBox) {
      splitBox.checked = state.split;
    }
  }

  function writeHash(push) {
    var next = serialize(state);
    lastHash = next;
    if (window.location.hash.replace(/^#/, "") === next) {
      return;
    }
    try {
      if (push) {
        window.location.hash = next;
      } else {
        window.location.replace("#" + next);
      }
    } catch (err) {
      /* a frame that may not navigate itself: the view still works, it just is not in the address */
    }
  }

  function apply(push) {
    writeHash(push);
    render(false);
  }

  function onControl(event) {
    var el = event.target;
    var name = el.name;
    if (!name) {
      return;
    }
    if (name === "tenant") {
      state.tenants = Array.prototype.filter.call(el.options, function (o) {
        return o.selected;
      }).map(function (o) {
        return o.value;
      });
    } else if (name === "split") {
      state.split = el.checked;
    } else if (name === "q") {
      if (event.type !== "input" && el.value.trim() === state.q) {
        return;
      }
      var burst = Date.now() < typingUntil;
      typingUntil = Date.now() + TYPING_BURST_MS;
      state.q = el.value.trim();
      apply(!burst);
      return;
    } else if (SINGLE_KEYS.indexOf(name) !== -1) {
      state[name] = el.value;
    } else {
      return;
    }
    if (name === "schedule") {
      setSelect(scheduleSelect, state.schedule);
      setSelect(form.querySelector("#filter-schedule"), state.schedule);
    }
    apply(true);
  }

  function onHashChange() {
    var raw = window.location.hash.replace(/^#/, "");
    if (raw === lastHash) {
      return; // the page's own write
    }
    lastHash = raw;
    state = parseHash(raw);
    syncControls();
    render(false);
  }

  /* --- selection and its downloads ------------------------------------------------------------------------ */

  function setSelected(run, on) {
    if ((data.selected[run] === 1) !== on) {
      data.selected[run] = on ? 1 : 0;
      data.selectedCount += on ? 1 : -1;
    }
  }

  function viewsShown() {
    if (panes.length && !panesEl.hidden) {
      return panes.filter(function (pane) {
        return pane.view;
      }).map(function (pane) {
        return pane.view;
      });
    }
    return mainWrap.hidden ? [] : [mainView];
  }

  function updateSelection() {
    viewsShown().forEach(function (view) {
      view.refreshSelection();
      var all = view.table.querySelector("input.select-all");
      if (all) {
        var chosen = 0;
        for (var p = 0; p < view.n; p += 1) {
          chosen += data.selected[view.order[p]];
        }
        all.checked = view.n > 0 && chosen === view.n;
        all.indeterminate = chosen > 0 && chosen < view.n;
      }
    });
    if (selectionBar) {
      var count = selectionBar.querySelector("[data-selection-count]");
      if (count) {
        count.textContent = app.groupDigits(data.selectedCount);
      }
      var buttons = selectionBar.querySelectorAll("button");
      for (var b = 0; b < buttons.length; b += 1) {
        buttons[b].disabled = data.selectedCount === 0;
      }
    }
  }

  function selectedRuns() {
    var runs = [];
    for (var i = 0; i < data.n; i += 1) {
      if (data.selected[i] === 1) {
        runs.push(i);
      }
    }
    return runs;
  }

  function selectionCsv() {
    var fields = data.fields.filter(function (field) {
      return field !== "detailFile";
    });
    var lines = [fields.map(app.csvCell).join(",")];
    selectedRuns().forEach(function (i) {
      lines.push(
        fields
          .map(function (field) {
            var v = value(field, i);
            return app.csvCell(Array.isArray(v) ? v.join(" ") : v);
          })
          .join(",")
      );
    });
    return lines.join("\r\n") + "\r\n";
  }

  function exportScript() {
    var runs = selectedRuns();
    var lines = [
      "#!/bin/sh",
      "# Generated in the browser by snapsite from snapshot " + app.commentSafe(data.meta.snapshotId) + ".",
      "# Export the " + runs.length + " selected run" + (runs.length === 1 ? "" : "s") + " as evidence bundles.",
      "# Carry this file back across the air gap and run it where the `stella` CLI can reach the Scheduler.",
      "set -eu"
    ];
    runs.forEach(function (i) {
      var id = data.cols.id[i];
      if (id.indexOf("\u0000") !== -1) {
        lines.push("# skipped a run whose id holds a NUL character: " + app.commentSafe(id));
      } else {
        lines.push("stella runs export --run " + app.shQuote(id) + " --bundle");
      }
    });
    return lines.join("\n") + "\n";
  }

  function onSelectionAction(event) {
    var button = app.closest(event.target, "button[data-selection]");
    if (!button) {
      return;
    }
    var action = button.getAttribute("data-selection");
    var count = data.selectedCount;
    if (action === "clear") {
      data.selected.fill(0);
      data.selectedCount = 0;
      updateSelection();
      app.announce("Selection cleared.");
      return;
    }
    var name;
    var body;
    if (action === "csv") {
      name = "runs-selection-" + count + ".csv";
      body = selectionCsv();
      app.download(name, body, "text/csv;charset=utf-8");
    } else if (action === "script") {
      name = "export-runs-" + count + ".sh";
      body = exportScript();
      app.download(name, body, "text/x-shellscript;charset=utf-8");
    } else {
      return;
    }
    app.fileText(selectionBar, name, body);
  }

  function viewOf(el) {
    var tableEl = app.closest(el, "table");
    if (tableEl === table) {
      return mainView;
    }
    for (var k = 0; k < panes.length; k += 1) {
      if (panes[k].view && panes[k].view.table === tableEl) {
        return panes[k].view;
      }
    }
    return null;
  }

  function onTableClick(event) {
    var target = event.target;
    var view = viewOf(target);
    if (!view) {
      return;
    }
    var sortButton = app.closest(target, "button[data-sort]");
    if (sortButton) {
      var field = sortButton.getAttribute("data-sort");
      var sort = sortOf(state);
      var first = "asc";
      COLUMNS.forEach(function (c) {
        if (c.sort === field) {
          first = c.first;
        }
      });
      var desc = sort.field === field ? !sort.desc : first === "desc";
      state.sort = (desc ? "-" : "") + field;
      apply(true);
      return;
    }
    if (target.classList && target.classList.contains("select-all")) {
      var allOn = target.checked;
      for (var p = 0; p < view.n; p += 1) {
        setSelected(view.order[p], allOn);
      }
      updateSelection();
      return;
    }
    var tr = app.closest(target, "tr.run");
    if (!tr || tr._run === undefined) {
      return;
    }
    if (target.classList && target.classList.contains("select-run")) {
      var on = target.checked;
      if (event.shiftKey && anchor && anchor.view === view && anchor.pos < view.n) {
        var from = Math.min(anchor.pos, tr._pos);
        var to = Math.max(anchor.pos, tr._pos);
        for (var q = from; q <= to; q += 1) {
          setSelected(view.order[q], on);
        }
      } else {
        setSelected(tr._run, on);
      }
      anchor = { view: view, pos: tr._pos };
      updateSelection();
      return;
    }
    var link = app.closest(target, "a");
    if (link && !link.classList.contains("run-id")) {
      return; // a runbook link
    }
    if (app.closest(target, "input, button, select, textarea, label")) {
      return;
    }
    if (link && (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0)) {
      return; // a new tab or window: the run's static page
    }
    event.preventDefault();
    openDrawer(tr._run, link || tr.querySelector("a.run-id"));
  }

  function onTableKey(event) {
    var key = event.key;
    if (["ArrowDown", "ArrowUp", "PageDown", "PageUp", "Home", "End"].indexOf(key) === -1) {
      return;
    }
    var tr = app.closest(event.target, "tr.run");
    var view = tr && viewOf(tr);
    if (!view || !app.closest(event.target, "a.run-id, input.select-run")) {
      return;
    }
    var page = Math.max(1, Math.floor(view.wrap.clientHeight / (view.rowHeight || FALLBACK_ROW_HEIGHT)) - 1);
    var moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    var p = key === "Home" ? 0 : key === "End" ? view.n - 1 : tr._pos + moves[key];
    p = Math.max(0, Math.min(view.n - 1, p));
    event.preventDefault();
    var row = view.reveal(p);
    var focus = row && row.querySelector(event.target.classList.contains("select-run") ? "input.select-run" : "a.run-id");
    if (focus) {
      focus.focus();
    }
  }

  /* --- the detail drawer ------------------------------------------------------------------------------------ */

  var drawer = null;
  var drawerBody = null;
  var drawerTitle = null;
  var drawerLink = null;
  var detailCache = [];
  var DETAIL_CACHE_FILES = 4;
  var detailQueue = [];
  var detailBusy = false;

  /** The drawer data of one run, from data/detail-NNNN.js (loaded once, a few files kept). */
  function loadDetail(number, id, done) {
    for (var c = 0; c < detailCache.length; c += 1) {
      if (detailCache[c].number === number) {
        done(detailCache[c].runs[id] || null);
        return;
      }
    }
    detailQueue.push({ number: number, id: id, done: done });
    pumpDetails();
  }

  function pumpDetails() {
    if (detailBusy || !detailQueue.length) {
      return;
    }
    var job = detailQueue.shift();
    detailBusy = true;
    window.snapsiteDetail = {};
    app.loadScript("data/detail-" + app.pad(job.number, 4) + ".js", function (ok) {
      var runs = ok && window.snapsiteDetail ? window.snapsiteDetail : {};
      window.snapsiteDetail = {};
      if (ok) {
        detailCache.unshift({ number: job.number, runs: runs });
        detailCache.length = Math.min(detailCache.length, DETAIL_CACHE_FILES);
      }
      detailBusy = false;
      job.done(runs[job.id] || null);
      pumpDetails();
    });
  }

  function ensureDrawer() {
    if (drawer) {
      return;
    }
    drawer = app.makeDialog("drawer", "drawer-title");
    drawerTitle = h("h2", { id: "drawer-title", tabindex: "-1" }, "Run");
    drawerLink = h("a", { class: "deep-link" }, "Open the run's own page");
    var close = h("button", { type: "button", class: "drawer-close", "data-autofocus": "" }, "Close");
    close.addEventListener("click", function () {
      app.closeDialog(drawer);
    });
    drawerBody = h("div", { class: "drawer-body" });
    app.append(drawer, [
      h("div", { class: "drawer-head" }, [drawerTitle, h("p", null, [drawerLink, " ", close])]),
      drawerBody
    ]);
  }

  function openDrawer(run, opener) {
    ensureDrawer();
    var id = data.cols.id[run];
    drawer.setAttribute("data-drawer-run", app.visible(id));
    app.clear(drawerTitle).appendChild(doc.createTextNode("Run "));
    drawerTitle.appendChild(h("span", { class: "run-id" }, id));
    var href = app.safeHref("runs/" + data.cols.slug[run] + ".html");
    if (href) {
      drawerLink.setAttribute("href", href);
    }
    app.clear(drawerBody).appendChild(h("p", { class: "muted", role: "status" }, "Loading the run's details\u2026"));
    app.openDialog(drawer, opener, function () {
      var row = null;
      viewsShown().forEach(function (view) {
        if (!row && view.rows.get(run)) {
          row = view.rows.get(run).querySelector("a.run-id");
        }
      });
      return opener && doc.contains(opener) ? opener : row;
    });
    loadDetail(data.cols.detailFile[run], id, function (detail) {
      if (drawer.getAttribute("data-drawer-run") !== app.visible(id)) {
        return; // another run was opened meanwhile
      }
      app.clear(drawerBody);
      if (!detail) {
        drawerBody.appendChild(h("p", null, "The details of this run are not in this site's data files: open the run's own page."));
        return;
      }
      app.append(drawerBody, drawerSections(detail));
      app.revealControls(drawerBody);
      app.tick();
    });
  }

  function facts(pairs) {
    return h(
      "dl",
      { class: "facts" },
      pairs.map(function (pair) {
        return h("div", null, [h("dt", null, pair[0]), h("dd", null, pair[1])]);
      })
    );
  }

  function command(line, label) {
    return h("div", { class: "command" }, [
      h("pre", null, h("code", null, line)),
      h("button", { type: "button", class: "copy", "data-copy": line }, label || "Copy")
    ]);
  }

  function drawerSection(key, title, content) {
    return h("section", { class: "drawer-section", "data-section": key, "aria-labelledby": "drawer-" + key + "-heading" }, [
      h("h3", { id: "drawer-" + key + "-heading" }, title)
    ].concat(content));
  }

  function simpleTable(caption, headers, rows, className) {
    return h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: className || "" }, [
      h("caption", null, caption),
      h("thead", null, h("tr", null, headers.map(function (label) {
        return h("th", { scope: "col" }, label);
      }))),
      h("tbody", null, rows)
    ]));
  }

  function timeText(iso, human) {
    return iso ? h("time", { datetime: iso }, human) : human;
  }

  function drawerSections(d) {
    var row = d.row;
    var manage = (data.meta.scopes || []).indexOf("runs.manage") !== -1;
    var summary = [
      ["Tenant", [d.tenant_name, " ", h("span", { class: "muted" }, "(" + row.tenant_id + ")")]],
      ["Trigger", row.trigger],
      ["Mode", row.mode],
      ["State", stateBadge(row.state, row.error_code).concat(row.error_message ? [" ", h("span", { class: "reason" }, row.error_message)] : [])],
      ["Schedule", row.schedule_id ? (row.schedule_name || row.schedule_id) + (row.schedule_name ? " (" + row.schedule_id + ")" : "") : "none (not scheduled)"],
      ["Planner shards", String(row.shard_count)],
      ["Created", timeText(row.created_at, d.created_at_text)],
      ["Started", timeText(row.started_at, d.started_at_text)],
      ["Finished", timeText(row.finished_at, d.finished_at_text)],
      ["Duration", app.duration(row.duration_seconds) + (row.running ? " (running at snapshot time)" : "")],
      ["Correlation ID", h("code", null, row.correlation_id)],
      ["Initiator", row.initiator]
    ];
    if (row.policy_revision !== null && row.policy_revision !== undefined) {
      summary.push(["Policy revision", h("code", null, row.policy_revision)]);
    }
    if (row.retry_of) {
      var retryHref = d.retry_of_slug ? app.safeHref("runs/" + d.retry_of_slug + ".html") : null;
      summary.push(["Retry of", retryHref ? h("a", { href: retryHref }, row.retry_of) : row.retry_of + " (not in this snapshot)"]);
    }

    var phases = d.phases || [];
    var bar = app.svg(
      "svg",
      { class: "phase-bar", viewBox: "0 0 100 8", preserveAspectRatio: "none", role: "img",
        "aria-label": "Phases: " + phases.map(function (p) { return p.name + " " + p.state; }).join(", ") },
      phases.map(function (p) {
        return app.svg("rect", { class: "phase phase-" + safeClass(p.state), x: String(p.x), y: "0", width: String(p.width), height: "8" },
          app.svg("title", {}, p.name + ": " + p.state));
      })
    );
    var progress = [
      bar,
      h("ol", { class: "legend" }, phases.map(function (p) {
        return h("li", null, [h("strong", null, p.name), ": " + p.state + " ", h("span", { class: "muted" }, "(" + p.started_at + " to " + p.finished_at + ")")]);
      })),
      h("p", { class: "progress-line" }, [
        h("progress", { max: "100", value: String(row.progress_pct), "aria-label": row.progress_pct + "% complete" }),
        " " + row.processed + " of " + row.total + " targets processed (" + row.progress_pct + "%); throughput " +
          (d.throughput_per_minute === null ? "unknown." : d.throughput_per_minute + " targets per minute.")
      ])
    ];

    var segments = d.segments || [];
    var segmentContent = !segments.length ? [h("p", null, "No segments recorded for this run.")] : [
      simpleTable(
        segments.length + " segment" + (segments.length === 1 ? "" : "s") + " of this run",
        ["Segment", "Shard", "State", "Targets", "Processed", "Executor", "Retries", "Cooldown", "Error", "Retry"],
        segments.map(function (s) {
          var cooldown = "\u2014";
          if (s.cooling_down) {
            cooldown = [h("span", { class: "badge cooldown" }, "cooling down until " + s.cooldown_until), " ",
              h("span", { class: "muted cooldown-timer", "data-cooldown-until": s.cooldown_until })];
          } else if (s.cooldown_until) {
            cooldown = h("span", { class: "muted" }, "ended " + s.cooldown_until);
          }
          var error = "\u2014";
          if (s.error_code) {
            error = [h("a", { class: "error-code", href: "runbooks/" + app.runbookName(s.error_code) + ".html" }, s.error_code)];
            if (s.error_message) {
              error.push(" ", h("span", { class: "reason" }, s.error_message));
            }
          }
          return h("tr", { "data-segment-id": s.id }, [
            h("th", { scope: "row" }, h("code", null, s.id)),
            h("td", { class: "num" }, String(s.shard)),
            h("td", null, h("span", { class: "badge state state-" + safeClass(s.state) }, s.state)),
            h("td", { class: "num" }, String(s.target_count)),
            h("td", { class: "num" }, String(s.processed)),
            h("td", null, s.executor || "\u2014"),
            h("td", { class: "num" }, String(s.retry_count)),
            h("td", null, cooldown),
            h("td", null, error),
            h("td", null, manage && s.retry_command ? command(s.retry_command) : "\u2014")
          ]);
        }),
        "segments"
      )
    ];

    var counts = d.severity_counts || [];
    var most = 1;
    counts.forEach(function (pair) {
      most = Math.max(most, pair[1]);
    });
    var deltas = [
      facts([
        ["New findings", String(row.new_findings)], ["New critical", String(row.new_criticals)], ["New high", String(row.new_high)],
        ["New medium", String(row.new_medium)], ["New low", String(row.new_low)], ["Resolved", String(row.resolved)],
        ["Quieted", String(row.quieted)], ["Severity shifts", String(row.severity_shifts)], ["KEV additions", String(row.kev_additions)]
      ]),
      simpleTable("Findings records of this run by severity", ["Severity", "Findings", "Share"], counts.map(function (pair) {
        return h("tr", null, [
          h("th", { scope: "row" }, h("span", { class: "badge sev sev-" + safeClass(pair[0]) }, pair[0])),
          h("td", { class: "num" }, String(pair[1])),
          h("td", { class: "bar-cell" }, app.svg("svg", { class: "bar", viewBox: "0 0 100 4", preserveAspectRatio: "none", "aria-hidden": "true" },
            app.svg("rect", { class: "sev-fill sev-" + safeClass(pair[0]), x: "0", y: "0", width: String(Math.round((pair[1] * 10000) / most) / 100), height: "4" })))
        ]);
      }), "severity")
    ];
    var findings = d.findings || [];
    var FINDINGS_SHOWN = 50;
    if (findings.length) {
      deltas.push(simpleTable(
        "Findings delta: showing " + Math.min(findings.length, FINDINGS_SHOWN) + " of " + d.findings_total,
        ["Vulnerability", "Severity", "Change", "KEV", "Repository", "Package"],
        findings.slice(0, FINDINGS_SHOWN).map(function (f) {
          return h("tr", null, [
            h("th", { scope: "row" }, f.vulnerability_id),
            h("td", null, [h("span", { class: "badge sev sev-" + safeClass(f.severity) }, f.severity)].concat(
              f.previous_severity ? [" ", h("span", { class: "muted" }, "was " + f.previous_severity)] : [])),
            h("td", null, f.change),
            h("td", null, f.kev ? h("span", { class: "badge kev" }, "KEV") : "no"),
            h("td", null, f.repository),
            h("td", null, h("code", null, f.purl))
          ]);
        }),
        "findings"
      ));
    } else {
      deltas.push(h("p", null, "No findings delta records for this run."));
    }
    var csvHref = app.safeHref(d.findings_csv);
    if (csvHref) {
      deltas.push(h("p", null, h("a", { class: "download", href: csvHref, download: "" }, "Download the findings delta (CSV, all " + d.findings_total + " rows)")));
    }

    var evidence = d.evidence || [];
    var evidenceContent = [];
    if (evidence.length) {
      evidenceContent.push(h("p", { class: "note" }, "Downloads are local files of this site: copy them to removable media to take them away."));
      evidenceContent.push(simpleTable("Evidence of this run", ["Evidence", "Size", "SHA-256", "Signature", "Files"], evidence.map(function (item) {
        var files = [];
        var file = app.safeHref(item.href);
        var attestation = app.safeHref(item.attestation_href);
        if (file) {
          files.push(h("a", { href: file, download: "" }, "Download"));
        }
        if (attestation) {
          files.push(h("span", { class: "line" }, h("a", { href: attestation, download: "" }, "Attestation (DSSE)")));
        }
        var title = [h("span", { class: "evidence-title" }, item.title), h("span", { class: "muted line" }, item.kind + " \u00b7 " + item.media_type)];
        if (item.bundle_status) {
          title.push(h("span", { class: "line" }, [h("span", { class: "badge bundle bundle-" + safeClass(item.bundle_status) }, "bundle " + item.bundle_status)].concat(
            item.bundle_problem ? [" ", h("span", { class: "reason" }, item.bundle_problem)] : [])));
        }
        return h("tr", {
          "data-evidence-id": item.id,
          "data-signature-status": item.status,
          "data-bundle-status": item.bundle_status || null
        }, [
          h("td", null, title),
          h("td", { class: "num" }, item.size_text),
          h("td", null, h("code", { class: "hash" }, item.sha256)),
          h("td", null, [h("span", { class: "badge sig sig-" + safeClass(item.status) }, item.status)].concat(item.reason ? [" ", h("span", { class: "reason" }, item.reason)] : [])),
          h("td", { class: "downloads" }, files)
        ]);
      }), "evidence"));
    } else if (!d.evidence_hidden) {
      evidenceContent.push(h("p", null, "No evidence for this run."));
    }
    if (d.evidence_hidden) {
      evidenceContent.push(h("p", { class: "note" }, d.evidence_hidden + " evidence item" + (d.evidence_hidden === 1 ? " is" : "s are") + " withheld by this build's scopes."));
    }

    var logs = d.logs || [];
    var logContent = [h("p", null, "Open in logs: this query finds the run's entries in external log tooling."), command(d.logs_query, "Copy query")];
    if (logs.length) {
      logContent.push(simpleTable("Showing the last " + logs.length + " of " + d.logs_total + " log entries", ["Time", "Severity", "Message", "Correlation ID", "Segment"], logs.map(function (log) {
        return h("tr", { "data-log-ts": log.ts, class: "log log-" + safeClass(log.severity) }, [
          h("td", null, h("time", { datetime: log.ts }, log.ts_text)),
          h("td", null, h("span", { class: "badge log-sev log-sev-" + safeClass(log.severity) }, log.severity)),
          h("td", { class: "message" }, log.message),
          h("td", null, h("code", null, log.correlation_id)),
          h("td", null, log.segment_id ? h("code", null, log.segment_id) : "\u2014")
        ]);
      }), "logs"));
    } else {
      logContent.push(h("p", null, "No log entries for this run."));
    }

    var actions = [h("p", null, "This site is an offline snapshot: run these commands where the Scheduler is reachable.")];
    (d.commands || []).forEach(function (pair) {
      if (!manage && /^stella runs (retry|cancel) /.test(pair[1])) {
        return;
      }
      actions.push(h("h4", null, pair[0]), command(pair[1]));
    });
    var incidentId = "drawer-incident";
    var incident = h("textarea", { id: incidentId, readonly: true, rows: "10", spellcheck: "false" });
    incident.value = d.incident;
    actions.push(
      h("h4", null, "Escalate to support"),
      h("p", { class: "field" }, [h("label", { for: incidentId }, "Incident text"), incident]),
      h("p", { class: "incident-actions" }, [
        h("button", { type: "button", "data-copy-target": incidentId }, "Copy incident text"),
        " ",
        h("button", { type: "button", "data-download-target": incidentId, "data-filename": "incident-" + row.slug + ".txt" }, "Download incident text")
      ])
    );

    return [
      drawerSection("summary", "Summary", [facts(summary)]),
      drawerSection("progress", "Progress", progress),
      drawerSection("segments", "Segments", segmentContent),
      drawerSection("deltas", "Deltas", deltas),
      drawerSection("evidence", "Evidence", evidenceContent),
      drawerSection("logs", "Logs", logContent),
      drawerSection("actions", "Actions", actions)
    ];
  }

  /* --- loading ------------------------------------------------------------------------------------------- */

  var FIRST_SLICE = 2000;
  var pending = []; // row arrays that have run but are not taken in yet, in order

  /**
   * Take in the data files that have run, in order. `quick` takes only the first rows of the very first file
   * (the caller takes the rest in a moment), so that the first rows are drawn sooner; true when some are left.
   */
  function consumeChunks(quick) {
    pending = pending.concat(window.snapsiteRuns || []);
    window.snapsiteRuns = [];
    if (quick && data.n === 0 && pending.length && pending[0].length > FIRST_SLICE) {
      ingest(pending[0].slice(0, FIRST_SLICE));
      pending[0] = pending[0].slice(FIRST_SLICE);
      return true;
    }
    for (var c = 0; c < pending.length; c += 1) {
      ingest(pending[c]);
    }
    pending = [];
    return false;
  }

  function start() {
    headerCells(table, "");
    mainView = new VirtualTable(table, "No runs match these filters.");
    if (selectionBar) {
      selectionBar.hidden = false;
    }
    if (splitField) {
      splitField.hidden = false;
    }
  }

  function load() {
    var files = (table.getAttribute("data-run-files") || "").split(/\s+/).filter(Boolean);
    var metaFile = files.filter(function (f) {
      return /meta\.js$/.test(f);
    })[0];
    var runFiles = files.filter(function (f) {
      return f !== metaFile;
    });
    table.setAttribute("data-state", "loading");
    syncControls();
    setStatus("Loading the runs of this snapshot\u2026");
    window.snapsiteRuns = window.snapsiteRuns || [];
    take(metaFile || "data/meta.js", function () {
      return !!window.snapsiteMeta;
    }, function (ok) {
      var meta = window.snapsiteMeta;
      if (!ok || !meta || !Array.isArray(meta.fields)) {
        fail("The runs data (data/meta.js) could not be loaded: the table shows the static rows only.");
        return;
      }
      try {
        setup(meta);
      } catch (err) {
        fail("The runs data is not in a form this page understands: the table shows the static rows only.");
        return;
      }
      // The first data file alone (the first rows come from it), then every other at once: the browser reads
      // and parses those in parallel, off the main thread, and runs them in order (async = false); each is taken
      // in as soon as it has run.
      var started = false;
      var done = 0;
      var broken = false;
      function finish() {
        consumeChunks(false);
        if (!started) {
          start();
          started = true;
        }
        render(true);
        if (!broken) {
          table.setAttribute("data-state", "ready");
          setStatus("All " + app.groupDigits(data.n) + " runs of this snapshot are loaded.");
        }
      }
      function loaded(file, ok) {
        if (!ok) {
          broken = true;
          fail("A runs data file (" + file + ") could not be loaded: the table may be incomplete.");
        }
        var more = consumeChunks(done === 0);
        if (!started && data.n) {
          start();
          started = true;
        }
        done += 1;
        if (done === runFiles.length) {
          finish();
        } else if (started) {
          render(true);
          if (!broken) {
            setStatus("Loading the runs of this snapshot: " + app.groupDigits(data.n) + " of " + app.groupDigits(meta.runs) + "\u2026");
          }
        }
        if (more) {
          window.setTimeout(function () {
            if (pending.length) {
              consumeChunks(false);
              render(true);
            }
          }, 0);
        }
      }
      if (!runFiles.length) {
        finish();
      }
      function request(file, then) {
        app.loadScript(file, function (ok) {
          loaded(file, ok);
          if (then) {
            then();
          }
        });
      }
      if (runFiles.length) {
        take(runFiles[0], function () {
          return window.snapsiteRuns.length > 0;
        }, function (ok) {
          loaded(runFiles[0], ok);
          runFiles.slice(1).forEach(function (file) {
            request(file, null);
          });
        });
      }
    });
  }

  /**
   * Run `done(ok)` once the data file `file` has run: index.html starts the first ones early (async scripts
   * marked data-early, `ran()` tells whether one already has); any other is loaded now.
   */
  function take(file, ran, done) {
    var early = null;
    Array.prototype.forEach.call(doc.querySelectorAll("script[data-early]"), function (script) {
      if (script.getAttribute("src") === file) {
        early = script;
      }
    });
    if (!early) {
      app.loadScript(file, done);
    } else if (ran()) {
      done(true);
    } else if (doc.readyState === "complete") {
      done(false); // the page's load event waits for async scripts: this one failed
    } else {
      var settled = false;
      var settle = function (ok) {
        if (!settled) {
          settled = true;
          done(ok);
        }
      };
      early.addEventListener("load", function () {
        settle(true);
      });
      early.addEventListener("error", function () {
        settle(false);
      });
      // Its error may have come before this script ran: the window's load event comes after it in any case.
      window.addEventListener("load", function () {
        settle(ran());
      });
    }
  }

  function fail(message) {
    table.setAttribute("data-state", "error");
    setStatus(message);
  }

  if (form) {
    form.addEventListener("change", onControl);
    form.addEventListener("input", function (event) {
      if (event.target.name === "q") {
        onControl(event);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      var fresh = defaults();
      fresh.tab = state.tab; // Clear resets filters and the sort (newest first), and keeps the tab
      state = fresh;
      syncControls();
      apply(true);
    });
  }
  if (scheduleSelect) {
    scheduleSelect.addEventListener("change", function () {
      state.schedule = scheduleSelect.value;
      setSelect(form && form.querySelector("#filter-schedule"), state.schedule);
      apply(true);
    });
  }
  var tabs = doc.querySelector("nav.tabs");
  if (tabs) {
    tabs.addEventListener("click", function (event) {
      var link = app.closest(event.target, "a[data-tab]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || !data.meta) {
        return;
      }
      event.preventDefault();
      state.tab = link.getAttribute("data-tab");
      apply(true);
    });
  }
  section.addEventListener("click", onTableClick);
  section.addEventListener("keydown", onTableKey);
  if (selectionBar) {
    selectionBar.addEventListener("click", onSelectionAction);
  }
  window.addEventListener("hashchange", onHashChange);
  var resizeQueued = false;
  window.addEventListener("resize", function () {
    if (mainView && !resizeQueued) {
      resizeQueued = true;
      frame(function () {
        resizeQueued = false;
        viewsShown().forEach(function (view) {
          view.measure();
          view.draw(false);
        });
      });
    }
  });
  load();
})();

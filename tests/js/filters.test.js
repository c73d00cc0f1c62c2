"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { urlState, runsData, filters } = require("./load.js");

const FIELDS = [
  "id", "slug", "correlationId", "tenantId", "scheduleId", "scheduleName", "trigger", "state", "initiator",
  "policyRevision", "errorCode", "errorMessage", "newCriticals", "newHigh", "durationSeconds", "createdAt",
  "shardCount", "badges", "detailFile"
];

/** Runs newest first, as the data files have them. */
const RUNS = [
  { id: "r6", tenantId: "acme", trigger: "cron", state: "running", scheduleId: "s1", scheduleName: "Nightly Acme",
    initiator: "scheduler", createdAt: "2026-11-20T12:00:00Z", shardCount: 4, newCriticals: 0, newHigh: 2, durationSeconds: 30 },
  { id: "r5", tenantId: "initech", trigger: "manual", state: "error", errorCode: "ERR_RUN_005",
    errorMessage: "Disk FULL on worker", initiator: "alice", createdAt: "2026-11-20T00:00:00Z", shardCount: 8,
    newCriticals: 1, newHigh: 0, policyRevision: "rev-2", durationSeconds: null },
  { id: "r4", tenantId: "globex", trigger: "cron", state: "completed", scheduleId: "s2", scheduleName: "Weekly Globex",
    initiator: "scheduler", createdAt: "2026-11-19T23:59:59Z", shardCount: 4, newCriticals: 3, newHigh: 5, policyRevision: "rev-1",
    durationSeconds: 300, badges: ["retry"] },
  { id: "r3", tenantId: "acme", trigger: "feed", state: "cancelled", initiator: "Bob", createdAt: "2026-11-19T00:00:00Z",
    shardCount: 16, newCriticals: 0, newHigh: 0, correlationId: "CORR-XYZ", durationSeconds: 10 },
  { id: "r2", tenantId: "acme", trigger: "cron", state: "queued", scheduleId: "s1", scheduleName: "Nightly Acme",
    initiator: "scheduler", createdAt: "2026-11-18T06:00:00Z", shardCount: 4, newCriticals: 0, newHigh: 1, durationSeconds: null },
  { id: "r1", tenantId: "initech", trigger: "manual", state: "error", errorCode: "ERR_RUN_009", errorMessage: "Impact index stale",
    initiator: "carol", createdAt: "2026-11-17T06:00:00Z", shardCount: 2, newCriticals: 0, newHigh: 0, policyRevision: "rev-1",
    durationSeconds: 5 }
];

const SCHEDULES = [
  { id: "s1", name: "Nightly Acme", tenantId: "acme" },
  { id: "s2", name: "Weekly Globex", tenantId: "globex" },
  { id: "s3", name: "Hourly Initech", tenantId: "initech" }
];

function store() {
  const runs = new runsData.RunStore({ fields: FIELDS, runs: RUNS.length, schedules: SCHEDULES });
  const rows = RUNS.map((run, k) =>
    FIELDS.map((field) => {
      if (field === "slug") return `slug-${run.id}`;
      if (field === "correlationId") return run.correlationId || `corr-${run.id}`;
      if (field === "detailFile") return 1 + (k % 2);
      return run[field] === undefined ? null : run[field];
    })
  );
  runs.ingest(rows.slice(0, 2)); // two chunks, as the data files come
  runs.ingest(rows.slice(2));
  return runs;
}

const RUN_STORE = store();

/** The ids a hash shows, in order. */
function shown(hash) {
  const result = filters.filterRuns(RUN_STORE, urlState.parse(hash));
  return Array.from(result.order.subarray(0, result.n), (i) => RUN_STORE.cols.id[i]);
}

test("tab: active, completed, failures and all; a missing tab is active", () => {
  assert.deepEqual(shown(""), ["r6", "r2"]);
  assert.deepEqual(shown("tab=active"), ["r6", "r2"]);
  assert.deepEqual(shown("tab=completed"), ["r4", "r3"]);
  assert.deepEqual(shown("tab=failures"), ["r5", "r1"]);
  assert.deepEqual(shown("tab=all"), ["r6", "r5", "r4", "r3", "r2", "r1"]);
  assert.deepEqual(shown("tab=scheduled"), []);
});

test("counts of every runs tab under the same filters", () => {
  const result = filters.filterRuns(RUN_STORE, urlState.parse("tab=scheduled&tenant=acme"));
  assert.deepEqual(result.counts, [2, 1, 0, 0]);
  assert.equal(result.total, 3);
});

test("tenant is repeatable, and repeated means OR", () => {
  assert.deepEqual(shown("tab=all&tenant=acme"), ["r6", "r3", "r2"]);
  assert.deepEqual(shown("tab=all&tenant=acme&tenant=globex"), ["r6", "r4", "r3", "r2"]);
  assert.deepEqual(shown("tab=all&tenant=nobody"), []);
  assert.deepEqual(shown("tab=all&tenant=nobody&tenant=globex"), ["r4"]);
});

test("trigger, state, schedule, policy and error are exact; a value no run has shows nothing", () => {
  assert.deepEqual(shown("tab=all&trigger=cron"), ["r6", "r4", "r2"]);
  assert.deepEqual(shown("tab=all&trigger=CRON"), []);
  assert.deepEqual(shown("tab=all&state=error"), ["r5", "r1"]);
  assert.deepEqual(shown("tab=active&state=error"), []);
  assert.deepEqual(shown("tab=all&schedule=s1"), ["r6", "r2"]);
  assert.deepEqual(shown("tab=all&schedule=Nightly%20Acme"), []);
  assert.deepEqual(shown("tab=all&policy=rev-1"), ["r4", "r1"]);
  assert.deepEqual(shown("tab=all&error=ERR_RUN_005"), ["r5"]);
  assert.deepEqual(shown("tab=all&error=ERR_RUN_404"), []);
});

test("severity: critical is newCriticals > 0, high is newHigh > 0, anything else matches nothing", () => {
  assert.deepEqual(shown("tab=all&severity=critical"), ["r5", "r4"]);
  assert.deepEqual(shown("tab=all&severity=high"), ["r6", "r4", "r2"]);
  assert.deepEqual(shown("tab=all&severity=low"), []);
});

test("from is inclusive, to is exclusive; dates are midnight UTC", () => {
  assert.deepEqual(shown("tab=all&from=2026-11-20"), ["r6", "r5"]);
  assert.deepEqual(shown("tab=all&to=2026-11-20"), ["r4", "r3", "r2", "r1"]);
  assert.deepEqual(shown("tab=all&from=2026-11-19T23:59:59Z&to=2026-11-20T12:00:00Z"), ["r5", "r4"]);
  assert.deepEqual(shown("tab=all&from=2026-11-20T02:00:00%2B02:00"), ["r6", "r5"]);
  assert.deepEqual(shown("tab=all&from=2026-11-18&to=2026-11-19"), ["r2"]);
  assert.deepEqual(shown("tab=all&from=soon"), []);
  assert.deepEqual(shown("tab=all&to=2026-13"), []);
});

test("shard is the shard count; not a number matches nothing", () => {
  assert.deepEqual(shown("tab=all&shard=4"), ["r6", "r4", "r2"]);
  assert.deepEqual(shown("tab=all&shard=16"), ["r3"]);
  assert.deepEqual(shown("tab=all&shard=3"), []);
  assert.deepEqual(shown("tab=all&shard=four"), []);
});

test("q is a case-insensitive substring of run id, correlation id, initiator, schedule name or error message", () => {
  assert.deepEqual(shown("tab=all&q=R3"), ["r3"]);
  assert.deepEqual(shown("tab=all&q=corr-xyz"), ["r3"]);
  assert.deepEqual(shown("tab=all&q=BOB"), ["r3"]);
  assert.deepEqual(shown("tab=all&q=nightly"), ["r6", "r2"]);
  assert.deepEqual(shown("tab=all&q=disk%20full"), ["r5"]);
  assert.deepEqual(shown("tab=all&q=%20%20stale%20"), ["r1"]);
  assert.deepEqual(shown("tab=all&q=ERR_RUN"), []); // the error code is the error key's, not q's
});

test("keys combine with AND", () => {
  assert.deepEqual(shown("tab=all&tenant=acme&trigger=cron&shard=4"), ["r6", "r2"]);
  assert.deepEqual(shown("tab=all&tenant=acme&trigger=cron&severity=high&to=2026-11-19"), ["r2"]);
  assert.deepEqual(shown("tab=failures&tenant=initech&q=disk"), ["r5"]);
});

test("sort orders by a field either way, ties in data order, none last", () => {
  assert.deepEqual(shown("tab=all&sort=createdAt"), ["r1", "r2", "r3", "r4", "r5", "r6"]);
  assert.deepEqual(shown("tab=all&sort=-durationSeconds"), ["r4", "r6", "r3", "r1", "r5", "r2"]);
  assert.deepEqual(shown("tab=all&sort=durationSeconds"), ["r1", "r3", "r6", "r4", "r5", "r2"]);
  assert.deepEqual(shown("tab=all&sort=trigger"), ["r6", "r4", "r2", "r3", "r5", "r1"]);
  assert.deepEqual(shown("tab=all&sort=-id"), ["r6", "r5", "r4", "r3", "r2", "r1"]);
  assert.deepEqual(shown("tab=all&sort=id"), ["r1", "r2", "r3", "r4", "r5", "r6"]);
  assert.deepEqual(shown("tab=all&sort=policyRevision"), ["r4", "r1", "r5", "r6", "r3", "r2"]);
});

test("the Scheduled tab's schedules: tenant, schedule and q (name or id) apply", () => {
  const ids = (hash) => filters.filterSchedules(SCHEDULES, urlState.parse(hash)).map((s) => s.id);
  assert.deepEqual(ids("tab=scheduled"), ["s1", "s2", "s3"]);
  assert.deepEqual(ids("tab=scheduled&tenant=acme&tenant=initech"), ["s1", "s3"]);
  assert.deepEqual(ids("tab=scheduled&schedule=s2"), ["s2"]);
  assert.deepEqual(ids("tab=scheduled&q=WEEKLY"), ["s2"]);
  assert.deepEqual(ids("tab=scheduled&q=s3"), ["s3"]);
  assert.deepEqual(ids("tab=scheduled&trigger=cron&state=error"), ["s1", "s2", "s3"]);
});

test("the store gives values back as the data files had them", () => {
  assert.equal(RUN_STORE.n, 6);
  assert.equal(RUN_STORE.value("createdAt", 0), "2026-11-20T12:00:00Z");
  assert.equal(RUN_STORE.value("durationSeconds", 1), null);
  assert.deepEqual(RUN_STORE.value("badges", 2), ["retry"]);
  assert.deepEqual(RUN_STORE.value("badges", 0), []);
  assert.equal(RUN_STORE.value("errorCode", 0), null);
  assert.equal(RUN_STORE.text("scheduleName", 0), "Nightly Acme");
  assert.throws(() => new runsData.RunStore({ fields: ["id"] }), /lacks the field slug/);
});

/** A store whose runs carry the build's resolvedBy and evidenceAlert fields (issue 14). */
function linkedStore() {
  const fields = [...FIELDS, "resolvedBy", "evidenceAlert"];
  const links = { r5: [null, "invalid"], r1: ["r4", null], r4: [null, "untrusted"] };
  const runs = new runsData.RunStore({ fields, runs: RUNS.length, schedules: SCHEDULES });
  runs.ingest(
    RUNS.map((run, k) =>
      fields.map((field) => {
        if (field === "slug") return `slug-${run.id}`;
        if (field === "correlationId") return `corr-${run.id}`;
        if (field === "detailFile") return 1 + (k % 2);
        if (field === "resolvedBy") return (links[run.id] || [null])[0];
        if (field === "evidenceAlert") return (links[run.id] || [null, null])[1];
        return run[field] === undefined ? null : run[field];
      })
    )
  );
  return runs;
}

test("resolved failures: resolved=no|yes, open failures first on the Failures tab, and their count", () => {
  const runs = linkedStore();
  const ids = (hash) => {
    const result = filters.filterRuns(runs, urlState.parse(hash));
    return [Array.from(result.order.subarray(0, result.n), (i) => runs.cols.id[i]), result.resolvedFailures];
  };
  // r5 is open, r1 resolved: r1 would come first sorted by id, but open failures lead.
  assert.deepEqual(ids("tab=failures&sort=id"), [["r5", "r1"], 1]);
  assert.deepEqual(ids("tab=failures&sort=-createdAt"), [["r5", "r1"], 1]);
  assert.deepEqual(ids("tab=failures&resolved=no"), [["r5"], 0]);
  assert.deepEqual(ids("tab=failures&resolved=yes"), [["r1"], 1]);
  // Non-failures are never resolved: resolved=no keeps them.
  assert.deepEqual(ids("tab=all&resolved=no"), [["r6", "r5", "r4", "r3", "r2"], 0]);
  assert.deepEqual(ids("tab=all&resolved=maybe"), [[], 0]);
  // Other tabs keep the plain sort order; the count still says how many failures were resolved.
  assert.deepEqual(ids("tab=all&sort=id"), [["r1", "r2", "r3", "r4", "r5", "r6"], 1]);
});

test("evidence: problem is invalid or untrusted; a status alone; an unknown value matches nothing", () => {
  const runs = linkedStore();
  const ids = (hash) => {
    const result = filters.filterRuns(runs, urlState.parse(hash));
    return Array.from(result.order.subarray(0, result.n), (i) => runs.cols.id[i]);
  };
  assert.deepEqual(ids("tab=all&evidence=problem"), ["r5", "r4"]);
  assert.deepEqual(ids("tab=all&evidence=invalid"), ["r5"]);
  assert.deepEqual(ids("tab=all&evidence=untrusted"), ["r4"]);
  assert.deepEqual(ids("tab=all&evidence=verified"), []);
});

test("changes tab: the runs data/changes.js names, in any state, with the other filters applied within it", () => {
  const changes = { since: "snap:old", vanished: 1, rows: { r6: ["new", null, null], r4: ["state", "running", null],
    r1: ["resolved", "error", "r9"] } };
  const runs = new runsData.RunStore({ fields: FIELDS, runs: RUNS.length, schedules: SCHEDULES }, changes);
  runs.ingest(RUN_STORE.cols.id.slice(0, RUN_STORE.n).map((id, i) => FIELDS.map((field) => RUN_STORE.value(field, i))));
  const ids = (hash) => {
    const result = filters.filterRuns(runs, urlState.parse(hash, urlState.SINCE_TABS));
    return Array.from(result.order.subarray(0, result.n), (i) => runs.cols.id[i]);
  };
  assert.deepEqual(ids("tab=changes"), ["r6", "r4", "r1"]);
  assert.deepEqual(ids("tab=changes&tenant=initech"), ["r1"]);
  assert.deepEqual(ids("tab=changes&state=completed"), ["r4"]);
  assert.equal(filters.filterRuns(runs, urlState.parse("tab=all&tenant=acme", urlState.SINCE_TABS)).changed, 1);
  assert.deepEqual(runs.changeOf(runs.cols.id.indexOf("r4")), { kind: "state", stateBefore: "running" });
  assert.equal(runs.changeOf(runs.cols.id.indexOf("r5")), null);
  // Without a changes tab (a plain build) the tab means active, and nothing is counted as changed.
  assert.equal(urlState.parse("tab=changes").tab, "active");
  assert.equal(filters.filterRuns(RUN_STORE, urlState.parse("tab=all")).changed, 0);
});

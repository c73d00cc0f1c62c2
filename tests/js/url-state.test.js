"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { urlState } = require("./load.js");

const FIELDS = ["id", "createdAt", "durationSeconds", "badges", "detailFile", "state"];

test("an empty hash is the Active tab, newest first", () => {
  assert.deepEqual(urlState.parse(""), urlState.defaults());
  assert.deepEqual(urlState.parse("#"), urlState.defaults());
  assert.equal(urlState.parse("").tab, "active");
  assert.equal(urlState.serialize(urlState.parse("")), "tab=active");
});

test("every key of the contract is read", () => {
  const view = urlState.parse(
    "#tab=failures&tenant=acme&tenant=initech&trigger=cron&state=error&schedule=sch-1&severity=critical" +
      "&policy=rev-7&from=2026-11-01&to=2026-11-20T12:00:00Z&shard=4&error=ERR_RUN_005&q=%20Disk%20Full%20&sort=-durationSeconds&split=1"
  );
  assert.deepEqual(view, {
    tab: "failures",
    tenants: ["acme", "initech"],
    trigger: "cron",
    state: "error",
    schedule: "sch-1",
    severity: "critical",
    policy: "rev-7",
    from: "2026-11-01",
    to: "2026-11-20T12:00:00Z",
    shard: "4",
    error: "ERR_RUN_005",
    q: "Disk Full",
    sort: "-durationSeconds",
    split: true,
    resolved: "",
    evidence: "",
    run: ""
  });
});

test("the contract's resolved and run keys, and the theme's evidence key, round-trip; run comes last", () => {
  const view = urlState.parse("tab=failures&run=run:acme:20261120T020000Z:7f3a9c&resolved=no&evidence=invalid");
  assert.equal(view.resolved, "no");
  assert.equal(view.evidence, "invalid");
  assert.equal(view.run, "run:acme:20261120T020000Z:7f3a9c");
  assert.equal(urlState.serialize(view), "tab=failures&resolved=no&evidence=invalid&run=run:acme:20261120T020000Z:7f3a9c");
  assert.equal(urlState.serialize({ ...view, run: "" }), "tab=failures&resolved=no&evidence=invalid");
});

test("tenant repeats (without duplicates); any other key counts the first time", () => {
  const view = urlState.parse("tenant=a&state=queued&tenant=b&tenant=a&state=error&tab=all&tab=failures&tenant=");
  assert.deepEqual(view.tenants, ["a", "b"]);
  assert.equal(view.state, "queued");
  assert.equal(view.tab, "all");
});

test("an unknown tab is Active; unknown keys are ignored; an empty sort is the default", () => {
  assert.equal(urlState.parse("tab=nope").tab, "active");
  assert.equal(urlState.parse("tab=").tab, "active");
  assert.deepEqual(urlState.parse("colour=red&__proto__=x"), urlState.defaults());
  assert.equal(urlState.parse("sort=").sort, "-createdAt");
  assert.equal(urlState.parse("split=true").split, true);
  assert.equal(urlState.parse("split=0").split, false);
});

test("values decode like a query string: + is a space, a malformed escape stays as written", () => {
  assert.equal(urlState.parse("q=disk+full").q, "disk full");
  assert.equal(urlState.parse("q=100%25").q, "100%");
  assert.equal(urlState.parse("q=50%ZZ").q, "50%ZZ");
  assert.equal(urlState.parse("tenant=t%C3%BCv").tenants[0], "tüv");
  assert.equal(urlState.parse("q=a%26b%3Dc").q, "a&b=c");
});

test("serialize writes tab first, then tenants, the set keys in contract order, a non-default sort, split", () => {
  const view = { ...urlState.defaults(), tab: "all", tenants: ["b", "a"], q: "x y", state: "error", sort: "id", split: true };
  assert.equal(urlState.serialize(view), "tab=all&tenant=b&tenant=a&state=error&q=x%20y&sort=id&split=1");
  assert.equal(urlState.serialize({ ...urlState.defaults(), sort: "-createdAt" }), "tab=active");
});

test("serialize keeps run ids and times readable and escapes what would break the hash", () => {
  const view = { ...urlState.defaults(), q: "run:acme:20261120T020000Z@a/b,c", from: "2026-11-20T00:00:00+02:00" };
  assert.equal(
    urlState.serialize(view),
    "tab=active&from=2026-11-20T00:00:00%2B02:00&q=run:acme:20261120T020000Z@a/b,c"
  );
  assert.equal(urlState.serialize({ ...urlState.defaults(), q: "a&b=c#d" }), "tab=active&q=a%26b%3Dc%23d");
});

test("parse(serialize(view)) is the view", () => {
  const views = [
    urlState.defaults(),
    { ...urlState.defaults(), tab: "scheduled", tenants: ["acme"], schedule: "nightly" },
    {
      ...urlState.defaults(),
      tab: "completed",
      tenants: ["a b", "c&d", "tüv", "x+y"],
      trigger: "cron",
      severity: "high",
      policy: "rev:1",
      from: "2026-01-01",
      to: "2026-02-01T00:00:00+01:00",
      shard: "16",
      error: "ERR_RUN_009",
      q: "100% = \"done\" #1",
      sort: "-progressPct",
      split: true
    }
  ];
  for (const view of views) {
    assert.deepEqual(urlState.parse(`#${urlState.serialize(view)}`), view);
  }
});

test("copy and cleared", () => {
  const view = { ...urlState.defaults(), tab: "failures", tenants: ["a"], q: "x", sort: "id", split: true };
  const copied = urlState.copy(view);
  copied.tenants.push("b");
  assert.deepEqual(view.tenants, ["a"]);
  // Clear resets the sort to newest first too (issue 14: there was no way back after sorting).
  assert.deepEqual(urlState.cleared(view), { ...urlState.defaults(), tab: "failures" });
  assert.equal(urlState.cleared({ ...view, run: "run:a:1" }).run, "run:a:1");
});

test("sortOf falls back to newest first for an unknown or unsortable field", () => {
  const sortOf = (sort) => urlState.sortOf({ ...urlState.defaults(), sort }, FIELDS);
  assert.deepEqual(sortOf("-durationSeconds"), { field: "durationSeconds", desc: true });
  assert.deepEqual(sortOf("state"), { field: "state", desc: false });
  assert.deepEqual(sortOf("nope"), { field: "createdAt", desc: true });
  assert.deepEqual(sortOf("badges"), { field: "createdAt", desc: true });
  assert.deepEqual(sortOf("-detailFile"), { field: "createdAt", desc: true });
});

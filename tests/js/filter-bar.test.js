"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { urlState, filterBar } = require("./load.js");

const STATES = ["cancelled", "completed", "error", "planning", "queued", "running"];

test("each tab offers only the states it shows; All and Changes offer every state, Scheduled none", () => {
  assert.deepEqual(filterBar.statesFor("active", STATES), ["planning", "queued", "running"]);
  assert.deepEqual(filterBar.statesFor("completed", STATES), ["cancelled", "completed"]);
  assert.deepEqual(filterBar.statesFor("failures", STATES), ["error"]);
  assert.deepEqual(filterBar.statesFor("scheduled", STATES), []);
  assert.deepEqual(filterBar.statesFor("all", STATES), STATES);
  assert.deepEqual(filterBar.statesFor("changes", STATES), STATES);
  // A state the snapshot lacks is not offered, even on a tab that would show it.
  assert.deepEqual(filterBar.statesFor("active", ["completed", "running"]), ["running"]);
});

test("a tab link drops a state the new tab excludes and keeps every other key", () => {
  const view = urlState.parse("tab=all&tenant=acme&state=cancelled&q=x&sort=id");
  const failures = filterBar.retab(view, "failures");
  assert.equal(urlState.serialize(failures), "tab=failures&tenant=acme&q=x&sort=id");
  assert.equal(urlState.serialize(filterBar.retab(view, "completed")), "tab=completed&tenant=acme&state=cancelled&q=x&sort=id");
  assert.equal(urlState.serialize(filterBar.retab(view, "scheduled")), "tab=scheduled&tenant=acme&q=x&sort=id");
  assert.equal(view.state, "cancelled", "the view itself is unchanged");
});

test("chips list the hash's filters, tenants first, with names, and say which the Scheduled tab ignores", () => {
  const view = urlState.parse("tab=scheduled&tenant=acme&tenant=globex&severity=critical&q=disk&schedule=s1&split=1&sort=id");
  const names = {
    tenant: (id) => ({ acme: "Acme Corp" })[id] || id,
    schedule: (id) => ({ s1: "Nightly" })[id] || id
  };
  assert.deepEqual(filterBar.chips(view, names), [
    { key: "tenant", value: "acme", text: "Tenant: Acme Corp (acme)", applies: true },
    { key: "tenant", value: "globex", text: "Tenant: globex", applies: true },
    { key: "schedule", value: "s1", text: "Schedule: Nightly", applies: true },
    { key: "severity", value: "critical", text: "Severity impact: new critical findings", applies: false },
    { key: "q", value: "disk", text: "Search: \u201cdisk\u201d", applies: true }
  ]);
  assert.deepEqual(filterBar.chips(urlState.parse("tab=all&sort=-id&split=1")), [], "sort and split are not filters");
  const unknown = filterBar.chips(urlState.parse("tab=all&evidence=odd&resolved=no"));
  assert.deepEqual(unknown.map((c) => c.text), ["Resolved by a retry: open failures only", "Evidence signatures: odd"]);
});

test("removing a chip takes its key out of the hash, or that one tenant", () => {
  const view = urlState.parse("tab=all&tenant=acme&tenant=globex&state=error&from=2026-11-01&run=r1");
  assert.equal(urlState.serialize(filterBar.without(view, "tenant", "acme")), "tab=all&tenant=globex&state=error&from=2026-11-01&run=r1");
  assert.equal(urlState.serialize(filterBar.without(view, "from", "2026-11-01")), "tab=all&tenant=acme&tenant=globex&state=error&run=r1");
  assert.equal(urlState.serialize(filterBar.without(view, "nonsense", "x")), urlState.serialize(view));
  for (const chip of filterBar.chips(view)) {
    const next = filterBar.without(view, chip.key, chip.value);
    assert.equal(filterBar.chips(next).length, filterBar.chips(view).length - 1, chip.text);
  }
});

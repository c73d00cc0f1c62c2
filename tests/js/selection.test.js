"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const { runsData, selection } = require("./load.js");

const FIELDS = ["id", "slug", "correlationId", "tenantId", "state", "createdAt", "badges", "newHigh", "detailFile"];

function store(rows) {
  const runs = new runsData.RunStore({ fields: FIELDS, runs: rows.length });
  runs.ingest(rows);
  return runs;
}

const RUNS = store([
  ["run:a:1", "run-a-1", "=HYPERLINK(\"x\")", "acme", "completed", "2026-11-20T12:00:00Z", ["retry", "kev-first"], 2, 1],
  ["run:'b", "run-b", "@corr", "-tenant", "error", "2026-11-19T12:00:00Z", null, null, 1],
  ["run\u0000nul", "run-nul", "c", "acme", "queued", "2026-11-18T12:00:00Z", [], 0, 2]
]);

test("an id starting with '-' stays inside its option (issue 11)", () => {
  const dashed = store([["--all-tenants", "x", "c", "acme", "error", "2026-11-20T12:00:00Z", [], 0, 1]]);
  const lines = selection.exportScript(dashed, [0], "s").split("\n");
  assert.ok(lines.includes("stella runs export '--run=--all-tenants' --bundle"), lines.join("\n"));
});

test("the CSV has the data fields (not detailFile), CRLF line ends and neutralised cells", () => {
  const text = selection.csv(RUNS, [0, 1]);
  assert.equal(
    text,
    "id,slug,correlationId,tenantId,state,createdAt,badges,newHigh\r\n" +
      'run:a:1,run-a-1,"\'=HYPERLINK(""x"")",acme,completed,2026-11-20T12:00:00Z,retry kev-first,2\r\n' +
      "run:'b,run-b,'@corr,'-tenant,error,2026-11-19T12:00:00Z,,\r\n"
  );
});

test("the export script quotes every id and skips one holding a NUL", () => {
  const script = selection.exportScript(RUNS, [0, 1, 2], "snap\nshot");
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/sh");
  assert.equal(lines[1], "# Generated in the browser by snapsite from snapshot snap?shot.");
  assert.equal(lines[2], "# Export the 3 selected runs as evidence bundles.");
  assert.equal(lines[5], "stella runs export '--run=run:a:1' --bundle");
  assert.equal(lines[6], "stella runs export '--run=run:'\"'\"'b' --bundle");
  assert.equal(lines[7], "# skipped a run whose id holds a NUL character: run?nul");
  assert.equal(lines[8], "");
  assert.equal(selection.exportScript(RUNS, [0], "s").split("\n")[2], "# Export the 1 selected run as evidence bundles.");
  // sh reads it: the quoted ids come back whole (a stand-in `stella` prints its arguments).
  const stub = 'stella() { printf "%s|" "$@"; printf "\\n"; }\n';
  const out = execFileSync("sh", ["-c", stub + script.replace("set -eu\n", "set -eu\n")], { encoding: "utf8" });
  assert.deepEqual(out.trim().split("\n"), ["runs|export|--run=run:a:1|--bundle|", "runs|export|--run=run:'b|--bundle|"]);
});

test("selection bookkeeping: set, count, clear", () => {
  const runs = store([["x", "x", "c", "t", "queued", "2026-11-18T12:00:00Z", null, 0, 1], ["y", "y", "c", "t", "queued", "2026-11-18T12:00:00Z", null, 0, 1]]);
  runs.setSelected(1, true);
  runs.setSelected(1, true);
  assert.equal(runs.selectedCount, 1);
  assert.deepEqual(runs.selectedRuns(), [1]);
  runs.setSelected(0, true);
  runs.setSelected(1, false);
  assert.deepEqual(runs.selectedRuns(), [0]);
  runs.clearSelection();
  assert.equal(runs.selectedCount, 0);
  assert.deepEqual(runs.selectedRuns(), []);
});

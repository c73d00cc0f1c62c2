"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { requests } = require("./load.js");

const DIGEST = `sha256:${"a".repeat(64)}`;

test("lines: distinct, trimmed, non-empty, in order", () => {
  assert.deepEqual(requests.lines(" a \r\nb\n\n a\rc\n"), ["a", "b", "c"]);
  assert.deepEqual(requests.lines(""), []);
});

test("scope values are checked by kind", () => {
  assert.deepEqual(requests.scopeProblems("purls", []), ["Give at least one scope value, one per line."]);
  assert.deepEqual(requests.scopeProblems("purls", ["pkg:npm/lodash@4.17.21"]), []);
  assert.deepEqual(requests.scopeProblems("purls", ["lodash"]), ["Not a package URL (pkg:type/name@version): lodash"]);
  assert.deepEqual(requests.scopeProblems("image-digests", [DIGEST]), []);
  assert.deepEqual(requests.scopeProblems("image-digests", ["sha256:abc"]), [
    "Not an image digest (sha256: and 64 hex digits): sha256:abc"
  ]);
  assert.deepEqual(requests.scopeProblems("vulnerability-ids", ["CVE-2024-1 x"]), ["Not a vulnerability ID: CVE-2024-1 x"]);
  assert.equal(requests.scopeProblems("purls", ["1", "2", "3", "4", "5", "6", "7"]).length, 5);
});

test("the submit script checks the request's sha256, then submits it", () => {
  const script = requests.submitScript("f".repeat(64), "run-request-ffffffffffff.json", "snap\u202eid");
  assert.equal(
    script,
    [
      "#!/bin/sh",
      "# Generated in the browser by snapsite from snapshot snap?id.",
      "# Submits run-request-ffffffffffff.json (keep it beside this script) after checking its sha256.",
      "# Carry both files back across the air gap and run this where the `stella` CLI can reach the Scheduler.",
      "set -eu",
      'cd "$(dirname -- "$0")"',
      `echo '${"f".repeat(64)}  run-request-ffffffffffff.json' | sha256sum -c -`,
      "stella runs submit --bundle run-request-ffffffffffff.json",
      ""
    ].join("\n")
  );
});

test("preview keys: pkg: lines are package URLs, the others vulnerability IDs", () => {
  const keys = requests.keysOf("pkg:npm/lodash@4.17.21\nCVE-2024-0001\nPKG:pypi/requests\n");
  assert.deepEqual(keys, { purls: ["pkg:npm/lodash@4.17.21", "PKG:pypi/requests"], vulnerabilityIds: ["CVE-2024-0001"] });
  assert.equal(
    requests.keysJson("acme", keys),
    '{\n  "purls": [\n    "pkg:npm/lodash@4.17.21",\n    "PKG:pypi/requests"\n  ],\n  "tenantId": "acme",\n  "vulnerabilityIds": [\n    "CVE-2024-0001"\n  ]\n}\n'
  );
});

test("purlBase drops the version, qualifiers and subpath", () => {
  assert.equal(requests.purlBase("pkg:npm/lodash@4.17.21?arch=x#sub"), "pkg:npm/lodash");
  assert.equal(requests.purlBase("pkg:npm/%40scope/name@1"), "pkg:npm/%40scope/name");
  assert.equal(requests.purlBase("pkg:npm/lodash"), "pkg:npm/lodash");
});

test("impacted: exact purls, versionless purls, vulnerability ids case-insensitively, one tenant", () => {
  const rows = [
    ["acme", "sha256:1", "repo/a", ["v1"], ["pkg:npm/lodash@4.17.21", "pkg:npm/left-pad@1.0.0"], ["CVE-1"]],
    ["acme", "sha256:2", "repo/b", null, ["pkg:npm/lodash@4.17.20"], null],
    ["acme", "sha256:3", "repo/c", [], [], ["cve-2"]],
    ["other", "sha256:4", "repo/d", [], ["pkg:npm/lodash@4.17.21"], ["CVE-1"]]
  ];
  const exact = requests.impacted(rows, "acme", { purls: ["pkg:npm/lodash@4.17.21"], vulnerabilityIds: [] });
  assert.deepEqual(exact, {
    images: [{ digest: "sha256:1", repository: "repo/a", tags: ["v1"], matched: ["pkg:npm/lodash@4.17.21"] }],
    indexed: 3
  });
  const loose = requests.impacted(rows, "acme", { purls: ["pkg:npm/lodash"], vulnerabilityIds: ["CVE-2", "constructor"] });
  assert.deepEqual(
    loose.images.map((image) => [image.digest, image.matched]),
    [["sha256:1", ["pkg:npm/lodash@4.17.21"]], ["sha256:2", ["pkg:npm/lodash@4.17.20"]], ["sha256:3", ["cve-2"]]]
  );
  assert.deepEqual(requests.impacted(rows, "nobody", { purls: ["pkg:npm/lodash"], vulnerabilityIds: [] }), { images: [], indexed: 0 });
});

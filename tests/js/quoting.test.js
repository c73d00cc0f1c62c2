"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const { execFileSync } = require("node:child_process");
const { format } = require("./load.js");

test("csvCell neutralises a leading =, +, -, @, tab or CR", () => {
  assert.equal(format.csvCell("=1+1"), "'=1+1");
  assert.equal(format.csvCell("+1"), "'+1");
  assert.equal(format.csvCell("-1"), "'-1");
  assert.equal(format.csvCell("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(format.csvCell("\tx"), "'\tx");
  assert.equal(format.csvCell("\rx"), "\"'\rx\"");
  assert.equal(format.csvCell("a=b"), "a=b");
  assert.equal(format.csvCell("1-2"), "1-2");
});

test("csvCell quotes commas, quotes and line breaks (RFC 4180)", () => {
  assert.equal(format.csvCell('say "hi", then go'), '"say ""hi"", then go"');
  assert.equal(format.csvCell("two\nlines"), '"two\nlines"');
  assert.equal(format.csvCell('=cmd|" /C calc"!A0'), '"\'=cmd|"" /C calc""!A0"');
  assert.equal(format.csvCell(null), "");
  assert.equal(format.csvCell(undefined), "");
  assert.equal(format.csvCell(12), "12");
});

test("shQuote makes one word that sh reads back unchanged", () => {
  assert.equal(format.shQuote("abc"), "'abc'");
  assert.equal(format.shQuote(""), "''");
  assert.equal(format.shQuote("it's"), "'it'\"'\"'s'");
  const words = ["", "run:acme:1", "it's \"quoted\"", "$(rm -rf /) `x` $HOME", "new\nline\ttab", "back\\slash", "*?[a]"];
  const script = words.map((w) => `printf '%s\\0' ${format.shQuote(w)}`).join("\n");
  const printed = execFileSync("sh", ["-c", script], { encoding: "utf8" });
  assert.deepEqual(printed.split("\0").slice(0, -1), words);
});

test("commentSafe keeps a shell comment on one line", () => {
  assert.equal(format.commentSafe("snap\nrm -rf /"), "snap?rm -rf /");
  assert.equal(format.commentSafe("a\u0000b\u007fc\u2028d\u202ee"), "a?b?c?d?e");
  assert.equal(format.commentSafe("plain id"), "plain id");
});

test("sha256Hex agrees with node:crypto", () => {
  assert.equal(format.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(format.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (const text of ["Grüße, 東京 \u{1f600}", "a".repeat(55), "b".repeat(56), "c".repeat(64), "d".repeat(1000)]) {
    assert.equal(format.sha256Hex(text), crypto.createHash("sha256").update(text, "utf8").digest("hex"), text);
  }
  const bytes = new Uint8Array(200000).fill(7);
  assert.equal(format.sha256Hex(bytes), crypto.createHash("sha256").update(bytes).digest("hex"));
});

test("utf8 writes a lone surrogate as U+FFFD, as TextEncoder does", () => {
  for (const text of ["a\ud800b", "\udc00", "ok \u{1f600}"]) {
    assert.deepEqual(Array.from(format.utf8(text)), Array.from(new TextEncoder().encode(text)));
  }
});

test("slug and runbookName make portable file names", () => {
  const id = "run:acme:20261120T020000Z:1db107";
  const digest = crypto.createHash("sha256").update(id).digest("hex").slice(0, 10);
  assert.equal(format.slug(id), `run-acme-20261120t020000z-1db107-${digest}`);
  assert.match(format.slug("東京"), /^x-[0-9a-f]{10}$/);
  assert.equal(format.runbookName("ERR_RUN_005"), "ERR_RUN_005");
  assert.match(format.runbookName("CON"), /^con-[0-9a-f]{10}$/);
  assert.match(format.runbookName("ERR/../x"), /^err-x-[0-9a-f]{10}$/);
});

test("safeHref refuses links that leave the site", () => {
  assert.equal(format.safeHref("runs/ab/x.html"), "runs/ab/x.html");
  for (const bad of ["javascript:alert(1)", "https://example.com/", "/etc/passwd", "../up.html", "a/../../b", "a b", "a\\b", "", null]) {
    assert.equal(format.safeHref(bad), null, String(bad));
  }
});

test("canonicalJson sorts keys at every level", () => {
  assert.equal(format.canonicalJson({ b: 1, a: [{ d: null, c: "x" }], e: true }), '{"a":[{"c":"x","d":null}],"b":1,"e":true}');
});

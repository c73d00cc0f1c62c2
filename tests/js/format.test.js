"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { format } = require("./load.js");

test("duration writes the largest two units, zero-padded, or an em dash", () => {
  assert.equal(format.duration(0), "0s");
  assert.equal(format.duration(12), "12s");
  assert.equal(format.duration(12.9), "12s");
  assert.equal(format.duration(187), "3m 07s");
  assert.equal(format.duration(3720), "1h 02m");
  assert.equal(format.duration(90000), "1d 01h");
  for (const none of [null, undefined, NaN, -1]) {
    assert.equal(format.duration(none), "\u2014");
  }
});

test("parseTime reads RFC 3339 and the page's own UTC form", () => {
  assert.equal(format.parseTime("2026-11-20T12:00:00Z"), Date.UTC(2026, 10, 20, 12, 0, 0));
  assert.equal(format.parseTime("2026-11-20 12:00:01 UTC"), Date.UTC(2026, 10, 20, 12, 0, 1));
  assert.equal(format.parseTime("2026-11-20T14:00:00+02:00"), Date.UTC(2026, 10, 20, 12, 0, 0));
  assert.equal(format.parseTime("2026-11-20T12:00:00.250Z"), Date.UTC(2026, 10, 20, 12, 0, 0, 250));
  assert.ok(Number.isNaN(format.parseTime("yesterday")));
  assert.ok(Number.isNaN(format.parseTime(null)));
  assert.ok(Number.isNaN(format.parseTime(1700000000)));
});

test("isoSeconds and humanTime write UTC to the second", () => {
  const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  assert.equal(format.isoSeconds(ms), "2026-01-02T03:04:05Z");
  assert.equal(format.humanTime(ms), "2026-01-02 03:04:05 UTC");
  assert.equal(format.isoSeconds(NaN), null);
  assert.equal(format.humanTime(NaN), "\u2014");
});

test("groupDigits, pad and safeClass", () => {
  assert.equal(format.groupDigits(0), "0");
  assert.equal(format.groupDigits(999), "999");
  assert.equal(format.groupDigits(1000), "1,000");
  assert.equal(format.groupDigits(1234567), "1,234,567");
  assert.equal(format.pad(7, 4), "0007");
  assert.equal(format.pad(12345, 4), "12345");
  assert.equal(format.safeClass('err"or <x>_a-1'), "errorx_a-1");
});

test("visible shows bidirectional controls as text", () => {
  assert.equal(format.visible("\u202egnp.exe"), "<U+202E>gnp.exe");
  assert.equal(format.visible("a\u2066b\u2069"), "a<U+2066>b<U+2069>");
  assert.equal(format.visible("plain"), "plain");
  assert.equal(format.visible(null), "");
  assert.equal(format.visible(42), "42");
});

test("shortId keeps a console run id's nonce and shortens other long ids around an ellipsis", () => {
  assert.equal(format.shortId("run:acme:20261120T115905Z:1db107"), "1db107");
  assert.equal(format.shortId("run:a:b:c"), "run:a:b:c");
  assert.equal(format.shortId("short-id"), "short-id");
  assert.equal(format.shortId(`${"x".repeat(8)}-middle-part-${"y".repeat(8)}`), "xxxxxxxx\u2026yyyyyyyy");
  // An id that only looks like one of the console's, with a long tail, is shortened as any other.
  assert.equal(format.shortId(`run:acme:20261120T115905Z:${"n".repeat(40)}`), `run:acme\u2026nnnnnnnn`);
  // Code points, not UTF-16 units (the same cases as tests/test_rows_short_id.py, for RunRow.short_id).
  assert.equal(format.shortId(`${"\u{1F600}".repeat(12)}${"z".repeat(10)}`), `${"\u{1F600}".repeat(8)}\u2026zzzzzzzz`);
  assert.equal(format.shortId("\u{1F600}".repeat(20)), "\u{1F600}".repeat(20));
});

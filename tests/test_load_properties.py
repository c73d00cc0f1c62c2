"""Properties of the readers on hostile input: only SnapshotError escapes, and errors name the right line."""

from __future__ import annotations

import io
import json
from typing import Any

from conftest import ndjson, run_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.load import iter_ndjson, parse_document, parse_tenants
from snapsite.snapshot.records import RECORD_FILES, BundleManifest, Manifest, Run

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODELS = sorted(RECORD_FILES.values(), key=lambda m: m.__name__)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-20T02:00:00Z", "acme", "cron", "sha256:" + "a" * 64, "-1", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Bytes that look like JSON Lines more often than uniform random bytes do.
json_ish = st.lists(
    st.sampled_from(
        [
            b"{",
            b"}",
            b"[",
            b"]",
            b'"',
            b":",
            b",",
            b"\n",
            b"\r",
            b" ",
            b"1",
            b"-",
            b"e",
            b".",
            b"null",
            b"true",
            b'"id"',
            b'"ts"',
            b"NaN",
            b"\\",
            b"\xef\xbb\xbf",
            b"\xff",
            b"\x00",
            b'"runId"',
            b'"2026-11-20T02:00:00Z"',
        ]
    ),
    max_size=60,
).map(b"".join)


def read_or_fail(data: bytes, model: type[BaseModel], path: str = "x.ndjson") -> int | None:
    """The record count, or the failing line; any exception other than SnapshotError fails the test."""
    try:
        return -len(list(iter_ndjson(io.BytesIO(data), path, model)))
    except SnapshotError as exc:
        assert (exc.check, exc.path, exc.exit_code) == ("records", path, ExitCode.INVALID)
        assert "\n" not in exc.line()
        return exc.lineno


@SETTINGS
@given(model=st.sampled_from(MODELS), data=st.binary(max_size=400) | json_ish)
def test_random_bytes_only_raise_snapshot_errors(model: type[BaseModel], data: bytes) -> None:
    read_or_fail(data, model)


@SETTINGS
@given(data=st.binary(max_size=400) | json_ish | json_values.map(lambda v: json.dumps(v).encode()))
def test_random_documents_only_raise_snapshot_errors(data: bytes) -> None:
    for model in (Manifest, BundleManifest):
        try:
            parse_document(data, "manifest.json", model)
        except SnapshotError as exc:
            assert exc.path == "manifest.json" and exc.lineno is None
    try:
        parse_tenants(data)
    except SnapshotError as exc:
        assert exc.path == "tenants.json"


def _mutate(run: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    target = run
    if draw(st.booleans()):
        target = run["stats"] if draw(st.booleans()) else run["deltas"]
    key = draw(st.sampled_from(sorted(target)))
    action = draw(st.sampled_from(["delete", "replace", "inject"]))
    if action == "delete":
        del target[key]
    elif action == "replace":
        target[key] = draw(json_values)
    else:
        target[draw(st.text(max_size=8))] = draw(json_values)
    return run


@st.composite
def runs_with_one_mutated(draw: st.DrawFn) -> tuple[list[dict[str, Any]], int]:
    runs = [run_record(i) for i in range(draw(st.integers(1, 5)))]
    index = draw(st.integers(0, len(runs) - 1))
    runs[index] = _mutate(runs[index], draw)
    return runs, index


@SETTINGS
@given(case=runs_with_one_mutated())
def test_mutated_runs_fail_on_their_own_line_or_pass(case: tuple[list[dict[str, Any]], int]) -> None:
    runs, index = case
    result = read_or_fail(ndjson(runs), Run, "runs.ndjson")
    assert result == -len(runs) or result == index + 1


@SETTINGS
@given(data=st.data(), count=st.integers(1, 30))
def test_any_read_sizes_give_the_same_records(data: st.DataObject, count: int) -> None:
    payload = ndjson([run_record(i) for i in range(count)])
    if data.draw(st.booleans()):
        payload = payload[:-1]
    sizes = iter(data.draw(st.lists(st.integers(1, 700), min_size=1, max_size=50)))

    class Stream:
        offset = 0

        def read(self, n: int) -> bytes:
            piece = payload[self.offset : self.offset + min(n, next(sizes, n))]
            self.offset += len(piece)
            return piece

    got = [(n, r.id) for n, r in iter_ndjson(Stream(), "runs.ndjson", Run)]
    assert got == [(i + 1, run_record(i)["id"]) for i in range(count)]

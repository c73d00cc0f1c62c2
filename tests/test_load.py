"""Reading records: JSON Lines streamed in constant memory, and whole JSON documents (spec section 2)."""

from __future__ import annotations

import io
import json
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import DATA, ndjson, run_record
from pydantic import BaseModel
from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.load import (
    CHUNK_BYTES,
    FREE_FORM,
    MAX_LINE_BYTES,
    describe_validation_error,
    iter_ndjson,
    parse_document,
    parse_tenants,
)
from snapsite.snapshot.records import RECORD_FILES, BundleManifest, LogEntry, Manifest, MetricSample, Run

RUNS = "runs.ndjson"


def read_all(data: bytes, model: type[BaseModel] = Run, **kwargs: Any) -> list[tuple[int, Any]]:
    return list(iter_ndjson(io.BytesIO(data), RUNS, model, **kwargs))


def failure(data: bytes, model: type[BaseModel] = Run, **kwargs: Any) -> SnapshotError:
    with pytest.raises(SnapshotError) as info:
        read_all(data, model, **kwargs)
    error = info.value
    assert (error.check, error.path, error.exit_code) == ("records", RUNS, ExitCode.INVALID)
    assert "\n" not in error.line()
    return error


def three_runs() -> list[dict[str, Any]]:
    return [run_record(1), run_record(2), run_record(3)]


def log_line(index: int, message: str = "m") -> dict[str, Any]:
    return {
        "runId": "run:acme:1",
        "ts": "2026-11-20T03:00:30Z",
        "severity": "info",
        "message": message,
        "correlationId": f"c-{index}",
        "segmentId": None,
        "fields": {"i": index},
    }


class ChunkedStream:
    """A stream that hands out at most `size` bytes per read and counts what it gave."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data = data
        self.size = size
        self.offset = 0

    def read(self, n: int) -> bytes:
        limit = min(n, self.size)
        piece = self.data[self.offset : self.offset + limit]
        self.offset += len(piece)
        return piece


# --- well-formed files -------------------------------------------------------------------------------------


def test_records_come_with_their_line_numbers() -> None:
    got = read_all(ndjson(three_runs()))
    assert [(n, r.id) for n, r in got] == [(i + 1, run["id"]) for i, run in enumerate(three_runs())]


def test_conformance_vector_runs_are_read() -> None:
    with (DATA / "spec-minimal" / "runs.ndjson").open("rb") as stream:
        got = list(iter_ndjson(stream, RUNS, Run))
    assert [(n, r.trigger, r.state) for n, r in got] == [(1, "manual", "completed"), (2, "feedser", "error")]


def test_final_newline_is_optional() -> None:
    data = ndjson(three_runs())
    assert read_all(data[:-1]) == read_all(data)


def test_empty_file_has_no_records() -> None:
    assert read_all(b"") == []


def test_lines_spanning_chunks_are_joined() -> None:
    big = "x" * (CHUNK_BYTES + CHUNK_BYTES // 2)
    entries = [log_line(1), log_line(2, big), log_line(3), log_line(4, big), log_line(5)]
    got = read_all(ndjson(entries), LogEntry)
    assert [(n, len(e.message), e.fields["i"]) for n, e in got] == [
        (1, 1, 1),
        (2, len(big), 2),
        (3, 1, 3),
        (4, len(big), 4),
        (5, 1, 5),
    ]


@pytest.mark.parametrize("size", [1, 7, 64, 4096])
def test_short_reads_give_the_same_records(size: int) -> None:
    data = ndjson([log_line(i) for i in range(40)])
    stream = ChunkedStream(data, size)
    got = list(iter_ndjson(stream, "logs.ndjson", LogEntry))
    assert got == read_all(data, LogEntry)


def test_reading_is_lazy_and_in_bounded_chunks() -> None:
    data = ndjson([log_line(i, "x" * 1000) for i in range(7000)])
    assert len(data) > 6 * CHUNK_BYTES
    stream = ChunkedStream(data, CHUNK_BYTES)
    records: Iterator[tuple[int, Any]] = iter_ndjson(stream, "logs.ndjson", LogEntry)
    assert next(records)[0] == 1
    assert stream.offset <= CHUNK_BYTES
    for number, _ in records:
        if number == 2000:
            break
    assert stream.offset <= 3 * CHUNK_BYTES


# --- malformed files ---------------------------------------------------------------------------------------


def test_validation_error_names_line_and_field() -> None:
    runs = three_runs()
    runs[2]["stats"]["queued"] = -1
    error = failure(ndjson(runs))
    assert error.lineno == 3
    assert error.message == "field 'stats.queued': Input should be greater than or equal to 0"
    assert error.line() == f"records: {RUNS}:3: {error.message}"


def test_error_on_the_last_line_without_newline() -> None:
    runs = three_runs()
    runs[2]["state"] = "exploded"
    error = failure(ndjson(runs)[:-1])
    assert error.lineno == 3
    assert error.message.startswith("field 'state': Input should be 'planning'")


def test_missing_field_is_named() -> None:
    runs = three_runs()
    del runs[1]["correlationId"]
    error = failure(ndjson(runs))
    assert (error.lineno, error.message) == (2, "field 'correlationId': Field required")


def test_nested_list_locations_use_indexes() -> None:
    run = run_record(1, phases=[{"name": "queue", "state": "pending"}, {"name": "planner", "state": "nope"}])
    error = failure(ndjson([run]))
    assert error.message.startswith("field 'phases[1].state': Input should be 'pending'")


def test_byte_order_mark_is_rejected() -> None:
    error = failure(b"\xef\xbb\xbf" + ndjson(three_runs()))
    assert error.lineno == 1
    assert "byte order mark" in error.message


def test_crlf_line_ends_are_rejected() -> None:
    error = failure(ndjson(three_runs()).replace(b"\n", b"\r\n"))
    assert error.lineno == 1
    assert error.message.startswith("line ends must be \\n")


def test_cr_before_the_end_of_file_is_rejected() -> None:
    error = failure(ndjson(three_runs())[:-1] + b"\r")
    assert error.lineno == 3


def test_blank_line_in_the_middle_is_rejected() -> None:
    runs = three_runs()
    error = failure(ndjson(runs[:2]) + b"\n" + ndjson(runs[2:]))
    assert error.lineno == 3
    assert "blank line" in error.message


def test_only_one_final_newline_is_allowed() -> None:
    error = failure(ndjson(three_runs()) + b"\n")
    assert error.lineno == 4
    assert "blank line" in error.message


def test_a_lone_newline_is_a_blank_line() -> None:
    assert failure(b"\n").lineno == 1


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b"[1, 2]", "an array"),
        (b"42", "a number"),
        (b'"run"', "a string"),
        (b"null", "null"),
        (b"true", "a boolean"),
    ],
)
def test_a_line_must_hold_an_object(line: bytes, kind: str) -> None:
    error = failure(ndjson([run_record(1)]) + line + b"\n")
    assert error.lineno == 2
    assert error.message == f"expected a JSON object, found {kind}"


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_non_finite_numbers_are_rejected(token: bytes) -> None:
    line = b'{"ts":"2026-11-20T11:45:00Z","name":"m","labels":{},"value":' + token + b"}\n"
    error = failure(line.replace(token, b"1.5") + line, MetricSample)
    assert error.lineno == 2
    assert error.message.startswith("invalid JSON")


@pytest.mark.parametrize(
    "number",
    [b"1e400", b"-1E+400", b"1" + b"0" * 250 + b"e99", b"1" + b"0" * 320 + b".5", b"9.9e0308"],
)
def test_free_form_fields_refuse_numbers_that_overflow_to_infinity(number: bytes) -> None:
    # jiter reads these as inf; a log entry's `fields` has no model to catch it, so the parser must.
    line = json.dumps(log_line(1)).encode().replace(b'"fields": {"i": 1}', b'"fields": {"i": ' + number + b"}")
    error = failure(line + b"\n", LogEntry)
    assert error.lineno == 1
    assert error.message.startswith("invalid JSON: number ")
    assert error.message.endswith(" is out of range") or error.message.endswith("...")


def test_large_finite_numbers_in_free_form_fields_are_kept() -> None:
    line = json.dumps(log_line(1)).encode().replace(b'"fields": {"i": 1}', b'"fields": {"i": 1e308, "j": 1e-400}')
    [(_, entry)] = read_all(line + b"\n", LogEntry)
    assert entry.fields == {"i": 1e308, "j": 0.0}


def test_duplicate_keys_are_rejected_at_any_depth() -> None:
    line = json.dumps(log_line(1)).encode().replace(b'"fields": {"i": 1}', b'"fields": {"a": {"b": 1, "b": 2}}')
    error = failure(line + b"\n", LogEntry)
    assert (error.lineno, error.message) == (1, "invalid JSON: duplicate key 'b'")


def test_duplicate_keys_are_rejected() -> None:
    line = json.dumps(run_record(1)).encode()
    error = failure(line[:-1] + b', "state": "error"}\n')
    assert error.lineno == 1
    assert "duplicate key 'state'" in error.message


@pytest.mark.parametrize(("depth", "ok"), [(62, True), (70, False)])
def test_nesting_is_capped(depth: int, ok: bool) -> None:
    # The line object is level 1 and `fields` level 2.
    fields: Any = {}
    for _ in range(depth - 2):
        fields = {"a": fields}
    data = ndjson([log_line(1), {**log_line(2), "fields": fields}])
    if ok:
        assert len(read_all(data, LogEntry)) == 2
    else:
        error = failure(data, LogEntry)
        assert error.lineno == 2
        assert "nesting" in error.message


def test_deeply_nested_arrays_are_rejected() -> None:
    assert failure(b"[" * 100_000 + b"]" * 100_000 + b"\n").lineno == 1


def test_invalid_utf8_is_rejected() -> None:
    bad = json.dumps(log_line(2, "caf\u00e9"), ensure_ascii=False).encode().replace("é".encode(), b"\xe9")
    error = failure(ndjson([log_line(1)]) + bad + b"\n", LogEntry)
    assert error.lineno == 2
    assert "UTF-8" in error.message


def test_invalid_json_is_rejected() -> None:
    error = failure(ndjson([run_record(1)]) + b'{"id": \n')
    assert error.lineno == 2
    assert error.message.startswith("invalid JSON: ")


def test_numbers_too_long_to_convert_are_rejected() -> None:
    error = failure(b'{"id": ' + b"9" * 5000 + b"}\n")
    assert error.message.startswith("invalid JSON")


def test_long_line_is_capped_without_a_newline() -> None:
    data = ndjson([run_record(1)]) + b"x" * (MAX_LINE_BYTES + 1)
    error = failure(data)
    assert error.lineno == 2
    assert error.message == f"line longer than {MAX_LINE_BYTES} bytes"


def test_long_line_is_capped_in_the_middle() -> None:
    data = ndjson([log_line(1), log_line(2, "y" * 3000), log_line(3)])
    assert len(read_all(data, LogEntry, max_line_bytes=4000)) == 3
    error = failure(data, LogEntry, max_line_bytes=2000)
    assert error.lineno == 2
    assert "longer than 2000 bytes" in error.message


def test_read_errors_become_snapshot_errors() -> None:
    class Broken:
        def read(self, n: int) -> bytes:
            raise OSError("Compressed file ended before the end-of-stream marker was reached")

    with pytest.raises(SnapshotError) as info:
        list(iter_ndjson(Broken(), RUNS, Run))
    assert info.value.message.startswith("cannot read: Compressed file ended")


def test_messages_never_echo_huge_or_multiline_input() -> None:
    key = "k\n" * 5000
    line = json.dumps({"ts": "2026-11-20T11:45:00Z", "name": "m", "labels": {key: 1}, "value": 1}).encode()
    error = failure(line + b"\n", MetricSample)
    assert len(error.message) < 300
    assert error.message.startswith("field 'labels.k\\nk\\n")
    huge = "x" * 100_000
    error = failure(ndjson([run_record(1, state=huge)]))
    assert huge[:1000] not in error.message
    assert len(error.message) < 300


# --- describe_validation_error -----------------------------------------------------------------------------


def test_describe_validation_error_formats_the_first_error() -> None:
    from pydantic import ValidationError

    data = run_record(1, stats={"candidates": 1, "deduped": 1, "queued": "1", "completed": -1, "deltas": 0})
    with pytest.raises(ValidationError) as info:
        Run.model_validate(data)
    assert describe_validation_error(info.value) == "field 'stats.queued': Input should be a valid integer"
    with pytest.raises(ValidationError) as info:
        Run.model_validate([])
    assert describe_validation_error(info.value).startswith("Input should be a valid dictionary")


# --- parse_document and parse_tenants ----------------------------------------------------------------------


def test_parse_document_reads_the_spec_manifest() -> None:
    data = (DATA / "spec-minimal" / "manifest.json").read_bytes()
    manifest = parse_document(data, "manifest.json", Manifest)
    assert manifest.environment == "test"
    assert manifest.files[0].size == 1159


def test_parse_document_names_the_path_and_field() -> None:
    manifest = json.loads((DATA / "spec-minimal" / "manifest.json").read_bytes())
    manifest["files"][1]["sha256"] = "XYZ"
    with pytest.raises(SnapshotError) as info:
        parse_document(json.dumps(manifest).encode(), "manifest.json", Manifest)
    error = info.value
    assert (error.check, error.path, error.lineno, error.exit_code) == (
        "records",
        "manifest.json",
        None,
        ExitCode.INVALID,
    )
    assert error.message.startswith("field 'files[1].sha256': String should match pattern")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "invalid JSON"),
        (b"{", "invalid JSON"),
        (b'{"a": 1, "a": 2}', "invalid JSON: duplicate key"),
        (b'{"a": NaN}', "invalid JSON"),
        (b"\xef\xbb\xbf{}", "invalid JSON: UTF-8 byte order mark"),
        (b"[]", "expected a JSON object, found an array"),
        (b'"x"', "expected a JSON object, found a string"),
        (b"{}", "field 'bundleId': Field required"),
    ],
)
def test_parse_document_rejects(data: bytes, message: str) -> None:
    with pytest.raises(SnapshotError) as info:
        parse_document(data, "manifest.json", BundleManifest)
    assert info.value.message.startswith(message), info.value.message


def test_parse_tenants() -> None:
    tenants = parse_tenants(b'[{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex", "x": 1}]')
    assert [(t.id, t.name) for t in tenants] == [("acme", "Acme"), ("globex", "Globex")]
    assert parse_tenants(b"[]") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'[{"id": "acme", "name": "A"}, {"id": "acme", "name": "B"}]',
            "item 2: field 'id': duplicate tenant 'acme'",
        ),
        (b'[{"id": "Acme Corp", "name": "x"}]', "item 1: field 'id': String should match pattern"),
        (b'[{"id": "acme"}]', "item 1: field 'name': Field required"),
        (b'[{"id": "acme", "name": "A"}, 5]', "item 2: expected a JSON object, found a number"),
        (b'{"id": "acme", "name": "A"}', "expected a JSON array, found an object"),
        (b"[", "invalid JSON"),
    ],
)
def test_parse_tenants_rejects(data: bytes, message: str) -> None:
    with pytest.raises(SnapshotError) as info:
        parse_tenants(data)
    error = info.value
    assert (error.check, error.path, error.lineno) == ("records", "tenants.json", None)
    assert error.message.startswith(message), error.message


# --- section 2's value rules, from the raw JSON text (issue 12) ---------------------------------------------


def run_line(**changes: Any) -> bytes:
    """One runs.ndjson line; `raw` values are spliced in as JSON text (escapes json.dumps would not write)."""
    raw = changes.pop("raw", {})
    run = run_record(1, **changes)
    for key in raw:
        run[key] = f"@@{key}@@"
    line = json.dumps(run)
    for key, text in raw.items():
        line = line.replace(f'"@@{key}@@"', text)
    return line.encode() + b"\n"


@pytest.mark.parametrize("escape", [r"\ud800", r"\uDBFF", r"\udc00", r"\uDFFF", r"x\ude00\ud83d"])
def test_a_lone_surrogate_escape_is_a_validation_error(escape: str) -> None:
    error = failure(run_line(raw={"initiator": f'"user:{escape}x"'}))
    assert error.lineno == 1
    assert error.message.startswith("field 'initiator': Input should be Unicode text: a lone surrogate")


def test_a_lone_surrogate_in_an_ignored_field_or_key_is_an_error_too() -> None:
    """Other JSON engines (jiter) refuse the whole line; so does this one, whatever field holds it."""
    error = failure(run_line(raw={"futureField": r'{"a": ["ok", "\ud800"]}'}))
    assert error.message.startswith("field 'futureField.a[1]': Input should be Unicode text")
    error = failure(run_line(raw={"futureField": r'{"k\udc00": 1}'}))
    assert error.message.startswith("field 'futureField.k\\udc00': Input should be Unicode text")


def test_paired_surrogate_escapes_and_escaped_backslashes_are_text() -> None:
    ((_, run),) = read_all(run_line(raw={"initiator": r'"user:\ud83d\ude00 \\ud800"'}))
    assert run.initiator == "user:\U0001f600 \\ud800"


@pytest.mark.parametrize("value", [2**53, -(2**53), 10**300])
def test_an_integer_beyond_2_53_is_a_validation_error(value: int) -> None:
    error = failure(run_line(raw={"shardCount": str(value)}))
    assert error.message.startswith("field 'shardCount': Input should be")
    # An unknown field is ignored (forward compatibility), as under jiter: it is never rendered.
    assert read_all(run_line(raw={"futureField": f"[{value}]"}))


def test_integers_up_to_2_53_minus_1_are_read() -> None:
    ((_, run),) = read_all(run_line(raw={"shardCount": str(2**53 - 1), "futureField": str(-(2**53 - 1))}))
    assert run.shard_count == 2**53 - 1


def test_a_long_digit_string_is_not_an_integer() -> None:
    ((_, run),) = read_all(run_line(correlationId="9" * 40))
    assert run.correlation_id == "9" * 40


def test_a_big_integer_in_a_metric_or_log_field_is_an_error() -> None:
    metric = {"ts": "2026-11-20T02:00:00Z", "name": "m", "labels": {}, "value": 2**60}
    assert failure(ndjson([metric]), MetricSample).message.startswith("field 'value': Input should be an integer")
    log = log_line(1)
    log["fields"] = {"attempt": {"n": 2**60}}
    message = failure(ndjson([log]), LogEntry).message
    assert message == "field 'fields': Input should be an integer from -(2^53-1) to 2^53-1 (at attempt.n)"


def test_a_lower_case_error_code_is_an_error() -> None:
    error = failure(run_line(state="error", error={"code": "err_run_005", "message": "m"}))
    assert error.message.startswith("field 'error.code': String should match pattern '^[A-Z][A-Z0-9_]{2,63}$'")


def test_value_rules_hold_in_tenants_and_manifests() -> None:
    with pytest.raises(SnapshotError) as info:
        parse_tenants(b'[{"id": "acme", "name": "Acme \\ud800"}]')
    assert info.value.message.startswith("field '[0].name': Input should be Unicode text")
    manifest = {
        "schemaVersion": "stellaops.runs-snapshot@1",
        "snapshotId": "s",
        "createdAt": "2026-11-20T12:00:00Z",
        "environment": "prod",
        "source": "x",
        "files": [{"path": "runs.ndjson", "size": 2**53, "sha256": "a" * 64}],
    }
    with pytest.raises(SnapshotError) as info:
        parse_document(json.dumps(manifest).encode(), "manifest.json", Manifest)
    assert info.value.message.startswith("field 'files[0].size': Input should be")


def _holds_free_json(annotation: Any) -> bool:
    """Whether a field of this type may hold JSON that no model checks (Any, or a model allowing extras)."""
    if annotation is Any:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.model_config.get("extra") == "allow":
            return True
        return any(_holds_free_json(f.annotation) for f in annotation.model_fields.values())
    return any(_holds_free_json(arg) for arg in typing.get_args(annotation))


@pytest.mark.parametrize("model", list(RECORD_FILES.values()), ids=list(RECORD_FILES))
def test_free_form_lists_every_field_no_model_checks(model: type[BaseModel]) -> None:
    # The native path relies on FREE_FORM to find floats jiter read as inf (1e400) where no model looks.
    expected = {f.alias or name for name, f in model.model_fields.items() if _holds_free_json(f.annotation)}
    assert set(FREE_FORM.get(model, ())) == expected

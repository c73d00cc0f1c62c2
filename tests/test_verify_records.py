"""Step 4 on every core: worker processes reading chunks give the same report, and the same first error, as a
line-by-line read in one process."""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA
from snapsite.authoring.demo import write_demo
from snapsite.authoring.sign import sign_snapshot
from snapsite.errors import SnapshotError
from snapsite.snapshot.container import open_container
from snapsite.snapshot.records import RECORD_FILES
from snapsite.spec import RUNS
from snapsite.trust.roots import load_trust_root
from snapsite.verify.records_check import (
    SEGMENTS,
    Chunk,
    RecordChecks,
    check_chunk,
    check_lines,
    read_in_parallel,
    read_serially,
    segment_key,
)
from snapsite.verify.sink import IgnoreRecords, receiver
from snapsite.verify.steps import VerificationReport, verify_snapshot

KEY = DATA.parent / "keys" / "demo.key"
SERIAL = 1 << 62  # parallel_from: never start workers
PARALLEL = 0  # parallel_from: always


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "snap"
    write_demo(root, runs=400, tenants=3, seed=5, key_paths=[KEY])
    return root


def report_of(path: Path, parallel_from: int, key: Path = KEY) -> VerificationReport:
    return verify_snapshot(path, load_trust_root([key.with_name(key.name + ".pub")]), parallel_from=parallel_from)


def test_workers_and_one_process_give_the_same_report(demo: Path) -> None:
    serial, parallel = report_of(demo, SERIAL), report_of(demo, PARALLEL)
    assert serial.verified, [e.line() for e in serial.errors]
    assert parallel.as_json() == serial.as_json()
    assert parallel.records["runs.ndjson"] == 400


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


@pytest.mark.parametrize("name", [RUNS, SEGMENTS, "logs.ndjson", "events.ndjson"])
@pytest.mark.parametrize("chunk_bytes", [333, 4096, 1 << 20])
def test_chunks_cover_every_line_once(demo: Path, name: str, chunk_bytes: int) -> None:
    path = demo / name
    size = path.stat().st_size
    tenants = frozenset(t["id"] for t in json.loads((demo / "tenants.json").read_bytes()))
    schedules = frozenset(json.loads(line)["id"] for line in _lines(demo / "schedules.ndjson"))
    results = [
        check_chunk(Chunk(path, name, start, min(size, start + chunk_bytes), tenants, schedules))
        for start in range(0, size, chunk_bytes)
    ]
    assert all(keys.error is None for keys in results)
    assert sum(keys.lines for keys in results) == len(_lines(path))
    [whole] = check_lines(name, enumerate(_lines(path), start=1), tenants, schedules)
    assert [run_id for keys in results for run_id in keys.ids] == whole.ids
    assert b"".join(keys.segments for keys in results) == whole.segments


def _mutated(tmp_path: Path, demo: Path, name: str, change: Callable[[list[bytes]], None]) -> Path:
    """A copy of the demo snapshot with `name`'s lines changed, signed again."""

    root = tmp_path / "snap"
    for path in demo.rglob("*"):
        if path.is_file():
            target = root / path.relative_to(demo)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    lines = _lines(root / name)
    change(lines)
    (root / name).write_bytes(b"".join(line + b"\n" for line in lines))
    sign_snapshot(root, [KEY], {})
    return root


def _set(index: int, **fields: Any) -> Callable[[list[bytes]], None]:
    def change(lines: list[bytes]) -> None:
        record = json.loads(lines[index])
        record.update(fields)
        lines[index] = json.dumps(record).encode()

    return change


def _copy(source: int, target: int) -> Callable[[list[bytes]], None]:
    def change(lines: list[bytes]) -> None:
        lines[target] = lines[source]

    return change


def _both(*changes: Callable[[list[bytes]], None]) -> Callable[[list[bytes]], None]:
    def change(lines: list[bytes]) -> None:
        for one in changes:
            one(lines)

    return change


@pytest.mark.parametrize(
    ("name", "change", "line"),
    [
        (RUNS, _set(250, tenantId="nobody-corp"), 251),
        (RUNS, _copy(3, 300), 301),
        # A duplicate id and an unknown tenant on one line: the duplicate is reported, as line by line.
        (RUNS, _both(_copy(3, 300), _set(300, tenantId="nobody-corp")), 301),
        (RUNS, _set(120, scheduleId="sch-nowhere"), 121),
        (RUNS, _both(_set(390, state="exploded"), _set(20, tenantId="nobody-corp")), 21),
        (SEGMENTS, _copy(0, 500), 501),
        (SEGMENTS, _set(700, runId="run:ghost"), 701),
        (SEGMENTS, _both(_set(700, runId="run:ghost"), _set(900, shard=-1)), 701),
        ("findings.ndjson", _set(200, runId="run:ghost"), 201),
        ("logs.ndjson", lambda lines: lines.insert(600, b""), 601),
        # A line too long to buffer, after an unknown run in the same batch: the unknown run comes first.
        ("logs.ndjson", _both(_set(30, runId="run:ghost"), lambda lines: lines.insert(900, b"x" * (17 << 20))), 31),
        ("logs.ndjson", _set(10, severity="loud"), 11),
        ("events.ndjson", lambda lines: lines.__setitem__(5, b'{"ts": NaN}'), 6),
    ],
)
def test_the_first_error_is_the_same_in_workers(
    tmp_path: Path, demo: Path, name: str, change: Callable[[list[bytes]], None], line: int
) -> None:
    root = _mutated(tmp_path, demo, name, change)
    serial, parallel = report_of(root, SERIAL), report_of(root, PARALLEL)
    assert serial.errors and serial.errors[0].lineno == line, serial.errors[0].line()
    assert serial.errors[0].path == name
    assert [e.line() for e in parallel.errors] == [e.line() for e in serial.errors]


def test_a_segment_key_collision_is_not_a_duplicate(demo: Path) -> None:
    # Two different (run, id) pairs with one key stand for a collision, which blake2b makes too rare to craft.
    segments = _lines(demo / SEGMENTS)
    last = json.loads(segments[-1])
    tenants = frozenset(t["id"] for t in json.loads((demo / "tenants.json").read_bytes()))
    with open_container(demo) as container:
        checks = RecordChecks(container, tenants, {})
        read_serially(checks, "schedules.ndjson", None)
        read_serially(checks, RUNS, None)
        checks.segments.add(int.from_bytes(segment_key(last["runId"], last["id"]), "little"))
        assert read_serially(checks, SEGMENTS, None) == len(segments)


@pytest.mark.parametrize(
    ("name", "change", "line"),
    [
        (SEGMENTS, _copy(10, 1000), 1001),
        ("logs.ndjson", _set(1100, runId="run:ghost"), 1101),
        (RUNS, _set(333, createdAt="yesterday"), 334),
    ],
)
def test_lines_are_counted_across_many_chunks(
    tmp_path: Path, demo: Path, name: str, change: Callable[[list[bytes]], None], line: int
) -> None:
    root = _mutated(tmp_path, demo, name, change)
    tenants = frozenset(t["id"] for t in json.loads((root / "tenants.json").read_bytes()))
    names = [RUNS, SEGMENTS, "findings.ndjson", "logs.ndjson", "events.ndjson"]
    with open_container(root) as container:
        checks = RecordChecks(container, tenants, {})
        read_serially(checks, "schedules.ndjson", None)
        with pytest.raises(SnapshotError) as info:
            read_in_parallel(checks, names, workers=2, chunk_bytes=5000)
    assert (info.value.path, info.value.lineno) == (name, line), info.value.line()


def test_counts_across_many_chunks_match_the_files(demo: Path) -> None:
    tenants = frozenset(t["id"] for t in json.loads((demo / "tenants.json").read_bytes()))
    names = [RUNS, SEGMENTS, "findings.ndjson", "logs.ndjson", "events.ndjson", "metrics.ndjson"]
    with open_container(demo) as container:
        checks = RecordChecks(container, tenants, {})
        read_serially(checks, "schedules.ndjson", None)
        counts = read_in_parallel(checks, names, workers=2, chunk_bytes=3000)
    assert counts == {name: len(_lines(demo / name)) for name in names}
    assert len(checks.runs) == counts[RUNS]


def test_every_record_file_has_one_typed_sink_method() -> None:
    """The typed sink covers every record file the loader knows, each with a method typed for that file's model."""
    sink = IgnoreRecords()
    methods = {name: receiver(sink, name) for name in RECORD_FILES}
    assert len({method.__name__ for method in methods.values()}) == len(RECORD_FILES)
    for name, model in RECORD_FILES.items():
        hints = typing.get_type_hints(methods[name])
        assert next(iter(hints.values())) is model, name

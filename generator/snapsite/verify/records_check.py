"""Step 4 of verification: every record valid and every reference resolved, on every core.

Records are validated in batches of lines; each batch yields compact keys of what it read (the run ids it
defines or points at, and an 8-byte key per segment) and its first problem. The uniqueness and reference checks
then run over whole batches with set operations in C, in file order, so the first failure reported is the one a
line-by-line read finds; a failing line is read again only to name its id in the message.

`snapsite verify` cuts the big record files into chunks at byte offsets and validates them in worker processes
from a 'forkserver' (a worker is never a fork of a process that may hold threads); the parent only applies the
keys. A build needs every record (its sink), so it reads in-process, through the same batches and checks.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, BinaryIO

from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.container import Container
from snapsite.snapshot.load import MAX_LINE_BYTES, iter_lines, parse_record
from snapsite.snapshot.records import RECORD_FILES, EvidenceItem, ManifestFile, Segment
from snapsite.spec import RUNS
from snapsite.verify.sink import RecordSink, receiver

SCHEDULES, SEGMENTS, EVIDENCE = "schedules.ndjson", "segments.ndjson", "evidence.ndjson"
# Files read in chunks by the pool, in reference order; schedules and evidence are small and read in-process.
CHUNKED = (RUNS, SEGMENTS, "findings.ndjson", "logs.ndjson", "events.ndjson", "metrics.ndjson", "impact.ndjson")
# Files whose records point at a run by runId.
RUN_REFERENCES = (SEGMENTS, "findings.ndjson", "logs.ndjson")
CHUNK_BYTES = 8 << 20
BATCH_RECORDS = 4096  # in-process: keys are checked every this many records
# Below this many bytes of chunked files, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 32 << 20


def segment_key(run_id: str, segment_id: str) -> bytes:
    """8 bytes standing for a segment's (run, id) in the uniqueness set, below 2**60 so that each is a small int.

    A key collision is possible and harmless: a repeated key is confirmed on the ids before it is reported.
    """
    digest = hashlib.blake2b(f"{run_id}\n{segment_id}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return digest[:7] + bytes([digest[7] & 0x0F])


@dataclass(frozen=True)
class Keys:
    """What one batch of consecutive lines, the first numbered `first`, holds for the checks.

    `ids[i]` is the run id defined (runs) or pointed at (segments, findings, logs) on line `first + i`, and
    `segments` the segment keys of the same lines. `lines` counts the lines read; `error` is the first problem
    found here, as (line, message): the keys include that line's when its record parsed.
    """

    first: int
    lines: int
    ids: list[str]
    segments: bytes = b""
    error: tuple[int, str] | None = None


def check_lines(
    name: str,
    numbered: Iterable[tuple[int, bytes]],
    tenants: frozenset[str],
    schedules: frozenset[str],
    sink: RecordSink | None = None,
    batch: int | None = None,
) -> Iterator[Keys]:
    """Validate numbered lines of record file `name` into batches of keys (one batch when `batch` is None).

    Checks a record alone can pass (a run's tenant and schedule) are made here; `sink` gets each valid record.
    """
    model: type[Any] = RECORD_FILES[name]
    refers = name in RUN_REFERENCES
    deliver = None if sink is None else receiver(sink, name)
    ids: list[str] = []
    segments = bytearray()
    first = count = 0
    lines = iter(numbered)
    while True:
        try:
            number, raw = next(lines)
        except StopIteration:
            break
        except SnapshotError as exc:  # unreadable, or a line too long to buffer: after the keys before it
            yield Keys(first or (exc.lineno or 1), count, ids, bytes(segments), (exc.lineno or 1, exc.message))
            return
        if not count:
            first = number
        count += 1
        try:
            record = parse_record(raw, number, name, model)
        except SnapshotError as exc:
            yield Keys(first, count, ids, bytes(segments), (number, exc.message))
            return
        if refers:
            ids.append(record.run_id)
            if name == SEGMENTS:
                segments += segment_key(record.run_id, record.id)
        elif name == RUNS:
            ids.append(record.id)
            problem = _run_problem(record, tenants, schedules)
            if problem is not None:
                yield Keys(first, count, ids, bytes(segments), (number, problem))
                return
        if deliver is not None:
            deliver(record, number, raw)
        if batch is not None and count >= batch:
            yield Keys(first, count, ids, bytes(segments))
            ids, segments, count = [], bytearray(), 0
    if count or batch is None:
        yield Keys(first, count, ids, bytes(segments))


def _run_problem(run: Any, tenants: frozenset[str], schedules: frozenset[str]) -> str | None:
    if run.schedule_id is not None and run.schedule_id not in schedules:
        return f"field 'scheduleId': unknown schedule {run.schedule_id!r}"
    if run.tenant_id not in tenants:
        return f"field 'tenantId': unknown tenant {run.tenant_id!r}"
    return None


@dataclass(frozen=True)
class Chunk:
    """The lines of one record file that begin in bytes [start, end), and what their checks need."""

    path: Path
    name: str
    start: int
    end: int
    tenants: frozenset[str]
    schedules: frozenset[str]


def check_chunk(chunk: Chunk) -> Keys:
    """Validate one chunk, its lines numbered from 1 (runs in a worker process)."""
    try:
        with chunk.path.open("rb") as file:
            lines = _chunk_lines(file, chunk.start, chunk.end)
    except OSError as exc:
        return Keys(1, 1, [], b"", (1, f"cannot read: {exc.strerror or exc}"))
    return next(check_lines(chunk.name, enumerate(lines, start=1), chunk.tenants, chunk.schedules))


def _chunk_lines(file: BinaryIO, start: int, end: int) -> list[bytes]:
    """The lines beginning in [start, end) of `file`, without their \\n; the last one is read to its end
    (or one byte past the longest line allowed, enough for the length check to refuse it)."""
    if start:
        file.seek(start - 1)
        data = file.read(end - start + 1)
        cut = data.find(b"\n")
        data = data[cut + 1 :] if cut >= 0 else b""
    else:
        data = file.read(end)
    if data and not data.endswith(b"\n"):
        data += file.readline(MAX_LINE_BYTES + 1)
    lines = data.split(b"\n")
    if not lines[-1]:
        lines.pop()
    return lines


def _error(name: str, message: str, line: int | None = None) -> SnapshotError:
    return SnapshotError("records", name, message, ExitCode.INVALID, line=line)


@dataclass
class RecordChecks:
    """The uniqueness and reference checks of step 4; ids in sets, segments as small ints."""

    container: Container
    tenants: frozenset[str]
    listed: dict[str, ManifestFile]
    schedules: set[str] = field(default_factory=set)
    runs: set[str] = field(default_factory=set)
    segments: set[int] = field(default_factory=set)
    evidence_ids: set[str] = field(default_factory=set)
    evidence: list[EvidenceItem] = field(default_factory=list)

    def apply(self, name: str, keys: Keys, offset: int = 0) -> None:
        """Check a batch of `name` (its lines shifted by `offset`), then raise its own error if it has one."""
        first = keys.first + offset
        if name == RUNS:
            self._runs(keys.ids, first)
        elif name in RUN_REFERENCES:
            if name == SEGMENTS:
                self._segments(keys.segments, first)
            if not self.runs.issuperset(keys.ids):
                index = next(i for i, run_id in enumerate(keys.ids) if run_id not in self.runs)
                raise _error(name, f"field 'runId': unknown run {keys.ids[index]!r}", first + index)
        if keys.error is not None:
            line, message = keys.error
            raise _error(name, message, line + offset)

    def _runs(self, ids: list[str], first: int) -> None:
        runs = self.runs
        if runs.isdisjoint(ids) and len(set(ids)) == len(ids):
            runs.update(ids)
            return
        for index, run_id in enumerate(ids):
            if run_id in runs:
                raise _error(RUNS, f"field 'id': duplicate run {run_id!r}", first + index)
            runs.add(run_id)

    def _segments(self, keys: bytes, first: int) -> None:
        values = array("Q", keys)
        seen = self.segments
        if seen.isdisjoint(values) and len(set(values)) == len(values):
            seen.update(values)
            return
        for index, value in enumerate(values):
            if value in seen:
                self._confirm_duplicate(first + index)
            seen.add(value)

    def _confirm_duplicate(self, line: int) -> None:
        """Raise if the segment on `line` repeats the (run, id) of an earlier one; return on a key collision."""
        *earlier, target = self._segments_to(line)
        if target in earlier:
            run_id, segment_id = target
            raise _error(SEGMENTS, f"field 'id': duplicate segment {segment_id!r} of run {run_id!r}", line)

    def _segments_to(self, line: int) -> Iterator[tuple[str, str]]:
        """The (run, id) of every segment up to `line`, read again (only when a key repeats)."""
        with self.container.open(SEGMENTS) as stream:
            for number, raw in iter_lines(stream, SEGMENTS):
                segment = parse_record(raw, number, SEGMENTS, Segment)
                yield segment.run_id, segment.id
                if number == line:
                    return

    def schedule(self, schedule: Any, line: int) -> None:
        """The checks of one schedule (schedules.ndjson is read in-process, before the runs that point at it)."""
        if schedule.id in self.schedules:
            raise _error(SCHEDULES, f"field 'id': duplicate schedule {schedule.id!r}", line)
        self.schedules.add(schedule.id)
        if schedule.tenant_id not in self.tenants:
            raise _error(SCHEDULES, f"field 'tenantId': unknown tenant {schedule.tenant_id!r}", line)

    def evidence_item(self, item: EvidenceItem, line: int) -> None:
        """The checks of one evidence item (read in-process, after the runs)."""
        problem = self._evidence_problem(item)
        if problem is not None:
            raise _error(EVIDENCE, problem, line)

    def _evidence_problem(self, item: EvidenceItem) -> str | None:
        if item.id in self.evidence_ids:
            return f"field 'id': duplicate evidence {item.id!r}"
        self.evidence_ids.add(item.id)
        entry = self.listed.get(item.path)
        if entry is None:
            return f"field 'path': {item.path!r} is not listed in manifest.json"
        if (item.size, item.sha256) != (entry.size, entry.sha256):
            return f"field 'sha256': size/sha256 of {item.path!r} differ from manifest.json's entry"
        if item.attestation is not None and item.attestation not in self.listed:
            return f"field 'attestation': {item.attestation!r} is not listed in manifest.json"
        self.evidence.append(item)
        if item.run_id not in self.runs:
            return f"field 'runId': unknown run {item.run_id!r}"
        return None


def read_serially(checks: RecordChecks, name: str, sink: RecordSink | None) -> int:
    """Validate and check every record of `name` in this process, handing each to `sink`; the record count."""
    count = 0
    with checks.container.open(name) as stream:
        lines = iter_lines(stream, name)
        if name in (SCHEDULES, EVIDENCE):
            model = RECORD_FILES[name]
            check: Callable[[Any, int], None] = checks.schedule if name == SCHEDULES else checks.evidence_item
            deliver = None if sink is None else receiver(sink, name)
            for line, raw in lines:
                record = parse_record(raw, line, name, model)
                check(record, line)
                if deliver is not None:
                    deliver(record, line, raw)
                count += 1
            return count
        schedules = frozenset(checks.schedules)
        for keys in check_lines(name, lines, checks.tenants, schedules, sink, BATCH_RECORDS):
            checks.apply(name, keys)
            count += keys.lines
    return count


def read_in_parallel(
    checks: RecordChecks, names: list[str], workers: int, chunk_bytes: int = CHUNK_BYTES
) -> dict[str, int]:
    """Validate the chunked files `names` on `workers` processes, checking their keys here; record counts."""
    chunks: list[Chunk] = []
    schedules = frozenset(checks.schedules)
    for name in names:
        path = checks.container.path(name)
        size = path.stat().st_size
        chunks += [
            Chunk(path, name, start, min(size, start + chunk_bytes), checks.tenants, schedules)
            for start in range(0, size, chunk_bytes)
        ]
    counts = dict.fromkeys(names, 0)
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            for chunk, keys in zip(chunks, pool.map(check_chunk, chunks), strict=True):
                checks.apply(chunk.name, keys, offset=counts[chunk.name])
                counts[chunk.name] += keys.lines
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return counts


def parallel_workers(checks: RecordChecks, names: list[str], sink: RecordSink | None, from_bytes: int) -> int:
    """How many worker processes to read `names` with: 0 (in-process) for a build, few bytes or one core."""
    cores = os.cpu_count() or 1
    if sink is not None or cores < 2:
        return 0
    total = sum(checks.container.path(name).stat().st_size for name in names)
    return cores if total >= from_bytes else 0

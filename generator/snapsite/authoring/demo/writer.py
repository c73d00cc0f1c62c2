"""`write_demo`: validate the arguments, write every file of the snapshot in one pass, sign it."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from snapsite.authoring.demo.chance import Dice, Picker
from snapsite.authoring.demo.evidence import EvidenceWriter
from snapsite.authoring.demo.lines import RunLines, encode, finding_line, pretty
from snapsite.authoring.demo.metrics import Metrics
from snapsite.authoring.demo.model import Clock
from snapsite.authoring.demo.runbooks import runbook_files
from snapsite.authoring.demo.runs import RunMaker
from snapsite.authoring.demo.vocabulary import (
    BULK_STATE_WEIGHTS,
    BULK_STATES,
    DAY,
    HOUR,
    MAX_RUNS,
    RECENT_SECONDS,
    RECENT_STATE_WEIGHTS,
    RECENT_STATES,
)
from snapsite.authoring.demo.world import impact_records, make_tenant, schedule_records
from snapsite.authoring.sign import sign_snapshot
from snapsite.errors import UsageError
from snapsite.trust.keys import PrivateKey, load_private_key


def _check_output(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out}: exists and is not a directory")
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out}: directory is not empty")


def _clear(out: Path) -> None:
    """Remove what a failed run wrote, keeping `out` itself (it may have been given empty)."""
    for child in out.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def write_demo(
    out: Path,
    *,
    runs: int,
    tenants: int,
    seed: int,
    key_paths: Sequence[Path],
    created_at: datetime = datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    evidence_bytes: int = 0,
    hostile: bool = True,
) -> dict[str, int]:
    """Write a signed synthetic snapshot into `out` (absent or empty); returns the record count of each file.

    Deterministic: the same arguments give byte-identical files. Evidence attestations are signed with the
    first of `key_paths` (`verified`), not at all, with a key derived from the seed (`untrusted`), or broken
    (`invalid`); the snapshot is signed with every key. `evidence_bytes` adds large evidence files of that
    total size; `hostile` puts markup, formulas and bidi controls into free-text fields.
    """
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"runs must be between 1 and {MAX_RUNS}")
    if tenants < 1:
        raise UsageError("tenants must be at least 1")
    if evidence_bytes < 0:
        raise UsageError("evidence bytes must not be negative")
    if created_at.tzinfo is None:
        raise UsageError("created_at needs a time zone")
    if not key_paths:
        raise UsageError("no signing key given (--key)")
    signing_key = load_private_key(key_paths[0])
    _check_output(out)
    made = not out.exists()
    created = int(created_at.timestamp())
    try:
        out.mkdir(parents=True, exist_ok=True)
        writer = DemoWriter(out, runs, tenants, seed, signing_key, created, hostile)
        counts = writer.write(evidence_bytes)
        iso = writer.clock.iso
        metadata = {
            "snapshotId": f"snap:demo:{iso(created)}",
            "createdAt": iso(created),
            "environment": "prod",
            "source": "scheduler.demo",
            "plannerHeartbeatAt": iso(created - 50),
            "impactIndexGeneratedAt": iso(created - 6 * HOUR),
            "stalenessWindowHours": 72,
        }
        sign_snapshot(out, key_paths, metadata)
    except BaseException:
        # Leave nothing half-written: a partial snapshot would look like a real one.
        if made:
            shutil.rmtree(out, ignore_errors=True)
        else:
            _clear(out)
        raise
    return counts


class DemoWriter:
    """Generates and writes every file of the demo snapshot, in one pass over the runs."""

    def __init__(
        self,
        out: Path,
        runs: int,
        tenants: int,
        seed: int,
        signing_key: PrivateKey,
        created: int,
        hostile: bool,
    ) -> None:
        self.out = out
        self.run_count = runs
        dice = Dice(seed, hostile)
        self.dice = dice
        self.r = dice.r
        self.created = created
        self.clock = Clock(created)
        self.counts: dict[str, int] = {}
        nonce_offset = dice.rng.getrandbits(24)
        self.tenants = [make_tenant(dice, index, created) for index in range(tenants)]
        self.runs = RunMaker(dice, self.clock, created, self.tenants, nonce_offset)
        self.lines = RunLines(self.clock, dice)
        self.evidence = EvidenceWriter(out, dice, self.clock, created, signing_key, seed, runs)
        self.metrics = Metrics.start(created, len(self.tenants))
        self.bulk_states = Picker(BULK_STATES, BULK_STATE_WEIGHTS)
        self.newest_states = Picker(("running", "queued", "planning"), (1, 1, 1))
        self.recent_states = Picker(RECENT_STATES, RECENT_STATE_WEIGHTS, cover=False)
        self.anchor: tuple[str, str, str] | None = None  # (run id, tenant, slug) of the large evidence

    def write(self, evidence_bytes: int) -> dict[str, int]:
        """Write every file but the manifest and its envelope; returns the record counts."""
        self._write_file("tenants.json", pretty([{"id": t.id, "name": t.name} for t in self.tenants]))
        self.counts["tenants.json"] = len(self.tenants)
        names = ("runs", "segments", "findings", "logs", "events", "evidence")
        streams = {name: self._open(f"{name}.ndjson") for name in names}
        try:
            self._write_runs(streams)
            if evidence_bytes:
                assert self.anchor is not None  # set by the first run
                items = self.evidence.write_large(streams["evidence"], evidence_bytes, *self.anchor)
                self.counts["evidence.ndjson"] += items
        finally:
            for stream in streams.values():
                stream.close()
        self._write_records("schedules.ndjson", schedule_records(self.tenants, self.clock))
        with self._open("metrics.ndjson") as stream:
            self.counts["metrics.ndjson"] = self.metrics.write(stream, self.tenants, self.clock, self.dice)
        self._write_records("impact.ndjson", impact_records(self.tenants))
        for path, data in runbook_files(self.dice.hostile).items():
            self._write_file(path, data)
        return dict(sorted(self.counts.items()))

    def _write_runs(self, streams: dict[str, TextIO]) -> None:
        # Runs come in createdAt order: the bulk over seven days, the newest 1 % in the last three hours.
        recent = min(self.run_count, max(6, self.run_count // 100))
        bulk = self.run_count - recent
        bulk_start = self.created - 7 * DAY
        bulk_step = (7 * DAY - RECENT_SECONDS) / max(bulk, 1)
        recent_start = self.created - RECENT_SECONDS
        recent_step = (RECENT_SECONDS - 120) / recent
        write_run, write_segments = streams["runs"].write, streams["segments"].write
        write_findings, write_logs = streams["findings"].write, streams["logs"].write
        write_events = streams["events"].write
        make_run, lines_of = self.runs.make, self.lines
        names = ("segments", "findings", "logs", "events", "evidence")
        counts = dict.fromkeys(names, 0)
        for index in range(self.run_count):
            if index < bulk:
                when = bulk_start + int((index + self.r()) * bulk_step)
                state = self.bulk_states.pick(self.r())
            else:
                position = index - bulk
                when = recent_start + int((position + self.r()) * recent_step)
                # The newest three runs are the ones still planning, queued or running.
                newest = recent - position <= 3
                state = (self.newest_states if newest else self.recent_states).pick(self.r())
            run = make_run(index, when, state)
            write_run(lines_of.run_line(run))
            lines = [lines_of.segment_line(run, segment) for segment in run.segments]
            write_segments("".join(lines))
            counts["segments"] += len(lines)
            lines = [finding_line(run, finding) for finding in run.findings]
            write_findings("".join(lines))
            counts["findings"] += len(lines)
            lines = lines_of.log_lines(run)
            write_logs("".join(lines))
            counts["logs"] += len(lines)
            lines = lines_of.event_lines(run)
            write_events("".join(lines))
            counts["events"] += len(lines)
            self.metrics.track(run, self.created)
            if self.anchor is None:
                self.anchor = (run.id, run.tenant.id, run.slug)
            finished = run.finished is not None and run.started is not None
            if finished and self.evidence.due():
                counts["evidence"] += self.evidence.write(run, streams["evidence"])
        self.counts["runs.ndjson"] = self.run_count
        for name in names:
            self.counts[f"{name}.ndjson"] = counts[name]

    def _open(self, name: str) -> TextIO:
        self.counts[name] = 0
        return (self.out / name).open("w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def _write_records(self, name: str, records: Iterable[dict[str, Any]]) -> None:
        with self._open(name) as stream:
            for record in records:
                stream.write(encode(record) + "\n")
                self.counts[name] += 1

    def _write_file(self, relative: str, data: bytes) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

"""What step 4 hands on: each valid record, typed, to one method per record kind.

A build, a `--since` comparison and `export` all read the records as verification streams them past (so that
nothing unverified is ever used, and nothing is read twice). They used to receive `(name, line, record: Any,
raw)` and switch on file names; a typed method per kind lets mypy follow each record from its model to the page.
The one place a file name meets its kind is `receiver`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from snapsite.snapshot.records import (
    EvidenceItem,
    FindingDelta,
    ImpactEntry,
    LogEntry,
    MetricSample,
    Run,
    Schedule,
    Segment,
    TelemetryEvent,
)
from snapsite.spec import RUNS


class RecordSink(Protocol):
    """Receives every valid record of step 4, with its line number and raw line (a build spills the raw bytes)."""

    def run(self, run: Run, line: int, raw: bytes) -> None: ...
    def schedule(self, schedule: Schedule, line: int, raw: bytes) -> None: ...
    def segment(self, segment: Segment, line: int, raw: bytes) -> None: ...
    def finding(self, finding: FindingDelta, line: int, raw: bytes) -> None: ...
    def log(self, entry: LogEntry, line: int, raw: bytes) -> None: ...
    def event(self, event: TelemetryEvent, line: int, raw: bytes) -> None: ...
    def metric(self, sample: MetricSample, line: int, raw: bytes) -> None: ...
    def impact(self, entry: ImpactEntry, line: int, raw: bytes) -> None: ...
    def evidence_item(self, item: EvidenceItem, line: int, raw: bytes) -> None: ...


class IgnoreRecords:
    """A sink that keeps nothing: a collector derives from it and overrides only the kinds it needs."""

    def run(self, run: Run, line: int, raw: bytes) -> None:
        """A run (runs.ndjson)."""

    def schedule(self, schedule: Schedule, line: int, raw: bytes) -> None:
        """A schedule (schedules.ndjson)."""

    def segment(self, segment: Segment, line: int, raw: bytes) -> None:
        """A run's segment (segments.ndjson)."""

    def finding(self, finding: FindingDelta, line: int, raw: bytes) -> None:
        """A run's finding delta (findings.ndjson)."""

    def log(self, entry: LogEntry, line: int, raw: bytes) -> None:
        """A run's log line (logs.ndjson)."""

    def event(self, event: TelemetryEvent, line: int, raw: bytes) -> None:
        """A telemetry event (events.ndjson)."""

    def metric(self, sample: MetricSample, line: int, raw: bytes) -> None:
        """A metric sample (metrics.ndjson)."""

    def impact(self, entry: ImpactEntry, line: int, raw: bytes) -> None:
        """An image's impact entry (impact.ndjson)."""

    def evidence_item(self, item: EvidenceItem, line: int, raw: bytes) -> None:
        """An evidence item (evidence.ndjson)."""


class Both(IgnoreRecords):
    """One sink feeding two, in order (a `--since` build's collector and the facts of its own snapshot)."""

    def __init__(self, first: RecordSink, second: RecordSink) -> None:
        self.first, self.second = first, second

    def run(self, run: Run, line: int, raw: bytes) -> None:
        self.first.run(run, line, raw)
        self.second.run(run, line, raw)

    def schedule(self, schedule: Schedule, line: int, raw: bytes) -> None:
        self.first.schedule(schedule, line, raw)
        self.second.schedule(schedule, line, raw)

    def segment(self, segment: Segment, line: int, raw: bytes) -> None:
        self.first.segment(segment, line, raw)
        self.second.segment(segment, line, raw)

    def finding(self, finding: FindingDelta, line: int, raw: bytes) -> None:
        self.first.finding(finding, line, raw)
        self.second.finding(finding, line, raw)

    def log(self, entry: LogEntry, line: int, raw: bytes) -> None:
        self.first.log(entry, line, raw)
        self.second.log(entry, line, raw)

    def event(self, event: TelemetryEvent, line: int, raw: bytes) -> None:
        self.first.event(event, line, raw)
        self.second.event(event, line, raw)

    def metric(self, sample: MetricSample, line: int, raw: bytes) -> None:
        self.first.metric(sample, line, raw)
        self.second.metric(sample, line, raw)

    def impact(self, entry: ImpactEntry, line: int, raw: bytes) -> None:
        self.first.impact(entry, line, raw)
        self.second.impact(entry, line, raw)

    def evidence_item(self, item: EvidenceItem, line: int, raw: bytes) -> None:
        self.first.evidence_item(item, line, raw)
        self.second.evidence_item(item, line, raw)


def receiver(sink: RecordSink, name: str) -> Callable[[Any, int, bytes], None]:
    """The method of `sink` that takes the records of file `name` (looked up once per file, not per record).

    Its record argument is `Any` only here, where the loader's model for `name` (`RECORD_FILES`) meets the
    method typed for that model.
    """
    methods: dict[str, Callable[[Any, int, bytes], None]] = {
        RUNS: sink.run,
        "schedules.ndjson": sink.schedule,
        "segments.ndjson": sink.segment,
        "findings.ndjson": sink.finding,
        "logs.ndjson": sink.log,
        "events.ndjson": sink.event,
        "metrics.ndjson": sink.metric,
        "impact.ndjson": sink.impact,
        "evidence.ndjson": sink.evidence_item,
    }
    return methods[name]

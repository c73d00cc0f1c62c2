"""The records of a runs snapshot (spec section 2) as strict, frozen pydantic models (their field types are
`fields`').

Validation is strict: no "5" -> 5 coercion, no int -> str, a bool is not a number. Unknown fields are ignored
(forward compatibility). Python names are snake_case; the JSON names (aliases) are the spec's camelCase.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from snapsite.snapshot.fields import (
    Badge,
    Change,
    Count,
    CronExpression,
    Environment,
    ErrorCode,
    EvidenceKind,
    Identifier,
    ImageDigest,
    JsonObject,
    LogSeverity,
    NonEmpty,
    Number,
    PhaseName,
    PhaseState,
    PositiveNumber,
    RunMode,
    RunState,
    SegmentState,
    SelectionScope,
    Severity,
    Sha256,
    TenantId,
    Text,
    Timestamp,
    TimeZoneName,
    TriggerField,
    check_json_object,
)


class Record(BaseModel):
    """Base of every record: strict, frozen, camelCase aliases, unknown fields ignored."""

    model_config = ConfigDict(
        strict=True,
        frozen=True,
        extra="ignore",
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
    )


class ManifestFile(Record):
    """One file listed in manifest.json."""

    path: NonEmpty
    size: Count
    sha256: Sha256


class Manifest(Record):
    """manifest.json: what the snapshot holds, with digests."""

    schema_version: Literal["stellaops.runs-snapshot@1"]
    snapshot_id: NonEmpty
    created_at: Timestamp
    environment: Environment
    source: Text
    planner_heartbeat_at: Timestamp | None = None
    impact_index_generated_at: Timestamp | None = None
    staleness_window_hours: PositiveNumber | None = None
    files: list[ManifestFile]


class Tenant(Record):
    """One tenant of tenants.json."""

    id: TenantId
    name: Text


class RunStats(Record):
    """A run's counters; progress is completed / queued."""

    candidates: Count
    deduped: Count
    queued: Count
    completed: Count
    deltas: Count


class RunPhase(Record):
    """One phase of a run."""

    name: PhaseName
    state: PhaseState
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None


class RunDeltas(Record):
    """What a run changed in the findings; an absent object or field is zero."""

    new_findings: Count = 0
    new_criticals: Count = 0
    new_high: Count = 0
    new_medium: Count = 0
    new_low: Count = 0
    resolved: Count = 0
    quieted: Count = 0
    severity_shifts: Count = 0
    kev_additions: Count = 0


class ErrorInfo(Record):
    """An error of a run or a segment; `code` names its runbook (runbooks/<code>.md)."""

    code: ErrorCode
    message: Text


class Run(Record):
    """One line of runs.ndjson."""

    id: Identifier
    tenant_id: TenantId
    schedule_id: Identifier | None
    trigger: TriggerField
    mode: RunMode
    state: RunState
    initiator: Text
    policy_revision: Text | None
    correlation_id: Text
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    stats: RunStats
    phases: list[RunPhase] = Field(default_factory=list)
    deltas: RunDeltas = RunDeltas()
    error: ErrorInfo | None
    retry_of: Identifier | None
    shard_count: Count
    badges: list[Badge] = Field(default_factory=list)


class Selection(Record):
    """What a schedule scans; fields beyond `scope` depend on it and are kept."""

    model_config = ConfigDict(extra="allow")

    scope: SelectionScope

    @model_validator(mode="after")
    def _extra_fields_obey_the_value_rules(self) -> Selection:
        check_json_object(self.model_extra or {})
        return self


class Schedule(Record):
    """One line of schedules.ndjson."""

    id: Identifier
    tenant_id: TenantId
    name: Text
    enabled: bool
    cron_expression: CronExpression
    timezone: TimeZoneName
    mode: RunMode
    selection: Selection
    paused_at: Timestamp | None
    last_run_id: Identifier | None


class Segment(Record):
    """One line of segments.ndjson: a shard of a run's work."""

    run_id: Identifier
    id: Identifier
    shard: Count
    state: SegmentState
    target_count: Count
    processed: Count
    executor: Text | None
    retry_count: Count
    started_at: Timestamp | None
    finished_at: Timestamp | None
    cooldown_until: Timestamp | None
    error: ErrorInfo | None


class FindingDelta(Record):
    """One line of findings.ndjson."""

    run_id: Identifier
    image_digest: ImageDigest
    repository: Text
    vulnerability_id: Text
    purl: Text
    severity: Severity
    previous_severity: Severity | None
    change: Change
    kev: bool


class LogEntry(Record):
    """One line of logs.ndjson."""

    run_id: Identifier
    ts: Timestamp
    severity: LogSeverity
    message: Text
    correlation_id: Text
    segment_id: Identifier | None
    fields: JsonObject


class TelemetryEvent(Record):
    """One line of events.ndjson."""

    ts: Timestamp
    type: NonEmpty
    tenant_id: TenantId
    run_id: Identifier | None
    data: JsonObject


class MetricSample(Record):
    """One line of metrics.ndjson."""

    ts: Timestamp
    name: NonEmpty
    labels: dict[Text, Text]
    value: Number


class ImpactEntry(Record):
    """One line of impact.ndjson: an image and what it contains."""

    tenant_id: TenantId
    image_digest: ImageDigest
    repository: Text
    tags: list[Text]
    purls: list[Text]
    vulnerability_ids: list[Text]


class EvidenceItem(Record):
    """One line of evidence.ndjson."""

    run_id: Identifier
    id: Identifier
    kind: EvidenceKind
    title: Text
    path: NonEmpty
    media_type: NonEmpty
    size: Count
    sha256: Sha256
    attestation: NonEmpty | None


class BundleEntry(Record):
    """One entry of an evidence bundle's manifest.json."""

    path: NonEmpty
    size: Count
    sha256: Sha256
    content_type: Text


class BundleManifest(Record):
    """manifest.json at the root of an evidence bundle."""

    bundle_id: NonEmpty
    created_at: Timestamp
    entries: list[BundleEntry]


RECORD_FILES: dict[str, type[BaseModel]] = {
    "runs.ndjson": Run,
    "schedules.ndjson": Schedule,
    "segments.ndjson": Segment,
    "findings.ndjson": FindingDelta,
    "logs.ndjson": LogEntry,
    "events.ndjson": TelemetryEvent,
    "metrics.ndjson": MetricSample,
    "impact.ndjson": ImpactEntry,
    "evidence.ndjson": EvidenceItem,
}

_SCHEMA_MODELS: tuple[type[BaseModel], ...] = (
    ManifestFile,
    Manifest,
    Tenant,
    RunStats,
    RunPhase,
    RunDeltas,
    ErrorInfo,
    Run,
    Selection,
    Schedule,
    Segment,
    FindingDelta,
    LogEntry,
    TelemetryEvent,
    MetricSample,
    ImpactEntry,
    EvidenceItem,
    BundleEntry,
    BundleManifest,
)


def json_schemas() -> dict[str, Any]:
    """The JSON Schema (validation mode, camelCase names) of every model, keyed by model name, sorted."""
    return {
        model.__name__: model.model_json_schema(by_alias=True, mode="validation")
        for model in sorted(_SCHEMA_MODELS, key=lambda m: m.__name__)
    }

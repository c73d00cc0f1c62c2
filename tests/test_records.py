"""The record models of the snapshot spec, section 2: what each accepts and what each rejects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import DATA, run_record
from pydantic import BaseModel, ValidationError
from snapsite.snapshot import records
from snapsite.snapshot.records import (
    RECORD_FILES,
    BundleManifest,
    EvidenceItem,
    FindingDelta,
    ImpactEntry,
    LogEntry,
    Manifest,
    MetricSample,
    Run,
    RunDeltas,
    Schedule,
    Segment,
    Selection,
    TelemetryEvent,
    Tenant,
    json_schemas,
)

SHA = "ab" * 32
RUN_ID = "run:acme:20261120T020000Z:7f3a9c"
TS = "2026-11-20T02:00:00Z"


def run_example() -> dict[str, Any]:
    return run_record(
        1,
        phases=[
            {"name": "planner", "state": "completed", "startedAt": TS, "finishedAt": "2026-11-20T02:00:03Z"},
            {"name": "post-processing", "state": "pending", "startedAt": None, "finishedAt": None},
        ],
        badges=["kev-first", "retry"],
        retryOf="run:acme:20261120T010000Z:000001",
    )


EXAMPLES: dict[type[BaseModel], Any] = {
    Manifest: lambda: {
        "schemaVersion": "stellaops.runs-snapshot@1",
        "snapshotId": "snap:prod-eu:2026-11-20T12:00:00Z",
        "createdAt": "2026-11-20T12:00:00Z",
        "environment": "prod",
        "source": "scheduler.prod-eu",
        "plannerHeartbeatAt": "2026-11-20T11:59:10Z",
        "impactIndexGeneratedAt": "2026-11-20T06:00:00Z",
        "stalenessWindowHours": 72,
        "files": [{"path": "runs.ndjson", "size": 18234, "sha256": SHA}],
    },
    Tenant: lambda: {"id": "acme", "name": "Acme Corp"},
    Run: run_example,
    Schedule: lambda: {
        "id": "sch-nightly",
        "tenantId": "acme",
        "name": "Nightly",
        "enabled": True,
        "cronExpression": "0 2 * * *",
        "timezone": "Europe/Berlin",
        "mode": "analysis-only",
        "selection": {"scope": "by-namespace", "namespaces": ["prod"]},
        "pausedAt": None,
        "lastRunId": RUN_ID,
    },
    Segment: lambda: {
        "runId": RUN_ID,
        "id": "seg-1",
        "shard": 0,
        "state": "error",
        "targetCount": 5,
        "processed": 3,
        "executor": "exec-a",
        "retryCount": 2,
        "startedAt": TS,
        "finishedAt": "2026-11-20T02:05:00Z",
        "cooldownUntil": "2026-11-20T02:15:00Z",
        "error": {"code": "ERR_RUN_005", "message": "scanner timeout"},
    },
    FindingDelta: lambda: {
        "runId": RUN_ID,
        "imageDigest": "sha256:" + SHA,
        "repository": "registry.example/app",
        "vulnerabilityId": "CVE-2026-0001",
        "purl": "pkg:npm/left-pad@1.0.0",
        "severity": "critical",
        "previousSeverity": "high",
        "change": "severity-changed",
        "kev": True,
    },
    LogEntry: lambda: {
        "runId": RUN_ID,
        "ts": TS,
        "severity": "warning",
        "message": "retrying shard 3",
        "correlationId": "c-1",
        "segmentId": "seg-1",
        "fields": {"attempt": 2, "nested": {"ok": [1, 2.5, None]}},
    },
    TelemetryEvent: lambda: {
        "ts": TS,
        "type": "scheduler.run.started",
        "tenantId": "acme",
        "runId": RUN_ID,
        "data": {"trigger": "cron"},
    },
    MetricSample: lambda: {
        "ts": TS,
        "name": "scheduler_determinism_score",
        "labels": {"tenantId": "acme"},
        "value": 0.98,
    },
    ImpactEntry: lambda: {
        "tenantId": "acme",
        "imageDigest": "sha256:" + SHA,
        "repository": "registry.example/app",
        "tags": ["1.0", "latest"],
        "purls": ["pkg:npm/left-pad@1.0.0"],
        "vulnerabilityIds": ["CVE-2026-0001"],
    },
    EvidenceItem: lambda: {
        "runId": RUN_ID,
        "id": "ev-1",
        "kind": "policy-run",
        "title": "Policy run",
        "path": "evidence/run1/policy.json",
        "mediaType": "application/json",
        "size": 26,
        "sha256": SHA,
        "attestation": "evidence/run1/policy.json.dsse.json",
    },
    BundleManifest: lambda: {
        "bundleId": "bundle-1",
        "createdAt": TS,
        "entries": [{"path": "sbom.json", "size": 10, "sha256": SHA, "contentType": "application/json"}],
    },
}
MODELS = list(EXAMPLES)


def example(model: type[BaseModel]) -> dict[str, Any]:
    value: dict[str, Any] = EXAMPLES[model]()
    return value


def rejects(model: type[BaseModel], data: Any, field: str | None = None) -> None:
    """`data` fails validation as `model`, at `field` (a dotted alias path) when given."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    if field is not None:
        loc = ".".join(str(part) for part in info.value.errors()[0]["loc"])
        assert loc == field, info.value


def changed(model: type[BaseModel], path: str, value: Any) -> dict[str, Any]:
    """The example of `model` with the field at dotted `path` set to `value`."""
    data = example(model)
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return data


# --- accepted ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_example_is_accepted_and_round_trips(model: type[BaseModel]) -> None:
    record = model.model_validate(example(model))
    dumped = record.model_dump(mode="json")
    assert model.model_validate(dumped) == record
    assert set(dumped) >= set(example(model))


def test_spec_conformance_vector_records_are_accepted() -> None:
    lines = (DATA / "spec-minimal" / "runs.ndjson").read_bytes().splitlines()
    runs = [Run.model_validate(json.loads(line)) for line in lines]
    assert [r.state for r in runs] == ["completed", "error"]
    assert runs[0].deltas.new_high == 1
    assert runs[1].error is not None and runs[1].error.code == "ERR_RUN_005"
    assert runs[1].deltas == RunDeltas()
    manifest = Manifest.model_validate(json.loads((DATA / "spec-minimal" / "manifest.json").read_bytes()))
    assert [f.path for f in manifest.files] == ["runs.ndjson", "tenants.json"]
    assert manifest.staleness_window_hours is None
    tenants = json.loads((DATA / "spec-minimal" / "tenants.json").read_bytes())
    assert Tenant.model_validate(tenants[0]).name == "Acme Corp"


def test_snake_case_attributes_and_camel_case_json() -> None:
    run = Run.model_validate(example(Run))
    assert run.tenant_id == "acme"
    assert run.shard_count == 2
    assert run.phases[0].finished_at == datetime(2026, 11, 20, 2, 0, 3, tzinfo=UTC)
    dumped = run.model_dump()
    assert "tenantId" in dumped and "tenant_id" not in dumped
    assert Run.model_validate({**dumped, "tenant_id": "globex", "tenantId": "globex"}).tenant_id == "globex"


def test_records_are_frozen() -> None:
    run = Run.model_validate(example(Run))
    with pytest.raises(ValidationError):
        run.state = "error"  # type: ignore[misc]


def test_unknown_fields_are_ignored() -> None:
    data = example(Run)
    data["futureField"] = {"anything": [1, 2]}
    data["stats"]["futureCounter"] = 7
    run = Run.model_validate(data)
    assert "futureField" not in run.model_dump()
    assert not hasattr(run, "futureField")


def test_selection_keeps_its_extra_fields() -> None:
    schedule = Schedule.model_validate(example(Schedule))
    assert schedule.selection.scope == "by-namespace"
    assert schedule.selection.model_dump() == {"scope": "by-namespace", "namespaces": ["prod"]}
    assert Selection.model_validate({"scope": "all-images"}).model_extra == {}


@pytest.mark.parametrize(("given", "stored"), [("concelier", "feedser"), ("excititor", "vexer"), ("vexer", "vexer")])
def test_new_trigger_names_are_normalised(given: str, stored: str) -> None:
    assert Run.model_validate(changed(Run, "trigger", given)).trigger == stored


def test_absent_deltas_are_all_zero() -> None:
    data = example(Run)
    del data["deltas"]
    run = Run.model_validate(data)
    assert run.deltas == RunDeltas()
    assert run.deltas.model_dump() == dict.fromkeys(
        [
            "newFindings",
            "newCriticals",
            "newHigh",
            "newMedium",
            "newLow",
            "resolved",
            "quieted",
            "severityShifts",
            "kevAdditions",
        ],
        0,
    )
    partial = Run.model_validate(changed(Run, "deltas", {"newLow": 4}))
    assert (partial.deltas.new_low, partial.deltas.kev_additions) == (4, 0)


def test_optional_run_fields_may_be_absent() -> None:
    data = example(Run)
    for name in ("phases", "badges", "deltas"):
        del data[name]
    run = Run.model_validate(data)
    assert (run.phases, run.badges) == ([], [])


def test_optional_manifest_fields_may_be_absent() -> None:
    data = example(Manifest)
    for name in ("plannerHeartbeatAt", "impactIndexGeneratedAt", "stalenessWindowHours"):
        del data[name]
    manifest = Manifest.model_validate(data)
    assert manifest.planner_heartbeat_at is None and manifest.staleness_window_hours is None


@pytest.mark.parametrize("value", [72, 0.5, 1e-3])
def test_staleness_window_is_a_positive_number(value: float) -> None:
    assert Manifest.model_validate(changed(Manifest, "stalenessWindowHours", value)).staleness_window_hours == value


@pytest.mark.parametrize("value", [0, -1, -0.5, True, "72", float("inf"), float("nan")])
def test_staleness_window_rejects_non_positive_or_non_numbers(value: Any) -> None:
    rejects(Manifest, changed(Manifest, "stalenessWindowHours", value), "stalenessWindowHours")


# 10**30 was accepted here until section 2 bounded integers (issue 12); it is now in the rejected list below.
@pytest.mark.parametrize("value", [0, 3, -2, 2**53 - 1, -(2**53 - 1), 1e30, 0.25, -1.5e10])
def test_metric_value_keeps_ints_and_floats(value: float) -> None:
    sample = MetricSample.model_validate(changed(MetricSample, "value", value))
    assert sample.value == value and type(sample.value) is type(value)


@pytest.mark.parametrize(
    "value", [True, False, "1", None, [1], float("nan"), float("inf"), float("-inf"), 2**53, -(2**53), 10**30]
)
def test_metric_value_rejects_non_numbers(value: Any) -> None:
    rejects(MetricSample, changed(MetricSample, "value", value), "value")


def test_metric_labels_must_be_strings() -> None:
    rejects(MetricSample, changed(MetricSample, "labels", {"tenantId": 1}), "labels.tenantId")


# --- timestamps --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-20T02:00:00Z", datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
        ("2026-11-20t02:00:00z", datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
        ("2026-11-20T03:30:00+01:30", datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
        ("2026-11-19T21:00:00-05:00", datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
        ("2026-11-20T02:00:00-00:00", datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
        ("2026-11-20T02:00:00.5Z", datetime(2026, 11, 20, 2, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-20T02:00:00.123456789+00:00", datetime(2026, 11, 20, 2, 0, 0, 123456, tzinfo=UTC)),
        ("2028-02-29T23:59:59Z", datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)),
        # A leap second is RFC 3339; a datetime cannot hold it, so it reads as second 59 (sign accepts it too).
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2016-12-31T23:59:60.25Z", datetime(2016, 12, 31, 23, 59, 59, 250000, tzinfo=UTC)),
        ("2017-01-01T00:59:60+01:00", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_timestamps_are_parsed_to_utc(text: str, utc: datetime) -> None:
    parsed = LogEntry.model_validate(changed(LogEntry, "ts", text)).ts
    assert parsed == utc
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.tzinfo == UTC
    assert parsed.isoformat() == utc.isoformat()


def test_timestamps_with_offsets_compare_in_utc() -> None:
    early = LogEntry.model_validate(changed(LogEntry, "ts", "2026-11-20T03:00:00+02:00")).ts
    late = LogEntry.model_validate(changed(LogEntry, "ts", "2026-11-20T02:00:00Z")).ts
    assert early < late
    assert late - early == timedelta(hours=1)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-20T02:00:00",  # no zone
        "2026-11-20",  # date only
        "02:00:00Z",  # time only
        1763604000,  # a number
        1763604000.5,
        True,
        None,
        "2026-13-01T00:00:00Z",  # month 13
        "2026-02-30T00:00:00Z",
        "2026-11-20T24:00:00Z",
        "2026-11-20T02:60:00Z",
        "2026-11-20T02:00:61Z",
        "2026-11-20T02:59:60",  # a leap second still needs a zone
        "2026-11-20T02:00:00+24:00",
        "2026-11-20 02:00:00Z",  # a space is not RFC 3339's separator here
        "2026-11-20T02:00Z",  # no seconds
        "2026-11-20T02:00:00.Z",
        "2026-11-20T02:00:00+0100",
        "2026-11-20T02:00:00Z\n",
        " 2026-11-20T02:00:00Z",
        "+2026-11-20T02:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:00:00-05:00",  # past datetime.max in UTC
        "0001-01-01T00:30:00+01:00",  # before datetime.min in UTC
        "２０２６-11-20T02:00:00Z",  # fullwidth digits
        "",
    ],
)
def test_bad_timestamps_are_rejected(value: Any) -> None:
    rejects(LogEntry, changed(LogEntry, "ts", value), "ts")


def test_timestamp_error_message_is_short_and_explains() -> None:
    with pytest.raises(ValidationError) as info:
        LogEntry.model_validate(changed(LogEntry, "ts", "2026-11-20 02:00"))
    assert "RFC 3339" in info.value.errors()[0]["msg"]


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Run, "createdAt"),
        (Run, "startedAt"),
        (Run, "phases.0.startedAt"),
        (Schedule, "pausedAt"),
        (Segment, "cooldownUntil"),
        (TelemetryEvent, "ts"),
        (MetricSample, "ts"),
        (Manifest, "createdAt"),
        (Manifest, "plannerHeartbeatAt"),
        (BundleManifest, "createdAt"),
    ],
)
def test_every_timestamp_field_is_checked(model: type[BaseModel], path: str) -> None:
    rejects(model, changed(model, path, "2026-11-20T02:00:00"), path)


# --- rejected ----------------------------------------------------------------------------------------------


def _required(model: type[BaseModel]) -> list[tuple[type[BaseModel], str]]:
    return [(model, f.alias or name) for name, f in model.model_fields.items() if f.is_required()]


@pytest.mark.parametrize(
    ("model", "field"),
    [case for model in MODELS for case in _required(model)],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_missing_required_field_is_rejected(model: type[BaseModel], field: str) -> None:
    data = example(model)
    del data[field]
    rejects(model, data, field)


def test_nullable_fields_must_still_be_present() -> None:
    data = example(Run)
    del data["retryOf"]
    rejects(Run, data, "retryOf")


@pytest.mark.parametrize(
    ("model", "path", "value"),
    [
        (Run, "shardCount", "5"),
        (Run, "shardCount", True),
        (Run, "shardCount", 5.0),
        (Run, "stats.queued", "10"),
        (Run, "stats.completed", False),
        (Run, "initiator", 1),
        (Run, "correlationId", None),
        (Run, "id", ["run"]),
        (Run, "stats", [10, 10, 10, 10, 1]),
        (Run, "phases", {"name": "planner"}),
        (Run, "phases.0", "planner"),
        (Run, "error", "ERR_RUN_005"),
        (Run, "scheduleId", 7),
        (Tenant, "name", None),
        (Schedule, "enabled", 1),
        (Schedule, "enabled", "true"),
        (Schedule, "selection", "all-images"),
        (Segment, "retryCount", "0"),
        (Segment, "executor", 3),
        (FindingDelta, "kev", 0),
        (LogEntry, "fields", []),
        (LogEntry, "message", 42),
        (TelemetryEvent, "data", "x"),
        (ImpactEntry, "tags", "latest"),
        (ImpactEntry, "purls.0", 1),
        (EvidenceItem, "size", "26"),
        (EvidenceItem, "size", 26.5),
        (Manifest, "files", {"path": "runs.ndjson"}),
        (Manifest, "files.0.size", "18234"),
        (BundleManifest, "entries.0.contentType", None),
    ],
)
def test_wrong_types_are_rejected_without_coercion(model: type[BaseModel], path: str, value: Any) -> None:
    rejects(model, changed(model, path, value), path)


@pytest.mark.parametrize(
    ("model", "path", "value"),
    [
        (Run, "trigger", "nightly"),
        (Run, "trigger", "Cron"),
        (Run, "mode", "full"),
        (Run, "state", "exploded"),
        (Run, "badges.0", "vip"),
        (Run, "phases.0.name", "deploy"),
        (Run, "phases.0.state", "done"),
        (Schedule, "mode", "analysis"),
        (Schedule, "selection.scope", "everything"),
        (Segment, "state", "paused"),
        (FindingDelta, "severity", "catastrophic"),
        (FindingDelta, "previousSeverity", "severe"),
        (FindingDelta, "change", "added"),
        (LogEntry, "severity", "fatal"),
        (EvidenceItem, "kind", "sbom"),
        (Manifest, "environment", "production"),
        (Manifest, "schemaVersion", "stellaops.runs-snapshot@2"),
    ],
)
def test_unknown_enum_values_are_rejected(model: type[BaseModel], path: str, value: Any) -> None:
    rejects(model, changed(model, path, value), path)


@pytest.mark.parametrize(
    ("model", "path"),
    [
        *[(Run, f"stats.{name}") for name in ("candidates", "deduped", "queued", "completed", "deltas")],
        *[(Run, f"deltas.{name}") for name in ("newFindings", "newCriticals", "newHigh")],
        (Run, "shardCount"),
        (Segment, "shard"),
        (Segment, "targetCount"),
        (Segment, "processed"),
        (Segment, "retryCount"),
        (EvidenceItem, "size"),
        (Manifest, "files.0.size"),
        (BundleManifest, "entries.0.size"),
    ],
)
def test_negative_counts_are_rejected(model: type[BaseModel], path: str) -> None:
    rejects(model, changed(model, path, -1), path)
    assert model.model_validate(changed(model, path, 0))


def test_every_deltas_field_is_a_count() -> None:
    for name, field in RunDeltas.model_fields.items():
        rejects(RunDeltas, {field.alias or name: -1}, field.alias)


@pytest.mark.parametrize("value", ["AB" * 32, "ab" * 31, "ab" * 33, "g" * 64, "sha256:" + SHA, " " + SHA[1:], ""])
@pytest.mark.parametrize(("model", "path"), [(EvidenceItem, "sha256"), (Manifest, "files.0.sha256")])
def test_bad_sha256_is_rejected(model: type[BaseModel], path: str, value: str) -> None:
    rejects(model, changed(model, path, value), path)


@pytest.mark.parametrize("value", [SHA, "sha256:" + SHA.upper(), "sha512:" + SHA, "sha256:" + SHA[:-1], "sha256:"])
@pytest.mark.parametrize("model", [FindingDelta, ImpactEntry])
def test_bad_image_digest_is_rejected(model: type[BaseModel], value: str) -> None:
    rejects(model, changed(model, "imageDigest", value), "imageDigest")


@pytest.mark.parametrize(
    "value", ["Acme", "acme corp", "-acme", "acme_corp", "", "a" * 64, "acme\n", "äcme", "acme.io", 5]
)
@pytest.mark.parametrize(
    ("model", "path"),
    [(Tenant, "id"), (Run, "tenantId"), (Schedule, "tenantId"), (TelemetryEvent, "tenantId")],
)
def test_bad_tenant_id_is_rejected(model: type[BaseModel], path: str, value: Any) -> None:
    rejects(model, changed(model, path, value), path)


@pytest.mark.parametrize("value", ["a", "0", "a" * 63, "prod-eu-1", "9lives"])
def test_good_tenant_ids(value: str) -> None:
    assert Tenant.model_validate({"id": value, "name": ""}).id == value


@pytest.mark.parametrize("value", ["", "run:\nacme", "run\x00", "\x7f", "tab\there"])
@pytest.mark.parametrize("path", ["id", "retryOf", "scheduleId"])
def test_bad_run_ids_are_rejected(path: str, value: str) -> None:
    rejects(Run, changed(Run, path, value), path)


@pytest.mark.parametrize("value", ["x", "run:acme:20261120T020000Z:7f3a9c", "legacy-run-42", "ラン:1"])
def test_run_id_shape_is_not_over_constrained(value: str) -> None:
    assert Run.model_validate(changed(Run, "id", value)).id == value


@pytest.mark.parametrize("value", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_time_zones_are_accepted(value: str) -> None:
    assert Schedule.model_validate(changed(Schedule, "timezone", value)).timezone == value


@pytest.mark.parametrize(
    "value",
    [
        "Mars/Olympus",
        "europe/berlin",
        "localtime",
        "",
        "/etc/localtime",
        "../etc/passwd",
        "Europe",
        "CET ",
        1,
    ],
)
def test_bad_time_zones_are_rejected(value: Any) -> None:
    rejects(Schedule, changed(Schedule, "timezone", value), "timezone")


@pytest.mark.parametrize("value", ["0 2 * * *", "*/15 * * * 1-5", " 0  2 * * MON "])
def test_five_field_cron_expressions_are_accepted(value: str) -> None:
    assert Schedule.model_validate(changed(Schedule, "cronExpression", value)).cron_expression == value


@pytest.mark.parametrize("value", ["0 2 * *", "0 0 2 * * *", "", "@daily", "0 2 * * *\n*"])
def test_other_cron_expressions_are_rejected(value: str) -> None:
    rejects(Schedule, changed(Schedule, "cronExpression", value), "cronExpression")


@pytest.mark.parametrize("value", [[], "run", 1, None])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_non_objects_are_rejected(model: type[BaseModel], value: Any) -> None:
    rejects(model, value)


# --- registry and schemas ----------------------------------------------------------------------------------


def test_record_files_map_every_ndjson_file() -> None:
    assert {
        "runs.ndjson": Run,
        "schedules.ndjson": Schedule,
        "segments.ndjson": Segment,
        "findings.ndjson": FindingDelta,
        "logs.ndjson": LogEntry,
        "events.ndjson": TelemetryEvent,
        "metrics.ndjson": MetricSample,
        "impact.ndjson": ImpactEntry,
        "evidence.ndjson": EvidenceItem,
    } == RECORD_FILES


def test_json_schemas_cover_every_model_and_are_deterministic() -> None:
    schemas = json_schemas()
    models: set[str] = set()
    for name, value in vars(records).items():
        if isinstance(value, type) and issubclass(value, records.Record) and value is not records.Record:
            models.add(name)
    assert set(schemas) == models
    assert list(schemas) == sorted(schemas)
    assert json.dumps(schemas, sort_keys=True) == json.dumps(json_schemas(), sort_keys=True)
    run = schemas["Run"]
    assert {"tenantId", "createdAt", "shardCount"} <= set(run["properties"])
    assert "tenant_id" not in run["properties"]
    assert run["properties"]["createdAt"]["format"] == "date-time"
    assert "concelier" in run["properties"]["trigger"]["enum"]
    assert "phases" not in run["required"] and "retryOf" in run["required"]
    assert schemas["Selection"]["additionalProperties"] is True


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_json_mode_validates_like_python_mode(model: type[BaseModel]) -> None:
    data = example(model)
    assert model.model_validate_json(json.dumps(data)) == model.model_validate(data)


# --- section 2's value rules: Unicode text, safe integers, error codes (issue 12) ---------------------------


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every scalar of a JSON value with its dotted path (list indexes as numbers)."""
    if isinstance(value, dict):
        return [leaf for key, child in value.items() for leaf in _leaves(child, f"{path}.{key}" if path else key)]
    if isinstance(value, list):
        return [leaf for index, child in enumerate(value) for leaf in _leaves(child, f"{path}.{index}")]
    return [(path, value)]


def _with_error(model: type[BaseModel]) -> dict[str, Any]:
    data = example(model)
    if model is Run:
        data["error"] = {"code": "ERR_RUN_005", "message": "scanner timeout"}
    return data


def _loc(model: type[BaseModel], data: Any) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return ".".join(str(part) for part in info.value.errors()[0]["loc"])


STRING_FIELDS = [
    (model, path)
    for model in MODELS
    for path, value in _leaves(_with_error(model))
    if isinstance(value, str) and path != "schemaVersion"
]
INTEGER_FIELDS = [
    (model, path) for model in MODELS for path, value in _leaves(_with_error(model)) if type(value) is int
]


def test_the_value_rule_tests_see_every_kind_of_field() -> None:
    """The parametrised tests below walk the examples; make sure the walk found what it should."""
    assert (Run, "error.message") in STRING_FIELDS and (ImpactEntry, "tags.1") in STRING_FIELDS
    assert (MetricSample, "labels.tenantId") in STRING_FIELDS and (LogEntry, "fields.nested.ok.0") in INTEGER_FIELDS
    assert len(STRING_FIELDS) > 60 and len(INTEGER_FIELDS) > 15


@pytest.mark.parametrize(("model", "path"), STRING_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_every_string_field_rejects_a_lone_surrogate(model: type[BaseModel], path: str) -> None:
    """Python's json gives "\\ud800" as a lone surrogate; it must fail validation, not the UTF-8 encoder later."""
    data = _with_error(model)
    value = dict(_leaves(data))[path]
    for surrogate in ("\ud800", "\udfff"):
        loc = _loc(model, changed_data(data, path, value + surrogate + "x"))
        # A free-form object (fields, data, selection extras) is named as a whole; the message has the rest.
        assert path == loc or path.startswith(loc + "."), (path, loc)


HOSTILE_TEXT = "\U0001f600\u200f\u202e\u0301\ufeff\U0010fffd\u2028</script>"


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Run, "initiator"),
        (Run, "error.message"),
        (Run, "id"),
        (Tenant, "name"),
        (Schedule, "name"),
        (EvidenceItem, "title"),
        (MetricSample, "labels.tenantId"),
        (LogEntry, "fields.nested.ok.0"),
        (ImpactEntry, "tags.0"),
    ],
)
def test_hostile_but_valid_unicode_is_accepted(model: type[BaseModel], path: str) -> None:
    """Paired surrogates (astral planes), bidi, zero-width and combining marks are text like any other."""
    record = model.model_validate(changed_data(_with_error(model), path, HOSTILE_TEXT))
    assert HOSTILE_TEXT in json.dumps(record.model_dump(mode="json"), ensure_ascii=False)


@pytest.mark.parametrize(("model", "path"), INTEGER_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_every_integer_field_is_bounded_by_2_53(model: type[BaseModel], path: str) -> None:
    data = _with_error(model)
    for bad in (2**53, 10**400, -(2**53)):
        loc = _loc(model, changed_data(data, path, bad))
        assert path == loc or path.startswith(loc + "."), (path, loc)
    assert model.model_validate(changed_data(data, path, 2**53 - 1))


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Run, "stats.completed"),
        (Run, "deltas.newFindings"),
        (Run, "shardCount"),
        (Segment, "retryCount"),
        (EvidenceItem, "size"),
        (Manifest, "files.0.size"),
        (BundleManifest, "entries.0.size"),
    ],
)
def test_counts_reach_2_53_minus_1_and_no_further(model: type[BaseModel], path: str) -> None:
    assert model.model_validate(changed(model, path, 2**53 - 1))
    rejects(model, changed(model, path, 2**53), path)
    rejects(model, changed(model, path, -1), path)


@pytest.mark.parametrize("value", [-(2**53 - 1), 2**53 - 1, 1e300, -1e300])
def test_free_form_objects_accept_extreme_valid_numbers(value: float) -> None:
    entry = LogEntry.model_validate(changed(LogEntry, "fields", {"n": [{"m": value}]}))
    assert entry.fields == {"n": [{"m": value}]}


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"a": {"b": [1, 2**53]}}, "a.b[1]"),
        ({"a": ["ok", "x\ud800"]}, "a[1]"),
        ({"k\udc00": 1}, "k\\udc00"),
        ({"a": float("nan")}, "a"),
    ],
)
def test_free_form_objects_obey_the_value_rules_at_any_depth(value: dict[str, Any], where: str) -> None:
    for model, path in ((LogEntry, "fields"), (TelemetryEvent, "data"), (Schedule, "selection.extra")):
        with pytest.raises(ValidationError) as info:
            model.model_validate(changed(model, path, value))
        error = info.value.errors()[0]
        assert ".".join(str(part) for part in error["loc"]) in (path, "selection")
        assert error["msg"].endswith(f"{where})"), error["msg"]


@pytest.mark.parametrize("code", ["ERR_RUN_005", "ABC", "E12", "A" + "B" * 63, "ERR__X_"])
def test_error_codes_of_the_spec_shape_are_accepted(code: str) -> None:
    assert Run.model_validate(changed_data(_with_error(Run), "error.code", code)).error is not None
    assert Segment.model_validate(changed(Segment, "error.code", code)).error is not None


@pytest.mark.parametrize(
    "code", ["err_x", "ERR_x", "Err_X", "AB", "A" + "B" * 64, "1ERR", "_ERR", "ERR-X", "ERR X", "ERR_É", "ERR\ud800"]
)
def test_error_codes_outside_the_spec_shape_are_rejected(code: str) -> None:
    """Upper case only: two codes differing only by case would collide as runbook pages on FAT32."""
    rejects(Run, changed_data(_with_error(Run), "error.code", code), "error.code")
    rejects(Segment, changed(Segment, "error.code", code), "error.code")


def changed_data(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with the field at dotted `path` set to `value`."""
    copy: dict[str, Any] = json.loads(json.dumps(data))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return copy

"""The demo snapshot: deterministic, valid record by record, consistent across files, signed, and hostile."""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import re
import tarfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from snapsite.authoring.demo import HOSTILE_STRINGS, write_demo
from snapsite.errors import UsageError
from snapsite.snapshot.load import iter_ndjson, parse_tenants
from snapsite.snapshot.records import RECORD_FILES
from snapsite.spec import BUNDLE_MEDIA_TYPE
from snapsite.trust.dsse import EnvelopeError, parse_envelope, parse_statement, verify_envelope
from snapsite.trust.keys import write_keypair
from snapsite.trust.roots import TrustRoot, load_trust_root
from snapsite.verify.steps import verify_snapshot

CREATED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RUNS, TENANTS, SEED = 300, 3, 7
RUN_ID = re.compile(r"run:([a-z0-9][a-z0-9-]*):(\d{8}T\d{6}Z):([0-9a-f]{6})")


@dataclass(frozen=True)
class Keys:
    private: Path
    public: Path
    second: Path


@dataclass(frozen=True)
class Demo:
    root: Path
    counts: dict[str, int]

    def records(self, name: str) -> list[dict[str, Any]]:
        # Not splitlines(): U+2028 inside a string is not a line end in JSON Lines.
        text = (self.root / name).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.split("\n")[:-1]]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder = tmp_path_factory.mktemp("demo-keys")
    private, public = write_keypair(folder / "demo.key", "ed25519")
    second, _ = write_keypair(folder / "second.key", "ed25519")
    return Keys(private, public, second)


@pytest.fixture(scope="module")
def trust_root(keys: Keys) -> TrustRoot:
    return load_trust_root([keys.public])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Demo:
    root = tmp_path_factory.mktemp("demo") / "snapshot"
    counts = write_demo(root, runs=RUNS, tenants=TENANTS, seed=SEED, key_paths=[keys.private])
    return Demo(root, counts)


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *_strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- determinism ------------------------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(demo: Demo, keys: Keys, tmp_path: Path) -> None:
    again = tmp_path / "again"
    counts = write_demo(again, runs=RUNS, tenants=TENANTS, seed=SEED, key_paths=[keys.private])
    first, second = _tree(demo.root), _tree(again)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    assert counts == demo.counts


def test_another_seed_gives_another_snapshot(keys: Keys, tmp_path: Path) -> None:
    one = _tree(_small(tmp_path / "one", keys, seed=1))
    two = _tree(_small(tmp_path / "two", keys, seed=2))
    assert one["runs.ndjson"] != two["runs.ndjson"]
    assert one["manifest.dsse.json"] != two["manifest.dsse.json"]


def _small(out: Path, keys: Keys, seed: int = 3, **options: Any) -> Path:
    write_demo(out, runs=40, tenants=2, seed=seed, key_paths=[keys.private], **options)
    return out


# --- records ----------------------------------------------------------------------------------------


def test_every_record_file_parses_and_counts_match(demo: Demo) -> None:
    assert len(parse_tenants((demo.root / "tenants.json").read_bytes())) == TENANTS
    assert demo.counts["tenants.json"] == TENANTS
    for name, model in RECORD_FILES.items():
        with (demo.root / name).open("rb") as stream:
            count = sum(1 for _ in iter_ndjson(stream, name, model))
        assert count == demo.counts[name], name
        assert count > 0, name
    assert demo.counts["runs.ndjson"] == RUNS


def test_lines_are_compact_json_with_raw_unicode(demo: Demo) -> None:
    for name in RECORD_FILES:
        data = (demo.root / name).read_bytes()
        assert data.endswith(b"\n") and b"\r\n" not in data
        for line in data.decode("utf-8").split("\n")[:-1]:
            assert json.dumps(json.loads(line), separators=(",", ":"), ensure_ascii=False) == line, name


def test_every_enum_value_appears(demo: Demo) -> None:
    runs = demo.records("runs.ndjson")
    assert {r["state"] for r in runs} == {"planning", "queued", "running", "completed", "cancelled", "error"}
    assert {r["trigger"] for r in runs} == {
        "cron", "manual", "feedser", "vexer", "policy", "content-refresh", "concelier", "excititor",
    }  # fmt: skip
    assert {r["mode"] for r in runs} == {"analysis-only", "content-refresh"}
    assert {b for r in runs for b in r.get("badges", [])} == {
        "kev-first", "content-refresh", "policy-promotion-follow-up", "retry",
    }  # fmt: skip
    assert {r["error"]["code"] for r in runs if r["error"]} >= {"ERR_RUN_001", "ERR_RUN_005", "ERR_RUN_009"}
    assert {p["state"] for r in runs for p in r.get("phases", [])} == {
        "pending",
        "running",
        "completed",
        "error",
    }
    assert any("phases" not in r for r in runs) and sum("phases" in r for r in runs) > RUNS * 0.8
    assert {r["policyRevision"] is None for r in runs} == {True, False}
    assert {r["shardCount"] for r in runs} == set(range(1, 9))

    findings = demo.records("findings.ndjson")
    assert {f["severity"] for f in findings} == {"critical", "high", "medium", "low", "none", "unknown"}
    assert {f["change"] for f in findings} == {"new", "resolved", "severity-changed", "quieted"}
    assert {f["kev"] for f in findings} == {True, False}
    assert {f["purl"].split("/")[0] for f in findings} >= {"pkg:npm", "pkg:maven"}

    segments = demo.records("segments.ndjson")
    assert {s["state"] for s in segments} == {"queued", "running", "completed", "error", "cancelled"}
    assert any(s["cooldownUntil"] for s in segments) and any(s["retryCount"] > 0 for s in segments)

    evidence = demo.records("evidence.ndjson")
    assert {e["kind"] for e in evidence} == {
        "policy-run",
        "findings-delta",
        "scanner-bundle",
        "explain-bundle",
        "other",
    }
    assert BUNDLE_MEDIA_TYPE in {e["mediaType"] for e in evidence}

    schedules = demo.records("schedules.ndjson")
    assert {s["selection"]["scope"] for s in schedules} == {
        "all-images", "by-namespace", "by-repo", "by-digest", "by-labels",
    }  # fmt: skip
    assert {s["timezone"] for s in schedules} >= {"Europe/Berlin", "America/New_York", "UTC"}
    assert {s["enabled"] for s in schedules} == {True, False}
    assert any(s["pausedAt"] for s in schedules) and any(s["enabled"] and not s["pausedAt"] for s in schedules)
    assert len({s["cronExpression"] for s in schedules}) >= 4

    types = {e["type"] for e in demo.records("events.ndjson")}
    assert types >= {"scheduler.run.started", "scheduler.run.completed", "scheduler.run.failed"}


def test_runs_are_spread_over_the_week_before_the_snapshot(demo: Demo) -> None:
    created = [_ts(r["createdAt"]) for r in demo.records("runs.ndjson")]
    assert min(created) >= CREATED_AT - timedelta(days=7, hours=3)
    assert max(created) < CREATED_AT
    assert min(created) < CREATED_AT - timedelta(days=6)
    assert sum(c > CREATED_AT - timedelta(hours=3) for c in created) >= 3
    per_day = Counter((CREATED_AT - c).days for c in created)
    assert len(per_day) >= 7


# --- consistency ------------------------------------------------------------------------------------


def test_ids_and_references_resolve(demo: Demo) -> None:
    tenants = {t.id for t in parse_tenants((demo.root / "tenants.json").read_bytes())}
    schedules = {s["id"]: s for s in demo.records("schedules.ndjson")}
    runs: dict[str, dict[str, Any]] = {}
    for run in demo.records("runs.ndjson"):
        assert run["id"] not in runs
        match = RUN_ID.fullmatch(run["id"])
        assert match is not None, run["id"]
        assert match.group(1) == run["tenantId"] in tenants
        assert match.group(2) == _ts(run["createdAt"]).strftime("%Y%m%dT%H%M%SZ")
        if run["scheduleId"] is not None:
            assert schedules[run["scheduleId"]]["tenantId"] == run["tenantId"]
        if run["retryOf"] is not None:
            # A retry points at an earlier, failed run of its tenant that had finished by then.
            original = runs[run["retryOf"]]
            assert original["tenantId"] == run["tenantId"]
            assert original["state"] in ("error", "cancelled")
            assert _ts(original["finishedAt"]) < _ts(run["createdAt"])
            assert "retry" in run["badges"]
        runs[run["id"]] = run
    assert sum(r["retryOf"] is not None for r in runs.values()) >= 2
    for schedule in schedules.values():
        assert schedule["tenantId"] in tenants
        if schedule["lastRunId"] is not None:
            assert runs[schedule["lastRunId"]]["scheduleId"] == schedule["id"]
    for name in ("segments.ndjson", "findings.ndjson", "logs.ndjson", "evidence.ndjson"):
        for record in demo.records(name):
            assert record["runId"] in runs, name
    for event in demo.records("events.ndjson"):
        assert runs[event["runId"]]["tenantId"] == event["tenantId"]
    segment_ids = [(s["runId"], s["id"]) for s in demo.records("segments.ndjson")]
    assert len(segment_ids) == len(set(segment_ids))
    evidence_ids = [e["id"] for e in demo.records("evidence.ndjson")]
    assert len(evidence_ids) == len(set(evidence_ids))


def test_runs_are_consistent_with_their_state(demo: Demo) -> None:
    segments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for segment in demo.records("segments.ndjson"):
        segments[segment["runId"]].append(segment)
    for run in demo.records("runs.ndjson"):
        stats, state = run["stats"], run["state"]
        assert stats["completed"] <= stats["queued"] <= stats["deduped"] <= stats["candidates"]
        assert (run["startedAt"] is not None) == (state in ("running", "completed", "error", "cancelled")) or (
            state in ("cancelled", "error") and run["startedAt"] is None
        )
        assert (run["finishedAt"] is not None) == (state in ("completed", "error", "cancelled"))
        assert (run["error"] is not None) == (state == "error")
        times = [_ts(run[k]) for k in ("createdAt", "startedAt", "finishedAt") if run[k] is not None]
        assert times == sorted(times) and times[-1] <= CREATED_AT
        if state == "completed":
            assert stats["completed"] == stats["queued"]
        own = segments[run["id"]]
        assert 0 <= len(own) <= 5
        if own:
            assert sum(s["targetCount"] for s in own) == stats["queued"]
            assert sum(s["processed"] for s in own) == stats["completed"]
            assert all(s["shard"] < run["shardCount"] for s in own)
        segment_states = {s["state"] for s in own}
        expected = {
            "completed": {"completed"},
            "queued": {"queued"},
            "running": {"completed", "running", "queued"},
            "error": {"completed", "error", "cancelled"},
            "cancelled": {"completed", "cancelled"},
            "planning": set(),
        }[state]
        assert segment_states <= expected, (run["id"], segment_states)
        if state == "error" and own:
            assert "error" in segment_states
        for segment in own:
            assert segment["processed"] <= segment["targetCount"]
            assert (segment["executor"] is None) == (segment["startedAt"] is None)
            assert (segment["error"] is not None) == (segment["state"] == "error")
        deltas = run.get("deltas")
        if deltas:
            by_severity = sum(deltas[k] for k in ("newCriticals", "newHigh", "newMedium", "newLow"))
            assert deltas["newFindings"] >= by_severity
            assert deltas["kevAdditions"] <= deltas["newCriticals"] + deltas["newHigh"]
            changes = ("newFindings", "resolved", "quieted", "severityShifts")
            assert stats["deltas"] == sum(deltas[k] for k in changes)


def test_findings_overlap_the_impact_index(demo: Demo) -> None:
    impact = {(e["tenantId"], e["imageDigest"]): e for e in demo.records("impact.ndjson")}
    tenant_of = {r["id"]: r["tenantId"] for r in demo.records("runs.ndjson")}
    for finding in demo.records("findings.ndjson"):
        entry = impact[(tenant_of[finding["runId"]], finding["imageDigest"])]
        assert finding["purl"] in entry["purls"]
        assert finding["vulnerabilityId"] in entry["vulnerabilityIds"]
        assert finding["repository"] == entry["repository"]
        assert (finding["previousSeverity"] is None) == (finding["change"] == "new")


def test_metrics_cover_every_known_name_every_quarter_hour(demo: Demo) -> None:
    samples = demo.records("metrics.ndjson")
    names = {s["name"] for s in samples}
    known = {
        "scheduler_queue_depth",
        "scheduler_runs_active",
        "scheduler_runs_error_total",
        "scheduler_runs_duration_seconds",
        "scheduler_determinism_score",
    }
    assert known < names and len(names - known) == 1
    labels = {
        "scheduler_queue_depth": {"tenantId", "scheduleId", "stage"},
        "scheduler_runs_active": {"tenantId"},
        "scheduler_runs_error_total": {"tenantId", "code"},
        "scheduler_runs_duration_seconds": {"tenantId", "trigger"},
        "scheduler_determinism_score": {"tenantId"},
    }
    schedules = {s["id"]: s["tenantId"] for s in demo.records("schedules.ndjson")}
    depth: dict[tuple[str, str, str], list[datetime]] = defaultdict(list)
    for sample in samples:
        if sample["name"] in labels:
            assert set(sample["labels"]) == labels[sample["name"]], sample
        if sample["name"] == "scheduler_determinism_score":
            assert 0 <= sample["value"] <= 1
        if sample["name"] == "scheduler_queue_depth":
            key = sample["labels"]
            assert schedules[key["scheduleId"]] == key["tenantId"] and key["stage"] in ("planner", "executor")
            depth[(key["tenantId"], key["scheduleId"], key["stage"])].append(_ts(sample["ts"]))
    assert len(depth) == 2 * len(schedules)
    for times in depth.values():
        assert len(times) == 96
        assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(times))
        assert CREATED_AT - timedelta(minutes=15) < times[-1] <= CREATED_AT
    # Error counters are cumulative: they never go down.
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    for sample in samples:
        if sample["name"] == "scheduler_runs_error_total":
            errors[(sample["labels"]["tenantId"], sample["labels"]["code"])].append(sample["value"])
    assert errors and all(values == sorted(values) for values in errors.values())


# --- hostile content --------------------------------------------------------------------------------


def test_hostile_strings_reach_free_text_but_never_ids(demo: Demo) -> None:
    texts: list[str] = []
    for name in RECORD_FILES:
        for record in demo.records(name):
            texts += _strings(record)
    everything = "\n".join(texts)
    for hostile in HOSTILE_STRINGS:
        assert hostile in everything, hostile
    runbook = (demo.root / "runbooks" / "ERR_RUN_005.md").read_text(encoding="utf-8")
    assert "<script>" in runbook and "javascript:" in runbook
    assert (demo.root / "runbooks" / "ERR_RUN_014.md").is_file()
    for run in demo.records("runs.ndjson"):
        assert RUN_ID.fullmatch(run["id"])
    for path in _tree(demo.root):
        assert re.fullmatch(r"[A-Za-z0-9._/:-]+", path), path
    fields = ("initiator", "name", "message", "title", "repository")
    spiced = {
        key
        for name in ("runs.ndjson", "schedules.ndjson", "logs.ndjson", "evidence.ndjson", "findings.ndjson")
        for record in demo.records(name)
        for key, value in record.items()
        if key in fields and isinstance(value, str) and any(h in value for h in HOSTILE_STRINGS)
    }
    assert spiced == set(fields)


def test_without_hostile_no_hostile_string_appears(keys: Keys, tmp_path: Path) -> None:
    demo = Demo(_small(tmp_path / "tame", keys, hostile=False), {})
    values = [value for name in RECORD_FILES for record in demo.records(name) for value in _strings(record)]
    values += [path.read_text(encoding="utf-8") for path in (demo.root / "runbooks").iterdir()]
    # "-2" and "+1" also occur inside ordinary text ("eu-2a"); as hostile values they start a cell.
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert not [h for h in HOSTILE_STRINGS if len(h) > 2 and any(h in v for v in values)]


# --- signatures and evidence ------------------------------------------------------------------------


def test_manifest_lists_every_file_and_the_envelope_verifies(demo: Demo, trust_root: TrustRoot) -> None:
    manifest_bytes = (demo.root / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    files = _tree(demo.root)
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "manifest.dsse.json"}
    for path, entry in listed.items():
        assert entry["size"] == len(files[path])
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest()
    assert manifest["snapshotId"] == "snap:demo:2026-11-20T12:00:00Z"
    assert manifest["createdAt"] == "2026-11-20T12:00:00Z"
    assert manifest["environment"] == "prod" and manifest["source"] == "scheduler.demo"
    assert manifest["plannerHeartbeatAt"] == "2026-11-20T11:59:10Z"
    assert manifest["impactIndexGeneratedAt"] == "2026-11-20T06:00:00Z"
    assert manifest["stalenessWindowHours"] == 72
    envelope = parse_envelope((demo.root / "manifest.dsse.json").read_bytes())
    assert [check.valid for check in verify_envelope(envelope, trust_root)] == [True]
    statement = parse_statement(envelope.payload)
    assert statement.subjects[0].digest["sha256"] == hashlib.sha256(manifest_bytes).hexdigest()


def test_the_snapshot_passes_verification(demo: Demo, trust_root: TrustRoot) -> None:
    report = verify_snapshot(demo.root, trust_root)
    assert report.exit_code == 0, [e.line() for e in report.errors]
    assert {e.status for e in report.evidence} == {"verified", "unsigned", "untrusted", "invalid"}
    assert {e.bundle_status for e in report.evidence if e.bundle_status} == {"intact", "damaged"}


def _attestation_kind(item: dict[str, Any], root: Path, trust_root: TrustRoot) -> str:
    if item["attestation"] is None:
        return "unsigned"
    try:
        envelope = parse_envelope((root / item["attestation"]).read_bytes())
        statement = parse_statement(envelope.payload)
    except EnvelopeError:
        return "malformed"
    checks = verify_envelope(envelope, trust_root)
    subject_matches = [s.digest["sha256"] for s in statement.subjects] == [item["sha256"]]
    if all(check.valid for check in checks):
        return "verified" if subject_matches else "other-digest"
    return "bad-signature" if any(check.trusted for check in checks) else "untrusted"


def test_evidence_attestations_come_in_every_variant(demo: Demo, trust_root: TrustRoot) -> None:
    evidence = demo.records("evidence.ndjson")
    kinds = Counter(_attestation_kind(item, demo.root, trust_root) for item in evidence)
    assert set(kinds) == {"verified", "unsigned", "untrusted", "other-digest", "bad-signature"}
    assert kinds["verified"] > len(evidence) / 3
    for item in evidence:
        assert (demo.root / item["path"]).stat().st_size == item["size"]
        assert hashlib.sha256((demo.root / item["path"]).read_bytes()).hexdigest() == item["sha256"]


def test_evidence_bundles_are_reproducible_tarballs_one_damaged(demo: Demo) -> None:
    bundles = [e for e in demo.records("evidence.ndjson") if e["mediaType"] == BUNDLE_MEDIA_TYPE]
    outcomes = []
    for item in bundles:
        data = (demo.root / item["path"]).read_bytes()
        # gzip header: no name flag, mtime 0.
        assert data[3] & 0x08 == 0 and data[4:8] == b"\0\0\0\0"
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            assert names == sorted(names) and "manifest.json" in names
            assert all(m.isfile() and m.uid == m.gid == 0 and m.mode == 0o644 for m in members)
            assert all(m.uname == m.gname == "" and m.mtime == CREATED_AT.timestamp() for m in members)
            contents = {m.name: tar.extractfile(m).read() for m in members}  # type: ignore[union-attr]
        manifest = json.loads(contents.pop("manifest.json"))
        assert {e["path"] for e in manifest["entries"]} == set(contents)
        outcomes.append(
            all(hashlib.sha256(contents[e["path"]]).hexdigest() == e["sha256"] for e in manifest["entries"])
        )
    assert True in outcomes and False in outcomes


def test_large_evidence_files_add_up_and_are_attested(keys: Keys, trust_root: TrustRoot, tmp_path: Path) -> None:
    total = 3 * 2**20 + 5
    root = _small(tmp_path / "large", keys, evidence_bytes=total)
    large = [e for e in Demo(root, {}).records("evidence.ndjson") if e["path"].endswith(".bin")]
    assert sum(e["size"] for e in large) == total
    data = b"".join((root / e["path"]).read_bytes() for e in large)
    assert data[:16] == b"%016x" % 0 and data[2**20 : 2**20 + 16] == b"%016x" % 2**20
    assert {_attestation_kind(e, root, trust_root) for e in large} == {"verified"}
    assert verify_snapshot(root, trust_root).exit_code == 0


def test_every_key_signs_the_manifest(keys: Keys, tmp_path: Path) -> None:
    root = tmp_path / "two-keys"
    write_demo(root, runs=20, tenants=1, seed=5, key_paths=[keys.private, keys.second])
    envelope = parse_envelope((root / "manifest.dsse.json").read_bytes())
    assert len(envelope.signatures) == 2
    assert verify_snapshot(root, load_trust_root([keys.public])).exit_code == 0


# --- arguments and the output folder ----------------------------------------------------------------


def test_refuses_a_non_empty_folder_and_accepts_an_empty_one(keys: Keys, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        _small(tmp_path / "full", keys)
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert (_small(tmp_path / "empty", keys) / "manifest.json").is_file()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError):
        _small(tmp_path / "file", keys)


@pytest.mark.parametrize(
    "options",
    [
        {"runs": 0},
        {"tenants": 0},
        {"evidence_bytes": -1},
        {"created_at": datetime(2026, 11, 20, 12, 0)},  # noqa: DTZ001 - naive on purpose
        {"key_paths": []},
    ],
)
def test_bad_arguments_are_usage_errors(options: dict[str, Any], keys: Keys, tmp_path: Path) -> None:
    arguments: dict[str, Any] = {"runs": 10, "tenants": 1, "seed": 1, "key_paths": [keys.private], **options}
    with pytest.raises(UsageError):
        write_demo(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


def test_a_failure_while_signing_leaves_no_half_snapshot(keys: Keys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    with pytest.raises(UsageError):
        write_demo(tmp_path / "out", runs=10, tenants=1, seed=1, key_paths=[keys.private, bad])
    assert not (tmp_path / "out").exists()


def test_tiny_and_many_tenant_demos_verify(keys: Keys, trust_root: TrustRoot, tmp_path: Path) -> None:
    for runs, tenants in ((1, 1), (5, 9)):
        root = tmp_path / f"demo-{runs}-{tenants}"
        counts = write_demo(root, runs=runs, tenants=tenants, seed=11, key_paths=[keys.private])
        assert counts["runs.ndjson"] == runs and counts["tenants.json"] == tenants
        report = verify_snapshot(root, trust_root)
        assert report.exit_code == 0, [e.line() for e in report.errors]
    ids = [t["id"] for t in json.loads((tmp_path / "demo-5-9" / "tenants.json").read_text())]
    assert ids[:3] == ["acme", "globex", "initech"] and ids[6:] == ["tenant-07", "tenant-08", "tenant-09"]

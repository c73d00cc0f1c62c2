"""The five verification steps of the snapshot spec (section 4), producing one `VerificationReport`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from snapsite import jsonstrict
from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.container import Container, Limits, open_container
from snapsite.snapshot.load import iter_lines, parse_document, parse_record, parse_tenants
from snapsite.snapshot.member_names import check_member_name, collision_key
from snapsite.snapshot.records import RECORD_FILES, EvidenceItem, Manifest, ManifestFile, Tenant
from snapsite.spec import ENVELOPE, MANIFEST, RUNS, SNAPSHOT_PREDICATE_TYPE, TENANTS
from snapsite.trust.dsse import (
    INTOTO_PAYLOAD_TYPE,
    EnvelopeError,
    SignatureCheck,
    parse_envelope,
    parse_statement,
    verified_key_count,
    verify_envelope,
)
from snapsite.trust.roots import TrustRoot
from snapsite.verify.evidence import EvidenceStatus, check_evidence

REQUIRED = (TENANTS, RUNS)
# Record files in reference order: each may point only at ids of files read before it.
RECORD_ORDER = (
    "schedules.ndjson",
    RUNS,
    "segments.ndjson",
    "findings.ndjson",
    "logs.ndjson",
    "events.ndjson",
    "metrics.ndjson",
    "impact.ndjson",
    "evidence.ndjson",
)
MAX_REPORTED_FAILURES = 100


@dataclass
class VerificationReport:
    """What verification found; `exit_code` is the spec's code of the first failing step."""

    source: str
    kind: str = "unknown"
    snapshot_id: str | None = None
    created_at: str | None = None
    manifest: Manifest | None = None
    threshold: int = 1
    signatures: list[SignatureCheck] = field(default_factory=list)
    files_checked: int = 0
    bytes_checked: int = 0
    file_failures: list[dict[str, str]] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    tenants: list[Tenant] = field(default_factory=list)
    evidence: list[EvidenceStatus] = field(default_factory=list)
    errors: list[SnapshotError] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.errors[0].exit_code if self.errors else int(ExitCode.OK)

    @property
    def verified(self) -> bool:
        return not self.errors

    @property
    def trusted_keyids(self) -> list[str]:
        """Distinct ids of the trusted keys whose signatures verified, sorted."""
        return sorted({s.keyid for s in self.signatures if s.valid and s.keyid})

    def as_json(self) -> dict[str, Any]:
        """The `--json` report of `snapsite verify`."""
        return {
            "status": "verified" if self.verified else "failed",
            "exitCode": self.exit_code,
            "snapshotId": self.snapshot_id,
            "createdAt": self.created_at,
            "signatures": [s.as_json() for s in self.signatures],
            "threshold": self.threshold,
            "files": {
                "checked": self.files_checked,
                "bytes": self.bytes_checked,
                "failures": self.file_failures,
            },
            "records": dict(sorted(self.records.items())),
            "evidence": [e.as_json() for e in self.evidence],
            "errors": [e.as_dict() for e in self.errors],
        }


def verify_snapshot(
    path: Path,
    trust_root: TrustRoot,
    threshold: int = 1,
    limits: Limits | None = None,
) -> VerificationReport:
    """Open the snapshot at `path` and run every step; never raises SnapshotError."""
    report = VerificationReport(source=str(path), threshold=threshold)
    try:
        container = open_container(path, limits or Limits())
    except SnapshotError as exc:
        report.errors.append(exc)
        return report
    with container:
        return verify_container(container, trust_root, threshold, report)


class RecordSink(Protocol):
    """Receives every valid record of step 4 with its raw line (a build renders from these)."""

    def __call__(self, name: str, line: int, record: Any, raw: bytes) -> None: ...


def verify_container(
    container: Container,
    trust_root: TrustRoot,
    threshold: int = 1,
    report: VerificationReport | None = None,
    sink: RecordSink | None = None,
    keep_going: bool = False,
) -> VerificationReport:
    """Steps 2 to 5 on an open container; the first failing step stops the rest.

    With `keep_going`, failures of steps 2 (signatures) and 3 (digests) are recorded and the records are
    still read: `build --allow-unverified` renders such a snapshot under a red banner.
    """
    report = report or VerificationReport(source=str(container.source), threshold=threshold)
    report.kind = container.kind
    try:
        signed = True
        try:
            manifest_bytes = _check_signatures(container, trust_root, threshold, report)
        except SnapshotError as exc:
            if not keep_going or exc.exit_code != ExitCode.SIGNATURE:
                raise
            report.errors.append(exc)
            manifest_bytes, signed = container.read_bytes(MANIFEST), False
        manifest = report.manifest = _parse_manifest(manifest_bytes, report if signed else None)
        report.snapshot_id = report.snapshot_id or manifest.snapshot_id
        report.created_at = report.created_at or iso_text(manifest.created_at)
        try:
            _check_files(container, manifest, report)
        except SnapshotError as exc:
            if not keep_going or exc.exit_code != ExitCode.DIGEST:
                raise
            report.errors.insert(1 if report.errors else 0, exc)
        items = _check_records(container, manifest, report, sink)
        report.evidence = check_evidence(container, items, trust_root)
    except SnapshotError as exc:
        report.errors.insert(0, exc)
    return report


def iso_text(value: datetime) -> str:
    """A UTC timestamp as RFC 3339 text with a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signature_error(message: str, path: str = ENVELOPE) -> SnapshotError:
    return SnapshotError("signature", path, message, ExitCode.SIGNATURE)


def _manifest_error(message: str) -> SnapshotError:
    return SnapshotError("manifest", MANIFEST, message, ExitCode.INVALID)


def _check_signatures(container: Container, trust_root: TrustRoot, threshold: int, report: VerificationReport) -> bytes:
    """Step 2: the envelope, its signatures and its Statement; returns manifest.json's bytes."""
    if not container.exists(MANIFEST):
        raise _manifest_error("manifest.json is missing")
    if not container.exists(ENVELOPE):
        raise _signature_error("manifest.dsse.json is missing")
    manifest_bytes = container.read_bytes(MANIFEST)
    try:
        envelope = parse_envelope(container.read_bytes(ENVELOPE))
    except EnvelopeError as exc:
        raise _signature_error(f"malformed envelope: {exc}") from None
    if envelope.payload_type != INTOTO_PAYLOAD_TYPE:
        raise _signature_error(f"payloadType is {envelope.payload_type!r}, expected {INTOTO_PAYLOAD_TYPE!r}")
    report.signatures = verify_envelope(envelope, trust_root)
    verified = verified_key_count(report.signatures)
    if verified == 0:
        raise _signature_error(
            f"no signature verified with the trust root ({len(envelope.signatures)} signature(s), "
            f"{len(trust_root.keys)} trusted key(s))"
        )
    if verified < threshold:
        raise _signature_error(f"threshold not met: {verified} of {threshold} distinct trusted keys verified")
    try:
        statement = parse_statement(envelope.payload)
    except EnvelopeError as exc:
        raise _signature_error(f"malformed Statement: {exc}") from None
    if statement.predicate_type != SNAPSHOT_PREDICATE_TYPE:
        raise _signature_error(f"predicateType is {statement.predicate_type!r}, expected {SNAPSHOT_PREDICATE_TYPE!r}")
    actual = hashlib.sha256(manifest_bytes).hexdigest()
    signed = [s.digest.get("sha256") for s in statement.subjects if s.name == MANIFEST]
    if not signed:
        raise _signature_error("the Statement has no subject named manifest.json")
    if actual not in signed:
        raise _signature_error(f"sha256 {actual} is not the signed subject's {signed[0]}", MANIFEST)
    report.snapshot_id = _predicate_text(statement.predicate, "snapshotId")
    report.created_at = _predicate_text(statement.predicate, "createdAt")
    return manifest_bytes


def _predicate_text(predicate: dict[str, Any], name: str) -> str:
    value = predicate.get(name)
    if not isinstance(value, str):
        raise _signature_error(f"the Statement's predicate has no {name} string")
    return value


def _parse_manifest(data: bytes, report: VerificationReport | None) -> Manifest:
    """The manifest, its signed predicate (from `report`, when signed) matched, and its `files` checked."""
    try:
        manifest = parse_document(data, MANIFEST, Manifest)
        raw = jsonstrict.loads(data)
    except SnapshotError as exc:
        raise _manifest_error(exc.message) from None
    signed_fields = (("snapshotId", report.snapshot_id), ("createdAt", report.created_at)) if report else ()
    for name, signed in signed_fields:
        if raw[name] != signed:
            raise _signature_error(f"the signed predicate's {name} differs from manifest.json's", MANIFEST)
    seen: dict[str, str] = {}
    for entry in manifest.files:
        reason = check_member_name(entry.path)
        if reason:
            raise _manifest_error(f"files: path {entry.path!r} {reason}")
        if entry.path in (MANIFEST, ENVELOPE):
            raise _manifest_error(f"files: {entry.path} must not list itself")
        key = collision_key(entry.path)
        if key in seen:
            raise _manifest_error(f"files: {entry.path!r} listed twice (as {seen[key]!r})")
        seen[key] = entry.path
    return manifest


def _check_files(container: Container, manifest: Manifest, report: VerificationReport) -> None:
    """Step 3: every listed file present with its size and sha256, and nothing unlisted."""
    listed = {entry.path: entry for entry in manifest.files}
    present = set(container.files()) - {MANIFEST, ENVELOPE}
    failures: list[tuple[str, str]] = [
        (path, "listed in manifest.json but missing") for path in sorted(listed.keys() - present)
    ]
    failures += [(path, "present but not listed in manifest.json") for path in sorted(present - listed.keys())]
    to_hash = sorted(listed.keys() & present)
    digests = container.digests(to_hash)
    for path in to_hash:
        entry, actual = listed[path], digests[path]
        report.files_checked += 1
        report.bytes_checked += actual.size
        if actual.size != entry.size:
            failures.append((path, f"size {actual.size} bytes, manifest says {entry.size}"))
        elif actual.sha256 != entry.sha256:
            failures.append((path, f"sha256 {actual.sha256}, manifest says {entry.sha256}"))
    failures.sort()
    report.file_failures = [{"path": p, "problem": m} for p, m in failures]
    errors = [SnapshotError("digest", p, m, ExitCode.DIGEST) for p, m in failures[:MAX_REPORTED_FAILURES]]
    if errors:
        report.errors.extend(errors[1:])
        raise errors[0]


def _check_records(
    container: Container, manifest: Manifest, report: VerificationReport, sink: RecordSink | None
) -> list[EvidenceItem]:
    """Step 4: every record valid and every reference resolved; returns the evidence items."""
    # Files that step 3 found missing (possible only with keep_going) are not read.
    listed = {entry.path: entry for entry in manifest.files if container.exists(entry.path)}
    for name in REQUIRED:
        if name not in listed:
            raise SnapshotError("records", name, "required file is missing", ExitCode.INVALID)
    report.tenants = parse_tenants(container.read_bytes(TENANTS), TENANTS)
    report.records[TENANTS] = len(report.tenants)
    refs = _References(tenants={t.id for t in report.tenants}, listed=listed, sink=sink)
    for name in RECORD_ORDER:
        if name in listed:
            report.records[name] = refs.check_file(container, name)
    for name in sorted(listed):
        if name.startswith("runbooks/") and name.endswith(".md"):
            _check_runbook(container, name)
    return refs.evidence


def _check_runbook(container: Container, name: str) -> None:
    try:
        container.read_bytes(name).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError("records", name, f"not UTF-8 (byte {exc.start})", ExitCode.INVALID) from None


@dataclass
class _References:
    """The ids later records may point at, kept as compactly as the checks allow."""

    tenants: set[str]
    listed: dict[str, ManifestFile]
    sink: RecordSink | None
    schedules: set[str] = field(default_factory=set)
    runs: set[str] = field(default_factory=set)
    segments: set[tuple[str, str]] = field(default_factory=set)
    evidence_ids: set[str] = field(default_factory=set)
    evidence: list[EvidenceItem] = field(default_factory=list)

    def check_file(self, container: Container, name: str) -> int:
        """Validate every record of `name` and its references; returns the record count."""
        checker = self._checker(name)
        model, sink = RECORD_FILES[name], self.sink
        count = 0
        with container.open(name) as stream:
            for line, raw in iter_lines(stream, name):
                record = parse_record(raw, line, name, model)
                problem = checker(record) if checker else None
                if problem:
                    raise SnapshotError("records", name, problem, ExitCode.INVALID, line=line)
                if sink is not None:
                    sink(name, line, record, raw)
                count += 1
        return count

    def _checker(self, name: str) -> Callable[[Any], str | None] | None:
        """The reference and uniqueness check of the records of file `name`, if it has one."""
        return {
            "schedules.ndjson": self._schedules,
            "runs.ndjson": self._runs,
            "segments.ndjson": self._segments,
            "findings.ndjson": self._findings,
            "logs.ndjson": self._logs,
            "evidence.ndjson": self._evidence,
        }.get(name)

    def _tenant(self, tenant_id: str) -> str | None:
        return None if tenant_id in self.tenants else f"field 'tenantId': unknown tenant {tenant_id!r}"

    def _run(self, run_id: str) -> str | None:
        return None if run_id in self.runs else f"field 'runId': unknown run {run_id!r}"

    def _schedules(self, schedule: Any) -> str | None:
        if schedule.id in self.schedules:
            return f"field 'id': duplicate schedule {schedule.id!r}"
        self.schedules.add(schedule.id)
        return self._tenant(schedule.tenant_id)

    def _runs(self, run: Any) -> str | None:
        if run.id in self.runs:
            return f"field 'id': duplicate run {run.id!r}"
        self.runs.add(run.id)
        if run.schedule_id is not None and run.schedule_id not in self.schedules:
            return f"field 'scheduleId': unknown schedule {run.schedule_id!r}"
        return self._tenant(run.tenant_id)

    def _segments(self, segment: Any) -> str | None:
        key = (segment.run_id, segment.id)
        if key in self.segments:
            return f"field 'id': duplicate segment {segment.id!r} of run {segment.run_id!r}"
        self.segments.add(key)
        return self._run(segment.run_id)

    def _findings(self, finding: Any) -> str | None:
        return self._run(finding.run_id)

    def _logs(self, entry: Any) -> str | None:
        return self._run(entry.run_id)

    def _evidence(self, item: EvidenceItem) -> str | None:
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
        return self._run(item.run_id)

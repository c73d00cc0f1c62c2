"""The five verification steps of the snapshot spec (section 4), producing one `VerificationReport`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snapsite import jsonstrict
from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.container import Container, Limits, open_container
from snapsite.snapshot.load import parse_document, parse_tenants
from snapsite.snapshot.member_names import check_member_name, collision_key
from snapsite.snapshot.records import EvidenceItem, Manifest, Tenant
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
from snapsite.verify.records_check import (
    CHUNKED,
    PARALLEL_FROM_BYTES,
    RecordChecks,
    parallel_workers,
    read_in_parallel,
    read_serially,
)
from snapsite.verify.sink import RecordSink

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
    parallel_from: int = PARALLEL_FROM_BYTES,
) -> VerificationReport:
    """Open the snapshot at `path` and run every step; never raises SnapshotError.

    Record files of `parallel_from` bytes or more (together) are validated on every core.
    """
    report = VerificationReport(source=str(path), threshold=threshold)
    try:
        container = open_container(path, limits or Limits())
    except SnapshotError as exc:
        report.errors.append(exc)
        return report
    with container:
        return verify_container(container, trust_root, threshold, report, parallel_from=parallel_from)


def verify_container(
    container: Container,
    trust_root: TrustRoot,
    threshold: int = 1,
    report: VerificationReport | None = None,
    sink: RecordSink | None = None,
    keep_going: bool = False,
    parallel_from: int = PARALLEL_FROM_BYTES,
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
        items = _check_records(container, manifest, report, sink, parallel_from)
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
    container: Container,
    manifest: Manifest,
    report: VerificationReport,
    sink: RecordSink | None,
    parallel_from: int = PARALLEL_FROM_BYTES,
) -> list[EvidenceItem]:
    """Step 4: every record valid and every reference resolved; returns the evidence items."""
    # Files that step 3 found missing (possible only with keep_going) are not read.
    listed = {entry.path: entry for entry in manifest.files if container.exists(entry.path)}
    for name in REQUIRED:
        if name not in listed:
            raise SnapshotError("records", name, "required file is missing", ExitCode.INVALID)
    report.tenants = parse_tenants(container.read_bytes(TENANTS), TENANTS)
    report.records[TENANTS] = len(report.tenants)
    checks = RecordChecks(container, frozenset(t.id for t in report.tenants), listed)
    present = [name for name in RECORD_ORDER if name in listed]
    chunked = [name for name in present if name in CHUNKED]
    workers = parallel_workers(checks, chunked, sink, parallel_from)
    for name in present:
        if workers and name in chunked:
            if name == chunked[0]:  # every chunked file at once, after the schedules they point at
                report.records.update(read_in_parallel(checks, chunked, workers))
        else:
            report.records[name] = read_serially(checks, name, sink)
    for name in sorted(listed):
        if name.startswith("runbooks/") and name.endswith(".md"):
            _check_runbook(container, name)
    return checks.evidence


def _check_runbook(container: Container, name: str) -> None:
    try:
        container.read_bytes(name).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError("records", name, f"not UTF-8 (byte {exc.start})", ExitCode.INVALID) from None

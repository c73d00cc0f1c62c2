"""Offline evidence bundles of one run (`snapsite export`, and `bundles/<slug>.tar.gz` in a built site)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from snapsite.errors import ExitCode, SnapshotError, UsageError
from snapsite.fileio import write_atomic
from snapsite.formats.downloads import findings_csv
from snapsite.formats.tarball import deterministic_targz
from snapsite.snapshot.container import Container, Limits, open_container
from snapsite.snapshot.records import EvidenceItem, FindingDelta, Run
from snapsite.spec import RUN_BUNDLE_SCHEMA
from snapsite.trust.roots import TrustRoot
from snapsite.verify.steps import VerificationReport, verify_container

README = """Evidence bundle of run {run_id}
from snapshot {snapshot_id} (created {created_at}), made by snapsite {version}.

Members:
  run.json           the run's record, exactly as in the snapshot's runs.ndjson
  findings.csv       the run's findings delta (cells starting = + - @ are prefixed with ')
  evidence/...       the run's evidence files and their DSSE attestations, at their snapshot paths
  manifest.json      every other member with its size and sha256
  SHA256SUMS         the same digests in sha256sum format

Check it after copying:
  mkdir bundle && tar -xzf BUNDLE.tar.gz -C bundle && cd bundle && sha256sum -c SHA256SUMS

Each evidence file's sha256 is also listed in the snapshot's signed manifest.json, which
`snapsite verify SNAPSHOT --trust-root KEY.pub` checks; an attestation can be checked with the
key that signed it (see the site's verification page).
"""


@dataclass
class RunBundleData:
    """What a bundle holds for one run: its raw record, findings and evidence items."""

    run: Run
    run_line: bytes
    findings: list[FindingDelta] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)


def bundle_bytes(
    container: Container, data: RunBundleData, snapshot_id: str, created_at: datetime, version: str
) -> bytes:
    """The deterministic .tar.gz of one run's evidence, members sorted, mtime = the snapshot's createdAt."""
    members: dict[str, bytes] = {"run.json": data.run_line.rstrip(b"\n") + b"\n"}
    members["findings.csv"] = findings_csv(data.findings)
    for item in data.evidence:
        members[item.path] = container.path(item.path).read_bytes()
        if item.attestation is not None:
            members[item.attestation] = container.path(item.attestation).read_bytes()
    listed = [
        {"path": path, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        for path, content in sorted(members.items())
    ]
    manifest: dict[str, Any] = {
        "schemaVersion": RUN_BUNDLE_SCHEMA,
        "snapshotId": snapshot_id,
        "runId": data.run.id,
        "createdAt": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "members": listed,
    }
    members["SHA256SUMS"] = "".join(f"{m['sha256']}  {m['path']}\n" for m in listed).encode()
    members["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    members["README.txt"] = README.format(
        run_id=data.run.id.encode("ascii", "backslashreplace").decode(),
        snapshot_id=snapshot_id.encode("ascii", "backslashreplace").decode(),
        created_at=manifest["createdAt"],
        version=version,
    ).encode()
    return deterministic_targz(members, int(created_at.timestamp()))


class _RunCollector:
    """A verification sink keeping one run's records."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.data: RunBundleData | None = None

    def __call__(self, name: str, line: int, record: Any, raw: bytes) -> None:
        if name == "runs.ndjson" and record.id == self.run_id:
            self.data = RunBundleData(record, raw)
        elif self.data is not None and getattr(record, "run_id", None) == self.run_id:
            if name == "findings.ndjson":
                self.data.findings.append(record)
            elif name == "evidence.ndjson":
                self.data.evidence.append(record)


def export_run(
    snapshot: Path, trust_root: TrustRoot, run_id: str, output: Path, threshold: int, version: str
) -> VerificationReport:
    """Verify `snapshot` and write the run's bundle to `output` (atomically); only from a verified snapshot."""
    with open_container(snapshot, Limits()) as container:
        sink = _RunCollector(run_id)
        report = verify_container(container, trust_root, threshold, sink=sink)
        if report.errors:
            raise report.errors[0]
        if sink.data is None:
            raise SnapshotError("export", "runs.ndjson", f"no run {run_id!r} in the snapshot", ExitCode.NOT_FOUND)
        assert report.manifest is not None
        data = bundle_bytes(container, sink.data, report.manifest.snapshot_id, report.manifest.created_at, version)
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the bundle ({exc.strerror or exc})") from None
    return report

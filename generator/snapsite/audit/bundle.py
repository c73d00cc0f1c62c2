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
from snapsite.snapshot.member_names import collision_key, shown_name
from snapsite.snapshot.records import EvidenceItem, FindingDelta, Run
from snapsite.spec import RUN_BUNDLE_SCHEMA
from snapsite.trust.roots import TrustRoot
from snapsite.verify.sink import IgnoreRecords
from snapsite.verify.steps import VerificationReport, verify_container

README = """Evidence bundle of run {run_id}
from snapshot {snapshot_id} (created {created_at}), made by snapsite {version}.

Members:
  run.json           the run's record, exactly as in the snapshot's runs.ndjson
  findings.csv       the run's findings delta (cells starting = + - @ are prefixed with ')
  evidence/...       the run's evidence files and their DSSE attestations, at their snapshot paths
  snapshot/...       any such file the snapshot keeps outside evidence/, under this prefix
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


def member_name(snapshot_path: str) -> str:
    """Where a snapshot file goes in a bundle: its own path under `evidence/`, else under `snapshot/`.

    The bundle's own members (run.json, findings.csv, manifest.json, SHA256SUMS, README.txt) sit at the root, so
    no snapshot path (an evidence item may name any listed file, `run.json` included) can replace one of them.
    """
    return snapshot_path if snapshot_path.startswith("evidence/") else f"snapshot/{snapshot_path}"


def _refuse_case_twins(names: list[str]) -> None:
    """Two members equal after case folding would overwrite each other when unpacked on FAT32/exFAT/NTFS."""
    seen: dict[str, str] = {}
    for name in sorted(names):
        other = seen.setdefault(collision_key(name), name)
        if other != name:
            raise SnapshotError(
                "export", shown_name(name), f"collides with '{shown_name(other)}' in the bundle", ExitCode.INVALID
            )


def bundle_bytes(
    container: Container, data: RunBundleData, snapshot_id: str, created_at: datetime, version: str
) -> bytes:
    """The deterministic .tar.gz of one run's evidence, members sorted, mtime = the snapshot's createdAt."""
    members: dict[str, bytes] = {"run.json": data.run_line.rstrip(b"\n") + b"\n"}
    members["findings.csv"] = findings_csv(data.findings)
    for item in data.evidence:
        members[member_name(item.path)] = container.read_bytes(item.path)
        if item.attestation is not None:
            members[member_name(item.attestation)] = container.read_bytes(item.attestation)
    _refuse_case_twins([*members, "SHA256SUMS", "manifest.json", "README.txt"])
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


class _RunCollector(IgnoreRecords):
    """A verification sink keeping one run's records."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.data: RunBundleData | None = None

    def run(self, run: Run, line: int, raw: bytes) -> None:
        if run.id == self.run_id:
            self.data = RunBundleData(run, raw)

    def finding(self, finding: FindingDelta, line: int, raw: bytes) -> None:
        if self.data is not None and finding.run_id == self.run_id:
            self.data.findings.append(finding)

    def evidence_item(self, item: EvidenceItem, line: int, raw: bytes) -> None:
        if self.data is not None and item.run_id == self.run_id:
            self.data.evidence.append(item)


def export_run(
    snapshot: Path,
    trust_root: TrustRoot,
    run_id: str,
    output: Path,
    threshold: int,
    version: str,
    limits: Limits | None = None,
) -> VerificationReport:
    """Verify `snapshot` and write the run's bundle to `output` (atomically); only from a verified snapshot."""
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise UsageError(f"output {output} exists and is not a regular file")
    with open_container(snapshot, limits or Limits()) as container:
        sink = _RunCollector(run_id)
        report = verify_container(container, trust_root, threshold, sink=sink)
        if report.errors:
            raise report.errors[0]
        if sink.data is None:
            raise SnapshotError("export", "runs.ndjson", f"no run {run_id!r} in the snapshot", ExitCode.NOT_FOUND)
        assert report.manifest is not None
        data = bundle_bytes(container, sink.data, report.manifest.snapshot_id, report.manifest.created_at, version)
    try:
        write_atomic(output, data)  # exclusive, no-follow: a link planted beside the output is never followed
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the bundle ({exc.strerror or exc})") from None
    return report

"""Shared fixtures: real keys and small real snapshots built in code, signed with `cryptography`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zstandard
from snapsite.authoring.sign import sign_attestation, sign_snapshot
from snapsite.spec import SNAPSHOT_PREDICATE_TYPE
from snapsite.trust.dsse import INTOTO_PAYLOAD_TYPE, Subject, dump_envelope, make_statement, sign_envelope
from snapsite.trust.keys import load_private_key, write_keypair

BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with `browser`, so `make unit` and `make e2e` can pick their half."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


CREATED_AT = "2026-11-20T12:00:00Z"
SNAPSHOT_ID = "snap:test:2026-11-20T12:00:00Z"
METADATA = {"snapshotId": SNAPSHOT_ID, "createdAt": CREATED_AT, "environment": "test", "source": "tests"}
DATA = Path(__file__).parent / "data"
SPEC_PUB = DATA / "spec-minimal.pub"
EVIDENCE_PREDICATE = "https://stella-ops.org/attestations/evidence/1"


def run_record(index: int, tenant: str = "acme", **changes: Any) -> dict[str, Any]:
    """A valid Run; `changes` override fields."""
    run: dict[str, Any] = {
        "id": f"run:{tenant}:20261120T0{index % 10}0000Z:{index:06x}",
        "tenantId": tenant,
        "scheduleId": "sch-nightly" if tenant == "acme" else None,
        "trigger": "cron",
        "mode": "analysis-only",
        "state": "completed",
        "initiator": "system:scheduler",
        "policyRevision": "P-7@12",
        "correlationId": f"c-{index}",
        "createdAt": "2026-11-20T02:00:00Z",
        "startedAt": "2026-11-20T02:00:05Z",
        "finishedAt": "2026-11-20T02:10:05Z",
        "stats": {"candidates": 10, "deduped": 10, "queued": 10, "completed": 10, "deltas": 1},
        "deltas": {"newFindings": 1, "newCriticals": 0, "newHigh": 1},
        "error": None,
        "retryOf": None,
        "shardCount": 2,
    }
    run.update(changes)
    return run


def ndjson(records: Sequence[dict[str, Any]]) -> bytes:
    """JSON Lines bytes of `records`."""
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


@dataclass
class KeyPair:
    private: Path
    public: Path


@dataclass
class SnapshotBuilder:
    """A snapshot folder under construction; `sign()` writes its manifest and envelope."""

    root: Path
    key: KeyPair

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def records(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.read(name).splitlines() if line]

    def write_records(self, name: str, records: Sequence[dict[str, Any]]) -> None:
        self.write(name, ndjson(records))

    def sign(self, keys: Sequence[Path] | None = None, **metadata: Any) -> None:
        sign_snapshot(self.root, keys or [self.key.private], {**METADATA, **metadata})

    def sign_manifest_bytes(
        self,
        manifest: bytes,
        keys: Sequence[Path] | None = None,
        predicate_type: str = SNAPSHOT_PREDICATE_TYPE,
        payload_type: str = INTOTO_PAYLOAD_TYPE,
        predicate: dict[str, Any] | None = None,
    ) -> None:
        """Write `manifest` as manifest.json and sign it as given (for hand-made, possibly bad, manifests)."""
        self.write("manifest.json", manifest)
        subject = Subject("manifest.json", {"sha256": hashlib.sha256(manifest).hexdigest()})
        statement = make_statement(
            [subject], predicate_type, predicate or {"snapshotId": SNAPSHOT_ID, "createdAt": CREATED_AT}
        )
        private = [load_private_key(k) for k in keys or [self.key.private]]
        self.write("manifest.dsse.json", dump_envelope(sign_envelope(payload_type, statement, private)))

    def manifest(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.read("manifest.json"))
        return loaded

    def pack(self, fmt: str, top: str | None = None) -> Path:
        """The snapshot as a `tar`, `tar.gz` or `tar.zst` archive beside its folder."""
        return pack_tree(self.root, self.root.parent / f"snapshot.{fmt}", top)


def pack_tree(tree: Path, target: Path, top: str | None = None) -> Path:
    """Archive every file of `tree` into `target` (format from its suffix), optionally under folder `top`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(tree.rglob("*")):
            name = path.relative_to(tree).as_posix()
            tar.add(path, arcname=f"{top}/{name}" if top else name, recursive=False)
    data = buffer.getvalue()
    if target.name.endswith((".tar.gz", ".tgz")):
        import gzip

        data = gzip.compress(data, mtime=0)
    elif target.name.endswith(".tar.zst"):
        data = zstandard.ZstdCompressor().compress(data)
    target.write_bytes(data)
    return target


def snapsite(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `snapsite` command (as `python -m snapsite`) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "snapsite", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, with its bytes: two sites compare equal byte for byte."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    private, public = write_keypair(tmp_path_factory.mktemp("keys") / "signer.key", "ed25519")
    return KeyPair(private, public)


@pytest.fixture(scope="session")
def other_keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    private, public = write_keypair(tmp_path_factory.mktemp("keys") / "other.key", "ecdsa-p256")
    return KeyPair(private, public)


def _valid_tree(builder: SnapshotBuilder, other: KeyPair) -> None:
    builder.write("tenants.json", json.dumps([{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}]))
    builder.write_records(
        "schedules.ndjson",
        [
            {
                "id": "sch-nightly",
                "tenantId": "acme",
                "name": "Nightly",
                "enabled": True,
                "cronExpression": "0 2 * * *",
                "timezone": "Europe/Berlin",
                "mode": "analysis-only",
                "selection": {"scope": "all-images"},
                "pausedAt": None,
                "lastRunId": None,
            }
        ],
    )
    runs = [
        run_record(1),
        run_record(2, state="error", error={"code": "ERR_RUN_005", "message": "timeout"}),
        run_record(3, tenant="globex"),
    ]
    builder.write_records("runs.ndjson", runs)
    builder.write_records(
        "segments.ndjson",
        [
            {
                "runId": runs[0]["id"],
                "id": "seg-1",
                "shard": 0,
                "state": "completed",
                "targetCount": 5,
                "processed": 5,
                "executor": "exec-a",
                "retryCount": 0,
                "startedAt": "2026-11-20T02:00:05Z",
                "finishedAt": "2026-11-20T02:05:00Z",
                "cooldownUntil": None,
                "error": None,
            },
        ],
    )
    builder.write_records(
        "findings.ndjson",
        [
            {
                "runId": runs[0]["id"],
                "imageDigest": "sha256:" + "a" * 64,
                "repository": "registry/app",
                "vulnerabilityId": "CVE-2026-0001",
                "purl": "pkg:npm/left-pad@1.0.0",
                "severity": "high",
                "previousSeverity": None,
                "change": "new",
                "kev": False,
            },
        ],
    )
    builder.write_records(
        "logs.ndjson",
        [
            {
                "runId": runs[1]["id"],
                "ts": "2026-11-20T03:00:30Z",
                "severity": "error",
                "message": "scanner timeout",
                "correlationId": "c-2",
                "segmentId": None,
                "fields": {"attempt": 1},
            }
        ],
    )
    builder.write_records(
        "metrics.ndjson",
        [
            {
                "ts": "2026-11-20T11:45:00Z",
                "name": "scheduler_runs_active",
                "labels": {"tenantId": "acme"},
                "value": 2,
            }
        ],
    )
    evidence_body = b'{"policy": "run summary"}\n'
    digest = hashlib.sha256(evidence_body).hexdigest()
    builder.write("evidence/run1/policy.json", evidence_body)
    builder.write(
        "evidence/run1/policy.json.dsse.json",
        dump_envelope(
            sign_attestation("policy.json", digest, EVIDENCE_PREDICATE, {}, [load_private_key(builder.key.private)])
        ),
    )
    builder.write(
        "evidence/run1/other.json.dsse.json",
        dump_envelope(
            sign_attestation("policy.json", digest, EVIDENCE_PREDICATE, {}, [load_private_key(other.private)])
        ),
    )
    item = {
        "runId": runs[0]["id"],
        "kind": "policy-run",
        "title": "Policy run",
        "path": "evidence/run1/policy.json",
        "mediaType": "application/json",
        "size": len(evidence_body),
        "sha256": digest,
    }
    builder.write_records(
        "evidence.ndjson",
        [
            {**item, "id": "ev-verified", "attestation": "evidence/run1/policy.json.dsse.json"},
            {**item, "id": "ev-unsigned", "attestation": None},
            {**item, "id": "ev-untrusted", "attestation": "evidence/run1/other.json.dsse.json"},
        ],
    )
    builder.write("runbooks/ERR_RUN_005.md", "# Scanner timeout\n\nRaise the scanner timeout.\n")


@pytest.fixture
def snapshot(tmp_path: Path, keypair: KeyPair, other_keypair: KeyPair) -> SnapshotBuilder:
    """A small valid signed snapshot folder of every record type."""
    builder = SnapshotBuilder(tmp_path / "snapshot", keypair)
    builder.root.mkdir()
    _valid_tree(builder, other_keypair)
    builder.sign()
    return builder


@pytest.fixture
def spec_example(tmp_path: Path) -> Path:
    """A writable copy of the spec's conformance vector (tests/data/spec-minimal, copied from shared/spec)."""
    target = tmp_path / "spec-minimal"
    shutil.copytree(DATA / "spec-minimal", target)
    return target


@dataclass(frozen=True)
class CliResult:
    """What the `snapsite` command printed and returned, run in-process through click's CliRunner."""

    returncode: int
    stdout: str
    stderr: str


def cli(*args: str | Path, env: dict[str, str] | None = None) -> CliResult:
    """Run `snapsite ARGS` in this process (click's CliRunner): the same exit codes and one-line errors as the
    program (the runner calls the group's own `main`, which maps every failure as the program does, usage errors
    included), in a fraction of a subprocess's time. An unexpected exception is reported as a traceback on stderr,
    exactly as the program would fail, so "no traceback" assertions keep their meaning."""
    from click.testing import CliRunner
    from snapsite.cli import cli as command

    options: dict[str, Any] = {"mix_stderr": False} if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else {}
    runner = CliRunner(**options)  # click < 8.2 mixes stderr into stdout unless told not to
    result = runner.invoke(command, [str(a) for a in args], env=env, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(result.exception))
    return CliResult(result.exit_code, result.stdout, stderr)

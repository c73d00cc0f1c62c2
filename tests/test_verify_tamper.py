"""The tamper corpus: every way a snapshot can be broken, across the five steps and every container format.

Each case asserts the spec's exit code and that the first error names the right file (and line for records).
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import KeyPair, SnapshotBuilder, ndjson, run_record
from snapsite.errors import ExitCode
from snapsite.trust.roots import load_trust_root
from snapsite.verify.steps import VerificationReport, verify_snapshot


def verify(path: Path, key: KeyPair, threshold: int = 1) -> VerificationReport:
    return verify_snapshot(path, load_trust_root([key.public]), threshold)


def assert_fails(report: VerificationReport, code: int, path: str, line: int | None = None) -> None:
    assert report.errors, "expected a failure"
    first = report.errors[0]
    assert (report.exit_code, first.path) == (code, path), first.line()
    if line is not None:
        assert first.lineno == line, first.line()
    assert "\n" not in first.line()


def test_valid_snapshot_verifies(snapshot: SnapshotBuilder) -> None:
    report = verify(snapshot.root, snapshot.key)
    assert report.exit_code == 0, [e.line() for e in report.errors]
    assert report.records["runs.ndjson"] == 3
    assert {e.id: e.status for e in report.evidence} == {
        "ev-verified": "verified",
        "ev-unsigned": "unsigned",
        "ev-untrusted": "untrusted",
    }


@pytest.mark.parametrize(
    ("fmt", "top"),
    [("tar", None), ("tar.gz", None), ("tgz", "snap"), ("tar.zst", None), ("tar.zst", "kit"), ("tar", "kit")],
)
def test_every_container_format_verifies(snapshot: SnapshotBuilder, fmt: str, top: str | None) -> None:
    report = verify(snapshot.pack(fmt, top), snapshot.key)
    assert report.exit_code == 0, [e.line() for e in report.errors]
    assert report.kind == ("tar.gz" if fmt == "tgz" else fmt)


@pytest.mark.parametrize(("fmt", "top"), [("dir", None), ("tar", None), ("tar.gz", "kit"), ("tar.zst", None)])
def test_changed_byte_fails_digest_in_every_format(snapshot: SnapshotBuilder, fmt: str, top: str | None) -> None:
    data = bytearray(snapshot.read("runs.ndjson"))
    data[10] ^= 0x01
    snapshot.write("runs.ndjson", bytes(data))
    path = snapshot.root if fmt == "dir" else snapshot.pack(fmt, top)
    assert_fails(verify(path, snapshot.key), ExitCode.DIGEST, "runs.ndjson")


# --- step 1: the container -------------------------------------------------------------------------------


def test_missing_snapshot_is_not_found(tmp_path: Path, keypair: KeyPair) -> None:
    assert verify(tmp_path / "nope.tar", keypair).exit_code == ExitCode.NOT_FOUND


def _tar_with(snapshot: SnapshotBuilder, fmt: str, extra: Callable[[tarfile.TarFile], None]) -> Path:
    target = snapshot.pack("tar")
    raw = io.BytesIO()
    with tarfile.open(target, "r:*") as source, tarfile.open(fileobj=raw, mode="w") as tar:
        for member in source.getmembers():
            tar.addfile(member, source.extractfile(member) if member.isfile() else None)
        extra(tar)
    out = snapshot.root.parent / f"hostile.{fmt}"
    pack_bytes = raw.getvalue()
    if fmt == "tar.gz":
        import gzip

        pack_bytes = gzip.compress(pack_bytes)
    elif fmt == "tar.zst":
        import zstandard

        pack_bytes = zstandard.ZstdCompressor().compress(pack_bytes)
    out.write_bytes(pack_bytes)
    return out


def _member(
    name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"x", link: str = ""
) -> Callable[[tarfile.TarFile], None]:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = link
        info.size = len(data) if kind == tarfile.REGTYPE else 0
        tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

    return add


@pytest.mark.parametrize(
    ("fmt", "extra", "member"),
    [
        ("tar", _member("evil-link", tarfile.SYMTYPE, link="/etc/passwd"), "evil-link"),
        ("tar.gz", _member("hard", tarfile.LNKTYPE, link="runs.ndjson"), "hard"),
        ("tar.zst", _member("dev", tarfile.CHRTYPE), "dev"),
        ("tar", _member("pipe", tarfile.FIFOTYPE), "pipe"),
        ("tar.gz", _member("../escape.txt"), "../escape.txt"),
        ("tar.zst", _member("/abs.txt"), "/abs.txt"),
        ("tar", _member("evidence\\win.txt"), "evidence\\win.txt"),
        ("tar.gz", _member("C:drive.txt"), "C:drive.txt"),
        ("tar", _member("Runs.NDJSON"), "Runs.NDJSON"),
    ],
)
def test_hostile_archive_members_are_refused(
    snapshot: SnapshotBuilder, fmt: str, extra: Callable[[tarfile.TarFile], None], member: str
) -> None:
    report = verify(_tar_with(snapshot, fmt, extra), snapshot.key)
    assert report.exit_code == ExitCode.INVALID
    assert report.errors[0].check == "container"
    assert member in report.errors[0].line()


def test_symlink_inside_directory_is_refused(snapshot: SnapshotBuilder) -> None:
    os.symlink("runs.ndjson", snapshot.root / "alias.ndjson")
    report = verify(snapshot.root, snapshot.key)
    assert (report.exit_code, report.errors[0].check) == (ExitCode.INVALID, "container")
    assert "alias.ndjson" in report.errors[0].line()


def test_truncated_and_garbage_archives_are_refused(snapshot: SnapshotBuilder) -> None:
    packed = snapshot.pack("tar.gz").read_bytes()
    truncated = snapshot.root.parent / "cut.tar.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    garbage = snapshot.root.parent / "garbage.tar"
    garbage.write_bytes(b"\x00not an archive" * 100)
    for path in (truncated, garbage):
        assert verify(path, snapshot.key).exit_code == ExitCode.INVALID


# --- step 2: the envelope and its signatures ---------------------------------------------------------------


def _envelope(snapshot: SnapshotBuilder) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(snapshot.read("manifest.dsse.json"))
    return loaded


def _rewrite_envelope(snapshot: SnapshotBuilder, change: Callable[[dict[str, object]], None]) -> None:
    envelope = _envelope(snapshot)
    change(envelope)
    snapshot.write("manifest.dsse.json", json.dumps(envelope))


def _flip_sig(envelope: dict[str, object]) -> None:
    sigs = envelope["signatures"]
    assert isinstance(sigs, list)
    raw = bytearray(base64.b64decode(sigs[0]["sig"]))
    raw[5] ^= 0x40
    sigs[0]["sig"] = base64.b64encode(bytes(raw)).decode()


def _whitespace_sig(envelope: dict[str, object]) -> None:
    sigs = envelope["signatures"]
    assert isinstance(sigs, list)
    sigs[0]["sig"] = sigs[0]["sig"][:8] + " " + sigs[0]["sig"][8:]


@pytest.mark.parametrize(
    "change",
    [
        _flip_sig,
        _whitespace_sig,
        lambda e: e.update(payloadType="application/json"),
        lambda e: e.update(signatures=[]),
        lambda e: e.pop("payload"),
        lambda e: e.update(payload="!!not base64!!"),
    ],
    ids=[
        "flipped-signature",
        "whitespace-in-base64",
        "payload-type",
        "no-signatures",
        "no-payload",
        "bad-base64",
    ],
)
def test_tampered_envelope_fails_signature(
    snapshot: SnapshotBuilder, change: Callable[[dict[str, object]], None]
) -> None:
    _rewrite_envelope(snapshot, change)
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.SIGNATURE, "manifest.dsse.json")


def test_envelope_not_json_fails_signature(snapshot: SnapshotBuilder) -> None:
    snapshot.write("manifest.dsse.json", b"{not json")
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.SIGNATURE, "manifest.dsse.json")


def test_missing_envelope_fails_signature(snapshot: SnapshotBuilder) -> None:
    (snapshot.root / "manifest.dsse.json").unlink()
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.SIGNATURE, "manifest.dsse.json")


def test_untrusted_signer_fails(snapshot: SnapshotBuilder, other_keypair: KeyPair) -> None:
    snapshot.sign(keys=[other_keypair.private])
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.SIGNATURE, "manifest.dsse.json")


def test_changed_manifest_fails_signature(snapshot: SnapshotBuilder) -> None:
    snapshot.write("manifest.json", snapshot.read("manifest.json").replace(b'"test"', b'"prod"'))
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.SIGNATURE, "manifest.json")


def test_threshold_counts_distinct_keys(snapshot: SnapshotBuilder, other_keypair: KeyPair, tmp_path: Path) -> None:
    snapshot.sign(keys=[snapshot.key.private, snapshot.key.private])
    assert_fails(verify(snapshot.root, snapshot.key, threshold=2), ExitCode.SIGNATURE, "manifest.dsse.json")
    snapshot.sign(keys=[snapshot.key.private, other_keypair.private])
    roots = tmp_path / "roots"
    roots.mkdir()
    for pair in (snapshot.key, other_keypair):
        (roots / (pair.public.stem + ".pem")).write_bytes(pair.public.read_bytes())
    report = verify_snapshot(snapshot.root, load_trust_root([roots]), threshold=2)
    assert report.exit_code == 0, [e.line() for e in report.errors]
    assert len(report.trusted_keyids) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"predicate_type": "https://example.com/other/1"},
        {"payload_type": "application/json"},
        {"predicate": {"snapshotId": "snap:someone-else", "createdAt": "2026-11-20T12:00:00Z"}},
    ],
    ids=["predicate-type", "payload-type", "predicate-mismatch"],
)
def test_wrong_statement_fails_signature(snapshot: SnapshotBuilder, kwargs: dict[str, object]) -> None:
    snapshot.sign_manifest_bytes(snapshot.read("manifest.json"), **kwargs)  # type: ignore[arg-type]
    report = verify(snapshot.root, snapshot.key)
    assert report.exit_code == ExitCode.SIGNATURE
    assert report.errors[0].path in ("manifest.dsse.json", "manifest.json")


# --- step 3: the manifest's entries -------------------------------------------------------------------------


def test_removed_file_fails_digest(snapshot: SnapshotBuilder) -> None:
    (snapshot.root / "segments.ndjson").unlink()
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.DIGEST, "segments.ndjson")


def test_unlisted_file_fails_digest(snapshot: SnapshotBuilder) -> None:
    snapshot.write("evidence/smuggled.bin", b"extra")
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.DIGEST, "evidence/smuggled.bin")


def test_appended_bytes_fail_size(snapshot: SnapshotBuilder) -> None:
    snapshot.write("logs.ndjson", snapshot.read("logs.ndjson") + b"\n")
    report = verify(snapshot.root, snapshot.key)
    assert_fails(report, ExitCode.DIGEST, "logs.ndjson")
    assert "size" in report.errors[0].message


def test_every_digest_failure_is_reported(snapshot: SnapshotBuilder) -> None:
    snapshot.write("logs.ndjson", b"{}\n")
    snapshot.write("metrics.ndjson", b"{}\n")
    report = verify(snapshot.root, snapshot.key)
    assert [f["path"] for f in report.file_failures] == ["logs.ndjson", "metrics.ndjson"]


def _manifest_with(snapshot: SnapshotBuilder, change: Callable[[dict[str, object]], None]) -> None:
    manifest = snapshot.manifest()
    change(manifest)
    snapshot.sign_manifest_bytes(json.dumps(manifest).encode())


def _files(manifest: dict[str, object]) -> list[dict[str, object]]:
    files = manifest["files"]
    assert isinstance(files, list)
    return files


@pytest.mark.parametrize(
    "change",
    [
        lambda m: _files(m).append(dict(_files(m)[0])),
        lambda m: _files(m).append({"path": "../outside", "size": 1, "sha256": "0" * 64}),
        lambda m: _files(m).append({"path": "Runs.ndjson", "size": 1, "sha256": "0" * 64}),
        lambda m: _files(m)[0].update(sha256="XYZ"),
        lambda m: m.update(schemaVersion="stellaops.runs-snapshot@2"),
        lambda m: m.update(environment="production"),
    ],
    ids=["listed-twice", "dotdot-path", "case-collision", "bad-sha256", "schema-version", "environment"],
)
def test_malformed_manifest_is_invalid(snapshot: SnapshotBuilder, change: Callable[[dict[str, object]], None]) -> None:
    _manifest_with(snapshot, change)
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.INVALID, "manifest.json")


# --- step 4: records and references -------------------------------------------------------------------------


def _resign_with(snapshot: SnapshotBuilder, name: str, data: bytes) -> None:
    snapshot.write(name, data)
    snapshot.sign()


@pytest.mark.parametrize(
    ("name", "mutate", "line"),
    [
        ("runs.ndjson", lambda rs: rs[1].update(tenantId="initech"), 2),
        ("runs.ndjson", lambda rs: rs[2].update(state="exploded"), 3),
        ("runs.ndjson", lambda rs: rs[2].update(id=rs[0]["id"]), 3),
        ("runs.ndjson", lambda rs: rs[0].update(scheduleId="sch-unknown"), 1),
        ("runs.ndjson", lambda rs: rs[0]["stats"].update(queued=-1), 1),
        ("runs.ndjson", lambda rs: rs[1].update(createdAt="2026-11-20 02:00"), 2),
        ("runs.ndjson", lambda rs: rs[0].pop("correlationId"), 1),
        ("segments.ndjson", lambda rs: rs[0].update(runId="run:acme:nope"), 1),
        ("findings.ndjson", lambda rs: rs[0].update(severity="catastrophic"), 1),
        ("logs.ndjson", lambda rs: rs[0].update(runId="run:ghost"), 1),
        ("evidence.ndjson", lambda rs: rs[1].update(path="evidence/elsewhere.json"), 2),
        ("evidence.ndjson", lambda rs: rs[0].update(sha256="b" * 64), 1),
        ("evidence.ndjson", lambda rs: rs[2].update(id="ev-verified"), 3),
        ("schedules.ndjson", lambda rs: rs[0].update(timezone="Mars/Olympus"), 1),
    ],
)
def test_bad_record_is_invalid_and_named(
    snapshot: SnapshotBuilder, name: str, mutate: Callable[[list[dict[str, object]]], None], line: int
) -> None:
    records = snapshot.records(name)
    mutate(records)
    _resign_with(snapshot, name, ndjson(records))
    report = verify(snapshot.root, snapshot.key)
    assert_fails(report, ExitCode.INVALID, name, line)
    assert report.errors[0].check == "records"


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("metrics.ndjson", b'{"ts":"2026-11-20T11:45:00Z","name":"m","labels":{},"value":NaN}\n', 1),
        ("logs.ndjson", b'{"runId":"a","runId":"b"}\n', 1),
        ("runs.ndjson", ndjson([run_record(1)]).replace(b"\n", b"\r\n"), 1),
        ("runs.ndjson", ndjson([run_record(1)]) + b"\n" + ndjson([run_record(2)]), 2),
        ("runs.ndjson", b"\xef\xbb\xbf" + ndjson([run_record(1)]), 1),
        ("runs.ndjson", b"[" * 100 + b"]" * 100 + b"\n", 1),
    ],
    ids=["nan", "duplicate-key", "crlf", "blank-line", "bom", "deep-nesting"],
)
def test_bad_ndjson_is_invalid(snapshot: SnapshotBuilder, name: str, data: bytes, line: int) -> None:
    _resign_with(snapshot, name, data)
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.INVALID, name, line)


def test_missing_required_file_is_invalid(snapshot: SnapshotBuilder) -> None:
    (snapshot.root / "tenants.json").unlink()
    snapshot.sign()
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.INVALID, "tenants.json")


def test_bad_tenant_id_is_invalid(snapshot: SnapshotBuilder) -> None:
    _resign_with(snapshot, "tenants.json", b'[{"id": "Acme Corp", "name": "x"}]')
    assert_fails(verify(snapshot.root, snapshot.key), ExitCode.INVALID, "tenants.json")


# --- step 5: evidence attestations never fail the snapshot -------------------------------------------------


def test_broken_attestation_is_invalid_status_only(snapshot: SnapshotBuilder) -> None:
    envelope = json.loads(snapshot.read("evidence/run1/policy.json.dsse.json"))
    raw = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    raw[0] ^= 1
    envelope["signatures"][0]["sig"] = base64.b64encode(bytes(raw)).decode()
    _resign_with(snapshot, "evidence/run1/policy.json.dsse.json", json.dumps(envelope).encode())
    report = verify(snapshot.root, snapshot.key)
    assert report.exit_code == 0
    assert {e.id: e.status for e in report.evidence}["ev-verified"] == "invalid"


def test_conformance_vector_verifies(spec_example: Path) -> None:
    from conftest import SPEC_PUB

    report = verify_snapshot(spec_example, load_trust_root([SPEC_PUB]))
    assert report.exit_code == 0, [e.line() for e in report.errors]
    assert report.trusted_keyids == ["06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"]
    assert report.records == {"tenants.json": 1, "runs.ndjson": 2}


def test_conformance_vector_any_changed_byte_fails(spec_example: Path) -> None:
    from conftest import SPEC_PUB

    trust = load_trust_root([SPEC_PUB])
    for name, expected in (
        ("runs.ndjson", ExitCode.DIGEST),
        ("tenants.json", ExitCode.DIGEST),
        ("manifest.json", ExitCode.SIGNATURE),
        ("manifest.dsse.json", ExitCode.SIGNATURE),
    ):
        path = spec_example / name
        original = path.read_bytes()
        for offset in (0, len(original) // 2, len(original) - 2):
            changed = bytearray(original)
            changed[offset] ^= 0x04
            path.write_bytes(bytes(changed))
            code = verify_snapshot(spec_example, trust).exit_code
            assert code == expected, (name, offset, code)
        path.write_bytes(original)

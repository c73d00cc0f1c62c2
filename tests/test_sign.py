"""Key files and snapshot signing: what `snapsite sign` writes verifies with the keys it wrote."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from snapsite.authoring.sign import (
    MANIFEST_FIELDS_ORDER,
    build_manifest,
    sign_attestation,
    sign_snapshot,
)
from snapsite.errors import UsageError
from snapsite.spec import SNAPSHOT_PREDICATE_TYPE
from snapsite.trust.dsse import (
    INTOTO_PAYLOAD_TYPE,
    parse_envelope,
    parse_statement,
    verified_key_count,
    verify_envelope,
)
from snapsite.trust.keys import (
    ALGORITHMS,
    generate_private_key,
    load_private_key,
    public_keyid,
    sign_raw,
    write_keypair,
)
from snapsite.trust.roots import keyid_for, load_trust_root, trusted_key, verify_signature

METADATA = {
    "snapshotId": "snap:test:2026-11-20T12:00:00Z",
    "createdAt": "2026-11-20T12:00:00Z",
    "environment": "test",
    "source": "tests",
}


@pytest.fixture(scope="module")
def ed_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_keypair(tmp_path_factory.mktemp("keys") / "ed.key", "ed25519")


@pytest.fixture(scope="module")
def ec_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_keypair(tmp_path_factory.mktemp("keys") / "ec.key", "ecdsa-p256")


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "tenants.json": b'[{"id": "acme", "name": "Acme"}]',
        "runs.ndjson": b'{"id": "run:acme:1"}\n' * 1000,
        "evidence/run1/report.json": b"{}",
        "evidence/b.bin": bytes(range(256)) * 10_000,
        "Runbooks/ERR_RUN_005.md": "# Délai dépassé\n".encode(),
        "empty.ndjson": b"",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "empty-dir").mkdir()
    return files


def verify_folder(root: Path, pub_paths: list[Path]) -> int:
    """Verify the folder's envelope and subject digest the way a verifier does; return the key count."""
    manifest_bytes = (root / "manifest.json").read_bytes()
    envelope = parse_envelope((root / "manifest.dsse.json").read_bytes())
    assert envelope.payload_type == INTOTO_PAYLOAD_TYPE
    statement = parse_statement(envelope.payload)
    assert statement.predicate_type == SNAPSHOT_PREDICATE_TYPE
    assert [(s.name, s.digest) for s in statement.subjects] == [
        ("manifest.json", {"sha256": hashlib.sha256(manifest_bytes).hexdigest()})
    ]
    manifest = json.loads(manifest_bytes)
    assert statement.predicate == {"snapshotId": manifest["snapshotId"], "createdAt": manifest["createdAt"]}
    return verified_key_count(verify_envelope(envelope, load_trust_root(pub_paths)))


# --- keys ----------------------------------------------------------------------------------------------


def test_write_keypair_files_and_modes(tmp_path: Path) -> None:
    private_path, public_path = write_keypair(tmp_path / "signer.key", "ed25519")
    assert public_path == tmp_path / "signer.key.pub"
    assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    assert private_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    private_key = load_private_key(private_path)
    root = load_trust_root([public_path])
    assert [key.keyid for key in root.keys] == [public_keyid(private_key)]


def test_write_keypair_refuses_to_overwrite(tmp_path: Path) -> None:
    write_keypair(tmp_path / "a.key", "ed25519")
    before = (tmp_path / "a.key").read_bytes()
    with pytest.raises(UsageError, match=r"a\.key: already exists"):
        write_keypair(tmp_path / "a.key", "ed25519")
    assert (tmp_path / "a.key").read_bytes() == before

    (tmp_path / "b.key.pub").write_text("someone else's")
    with pytest.raises(UsageError, match=r"b\.key\.pub: already exists"):
        write_keypair(tmp_path / "b.key", "ecdsa-p256")
    assert not (tmp_path / "b.key").exists()
    assert (tmp_path / "b.key.pub").read_text() == "someone else's"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_generated_keys_sign_and_verify(algorithm: str) -> None:
    private_key = generate_private_key(algorithm)
    key = trusted_key(private_key.public_key(), "mem")
    assert key.algorithm == algorithm
    assert key.keyid == public_keyid(private_key) == keyid_for(private_key.public_key())
    signature = sign_raw(private_key, b"message")
    assert verify_signature(key, b"message", signature)
    assert not verify_signature(key, b"messagE", signature)


def mgf1_sha256(seed: bytes, length: int) -> bytes:
    output = b"".join(hashlib.sha256(seed + counter.to_bytes(4, "big")).digest() for counter in range(length // 32 + 1))
    return output[:length]


def test_rsa_signatures_use_pss_with_digest_length_salt() -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signature = sign_raw(private_key, b"message")
    assert verify_signature(trusted_key(private_key.public_key(), "mem"), b"message", signature)
    # Undo RSA with the public key and unmask the PSS block (RFC 8017 9.1.2) to read the salt length.
    numbers = private_key.public_key().public_numbers()
    encoded = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(256, "big")
    assert encoded[-1] == 0xBC
    masked_db, digest = encoded[:-33], encoded[-33:-1]
    db = bytes(a ^ b for a, b in zip(masked_db, mgf1_sha256(digest, len(masked_db)), strict=True))
    db = bytes([db[0] & 0x7F]) + db[1:]
    separator = db.index(b"\x01")
    assert db[:separator] == bytes(separator)
    assert len(db) - separator - 1 == 32


def test_unknown_algorithm() -> None:
    with pytest.raises(UsageError, match="unknown key algorithm 'dsa'"):
        generate_private_key("dsa")


def test_load_private_key_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"missing\.key: not found"):
        load_private_key(tmp_path / "missing.key")

    (tmp_path / "text.key").write_text("not a key\n")
    with pytest.raises(UsageError, match=r"text\.key: not a PEM private key"):
        load_private_key(tmp_path / "text.key")

    public_only = tmp_path / "pub.key"
    public_only.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(UsageError, match=r"pub\.key: not a PEM private key"):
        load_private_key(public_only)

    encrypted = tmp_path / "enc.key"
    encrypted.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(UsageError, match=r"enc\.key: encrypted private keys are not supported"):
        load_private_key(encrypted)

    p384 = tmp_path / "p384.key"
    p384.write_bytes(
        ec.generate_private_key(ec.SECP384R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(UsageError, match=r"p384\.key: EC key on curve secp384r1"):
        load_private_key(p384)


# --- build_manifest / sign_snapshot ----------------------------------------------------------------------


def test_sign_snapshot_round_trip(tmp_path: Path, ed_keys: tuple[Path, Path]) -> None:
    root = tmp_path / "snap"
    files = make_tree(root)

    manifest = sign_snapshot(root, [ed_keys[0]], METADATA)

    expected_files = [
        {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in sorted(files.items())
    ]
    assert manifest["files"] == expected_files
    assert [entry["path"] for entry in manifest["files"]] == [
        "Runbooks/ERR_RUN_005.md",
        "empty.ndjson",
        "evidence/b.bin",
        "evidence/run1/report.json",
        "runs.ndjson",
        "tenants.json",
    ]
    written = (root / "manifest.json").read_bytes()
    assert written == (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    assert list(json.loads(written)) == [
        "schemaVersion",
        "snapshotId",
        "createdAt",
        "environment",
        "source",
        "files",
    ]
    assert manifest["schemaVersion"] == "stellaops.runs-snapshot@1"
    assert verify_folder(root, [ed_keys[1]]) == 1
    assert not [p.name for p in root.iterdir() if p.name.endswith(".tmp")]


def test_changed_manifest_no_longer_matches_the_signed_subject(tmp_path: Path, ed_keys: tuple[Path, Path]) -> None:
    root = tmp_path / "snap"
    make_tree(root)
    sign_snapshot(root, [ed_keys[0]], METADATA)
    manifest_path = root / "manifest.json"
    manifest_path.write_bytes(manifest_path.read_bytes().replace(b'"test"', b'"prod"'))
    statement = parse_statement(parse_envelope((root / "manifest.dsse.json").read_bytes()).payload)
    assert statement.subjects[0].digest["sha256"] != hashlib.sha256(manifest_path.read_bytes()).hexdigest()


def test_resigning_keeps_metadata_and_skips_its_own_files(tmp_path: Path, ed_keys: tuple[Path, Path]) -> None:
    root = tmp_path / "snap"
    make_tree(root)
    sign_snapshot(
        root,
        [ed_keys[0]],
        {
            **METADATA,
            "stalenessWindowHours": 72.5,
            "plannerHeartbeatAt": "2016-12-31T23:59:60Z",
            "x-note": "kept",
        },
    )
    (root / "tenants.json").write_bytes(b"[]")

    manifest = sign_snapshot(root, [ed_keys[0]], {"source": "override", "environment": None})

    assert list(manifest) == [
        "schemaVersion",
        "snapshotId",
        "createdAt",
        "environment",
        "source",
        "plannerHeartbeatAt",
        "stalenessWindowHours",
        "files",
        "x-note",
    ]
    assert [name for name in MANIFEST_FIELDS_ORDER if name in manifest] == list(manifest)[:-1]
    assert manifest["source"] == "override"
    assert manifest["environment"] == "test"
    assert manifest["x-note"] == "kept"
    assert manifest["stalenessWindowHours"] == 72.5
    assert manifest["plannerHeartbeatAt"] == "2016-12-31T23:59:60Z"
    paths = [entry["path"] for entry in manifest["files"]]
    assert "manifest.json" not in paths and "manifest.dsse.json" not in paths
    tenants = next(entry for entry in manifest["files"] if entry["path"] == "tenants.json")
    assert tenants == {"path": "tenants.json", "size": 2, "sha256": hashlib.sha256(b"[]").hexdigest()}
    assert json.loads((root / "manifest.json").read_bytes()) == manifest
    assert verify_folder(root, [ed_keys[1]]) == 1


def test_missing_metadata_names_fields_and_writes_nothing(tmp_path: Path, ed_keys: tuple[Path, Path]) -> None:
    root = tmp_path / "snap"
    make_tree(root)
    with pytest.raises(UsageError, match="missing snapshot metadata: createdAt, source"):
        sign_snapshot(root, [ed_keys[0]], {"snapshotId": "s", "environment": "test", "source": None})
    assert not (root / "manifest.json").exists()
    assert not (root / "manifest.dsse.json").exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"environment": "production"}, "environment must be one of"),
        ({"createdAt": "2026-11-20 12:00"}, "createdAt must be an RFC 3339 timestamp"),
        ({"createdAt": "2026-11-20T12:00:00"}, "createdAt must be an RFC 3339 timestamp"),
        ({"createdAt": "2026-02-30T12:00:00Z"}, "createdAt must be an RFC 3339 timestamp"),
        ({"plannerHeartbeatAt": "yesterday"}, "plannerHeartbeatAt must be"),
        ({"stalenessWindowHours": "72"}, "stalenessWindowHours must be a positive number"),
        ({"stalenessWindowHours": True}, "stalenessWindowHours must be a positive number"),
        ({"stalenessWindowHours": 0}, "stalenessWindowHours must be a positive number"),
        ({"stalenessWindowHours": float("inf")}, "stalenessWindowHours must be a positive number"),
        ({"schemaVersion": "stellaops.runs-snapshot@2"}, "schemaVersion must be stellaops.runs-snapshot@1"),
        ({"snapshotId": 5}, "snapshotId must be a string"),
    ],
)
def test_bad_metadata_refused(tmp_path: Path, ed_keys: tuple[Path, Path], change: dict[str, Any], reason: str) -> None:
    (tmp_path / "tenants.json").write_text("[]")
    with pytest.raises(UsageError, match=reason):
        sign_snapshot(tmp_path, [ed_keys[0]], {**METADATA, **change})


def test_two_keys_two_signatures(tmp_path: Path, ed_keys: tuple[Path, Path], ec_keys: tuple[Path, Path]) -> None:
    root = tmp_path / "snap"
    make_tree(root)
    sign_snapshot(root, [ed_keys[0], ec_keys[0], ed_keys[0]], METADATA)
    envelope = json.loads((root / "manifest.dsse.json").read_bytes())
    assert [s["keyid"] for s in envelope["signatures"]] == [
        public_keyid(load_private_key(ed_keys[0])),
        public_keyid(load_private_key(ec_keys[0])),
    ]
    assert verify_folder(root, [ed_keys[1], ec_keys[1]]) == 2
    assert verify_folder(root, [ec_keys[1]]) == 1


def test_symlinks_and_special_files_refused(tmp_path: Path, ed_keys: tuple[Path, Path]) -> None:
    root = tmp_path / "snap"
    make_tree(root)
    (root / "evidence" / "link.json").symlink_to(root / "tenants.json")
    with pytest.raises(UsageError, match=r"link\.json: symlinks are not allowed"):
        sign_snapshot(root, [ed_keys[0]], METADATA)
    (root / "evidence" / "link.json").unlink()

    (root / "dirlink").symlink_to(root / "evidence", target_is_directory=True)
    with pytest.raises(UsageError, match="dirlink: symlinks are not allowed"):
        build_manifest(root, METADATA)
    (root / "dirlink").unlink()

    os.mkfifo(root / "pipe")
    with pytest.raises(UsageError, match="pipe: only regular files and directories"):
        build_manifest(root, METADATA)
    assert not (root / "manifest.json").exists()


def test_names_the_verifier_would_reject_are_refused(tmp_path: Path) -> None:
    (tmp_path / "Runs.ndjson").write_text("")
    (tmp_path / "runs.ndjson").write_text("")
    with pytest.raises(UsageError, match="same name as"):
        build_manifest(tmp_path, METADATA)
    (tmp_path / "Runs.ndjson").unlink()
    (tmp_path / "a\\b").write_text("")
    with pytest.raises(UsageError, match="backslash"):
        build_manifest(tmp_path, METADATA)


def test_sign_snapshot_usage_errors(tmp_path: Path, ed_keys: tuple[Path, Path]) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        sign_snapshot(tmp_path / "absent", [ed_keys[0]], METADATA)
    with pytest.raises(UsageError, match="no signing key"):
        sign_snapshot(tmp_path, [], METADATA)
    with pytest.raises(UsageError, match="not found"):
        sign_snapshot(tmp_path, [tmp_path / "nokey"], METADATA)
    (tmp_path / "manifest.json").write_text("{bad")
    with pytest.raises(UsageError, match="cannot use the existing manifest"):
        sign_snapshot(tmp_path, [ed_keys[0]], METADATA)
    (tmp_path / "manifest.json").write_text("[]")
    with pytest.raises(UsageError, match="not a JSON object"):
        sign_snapshot(tmp_path, [ed_keys[0]], METADATA)


def test_sign_attestation(ed_keys: tuple[Path, Path]) -> None:
    digest = hashlib.sha256(b"evidence").hexdigest()
    private_key = load_private_key(ed_keys[0])
    envelope = sign_attestation("policy.json", digest, "https://example.com/evidence/1", {"k": "v"}, [private_key])
    parsed = parse_envelope(json.dumps(envelope).encode())
    statement = parse_statement(parsed.payload)
    assert [(s.name, s.digest) for s in statement.subjects] == [("policy.json", {"sha256": digest})]
    assert statement.predicate_type == "https://example.com/evidence/1"
    assert statement.predicate == {"k": "v"}
    assert verified_key_count(verify_envelope(parsed, load_trust_root([ed_keys[1]]))) == 1
    with pytest.raises(UsageError, match="64 lowercase hex"):
        sign_attestation("x", digest.upper(), "p", {}, [private_key])

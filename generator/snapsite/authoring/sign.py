"""Signing a snapshot folder: write manifest.json and its DSSE envelope (`snapsite sign DIR --key KEY`)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from snapsite.errors import SnapshotError, UsageError
from snapsite.fileio import write_atomic
from snapsite.jsonstrict import JSONError, loads
from snapsite.snapshot.hashing import hash_files
from snapsite.snapshot.load import parse_document
from snapsite.snapshot.member_names import check_member_name, collision_key
from snapsite.snapshot.records import Manifest
from snapsite.spec import ENVELOPE, MANIFEST, SCHEMA_VERSION, SNAPSHOT_PREDICATE_TYPE
from snapsite.trust.dsse import INTOTO_PAYLOAD_TYPE, Subject, dump_envelope, make_statement, sign_envelope
from snapsite.trust.keys import PrivateKey, load_private_key, public_keyid

MANIFEST_FIELDS_ORDER = (
    "schemaVersion",
    "snapshotId",
    "createdAt",
    "environment",
    "source",
    "plannerHeartbeatAt",
    "impactIndexGeneratedAt",
    "stalenessWindowHours",
    "files",
)
REQUIRED_FIELDS = ("snapshotId", "createdAt", "environment", "source")
ENVIRONMENTS = ("prod", "stage", "dev", "test")
_TIMESTAMP_FIELDS = ("createdAt", "plannerHeartbeatAt", "impactIndexGeneratedAt")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _snapshot_files(directory: Path) -> list[tuple[str, Path]]:
    """Every regular file under `directory` as (relative posix path, path), refusing anything else."""
    found: list[tuple[str, Path]] = []
    pending = [directory]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            raise UsageError(f"{current}: cannot list ({exc.strerror or exc})") from None
        for entry in entries:
            path = Path(entry.path)
            relative = path.relative_to(directory).as_posix()
            if entry.is_symlink():
                raise UsageError(f"{path}: symlinks are not allowed in a snapshot")
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                found.append((relative, path))
            else:
                raise UsageError(f"{path}: only regular files and directories are allowed in a snapshot")
    return found


def _check_names(relative_paths: Sequence[str]) -> None:
    """Refuse names the verifier rejects (spec section 1) rather than sign a snapshot that cannot pass."""
    seen: dict[str, str] = {}
    for relative in relative_paths:
        problem = check_member_name(relative)
        if problem:
            raise UsageError(f"{relative}: {problem}")
        folded = collision_key(relative)
        if folded in seen:
            raise UsageError(f"{relative}: same name as {seen[folded]} on case-insensitive media")
        seen[folded] = relative


def _ordered(manifest: Mapping[str, Any]) -> dict[str, Any]:
    ordered = {name: manifest[name] for name in MANIFEST_FIELDS_ORDER if name in manifest}
    ordered.update((name, value) for name, value in manifest.items() if name not in ordered)
    return ordered


def build_manifest(directory: Path, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of `directory`: `metadata` plus every file but manifest.json and manifest.dsse.json.

    Files are sorted by path, each `{"path", "size", "sha256"}`; fields follow MANIFEST_FIELDS_ORDER, unknown
    fields come after. Symlinks and special files raise UsageError.
    """
    listed = sorted(
        (relative, path) for relative, path in _snapshot_files(directory) if relative not in (MANIFEST, ENVELOPE)
    )
    _check_names([relative for relative, _ in listed])
    try:
        digests = hash_files([path for _, path in listed])
    except OSError as exc:
        raise UsageError(f"{exc.filename or directory}: cannot read ({exc.strerror or exc})") from None
    files = [
        {"path": relative, "size": digest.size, "sha256": digest.sha256}
        for (relative, _), digest in zip(listed, digests, strict=True)
    ]
    return _ordered({**metadata, "files": files})


def _existing_metadata(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.exists() and not path.is_symlink():
        return {}
    if path.is_symlink() or not path.is_file():
        raise UsageError(f"{path}: not a regular file")
    try:
        existing = loads(path.read_bytes())
    except (OSError, JSONError) as exc:
        raise UsageError(f"{path}: cannot use the existing manifest ({exc})") from None
    if not isinstance(existing, dict):
        raise UsageError(f"{path}: the existing manifest is not a JSON object")
    existing.pop("files", None)
    return existing


def _is_timestamp(value: str) -> bool:
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    # A leap second is valid RFC 3339 but not a datetime: check the rest of the value as the 59th second.
    text = value.upper() if match.group(1) != "60" else value[:17].upper() + "59" + value[19:].upper()
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_positive_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf


def _check_metadata(metadata: Mapping[str, Any]) -> None:
    missing = [name for name in REQUIRED_FIELDS if metadata.get(name) in (None, "")]
    if missing:
        raise UsageError(f"missing snapshot metadata: {', '.join(missing)}")
    if metadata["schemaVersion"] != SCHEMA_VERSION:
        raise UsageError(f"snapshot metadata schemaVersion must be {SCHEMA_VERSION}")
    for name in REQUIRED_FIELDS:
        if not isinstance(metadata[name], str):
            raise UsageError(f"snapshot metadata {name} must be a string")
    if metadata["environment"] not in ENVIRONMENTS:
        raise UsageError(f"snapshot metadata environment must be one of {', '.join(ENVIRONMENTS)}")
    for name in _TIMESTAMP_FIELDS:
        value = metadata.get(name)
        if value is None and name != "createdAt":
            continue
        if not isinstance(value, str) or not _is_timestamp(value):
            raise UsageError(f"snapshot metadata {name} must be an RFC 3339 timestamp with an offset")
    hours = metadata.get("stalenessWindowHours")
    if hours is not None and not _is_positive_number(hours):
        raise UsageError("snapshot metadata stalenessWindowHours must be a positive number")


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """manifest.json's bytes, after the verifier's own reading of the manifest accepted it.

    The checks above give friendly messages for the common mistakes; this one is the authority, so that
    whatever `sign` signs, `verify` accepts (a lone surrogate in an unknown field of an existing manifest
    included). The document is checked in its ASCII form, where the verifier can name a lone
    surrogate instead of the UTF-8 encoder failing on it.
    """
    try:
        parse_document(json.dumps(manifest).encode("ascii"), MANIFEST, Manifest)
    except SnapshotError as exc:
        raise UsageError(f"{MANIFEST} would not verify: {exc.message}") from None
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` in one step, so an interrupted signing never leaves half a manifest."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _load_keys(key_paths: Sequence[Path]) -> list[PrivateKey]:
    if not key_paths:
        raise UsageError("no signing key given (--key)")
    keys: dict[str, PrivateKey] = {}
    for key_path in key_paths:
        key = load_private_key(key_path)
        # The same key given twice would add a signature that counts for nothing.
        keys.setdefault(public_keyid(key), key)
    return list(keys.values())


def sign_snapshot(
    directory: Path, key_paths: Sequence[Path], metadata: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Write `manifest.json` and `manifest.dsse.json` for the snapshot folder; return the manifest.

    `metadata` (None values ignored) overrides the fields of an existing manifest.json; schemaVersion
    defaults to stellaops.runs-snapshot@1; snapshotId, createdAt, environment and source are required.
    """
    try:
        is_directory = stat.S_ISDIR(directory.stat().st_mode)
    except OSError:
        is_directory = False
    if not is_directory:
        raise UsageError(f"{directory}: not a directory")
    private_keys = _load_keys(key_paths)
    merged: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION, **_existing_metadata(directory)}
    merged.update((name, value) for name, value in (metadata or {}).items() if value is not None)
    merged.pop("files", None)
    _check_metadata(merged)
    manifest = build_manifest(directory, merged)
    manifest_bytes = _manifest_bytes(manifest)
    subject = Subject(name=MANIFEST, digest={"sha256": hashlib.sha256(manifest_bytes).hexdigest()})
    predicate = {"snapshotId": manifest["snapshotId"], "createdAt": manifest["createdAt"]}
    statement = make_statement([subject], SNAPSHOT_PREDICATE_TYPE, predicate)
    envelope = sign_envelope(INTOTO_PAYLOAD_TYPE, statement, private_keys)
    _write_atomic(directory / MANIFEST, manifest_bytes)
    _write_atomic(directory / ENVELOPE, dump_envelope(envelope))
    return manifest


def sign_attestation(
    subject_name: str,
    sha256: str,
    predicate_type: str,
    predicate: Mapping[str, Any],
    private_keys: Sequence[PrivateKey],
) -> dict[str, Any]:
    """A JSON-ready DSSE envelope attesting an evidence file by its name and sha256."""
    if _SHA256_HEX.fullmatch(sha256) is None:
        raise UsageError(f"{subject_name}: sha256 must be 64 lowercase hex digits")
    statement = make_statement([Subject(subject_name, {"sha256": sha256})], predicate_type, predicate)
    return sign_envelope(INTOTO_PAYLOAD_TYPE, statement, private_keys)

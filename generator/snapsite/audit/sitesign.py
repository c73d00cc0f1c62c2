"""A site that signs itself (`build --sign-key`) and `snapsite verify-site`: SHA256SUMS plus a DSSE envelope."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.hashing import hash_files
from snapsite.spec import SITE_ENVELOPE, SITE_PREDICATE_TYPE, SUMS
from snapsite.trust.dsse import (
    INTOTO_PAYLOAD_TYPE,
    EnvelopeError,
    SignatureCheck,
    Subject,
    dump_envelope,
    make_statement,
    parse_envelope,
    parse_statement,
    sign_envelope,
    verified_key_count,
    verify_envelope,
)
from snapsite.trust.keys import load_private_key
from snapsite.trust.roots import TrustRoot

_SUMS_LINE = re.compile(r"^([0-9a-f]{64})  (\S(?:.*\S)?)$")


def sign_site(root: Path, key_paths: Sequence[Path], predicate: dict[str, Any]) -> None:
    """Write site.dsse.json: an in-toto Statement whose subject is the site's SHA256SUMS."""
    keys = [load_private_key(path) for path in key_paths]
    digest = hashlib.sha256((root / SUMS).read_bytes()).hexdigest()
    statement = make_statement([Subject(SUMS, {"sha256": digest})], SITE_PREDICATE_TYPE, predicate)
    (root / SITE_ENVELOPE).write_bytes(dump_envelope(sign_envelope(INTOTO_PAYLOAD_TYPE, statement, keys)))


@dataclass
class SiteReport:
    """What `verify-site` found."""

    root: str
    files_checked: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    signed: bool = False
    signature_checked: bool = False
    signatures: list[SignatureCheck] = field(default_factory=list)
    predicate: dict[str, Any] = field(default_factory=dict)
    errors: list[SnapshotError] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.errors[0].exit_code if self.errors else int(ExitCode.OK)

    @property
    def snapshot_verdict(self) -> str | None:
        """What the signed predicate says of the snapshot the site was built from (`verified`, `unverified`),
        or None when no signature was verified: an unsigned claim is not shown."""
        verification = self.predicate.get("verification")
        verdict = verification.get("verdict") if isinstance(verification, dict) else None
        return verdict if isinstance(verdict, str) else None

    def as_json(self) -> dict[str, Any]:
        """The `--json` report of `verify-site`."""
        return {
            "status": "verified" if not self.errors else "failed",
            "exitCode": self.exit_code,
            "files": {"checked": self.files_checked, "failures": self.failures},
            "signed": self.signed,
            "signatureChecked": self.signature_checked,
            "signatures": [s.as_json() for s in self.signatures],
            "predicate": self.predicate,
            "snapshotVerdict": self.snapshot_verdict,
            "errors": [e.as_dict() for e in self.errors],
        }


_KINDS = {
    stat.S_IFLNK: "a symlink",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _entries(root: Path) -> tuple[set[str], dict[str, str]]:
    """Regular files by relative name, and every other entry (link, FIFO, device...) with what it is.

    Nothing is followed or opened: a FIFO would block a reader, a symlink would check a file outside the site.
    """
    files: set[str] = set()
    special: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            path = Path(folder, name)
            mode = path.lstat().st_mode
            relative = path.relative_to(root).as_posix()
            if stat.S_ISREG(mode):
                files.add(relative)
            elif not stat.S_ISDIR(mode):
                special[relative] = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return files, special


def _listed(root: Path) -> dict[str, str]:
    if (root / SUMS).is_symlink():
        raise SnapshotError("digest", SUMS, "a symlink: not a regular file", ExitCode.DIGEST)
    try:
        text = (root / SUMS).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError("digest", SUMS, "missing: not a snapsite site", ExitCode.DIGEST) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError("digest", SUMS, f"cannot read: {exc}", ExitCode.DIGEST) from None
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUMS_LINE.match(line)
        if not match or match.group(2) in listed:
            raise SnapshotError("digest", SUMS, "malformed or repeated line", ExitCode.DIGEST, line=number)
        listed[match.group(2)] = match.group(1)
    return listed


def verify_site(root: Path, trust_root: TrustRoot | None, threshold: int = 1) -> SiteReport:
    """Every file against SHA256SUMS, nothing missing or extra, and the site signature when a trust root is given."""
    report = SiteReport(str(root))
    if not root.is_dir():
        report.errors.append(SnapshotError("container", str(root), "not found", ExitCode.NOT_FOUND))
        return report
    try:
        listed = _listed(root)
    except SnapshotError as exc:
        report.errors.append(exc)
        return report
    present, special = _entries(root)
    present -= {SUMS, SITE_ENVELOPE}
    problems = [(name, f"{what}: only regular files may be in a site") for name, what in special.items()]
    problems += [
        (name, "listed in SHA256SUMS but missing") for name in sorted(listed.keys() - present - special.keys())
    ]
    problems += [(name, "present but not listed in SHA256SUMS") for name in sorted(present - listed.keys())]
    names = sorted(listed.keys() & present)
    try:
        digests = hash_files([root / n for n in names])
    except OSError as exc:  # replaced by something else while being checked
        name = Path(os.fsdecode(exc.filename or root)).relative_to(root).as_posix() if exc.filename else str(root)
        digests = []
        problems.append((name, f"cannot read: {exc.strerror or exc}"))
    for name, digest in zip(names, digests, strict=False):
        report.files_checked += 1
        if digest.sha256 != listed[name]:
            problems.append((name, f"sha256 {digest.sha256}, SHA256SUMS says {listed[name]}"))
    problems.sort()
    report.failures = [{"path": p, "problem": m} for p, m in problems]
    report.errors += [SnapshotError("digest", p, m, ExitCode.DIGEST) for p, m in problems]
    report.signed = (root / SITE_ENVELOPE).is_file() and SITE_ENVELOPE not in special
    if trust_root is not None:
        _check_signature(root, trust_root, threshold, report)
    return report


def _check_signature(root: Path, trust_root: TrustRoot, threshold: int, report: SiteReport) -> None:
    report.signature_checked = True

    def fail(message: str) -> None:
        report.errors.append(SnapshotError("signature", SITE_ENVELOPE, message, ExitCode.SIGNATURE))

    if not report.signed:
        return fail("the site is not signed (built without --sign-key)")
    try:
        envelope = parse_envelope((root / SITE_ENVELOPE).read_bytes())
        statement = parse_statement(envelope.payload)
    except EnvelopeError as exc:
        return fail(f"malformed envelope: {exc}")
    report.signatures = verify_envelope(envelope, trust_root)
    verified = verified_key_count(report.signatures)
    if envelope.payload_type != INTOTO_PAYLOAD_TYPE or statement.predicate_type != SITE_PREDICATE_TYPE:
        return fail("not a snapsite site attestation (payloadType or predicateType)")
    if verified < threshold:
        return fail(f"{verified} of {threshold} required trusted keys verified the site signature")
    actual = hashlib.sha256((root / SUMS).read_bytes()).hexdigest()
    if not any(s.name == SUMS and s.digest.get("sha256") == actual for s in statement.subjects):
        return fail(f"SHA256SUMS sha256 {actual} is not the signed subject")
    report.predicate = dict(statement.predicate)
    return None

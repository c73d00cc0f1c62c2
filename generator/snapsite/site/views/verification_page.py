"""The auditor's page (`verification.html`): what was verified, with which keys, every file's digest, and how
to check it all again by hand."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from snapsite.site.views.evidence_page import BUNDLE_STATUSES, SIGNATURE_STATUSES, count_statuses
from snapsite.site.views.format import size
from snapsite.spec import ENVELOPE, MANIFEST
from snapsite.verify.evidence import EvidenceStatus
from snapsite.verify.steps import VerificationReport

UNKNOWN = "\u2014"


@dataclass(frozen=True)
class SignatureRow:
    keyid: str  # an em dash when the signature named no keyid
    algorithm: str
    trusted: bool
    valid: bool


@dataclass(frozen=True)
class FileRow:
    path: str
    size: int
    size_text: str
    sha256: str
    problem: str | None  # what step 3 found wrong with the file (unverified builds only)


@dataclass(frozen=True)
class ErrorRow:
    check: str
    where: str
    message: str


@dataclass(frozen=True)
class RecheckStep:
    """One step of checking by hand: what it does, and the command (None for a step that is only prose)."""

    text: str
    command: str | None


@dataclass(frozen=True)
class VerificationPage:
    """Everything `verification.html` shows."""

    verdict: str  # verified | unverified
    source_kind: str  # directory | tar | tar.gz | tar.zst (never the builder's path: output is machine-independent)
    snapshot_id: str
    created_at: str
    threshold: int
    signatures: tuple[SignatureRow, ...]
    trusted_keyids: tuple[str, ...]
    files: tuple[FileRow, ...]
    files_total_text: str
    files_checked: int
    bytes_checked_text: str
    hidden_files: int  # manifest entries not listed (withheld by the build's tenant selection or scopes)
    records: tuple[tuple[str, int], ...]  # file name, record count
    evidence_counts: tuple[tuple[str, int], ...]  # every signature status, in SIGNATURE_STATUSES order
    bundle_counts: tuple[tuple[str, int], ...]  # empty when the snapshot has no evidence bundles
    errors: tuple[ErrorRow, ...]
    more_file_failures: int  # file failures beyond those listed in `errors`
    site_steps: tuple[RecheckStep, ...]
    snapshot_steps: tuple[RecheckStep, ...]
    sums_name: str


def site_steps(sums_name: str) -> tuple[RecheckStep, ...]:
    """How to check the site's own files against its checksum list."""
    quoted = shlex.quote(sums_name)
    return (
        RecheckStep("In the site folder (the one holding index.html), on Linux:", f"sha256sum -c {quoted}"),
        RecheckStep("On macOS:", f"shasum -a 256 -c {quoted}"),
        RecheckStep(
            "Every line must end in OK. A file that fails was changed or damaged after the build; "
            "a file that is not listed was added after it.",
            None,
        ),
    )


def snapshot_steps(threshold: int) -> tuple[RecheckStep, ...]:
    """How to verify the snapshot itself: with snapsite, and the manual way with standard tools."""
    verify = "snapsite verify SNAPSHOT --trust-root KEY.pub"
    if threshold > 1:
        verify += f" --threshold {threshold}"
    return (
        RecheckStep(
            "With snapsite (SNAPSHOT is the folder or archive, KEY.pub the trusted public key; "
            "repeat --trust-root for more keys). Exit code 0 means verified:",
            verify,
        ),
        RecheckStep(
            "By hand, in the unpacked snapshot folder: every file's sha256 must equal its manifest.json entry's "
            "(with jq as here, or run sha256sum on each file and compare):",
            f"jq -r '.files[] | \"\\(.sha256)  \\(.path)\"' {MANIFEST} | sha256sum -c -",
        ),
        RecheckStep("Compute the digest of the manifest:", f"sha256sum {MANIFEST}"),
        RecheckStep(
            "Decode the signed Statement; its subject named manifest.json must carry that digest "
            "(for a URL-safe payload, pipe it through tr '_-' '/+' before base64 -d):",
            f"jq -r .payload {ENVELOPE} | base64 -d",
        ),
        RecheckStep(
            "These digests show the files are the ones that were signed; only a DSSE verifier (snapsite verify) "
            "checks the signature itself against your trusted key.",
            None,
        ),
    )


def verification_page(
    report: VerificationReport,
    files: Sequence[tuple[str, int, str]],
    hidden_files: int,
    sums_name: str = "SHA256SUMS",
    *,
    records: Mapping[str, int] | None = None,
    evidence: Sequence[EvidenceStatus] | None = None,
) -> VerificationPage:
    """The verification page from the build's report; `files` are the manifest entries (path, size, sha256)
    to list, in the order given.

    A --tenant build passes its own `records` counts and `evidence` and lists only its own files: the
    hidden files then count in one number, and the bytes checked cover the listed files only (a
    whole-snapshot total would include other tenants' records).
    """
    problems = {failure["path"]: failure["problem"] for failure in report.file_failures}
    digest_errors = sum(1 for error in report.errors if error.check == "digest")
    evidence = report.evidence if evidence is None else evidence
    bundles = [e.bundle_status for e in evidence if e.bundle_status]
    own_counts = records is not None  # a --tenant build: no whole-snapshot total may show
    records = report.records if records is None else records
    listed_bytes = sum(count for _, count, _ in files)
    return VerificationPage(
        verdict="verified" if report.verified else "unverified",
        source_kind=report.kind,
        snapshot_id=report.snapshot_id or UNKNOWN,
        created_at=report.created_at or UNKNOWN,
        threshold=report.threshold,
        signatures=tuple(
            SignatureRow(s.keyid or UNKNOWN, s.algorithm or UNKNOWN, s.trusted, s.valid) for s in report.signatures
        ),
        trusted_keyids=tuple(report.trusted_keyids),
        files=tuple(FileRow(path, count, size(count), digest, problems.get(path)) for path, count, digest in files),
        files_total_text=size(listed_bytes),
        files_checked=report.files_checked,  # a number of files: the contract allows it
        bytes_checked_text=size(listed_bytes if own_counts else report.bytes_checked),
        hidden_files=hidden_files,
        records=tuple(sorted(records.items())),
        evidence_counts=count_statuses([e.status for e in evidence], SIGNATURE_STATUSES),
        bundle_counts=count_statuses(bundles, BUNDLE_STATUSES) if bundles else (),
        errors=tuple(ErrorRow(e.check, e.where(), e.message) for e in report.errors),
        more_file_failures=max(0, len(report.file_failures) - digest_errors),
        site_steps=site_steps(sums_name),
        snapshot_steps=snapshot_steps(report.threshold),
        sums_name=sums_name,
    )

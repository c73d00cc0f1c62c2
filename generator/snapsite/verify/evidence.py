"""Step 5: each evidence item's attestation status and each evidence bundle's integrity.

Neither ever changes the snapshot's verdict: the files' own digests were checked in step 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from snapsite.errors import SnapshotError
from snapsite.snapshot.container import Container, open_container
from snapsite.snapshot.load import parse_document
from snapsite.snapshot.records import BundleManifest, EvidenceItem
from snapsite.spec import BUNDLE_MANIFEST, BUNDLE_MEDIA_TYPE
from snapsite.trust.dsse import EnvelopeError, parse_envelope, parse_statement, verify_envelope
from snapsite.trust.roots import TrustRoot

# A bundle is one run's evidence: far smaller caps than a snapshot's.


@dataclass(frozen=True)
class BundleEntryCheck:
    """One entry of a bundle's manifest and what its check found."""

    path: str
    size: int
    sha256: str
    ok: bool
    problem: str | None


@dataclass(frozen=True)
class EvidenceStatus:
    """The outcome of step 5 for one evidence item."""

    id: str
    run_id: str
    status: str  # verified | unsigned | untrusted | invalid
    reason: str | None = None
    bundle_status: str | None = None  # intact | damaged, for evidence bundles only
    bundle_problem: str | None = None
    bundle_entries: tuple[BundleEntryCheck, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The item as listed in the `--json` report."""
        out: dict[str, Any] = {"id": self.id, "runId": self.run_id, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.bundle_status:
            out["bundle"] = {"status": self.bundle_status, "problem": self.bundle_problem}
        return out


def check_evidence(container: Container, items: Sequence[EvidenceItem], trust_root: TrustRoot) -> list[EvidenceStatus]:
    """Attestation status (and bundle integrity) of every item, in the order of evidence.ndjson."""
    statuses = []
    for item in items:
        status, reason = attestation_status(container, item, trust_root)
        bundle: tuple[str | None, str | None, tuple[BundleEntryCheck, ...]] = (None, None, ())
        if item.media_type == BUNDLE_MEDIA_TYPE:
            bundle = check_bundle(container, item.path)
        statuses.append(EvidenceStatus(item.id, item.run_id, status, reason, *bundle))
    return statuses


def attestation_status(container: Container, item: EvidenceItem, trust_root: TrustRoot) -> tuple[str, str | None]:
    """`(status, reason)` of the item's DSSE attestation: verified when a trusted key with a keyid verifies it."""
    if item.attestation is None:
        return "unsigned", None
    try:
        envelope = parse_envelope(container.read_bytes(item.attestation))
        statement = parse_statement(envelope.payload)
    except EnvelopeError as exc:
        return "invalid", f"malformed attestation: {exc}"
    if not any(s.digest.get("sha256") == item.sha256 for s in statement.subjects):
        return "invalid", "no subject of the attestation has the item's sha256"
    checks = verify_envelope(envelope, trust_root)
    if any(c.valid and c.keyid for c in checks):
        return "verified", None
    if any(c.trusted for c in checks):
        return "invalid", "a signature by a trusted key does not verify"
    return "untrusted", "no trusted key verified the attestation"


def check_bundle(container: Container, path: str) -> tuple[str, str | None, tuple[BundleEntryCheck, ...]]:
    """`(intact|damaged, first problem, entry checks)` of an evidence bundle (spec section 2)."""
    try:
        with open_container(container.path(path), container.limits) as bundle:
            if not bundle.exists(BUNDLE_MANIFEST):
                return "damaged", "the bundle has no manifest.json at its root", ()
            manifest = parse_document(bundle.read_bytes(BUNDLE_MANIFEST), BUNDLE_MANIFEST, BundleManifest)
            members = set(bundle.files()) - {BUNDLE_MANIFEST}
            digests = bundle.digests(sorted(members & {e.path for e in manifest.entries}))
            entries = []
            for entry in manifest.entries:
                actual = digests.get(entry.path)
                problem = None
                if actual is None:
                    problem = "missing"
                elif actual.size != entry.size:
                    problem = f"size {actual.size} bytes, manifest says {entry.size}"
                elif actual.sha256 != entry.sha256:
                    problem = f"sha256 {actual.sha256}, manifest says {entry.sha256}"
                entries.append(BundleEntryCheck(entry.path, entry.size, entry.sha256, problem is None, problem))
            problems = [f"{e.path}: {e.problem}" for e in entries if e.problem]
            problems += [f"{name}: not listed in the bundle manifest" for name in sorted(members - set(digests))]
    except SnapshotError as exc:
        return "damaged", f"{exc.where()}: {exc.message}", ()
    return ("damaged", problems[0], tuple(entries)) if problems else ("intact", None, tuple(entries))

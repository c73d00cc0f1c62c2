"""Evidence of finished runs: policy summaries, CSV deltas, scanner bundles, traces, large dumps, and the
attestation of each, signed, unsigned, untrusted or broken on purpose."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from snapsite.authoring.demo.chance import Dice, Picker
from snapsite.authoring.demo.lines import encode, finding_line, pretty
from snapsite.authoring.demo.model import Clock, Run
from snapsite.authoring.demo.vocabulary import (
    ATTESTATION_WEIGHTS,
    ATTESTATIONS,
    EVIDENCE_KINDS,
    PACKAGES,
)
from snapsite.authoring.sign import sign_attestation
from snapsite.formats.downloads import FINDINGS_COLUMNS
from snapsite.formats.tarball import deterministic_targz
from snapsite.spec import BUNDLE_MEDIA_TYPE, EVIDENCE_PREDICATE_TYPE
from snapsite.trust.dsse import b64decode_strict, dump_envelope
from snapsite.trust.keys import PrivateKey

_LARGE_FILE_BYTES = 64 << 20
_BLOCK_BYTES = 1 << 20


class EvidenceWriter:
    """Writes evidence files under `out`/evidence/ and returns their evidence.ndjson items."""

    def __init__(
        self, out: Path, dice: Dice, clock: Clock, created: int, signing_key: PrivateKey, seed: int, run_count: int
    ) -> None:
        self.out = out
        self.dice = dice
        self.r = dice.r
        self.clock = clock
        self.created = created
        self.signing_key = signing_key
        # A key nobody trusts, the same for a seed so the demo stays byte-identical.
        untrusted = hashlib.sha256(f"untrusted:{seed}".encode()).digest()
        self.untrusted_key = Ed25519PrivateKey.from_private_bytes(untrusted)
        self.attestations = Picker(ATTESTATIONS, ATTESTATION_WEIGHTS)
        self.runs = 0
        self.rate = min(0.1, 400 / run_count)  # file creation is slow: a few hundred runs
        self.bundles = 0
        self.previous_sha = hashlib.sha256(b"").hexdigest()

    def due(self) -> bool:
        """Whether the next finished run gets evidence: the first two do, then a random few hundred in all."""
        return self.runs < 2 or self.r() < self.rate

    def write(self, run: Run, stream: TextIO) -> int:
        """Write evidence of a finished run, each item with an attestation variant; returns the item count."""
        if self.runs < 2:
            kinds: Sequence[str] = EVIDENCE_KINDS
        else:
            kinds = sorted(self.dice.rng.sample(EVIDENCE_KINDS, self.dice.between(1, 3)), key=EVIDENCE_KINDS.index)
        self.runs += 1
        produced = run.finished or self.created
        for kind in kinds:
            name, media_type, title, data = self._evidence_file(run, kind, produced)
            path = f"evidence/{run.tenant.id}/{run.slug}/{name}"
            self._write_file(path, data)
            sha256 = hashlib.sha256(data).hexdigest()
            item = {
                "runId": run.id,
                "id": f"ev:{run.tenant.id}:{run.slug}:{kind}",
                "kind": kind,
                "title": self.dice.spice(title, 0.05),
                "path": path,
                "mediaType": media_type,
                "size": len(data),
                "sha256": sha256,
                "attestation": self._attest(path, sha256, run.id, kind, produced),
            }
            stream.write(encode(item) + "\n")
            self.previous_sha = sha256
        return len(kinds)

    def _evidence_file(self, run: Run, kind: str, produced: int) -> tuple[str, str, str, bytes]:
        """(file name, media type, title, bytes) of one evidence item."""
        if kind == "policy-run":
            summary = {
                "runId": run.id,
                "tenantId": run.tenant.id,
                "policyRevision": run.policy,
                "evaluatedAt": self.clock.iso(produced),
                "verdicts": {
                    "pass": run.completed,
                    "warn": len(run.findings),
                    "fail": len(run.segments) // 2,
                },
            }
            title = f"Policy run summary ({run.policy or 'no policy revision'})"
            return "policy-run.json", "application/json", title, pretty(summary)
        if kind == "findings-delta":
            return "findings-delta.csv", "text/csv", "Findings delta (CSV)", self._findings_csv(run)
        if kind == "scanner-bundle":
            self.bundles += 1
            damaged = self.bundles == 2 or (self.bundles > 2 and self.r() < 0.1)
            return (
                "scanner-bundle.tar.gz",
                BUNDLE_MEDIA_TYPE,
                "Scanner evidence bundle",
                self._bundle(run, damaged),
            )
        if kind == "explain-bundle":
            explain = {
                "runId": run.id,
                "rules": [
                    {"rule": "block-kev-critical", "matched": sum(1 for f in run.findings if f.kev)},
                    {
                        "rule": "warn-high-in-prod",
                        "matched": sum(1 for f in run.findings if f.severity == "high"),
                    },
                ],
            }
            return "explain.json", "application/json", "Policy explain trace", pretty(explain)
        iso = self.clock.iso
        lines = [f"{iso(run.created)} planner: {run.candidates} candidates across {run.shard_count} shards"]
        lines += [
            f"{iso(s.started)} {s.id} on {s.executor}: {s.processed}/{s.target}" for s in run.segments if s.started
        ]
        return "planner-trace.log", "text/plain", "Planner trace", ("\n".join(lines) + "\n").encode("utf-8")

    def _findings_csv(self, run: Run) -> bytes:
        buffer = io.StringIO()
        columns = FINDINGS_COLUMNS
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for finding in _finding_dicts(run):
            writer.writerow(["" if finding[c] is None else finding[c] for c in columns])
        return buffer.getvalue().encode("utf-8")

    def _bundle(self, run: Run, damaged: bool) -> bytes:
        """A gzip'd tar of manifest.json and its entries; `damaged` lists one entry with a wrong sha256."""
        image = run.tenant.images[run.index % len(run.tenant.images)]
        sbom = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {"component": {"name": image.repository, "version": image.tags[0]}},
            "components": [{"purl": PACKAGES[p][0]} for p in image.packages],
        }
        entries = {
            "findings.json": ("application/json", pretty(_finding_dicts(run))),
            "sbom/image.cdx.json": ("application/vnd.cyclonedx+json", pretty(sbom)),
            "scan.log": ("text/plain", f"scanned {image.digest} in {run.id}\n".encode()),
        }
        listed = []
        for path, (content_type, data) in sorted(entries.items()):
            sha256 = hashlib.sha256(data).hexdigest()
            if damaged and path == "sbom/image.cdx.json":
                sha256 = hashlib.sha256(data + b"tampered").hexdigest()
            listed.append({"path": path, "size": len(data), "sha256": sha256, "contentType": content_type})
        created = self.clock.iso(run.finished or self.created)
        manifest = {"bundleId": f"bundle:{run.tenant.id}:{run.slug}", "createdAt": created, "entries": listed}
        members = {"manifest.json": pretty(manifest), **{path: entry[1] for path, entry in entries.items()}}
        return deterministic_targz(members, self.created)

    def _attest(
        self, path: str, sha256: str, run_id: str, kind: str, produced: int, variant: str | None = None
    ) -> str | None:
        """Write the file's attestation in `variant` (else the next); returns its path, None when unsigned."""
        variant = variant or self.attestations.pick(self.r())
        if variant == "unsigned":
            return None
        predicate = {"runId": run_id, "kind": kind, "producedAt": self.clock.iso(produced)}
        key: PrivateKey = self.untrusted_key if variant == "untrusted" else self.signing_key
        subject = sha256
        if variant == "invalid-digest":
            # The digest of another file (or, for identical contents, of nothing the snapshot holds).
            subject = self.previous_sha
            if subject == sha256:
                subject = hashlib.sha256(sha256.encode()).hexdigest()
        envelope = sign_attestation(path.rsplit("/", 1)[1], subject, EVIDENCE_PREDICATE_TYPE, predicate, [key])
        if variant == "invalid-signature":
            signature = bytearray(b64decode_strict(envelope["signatures"][0]["sig"]))
            signature[0] ^= 0x01
            envelope["signatures"][0]["sig"] = base64.b64encode(bytes(signature)).decode("ascii")
        attestation = f"{path}.dsse.json"
        self._write_file(attestation, dump_envelope(envelope))
        return attestation

    def write_large(self, stream: TextIO, total: int, run_id: str, tenant_id: str, slug: str) -> int:
        """`other` evidence of one run, `total` bytes in files of at most 64 MiB; returns the item count.

        The content is a seeded 1 MiB block, each MiB stamped with its offset.
        """
        block = self.dice.rng.randbytes(_BLOCK_BYTES)
        written = 0
        number = 0
        while written < total:
            number += 1
            size = min(_LARGE_FILE_BYTES, total - written)
            path = f"evidence/{tenant_id}/{slug}/large-{number:04d}.bin"
            digest = hashlib.sha256()
            (self.out / path).parent.mkdir(parents=True, exist_ok=True)
            with (self.out / path).open("wb") as handle:
                for offset in range(0, size, _BLOCK_BYTES):
                    chunk = (b"%016x" % (written + offset) + block[16:])[: size - offset]
                    handle.write(chunk)
                    digest.update(chunk)
            sha256 = digest.hexdigest()
            item = {
                "runId": run_id,
                "id": f"ev:{tenant_id}:{slug}:large-{number:04d}",
                "kind": "other",
                "title": f"Raw layer dump, part {number}",
                "path": path,
                "mediaType": "application/octet-stream",
                "size": size,
                "sha256": sha256,
                "attestation": self._attest(path, sha256, run_id, "other", self.created, "verified"),
            }
            stream.write(encode(item) + "\n")
            written += size
        return number

    def _write_file(self, relative: str, data: bytes) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _finding_dicts(run: Run) -> list[dict[str, Any]]:
    return [json.loads(finding_line(run, finding)) for finding in run.findings]

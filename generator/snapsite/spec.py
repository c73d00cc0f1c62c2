"""Every name the specs fix, in one place: file names, schema versions, predicate and media types.

The snapshot spec (`runs-snapshot-v1.md`) and the site contract name these; signing, verification, export and the
build must agree on them byte for byte, so each is written once, here, and imported everywhere else.
"""

from __future__ import annotations

from typing import Final

# The snapshot (runs-snapshot-v1.md, sections 2 and 3)
SCHEMA_VERSION: Final = "stellaops.runs-snapshot@1"
MANIFEST: Final = "manifest.json"
ENVELOPE: Final = "manifest.dsse.json"
TENANTS: Final = "tenants.json"
RUNS: Final = "runs.ndjson"
SNAPSHOT_PREDICATE_TYPE: Final = "https://stella-ops.org/attestations/runs-snapshot/1"
EVIDENCE_PREDICATE_TYPE: Final = "https://stella-ops.org/attestations/evidence/1"
BUNDLE_MEDIA_TYPE: Final = "application/vnd.stellaops.evidence-bundle.v1+tar+gzip"
BUNDLE_MANIFEST: Final = "manifest.json"

# The site (site-contract.md) and what snapsite writes for auditors
SUMS: Final = "SHA256SUMS"
SITE_ENVELOPE: Final = "site.dsse.json"
SITE_PREDICATE_TYPE: Final = "https://stella-ops.org/attestations/runs-snapshot-site/1"
RUN_BUNDLE_SCHEMA: Final = "stellaops.runs-snapshot-bundle@1"

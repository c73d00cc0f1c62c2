"""Verifying the two snapshots of a comparison, each in full, and naming the one that failed.

Nothing unsigned may change what is built or reported, so OLD is verified like NEW (same trust roots, threshold
and limits) and `--allow-unverified` never covers it. A failure keeps its own exit code and says which snapshot
it is: "OLD snapshot kit-monday.tar.zst: signature: manifest.dsse.json: ...".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from snapsite.changes.compare import Changes
from snapsite.changes.facts import FactsCollector, SnapshotFacts
from snapsite.errors import SnapshotError, SnapsiteError, UsageError
from snapsite.snapshot.container import Limits, open_container
from snapsite.textsafe import terminal_safe
from snapsite.trust.roots import TrustRoot
from snapsite.verify.steps import VerificationReport, verify_container


class SideError(SnapsiteError):
    """A snapshot of a pair failed verification: its own error and exit code, and which of the two it is."""

    def __init__(self, side: str, source: str, error: SnapshotError) -> None:
        self.side = side
        self.source = source
        self.error = error
        self.exit_code = error.exit_code
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.side} snapshot {terminal_safe(self.source)}: {self.error.line()}"


@dataclass(frozen=True)
class Verified:
    """One side of a pair: its full verification report and, when it passed, its facts."""

    side: str  # OLD | NEW
    report: VerificationReport
    facts: SnapshotFacts | None

    def error(self) -> SideError | None:
        """The side's first failure, named, or None when it verified."""
        if self.report.verified:
            return None
        return SideError(self.side, self.report.source, self.report.errors[0])


def verify_side(
    side: str,
    path: Path,
    trust_root: TrustRoot,
    threshold: int,
    limits: Limits,
    tenants: frozenset[str] | None,
) -> Verified:
    """Verify one snapshot in full, keeping its facts (only the selected tenants'); never raises SnapshotError."""
    report = VerificationReport(source=str(path), threshold=threshold)
    collector = FactsCollector(report, tenants)
    try:
        container = open_container(path, limits)
    except SnapshotError as exc:
        report.errors.append(exc)
        return Verified(side, report, None)
    with container:
        verify_container(container, trust_root, threshold, report, sink=collector)
    return Verified(side, report, collector.facts() if report.verified else None)


def check_pair(changes: Changes, force: bool, flag: str = "--force") -> None:
    """Refuse to compare snapshots of different environments or sources unless `force` (exit 3)."""
    if changes.mismatches and not force:
        raise UsageError(
            "the snapshots are not of the same scheduler: "
            + "; ".join(terminal_safe(m) for m in changes.mismatches)
            + f" ({flag} compares them anyway)"
        )


def verify_pair(
    old: Path,
    new: Path,
    trust_root: TrustRoot,
    threshold: int,
    limits: Limits,
    tenants: frozenset[str] | None,
) -> tuple[Verified, Verified]:
    """Verify OLD, then NEW, both in full with the same roots and limits (both run even when OLD fails, so that
    the report names every failing snapshot)."""
    return (
        verify_side("OLD", old, trust_root, threshold, limits, tenants),
        verify_side("NEW", new, trust_root, threshold, limits, tenants),
    )


def failed_json(sides: tuple[Verified, Verified]) -> dict[str, object]:
    """The `diff --json` document when a side failed: both verification reports, and the failing side's code."""
    failed = [side for side in sides if not side.report.verified]
    return {
        "status": "failed",
        "exitCode": failed[0].report.exit_code if failed else 0,
        "failed": [side.side for side in failed],
        "old": sides[0].report.as_json(),
        "new": sides[1].report.as_json(),
    }

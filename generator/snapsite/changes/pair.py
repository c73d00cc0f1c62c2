"""Verifying the two snapshots of a comparison, each in full, and naming the one that failed.

Nothing unsigned may change what is built or reported, so OLD is verified like NEW (same trust roots, threshold
and limits) and `--allow-unverified` never covers it. A failure keeps its own exit code and says which snapshot
it is: "OLD snapshot kit-monday.tar.zst: signature: manifest.dsse.json: ...".

The two are independent, so a large OLD is verified in a worker process (from a 'forkserver': the caller may hold
threads, as `serve` does) while this process verifies NEW: a pair costs about the wall time of its larger side
instead of the sum, on a machine with two cores.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path

from snapsite.changes.compare import Changes
from snapsite.changes.facts import FactsCollector, SnapshotFacts
from snapsite.errors import SnapshotError, SnapsiteError, UsageError
from snapsite.snapshot.container import open_container
from snapsite.snapshot.limits import Limits
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


# Below this many bytes, starting a worker process costs more than verifying OLD here, after NEW.
BACKGROUND_FROM_BYTES = 32 << 20


@dataclass(frozen=True)
class Side:
    """How to verify one snapshot of a pair; a worker process receives it whole, the trust root's keys included
    (they pickle as DER), so both sides are checked against the very keys the caller loaded."""

    side: str  # OLD | NEW
    path: Path
    trust_root: TrustRoot
    threshold: int
    limits: Limits
    tenants: frozenset[str] | None

    def verify(self) -> Verified:
        """Verify this side in this process."""
        return verify_side(self.side, self.path, self.trust_root, self.threshold, self.limits, self.tenants)


class Pending:
    """A side being verified, in a worker process or (small snapshots) on demand in this one."""

    def __init__(self, side: Side, worker: _Worker | None) -> None:
        self._side = side
        self._worker = worker

    def result(self) -> Verified:
        """The side's verification, waiting for the worker; an error that stopped the worker is raised here."""
        if self._worker is None:
            return self._side.verify()
        return self._worker.result()


class _Worker:
    """One forkserver process verifying a side and sending its pickled result through a pipe.

    Not a multiprocessing Pool: a Pool waits forever on a result it cannot unpickle or on a worker that died
    (killed for memory), where this raises; and leaving `verifying` must end a worker still running.
    """

    def __init__(self, side: Side) -> None:
        context = get_context("forkserver")
        context.set_forkserver_preload([__name__])
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_verify_and_send, args=(side, send), daemon=True)
        self._process.start()
        send.close()  # only the worker holds the sending end: its death ends recv_bytes with EOFError
        self._side = side.side

    def result(self) -> Verified:
        try:
            payload = self._receive.recv_bytes()
        except EOFError:  # the worker died without a word: killed (out of memory?) or crashed
            self._process.join()
            raise SnapsiteError(
                f"{self._side} snapshot: verification stopped: its worker process ended with exit code "
                f"{self._process.exitcode} (killed, perhaps for memory)"
            ) from None
        outcome = pickle.loads(payload)  # noqa: S301 - from our own worker process, never from the snapshot
        if isinstance(outcome, BaseException):
            raise outcome
        verified: Verified = outcome
        return verified

    def end(self) -> None:
        """Stop the worker if it still runs (the caller failed first) and release its pipe."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _verify_and_send(side: Side, send: Connection) -> None:
    """In the worker: verify `side` and send the result, or the error that stopped it, pickled."""
    try:
        outcome: object = side.verify()
    except Exception as exc:
        outcome = exc
    try:
        payload = pickle.dumps(outcome)
    except Exception as exc:  # an error that does not pickle still reaches the parent, as text
        payload = pickle.dumps(SnapsiteError(f"{side.side} snapshot: verification failed: {type(exc).__name__}"))
    send.send_bytes(payload)
    send.close()


def _size(path: Path) -> int:
    """Bytes of a snapshot file or folder (its files, not following links), for choosing where to verify it."""
    if not path.is_dir():
        return path.stat().st_size if path.exists() else 0
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(folder) / name).lstat().st_size
            except OSError:
                continue  # gone meanwhile: verification reports it
    return total


@contextmanager
def verifying(side: Side, from_bytes: int = BACKGROUND_FROM_BYTES) -> Iterator[Pending]:
    """Start verifying `side` beside the caller's own work; leaving the block ends the worker, finished or not.

    A snapshot under `from_bytes` (or a one-core machine) is verified in this process when its result is asked
    for. The worker is terminated when the caller fails first (NEW failed, Ctrl-C): nothing waits on a side whose
    result no longer matters.
    """
    if (os.cpu_count() or 1) < 2 or _size(side.path) < from_bytes:
        yield Pending(side, None)
        return
    worker = _Worker(side)
    try:
        yield Pending(side, worker)
    finally:
        worker.end()


def check_pair(changes: Changes, force: bool, flag: str = "--force") -> None:
    """Refuse to compare snapshots of different environments or sources unless `force` (exit 3)."""
    if changes.mismatches and not force:
        raise UsageError(
            "the snapshots are not of the same scheduler: "
            + "; ".join(terminal_safe(m) for m in changes.mismatches)
            + f" ({flag} compares them anyway)"
        )


def verify_pair(old: Side, new: Side, from_bytes: int = BACKGROUND_FROM_BYTES) -> tuple[Verified, Verified]:
    """Verify OLD and NEW, both in full with the same roots and limits, OLD in a worker while NEW is verified here
    (both run even when one fails, so that the report names every failing snapshot)."""
    with verifying(old, from_bytes) as pending:
        verified_new = new.verify()
        return pending.result(), verified_new


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

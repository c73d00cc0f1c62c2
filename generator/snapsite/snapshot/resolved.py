"""Resolved failures (site contract): a failed run that a later retry completed is no longer open.

Operators act on the Failures tab and on `scripts/retry-failed-runs.sh`; a failure that a retry already fixed must
not look open there, or it is retried twice. The rule follows `retryOf` back from each completed run through the
failed retries before it: every run in state `error` on that chain is resolved by the completed run. Only runs of
the build take part, so a `--tenant` build never names another tenant's run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryLink:
    """What the rule needs of a run: its id, state, `retryOf` and creation time (for a stable choice)."""

    id: str
    state: str
    retry_of: str | None
    created_at: str


def resolved_by(runs: Iterable[RetryLink]) -> dict[str, str]:
    """Each resolved failure's id -> the id of the completed run that resolved it.

    When several completed retries resolve the same failure, the earliest (by `createdAt`, then id) is named, so the
    answer does not depend on the order of the records. A chain stops at a run that is not a failure (a cancelled
    retry resolves nothing) and at a run outside the build; a `retryOf` cycle cannot loop.
    """
    by_id = {run.id: run for run in runs}
    resolved: dict[str, str] = {}
    completed = sorted((run for run in by_id.values() if run.state == "completed"), key=lambda r: (r.created_at, r.id))
    for fixer in completed:
        seen: set[str] = set()
        target = by_id.get(fixer.retry_of) if fixer.retry_of else None
        while target is not None and target.state == "error" and target.id not in seen:
            seen.add(target.id)
            resolved.setdefault(target.id, fixer.id)
            target = by_id.get(target.retry_of) if target.retry_of else None
    return resolved


def retried_by(runs: Iterable[RetryLink]) -> dict[str, tuple[str, ...]]:
    """Each run's id -> the ids of the runs that retried it directly, oldest first (the page links forward)."""
    forward: dict[str, list[tuple[str, str]]] = {}
    for run in runs:
        if run.retry_of:
            forward.setdefault(run.retry_of, []).append((run.created_at, run.id))
    return {target: tuple(rid for _, rid in sorted(retries)) for target, retries in forward.items()}

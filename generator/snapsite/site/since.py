"""A `--since OLD` build: OLD verified in full (never rendered), compared with the build's snapshot, and the
comparison turned into the site's parts (banner, cards, `changes` tab data, run pages, schedules).

OLD is checked like the build's snapshot (same trust roots, threshold and limits), and `--allow-unverified`
never covers it: nothing unsigned may change what is built. A failure of either names its snapshot and keeps
its exit code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from snapsite.changes.compare import Changes, compare
from snapsite.changes.facts import FactsCollector
from snapsite.changes.pair import BACKGROUND_FROM_BYTES, Pending, Side, SideError, check_pair, verifying
from snapsite.errors import SnapshotError
from snapsite.site.config import BuildOptions
from snapsite.site.views.changes import (
    RunChangeView,
    ScheduleChangeView,
    SinceInfo,
    card_changes,
    failures_moved,
    run_change_views,
    schedule_change_views,
    since_info,
    tab_data,
)
from snapsite.trust.roots import TrustRoot

CHANGES_DATA = "data/changes.js"


@dataclass(frozen=True)
class SinceParts:
    """Everything a `--since` build adds to the site."""

    changes: Changes
    info: SinceInfo
    cards: dict[str, str]  # card test id -> its move since OLD
    failures: str  # "+3 failures"
    runs: dict[str, RunChangeView]  # run id -> what its page says
    tab: dict[str, Any]  # data/changes.js
    schedules: tuple[ScheduleChangeView, ...]


def named(error: SnapshotError, source: str) -> SideError:
    """The build's own snapshot's failure, named as NEW's in a `--since` build."""
    return SideError("NEW", source, error)


@contextmanager
def verifying_old(
    options: BuildOptions, trust_root: TrustRoot, from_bytes: int = BACKGROUND_FROM_BYTES
) -> Iterator[Pending | None]:
    """OLD (`options.since`) being verified, in a worker while the build verifies its own snapshot; None without
    `--since`. Same trust roots, threshold, limits and tenants as the build."""
    if options.since is None:
        yield None
        return
    tenants = frozenset(options.tenants) if options.tenants else None
    side = Side("OLD", options.since, trust_root, options.threshold, options.limits, tenants)
    with verifying(side, from_bytes) as pending:
        yield pending


def since_parts(
    options: BuildOptions,
    pending: Pending,
    new: FactsCollector,
    slugs: Mapping[str, str],
    tenant_names: Mapping[str, str],
) -> SinceParts:
    """Take OLD's verification (`pending`), compare it with the build's snapshot (`new`, already verified) and
    make the site's parts; raises a SideError naming OLD, or a UsageError for a pair of different schedulers."""
    old = pending.result()
    error = old.error()
    if error is not None:
        raise error
    assert old.facts is not None
    changes = compare(old.facts, new.facts())
    check_pair(changes, options.force_since, "--force-since")
    info = since_info(changes, old.facts.created_at)
    return SinceParts(
        changes=changes,
        info=info,
        cards=card_changes(changes, info),
        failures=failures_moved(changes.totals_before, changes.totals_after),
        runs=run_change_views(changes, slugs),
        tab=tab_data(changes),
        schedules=schedule_change_views(changes, tenant_names),
    )

"""The Runs workspace page (`index.html`) and its no-JavaScript listing pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from snapsite.site.views.attention import AttentionItem
from snapsite.site.views.changes import ChangeRow, SinceInfo
from snapsite.site.views.rows import ACTIVE_STATES, RunRow

STATIC_ROWS = 100  # rows of the default view rendered into index.html itself
LIST_PAGE_SIZE = 500  # runs per no-JavaScript listing page
TABS = (
    ("active", "Active"),
    ("completed", "Completed"),
    ("scheduled", "Scheduled"),
    ("failures", "Failures"),
    ("all", "All"),
)
CHANGES_TAB = ("changes", "Changes")  # only in a `--since` build
TAB_STATES = {
    "active": ACTIVE_STATES,
    "completed": frozenset({"completed", "cancelled"}),
    "failures": frozenset({"error"}),
}


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    detail: str
    testid: str
    change: str | None = None  # its move since OLD in a `--since` build: "+3 since 2026-11-19 12:00:00 UTC"


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter of the runs table offers (all present in this build)."""

    tenants: tuple[tuple[str, str], ...]  # id, name
    triggers: tuple[str, ...]
    states: tuple[str, ...]
    schedules: tuple[tuple[str, str], ...]  # id, name
    policies: tuple[str, ...]
    shards: tuple[int, ...]
    error_codes: tuple[str, ...]


@dataclass(frozen=True)
class IndexPage:
    cards: tuple[Card, ...]
    tab_counts: tuple[tuple[str, str, int], ...]  # key, label, count
    rows: tuple[RunRow, ...]  # the default view (active, newest first), first STATIC_ROWS
    active_total: int
    filters: FilterOptions
    list_pages: tuple[tuple[str, str], ...]  # href, label ("runs 1-500")
    data_files: tuple[str, ...]  # classic scripts holding every run row: data/meta.js first, then runs files in order
    backlog: tuple[tuple[str, int], ...]  # header backlog metrics: (label, value)
    changes: tuple[ChangeRow, ...] = ()  # a `--since` build: the first rows of the changes tab, for no-JavaScript
    changes_total: int = 0
    attention: tuple[AttentionItem, ...] = ()  # the attention strip, most urgent first


def newest_first(rows: Sequence[RunRow]) -> list[RunRow]:
    """Rows sorted by createdAt descending, then id (a total, deterministic order)."""
    return sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)


def tab_counts(rows: Sequence[RunRow], schedules: int, changes: int | None = None) -> tuple[tuple[str, str, int], ...]:
    """The count shown on each tab; `scheduled` counts schedules; `changes` (rows of the changes tab) adds that
    tab, last."""
    states = Counter(r.state for r in rows)
    counts = {key: sum(states[s] for s in members) for key, members in TAB_STATES.items()}
    counts["scheduled"] = schedules
    counts["all"] = len(rows)
    tabs = tuple((key, label, counts[key]) for key, label in TABS)
    return tabs if changes is None else (*tabs, (*CHANGES_TAB, changes))


def changes_card(since: SinceInfo, failures: str) -> Card:
    """The card of a `--since` build: how many runs changed, how, and how many of OLD's are gone."""
    total = since.new + since.state + since.resolved
    detail = (
        f"{since.new} new, {since.state} changed state, {since.resolved} resolved; {failures}; "
        f"{since.vanished} runs of the older snapshot not in this one"
    )
    return Card(f"Changes since {since.created_at_text}", str(total), detail, "card-changes")


def list_page_name(number: int) -> str:
    """The file of no-JavaScript listing page `number` (from 1)."""
    return f"list/page-{number:04d}.html"


def filter_options(
    rows: Sequence[RunRow], tenants: Sequence[tuple[str, str]], schedules: Sequence[tuple[str, str]]
) -> FilterOptions:
    """Every value present in the build, sorted, for the filter controls."""
    return FilterOptions(
        tenants=tuple(tenants),
        triggers=tuple(sorted({r.trigger for r in rows})),
        states=tuple(sorted({r.state for r in rows})),
        schedules=tuple(schedules),
        policies=tuple(sorted({r.policy_revision for r in rows if r.policy_revision})),
        shards=tuple(sorted({r.shard_count for r in rows})),
        error_codes=tuple(sorted({r.error_code for r in rows if r.error_code})),
    )

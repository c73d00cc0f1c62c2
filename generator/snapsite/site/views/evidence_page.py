"""The evidence page (`evidence.html`): every evidence download of the build, and bundles for offline use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from snapsite.formats.downloads import command_line, option
from snapsite.site.views.format import size
from snapsite.site.views.rows import RunRow
from snapsite.site.views.runs import EvidenceView, SiteBundle

SIGNATURE_STATUSES = ("verified", "unsigned", "untrusted", "invalid")
BUNDLE_STATUSES = ("intact", "damaged")


@dataclass(frozen=True)
class EvidenceEntry:
    """One evidence download with the run it belongs to."""

    run_id: str
    run_slug: str
    tenant_id: str
    item: EvidenceView


@dataclass(frozen=True)
class BundleCommand:
    """The CLI line that packages one run's evidence into a single tarball."""

    run_id: str
    run_slug: str
    command: str
    bundle: SiteBundle | None = None  # the bundle the build wrote into the site, when it did


@dataclass(frozen=True)
class EvidencePage:
    """Everything `evidence.html` shows."""

    entries: tuple[EvidenceEntry, ...]  # newest run first, then evidence id
    status_counts: tuple[tuple[str, int], ...]  # every signature status, in SIGNATURE_STATUSES order
    bundle_counts: tuple[tuple[str, int], ...]  # intact / damaged; empty when the build has no bundles
    total_size_text: str
    bundles_enabled: bool  # runs.evidenceBundles
    bundle_commands: tuple[BundleCommand, ...]  # one per run with evidence, when bundles are enabled
    hidden: int  # items withheld by the build's scopes


def bundle_command(run_id: str) -> str:
    """`stella runs export --run=<id> --bundle`, shell-quoted, the id inside its option (it may start with `-`)."""
    return command_line(("stella", "runs", "export", option("run", run_id), "--bundle"))


def count_statuses(values: Sequence[str], known: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Counts of every known value (zeros kept, so a summary always reads the same), then any others."""
    counter = Counter(values)
    extra = sorted(set(counter) - set(known))
    return tuple((name, counter[name]) for name in (*known, *extra))


def evidence_page(
    entries: Sequence[tuple[RunRow, EvidenceView]],
    bundles_enabled: bool,
    hidden: int,
    site_bundles: Mapping[str, SiteBundle] | None = None,
) -> EvidencePage:
    """The evidence page of the build from each shown item and its run; `hidden` items were withheld.

    `site_bundles` maps run ids to the bundles the build wrote into the site.
    """
    # Newest run first (as the runs table), then the item's id: an order independent of the input's.
    ordered = sorted(entries, key=lambda pair: pair[1].id)
    ordered.sort(key=lambda pair: (pair[0].created_at, pair[0].id), reverse=True)
    rows = tuple(EvidenceEntry(run.id, run.slug, run.tenant_id, item) for run, item in ordered)
    bundles = [item.bundle_status for _, item in ordered if item.bundle_status]
    commands: list[BundleCommand] = []
    if bundles_enabled:
        seen: set[str] = set()
        for run, _ in ordered:
            if run.id not in seen:
                seen.add(run.id)
                bundle = (site_bundles or {}).get(run.id)
                commands.append(BundleCommand(run.id, run.slug, bundle_command(run.id), bundle))
    return EvidencePage(
        entries=rows,
        status_counts=count_statuses([item.status for _, item in ordered], SIGNATURE_STATUSES),
        bundle_counts=count_statuses(bundles, BUNDLE_STATUSES) if bundles else (),
        total_size_text=size(sum(item.size for _, item in ordered)),
        bundles_enabled=bundles_enabled,
        bundle_commands=tuple(commands),
        hidden=hidden,
    )

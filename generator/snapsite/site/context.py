"""The one value a build hands to its page-family writers: `BuildContext`, and the page writer inside it.

Made once the snapshot is verified and its records collected; a writer reads what it needs from it, so adding
a fact for one page family changes no signature in between (the way MkDocs hands one config around).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snapsite import __version__
from snapsite.progress import Progress
from snapsite.site.collect import SiteCollector
from snapsite.site.config import BuildOptions, build_time
from snapsite.site.incremental import PreviousOutput
from snapsite.site.output import SiteWriter
from snapsite.site.render import Renderer
from snapsite.site.since import SinceParts
from snapsite.site.views.context import SiteInfo, heartbeat_warning, staleness
from snapsite.site.views.format import duration, iso
from snapsite.site.views.rows import Scopes
from snapsite.snapshot.container import Container
from snapsite.verify.steps import VerificationReport


@dataclass
class PageWriter:
    """Renders the site-wide pages into the writer, counting them."""

    renderer: Renderer
    writer: SiteWriter
    site: SiteInfo
    count: int = 0

    def write(self, relative: str, template: str, title: str, nav: str, **values: Any) -> None:
        root = "../" * relative.count("/")
        html = self.renderer.render(template, root=root, site=self.site, page_title=title, active_nav=nav, **values)
        self.writer.write_text(relative, html)
        self.count += 1


@dataclass(frozen=True)
class BuildContext:
    """What every page-family writer reads, made once the snapshot is verified and its records collected.

    One value handed around (as MkDocs hands its config) instead of the same seven to nine arguments threaded
    through each helper: a writer that needs one more fact reads it here, and no signature changes.
    """

    options: BuildOptions
    theme: list[Path]  # the theme's folders, the user's first and the default last
    renderer: Renderer
    pages: PageWriter  # renders into the output writer, counting the pages
    container: Container  # the verified (staged) snapshot: evidence and runbooks are copied from it
    report: VerificationReport
    collector: SiteCollector  # the records kept: rows, schedules, evidence, observability, the spill
    since: SinceParts | None  # a `--since` build's comparison
    previous: PreviousOutput | None  # the last build's output, for a verified snapshot's incremental build
    progress: Progress | None

    @property
    def writer(self) -> SiteWriter:
        """The output being written."""
        return self.pages.writer

    @property
    def site(self) -> SiteInfo:
        """The facts every page shows (title, snapshot, verification, staleness, tenants, scopes)."""
        return self.pages.site

    @property
    def scopes(self) -> Scopes:
        """What the build may show."""
        return self.collector.scopes


def site_info(options: BuildOptions, report: VerificationReport, since: SinceParts | None) -> SiteInfo:
    manifest = report.manifest
    assert manifest is not None
    built = build_time(manifest.created_at)
    tenant_ids = set(options.tenants) if options.tenants else None
    impact_age = None
    if manifest.impact_index_generated_at is not None:
        impact_age = duration((manifest.created_at - manifest.impact_index_generated_at).total_seconds())
    return SiteInfo(
        title=options.title,
        snapshot_id=manifest.snapshot_id,
        created_at=iso(manifest.created_at) or "",
        created_at_text=manifest.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        environment=manifest.environment,
        source=manifest.source,
        verification="verified" if report.verified else "unverified",
        verification_problems=tuple(e.line() for e in report.errors),
        keyids=tuple(report.trusted_keyids),
        staleness=staleness(manifest.created_at, built, manifest.staleness_window_hours),
        built_at=iso(built) or "",
        heartbeat_warning=heartbeat_warning(manifest),
        impact_index_age_text=impact_age,
        tenants=tuple(t for t in report.tenants if tenant_ids is None or t.id in tenant_ids),
        scopes=tuple(sorted(options.scopes)),
        features=tuple(sorted(options.features.items())),
        generator_version=__version__,
        since=since.info if since else None,
    )

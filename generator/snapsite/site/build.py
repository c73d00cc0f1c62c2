"""`snapsite build`: verify a snapshot and render the static Runs workspace, atomically."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snapsite import __version__
from snapsite.audit.sitesign import sign_site
from snapsite.changes.facts import FactsCollector
from snapsite.changes.pair import BACKGROUND_FROM_BYTES
from snapsite.errors import ExitCode
from snapsite.progress import Progress
from snapsite.site.collect import SiteCollector
from snapsite.site.config import BuildOptions, check_theme_folder
from snapsite.site.context import BuildContext, PageWriter, site_info
from snapsite.site.incremental import PreviousOutput, RenderState, tree_digest
from snapsite.site.output import SiteWriter
from snapsite.site.render import Renderer, collect_assets, theme_dirs
from snapsite.site.run_pages import PARALLEL_FROM_RUNS, RunContext, plan_buckets, rendering_runs
from snapsite.site.since import SinceParts, named, since_parts, verifying_old
from snapsite.site.site_pages import write_site_pages
from snapsite.site.spill import Spill
from snapsite.site.views.evidence_page import evidence_page
from snapsite.site.views.format import size
from snapsite.site.views.rows import Scopes
from snapsite.site.views.runs import SiteBundle, bundle_file, evidence_view
from snapsite.snapshot.container import open_container
from snapsite.snapshot.records import EvidenceItem
from snapsite.trust.roots import load_trust_root
from snapsite.verify.evidence import EvidenceStatus
from snapsite.verify.sink import Both
from snapsite.verify.steps import VerificationReport, verify_container


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the summary line and the tests."""

    output: Path
    report: VerificationReport
    runs: int
    pages: int
    files: int
    bytes: int
    seconds: float
    reused_runs: int = 0  # run pages taken unchanged from the previous output
    render_state: RenderState | None = None  # for the next incremental build; None for an unverified site


def build_site(
    options: BuildOptions,
    progress: Progress | None = None,
    previous: PreviousOutput | None = None,
    parallel_from: int = PARALLEL_FROM_RUNS,
    background_from: int = BACKGROUND_FROM_BYTES,
) -> BuildResult:
    """Verify `options.snapshot` and render it into `options.output`; the old output survives any failure.

    With `previous` (the output of the last build and its render state), the files of runs whose inputs are
    unchanged are taken from it instead of rendered again, giving the same bytes as a full build. Run pages are
    rendered in worker processes from `parallel_from` runs on; a `--since` snapshot of `background_from` bytes or
    more is verified in a worker while this process verifies the build's own.
    """
    started = time.monotonic()
    trust_root = load_trust_root(options.trust_roots)
    dirs = theme_dirs(options.theme)
    if len(dirs) > 1:
        check_theme_folder(dirs[0], options.snapshot)
    writer = SiteWriter(options.output, _inputs_of(options, dirs), options.force)
    try:
        with (
            verifying_old(options, trust_root, background_from) as old,
            open_container(options.snapshot, options.limits) as container,
            _spill_folder(writer) as spill_dir,
        ):
            report = VerificationReport(source=str(options.snapshot), threshold=options.threshold)
            scopes = _scopes(options)
            spill = Spill(spill_dir, buckets=256)
            collector = SiteCollector(
                report=report,
                spill=spill,
                tenants=frozenset(options.tenants) if options.tenants else None,
                scopes=scopes,
            )
            # A --since build also keeps the facts of this snapshot that the comparison with OLD needs.
            facts = FactsCollector(report, collector.tenants) if options.since is not None else None
            _step(progress, "verifying", 0, 1)
            verify_container(
                container,
                trust_root,
                options.threshold,
                report,
                sink=collector if facts is None else Both(collector, facts),
                keep_going=options.allow_unverified,
            )
            spill.close()
            collector.hide_outside_references()
            _refuse_unless_allowed(report, options)
            collector.finish_rows()
            since = None
            if facts is not None and old is not None:
                _step(progress, "verifying --since", 0, 1)
                tenant_names = {t.id: t.name for t in report.tenants}
                since = since_parts(options, old, facts, collector.slugs, tenant_names)
            assets = collect_assets(dirs)
            renderer = Renderer(dirs, assets)
            site = site_info(options, report, since)
            context = BuildContext(
                options=options,
                theme=dirs,
                renderer=renderer,
                pages=PageWriter(renderer, writer, site),
                container=container,
                report=report,
                collector=collector,
                since=since,
                previous=previous if report.verified else None,
                progress=progress,
            )
            for asset in assets.values():
                writer.write_bytes(asset.published, asset.data)
            rendered = _render(context, parallel_from)
        writer.write_sums()
        if options.sign_keys:
            sign_site(writer.root, options.sign_keys, _site_predicate(options, report, since))
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(
        output=options.output,
        report=report,
        runs=len(collector.rows),
        pages=rendered.pages,
        files=len(writer.digests) + 1,
        bytes=writer.bytes_written,
        seconds=time.monotonic() - started,
        reused_runs=rendered.reused_runs,
        render_state=rendered.state if report.verified else None,
    )


def _inputs_of(options: BuildOptions, theme: list[Path]) -> list[Path]:
    """What the output may neither be, hold nor sit in: everything the build reads."""
    config = [options.config] if options.config is not None else []
    own_theme = theme[:-1]  # the installed default theme is package data, never near an output
    return [options.snapshot, *options.trust_roots, *options.sign_keys, *config, *own_theme]


def _site_predicate(options: BuildOptions, report: VerificationReport, since: SinceParts | None) -> dict[str, Any]:
    """What the site's signature vouches for, beyond SHA256SUMS: its source (and OLD's, for `--since`) and how it
    was made."""
    predicate = {
        "snapshotId": report.snapshot_id,
        "generator": {"name": "snapsite", "version": __version__},
        "options": options.shaping(),
        "verification": {
            "verdict": "verified" if report.verified else "unverified",
            "keyids": report.trusted_keyids,
            "errors": [e.line() for e in report.errors],
        },
    }
    if since is not None:
        old = since.changes.old
        predicate["since"] = {"snapshotId": old.snapshot_id, "createdAt": old.created_at, "force": options.force_since}
    return predicate


@contextmanager
def _spill_folder(writer: SiteWriter) -> Iterator[Path]:
    """A scratch folder beside the output (same disk), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=".snapsite-spill-", dir=writer.root.parent) as folder:
        yield Path(folder)


def _step(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _scopes(options: BuildOptions) -> Scopes:
    return Scopes(
        policy="policy:runs" in options.scopes,
        downloads="downloads.read" in options.scopes,
        manage="runs.manage" in options.scopes and options.feature("runs.retry.enabled"),
        bundles=options.feature("runs.evidenceBundles"),
    )


def _refuse_unless_allowed(report: VerificationReport, options: BuildOptions) -> None:
    """Raise the first verification error unless `--allow-unverified` covers it (signatures, digests)."""
    if not report.errors:
        return
    coverable = {ExitCode.SIGNATURE, ExitCode.DIGEST}
    if options.allow_unverified and all(e.exit_code in coverable for e in report.errors):
        return
    raise report.errors[0] if options.since is None else named(report.errors[0], report.source)


@dataclass(frozen=True)
class _Rendered:
    pages: int
    reused_runs: int
    state: RenderState


def _render(context: BuildContext, parallel_from: int) -> _Rendered:
    """Write every page and file of the site, taking unchanged buckets' files from `context.previous`."""
    report, collector, writer, since, scopes = (
        context.report,
        context.collector,
        context.writer,
        context.since,
        context.scopes,
    )
    statuses = {e.id: e for e in report.evidence}
    by_run: dict[str, list[tuple[EvidenceItem, EvidenceStatus]]] = defaultdict(list)
    for item in collector.evidence:
        by_run[item.run_id].append((item, statuses[item.id]))
    rows = collector.rows
    run_context = RunContext(
        renderer=context.renderer,
        theme_key=tree_digest(context.theme),
        site=context.site,
        scopes=scopes,
        tenant_names={t.id: t.name for t in report.tenants},
        schedule_names={s.id: s.name for s in collector.schedules},
        run_ids=frozenset(collector.run_ids),
        run_slugs=collector.slugs,
        evidence=by_run,
        output_root=writer.root,
        now=collector.now,
        container=context.container,
        bundles=scopes.bundles and scopes.downloads,
        previous=context.previous,
        changes=since.runs if since else {},
    )
    jobs, state = plan_buckets(run_context, rows, collector.spill, collector.findings_per_run)
    for job in jobs:
        for name in job.files:
            writer.claim_external(name)
    pages = context.pages
    bundles: dict[str, SiteBundle] = {}
    bundle_owner = {bundle_file(row.slug): row.id for row in rows}
    reused = 0
    with rendering_runs(run_context, jobs, len(rows), context.progress, parallel_from) as run_files:
        for file in run_files:
            writer.record(file.path, file.sha256, file.size)
            reused += file.reused and file.path.startswith("runs/")
            if file.path.startswith("bundles/"):
                bundles[bundle_owner[file.path]] = SiteBundle(file.path, file.size, size(file.size), file.sha256)
    write_site_pages(context)
    row_of = {r.id: r for r in rows}
    entries = [
        (row_of[item.run_id], evidence_view(item, statuses[item.id], scopes))
        for item in collector.evidence
        if scopes.downloads and (scopes.policy or item.kind != "policy-run")
    ]
    hidden = len(collector.evidence) - len(entries)
    evidence = evidence_page(entries, scopes.bundles, hidden, bundles)
    pages.write("evidence.html", "evidence.html", "Evidence", "evidence.html", page=evidence)
    return _Rendered(len(rows) + pages.count, reused, state)

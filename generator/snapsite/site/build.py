"""`snapsite build`: verify a snapshot and render the static Runs workspace, atomically."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from snapsite import __version__
from snapsite.audit.sitesign import sign_site
from snapsite.changes.facts import FactsCollector
from snapsite.errors import ExitCode
from snapsite.formats.downloads import command_script, option, submit_script
from snapsite.progress import Progress
from snapsite.site.collect import SiteCollector
from snapsite.site.config import BuildOptions, build_time, check_theme_folder
from snapsite.site.incremental import PreviousOutput, RenderState, tree_digest
from snapsite.site.output import SiteWriter
from snapsite.site.render import Renderer, collect_assets, json_for_script, theme_dirs
from snapsite.site.run_pages import PARALLEL_FROM_RUNS, RunContext, plan_buckets, rendering_runs
from snapsite.site.runbooks import RUNBOOK_FILE, builtin_runbooks, markdown_renderer, render_runbooks
from snapsite.site.since import CHANGES_DATA, SinceParts, both, named, since_parts
from snapsite.site.spill import Spill, bucket_of
from snapsite.site.views.attention import attention_items, refresh_command
from snapsite.site.views.changes import static_change_rows
from snapsite.site.views.context import SiteInfo, heartbeat_warning, staleness
from snapsite.site.views.evidence_page import evidence_page
from snapsite.site.views.format import duration, iso, runbook_name, size
from snapsite.site.views.index import (
    LIST_PAGE_SIZE,
    STATIC_ROWS,
    Card,
    IndexPage,
    changes_card,
    filter_options,
    list_page_name,
    newest_first,
    tab_counts,
)
from snapsite.site.views.observability import observability_page
from snapsite.site.views.runs import (
    ACTIVE_STATES,
    RunRow,
    Scopes,
    SiteBundle,
    attestation_href,
    bundle_file,
    evidence_href,
    evidence_view,
    open_failures,
)
from snapsite.site.views.schedules import ScheduleRow, schedules_page
from snapsite.site.views.verification_page import verification_page
from snapsite.snapshot.container import Container, open_container
from snapsite.snapshot.records import EvidenceItem
from snapsite.trust.roots import load_trust_root
from snapsite.verify.evidence import EvidenceStatus
from snapsite.verify.steps import VerificationReport, verify_container

ROWS_PER_DATA_FILE = 10_000


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
) -> BuildResult:
    """Verify `options.snapshot` and render it into `options.output`; the old output survives any failure.

    With `previous` (the output of the last build and its render state), the files of runs whose inputs are
    unchanged are taken from it instead of rendered again, giving the same bytes as a full build. Run pages are
    rendered in worker processes from `parallel_from` runs on.
    """
    started = time.monotonic()
    trust_root = load_trust_root(options.trust_roots)
    dirs = theme_dirs(options.theme)
    if len(dirs) > 1:
        check_theme_folder(dirs[0], options.snapshot)
    writer = SiteWriter(options.output, _inputs_of(options, dirs), options.force)
    try:
        with open_container(options.snapshot, options.limits) as container, _spill_folder(writer) as spill_dir:
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
                sink=collector if facts is None else both(collector, facts),
                keep_going=options.allow_unverified,
            )
            spill.close()
            collector.hide_outside_references()
            _refuse_unless_allowed(report, options)
            collector.finish_rows()
            since = None
            if facts is not None:
                _step(progress, "verifying --since", 0, 1)
                tenant_names = {t.id: t.name for t in report.tenants}
                since = since_parts(options, trust_root, facts, collector.slugs, tenant_names)
            reusable = previous if report.verified else None
            rendered = _render(
                container, options, dirs, report, collector, writer, spill, progress, reusable, since, parallel_from
            )
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


def _site_info(
    options: BuildOptions, report: VerificationReport, collector: SiteCollector, since: SinceParts | None
) -> SiteInfo:
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


@dataclass(frozen=True)
class _Rendered:
    pages: int
    reused_runs: int
    state: RenderState


@dataclass
class _Pages:
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


def _render(
    container: Container,
    options: BuildOptions,
    dirs: list[Path],
    report: VerificationReport,
    collector: SiteCollector,
    writer: SiteWriter,
    spill: Spill,
    progress: Progress | None,
    previous: PreviousOutput | None,
    since: SinceParts | None,
    parallel_from: int,
) -> _Rendered:
    """Write every page and file of the site, taking unchanged buckets' files from `previous`."""
    assets = collect_assets(dirs)
    renderer = Renderer(dirs, assets)
    site = _site_info(options, report, collector, since)
    scopes = collector.scopes
    statuses = {e.id: e for e in report.evidence}
    by_run: dict[str, list[tuple[EvidenceItem, EvidenceStatus]]] = defaultdict(list)
    for item in collector.evidence:
        by_run[item.run_id].append((item, statuses[item.id]))
    for asset in assets.values():
        writer.write_bytes(asset.published, asset.data)
    rows = collector.rows
    context = RunContext(
        renderer=renderer,
        theme_key=tree_digest(dirs),
        site=site,
        scopes=scopes,
        tenant_names={t.id: t.name for t in report.tenants},
        schedule_names={s.id: s.name for s in collector.schedules},
        run_ids=frozenset(collector.run_ids),
        run_slugs=collector.slugs,
        evidence=by_run,
        output_root=writer.root,
        now=collector.now,
        container=container,
        bundles=scopes.bundles and scopes.downloads,
        previous=previous,
        changes=since.runs if since else {},
    )
    jobs, state = plan_buckets(context, rows, spill, collector.findings_per_run)
    for job in jobs:
        for name in job.files:
            writer.claim_external(name)
    pages = _Pages(renderer, writer, site)
    bundles: dict[str, SiteBundle] = {}
    bundle_owner = {bundle_file(row.slug): row.id for row in rows}
    reused = 0
    with rendering_runs(context, jobs, len(rows), progress, parallel_from) as run_files:
        for file in run_files:
            writer.record(file.path, file.sha256, file.size)
            reused += file.reused and file.path.startswith("runs/")
            if file.path.startswith("bundles/"):
                bundles[bundle_owner[file.path]] = SiteBundle(file.path, file.size, size(file.size), file.sha256)
    _site_pages(pages, container, options, dirs, report, collector, previous, since)
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


def _site_pages(
    pages: _Pages,
    container: Container,
    options: BuildOptions,
    dirs: list[Path],
    report: VerificationReport,
    collector: SiteCollector,
    previous: PreviousOutput | None,
    since: SinceParts | None,
) -> None:
    """The index, listing, schedules, observability, verification and runbook pages, data files and scripts."""
    writer, site, scopes = pages.writer, pages.site, collector.scopes
    ordered = newest_first(collector.rows)
    schedules_view = schedules_page(
        collector.schedules,
        list(site.tenants),
        collector.observability.queue_depth(),
        collector.slugs,
        collector.now,
        scopes.manage,
        impact_index_age=site.impact_index_age_text,
        impact_index_stale=_impact_stale(report),
    )
    data_files = _write_run_data(writer, ordered, collector.spill.buckets, schedules_view.rows, site)
    if collector.impact:
        writer.write_text("data/impact.js", f"window.snapsiteImpact={json_for_script(collector.impact)};\n")
    if since is not None:
        writer.write_text(CHANGES_DATA, f"window.snapsiteChanges={json_for_script(since.tab)};\n")
    list_pages = tuple(
        (list_page_name(n + 1), f"runs {n * LIST_PAGE_SIZE + 1}-{min(len(ordered), (n + 1) * LIST_PAGE_SIZE)}")
        for n in range(max(1, -(-len(ordered) // LIST_PAGE_SIZE)))
    )
    active_runs = sum(1 for r in ordered if r.state in ACTIVE_STATES)
    observability = observability_page(
        collector.observability, site.heartbeat_warning, collector.slugs, active_runs=active_runs
    )
    attention = attention_items(
        observability.alerts,
        ordered,
        heartbeat=site.heartbeat_warning,
        stale=site.staleness.level == "red",
        refresh=refresh_command(options.tenants, site.scopes),
    )
    index = _index_page(collector, site, ordered, list_pages, data_files, options, since)
    index = replace(index, attention=attention)
    pages.write("index.html", "index.html", "Runs", "index.html", page=index)
    for number, (href, _) in enumerate(list_pages, start=1):
        chunk = ordered[(number - 1) * LIST_PAGE_SIZE : number * LIST_PAGE_SIZE]
        title = f"All runs, page {number}"
        pages.write(href, "list.html", title, "index.html", rows=chunk, number=number, pages=list_pages)
    schedule_changes = since.schedules if since else None
    pages.write(
        "schedules.html", "schedules.html", "Schedules", "schedules.html", page=schedules_view, changes=schedule_changes
    )
    pages.write("observability.html", "observability.html", "Observability", "observability.html", page=observability)
    _copy_evidence(container, writer, collector, scopes, previous)
    files, hidden_files = _manifest_files(report, collector)
    run_ids = collector.run_ids
    verification = verification_page(
        report,
        files,
        hidden_files,
        records=collector.record_counts() if collector.tenants is not None else None,
        evidence=[e for e in report.evidence if e.run_id in run_ids] if collector.tenants is not None else None,
    )
    pages.write("verification.html", "verification.html", "Verification", "verification.html", page=verification)
    snapshot_runbooks = {
        match.group(1): container.read_bytes(name).decode("utf-8")
        for name in container.files()
        if (match := RUNBOOK_FILE.match(name))
    }
    md = markdown_renderer()
    for runbook in render_runbooks(snapshot_runbooks, builtin_runbooks(dirs), collector.error_codes, md):
        pages.write(
            f"runbooks/{runbook_name(runbook.code)}.html",
            "runbook.html",
            f"Runbook {runbook.code}",
            "",
            code=runbook.code,
            html=runbook.html,
            source=runbook.source,
        )
    _write_scripts(writer, site, collector.rows, scopes)


def _impact_stale(report: VerificationReport) -> bool:
    manifest = report.manifest
    assert manifest is not None
    generated = manifest.impact_index_generated_at
    return generated is None or (manifest.created_at - generated).total_seconds() > 24 * 3600


def _index_page(
    collector: SiteCollector,
    site: SiteInfo,
    ordered: Sequence[RunRow],
    list_pages: tuple[tuple[str, str], ...],
    data_files: tuple[str, ...],
    options: BuildOptions,
    since: SinceParts | None,
) -> IndexPage:
    active = [r for r in ordered if r.state in ACTIVE_STATES]
    queue = collector.observability.queue_depth()
    planner = int(sum(v for (_, _, stage), v in queue.items() if stage == "planner"))
    executor = int(sum(v for (_, _, stage), v in queue.items() if stage == "executor"))
    cards: tuple[Card, ...] = ()
    moved = since.cards if since else {}
    if options.feature("runs.dashboard.enabled"):
        cards = (
            Card("Active runs", f"{len(active):,}", "planning, queued or running", "card-active"),
            Card("Queue depth", f"{planner + executor:,}", f"planner {planner:,}, executor {executor:,}", "card-queue"),
            Card(
                "New findings",
                f"{sum(r.new_findings for r in ordered):,}",
                f"{sum(r.new_criticals for r in ordered):,} critical",
                "card-findings",
            ),
            Card("KEV deltas", f"{sum(r.kev_additions for r in ordered):,}", "known exploited additions", "card-kev"),
        )
        cards = tuple(replace(card, change=moved.get(card.testid)) for card in cards)
        if since is not None:
            cards += (changes_card(since.info, since.failures),)
    return IndexPage(
        cards=cards,
        tab_counts=tab_counts(ordered, len(collector.schedules), len(since.changes.runs) if since else None),
        rows=tuple(active[:STATIC_ROWS]),
        active_total=len(active),
        filters=filter_options(
            ordered,
            [(t.id, t.name) for t in site.tenants],
            sorted(((s.id, s.name) for s in collector.schedules), key=lambda pair: (pair[1], pair[0])),
        ),
        list_pages=list_pages,
        data_files=data_files,
        backlog=(("Planner backlog", planner), ("Executor backlog", executor)),
        changes=static_change_rows(since.changes, STATIC_ROWS, collector.slugs) if since else (),
        changes_total=len(since.changes.runs) if since else 0,
    )


RUN_FIELDS = (
    "id", "slug", "tenant_id", "schedule_id", "schedule_name", "trigger", "mode", "state", "initiator",
    "policy_revision", "correlation_id", "created_at", "started_at", "finished_at", "duration_seconds", "running",
    "progress_pct", "processed", "total", "new_findings", "new_criticals", "new_high", "new_medium", "new_low",
    "resolved", "quieted", "severity_shifts", "kev_additions", "badges", "error_code", "error_message",
    "retry_of", "shard_count", "resolved_by", "evidence_alert",
)  # fmt: skip


def _write_run_data(
    writer: SiteWriter, ordered: Sequence[RunRow], buckets: int, schedules: Sequence[ScheduleRow], site: SiteInfo
) -> tuple[str, ...]:
    """Every run row as classic script files (`file://` forbids fetch): arrays in `meta.fields` order.

    The last field of a row is the number of its drawer data file (`data/detail-NNNN.js`).
    """
    names = []
    for start in range(0, len(ordered), ROWS_PER_DATA_FILE):
        name = runs_data_file(start // ROWS_PER_DATA_FILE + 1)
        chunk = [
            [*(getattr(row, f) for f in RUN_FIELDS), bucket_of(row.id, buckets)]
            for row in ordered[start : start + ROWS_PER_DATA_FILE]
        ]
        writer.write_text(name, f"(window.snapsiteRuns=window.snapsiteRuns||[]).push({json_for_script(chunk)});\n")
        names.append(name)
    meta = {
        "fields": [*(_camel(f) for f in RUN_FIELDS), "detailFile"],
        "files": names,
        "runs": len(ordered),
        "snapshotId": site.snapshot_id,
        "createdAt": site.created_at,
        "stalenessWindowHours": site.staleness.window_hours,
        "scopes": list(site.scopes),
        "tenants": [[t.id, t.name] for t in site.tenants],
        "schedules": [
            {
                "id": r.id,
                "name": r.name,
                "tenantId": r.tenant_id,
                "status": r.status,
                "cron": r.cron,
                "timezone": r.timezone,
                "nextRun": r.next_run_iso,
                "earliestAfterResume": iso(r.earliest_after_resume),
                "problem": r.problem,
            }
            for r in schedules
        ],
    }
    writer.write_text("data/meta.js", f"window.snapsiteMeta={json_for_script(meta)};\n")
    return ("data/meta.js", *names)


def runs_data_file(number: int) -> str:
    """The classic script holding the `number`th (from 1) ROWS_PER_DATA_FILE rows of the runs table."""
    return f"data/runs-{number:04d}.js"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _copy_evidence(
    container: Container,
    writer: SiteWriter,
    collector: SiteCollector,
    scopes: Scopes,
    previous: PreviousOutput | None,
) -> None:
    """Evidence files and their attestations, under portable names, when downloads.read allows.

    An evidence file with the same name and digest in the previous output is linked from there (`previous` is
    only given for a verified snapshot, whose files match the manifest's digests).
    """
    if not scopes.downloads:
        return
    assert collector.report.manifest is not None
    digests = {f.path: f.sha256 for f in collector.report.manifest.files} if previous is not None else {}
    for item in collector.evidence:
        if not scopes.policy and item.kind == "policy-run":
            continue
        for href, path in ((evidence_href(item), item.path), (attestation_href(item), item.attestation)):
            if path is not None:
                writer.copy_file(href, container.path(path), previous, digests.get(path))


def _manifest_files(report: VerificationReport, collector: SiteCollector) -> tuple[list[tuple[str, int, str]], int]:
    """The manifest's files for the auditor's page, and how many more were verified but are not listed.

    A --tenant build lists only files that are wholly its own: its runs' evidence and attestations and the
    runbooks of its error codes. Shared files (runs.ndjson, ...) hold other tenants' records, so their sizes
    are totals the contract forbids, and other files may be named after other tenants: all are one number.
    """
    assert report.manifest is not None
    if collector.tenants is None:
        return [(f.path, f.size, f.sha256) for f in report.manifest.files], 0
    own = {p for item in collector.evidence for p in (item.path, item.attestation) if p}
    own |= {f"runbooks/{code}.md" for code in collector.error_codes}
    files = [(f.path, f.size, f.sha256) for f in report.manifest.files if f.path in own]
    return files, len(report.manifest.files) - len(files)


def _write_scripts(writer: SiteWriter, site: SiteInfo, rows: Sequence[RunRow], scopes: Scopes) -> None:
    """The offline submission scripts of `scripts/`, for operators without JavaScript."""
    ordered = sorted(rows, key=lambda r: r.id)
    writer.write_text("scripts/submit-request.sh", submit_script(site.snapshot_id))
    writer.write_text(
        "scripts/export-all-runs.sh",
        command_script(
            site.snapshot_id,
            "Export every run of this site as an evidence bundle.",
            [("stella", "runs", "export", option("run", r.id), "--bundle") for r in ordered],
        ),
    )
    if scopes.manage:
        writer.write_text(
            "scripts/retry-failed-runs.sh",
            command_script(
                site.snapshot_id,
                "Retry every failed run of this site that no completed retry has resolved yet.",
                [("stella", "runs", "retry", option("run", r.id)) for r in open_failures(ordered)],
            ),
        )
        writer.write_text(
            "scripts/cancel-active-runs.sh",
            command_script(
                site.snapshot_id,
                "Cancel every active run of this site (check first!).",
                [("stella", "runs", "cancel", option("run", r.id)) for r in ordered if r.state in ACTIVE_STATES],
            ),
        )

"""The site-wide pages of a build: index and listing pages, schedules, observability, verification, runbooks,
with the data files, evidence copies and scripts they link to. Run pages are `run_pages`'; each writer here takes
the build's one `BuildContext`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from snapsite.formats.downloads import command_script, option, submit_script
from snapsite.site.collect import SiteCollector
from snapsite.site.context import BuildContext
from snapsite.site.render import json_for_script
from snapsite.site.run_data import write_run_data
from snapsite.site.runbooks import RUNBOOK_FILE, builtin_runbooks, markdown_renderer, render_runbooks
from snapsite.site.since import CHANGES_DATA
from snapsite.site.views.attention import attention_items, refresh_command
from snapsite.site.views.changes import static_change_rows
from snapsite.site.views.format import count_text, runbook_name
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
from snapsite.site.views.rows import ACTIVE_STATES, RunRow, open_failures
from snapsite.site.views.runs import attestation_href, evidence_href
from snapsite.site.views.schedules import schedules_page
from snapsite.site.views.verification_page import verification_page
from snapsite.verify.steps import VerificationReport


def write_site_pages(context: BuildContext) -> None:
    """The index, listing, schedules, observability, verification and runbook pages, data files and scripts."""
    pages, writer, site, scopes = context.pages, context.writer, context.site, context.scopes
    report, collector, since, container = context.report, context.collector, context.since, context.container
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
    data_files = write_run_data(writer, ordered, collector.spill.buckets, schedules_view.rows, site)
    if collector.impact_rows:
        writer.write_text("data/impact.js", f"window.snapsiteImpact={json_for_script(collector.impact_rows)};\n")
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
        refresh=refresh_command(context.options.tenants, site.scopes),
    )
    index = _index_page(context, ordered, list_pages, data_files)
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
    _copy_evidence(context)
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
    for runbook in render_runbooks(snapshot_runbooks, builtin_runbooks(context.theme), collector.error_codes, md):
        pages.write(
            f"runbooks/{runbook_name(runbook.code)}.html",
            "runbook.html",
            f"Runbook {runbook.code}",
            "",
            code=runbook.code,
            html=runbook.html,
            source=runbook.source,
        )
    _write_scripts(context)


def _impact_stale(report: VerificationReport) -> bool:
    manifest = report.manifest
    assert manifest is not None
    generated = manifest.impact_index_generated_at
    return generated is None or (manifest.created_at - generated).total_seconds() > 24 * 3600


def _index_page(
    context: BuildContext,
    ordered: Sequence[RunRow],
    list_pages: tuple[tuple[str, str], ...],
    data_files: tuple[str, ...],
) -> IndexPage:
    collector, site, since = context.collector, context.site, context.since
    active = [r for r in ordered if r.state in ACTIVE_STATES]
    queue = collector.observability.queue_depth()
    planner = int(sum(v for (_, _, stage), v in queue.items() if stage == "planner"))
    executor = int(sum(v for (_, _, stage), v in queue.items() if stage == "executor"))
    cards: tuple[Card, ...] = ()
    moved = since.cards if since else {}
    if context.options.feature("runs.dashboard.enabled"):
        cards = (
            Card("Active runs", count_text(len(active)), "planning, queued or running", "card-active"),
            Card(
                "Queue depth",
                count_text(planner + executor),
                f"planner {count_text(planner)}, executor {count_text(executor)}",
                "card-queue",
            ),
            Card(
                "New findings",
                count_text(sum(r.new_findings for r in ordered)),
                f"{count_text(sum(r.new_criticals for r in ordered))} critical",
                "card-findings",
            ),
            Card(
                "KEV deltas",
                count_text(sum(r.kev_additions for r in ordered)),
                "known exploited additions",
                "card-kev",
            ),
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


def _copy_evidence(context: BuildContext) -> None:
    """Evidence files and their attestations, under portable names, when downloads.read allows.

    An evidence file with the same name and digest in the previous output is linked from there (`previous` is
    only given for a verified snapshot, whose files match the manifest's digests).
    """
    container, writer, collector, scopes, previous = (
        context.container,
        context.writer,
        context.collector,
        context.scopes,
        context.previous,
    )
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


def _write_scripts(context: BuildContext) -> None:
    """The offline submission scripts of `scripts/`, for operators without JavaScript."""
    writer, site, scopes = context.writer, context.site, context.scopes
    ordered = sorted(context.collector.rows, key=lambda r: r.id)
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

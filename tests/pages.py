"""View objects with hostile values, the site's renderer and every page rendered from them:
shared by the template, render and page tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from markupsafe import Markup
from snapsite.errors import ExitCode, SnapshotError
from snapsite.site.render import Renderer, collect_assets, theme_dirs
from snapsite.site.runbooks import markdown_renderer
from snapsite.site.views.charts import Chart
from snapsite.site.views.context import SiteInfo, Staleness
from snapsite.site.views.evidence_page import evidence_page
from snapsite.site.views.index import Card, FilterOptions, IndexPage, list_page_name
from snapsite.site.views.rows import RunRow
from snapsite.site.views.runs import EvidenceView, FindingView, LogView, PhaseView, RunPage, SegmentView
from snapsite.site.views.verification_page import verification_page
from snapsite.snapshot.records import Tenant
from snapsite.trust.dsse import SignatureCheck
from snapsite.verify.evidence import EvidenceStatus
from snapsite.verify.steps import VerificationReport

SCRIPT = "<script>alert(1)</script>"


QUOTE = '" onmouseover="x'


JS_URL = "javascript:alert(1)"


HOSTILE = f"{SCRIPT}{QUOTE}"


RUN_ID = f"run:acme:20261120T020000Z:{HOSTILE}"


SNAPSHOT_ID = f"snap:{QUOTE}"


SHA = "ab" * 32


def site_info(**changes: Any) -> SiteInfo:
    info = SiteInfo(
        title=f"Runs {SCRIPT}",
        snapshot_id=SNAPSHOT_ID,
        created_at="2026-11-20T12:00:00Z",
        created_at_text="2026-11-20 12:00:00 UTC",
        environment="prod",
        source=QUOTE,
        verification="verified",
        verification_problems=(),
        keyids=("0123456789abcdef" * 4,),
        staleness=Staleness("amber", "1d 01h", 72.0),
        built_at="2026-11-20T12:00:00Z",
        heartbeat_warning=None,
        impact_index_age_text="6h 00m",
        tenants=(Tenant(id="acme", name=JS_URL), Tenant(id="globex", name=HOSTILE)),
        scopes=("runs.read",),
        features=(("runs.evidenceBundles", True),),
        generator_version="0.1.0",
    )
    return replace(info, **changes)


def run_row(**changes: Any) -> RunRow:
    row = RunRow(
        id=RUN_ID,
        slug="run-acme-20261120t020000z-script-0123456789",
        tenant_id="acme",
        schedule_id="sch-nightly",
        schedule_name=HOSTILE,
        trigger="cron",
        mode="analysis-only",
        state="error",
        initiator=JS_URL,
        policy_revision=f"P-7@12{QUOTE}",
        correlation_id=f"c-{SCRIPT}",
        created_at="2026-11-20T02:00:00Z",
        started_at="2026-11-20T02:00:05Z",
        finished_at="2026-11-20T02:10:05Z",
        duration_seconds=600,
        running=False,
        progress_pct=40,
        processed=4,
        total=10,
        new_findings=3,
        new_criticals=1,
        new_high=2,
        new_medium=0,
        new_low=0,
        resolved=1,
        quieted=0,
        severity_shifts=0,
        kev_additions=1,
        badges=("kev-first", "retry"),
        error_code="ERR_RUN_005",
        error_message=HOSTILE,
        retry_of="run:acme:earlier",
        shard_count=2,
    )
    return replace(row, **changes)


def evidence_view(**changes: Any) -> EvidenceView:
    item = EvidenceView(
        id=f"ev-{QUOTE}",
        kind="scanner-bundle",
        title=JS_URL,
        media_type="application/vnd.stellaops.evidence-bundle.v1+tar+gzip",
        size=2048,
        size_text="2.0 KiB",
        sha256=SHA,
        status="untrusted",
        reason=HOSTILE,
        href="evidence/ev-1-0123456789.tgz",
        attestation_href="evidence/ev-1-0123456789.dsse.json",
        bundle_status="damaged",
        bundle_problem=HOSTILE,
        bundle_entries=(
            ("sbom.json", 10, SHA, True, None),
            (f"evil{SCRIPT}.json", 20, SHA, False, "sha256 differs"),
        ),
    )
    return replace(item, **changes)


def run_page(**changes: Any) -> RunPage:
    page = RunPage(
        row=run_row(),
        tenant_name=HOSTILE,
        retry_of_slug="run-acme-earlier-abcdef0123",
        created_at_text="2026-11-20 02:00:00 UTC",
        started_at_text="2026-11-20 02:00:05 UTC",
        finished_at_text="2026-11-20 02:10:05 UTC",
        phases=(
            PhaseView("planner", "completed", "a", "b", 0.0, 10.0),
            PhaseView("queue", "completed", "a", "b", 10.0, 20.0),
            PhaseView("execution", "error", "a", "b", 30.0, 64.0),
            PhaseView("post-processing", "pending", "\u2014", "\u2014", 94.0, 6.0),
        ),
        throughput_per_minute=0.4,
        segments=(
            SegmentView(
                id=f"seg-{QUOTE}",
                shard=0,
                state="error",
                target_count=5,
                processed=2,
                executor=HOSTILE,
                retry_count=1,
                started_at="a",
                finished_at="b",
                cooldown_until="2026-11-20 12:30:00 UTC",
                cooling_down=True,
                error_code="ERR_RUN_005",
                error_message=SCRIPT,
                runbook="ERR_RUN_005",
                retry_command=f"stella runs retry --run '{RUN_ID}' --segment seg",
            ),
            SegmentView(
                id="seg-2",
                shard=1,
                state="completed",
                target_count=5,
                processed=5,
                executor=None,
                retry_count=0,
                started_at="a",
                finished_at="b",
                cooldown_until=None,
                cooling_down=False,
                error_code=None,
                error_message=None,
                runbook=None,
                retry_command=None,
            ),
        ),
        severity_counts=(("critical", 1), ("high", 2), ("medium", 0), ("low", 0), ("none", 0), ("unknown", 0)),
        findings=(FindingView("sha256:" + SHA, HOSTILE, "CVE-2026-1", JS_URL, "critical", "high", "new", True),),
        findings_total=3,
        findings_csv="downloads/findings/run-acme-0123456789.csv",
        evidence=(evidence_view(), evidence_view(id="ev-2", status="verified", bundle_status=None, bundle_entries=())),
        evidence_hidden=2,
        logs=(LogView("2026-11-20T02:00:06Z", "2026-11-20 02:00:06 UTC", "error", HOSTILE, "c-1", "seg-2"),),
        logs_total=120,
        logs_query=f'runId:"{RUN_ID}"',
        commands=(("Retry run", f"stella runs retry --run '{RUN_ID}'"),),
        incident=f"Subject: {HOSTILE}</textarea>{SCRIPT}",
    )
    return replace(page, **changes)


def index_page(**changes: Any) -> IndexPage:
    page = IndexPage(
        cards=(Card(HOSTILE, "3", JS_URL, "card-active-runs"), Card("Queue depth", "12", "", "card-queue-depth")),
        tab_counts=(("active", "Active", 1), ("completed", "Completed", 0), ("scheduled", "Scheduled", 2)),
        rows=(run_row(), run_row(id="run:b", slug="run-b-1", badges=(), error_code=None, running=True)),
        active_total=1234,
        filters=FilterOptions(
            tenants=(("acme", HOSTILE),),
            triggers=("cron", HOSTILE),
            states=("error",),
            schedules=(("sch-nightly", HOSTILE),),
            policies=("P-7@12",),
            shards=(1, 2),
            error_codes=("ERR_RUN_005",),
        ),
        list_pages=((list_page_name(1), "runs 1-500"), (list_page_name(2), "runs 501-900")),
        data_files=("data/meta.js", "data/runs-0001.js", "data/runs-0002.js"),
        backlog=((f"Planner backlog {SCRIPT}", 5), ("Executor backlog", 7)),
    )
    return replace(page, **changes)


def verification_report(verified: bool = True) -> VerificationReport:
    report = VerificationReport(
        source="/somewhere/snapshot.tar.gz",
        kind="tar.gz",
        snapshot_id=SNAPSHOT_ID,
        created_at="2026-11-20T12:00:00Z",
        threshold=1,
        signatures=[
            SignatureCheck("0123456789abcdef" * 4, "ed25519", True, True),
            SignatureCheck(None, None, False, False),
        ],
        files_checked=2,
        bytes_checked=300,
        records={"runs.ndjson": 2, "tenants.json": 1},
        evidence=[EvidenceStatus("ev-1", "run:a", "verified"), EvidenceStatus("ev-2", "run:a", "invalid", HOSTILE)],
    )
    if not verified:
        report.file_failures = [{"path": f"runs{SCRIPT}.ndjson", "problem": HOSTILE}]
        report.errors = [SnapshotError("digest", f"runs{SCRIPT}.ndjson", HOSTILE, ExitCode.DIGEST)]
    return report


def default_renderer() -> Renderer:
    """The default theme's renderer, as a build makes it."""
    dirs = theme_dirs(None)
    return Renderer(dirs, collect_assets(dirs))


def chart_html(chart: Chart, renderer: Renderer | None = None) -> str:
    """A chart as the default theme draws it on a page (`_chart.html`'s `chart_figure`)."""
    env = (renderer or default_renderer()).env
    return str(env.get_template("_chart.html").module.chart_figure(chart))  # type: ignore[attr-defined]


def render(renderer: Renderer, template: str, root: str = "", site: SiteInfo | None = None, **context: Any) -> str:
    return renderer.render(
        template,
        root=root,
        site=site or site_info(),
        page_title=f"Page {SCRIPT}",
        active_nav=context.pop("active_nav", ""),
        **context,
    )


def all_pages(renderer: Renderer, site: SiteInfo) -> dict[str, str]:
    md = markdown_renderer()
    report = verification_report(site.verification == "verified")
    return {
        "index.html": render(renderer, "index.html", site=site, page=index_page(), active_nav="index.html"),
        "list.html": render(
            renderer,
            "list.html",
            "../",
            site=site,
            rows=[run_row()],
            number=1,
            pages=index_page().list_pages,
            active_nav="index.html",  # as the build renders the static listing
        ),
        "run.html": render(renderer, "run.html", "../", site=site, page=run_page()),
        "runbook.html": render(
            renderer,
            "runbook.html",
            "../",
            site=site,
            code="ERR_RUN_005",
            html=Markup(md.render(f"# ERR_RUN_005\n\n{SCRIPT} [x]({JS_URL})")),
            source="built-in",
        ),
        "evidence.html": render(
            renderer,
            "evidence.html",
            site=site,
            page=evidence_page([(run_row(), evidence_view())], True, 1),
            active_nav="evidence.html",
        ),
        "verification.html": render(
            renderer,
            "verification.html",
            site=site,
            page=verification_page(report, [("runs.ndjson", 100, SHA)], 0),
            active_nav="verification.html",
        ),
    }

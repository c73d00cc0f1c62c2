"""What an operator reads on the built pages (issue 14): one number, one definition, and the polish items."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from conftest import SnapshotBuilder
from retry_chains import MANAGE, run_page
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions


def build(snapshot: SnapshotBuilder, output: Path, **options: object) -> Path:
    build_site(BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=output, **options))  # type: ignore[arg-type]
    return output


def test_deltas_and_findings_records_each_name_their_source_and_a_gap_is_explained(
    snapshot: SnapshotBuilder, tmp_path: Path
) -> None:
    runs = snapshot.records("runs.ndjson")
    agreeing = build(snapshot, tmp_path / "agreeing")
    page = run_page(agreeing, runs[0]["id"])
    deltas = page.select_one("#deltas")
    assert deltas is not None
    assert "runs.ndjson" in deltas.get_text() and "findings.ndjson" in deltas.get_text()
    assert page.select_one('[data-testid="deltas-note"]') is None  # 1 new finding, 1 record: nothing to explain
    assert "CSV, its one row" in deltas.get_text()
    runs[0]["deltas"]["newFindings"] = 45
    snapshot.write_records("runs.ndjson", runs)
    snapshot.sign()
    differing = build(snapshot, tmp_path / "differing")
    note = run_page(differing, runs[0]["id"]).select_one('[data-testid="deltas-note"]')
    assert note is not None
    assert "45 new findings" in note.get_text() and '1 record of change "new"' in note.get_text()


def test_the_manual_run_form_needs_runs_manage(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    plain = BeautifulSoup((build(snapshot, tmp_path / "plain") / "schedules.html").read_text(), "html.parser")
    assert plain.select_one("#manual-run-form") is None
    assert plain.select_one('[data-testid="manual-run-needs-manage"]') is not None
    assert plain.select_one("#preview-impact") is not None
    manage = BeautifulSoup(
        (build(snapshot, tmp_path / "m", scopes=MANAGE) / "schedules.html").read_text(), "html.parser"
    )
    assert manage.select_one("#manual-run-form") is not None
    assert manage.select_one('[data-testid="manual-run-needs-manage"]') is None


def test_telemetry_types_wrap_only_after_their_dots(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    snapshot.write_records(
        "events.ndjson",
        [
            {
                "ts": "2026-11-20T11:00:00Z",
                "type": "scheduler.run.<b>failed",
                "tenantId": "acme",
                "runId": None,
                "data": {},
            }
        ],
    )
    snapshot.sign()
    page = BeautifulSoup((build(snapshot, tmp_path / "site") / "observability.html").read_text(), "html.parser")
    cell = page.select_one("tr[data-event-type] code.dotted")
    assert cell is not None
    assert cell.get_text() == "scheduler.run.<b>failed"
    assert len(cell.find_all("wbr")) == 2 and cell.find("b") is None

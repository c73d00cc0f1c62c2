"""The index's attention strip (issue 14): the items from alerts, evidence flags, heartbeat and staleness, and the
strip as built from a real signed snapshot."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import SnapshotBuilder
from pages import run_row
from retry_chains import data_rows, listed_rows
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.views.attention import attention_items, refresh_command, worst_evidence
from snapsite.site.views.observability import Alert


def test_items_come_most_urgent_first_and_link_to_their_views() -> None:
    alerts = [
        Alert("planner-lag", "warning", "lag", None, None),
        Alert("queue-depth", "warning", "Queue depth 2000 is above", None, None, count="2000"),
        Alert("repeated-error", "critical", "ERR_RUN_009 seen 4 times", "runbooks/x.html", "x", "ERR_RUN_009", "4"),
    ]
    rows = [run_row(evidence_alert="invalid"), run_row(evidence_alert="untrusted"), run_row()]
    items = attention_items(alerts, rows, heartbeat="Planner heartbeat was 5m old", stale=False, refresh="cmd")
    assert [i.kind for i in items] == ["repeated-error", "evidence", "queue-depth", "heartbeat", "stale"]
    by_kind = {i.kind: i for i in items}
    assert by_kind["repeated-error"].href == "index.html#tab=failures&error=ERR_RUN_009"
    assert by_kind["evidence"].href == "index.html#tab=all&evidence=problem"
    assert by_kind["evidence"].text == "2 runs with invalid or untrusted evidence"
    assert by_kind["evidence"].level == "critical"  # one of them invalid
    assert by_kind["repeated-error"].text == "ERR_RUN_009: 4 failures in 24 h"
    assert by_kind["queue-depth"].text == "Queue depth 2000 above the threshold"
    assert by_kind["queue-depth"].href == "schedules.html#queue"
    assert by_kind["heartbeat"].href == "observability.html#alerts"
    assert by_kind["stale"].hidden and by_kind["stale"].command == "cmd"
    # Only what is wrong is listed: a quiet snapshot leaves the (hidden) stale hint alone.
    quiet = attention_items([], [run_row()], heartbeat=None, stale=True, refresh="cmd")
    assert [(i.kind, i.hidden) for i in quiet] == [("stale", False)]


def test_worst_evidence_and_the_refresh_command() -> None:
    assert worst_evidence(["verified", "untrusted", "invalid"]) == "invalid"
    assert worst_evidence(["unsigned", "untrusted"]) == "untrusted"
    assert worst_evidence(["verified", "unsigned"]) is None
    command = refresh_command(["acme", "it's"], ["runs.read", "policy:runs"])
    assert shlex.split(command) == [
        "snapsite", "build", "NEWER-SNAPSHOT.tar.zst", "--trust-root", "KEY.pub",
        "--tenant", "acme", "--tenant", "it's", "--scopes", "runs.read,policy:runs", "-o", "SITE-FOLDER",
    ]  # fmt: skip


def strip(site: Path) -> dict[str, Tag]:
    page = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    return {str(li["data-attention"]): li for li in page.select('[data-testid="attention"] [data-attention]')}


def test_the_built_strip_flags_untrusted_evidence_and_the_missing_heartbeat(
    snapshot: SnapshotBuilder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    build_site(BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=site))
    items = strip(site)
    assert set(items) == {"evidence", "heartbeat", "stale"}
    assert items["evidence"].get_text(" ", strip=True) == "Warning: 1 run with invalid or untrusted evidence"
    link = items["evidence"].find("a")
    assert link is not None and link["href"] == "index.html#tab=all&evidence=problem"
    assert "Planner heartbeat late" in items["heartbeat"].get_text()
    assert items["stale"].has_attr("hidden") and items["stale"].has_attr("data-stale-hint")
    # The run with the untrusted attestation is flagged in the data files and in the static listing.
    flagged = {rid: row["evidenceAlert"] for rid, row in data_rows(site).items() if row["evidenceAlert"]}
    (run_id,) = flagged
    assert flagged[run_id] == "untrusted"
    badge = listed_rows(site)[run_id].select_one(".evidence-alert")
    assert badge is not None and badge.get_text() == "evidence untrusted"


def test_a_snapshot_stale_at_build_time_shows_the_next_step(
    snapshot: SnapshotBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795604800")  # 2026-11-25, five days after: past the 72 h window
    site = tmp_path / "site"
    options = BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=site, tenants=("acme",))
    build_site(options)
    stale = strip(site)["stale"]
    assert not stale.has_attr("hidden")
    command = stale.select_one("code")
    assert command is not None and "--tenant acme" in command.get_text()
    assert str(site) not in stale.get_text() and str(snapshot.root) not in stale.get_text()


def test_without_downloads_no_run_is_flagged_for_evidence_nobody_can_see(
    snapshot: SnapshotBuilder, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    scopes = frozenset({"runs.read", "policy:runs"})
    build_site(BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=site, scopes=scopes))
    assert "evidence" not in strip(site)
    assert not any(row["evidenceAlert"] for row in data_rows(site).values())

"""`snapsite build NEW --since OLD`: the site's changes parts, checked with BeautifulSoup on real output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import cli, files_of
from pairs import KEY, OLD_ID, PUB, Pair, make_pair
from snapsite.authoring.derive import derive_snapshot
from snapsite.changes.pair import SideError
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.names import run_slug
from snapsite.trust.keys import write_keypair


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("pair"))


@pytest.fixture(scope="session")
def site(pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("since") / "site"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out, since=pair.old))
    return out


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def one(node: Tag, selector: str) -> Tag:
    """The element `selector` finds under `node`; fails the test when there is none."""
    found = node.select_one(selector)
    assert found is not None, selector
    return found


def changes_data(site: Path) -> dict[str, Any]:
    text = (site / "data" / "changes.js").read_text(encoding="utf-8")
    assert text.startswith("window.snapsiteChanges=") and text.endswith(";\n")
    loaded: dict[str, Any] = json.loads(text[len("window.snapsiteChanges=") : -2])
    return loaded


def run_file(site: Path, run_id: str) -> Path:
    """A run's page: runs/<shard>/<name>.html (no two runs of the pair share a short name)."""
    return site / "runs" / f"{run_slug(run_id)}.html"


def run_page(site: Path, run_id: str) -> BeautifulSoup:
    return page(run_file(site, run_id))


def diff_json(old: Path, new: Path, *extra: str) -> dict[str, Any]:
    result = cli("diff", old, new, "--trust-root", PUB, "--json", *extra)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def test_the_changes_tab_holds_the_rows_diff_names(site: Path, pair: Pair) -> None:
    rows = changes_data(site)["rows"]
    report = diff_json(pair.old, pair.new)
    assert sorted(i for i, (kind, _, _) in rows.items() if kind == "new") == [r["id"] for r in report["newRuns"]]
    assert {i: before for i, (kind, before, _) in rows.items() if kind == "state"} == {
        r["id"]: r["from"] for r in report["stateChanges"]
    }
    assert rows[pair.resolved] == ["resolved", "error", pair.retry]
    assert changes_data(site)["vanished"] == 2 and changes_data(site)["since"] == OLD_ID
    tabs = {a["data-tab"]: a for a in page(site / "index.html").select("[data-tab]")}
    assert one(tabs["changes"], ".count").get_text() == str(len(rows))
    assert list(tabs)[-1] == "changes"


def test_the_banner_says_since_when_on_every_page(site: Path) -> None:
    for name in ("index.html", "schedules.html", "verification.html"):
        banner = page(site / name).select_one(".since-banner")
        assert banner is not None and banner["data-since-snapshot-id"] == OLD_ID
        text = " ".join(banner.get_text(" ", strip=True).split())
        assert text.startswith(f"Since {OLD_ID} , 2026-11-19 12:00:00 UTC (1d 00h earlier):"), text
        assert "2 runs of the older snapshot are not in this one" in text
    assert page(site / "index.html").select_one(".since-backwards") is None


def test_each_card_shows_its_move_since_old(site: Path, pair: Pair) -> None:
    totals = diff_json(pair.old, pair.new)["totals"]
    cards = {c["data-testid"]: c for c in page(site / "index.html").select(".card")}
    for testid, field in (
        ("card-active", "activeRuns"),
        ("card-findings", "newFindings"),
        ("card-kev", "kevAdditions"),
    ):
        moved = totals["new"][field] - totals["old"][field]
        sign = f"+{moved}" if moved > 0 else str(moved)
        change = cards[testid].select_one("[data-card-change]")
        assert change is not None and change.get_text() == f"{sign} since 2026-11-19 12:00:00 UTC"
        assert one(cards[testid], ".card-value").get_text() == f"{totals['new'][field]:,}"
    queue = cards["card-queue"]
    assert one(queue, ".card-value").get_text() == f"{int(totals['new']['queueDepth']):,}"
    failures = totals["new"]["failures"] - totals["old"]["failures"]
    assert f"+{failures} failures" in cards["card-changes"].get_text()


def test_a_changed_run_page_says_what_changed_with_old_values(site: Path, pair: Pair) -> None:
    since = run_page(site, pair.failed).select_one("#since")
    assert since is not None and since["data-change"] == "state" and since["data-state-before"] == "running"
    figures = {one(tr, "th").get_text(): [td.get_text() for td in tr.select("td")] for tr in since.select("tbody tr")}
    queued = pair.base_runs[pair.failed]["stats"]["queued"]
    assert figures["progress"] == [
        f"{queued // 2 * 100 // queued}% ({queued // 2} of {queued})",
        f"100% ({queued} of {queued})",
    ]
    assert "running then" in since.get_text() and "error now" in since.get_text()
    resolved = run_page(site, pair.resolved).select_one("#since")
    assert resolved is not None and resolved["data-change"] == "resolved"
    link = run_file(site, pair.resolved).parent / str(one(resolved, "a")["href"])
    assert link.resolve() == run_file(site, pair.retry).resolve()
    assert one(run_page(site, pair.retry), "#since")["data-change"] == "new"
    unchanged = next(i for i in pair.base_runs if i not in changes_data(site)["rows"] and i not in pair.vanished)
    assert run_page(site, unchanged).select_one("#since") is None


def test_schedules_page_lists_schedule_changes(site: Path, pair: Pair) -> None:
    rows = page(site / "schedules.html").select("#schedule-changes [data-schedule-change]")
    changes = {r["data-schedule-id"]: r["data-schedule-change"] for r in rows}
    assert changes[pair.paused] == "paused" and changes[pair.resumed] == "resumed"
    assert changes[pair.added_schedule] == "added"
    assert set(changes.values()) == {"paused", "resumed", "added"}


def test_a_plain_build_has_no_changes_parts(pair: Pair, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out))
    index = page(out / "index.html")
    assert not (out / "data" / "changes.js").exists()
    assert index.select_one(".since-banner") is None and index.select_one('[data-tab="changes"]') is None
    assert index.select_one("[data-card-change]") is None
    assert page(out / "schedules.html").select_one("#schedule-changes") is None


def test_the_same_pair_builds_the_same_bytes(site: Path, pair: Pair, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = cli(
        "build", pair.new, "--trust-root", PUB, "--since", pair.old, "-o", again, "-q", env={"PYTHONHASHSEED": "7"}
    )
    assert result.returncode == 0, result.stderr
    assert files_of(again) == files_of(site)


def test_old_verified_in_a_worker_builds_the_same_bytes(site: Path, pair: Pair, tmp_path: Path) -> None:
    # The demo pair is small, so the default build verifies OLD in-process; background_from=0 forces the worker.
    out = tmp_path / "background"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out, since=pair.old), background_from=0)
    assert files_of(out) == files_of(site)


def test_old_failing_in_a_worker_is_named_old_with_its_own_error(pair: Pair, tmp_path: Path) -> None:
    tampered = tmp_path / "old-tampered"
    shutil.copytree(pair.old, tampered)
    (tampered / "schedules.ndjson").write_bytes((tampered / "schedules.ndjson").read_bytes() + b"\n")
    options = BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=tmp_path / "out", since=tampered)
    with pytest.raises(SideError) as failed:
        build_site(options, background_from=0)
    assert failed.value.exit_code == 2 and failed.value.side == "OLD"
    assert failed.value.line().startswith(f"OLD snapshot {tampered}: digest: schedules.ndjson: size ")
    assert not (tmp_path / "out").exists()


def test_tenant_isolation_holds_across_both(pair: Pair, tmp_path: Path) -> None:
    out = tmp_path / "acme"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out, since=pair.old, tenants=("acme",)))
    report = diff_json(pair.old, pair.new, "--tenant", "acme")
    rows = changes_data(out)["rows"]
    assert sorted(rows) == sorted(
        [r["id"] for r in report["newRuns"]]
        + [r["id"] for r in report["stateChanges"]]
        + [r["id"] for r in report["resolvedFailures"]]
    )
    assert changes_data(out)["vanished"] == report["counts"]["vanishedRuns"] == 2
    tenants = json.loads((pair.new / "tenants.json").read_text())
    others = [t for t in tenants if t["id"] != "acme"]
    needles = [t["id"].encode() for t in others] + [t["name"].encode() for t in others]
    needles += [i.encode() for i in pair.base_runs if not i.startswith("run:acme:")][:60]
    for name, data in files_of(out).items():
        for needle in needles:
            assert needle not in data and needle not in name.encode(), (name, needle)
    banner = " ".join(one(page(out / "index.html"), ".since-banner").get_text(" ", strip=True).split())
    counts = report["counts"]
    assert f"{counts['newRuns']} new, {counts['stateChanges']} changed state" in banner


def test_the_same_snapshot_twice_changes_nothing(pair: Pair, tmp_path: Path) -> None:
    out = tmp_path / "twice"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out, since=pair.new))
    assert changes_data(out)["rows"] == {} and changes_data(out)["vanished"] == 0
    index = page(out / "index.html")
    assert one(index, '[data-tab="changes"] .count').get_text() == "0"
    assert "(taken at the same time)" in one(index, ".since-banner").get_text()
    assert {c.get_text().split()[0] for c in index.select("[data-card-change]")} == {"0"}


def test_old_newer_than_new_is_built_and_said(pair: Pair, tmp_path: Path) -> None:
    out = tmp_path / "backwards"
    build_site(BuildOptions(snapshot=pair.old, trust_roots=(PUB,), output=out, since=pair.new))
    banner = one(page(out / "index.html"), ".since-banner")
    assert "1d 00h later, OLD is the newer snapshot" in banner.get_text()
    assert banner.select_one(".since-backwards") is not None
    assert changes_data(out)["rows"][pair.failed] == ["state", "error", None]


def test_old_failing_verification_fails_the_build_naming_old(pair: Pair, tmp_path: Path) -> None:
    out = tmp_path / "site"
    previous = cli("build", pair.new, "--trust-root", PUB, "-o", out, "-q")
    assert previous.returncode == 0, previous.stderr
    before = files_of(out)
    tampered = tmp_path / "old-tampered"
    shutil.copytree(pair.old, tampered)
    (tampered / "schedules.ndjson").write_bytes((tampered / "schedules.ndjson").read_bytes() + b"\n")
    result = cli("build", pair.new, "--trust-root", PUB, "--since", tampered, "-o", out, "-q")
    assert result.returncode == 2
    assert result.stderr == (
        f"snapsite: error: OLD snapshot {tampered}: digest: schedules.ndjson: "
        + re.search(r"schedules\.ndjson: (.*)\n", result.stderr).group(1)  # type: ignore[union-attr]
        + "\n"
    )
    assert files_of(out) == before  # the previous output is left as it was


def test_allow_unverified_never_covers_old(pair: Pair, tmp_path: Path) -> None:
    other, _ = write_keypair(tmp_path / "other.key", "ed25519")
    foreign = tmp_path / "old-other-key"
    derive_snapshot(pair.old, foreign, [other], {})
    args = ("build", pair.new, "--trust-root", PUB, "--since", foreign, "-o", tmp_path / "out", "-q")
    result = cli(*args, "--allow-unverified")
    assert result.returncode == 5
    assert result.stderr.startswith(f"snapsite: error: OLD snapshot {foreign}: signature: manifest.dsse.json:")


def test_new_failing_in_a_since_build_is_named_new(pair: Pair, tmp_path: Path) -> None:
    tampered = tmp_path / "new-tampered"
    shutil.copytree(pair.new, tampered)
    (tampered / "tenants.json").write_text("[]")
    result = cli("build", tampered, "--trust-root", PUB, "--since", pair.old, "-o", tmp_path / "out", "-q")
    assert result.returncode == 2
    assert result.stderr.startswith(f"snapsite: error: NEW snapshot {tampered}: digest: tenants.json:")


def test_another_source_is_refused_unless_forced(pair: Pair, tmp_path: Path) -> None:
    other = tmp_path / "other-source"
    derive_snapshot(pair.old, other, [KEY], {"source": "scheduler.prod-us"})
    out = tmp_path / "out"
    refused = cli("build", pair.new, "--trust-root", PUB, "--since", other, "-o", out, "-q")
    assert refused.returncode == 3 and "source 'scheduler.prod-us' (OLD) differs" in refused.stderr
    assert not out.exists()
    forced = cli("build", pair.new, "--trust-root", PUB, "--since", other, "--force-since", "-o", out, "-q")
    assert forced.returncode == 0, forced.stderr
    warning = page(out / "index.html").select_one(".since-warning")
    assert warning is not None and "scheduler.prod-us" in warning.get_text()


def test_snapsite_toml_may_name_since(pair: Pair, tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(pair.old, kit / "monday")
    (kit / "snapsite.toml").write_text('since = "monday"\n')
    out = tmp_path / "out"
    result = cli("build", pair.new, "--trust-root", PUB, "--config", kit / "snapsite.toml", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert changes_data(out)["since"] == OLD_ID


def test_a_signed_since_site_vouches_for_old_by_id_not_path(pair: Pair, tmp_path: Path) -> None:
    from snapsite.trust.dsse import parse_envelope, parse_statement

    out = tmp_path / "signed"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=out, since=pair.old, sign_keys=(KEY,)))
    payload = parse_envelope((out / "site.dsse.json").read_bytes()).payload
    predicate = parse_statement(payload).predicate
    assert predicate["since"] == {"snapshotId": OLD_ID, "createdAt": "2026-11-19T12:00:00Z", "force": False}
    assert str(pair.old).encode() not in payload
    assert cli("verify-site", out, "--trust-root", PUB).returncode == 0


def test_a_rebuild_follows_old_and_matches_a_full_build(pair: Pair, tmp_path: Path) -> None:
    from snapsite.preview.watch import rebuild_site

    old = tmp_path / "old"
    shutil.copytree(pair.old, old)
    options = BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=tmp_path / "out", since=old)
    assert rebuild_site(options) is not None
    assert rebuild_site(options) is None  # nothing changed, not even OLD
    shutil.rmtree(old)
    derive_snapshot(pair.old, old, [KEY], {"snapshotId": "snap:demo:other"}, edit_run=_finished_in_old(pair))
    assert rebuild_site(options) is not None
    assert changes_data(tmp_path / "out")["since"] == "snap:demo:other"
    assert pair.finished[0] not in changes_data(tmp_path / "out")["rows"]
    full = tmp_path / "full"
    build_site(BuildOptions(snapshot=pair.new, trust_roots=(PUB,), output=full, since=old))
    assert files_of(tmp_path / "out") == files_of(full)


def _finished_in_old(pair: Pair) -> Any:
    """An edit of OLD in which the first of `pair.finished` had already completed, as in NEW."""

    def edit(run: dict[str, Any]) -> dict[str, Any]:
        return pair.base_runs[run["id"]] if run["id"] == pair.finished[0] else run

    return edit


def test_readers_without_javascript_get_the_changes_listed(site: Path) -> None:
    rows = changes_data(site)["rows"]
    listed = page(site / "index.html").select(".static-changes li[data-run-id]")
    assert len(listed) == len(rows)
    for item in listed:
        kind, before, _ = rows[item["data-run-id"]]
        assert item["data-change"] == kind and item.get("data-state-before") == before
        assert (site / str(one(item, "a")["href"])).resolve() == run_file(site, str(item["data-run-id"])).resolve()

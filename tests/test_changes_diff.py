"""`snapsite diff OLD NEW`: a real signed pair (tests/pairs.py), checked field by field, and hostile pairs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import cli, snapsite
from pairs import KEY, NEW_ID, OLD_ID, PUB, Pair, make_pair
from snapsite.authoring.derive import derive_snapshot
from snapsite.changes.report import SCREEN_LINES


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("pair"))


def diff_json(old: Path, new: Path, *extra: str) -> dict[str, Any]:
    result = cli("diff", old, new, "--trust-root", PUB, "--json", *extra)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def test_diff_json_names_every_change_of_the_pair(pair: Pair) -> None:
    report = diff_json(pair.old, pair.new)
    assert report["status"] == "compared" and report["exitCode"] == 0
    assert report["old"]["snapshotId"] == OLD_ID and report["new"]["snapshotId"] == NEW_ID
    assert report["old"]["createdAt"] == "2026-11-19T12:00:00Z"
    assert report["intervalSeconds"] == 86400 and report["oldIsNewer"] is False
    assert report["tenants"] is None and report["forced"] is False and report["mismatches"] == []
    new_ids = sorted([pair.retry, pair.fresh_failure, *pair.initech_runs])
    assert [r["id"] for r in report["newRuns"]] == new_ids
    assert {r["id"]: r["state"] for r in report["newRuns"]}[pair.retry] == "completed"
    assert report["stateChanges"] == sorted(
        [
            {"id": pair.finished[0], "tenantId": "acme", "from": "running", "to": "completed"},
            {"id": pair.finished[1], "tenantId": "globex", "from": "running", "to": "completed"},
            {"id": pair.failed, "tenantId": "acme", "from": "running", "to": "error"},
        ],
        key=lambda r: r["id"],
    )
    assert report["stateTransitions"] == [
        {"from": "running", "to": "completed", "count": 2},
        {"from": "running", "to": "error", "count": 1},
    ]
    assert report["resolvedFailures"] == [
        {"id": pair.resolved, "tenantId": "acme", "errorCode": "ERR_RUN_005", "resolvedBy": pair.retry}
    ]
    failures = {r["id"]: r for r in report["newFailures"]["runs"]}
    assert failures[pair.failed] == {
        "id": pair.failed,
        "tenantId": "acme",
        "errorCode": "ERR_RUN_009",
        "stateBefore": "running",
    }
    assert failures[pair.fresh_failure]["stateBefore"] is None
    assert failures[pair.fresh_failure]["errorCode"] == "ERR_RUN_001"
    initech_failures = [i for i in pair.initech_runs if pair.base_runs[i]["state"] == "error"]
    assert sorted(failures) == sorted([pair.failed, pair.fresh_failure, *initech_failures])
    by_code = report["newFailures"]["byCode"]
    assert sum(by_code.values()) == len(failures) and by_code["ERR_RUN_009"] >= 1
    assert list(by_code.values()) == sorted(by_code.values(), reverse=True)
    kev = {k["id"]: k for k in report["kevAdditions"]}
    assert kev[pair.retry] == {"id": pair.retry, "tenantId": "acme", "before": 0, "after": 2, "added": 2}
    for run_id in pair.finished:  # OLD had no deltas for them yet
        expected = pair.base_runs[run_id]["deltas"].get("kevAdditions", 0)
        assert (kev[run_id]["before"], kev[run_id]["after"]) == (0, expected) if expected else run_id not in kev
    schedules = {s["id"]: s for s in report["scheduleChanges"]}
    assert schedules[pair.paused]["change"] == "paused"
    assert (schedules[pair.paused]["from"], schedules[pair.paused]["to"]) == ("enabled", "paused")
    assert schedules[pair.resumed]["change"] == "resumed"
    assert schedules[pair.added_schedule] | {"name": ""} == {
        "id": pair.added_schedule,
        "tenantId": "globex",
        "name": "",
        "change": "added",
        "from": None,
        "to": "enabled",
    }
    assert all(s["change"] == "added" for s in report["scheduleChanges"] if s["tenantId"] == "initech")
    counts = report["counts"]
    assert counts == {
        "newRuns": len(new_ids),
        "stateChanges": 3,
        "resolvedFailures": 1,
        "newFailures": len(failures),
        "progressed": 0,
        "kevAdditions": sum(k["added"] for k in report["kevAdditions"]),
        "kevRuns": len(report["kevAdditions"]),
        "scheduleChanges": len(report["scheduleChanges"]),
        "vanishedRuns": 2,
    }
    assert report["totals"]["new"]["failures"] - report["totals"]["old"]["failures"] == len(initech_failures) + 2


def test_diff_summary_fits_one_screen_and_says_how_to_see_the_rest(pair: Pair) -> None:
    result = cli("diff", pair.old, pair.new, "--trust-root", PUB)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= SCREEN_LINES
    assert lines[0].startswith(f"OLD       {OLD_ID}") and "NEW is 1d 00h later than OLD" in lines[2]
    assert lines[-1] == "more: add --all for every list, or --json for every field"
    assert f"{pair.resolved}  resolved by {pair.retry}" in result.stdout
    everything = cli("diff", pair.old, pair.new, "--trust-root", PUB, "--all").stdout
    for run_id in (*pair.initech_runs, pair.failed, *pair.finished):
        assert run_id in everything
    assert "more:" not in everything


def test_same_snapshot_twice_has_no_changes(pair: Pair) -> None:
    report = diff_json(pair.new, pair.new)
    assert set(report["counts"].values()) == {0}
    assert report["newRuns"] == report["stateChanges"] == report["scheduleChanges"] == []
    assert report["totals"]["old"] == report["totals"]["new"]
    text = cli("diff", pair.new, pair.new, "--trust-root", PUB).stdout
    assert "changes   none: every run and schedule is as in OLD" in text
    assert "OLD and NEW were taken at the same time" in text


def test_old_newer_than_new_is_allowed_and_said(pair: Pair) -> None:
    report = diff_json(pair.new, pair.old)
    assert report["oldIsNewer"] is True and report["intervalSeconds"] == -86400
    assert [r["id"] for r in report["newRuns"]] == sorted(pair.vanished)
    assert {(r["id"], r["from"], r["to"]) for r in report["stateChanges"]} >= {(pair.failed, "error", "running")}
    text = cli("diff", pair.new, pair.old, "--trust-root", PUB).stdout
    assert "OLD is newer than NEW (by 1d 00h): the changes run backwards in time" in text


def test_the_same_pair_gives_the_same_bytes(pair: Pair) -> None:
    first = snapsite("diff", pair.old, pair.new, "--trust-root", PUB, "--json")
    second = snapsite("diff", pair.old, pair.new, "--trust-root", PUB, "--json", env={"PYTHONHASHSEED": "99"})
    assert first.stdout == second.stdout and first.returncode == 0


def test_tenant_isolation_holds_across_both(pair: Pair) -> None:
    result = cli("diff", pair.old, pair.new, "--trust-root", PUB, "--json", "--tenant", "acme")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tenants"] == ["acme"]
    for other in ("globex", "initech"):
        assert other not in result.stdout
    assert report["counts"]["newRuns"] == 2 and report["counts"]["stateChanges"] == 2
    assert report["counts"]["vanishedRuns"] == 2
    everything = cli("diff", pair.old, pair.new, "--trust-root", PUB, "--all", "--tenant", "acme").stdout
    assert "globex" not in everything and "initech" not in everything


def test_a_different_environment_is_refused_unless_forced(pair: Pair, tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    derive_snapshot(pair.new, stage, [KEY], {"environment": "stage"})
    result = cli("diff", pair.old, stage, "--trust-root", PUB)
    assert result.returncode == 3
    assert "environment 'prod' (OLD) differs from 'stage' (NEW)" in result.stderr
    assert "--force" in result.stderr and result.stderr.count("\n") == 1
    forced = cli("diff", pair.old, stage, "--trust-root", PUB, "--force")
    assert forced.returncode == 0 and "WARNING   environment" in forced.stdout
    other = tmp_path / "other-source"
    derive_snapshot(pair.new, other, [KEY], {"source": "scheduler.prod-us"})
    assert cli("diff", pair.old, other, "--trust-root", PUB).returncode == 3


def test_old_failing_verification_gives_its_code_and_names_old(pair: Pair, tmp_path: Path) -> None:
    tampered = tmp_path / "old-tampered"
    shutil.copytree(pair.old, tampered)
    with (tampered / "runs.ndjson").open("ab") as runs:
        runs.write(b"\n")
    result = cli("diff", tampered, pair.new, "--trust-root", PUB)
    assert result.returncode == 2
    assert result.stderr.startswith(f"snapsite: error: OLD snapshot {tampered}: digest: runs.ndjson: ")
    assert "NEW snapshot" not in result.stderr and result.stdout == ""
    report = json.loads(cli("diff", tampered, pair.new, "--trust-root", PUB, "--json").stdout)
    assert report["status"] == "failed" and report["exitCode"] == 2 and report["failed"] == ["OLD"]
    assert report["new"]["status"] == "verified"


def test_a_pair_verified_side_by_side_reports_as_one_after_the_other(pair: Pair, tmp_path: Path) -> None:
    # The demo pair is small, so diff verifies OLD in-process; from_bytes=0 forces OLD into a worker process,
    # whose report (errors included) crosses back by pickle.
    from snapsite.changes.pair import Side, verify_pair
    from snapsite.snapshot.limits import Limits
    from snapsite.trust.roots import load_trust_root

    tampered = tmp_path / "old-tampered"
    shutil.copytree(pair.old, tampered)
    with (tampered / "runs.ndjson").open("ab") as runs:
        runs.write(b"\n")
    root, limits = load_trust_root([PUB]), Limits()

    def sides(old: Path, from_bytes: int) -> tuple[Any, Any]:
        new = Side("NEW", pair.new, root, 1, limits, None)
        return verify_pair(Side("OLD", old, root, 1, limits, None), new, from_bytes)

    for old in (pair.old, tampered):
        here, worker = sides(old, 1 << 60), sides(old, 0)
        assert [s.report.as_json() for s in worker] == [s.report.as_json() for s in here]
        assert [s.facts for s in worker] == [s.facts for s in here]
        assert [e.line() if (e := s.error()) else None for s in worker] == [
            e.line() if (e := s.error()) else None for s in here
        ]
    failed = sides(tampered, 0)[0].error()
    assert failed is not None and failed.exit_code == 2 and failed.line().startswith(f"OLD snapshot {tampered}: digest")


def test_a_worker_killed_mid_verification_is_one_error_line_not_a_hang(pair: Pair) -> None:
    import os
    import signal

    from snapsite.changes.pair import Side, verifying
    from snapsite.errors import SnapsiteError
    from snapsite.snapshot.limits import Limits
    from snapsite.trust.roots import load_trust_root

    side = Side("OLD", pair.old, load_trust_root([PUB]), 1, Limits(), None)
    with verifying(side, from_bytes=0) as pending:
        worker = pending._worker  # the test plays the kernel's OOM killer
        assert worker is not None and worker._process.pid is not None
        os.kill(worker._process.pid, signal.SIGKILL)  # at once: the worker is still importing, far from a result
        with pytest.raises(SnapsiteError) as stopped:
            pending.result()
    assert stopped.value.exit_code == 1
    assert stopped.value.line() == (
        "OLD snapshot: verification stopped: its worker process ended with exit code -9 (killed, perhaps for memory)"
    )


def test_new_signed_by_another_key_fails_with_code_5_naming_new(pair: Pair, tmp_path: Path) -> None:
    from snapsite.trust.keys import write_keypair

    other_key, _ = write_keypair(tmp_path / "other.key", "ed25519")
    resigned = tmp_path / "new-other-key"
    derive_snapshot(pair.new, resigned, [other_key], {})
    result = cli("diff", pair.old, resigned, "--trust-root", PUB)
    assert result.returncode == 5
    assert f"NEW snapshot {resigned}: signature: manifest.dsse.json" in result.stderr


def test_untrusted_strings_reach_the_terminal_escaped(pair: Pair, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile"

    def rename(schedule: dict[str, Any]) -> dict[str, Any]:
        if schedule["id"] == pair.paused:
            return {**schedule, "name": "Nightly \u202eevil\u202c \x1b[2J", "pausedAt": "2026-11-20T09:00:00Z"}
        return schedule

    derive_snapshot(pair.new, hostile, [KEY], {}, edit_schedule=rename)
    text = cli("diff", pair.old, hostile, "--trust-root", PUB, "--all").stdout
    assert "Nightly \\u202eevil\\u202c \\x1b[2J: paused" in text
    assert "\x1b" not in text and "\u202e" not in text
    raw = cli("diff", pair.old, hostile, "--trust-root", PUB, "--json").stdout
    assert "\x1b" not in raw and "\u202e" not in raw and raw.isascii()
    name = next(s["name"] for s in json.loads(raw)["scheduleChanges"] if s["id"] == pair.paused)
    assert name == "Nightly \u202eevil\u202c \x1b[2J"

"""A pair of real signed snapshots of one scheduler a day apart, for `diff` and `build --since`.

BASE is a demo snapshot; NEW and OLD are derived from it (`snapsite.authoring.derive`) and signed with the test
key, so that every kind of change is present and known by id:

- `resolved`: a failure of BASE that NEW's added completed retry (`retry`) resolves; in OLD it is unresolved;
- `state`: two runs running in OLD and completed in NEW (`finished`), one running in OLD and failed in NEW
  (`failed`, ERR_RUN_009);
- `new`: the retry, a fresh failure (`fresh_failure`, ERR_RUN_001) and every run of tenant initech, which OLD
  does not have (a tenant added);
- `vanished`: two runs of OLD that NEW no longer holds;
- schedules: one paused in NEW, one paused in OLD and resumed in NEW, one only in NEW (added).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snapsite.authoring.demo import write_demo
from snapsite.authoring.derive import derive_snapshot

KEYS = Path(__file__).parent / "keys"
KEY = KEYS / "demo.key"
PUB = KEYS / "demo.key.pub"
OLD_CREATED = "2026-11-19T12:00:00Z"
NEW_CREATED = "2026-11-20T12:00:00Z"
OLD_ID = "snap:demo:2026-11-19T12:00:00Z"
NEW_ID = "snap:demo:2026-11-20T12:00:00Z"


@dataclass(frozen=True)
class Pair:
    base: Path
    old: Path
    new: Path
    resolved: str  # a failure resolved in NEW by `retry`
    retry: str
    finished: tuple[str, str]  # running in OLD, completed in NEW
    failed: str  # running in OLD, error ERR_RUN_009 in NEW
    fresh_failure: str  # only in NEW, error ERR_RUN_001
    vanished: tuple[str, str]  # only in OLD
    paused: str  # schedule paused in NEW
    resumed: str  # schedule paused in OLD, enabled in NEW
    added_schedule: str  # schedule only in NEW
    initech_runs: tuple[str, ...]  # tenant initech: only in NEW
    base_runs: dict[str, dict[str, Any]]


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _run(template: dict[str, Any], run_id: str, **fields: Any) -> dict[str, Any]:
    run = {**template, "id": run_id, "phases": [], "badges": [], **fields}
    return run


def make_pair(root: Path, runs: int = 120) -> Pair:
    """Write BASE, OLD and NEW under `root` and say which run shows which change."""
    base = root / "base"
    write_demo(base, runs=runs, tenants=3, seed=5, key_paths=[KEY], created_at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    records = _records(base / "runs.ndjson")
    by_id = {r["id"]: r for r in records}
    retried = {r["retryOf"] for r in records if r["retryOf"]}
    plain = sorted(
        r["id"] for r in records if r["state"] == "completed" and not r["retryOf"] and r["id"] not in retried
    )
    acme = [i for i in plain if by_id[i]["tenantId"] == "acme"]
    globex = [i for i in plain if by_id[i]["tenantId"] == "globex"]
    # A failure in both snapshots (made from a completed run that nothing retried), resolved in NEW only.
    failure, finished, failed, vanished = acme[0], (acme[1], globex[0]), acme[2], (acme[3], acme[4])
    error = {"code": "ERR_RUN_005", "message": "scanner timeout"}
    template = by_id[failure]
    retry = _run(
        template,
        "run:acme:20261120T110000Z:aaa001",
        state="completed",
        retryOf=failure,
        error=None,
        createdAt="2026-11-20T11:00:00Z",
        startedAt="2026-11-20T11:00:05Z",
        finishedAt="2026-11-20T11:20:00Z",
        stats={"candidates": 40, "deduped": 40, "queued": 40, "completed": 40, "deltas": 3},
        deltas={"newFindings": 3, "kevAdditions": 2},
    )
    fresh = _run(
        template,
        "run:acme:20261120T113000Z:aaa002",
        state="error",
        retryOf=None,
        error={"code": "ERR_RUN_001", "message": "planner \u202eeulav lag"},
        createdAt="2026-11-20T11:30:00Z",
        startedAt=None,
        finishedAt="2026-11-20T11:31:00Z",
        stats={"candidates": 0, "deduped": 0, "queued": 0, "completed": 0, "deltas": 0},
        deltas={},
    )
    schedules = _records(base / "schedules.ndjson")
    acme_schedules = sorted(s["id"] for s in schedules if s["tenantId"] == "acme" and s["enabled"])
    paused, resumed = acme_schedules[0], acme_schedules[1]
    added_schedule = next(s["id"] for s in schedules if s["tenantId"] == "globex")

    def new_run(run: dict[str, Any]) -> dict[str, Any] | None:
        if run["id"] in vanished:
            return None
        if run["id"] == failure:
            return {**run, "state": "error", "error": error}
        if run["id"] == failed:
            return {**run, "state": "error", "error": {"code": "ERR_RUN_009", "message": "executor lost"}}
        return run

    def old_run(run: dict[str, Any]) -> dict[str, Any] | None:
        if run["id"] == failure:
            return {**run, "state": "error", "error": error}
        if run["id"] in finished or run["id"] == failed:
            stats = {**run["stats"], "completed": run["stats"]["queued"] // 2}
            return {**run, "state": "running", "finishedAt": None, "stats": stats, "deltas": {}, "error": None}
        return run

    def new_schedule(schedule: dict[str, Any]) -> dict[str, Any] | None:
        if schedule["id"] == paused:
            return {**schedule, "pausedAt": "2026-11-20T09:00:00Z"}
        return schedule

    def old_schedule(schedule: dict[str, Any]) -> dict[str, Any] | None:
        if schedule["id"] == resumed:
            return {**schedule, "pausedAt": "2026-11-19T09:00:00Z"}
        if schedule["id"] == added_schedule:
            return None
        return schedule

    new, old = root / "new", root / "old"
    derive_snapshot(
        base,
        new,
        [KEY],
        {"snapshotId": NEW_ID, "createdAt": NEW_CREATED},
        edit_run=new_run,
        extra_runs=[retry, fresh],
        edit_schedule=new_schedule,
    )
    derive_snapshot(
        base,
        old,
        [KEY],
        {"snapshotId": OLD_ID, "createdAt": OLD_CREATED, "plannerHeartbeatAt": "2026-11-19T11:59:10Z"},
        edit_run=old_run,
        edit_schedule=old_schedule,
        drop_tenants=["initech"],
    )
    return Pair(
        base=base,
        old=old,
        new=new,
        resolved=failure,
        retry=retry["id"],
        finished=finished,
        failed=failed,
        fresh_failure=fresh["id"],
        vanished=vanished,
        paused=paused,
        resumed=resumed,
        added_schedule=added_schedule,
        initech_runs=tuple(sorted(r["id"] for r in records if r["tenantId"] == "initech")),
        base_runs=by_id,
    )

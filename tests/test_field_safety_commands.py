"""Finding 9: generated command lines trusted ids. A run, segment or schedule id starting with `-` became an option
of `stella`; quoting does not help (the shell removes the quotes). Every id now travels inside its option
(`--run=ID`), and the scripts are run for real against a stand-in `stella` that records its arguments."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import SnapshotBuilder, cli, run_record
from hostile import tree_state

RUN = "--all-tenants"
SEGMENT = "-rf"
SCHEDULE = "--delete"


def _hostile_ids(snapshot: SnapshotBuilder) -> None:
    runs = snapshot.records("runs.ndjson")
    runs.append(
        run_record(9, id=RUN, scheduleId=SCHEDULE, state="error", error={"code": "ERR_RUN_005", "message": "x"})
    )
    snapshot.write_records("runs.ndjson", runs)
    schedules = snapshot.records("schedules.ndjson")
    schedules.append({**schedules[0], "id": SCHEDULE, "name": "Hostile"})
    snapshot.write_records("schedules.ndjson", schedules)
    segments = snapshot.records("segments.ndjson")
    segments.append({**segments[0], "runId": RUN, "id": SEGMENT, "state": "error"})
    snapshot.write_records("segments.ndjson", segments)
    snapshot.sign()


def _build(snapshot: SnapshotBuilder, site: Path) -> None:
    result = cli(
        "build", snapshot.root, "--trust-root", snapshot.key.public, "-o", site, "-q",
        "--scopes", "runs.read,runs.manage,downloads.read,policy:runs", "--feature", "runs.evidenceBundles=on",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _copy_commands(page: Path) -> list[list[str]]:
    soup = BeautifulSoup(page.read_bytes(), "html.parser")
    return [shlex.split(str(b["data-copy"])) for b in soup.select("[data-copy]") if "stella" in str(b["data-copy"])]


def _run_page(site: Path, run_id: str) -> Path:
    for page in sorted((site / "runs").rglob("*.html")):
        main = BeautifulSoup(page.read_bytes(), "html.parser").find("main")
        if main is not None and main.get("data-run-id") == run_id:
            return page
    raise AssertionError(f"no page for {run_id}")


def _no_bare_id(commands: list[list[str]]) -> None:
    for words in commands:
        assert not {RUN, SEGMENT, SCHEDULE} & set(words), words  # an id alone is an option to stella


def test_ids_starting_with_a_dash_stay_inside_their_option(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    _hostile_ids(snapshot)
    site = tmp_path / "site"
    _build(snapshot, site)
    run_commands = _copy_commands(_run_page(site, RUN))
    assert ["stella", "runs", "retry", f"--run={RUN}"] in run_commands
    assert ["stella", "runs", "retry", f"--run={RUN}", f"--segment={SEGMENT}"] in run_commands
    assert ["stella", "runs", "export", f"--run={RUN}", "--bundle"] in run_commands
    schedule_commands = _copy_commands(site / "schedules.html")
    assert ["stella", "schedules", "pause", f"--schedule={SCHEDULE}"] in schedule_commands
    evidence_commands = _copy_commands(site / "evidence.html")
    assert evidence_commands and all(words[3].startswith("--run=") for words in evidence_commands)
    for commands in (run_commands, schedule_commands, evidence_commands):
        _no_bare_id(commands)


def test_scripts_pass_each_id_as_one_option_to_stella(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    _hostile_ids(snapshot)
    site = tmp_path / "site"
    _build(snapshot, site)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "stella.log"
    stand_in = bin_dir / "stella"
    quoted = shlex.quote(str(log))
    stand_in.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\t" "$a"; done >> {quoted}\necho >> {quoted}\n')
    stand_in.chmod(0o755)
    before = tree_state(site)
    for script in ("export-all-runs.sh", "retry-failed-runs.sh", "cancel-active-runs.sh"):
        result = subprocess.run(
            ["sh", str(site / "scripts" / script)],
            capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    calls = [line.rstrip("\t").split("\t") for line in log.read_text().splitlines()]
    assert ["runs", "export", f"--run={RUN}", "--bundle"] in calls
    assert ["runs", "retry", f"--run={RUN}"] in calls
    _no_bare_id(calls)
    assert tree_state(site) == before  # running the scripts changed nothing of the site

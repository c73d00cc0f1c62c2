"""A snapshot derived from another with edits, then signed: the other half of a pair for `diff` and `--since`.

Tests and benchmarks need two snapshots of one scheduler taken some time apart. The demo generator makes one;
this writes a second from it: runs edited, dropped or added, schedules edited, tenants left out. What a dropped
run or tenant owns (segments, findings, logs, events, evidence and its files, schedules, metrics, impact) is
dropped with it, so the result verifies. Unedited lines and files are kept byte for byte (files hard-linked
where the file system allows). It streams, so a 100,000-run snapshot costs no more memory than a small one.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from snapsite.authoring.sign import sign_snapshot
from snapsite.errors import UsageError
from snapsite.spec import ENVELOPE, MANIFEST, RUNS, TENANTS

Record = dict[str, Any]
RunEdit = Callable[[Record], Record | None]  # the run as it should be, or None to drop it
ScheduleEdit = Callable[[Record], Record | None]
BY_RUN = ("segments.ndjson", "findings.ndjson", "logs.ndjson", "events.ndjson", "evidence.ndjson")


def derive_snapshot(
    source: Path,
    target: Path,
    keys: Sequence[Path],
    metadata: Mapping[str, Any],
    *,
    edit_run: RunEdit | None = None,
    extra_runs: Iterable[Record] = (),
    edit_schedule: ScheduleEdit | None = None,
    drop_tenants: Iterable[str] = (),
) -> None:
    """Write into `target` (absent) the snapshot folder `source` with the edits, signed with `keys`.

    `metadata` overrides the manifest's (give a new `snapshotId` and `createdAt`); `extra_runs` are appended to
    runs.ndjson.
    """
    if target.exists():
        raise UsageError(f"{target} exists")
    dropped_tenants = frozenset(drop_tenants)
    target.mkdir(parents=True)
    tenants = [t for t in json.loads((source / "tenants.json").read_bytes()) if t["id"] not in dropped_tenants]
    (target / "tenants.json").write_text(json.dumps(tenants, indent=2) + "\n", encoding="utf-8")

    def run_edit(run: Record) -> Record | None:
        if run["tenantId"] in dropped_tenants:
            return None
        return edit_run(run) if edit_run else run

    def schedule_edit(schedule: Record) -> Record | None:
        if schedule["tenantId"] in dropped_tenants:
            return None
        return edit_schedule(schedule) if edit_schedule else schedule

    schedules, _ = _rewrite(source, target, "schedules.ndjson", schedule_edit)
    _, dropped_runs = _rewrite(source, target, "runs.ndjson", run_edit, extra_runs, schedules)
    files: dict[str, bool] = {}  # evidence file -> still used by a kept item
    for name in (*BY_RUN, "impact.ndjson", "metrics.ndjson"):
        if (source / name).is_file():
            _filter(source, target, name, dropped_runs, dropped_tenants, files)
    dropped_files = {path for path, used in files.items() if not used}
    skip = {MANIFEST, ENVELOPE, TENANTS, "schedules.ndjson", RUNS, *BY_RUN}
    skip |= {"impact.ndjson", "metrics.ndjson"}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if path.is_file() and relative not in skip and relative not in dropped_files:
            _link(path, target / relative)
    sign_snapshot(target, keys, {**_manifest_metadata(source), **metadata})


def _manifest_metadata(source: Path) -> dict[str, Any]:
    manifest = json.loads((source / MANIFEST).read_bytes())
    return {key: value for key, value in manifest.items() if key != "files"}


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _rewrite(
    source: Path,
    target: Path,
    name: str,
    edit: Callable[[Record], Record | None],
    extra: Iterable[Record] = (),
    schedules: set[str] | None = None,
) -> tuple[set[str], set[str]]:
    """Edit each record of `name` (unchanged lines kept as they were); returns the kept and the dropped ids.

    With `schedules` (for runs), a `scheduleId` of a schedule no longer there is set to null, so the reference
    still resolves.
    """
    dropped: set[str] = set()
    kept: set[str] = set()
    if not (source / name).is_file():
        return kept, dropped
    with (source / name).open("rb") as lines, (target / name).open("wb") as out:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            original = json.dumps(record, sort_keys=True)
            edited = edit(record)
            if edited is None:
                dropped.add(record["id"])
                continue
            if schedules is not None and edited.get("scheduleId") not in (None, *schedules):
                edited = {**edited, "scheduleId": None}
            kept.add(edited["id"])
            same = json.dumps(edited, sort_keys=True) == original
            out.write(line if same else json.dumps(edited, separators=(",", ":")).encode() + b"\n")
        for record in extra:
            out.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
            kept.add(record["id"])
    return kept, dropped


def _filter(
    source: Path,
    target: Path,
    name: str,
    runs: set[str],
    tenants: frozenset[str],
    files: dict[str, bool],
) -> None:
    """Copy `name` without the records of dropped runs or tenants, noting in `files` whether each evidence file
    is still used by a kept item."""
    if not runs and not tenants:
        _link(source / name, target / name)
        return
    with (source / name).open("rb") as lines, (target / name).open("wb") as out:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            tenant = record.get("tenantId") or record.get("labels", {}).get("tenantId")
            drop = record.get("runId") in runs or tenant in tenants
            if name == "evidence.ndjson":
                for path in (record["path"], record.get("attestation")):
                    if path:
                        files[path] = files.get(path, False) or not drop
            if not drop:
                out.write(line)

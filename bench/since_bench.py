"""Benchmark of what changed between two snapshots (issue 16): `build --since` and `diff` against their baselines.

Targets from the issue: a `--since` build of two 100,000-run snapshots costs at most 1.3x a plain build of NEW,
and `diff` of the same pair at most 1.2x a `verify` of both. Every number is printed beside its baseline, measured
by this script in the same run, as a ratio; the script reports, it never decides.

NEW is a demo snapshot (8 tenants, seed 1, as bench/build_bench.py); OLD is derived from it a day earlier
(`snapsite.authoring.derive`): 3% of NEW's runs are not in OLD yet, 2% were still running, 1% of OLD's runs are
gone from NEW. Both are cached under bench/work/since/ (git-ignored), keyed by their parameters and the digest of
the demo and derive code; sites are deleted after they are measured.

    .venv/bin/python bench/since_bench.py --runs 10000      # a quick sanity run
    .venv/bin/python bench/since_bench.py                   # 100,000 runs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proctree import TreeCpu

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work" / "since"
KEY = ROOT / "tests" / "keys" / "demo.key"
PUB = ROOT / "tests" / "keys" / "demo.key.pub"
SNAPSITE = [sys.executable, "-m", "snapsite"]
NEW_CREATED = "2026-11-20T12:00:00Z"
OLD_CREATED = "2026-11-19T12:00:00Z"


@dataclass(frozen=True)
class Measured:
    """One command: wall and CPU seconds (its workers included, forkserver ones sampled) and its exit code."""

    code: int
    seconds: float
    cpu_seconds: float
    load: float  # 1-minute load average when it ended: other work on the machine stretches wall times


def measure(command: list[str], label: str) -> Measured:
    """Run `command` with its output discarded; stop the benchmark if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers = TreeCpu(process.pid)  # forkserver workers: wait4 does not see them
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    worker_cpu = workers.stop()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{label} failed with exit {code}: {stderr.strip()}")
    return Measured(code, seconds, usage.ru_utime + usage.ru_stime + worker_cpu, os.getloadavg()[0])


def _digest(*folders: Path) -> str:
    sources = sorted(p for folder in folders for p in folder.rglob("*.py"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:10]


def _bucket(run_id: str) -> int:
    return int(hashlib.sha256(run_id.encode()).hexdigest()[:8], 16) % 100


def _old_run(run: dict[str, Any]) -> dict[str, Any] | None:
    """OLD's version of NEW's run: 3% not there yet, 2% of the finished ones still running."""
    bucket = _bucket(run["id"])
    if bucket < 3:
        return None
    if bucket < 5 and run["state"] in ("completed", "error", "cancelled"):
        stats = {**run["stats"], "completed": run["stats"]["queued"] // 2}
        return {**run, "state": "running", "finishedAt": None, "error": None, "stats": stats, "deltas": {}}
    return run


def _gone(run: dict[str, Any], index: int) -> dict[str, Any]:
    """A run of OLD that NEW no longer holds (a shorter retention)."""
    return {**run, "id": f"{run['id']}-gone{index}", "phases": [], "badges": [], "retryOf": None}


def pair(runs: int) -> tuple[Path, Path]:
    """The cached NEW and OLD snapshots of `runs` runs, generated when missing."""
    from snapsite.authoring.derive import derive_snapshot

    code = ROOT / "generator" / "snapsite" / "authoring"
    folder = WORK / f"r{runs}-t8-s1-{_digest(code)}"
    new, old = folder / "new", folder / "old"
    if (old / "manifest.dsse.json").is_file():
        return new, old
    shutil.rmtree(WORK, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    demo = [*SNAPSITE, "demo", "-o", str(new), "--runs", str(runs), "--tenants", "8", "--seed", "1"]
    measure([*demo, "--key", str(KEY), "--created-at", NEW_CREATED], "demo")
    with (new / "runs.ndjson").open("rb") as lines:
        sample = [json.loads(line) for _, line in zip(range(max(1, runs // 100)), lines, strict=False)]
    extra = [_gone(run, n) for n, run in enumerate(sample)]
    derive_snapshot(
        new,
        old,
        [KEY],
        {"snapshotId": f"snap:demo:{OLD_CREATED}", "createdAt": OLD_CREATED},
        edit_run=_old_run,
        extra_runs=extra,
    )
    print(f"generated the pair in {time.perf_counter() - started:.1f} s", flush=True)
    return new, old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()
    new, old = pair(args.runs)
    out = WORK / "site"
    results: dict[str, Measured] = {}
    trust = ["--trust-root", str(PUB)]
    steps = {
        "verify OLD": [*SNAPSITE, "verify", str(old), *trust],
        "verify NEW": [*SNAPSITE, "verify", str(new), *trust],
        "diff OLD NEW": [*SNAPSITE, "diff", str(old), str(new), *trust],
        "build NEW": [*SNAPSITE, "build", str(new), *trust, "-o", str(out), "-q"],
        "build NEW --since OLD": [*SNAPSITE, "build", str(new), *trust, "--since", str(old), "-o", str(out), "-q"],
    }
    for label, command in steps.items():
        shutil.rmtree(out, ignore_errors=True)
        results[label] = measured = measure(command, label)
        print(
            f"{label:24} {measured.seconds:7.1f} s wall {measured.cpu_seconds:7.1f} s CPU (load {measured.load:.1f})",
            flush=True,
        )
    shutil.rmtree(out, ignore_errors=True)
    verify_both = results["verify OLD"].seconds + results["verify NEW"].seconds
    verify_both_cpu = results["verify OLD"].cpu_seconds + results["verify NEW"].cpu_seconds
    since, plain = results["build NEW --since OLD"], results["build NEW"]
    diff = results["diff OLD NEW"]
    print(f"runs: {args.runs:,} in NEW")
    print(
        f"build --since / build:     {since.seconds / plain.seconds:.2f}x wall, "
        f"{since.cpu_seconds / plain.cpu_seconds:.2f}x CPU (target at most 1.3x)"
    )
    print(
        f"diff / verify of both:     {diff.seconds / verify_both:.2f}x wall, "
        f"{diff.cpu_seconds / verify_both_cpu:.2f}x CPU (target at most 1.2x)"
    )


if __name__ == "__main__":
    main()

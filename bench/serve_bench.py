"""Benchmark of `snapsite serve --watch` (issue 6): after one run of a 20,000-run snapshot changes, the time to an
updated site, as a ratio to a full build.

Every rebuild goes through `snapsite.preview.watch.rebuild_site`, exactly as the watch loop calls it: the changed run's
bucket is rendered again, the other runs' files are linked from the previous output. The baseline is the faster
of two full builds measured in the same process (the first, with no state yet, and a forced one at the end into
another folder), whose bytes must equal the incremental site's. The script prints what it measures, it never
decides. The snapshot is generated once and cached under bench/work/.

    .venv/bin/python bench/serve_bench.py
    .venv/bin/python bench/serve_bench.py --runs 2000 --json bench/work/serve.json
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from snapsite.authoring.sign import sign_snapshot
from snapsite.preview.watch import rebuild_site, state_file
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.names import slug
from snapsite.spec import SUMS

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
KEY = ROOT / "tests" / "keys" / "demo.key"
PUBLIC = ROOT / "tests" / "keys" / "demo.key.pub"


def snapshot(runs: int, tenants: int, seed: int, regen: bool) -> Path:
    """The cached demo snapshot (generated when missing or when `regen`)."""
    target = WORK / f"serve-r{runs}-t{tenants}-s{seed}"
    done = target.with_name(target.name + ".done")
    if regen or not done.exists():
        done.unlink(missing_ok=True)  # a generation that dies half-way must not look finished
        shutil.rmtree(target, ignore_errors=True)
        command = [sys.executable, "-m", "snapsite", "demo", "-o", str(target), "--runs", str(runs)]
        command += ["--tenants", str(tenants), "--seed", str(seed), "--key", str(KEY)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        done.touch()
    return target


def change_one_run(folder: Path) -> str:
    """Give the run in the middle of runs.ndjson another initiator; its id."""
    path = folder / "runs.ndjson"
    lines = path.read_bytes().split(b"\n")
    middle = (len(lines) - 1) // 2
    record = json.loads(lines[middle])
    lines[middle] = re.sub(rb'"initiator":"[^"]*"', b'"initiator":"user:bench-edit"', lines[middle], count=1)
    assert b"user:bench-edit" in lines[middle], "the demo's runs.ndjson changed format"
    path.write_bytes(b"\n".join(lines))
    return str(record["id"])


class Stopwatch:
    """Wall seconds and CPU seconds (this process and its reaped workers): CPU stays honest on a busy machine."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def stop(self, label: str, results: dict[str, Any], note: str = "") -> None:
        wall, cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu
        results[label] = {"wall": wall, "cpu": cpu}
        print(f"{label:<30} {wall:8.2f} s wall {cpu:8.2f} s cpu{'  ' + note if note else ''}", flush=True)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    """Full build, unchanged check, then one changed run: seconds and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--tenants", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--regen", action="store_true", help="regenerate the cached snapshot")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()

    source = snapshot(args.runs, args.tenants, args.seed, args.regen)
    folder, output = WORK / "serve-edit", WORK / "serve-out"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    state_file(output).unlink(missing_ok=True)
    shutil.copytree(source, folder)
    options = BuildOptions(snapshot=folder, trust_roots=(PUBLIC,), output=output)
    results: dict[str, Any] = {"runs": args.runs, "tenants": args.tenants, "seed": args.seed}
    print(f"snapshot {source.name}: {args.runs} runs, {args.tenants} tenants")

    watch = Stopwatch()
    first = rebuild_site(options)
    assert first is not None
    watch.stop("full build (no state yet)", results, f"{first.pages} pages")

    watch = Stopwatch()
    assert rebuild_site(options) is None
    watch.stop("rebuild, inputs unchanged", results, "stat + digests of the inputs")

    watch = Stopwatch()
    run_id = change_one_run(folder)
    sign_snapshot(folder, [KEY], {})
    watch.stop("edit one run + re-sign", results, f"{run_id} (not in the ratios)")

    watch = Stopwatch()
    changed = rebuild_site(options)
    assert changed is not None
    watch.stop("rebuild, one run changed", results, f"{changed.reused_runs} of {changed.runs} runs' files reused")
    assert b"user:bench-edit" in (output / "runs" / f"{slug(run_id)}.html").read_bytes()

    forced = WORK / "serve-full"
    shutil.rmtree(forced, ignore_errors=True)
    watch = Stopwatch()
    build_site(BuildOptions(snapshot=folder, trust_roots=(PUBLIC,), output=forced))
    watch.stop("full build (forced)", results)
    same = (forced / SUMS).read_bytes() == (output / SUMS).read_bytes()
    print(f"incremental site == full build: {same}")
    results["identical"] = same
    shutil.rmtree(forced)

    full = min((results[k] for k in ("full build (no state yet)", "full build (forced)")), key=lambda r: r["wall"])
    for label, key in (("one run changed", "rebuild, one run changed"), ("unchanged", "rebuild, inputs unchanged")):
        ratio = {kind: results[key][kind] / full[kind] for kind in ("wall", "cpu")}
        results[f"ratio {label} / full"] = ratio
        print(f"{label + ' / full build':<30} {ratio['wall']:8.3f} wall   {ratio['cpu']:8.3f} cpu")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Benchmark of `snapsite verify` (issues 2, 15): hashing against peer tools, then the whole command against
its two limits measured in the same run: the machine's hashing limit (two parallel `openssl dgst` processes over
every file) and a bare single-core `json.loads` of every record line.

Every number is printed next to a baseline measured in the same run of this script, as a ratio: the script
reports, it never decides. Snapshots are generated once and cached under bench/work/ (git-ignored).

    .venv/bin/python bench/verify_bench.py --quick           # 20,000 runs + 64 MiB, a sanity run
    .venv/bin/python bench/verify_bench.py --archive --json bench/work/result.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from snapsite.snapshot.hashing import hash_files

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
KEY = ROOT / "tests" / "keys" / "demo.key"
SNAPSITE = [sys.executable, "-m", "snapsite"]
GIB = 1 << 30
MIB = 1 << 20
MB = 1e6


def cached(name: str, command: list[str], regen: bool) -> tuple[float, bool]:
    """Seconds `command` took to make bench/work/`name`, and whether that was in an earlier run (cached)."""
    target, meta = WORK / name, WORK / f"{name}.meta.json"
    if meta.exists() and target.exists() and not regen:
        return float(json.loads(meta.read_text())["seconds"]), True
    meta.unlink(missing_ok=True)  # a build that dies half-way must not look finished
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    meta.write_text(json.dumps({"seconds": seconds}))
    return seconds, False


def measure(command: list[str], stdout: Path) -> tuple[int, float, int]:
    """Run `command`, stdout to a file; its exit code, wall seconds and peak RSS in KiB (that child only)."""
    with stdout.open("wb") as out, stdout.with_suffix(".stderr").open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would mix in the generator and the peers.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, seconds, usage.ru_maxrss


def split_by_bytes(files: list[tuple[str, int]]) -> tuple[list[str], list[str]]:
    """Two lists of nearly equal total size: largest first, each file to the lighter half."""
    halves: tuple[list[str], list[str]] = ([], [])
    totals = [0, 0]
    for path, size in sorted(files, key=lambda item: -item[1]):
        lighter = 0 if totals[0] <= totals[1] else 1
        halves[lighter].append(path)
        totals[lighter] += size
    return halves


def hash_methods(folder: Path, files: list[tuple[str, int]]) -> dict[str, Callable[[], object]]:
    """snapsite's hash_files and its peers, each hashing every file of the snapshot once."""
    lists = {"all": [path for path, _ in files]} | dict(zip(("a", "b"), split_by_bytes(files), strict=True))
    for name, paths in lists.items():  # NUL-separated lists for `xargs -0 -a`: too many paths for argv
        (WORK / f"files-{name}.lst").write_bytes(b"".join(os.fsencode(p) + b"\0" for p in paths))
    absolute = [folder / path for path, _ in files]

    def xargs(part: str, *tool: str) -> list[str]:
        return ["xargs", "-0", "-a", str(WORK / f"files-{part}.lst"), *tool]

    def run_all(*commands: list[str]) -> None:
        processes = [subprocess.Popen(c, cwd=folder, stdout=subprocess.DEVNULL) for c in commands]
        if any(process.wait() for process in processes):
            sys.exit(f"peer command failed: {commands}")

    def python_loop() -> None:
        for path in absolute:
            with path.open("rb") as file:
                hashlib.file_digest(file, "sha256")

    openssl = ("openssl", "dgst", "-sha256")
    return {
        "snapsite": lambda: hash_files(absolute),
        "openssl-2proc": lambda: run_all(xargs("a", *openssl), xargs("b", *openssl)),
        "sha256sum": lambda: run_all(xargs("all", "sha256sum")),
        "hashlib-1thread": python_loop,
        "warm-up (cat)": lambda: run_all(xargs("all", "cat")),
    }


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children, user and system."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_hashing(folder: Path, manifest: dict[str, Any], repeat: int) -> dict[str, dict[str, float]]:
    """Best and median seconds, MB/s and CPU seconds per GB of each method; rounds interleave the methods.

    CPU time per GB barely moves when other processes share the cores, unlike wall time: on a shared machine
    it tells a slow method from a starved one.
    """
    files = [(entry["path"], entry["size"]) for entry in manifest["files"]]
    total = sum(size for _, size in files)
    methods = hash_methods(folder, files)
    methods.pop("warm-up (cat)")()  # untimed: every method then starts from the same warm page cache
    times: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeat):
        for name, method in methods.items():
            start, start_cpu = time.perf_counter(), cpu_seconds()
            method()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(cpu_seconds() - start_cpu)
    best = {name: min(values) for name, values in times.items()}
    return {
        name: {
            "best_s": best[name],
            "median_s": statistics.median(times[name]),
            "mb_per_s": total / best[name] / MB,
            "snapsite_ratio": best[name] / best["snapsite"],  # snapsite throughput / this method's
            "cpu_s_per_gb": min(cpu[name]) / (total / 1e9),
        }
        for name in methods
    }


JSON_LOADS_SCRIPT = """
import json, os, sys, time
start = time.perf_counter()
for name in sorted(os.listdir(sys.argv[1])):
    if name.endswith(".ndjson"):
        with open(os.path.join(sys.argv[1], name), "rb") as file:
            for line in file:
                json.loads(line)
print(time.perf_counter() - start)
"""


def bare_json_loads(folder: Path) -> dict[str, float]:
    """Seconds a bare `json.loads` of every record line takes on one core (a child process, like verify)."""
    command = [sys.executable, "-c", JSON_LOADS_SCRIPT, str(folder)]
    code, seconds, rss_kib = measure(command, WORK / "json-loads.out")
    if code != 0:
        sys.exit(f"json.loads baseline exited {code}")
    print(f"bare json.loads of every record line, one core: {seconds:.1f} s, peak RSS {rss_kib / 1024:,.0f} MiB")
    return {"seconds": seconds}


def verify(target: Path, label: str, runs: int) -> dict[str, Any]:
    """Time `snapsite verify TARGET --json` as a child process; exits when it does not verify."""
    command = [*SNAPSITE, "verify", str(target), "--trust-root", str(KEY) + ".pub", "--json"]
    out = WORK / f"verify-{label}.json"
    code, seconds, rss_kib = measure(command, out)
    if code != 0:
        sys.exit(f"verify {target} exited {code}: {out.with_suffix('.stderr').read_text()[-2000:]}")
    report = json.loads(out.read_text())
    rss_mib = rss_kib / 1024
    files = report["files"]["checked"]
    print(
        f"verify ({label}): {seconds:.1f} s, {runs / seconds:,.0f} runs/s, {files:,} files checked,"
        f" peak RSS {rss_mib:,.0f} MiB; peak RSS / 512 MiB: {rss_mib / 512:.2f} (target < 1.0)"
    )
    return {
        "seconds": seconds,
        "runs_per_s": runs / seconds,
        "peak_rss_mib": rss_mib,
        "status": report["status"],
    }


def main() -> None:
    """Parse options, build or reuse the snapshot, run every measurement, print the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--evidence-gib", type=float, default=1.0, help="large evidence in GiB")
    parser.add_argument("--quick", action="store_true", help="20,000 runs and 64 MiB of evidence")
    parser.add_argument("--regen", action="store_true", help="regenerate the cached snapshot (and archive)")
    parser.add_argument("--archive", action="store_true", help="also verify the snapshot as a .tar.zst")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds of each hashing method")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    # Other processes on the machine skew every ratio here; the load average says how busy it already was.
    load = os.getloadavg()[0]
    runs, evidence = (20_000, 64 * MIB) if args.quick else (args.runs, int(args.evidence_gib * GIB))
    WORK.mkdir(parents=True, exist_ok=True)
    name = f"snap-r{runs}-e{evidence}-t8-s1"
    folder = WORK / name
    demo = [*SNAPSITE, "demo", "-o", str(folder), "--runs", str(runs), "--tenants", "8", "--seed", "1"]
    demo += ["--key", str(KEY), "--evidence-bytes", str(evidence)]
    generated, was_cached = cached(name, demo, args.regen)
    manifest = json.loads((folder / "manifest.json").read_text())
    total = sum(entry["size"] for entry in manifest["files"])
    results: dict[str, Any] = {
        "runs": runs,
        "evidence_bytes": evidence,
        "files": len(manifest["files"]),
        "bytes": total,
        "cpus": os.cpu_count(),
        "load_average_1min_at_start": load,
        "generation_s": generated,
    }
    print(
        f"snapsite verify benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" 1-min load average at start {load:.2f}"
    )
    print(
        f"snapshot {folder.relative_to(ROOT)}: {runs:,} runs, {len(manifest['files']):,} files,"
        f" {total / MB:,.0f} MB; generated in {generated:.1f} s" + (" (in an earlier run)" if was_cached else "")
    )

    hashing = bench_hashing(folder, manifest, args.repeat)
    results["hashing"] = hashing
    print(f"\nhashing every manifest file, warm page cache, best of {args.repeat}, MB = 1e6 bytes:")
    print(f"  {'method':<16}{'best s':>9}{'median s':>10}{'MB/s':>9}{'snapsite/method':>17}{'CPU s/GB':>10}")
    for method, row in hashing.items():
        print(
            f"  {method:<16}{row['best_s']:>9.2f}{row['median_s']:>10.2f}{row['mb_per_s']:>9,.0f}"
            f"{row['snapsite_ratio']:>17.2f}{row['cpu_s_per_gb']:>10.2f}"
        )
    print(
        f"snapsite/openssl-2proc throughput ratio: {hashing['openssl-2proc']['snapsite_ratio']:.2f} (target >= 0.9)\n"
    )

    results["json_loads"] = bare_json_loads(folder)
    results["verify_dir"] = verify(folder, "directory", runs)
    verify_s = results["verify_dir"]["seconds"]
    hashing_limit = hashing["openssl-2proc"]["best_s"]
    print(
        f"verify / bare json.loads: {verify_s / results['json_loads']['seconds']:.2f} (target <= 1.0);"
        f" verify / hashing limit (openssl-2proc): {verify_s / hashing_limit:.2f};"
        f" 1-min load average now {os.getloadavg()[0]:.2f}"
    )
    results["ratios"] = {
        "verify_to_json_loads": verify_s / results["json_loads"]["seconds"],
        "verify_to_hashing_limit": verify_s / hashing_limit,
    }
    if args.archive:
        archive = WORK / f"{name}.tar.zst"
        pack = ["tar", "--zstd", "-cf", str(archive), "-C", str(WORK), name]  # one top-level folder
        packed, _ = cached(archive.name, pack, args.regen)
        print(f"archive {archive.name}: {archive.stat().st_size / MB:,.0f} MB, packed in {packed:.1f} s")
        results["verify_archive"] = verify(archive, "archive", runs)
        ratio = results["verify_archive"]["seconds"] / results["verify_dir"]["seconds"]
        print(f"archive/directory verify time ratio: {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Benchmark of the Runs workspace in the browser (issue 4), with pytest-html as the peer to beat.

For a site of 100,000 runs in headless Chromium (the system's /usr/bin/chromium) on file://: the time from
navigation to the first rows the script draws (and to the static rows, and to every data file loaded), the median
and p95 time from a filter change to the updated table (24 changes of several filters; both the synchronous work
and the time to the next frame), the time to draw after a scroll jump, and the JS heap after a garbage collection.
The same numbers are taken for a self-contained pytest-html report, the peer: its own script renders every row
into the DOM, and its cost grows faster than its row count (1,000 rows take seconds, 4,000 rows tens of seconds,
and 20,000 rows, the brief's size, did not draw within 15 minutes here, its renderer at 10 GB), so the peer is
measured at --peer-rows (default 5,000, once) with a time limit, and a peer that misses it is reported as such.
The ratios are printed beside the numbers. The script reports, it never decides.

The snapshot and the site are built once and cached under bench/work/browser/ (git-ignored): a site is rebuilt
when the templates or the generator's version change (or with --rebuild); the theme's static files (the scripts
and the style sheet) are copied over the cached site's, so that script changes are measured without a rebuild.

    .venv/bin/python bench/browser_bench.py                       # 100,000 runs, peer 5,000 rows
    .venv/bin/python bench/browser_bench.py --runs 20000 --peer-rows 20000 --peer-timeout 1800 --json out.json
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from snapsite import __version__
from snapsite.authoring.demo import write_demo
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.trust.keys import write_keypair

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work" / "browser"
THEME = ROOT / "themes" / "default"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--enable-precise-memory-info",
]
VIEWPORT = {"width": 1400, "height": 1000}
MB = 1e6

# Recorded in the page from its first instant: when the first script-drawn run row (it has aria-rowindex) and
# the first row of pytest-html's table appear.
FIRST_ROWS_PROBE = """
window.__bench = {};
new MutationObserver(function (records, observer) {
  if (!window.__bench.firstRows && document.querySelector(
      '#runs-table tr[aria-rowindex], #results-table tbody.results-table-row')) {
    window.__bench.firstRows = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""

# One filter change: dispatch it, note the synchronous time, then the time when the next frame is produced.
CHANGE = """
async ([selector, value, kind]) => {
  const el = document.querySelector(selector);
  const start = performance.now();
  if (kind === 'click') { el.click(); }
  else {
    el.value = value;
    el.dispatchEvent(new Event(kind, {bubbles: true}));
  }
  document.body.getBoundingClientRect();
  const sync = performance.now() - start;
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return [sync, performance.now() - start];
}
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def digest_of(paths: list[Path]) -> str:
    sha = hashlib.sha256(__version__.encode())
    for path in sorted(paths):
        sha.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def snapsite_site(runs: int, tenants: int, seed: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The cached site of a `runs`-run snapshot, (re)built when needed; the theme's static files refreshed."""
    WORK.mkdir(parents=True, exist_ok=True)
    key_private, key_public = WORK / "key", WORK / "key.pub"
    if not key_private.exists():
        write_keypair(key_private, "ed25519")
    snapshot = WORK / f"snap-{runs}"
    snapshot_meta = WORK / f"snap-{runs}.meta.json"
    if rebuild or not snapshot_meta.exists():
        shutil.rmtree(snapshot, ignore_errors=True)
        log(f"generating a snapshot of {runs} runs ...")
        start = time.perf_counter()
        write_demo(snapshot, runs=runs, tenants=tenants, seed=seed, key_paths=[key_private])
        snapshot_meta.write_text(json.dumps({"seconds": time.perf_counter() - start}))
    site = WORK / f"site-{runs}"
    site_meta = WORK / f"site-{runs}.meta.json"
    key = digest_of(list((THEME / "templates").glob("*.html")))
    cached = json.loads(site_meta.read_text()) if site_meta.exists() else {}
    if rebuild or cached.get("key") != key or not site.exists():
        site_meta.unlink(missing_ok=True)
        log(f"building the site of {runs} runs (several minutes at 100,000) ...")
        start = time.perf_counter()
        build_site(BuildOptions(snapshot=snapshot, trust_roots=(key_public,), output=site))
        cached = {"key": key, "seconds": time.perf_counter() - start}
        site_meta.write_text(json.dumps(cached))
    refreshed = refresh_assets(site)
    info = {"build_seconds": round(cached["seconds"], 1), "assets_refreshed": refreshed}
    info["data_bytes"] = sum(p.stat().st_size for p in (site / "data").glob("runs-*.js"))
    return site, info


def refresh_assets(site: Path) -> list[str]:
    """Copy the theme's static files over the cached site's published ones (same stem and extension)."""
    refreshed = []
    for source in sorted((THEME / "static").iterdir()):
        published = list((site / "static").glob(f"{source.stem}.*{source.suffix}"))
        if len(published) != 1:
            raise SystemExit(f"{source.name}: not in the cached site ({published}); rebuild with --rebuild")
        if published[0].read_bytes() != source.read_bytes():
            published[0].write_bytes(source.read_bytes())
            refreshed.append(source.name)
    return refreshed


def peer_report(rows: int) -> tuple[Path, dict[str, Any]]:
    """A self-contained pytest-html report of `rows` trivial tests (every 25th skipped), cached."""
    folder = WORK / f"peer-{rows}"
    report = folder / "report.html"
    meta = folder / "meta.json"
    if not meta.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "test_peer.py").write_text(
            "import pytest\n\n\n"
            f"@pytest.mark.parametrize('i', range({rows}))\n"
            "def test_row(i: int) -> None:\n"
            "    if i % 25 == 7:\n"
            "        pytest.skip('every 25th is skipped, so that the filters have something to do')\n"
        )
        log(f"running {rows} tests for the pytest-html report ...")
        start = time.perf_counter()
        subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(folder)),
                *("--html", str(report), "--self-contained-html", str(folder / "test_peer.py")),
            ],
            check=True,
            cwd=folder,
            stdout=subprocess.DEVNULL,
        )
        meta.write_text(json.dumps({"seconds": time.perf_counter() - start}))
    return report, {
        "report_bytes": report.stat().st_size,
        "pytest_seconds": round(json.loads(meta.read_text())["seconds"], 1),
    }


def heap_mb(page: Page) -> float:
    session = page.context.new_cdp_session(page)
    session.send("HeapProfiler.collectGarbage")
    used = float(session.send("Runtime.getHeapUsage")["usedSize"])
    session.detach()
    return round(used / MB, 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 0.95), 1)}


def open_page(browser: Browser, url: str, selector: str, timeout_s: float) -> tuple[Page, dict[str, float]]:
    """A fresh page on `url` (nothing but file:// reaches it), once `selector` is there; its load timings."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    context.add_init_script(FIRST_ROWS_PROBE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    page.wait_for_selector(selector, state="attached", timeout=timeout_s * 1000)
    loaded = (time.perf_counter() - start) * 1000
    page.wait_for_function("() => window.__bench.firstRows !== undefined", timeout=timeout_s * 1000)
    first = float(page.evaluate("window.__bench.firstRows"))
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: 0}).startTime"
    )
    if errors:
        raise SystemExit(f"console errors on {url}: {errors[:5]}")
    numbers = {"first_rows_ms": round(first, 1), "first_paint_ms": round(float(paint), 1), "ready_ms": round(loaded, 1)}
    return page, numbers


def loads_of(browser: Browser, url: str, selector: str, trials: int, timeout_s: float) -> tuple[Page, dict[str, float]]:
    """Load `url` `trials` times (medians kept); the last page stays open for the interactive measurements."""
    runs = []
    page = None
    for trial in range(trials):
        page, numbers = open_page(browser, url, selector, timeout_s)
        runs.append(numbers)
        if trial < trials - 1:
            page.context.close()
    assert page is not None
    return page, {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def measure_snapsite(browser: Browser, site: Path, trials: int) -> dict[str, Any]:
    url = (site / "index.html").as_uri() + "#tab=all"
    page, loads = loads_of(browser, url, "#runs-table[data-state=ready]", trials, 300)
    rows = int(page.inner_text('[data-testid="result-count"]'))
    tenants = page.eval_on_selector_all("#filter-tenant option", "os => os.map(o => o.value)")
    changes: list[list[str]] = []
    for round_ in range(3):
        changes += [
            ["#filter-severity", "critical", "change"],
            ["#filter-severity", "", "change"],
            ["#filter-state", "error", "change"],
            ["#filter-state", "", "change"],
            ["#filter-q", "system" if round_ % 2 else "a1", "input"],
            ["#filter-q", "", "input"],
            ["#filter-trigger", "manual", "change"],
            ["#filter-trigger", "", "change"],
        ]
    timings = [page.evaluate(CHANGE, change) for change in changes]
    for tenant in tenants[:3]:
        page.select_option("#filter-tenant", tenant)
        timings.append(page.evaluate(CHANGE, ["#filter-severity", "high", "change"]))
        timings.append(page.evaluate(CHANGE, ["#filter-severity", "", "change"]))
    scroll = page.evaluate(
        """async () => {
            const wrap = document.getElementById('runs-table').parentNode;
            const times = [];
            for (let i = 1; i <= 20; i += 1) {
                const start = performance.now();
                wrap.scrollTop = (wrap.scrollHeight * ((i * 7919) % 20)) / 20;
                await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
                times.push(performance.now() - start);
            }
            return times;
        }"""
    )
    result = {
        "rows": rows,
        **loads,
        "filter_sync": summary([t[0] for t in timings]),
        "filter_frame": summary([t[1] for t in timings]),
        "filter_changes": len(timings),
        "scroll_jump_two_frames": summary(scroll),
        "heap_mb": heap_mb(page),
        "dom_rows": page.locator("#runs-table tbody tr[data-run-id]").count(),
    }
    page.context.close()
    return result


def measure_peer(browser: Browser, report: Path, trials: int, timeout_s: float) -> dict[str, Any]:
    try:
        page, loads = loads_of(browser, report.as_uri(), "#results-table tbody.results-table-row", trials, timeout_s)
    except PlaywrightTimeoutError:
        return {"timed_out_after_s": timeout_s}
    rows = page.locator("#results-table tbody.results-table-row").count()
    toggles = ['input.filter[data-test-result="passed"]'] * 6 + ['input.filter[data-test-result="skipped"]'] * 6
    timings = [page.evaluate(CHANGE, [selector, "", "click"]) for selector in toggles]
    result = {
        "rows": rows,
        **loads,
        "filter_sync": summary([t[0] for t in timings]),
        "filter_frame": summary([t[1] for t in timings]),
        "filter_changes": len(timings),
        "heap_mb": heap_mb(page),
        "dom_rows": rows,
    }
    page.context.close()
    return result


def table(ours: dict[str, Any], peer: dict[str, Any]) -> str:
    def get(numbers: dict[str, Any], path: str) -> float | None:
        value: Any = numbers
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, int | float) else None

    rows = [
        ("rows", "rows"),
        ("first rows drawn (ms)", "first_rows_ms"),
        ("first contentful paint (ms)", "first_paint_ms"),
        ("every row ready (ms)", "ready_ms"),
        ("filter change, median (ms, to frame)", "filter_frame.median_ms"),
        ("filter change, p95 (ms, to frame)", "filter_frame.p95_ms"),
        ("filter change, median (ms, sync)", "filter_sync.median_ms"),
        ("scroll jump, median (ms, 2 frames)", "scroll_jump_two_frames.median_ms"),
        ("JS heap after GC (MB)", "heap_mb"),
        ("rows in the DOM", "dom_rows"),
    ]
    lines = [f"{'':38} {'snapsite':>12} {'pytest-html':>12} {'ratio':>8}"]
    for label, path in rows:
        a, b = get(ours, path), get(peer, path)
        ratio = f"{a / b:.3f}" if a is not None and b else ""
        lines.append(f"{label:38} {'' if a is None else a:>12} {'' if b is None else b:>12} {ratio:>8}")
    if "timed_out_after_s" in peer:
        lines.append(f"pytest-html did not draw its rows within {peer['timed_out_after_s']} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trials", type=int, default=3, help="page loads of the site (the median is kept)")
    parser.add_argument("--peer-rows", type=int, default=5_000)
    parser.add_argument("--peer-trials", type=int, default=1)
    parser.add_argument("--peer-timeout", type=float, default=600, help="seconds the peer may take to draw")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the snapshot and rebuild the site")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    if importlib.util.find_spec("pytest_html") is None:
        raise SystemExit("the peer needs pytest-html: .venv/bin/pip install pytest-html")
    site, site_info = snapsite_site(args.runs, args.tenants, args.seed, args.rebuild)
    report, peer_info = peer_report(args.peer_rows)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        log("measuring the snapsite workspace ...")
        ours = {**measure_snapsite(browser, site, args.trials), **site_info}
        log("measuring the pytest-html report ...")
        peer = {**measure_peer(browser, report, args.peer_trials, args.peer_timeout), **peer_info}
        browser.close()
    print(table(ours, peer))
    print(f"snapsite: {site_info}\npytest-html: {peer_info}")
    if args.json:
        args.json.write_text(json.dumps({"snapsite": ours, "pytest_html": peer}, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""`make screenshots`: the README's pictures of the site, taken from the demo snapshot in Chromium (Playwright).

The workspace in light and dark, a run page, and the phone layout. The page clock is pinned two hours after the
snapshot was taken, so the pictures show the same ages whenever they are made; every request outside the site
folder is aborted, as in the browser tests. Each picture must stay under 300 kB (the README travels with the
repository).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Route, sync_playwright
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.names import run_slug
from snapsite.snapshot.records import Manifest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "snapshots" / "demo"
CHROMIUM = "/usr/bin/chromium"
SCOPES = frozenset({"runs.read", "runs.manage", "policy:runs", "downloads.read"})
LIMIT = 300_000
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def shots(site: Path, resolved_run: str) -> list[tuple[str, str, dict[str, int], str, str]]:
    """(file name, page and hash, viewport, colour scheme, element scrolled to the top or "") of each picture."""
    run_page = site / "runs" / f"{run_slug(resolved_run)}.html"  # the run's page, named from its id's digest
    return [
        # Two tenants chosen: the filter chips show under the bar.
        ("workspace-light.png", "index.html#tab=failures&tenant=acme&tenant=globex", DESKTOP, "light", ""),
        ("workspace-dark.png", "index.html#tab=failures", DESKTOP, "dark", ""),
        ("run-page.png", run_page.relative_to(site).as_posix(), DESKTOP, "light", ""),
        # The phone's two-line cards, from the filter bar down.
        ("phone.png", "index.html#tab=failures", PHONE, "light", "#filters"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    manifest = Manifest.model_validate_json((DEMO / "manifest.json").read_bytes())
    with tempfile.TemporaryDirectory(prefix="snapsite-shots-") as folder:
        site = Path(folder) / "site"
        trust = (ROOT / "snapshots" / "demo.pub",)
        build_site(BuildOptions(snapshot=DEMO, trust_roots=trust, output=site, scopes=SCOPES))
        listing = (site / "list" / "page-0001.html").read_text().splitlines()
        resolved = next(line for line in listing if "data-resolved-by" in line)  # a failure a retry resolved
        resolved_run = resolved.split('data-run-id="', 1)[1].split('"', 1)[0]
        prefix = site.as_uri() + "/"
        too_big = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for name, path, viewport, scheme, scroll in shots(site, resolved_run):
                context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]

                def route(request: Route) -> None:
                    if request.request.url.startswith(prefix):
                        request.continue_()
                    else:
                        request.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.clock.install(time=manifest.created_at + timedelta(hours=2))
                page.goto(prefix + path)
                if path.startswith("index.html"):
                    page.wait_for_selector("#runs-table[data-state=ready]", state="attached")
                if scroll:
                    page.evaluate("s => document.querySelector(s).scrollIntoView({behavior: 'instant'})", scroll)
                target = args.out / name
                page.screenshot(path=str(target))
                size = target.stat().st_size
                print(f"{target.relative_to(ROOT)}: {size:,} bytes")
                if size > LIMIT:
                    too_big.append(name)
                context.close()
            browser.close()
    if too_big:
        print(f"over {LIMIT:,} bytes: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

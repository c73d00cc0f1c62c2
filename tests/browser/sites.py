"""The sites the browser tests open: the embedded demo and generated snapshots, each built by `build_site`.

Run as a script (`python -m browser.sites OUT --runs N ...`, with tests/ on the path) it generates a snapshot and
builds its site, so that a large build can run in the background while the small sites are being tested.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from snapsite.authoring.demo import write_demo
from snapsite.site.build import build_site
from snapsite.site.config import DEFAULT_SCOPES, BuildOptions
from snapsite.trust.keys import write_keypair

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "snapshots" / "demo"
DEMO_PUB = ROOT / "snapshots" / "demo.pub"
MANAGE_SCOPES = frozenset({"runs.read", "runs.manage", "policy:runs", "downloads.read"})


@dataclass(frozen=True)
class Site:
    """A built site and the snapshot it was built from."""

    root: Path
    snapshot: Path
    base: str | None = None  # where the site is served from, when not from file://

    @property
    def prefix(self) -> str:
        """Every URL inside the site starts with this."""
        return self.base or self.root.as_uri() + "/"

    def url(self, path: str = "index.html", fragment: str = "") -> str:
        return self.prefix + path + ("#" + fragment if fragment else "")


def build(snapshot: Path, trust_root: Path, output: Path, scopes: frozenset[str]) -> Site:
    """Build `snapshot` into `output` with `scopes`."""
    build_site(BuildOptions(snapshot=snapshot, trust_roots=(trust_root,), output=output, scopes=scopes))
    return Site(output, snapshot)


def demo_site(output: Path, scopes: frozenset[str] = MANAGE_SCOPES) -> Site:
    """The embedded demo snapshot (snapshots/demo) as a site."""
    return build(DEMO, DEMO_PUB, output, scopes)


def generated_site(folder: Path, *, runs: int, tenants: int, seed: int) -> Site:
    """A signed synthetic snapshot of `runs` runs, and its site (default scopes), under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    private, public = write_keypair(folder / "signer.key", "ed25519")
    snapshot = folder / "snapshot"
    write_demo(snapshot, runs=runs, tenants=tenants, seed=seed, key_paths=[private])
    return build(snapshot, public, folder / "site", frozenset(DEFAULT_SCOPES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--tenants", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generated_site(args.folder, runs=args.runs, tenants=args.tenants, seed=args.seed)


def site_pages(site: Site) -> list[str]:
    """Every kind of page of the site: the index's views, the site-wide pages, a listing page, run pages (the
    first of each state) and a runbook."""
    root = site.root
    paths = ["index.html", "index.html#tab=failures", "index.html#tab=scheduled"]
    paths += ["schedules.html", "observability.html", "evidence.html", "verification.html", "list/page-0001.html"]
    states: dict[str, str] = {}
    for page in sorted(root.glob("runs/**/*.html")):
        text = page.read_text(encoding="utf-8")
        state = text.split('class="badge state state-', 1)[1].split('"', 1)[0]
        states.setdefault(state, page.relative_to(root).as_posix())
    paths += sorted(states.values())
    paths.append(next(p.relative_to(root).as_posix() for p in sorted(root.glob("runbooks/*.html"))))
    return paths


if __name__ == "__main__":
    main()

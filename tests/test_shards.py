"""Shard folders (site contract): every folder of a site up to 1,000,000 runs fits FAT32's directory budget.

A FAT32 folder holds at most 65,536 directory entries and a long name takes one per 13 UTF-16 units plus one; the
contract allows a folder 8,192. The million-run case is computed from the generator's own naming functions on a
million generated ids (building such a site takes too long for a test); a real built site of a few thousand runs
is walked on disk and must match those functions.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import KeyPair, cli
from snapsite.authoring.demo import write_demo
from snapsite.site.names import (
    FOLDER_ENTRY_BUDGET,
    RunSlugs,
    fat32_entries,
    folder_entries,
    portable_problem,
    run_slug,
    shard,
)
from snapsite.site.run_data import ROWS_PER_DATA_FILE, runs_data_file
from snapsite.site.run_pages import detail_file
from snapsite.site.spill import bucket_of
from snapsite.site.views.index import LIST_PAGE_SIZE, list_page_name
from snapsite.site.views.runs import bundle_file, findings_file, run_page_file

BUCKETS = 256  # the build's spill buckets: one per shard


def run_ids(count: int, seed: int) -> list[str]:
    """Ids shaped like the scheduler's (`run:<tenant>:<timestamp>:<nonce>`), all distinct."""
    rng = random.Random(seed)
    return [
        f"run:tenant-{n % 8}:202611{1 + n % 28:02d}T{n % 24:02d}{n % 60:02d}{n // 60 % 60:02d}Z:"
        f"{rng.getrandbits(24):06x}{n:x}"
        for n in range(count)
    ]


def folders_of(paths: list[str]) -> dict[str, list[str]]:
    """Each folder of a site (`""` is the top) with the names directly inside it, sub-folders included."""
    folders: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        parts = path.split("/")
        for depth in range(len(parts)):
            folders["/".join(parts[:depth])].add(parts[depth])
    return {folder: sorted(names) for folder, names in folders.items()}


def test_fat32_entries_follow_the_long_name_rule() -> None:
    assert fat32_entries("a.html") == 2
    assert fat32_entries("abcdefgh.html") == 2  # 13 units: one long-name entry
    assert fat32_entries("abcdefghi.html") == 3
    assert fat32_entries("run-acme-20261113t125330z-f11e2d-49edea08c0.html") == 5  # the old names: five
    assert fat32_entries("\U0001f600" * 7) == 3  # 14 UTF-16 units: a character outside the BMP counts twice
    assert folder_entries([]) == 2 and folder_entries(["a.csv", "abcdefghi.html"]) == 7


def test_a_runs_files_are_found_from_its_id_alone() -> None:
    run_id = "run:acme:20261120T020000Z:7f3a9c"
    digest = hashlib.sha256(run_id.encode()).hexdigest()
    slug = run_slug(run_id)
    folder, name = slug.split("/")
    assert folder == digest[:2] == shard(run_id)
    assert len(name) == 8 and name.isalnum() and name == name.lower()
    assert run_page_file(slug) == f"runs/{digest[:2]}/{name}.html"
    assert findings_file(slug) == f"downloads/findings/{digest[:2]}/{name}.csv"
    assert bundle_file(slug) == f"bundles/{digest[:2]}/{name}.tgz"
    assert bucket_of(run_id, BUCKETS) == int(digest[:2], 16)  # a bucket's drawer data is one shard's
    for path in (run_page_file(slug), findings_file(slug), bundle_file(slug)):
        assert all(portable_problem(part) is None for part in path.split("/"))
        assert all(fat32_entries(part) <= 2 for part in path.split("/"))
    assert run_slug(run_id) == slug and run_slug(run_id + "x") != slug


def test_a_taken_short_name_gives_the_later_run_the_long_one() -> None:
    slugs = RunSlugs(chars=1)  # one base32 character: 32 names a shard, so 600 ids must collide
    ids = run_ids(600, seed=5)
    assigned = [slugs.add(run_id) for run_id in ids]
    assert len(set(assigned)) == len(ids)  # never two runs on one file
    long_ones = [(run_id, s) for run_id, s in zip(ids, assigned, strict=True) if s != run_slug(run_id, chars=1)]
    assert long_ones  # some collided
    for run_id, s in long_ones:
        assert s == run_slug(run_id, long=True) and len(s.split("/")[1]) == 50
    assert [slugs.add(run_id) for run_id in ids] == assigned  # stable once assigned
    assert slugs.get(ids[0]) == assigned[0] and slugs.get("run:absent") is None and len(slugs) == len(ids)
    assert RunSlugs().add(ids[0]) == run_slug(ids[0])  # the real short name is 8 characters


@pytest.mark.slow
def test_no_folder_of_a_million_run_site_is_over_the_fat32_budget() -> None:
    """Every per-run file a build can write (page, findings CSV, bundle), for every run, plus the shared folders."""
    runs = 1_000_000
    slugs = RunSlugs()
    paths: list[str] = []
    for run_id in run_ids(runs, seed=1):
        slug = slugs.add(run_id)
        paths += (run_page_file(slug), findings_file(slug), bundle_file(slug))
    paths += (detail_file(n) for n in range(BUCKETS))
    paths += (runs_data_file(n + 1) for n in range(-(-runs // ROWS_PER_DATA_FILE)))
    paths += (list_page_name(n + 1) for n in range(-(-runs // LIST_PAGE_SIZE)))
    entries = {folder: folder_entries(names) for folder, names in folders_of(paths).items()}
    fullest = max(entries, key=entries.__getitem__)
    assert entries[fullest] <= FOLDER_ENTRY_BUDGET, (fullest, entries[fullest])
    assert fullest.startswith(("runs/", "downloads/findings/", "bundles/"))  # the shards are the fullest folders
    assert len([f for f in entries if f.startswith("runs/")]) == 256


@pytest.mark.slow
def test_a_built_site_follows_the_naming_scheme_and_fits(tmp_path: Path, keypair: KeyPair) -> None:
    snapshot = tmp_path / "snap"
    write_demo(snapshot, runs=2_500, tenants=4, seed=13, key_paths=[keypair.private])
    site = tmp_path / "site"
    built = cli("build", snapshot, "--trust-root", keypair.public, "-o", site)
    assert built.returncode == 0, built.stderr
    files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    folders = folders_of(files)
    for folder, names in folders.items():
        assert folder_entries(names) <= FOLDER_ENTRY_BUDGET, folder
        assert all(portable_problem(name) is None for name in names), folder
    runs = [json.loads(line) for line in (snapshot / "runs.ndjson").read_bytes().splitlines()]
    ids = [run["id"] for run in runs]
    pages = {p for p in files if p.startswith("runs/")}
    assert pages == {run_page_file(run_slug(run_id)) for run_id in ids}
    assert len(folders["runs"]) == 256
    per_run = [p for p in files if p.startswith(("downloads/findings/", "bundles/", "evidence/"))]
    assert per_run and all(len(p.removeprefix("downloads/").split("/")) == 3 for p in per_run)
    # Links follow: from the index, a listing page and run pages (two folders down) every local link resolves.
    retried = next(
        json.loads(line)["id"] for line in (snapshot / "runs.ndjson").read_text().splitlines() if '"retryOf":"' in line
    )
    for page in ("index.html", list_page_name(1), run_page_file(run_slug(ids[0])), run_page_file(run_slug(retried))):
        soup = BeautifulSoup((site / page).read_text(), "html.parser")
        targets = [e.get("href") or e.get("src") for e in soup.select("link[href], script[src], a[href]")]
        local = [t for t in targets if isinstance(t, str) and not t.startswith("#")]
        assert len(local) > 5
        for target in local:
            assert (site / page).parent.joinpath(target.split("#")[0]).resolve().is_file(), (page, target)

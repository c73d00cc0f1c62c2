"""Incremental rebuilds (issue 6): only runs whose inputs changed are rendered, and the bytes equal a full build."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import files_of
from snapsite.authoring.demo import write_demo
from snapsite.authoring.sign import sign_snapshot
from snapsite.preview.watch import rebuild_site, state_file
from snapsite.site.build import BuildResult, build_site
from snapsite.site.config import DEFAULT_SCOPES, BuildOptions
from snapsite.site.names import run_slug
from snapsite.site.spill import bucket_of

KEY = Path(__file__).parent / "keys" / "demo.key"
RUNS = 120
BUCKETS = 256  # the build's bucket count: a run's files are rendered again with its bucket's


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A signed demo snapshot with evidence files, bundles and findings; copied by each test before editing."""
    root = tmp_path_factory.mktemp("incremental") / "demo"
    write_demo(root, runs=RUNS, tenants=2, seed=11, key_paths=[KEY])
    return root


@pytest.fixture
def snapshot(demo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "snapshot"
    shutil.copytree(demo, copy)
    return copy


def options(snapshot: Path, output: Path, **changes: object) -> BuildOptions:
    base = BuildOptions(
        snapshot=snapshot,
        trust_roots=(KEY.with_name("demo.key.pub"),),
        output=output,
        scopes=frozenset(DEFAULT_SCOPES),
    )
    base.features["runs.evidenceBundles"] = True
    return replace(base, **changes)  # type: ignore[arg-type]


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def runs_of(snapshot: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (snapshot / "runs.ndjson").read_bytes().splitlines() if line]


def edit_run(snapshot: Path, index: int, initiator: str) -> str:
    """Give one run another initiator and sign the snapshot again; returns the run's id."""
    lines = (snapshot / "runs.ndjson").read_bytes().splitlines(keepends=True)
    run = json.loads(lines[index])
    run["initiator"] = initiator
    lines[index] = json.dumps(run, separators=(",", ":")).encode() + b"\n"
    (snapshot / "runs.ndjson").write_bytes(b"".join(lines))
    sign_snapshot(snapshot, [KEY])
    return str(run["id"])


def rebuilt(opts: BuildOptions) -> BuildResult:
    result = rebuild_site(opts)
    assert result is not None
    return result


def test_one_changed_run_renders_only_its_bucket_and_matches_a_full_build(snapshot: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = rebuilt(options(snapshot, site))
    assert first.reused_runs == 0 and first.runs == RUNS
    before = inodes(site)
    changed = edit_run(snapshot, 7, "ops@incremental.test")
    bucket = bucket_of(changed, BUCKETS)
    same_bucket = [r for r in runs_of(snapshot) if bucket_of(str(r["id"]), BUCKETS) == bucket]

    second = rebuilt(options(snapshot, site))

    assert second.reused_runs == RUNS - len(same_bucket)
    full = build_site(options(snapshot, tmp_path / "full"))
    assert full.reused_runs == 0
    assert files_of(site) == files_of(tmp_path / "full")
    assert b"ops@incremental.test" in (site / "runs" / f"{run_slug(changed)}.html").read_bytes()
    after = inodes(site)
    untouched = [r for r in runs_of(snapshot) if bucket_of(str(r["id"]), BUCKETS) != bucket]
    assert untouched and all(
        after[f"runs/{run_slug(str(r['id']))}.html"] == before[f"runs/{run_slug(str(r['id']))}.html"] for r in untouched
    )  # the same files, linked from the previous output
    assert after[f"runs/{run_slug(changed)}.html"] != before[f"runs/{run_slug(changed)}.html"]
    assert after["index.html"] != before["index.html"]  # site-wide pages are always rendered
    evidence = [name for name in after if name.startswith("evidence/")]
    assert evidence and all(after[name] == before[name] for name in evidence)
    bundles = [name for name in after if name.startswith("bundles/")]
    assert bundles and any(after[name] == before[name] for name in bundles)


def test_a_page_edited_in_the_output_is_rendered_again(snapshot: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    rebuilt(options(snapshot, site))
    changed = edit_run(snapshot, 3, "ops@incremental.test")
    other = next(str(r["id"]) for r in runs_of(snapshot) if bucket_of(str(r["id"]), BUCKETS) != bucket_of(changed, 256))
    page = site / "runs" / f"{run_slug(other)}.html"
    page.write_bytes(page.read_bytes().replace(b"</main>", b"<p>edited by hand</p></main>"))

    second = rebuilt(options(snapshot, site))

    assert 0 < second.reused_runs < RUNS - 1
    build_site(options(snapshot, tmp_path / "full"))
    assert files_of(site) == files_of(tmp_path / "full")


@pytest.mark.parametrize("change", ["title", "theme", "scopes"])
def test_a_site_wide_change_renders_every_run(
    snapshot: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, change: str
) -> None:
    site = tmp_path / "site"
    rebuilt(options(snapshot, site))
    changes: dict[str, object] = {}
    if change == "title":
        changes["title"] = "Another title"
    elif change == "theme":
        theme = tmp_path_factory.mktemp("operator") / "theme" / "templates"  # never beside the snapshot
        theme.mkdir(parents=True)
        run = (Path(__file__).parent.parent / "themes" / "default" / "templates" / "run.html").read_text()
        (theme / "run.html").write_text(run.replace("</main>", "<p>themed</p></main>"))
        changes["theme"] = str(theme.parent)
    else:
        changes["scopes"] = frozenset({"runs.read", "downloads.read"})  # without policy:runs

    second = rebuilt(options(snapshot, site, **changes))

    assert second.reused_runs == 0
    build_site(options(snapshot, tmp_path / "full", **changes))
    assert files_of(site) == files_of(tmp_path / "full")


def test_an_unverified_site_is_never_reused(snapshot: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    rebuilt(options(snapshot, site))
    runs = snapshot / "runs.ndjson"
    runs.write_bytes(runs.read_bytes().replace(b'"initiator":"', b'"initiator":"x', 1))  # no longer signed

    unverified = rebuilt(options(snapshot, site, allow_unverified=True))

    assert unverified.reused_runs == 0 and unverified.render_state is None
    sign_snapshot(snapshot, [KEY])
    assert rebuilt(options(snapshot, site)).reused_runs == 0  # no render state from the unverified build
    assert rebuilt(options(snapshot, site, title="Again")).reused_runs == 0  # title: site-wide
    edit_run(snapshot, 1, "ops@incremental.test")
    assert rebuilt(options(snapshot, site, title="Again")).reused_runs > 0


def test_a_page_replaced_by_a_link_is_rendered_again(snapshot: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    rebuilt(options(snapshot, site))
    changed = edit_run(snapshot, 5, "ops@incremental.test")
    other = next(str(r["id"]) for r in runs_of(snapshot) if bucket_of(str(r["id"]), BUCKETS) != bucket_of(changed, 256))
    page = site / "runs" / f"{run_slug(other)}.html"
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes(page.read_bytes())  # the same bytes, so only the link itself is wrong
    page.unlink()
    page.symlink_to(elsewhere)

    second = rebuilt(options(snapshot, site))

    assert 0 < second.reused_runs < RUNS - 1
    assert not page.is_symlink() and page.read_bytes() == elsewhere.read_bytes()
    assert page.stat().st_ino != elsewhere.stat().st_ino  # rendered, not a link to the file outside the site
    assert not [p for p in site.rglob("*") if p.is_symlink()]


def test_a_damaged_render_state_only_costs_a_full_render(snapshot: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    rebuilt(options(snapshot, site))
    state = json.loads(state_file(site).read_text())
    state["render"] = {"buckets": {"not a bucket": "x", "7": 7}}
    state_file(site).write_text(json.dumps(state))
    edit_run(snapshot, 2, "ops@incremental.test")

    second = rebuilt(options(snapshot, site))

    assert second.reused_runs == 0 and second.render_state is not None
    build_site(options(snapshot, tmp_path / "full"))
    assert files_of(site) == files_of(tmp_path / "full")
    edit_run(snapshot, 2, "ops@incremental.again")
    assert rebuilt(options(snapshot, site)).reused_runs > 0  # the state written by the full render is good again

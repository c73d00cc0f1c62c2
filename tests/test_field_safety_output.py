"""Finding 1: `-o` deleted whatever folder it named, and the swap could leave no site. Now `-o` may be a missing
folder, an empty one or a site snapsite wrote; anything else needs `--force`; the build's own inputs are never an
output; the swap is atomic (RENAME_EXCHANGE) or recovered on the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import KeyPair, SnapshotBuilder, cli, files_of
from hostile import one_error_line, tree_state
from snapsite.errors import ExitCode
from snapsite.site.outdir import MARKER, exchange, is_snapsite_site, recover_interrupted_swap


def build(
    snapshot: SnapshotBuilder, output: Path | str, *extra: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "snapsite",
            "build",
            str(snapshot.root),
            "--trust-root",
            str(snapshot.key.public),
            "-o",
            str(output),
            "-q",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_a_folder_snapsite_did_not_write_is_refused(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("four years of work\n")
    before = tree_state(tmp_path)
    result = build(snapshot, docs)
    assert result.returncode == ExitCode.USAGE
    line = one_error_line(result)
    assert line == (
        f"snapsite: error: output {docs} is not empty and was not written by snapsite (no {MARKER}); "
        "choose another folder or pass --force to replace it and delete what it holds"
    )
    assert tree_state(tmp_path) == before  # no temporary folder left either


def test_force_replaces_a_foreign_folder(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "notes.txt").write_text("scratch\n")
    outside = tree_state(tmp_path, skip=docs)
    assert build(snapshot, docs, "--force").returncode == 0
    assert is_snapsite_site(docs) and not (docs / "notes.txt").exists()
    assert tree_state(tmp_path, skip=docs) == outside


@pytest.mark.parametrize("where", ["snapshot", "inside-snapshot", "snapshot-parent", "key-folder", "cwd", "cwd-parent"])
def test_inputs_and_the_current_folder_are_never_an_output(
    snapshot: SnapshotBuilder, tmp_path: Path, where: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    output = {
        "snapshot": snapshot.root,
        "inside-snapshot": snapshot.root / "site",
        "snapshot-parent": tmp_path,
        "key-folder": snapshot.key.public.parent,
        "cwd": Path("."),
        "cwd-parent": Path(".."),
    }[where]
    before = tree_state(tmp_path)
    key_before = tree_state(snapshot.key.public.parent)
    result = build(snapshot, output, "--force", cwd=work)  # --force never overrides these
    assert result.returncode == ExitCode.USAGE, result.stderr
    line = one_error_line(result)
    assert line.startswith(f"snapsite: error: output {output} ")
    assert ("an input of the build" in line) or ("holds the current one" in line), line
    assert tree_state(tmp_path) == before and tree_state(snapshot.key.public.parent) == key_before


def test_config_is_never_an_output(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "snapsite.toml").write_text('title = "Mine"\n')
    before = tree_state(tmp_path)
    result = build(snapshot, configs, "--force", "--config", str(configs / "snapsite.toml"))
    assert result.returncode == ExitCode.USAGE
    assert "contains" in one_error_line(result) and "snapsite.toml, an input of the build" in result.stderr
    assert tree_state(tmp_path) == before


def test_missing_empty_and_own_folders_are_accepted(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(snapshot, empty).returncode == 0
    assert build(snapshot, tmp_path / "new" / "site").returncode == 0
    first = files_of(empty)
    assert MARKER in first and f"  {MARKER}\n" in (empty / "SHA256SUMS").read_text()
    assert build(snapshot, empty).returncode == 0  # a site snapsite wrote: replaced
    assert files_of(empty) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "new", "snapshot"]  # no leftovers


def test_an_interrupted_two_rename_swap_is_restored_by_the_next_run(
    snapshot: SnapshotBuilder, tmp_path: Path, other_keypair: KeyPair
) -> None:
    site = tmp_path / "site"
    assert build(snapshot, site).returncode == 0
    good = files_of(site)
    site.rename(tmp_path / ".site.old-k1ll3d")  # the state a kill between the fallback's two renames leaves
    snapshot.sign([other_keypair.private])  # the next build fails (exit 5) ...
    result = build(snapshot, site)
    assert result.returncode == ExitCode.SIGNATURE
    assert files_of(site) == good  # ... and the old site is back, byte for byte
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "snapshot"]


def test_recovery_leaves_what_is_not_ours(tmp_path: Path) -> None:
    foreign = tmp_path / ".site.old-abc"
    foreign.mkdir()
    (foreign / "data.txt").write_text("not a site\n")
    before = tree_state(tmp_path)
    assert recover_interrupted_swap(tmp_path / "site") is None
    assert tree_state(tmp_path) == before


def test_exchange_swaps_two_folders_or_touches_neither(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one").write_text("1")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two").write_text("2")
    swapped = exchange(tmp_path / "a", tmp_path / "b")
    if sys.platform.startswith("linux"):
        assert swapped  # tmpfs, ext4, btrfs and xfs all support RENAME_EXCHANGE
    names = (sorted(os.listdir(tmp_path / "a")), sorted(os.listdir(tmp_path / "b")))
    assert names == ((["two"], ["one"]) if swapped else (["one"], ["two"]))


def test_sigkill_during_a_build_leaves_the_old_site(tmp_path: Path, keypair: KeyPair) -> None:
    from snapsite.authoring.demo import write_demo

    kit = tmp_path / "kit"
    write_demo(kit, runs=400, tenants=2, seed=3, key_paths=[keypair.private])
    site = tmp_path / "site"
    args = [
        sys.executable,
        "-m",
        "snapsite",
        "build",
        str(kit),
        "--trust-root",
        str(keypair.public),
        "-o",
        str(site),
        "-q",
    ]
    assert subprocess.run(args, capture_output=True, timeout=300).returncode == 0
    old = files_of(site)
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not any(p.name.startswith(".site.building-") for p in tmp_path.iterdir()) and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert files_of(site) == old  # killed while building: the old site, untouched
    assert cli("verify-site", site).returncode == 0

"""Finding 2: unsigned settings from the kit's medium were applied, and a theme (code) could come from the stick.
Now snapsite.toml comes from --config or the current folder only, and a theme folder beside or inside the
snapshot is refused (exit 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import SnapshotBuilder
from hostile import one_error_line, tree_state
from snapsite.errors import ExitCode

CANARY = "snapsite-canary-ran"


def build(snapshot: SnapshotBuilder, output: Path, *extra: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    key = str(snapshot.key.public)
    return subprocess.run(
        [sys.executable, "-m", "snapsite", "build", str(snapshot.root), "--trust-root", key, "-o", str(output), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def _hostile_theme(folder: Path, canary: Path) -> None:
    """A theme whose template runs Python (jinja2 is not sandboxed) and writes `canary` when rendered."""
    (folder / "templates").mkdir(parents=True)
    code = "{{ cycler.__init__.__globals__.__builtins__['open']('" + str(canary) + "', 'w').write('" + CANARY + "') }}"
    (folder / "templates" / "_footer.html").write_text(code)


def _title(site: Path) -> str:
    soup = BeautifulSoup((site / "index.html").read_bytes(), "html.parser")
    assert soup.title is not None
    return soup.title.get_text()


def test_config_beside_the_snapshot_is_ignored(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    theme = tmp_path / "stick-theme"
    canary = tmp_path / "canary.txt"
    _hostile_theme(theme, canary)
    planted = f'title = "Owned"\nscopes = ["runs.read", "runs.manage"]\ntheme = "{theme}"\n'
    for where in (snapshot.root.parent, snapshot.root):  # beside a folder snapshot, and inside it
        (where / "snapsite.toml").write_text(planted)
    snapshot.sign()  # even signed into the snapshot's manifest, a config file there is data, not settings
    result = build(snapshot, work / "site", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "Owned" not in _title(work / "site")
    assert not (work / "site" / "scripts" / "retry-failed-runs.sh").exists()  # no runs.manage
    assert not canary.exists()


def test_config_in_the_current_folder_is_the_operators(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "snapsite.toml").write_text('title = "Operator title"\n')
    assert build(snapshot, work / "site", cwd=work).returncode == 0
    assert "Operator title" in _title(work / "site")


def test_a_theme_beside_the_snapshot_is_refused(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    theme = tmp_path / "stick-theme"  # beside the snapshot folder, on the same "stick"
    canary = tmp_path / "canary.txt"
    _hostile_theme(theme, canary)
    (work / "snapsite.toml").write_text(f'theme = "{theme}"\n')
    before = tree_state(tmp_path)
    for extra in ((), ("--theme", str(theme))):
        result = build(snapshot, work / "site", *extra, cwd=work)
        assert result.returncode == ExitCode.USAGE
        line = one_error_line(result)
        assert line.startswith(f"snapsite: error: theme {theme} is inside or beside the snapshot {snapshot.root}")
        assert not canary.exists()
        assert tree_state(tmp_path) == before


def test_a_theme_the_operator_names_elsewhere_still_works(
    snapshot: SnapshotBuilder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same hostile theme, from the operator's own folder, runs: a theme is code, with the operator's rights."""
    work = tmp_path_factory.mktemp("operator")  # not under the folder that holds the snapshot
    theme = work / "themes" / "mine"
    canary = work / "canary.txt"
    _hostile_theme(theme, canary)
    result = build(snapshot, work / "site", "--theme", str(theme), cwd=work)
    assert result.returncode == 0, result.stderr
    assert canary.read_text() == CANARY


def test_a_theme_name_cannot_climb_out_of_the_installed_themes(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    before = tree_state(tmp_path)
    result = build(snapshot, work / "site", "--theme", "../../../snapshot-theme", cwd=work)
    assert result.returncode == ExitCode.USAGE
    assert one_error_line(result).startswith("snapsite: error: theme '../../../snapshot-theme' is neither a folder")
    assert tree_state(tmp_path) == before

"""write_atomic: whole or nothing, and never through a planted link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from snapsite.fileio import write_atomic


def test_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "bundle.tar.gz"
    target.write_bytes(b"old")
    write_atomic(target, b"new", mode=0o600)
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.tar.gz"]


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "out.json"
    target.symlink_to(victim)
    write_atomic(target, b"{}")
    assert victim.read_text() == "keep me"
    assert not target.is_symlink() and target.read_bytes() == b"{}"


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "x"
    with pytest.raises(OSError):
        write_atomic(target, b"data")
    assert not target.parent.exists()

"""Helpers of the field-safety modules (tests/test_field_safety_*.py): hostile cases assert the exit code, the
one-line message, and that nothing outside the intended folder changed (every file hashed before and after)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path


def tree_state(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Every entry under `root` (files by sha256, folders, links by target), except those under `skip`."""
    state: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if skip is not None and path == skip:
                continue
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                state[key] = "dir"
            elif path.is_file():
                state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[key] = "special"
    return state


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single failure line of a failed command: `snapsite: [error: ]CHECK: FILE[:LINE]: MESSAGE`."""
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("snapsite: ") and not line.startswith("snapsite: warning")
    ]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return lines[0]

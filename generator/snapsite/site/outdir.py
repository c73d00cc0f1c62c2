"""Which folder `-o` may name, and swapping a finished site into it so that a kill at any moment leaves a site.

`-o` used to replace whatever it named: `-o mydocs`, `-o .`, the snapshot folder or its parent (with the trust
key in it) were deleted with exit 0. A site folder is therefore marked (`MARKER`, listed in SHA256SUMS like any
other file) and `-o` may only name a missing folder, an empty one, or a folder snapsite marked; anything else
needs `--force`. Folders holding the build's own inputs (snapshot, trust roots, keys, config, theme) are never
an output, whatever the flags: replacing them would destroy the evidence the site is about.

The swap is one `renameat2(RENAME_EXCHANGE)` on Linux: the target holds the old site, then the new one, never
nothing. Where the OS or file system cannot exchange (macOS, Windows, FAT32), it is two renames, old site to
`.NAME.old-*` then new site to NAME; a kill between them leaves no NAME, and the next run puts the old site back
(`recover_interrupted_swap`) before it does anything else.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from snapsite.errors import UsageError
from snapsite.spec import SUMS

MARKER = ".snapsite-site"
MARKER_TEXT = "This folder is a site written by snapsite; `snapsite build -o` may replace it.\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def is_snapsite_site(folder: Path) -> bool:
    """True for a folder snapsite wrote (its marker and SHA256SUMS are regular files, not links)."""
    return all((folder / name).is_file() and not (folder / name).is_symlink() for name in (MARKER, SUMS))


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_output(target: Path, protected: Iterable[Path], force: bool) -> None:
    """Refuse (exit 3) an output folder the build must not replace; see the module's docstring for the rules."""
    resolved = target.resolve()
    for path in protected:
        guarded = path.resolve()
        if _within(resolved, guarded) or _within(guarded, resolved):
            relation = "is" if resolved == guarded else ("is inside" if _within(resolved, guarded) else "contains")
            raise UsageError(f"output {target} {relation} {path}, an input of the build; choose another folder (-o)")
    if (
        resolved == Path(resolved.anchor)
        or resolved == Path.home().resolve()
        or _within(Path.cwd().resolve(), resolved)
    ):
        raise UsageError(f"output {target} is a root or home folder or holds the current one; choose another (-o)")
    if not resolved.exists():
        return
    if not resolved.is_dir():  # `resolved` follows a link: a linked folder obeys the same rules as any other
        raise UsageError(f"output {target} exists and is not a folder")
    if force or is_snapsite_site(resolved) or not any(resolved.iterdir()):
        return
    raise UsageError(
        f"output {target} is not empty and was not written by snapsite (no {MARKER}); "
        "choose another folder or pass --force to replace it and delete what it holds"
    )


def _leftovers(target: Path, kind: str) -> list[Path]:
    return sorted(p for p in target.parent.glob(f".{target.name}.{kind}-*") if p.is_dir() and not p.is_symlink())


def recover_interrupted_swap(target: Path) -> Path | None:
    """Put back the old site an interrupted two-rename swap left in `.NAME.old-*`; the folder restored, or None.

    Only when NAME is missing and exactly one marked old site is there: anything else is not ours to guess at.
    Old sites left beside a present NAME (a kill after the swap, before the clean-up) are removed.
    """
    target = target.resolve()
    olds = [p for p in _leftovers(target, "old") if is_snapsite_site(p)]
    if not target.exists() and not target.is_symlink():
        if len(olds) == 1:
            olds[0].rename(target)
            return olds[0]
        return None
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
    return None


def _renameat2(source: Path, target: Path, flags: int) -> int:
    """`renameat2(2)` through libc; 0, or the errno (ENOSYS where libc or the kernel has none)."""
    if not sys.platform.startswith("linux"):
        return errno.ENOSYS
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        return errno.ENOSYS
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return 0
    return ctypes.get_errno()


def exchange(new: Path, target: Path) -> bool:
    """Atomically swap the folders `new` and `target` (both exist); False where the OS or file system cannot."""
    code = _renameat2(new, target, _RENAME_EXCHANGE)
    if code == 0:
        return True
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(target))


def swap_in(new: Path, target: Path) -> None:
    """Make `new` the folder at `target`; the previous `target` (if any) is removed once `new` is in place."""
    if not target.exists():
        new.rename(target)
        return
    if exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    target.rename(old)  # a kill here leaves no target: recover_interrupted_swap restores `old` on the next run
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)

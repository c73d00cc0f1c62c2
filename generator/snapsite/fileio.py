"""Writing one file safely: whole or not at all, and never through a link someone planted.

Every file snapsite writes outside a build's temporary folder (a signed manifest, an exported bundle, the watch
state) goes through `write_atomic`: the bytes go to a new, exclusively created temporary file beside the target
(`O_EXCL | O_NOFOLLOW`, so a symlink or file planted at a predictable name is never followed or reused), which is
flushed and then renamed over the target in one step. An interruption leaves the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` in one step; raises OSError, leaving `path` as it was, when it cannot."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, _FLAGS, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)  # the umask may have narrowed it
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise

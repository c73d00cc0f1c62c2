"""A progress line on stderr for long builds: only on a terminal, never in logs or pipes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str, int, int], None]


@contextmanager
def progress_printer(enabled: bool = True) -> Iterator[Progress | None]:
    """Yields a `(stage, done, total)` callback drawing a bar on stderr, or None when not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and done < total:
            return
        last[0] = now
        width = 30
        filled = width * done // total if total else width
        sys.stderr.write(f"\r{stage:<16} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}\x1b[K")
        sys.stderr.flush()

    try:
        yield show
    finally:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()

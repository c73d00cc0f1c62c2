"""Reading regular files safely and hashing many of them in parallel."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

CHUNK = 1 << 20
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class FileDigest:
    """Size and sha256 (lowercase hex) of one file."""

    size: int
    sha256: str


def hash_files(paths: Sequence[Path], workers: int | None = None) -> list[FileDigest]:
    """Size and sha256 of each file, in the order of `paths`.

    Files are streamed in 1 MiB chunks into one reused buffer per thread and spread over `workers` threads
    (default: one per CPU); hashlib releases the GIL while it hashes, so the threads run in parallel.
    Symlinks are not followed. Raises OSError when a file cannot be read or is not a regular file.
    """
    count = len(paths)
    results: list[FileDigest | None] = [None] * count
    # Largest first: the longest single file bounds the total, so it must not start last.
    jobs = iter(sorted(range(count), key=lambda i: -_size_or_zero(paths[i])))
    lock = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        buffer = memoryview(bytearray(CHUNK))
        while not stop.is_set():
            with lock:
                index = next(jobs, None)
            if index is None:
                return
            try:
                results[index] = hash_file(paths[index], buffer)
            except BaseException:
                stop.set()
                raise

    threads = min(workers or os.cpu_count() or 1, count)
    if threads <= 1:
        work()
    else:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="snapsite-hash") as pool:
            futures = [pool.submit(work) for _ in range(threads)]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                stop.set()
                raise
    return cast(list[FileDigest], results)


def _size_or_zero(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0  # reported when the file is opened


def hash_file(path: Path, buffer: memoryview | None = None) -> FileDigest:
    """Size and sha256 of one regular file (not followed if a symlink), read into `buffer` if given."""
    if buffer is None:
        buffer = memoryview(bytearray(1 << 16))
    digest = hashlib.sha256()
    size = 0
    with open_regular(path, follow=False) as file:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while n := file.readinto(buffer):
            digest.update(buffer[:n])
            size += n
    return FileDigest(size, digest.hexdigest())


def open_regular(path: str | Path, *, follow: bool) -> io.FileIO:
    """Open a regular file for reading; never blocks on a FIFO, never follows a final symlink unless told."""
    flags = os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC | (0 if follow else _O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return io.FileIO(fd, "rb")
    except BaseException:
        os.close(fd)
        raise

"""Spilling a run's records to disk by bucket, so a build never holds every record in memory.

Records of one run (the run, its segments, findings, logs and evidence) land in the same bucket, chosen
from the run id; a bucket is read back whole and rendered on its own, possibly in another process.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_HEADER = struct.Struct("<BII")  # kind, line number, length


def bucket_of(run_id: str, buckets: int) -> int:
    """The bucket of a run id: stable across processes and machines (not Python's hash)."""
    return zlib.crc32(run_id.encode()) % buckets


class Spill:
    """Append-only bucket files of `(kind, line, raw JSON line)` records."""

    def __init__(self, folder: Path, buckets: int) -> None:
        self.folder = folder
        self.buckets = buckets
        folder.mkdir(parents=True, exist_ok=True)
        self._files: list[BinaryIO] = [
            (folder / f"bucket-{n:04d}.bin").open("wb", buffering=1 << 16) for n in range(buckets)
        ]

    def add(self, run_id: str, kind: int, line: int, raw: bytes) -> None:
        """Append one record to the bucket of `run_id`."""
        out = self._files[bucket_of(run_id, self.buckets)]
        out.write(_HEADER.pack(kind, line, len(raw)))
        out.write(raw)

    def close(self) -> None:
        """Flush every bucket file."""
        for out in self._files:
            out.close()

    def path(self, bucket: int) -> Path:
        return self.folder / f"bucket-{bucket:04d}.bin"


def read_bucket(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """The records of one bucket file, in the order they were added."""
    data = path.read_bytes()
    offset, size = 0, len(data)
    while offset < size:
        kind, line, length = _HEADER.unpack_from(data, offset)
        offset += _HEADER.size
        yield kind, line, data[offset : offset + length]
        offset += length

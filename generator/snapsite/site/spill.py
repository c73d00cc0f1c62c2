"""Spilling a run's records to disk by bucket, so a build never holds every record in memory.

Records of one run (the run, its segments, findings, logs and evidence) land in the same bucket, chosen
from the run id; a bucket is read back whole and rendered on its own, possibly in another process.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_HEADER = struct.Struct("<BII")  # kind, line number, length


def bucket_of(run_id: str, buckets: int) -> int:
    """The bucket of a run id: stable across processes and machines (not Python's hash).

    From the leading bits of the id's sha256, so with 256 buckets a bucket is exactly a shard folder
    (`snapsite.site.names.shard`): a bucket's files and its drawer data cover the same runs.
    """
    prefix = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big")
    return prefix * buckets >> 32


class Spill:
    """Append-only bucket files of `(kind, line, raw JSON line)` records, and a digest of each bucket's records.

    A digest covers kinds and bytes, not line numbers: a line added above a run's records leaves them unchanged.
    """

    def __init__(self, folder: Path, buckets: int) -> None:
        self.folder = folder
        self.buckets = buckets
        folder.mkdir(parents=True, exist_ok=True)
        self._files: list[BinaryIO] = [
            (folder / f"bucket-{n:04d}.bin").open("wb", buffering=1 << 16) for n in range(buckets)
        ]
        self._digests = [hashlib.sha256() for _ in range(buckets)]

    def add(self, run_id: str, kind: int, line: int, raw: bytes) -> None:
        """Append one record to the bucket of `run_id`."""
        bucket = bucket_of(run_id, self.buckets)
        out = self._files[bucket]
        header = _HEADER.pack(kind, line, len(raw))
        out.write(header)
        out.write(raw)
        digest = self._digests[bucket]
        digest.update(header[:1] + header[5:])
        digest.update(raw)

    def digest(self, bucket: int) -> str:
        """The digest of the records added to `bucket`, in order."""
        return self._digests[bucket].hexdigest()

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

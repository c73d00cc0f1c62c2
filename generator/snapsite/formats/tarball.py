"""Reproducible .tar.gz: sorted members, fixed mtime, owner 0, fixed modes, no name or time in the gzip header."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Mapping


def deterministic_targz(members: Mapping[str, bytes], mtime: int, executable: frozenset[str] = frozenset()) -> bytes:
    """The bytes of a gzip'd tar of `members` (name -> content); the same input always gives the same bytes."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        for name in sorted(members):
            data = members[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o755 if name in executable else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()

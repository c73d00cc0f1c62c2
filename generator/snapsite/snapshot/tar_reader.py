"""Reading a tar stream strictly, in one pass, into a private folder (spec section 1).

Every member is checked (type, name, collisions, caps) and written with exclusive creates, and hashed as it is
written, so later steps never read it twice. tarfile only supplies the block parser and the stream: header
chaining (pax, GNU long names) is done here, strictly and in linear time, because the tarfile of Python 3.11.7
silently stops at a damaged or truncated header and parses pax records in quadratic time (CVE-2024-6232).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, Self, cast

import zstandard

from snapsite.snapshot.hashing import CHUNK, FileDigest
from snapsite.snapshot.limits import Limits, bytes_cap_message, describe, invalid, members_cap_message
from snapsite.snapshot.member_names import NameRegistry, check_member_name, shown_name

BLOCK = tarfile.BLOCKSIZE
_ZERO_BLOCK = bytes(BLOCK)
# A pax or GNU long-name header holds a few KiB in practice; this only bounds what one header may cost.
_EXTENDED_MAX = 1 << 20
_EXTENDED_CHAIN_MAX = 8
# tar pads to its record size with zeros after the end marker; anything else, or much more, is not padding
# (a member hidden after the marker would be invisible to snapsite and visible to another tar).
_TRAILING_MAX = 1 << 20
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

_FILE_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE)
_PAX_TYPES = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)
_EXTENDED_TYPES = (*_PAX_TYPES, tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)
_REJECTED_TYPES = {
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hard link",
    tarfile.CHRTYPE: "character device",
    tarfile.BLKTYPE: "block device",
    tarfile.FIFOTYPE: "FIFO",
    tarfile.CONTTYPE: "contiguous file",
    tarfile.GNUTYPE_SPARSE: "sparse file",
}
# Everything a damaged or hostile stream can raise while it is read; all become SnapshotError.
_READ_ERRORS = (OSError, EOFError, tarfile.TarError, zlib.error, zstandard.ZstdError, ValueError)


class Readable(Protocol):
    """A byte stream: a raw file, or a decompressor reading one."""

    def read(self, size: int, /) -> bytes: ...


def archive_kind(head: bytes) -> str | None:
    """'tar.gz', 'tar.zst' or 'tar' from an archive's first block, or None when it is none of them."""
    if head.startswith(b"\x1f\x8b"):
        return "tar.gz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "tar.zst"
    if len(head) == BLOCK and (head[257:262] == b"ustar" or head == _ZERO_BLOCK or _checksum_ok(head)):
        return "tar"
    return None


def decompressed(raw: io.FileIO, kind: str) -> Readable:
    """The tar stream of an archive of `kind` (from `archive_kind`), read from `raw`."""
    if kind == "tar.gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "tar.zst":
        return zstandard.ZstdDecompressor().stream_reader(raw, read_size=CHUNK, read_across_frames=True, closefd=False)
    return raw


def _checksum_ok(block: bytes) -> bool:
    """Whether a block carries a valid tar header checksum: how a pre-POSIX (v7) tar is recognised."""
    field = block[148:156].replace(b"\x00", b" ").strip()
    if not field or not all(0x30 <= c <= 0x37 for c in field):
        return False
    rest = block[:148] + block[156:]
    unsigned = sum(rest) + 8 * 0x20
    signed = sum(struct.unpack(f"{len(rest)}b", rest)) + 8 * 0x20
    return int(field, 8) in (unsigned, signed)


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _pax_records(data: bytes) -> dict[str, str]:
    """Parse pax records (`"<length> <keyword>=<value>\\n"`) strictly, in one linear pass."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos, pos + 20)
        if space <= pos or not data[pos:space].isdigit():
            raise tarfile.ReadError("malformed pax extended header")
        end = pos + int(data[pos:space])
        equals = data.find(b"=", space + 1, end)
        if end > len(data) or data[end - 1 : end] != b"\n" or equals <= space + 1:
            raise tarfile.ReadError("malformed pax extended header")
        keyword = data[space + 1 : equals].decode("utf-8", "surrogateescape")
        records[keyword] = data[equals + 1 : end - 1].decode("utf-8", "surrogateescape")
        pos = end
    return records


def _pax_size(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise tarfile.ReadError(f"invalid pax size {value!r}")
    return int(value)


class _TarHeader(tarfile.TarInfo):
    """A TarInfo whose header chain (pax, GNU long names) is read here, strictly and in linear time.

    Unlike tarfile's own, a damaged, truncated or missing header is an error, not the end of the archive;
    sparse members come out typed GNUTYPE_SPARSE so that they are rejected like any other special member.
    """

    @classmethod
    def fromtarfile(cls, archive: tarfile.TarFile) -> Self:
        stream = archive.fileobj
        start = stream.tell()
        name = linkname = None
        size = None
        sparse = chained = False
        for _ in range(_EXTENDED_CHAIN_MAX + 1):
            block = stream.read(BLOCK)
            if len(block) < BLOCK:
                if not block and start == 0:
                    raise tarfile.ReadError("empty archive")
                raise tarfile.ReadError("the archive ends without its end-of-archive marker")
            if block == _ZERO_BLOCK:
                if chained:
                    raise tarfile.ReadError("the archive ends right after an extended header")
                # tarfile's block parser raises its end-of-archive signal for a zero block.
                return cls.frombuf(block, archive.encoding, archive.errors)
            try:
                info = cls.frombuf(block, archive.encoding, archive.errors)
            except tarfile.HeaderError as error:
                raise tarfile.ReadError(f"invalid member header ({error})") from None
            if info.type not in _EXTENDED_TYPES:
                break
            chained = True
            if not 0 <= info.size <= _EXTENDED_MAX:
                raise tarfile.ReadError(f"extended header of {info.size} bytes (at most {_EXTENDED_MAX})")
            data = stream.read(_padded(info.size))
            if len(data) < _padded(info.size):
                raise tarfile.ReadError("the archive ends inside an extended header")
            data = data[: info.size]
            if info.type == tarfile.GNUTYPE_LONGNAME:
                name = data.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
            elif info.type == tarfile.GNUTYPE_LONGLINK:
                linkname = data.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
            else:
                records = _pax_records(data)
                changes = {"path", "linkpath", "size"} & records.keys()
                sparse = sparse or any(keyword.startswith("GNU.sparse.") for keyword in records)
                if info.type == tarfile.XGLTYPE:
                    # A global header (git archive writes one with a comment) must not rename every member.
                    if changes or sparse:
                        raise tarfile.ReadError("global pax header sets path, linkpath, size or sparse fields")
                    continue
                name = records.get("path", name)
                linkname = records.get("linkpath", linkname)
                if "size" in records:
                    size = _pax_size(records["size"])
        else:
            raise tarfile.ReadError(f"more than {_EXTENDED_CHAIN_MAX} extended headers in a row")
        if name is not None:
            info.name = name
        if linkname is not None:
            info.linkname = linkname
        if size is not None:
            info.size = size
        if sparse:
            info.type = tarfile.GNUTYPE_SPARSE
        if info.size < 0:
            raise tarfile.ReadError(f"member with a negative size: {shown_name(info.name)}")
        info.offset = start
        info.offset_data = stream.tell()
        data_size = _padded(info.size) if info.type in _FILE_TYPES else 0
        archive.offset = info.offset_data + data_size
        return info


class Extraction:
    """One streaming pass over a tar archive into a private folder, checking each member as it comes."""

    def __init__(self, source: str, tempdir: Path, limits: Limits) -> None:
        self.source = source
        self.tempdir = tempdir
        self.limits = limits
        self.digests: dict[str, FileDigest] = {}
        self.folders: set[str] = set()
        self.names = NameRegistry()
        self.members = 0
        self.total = 0
        self.trailing = 0

    def run(self, stream: Readable) -> None:
        """Extract every member, then check the compressed stream ends cleanly."""
        last: str | None = None
        current: str | None = None
        try:
            with tarfile.open(
                fileobj=cast("tarfile._Fileobj", stream),
                mode="r|",
                bufsize=CHUNK,
                tarinfo=_TarHeader,
                encoding="utf-8",
                errors="surrogateescape",
            ) as archive:
                while (member := archive.next()) is not None:
                    # tarfile keeps every member it returns; only the current one is needed here.
                    archive.members.clear()  # type: ignore[attr-defined]  # undocumented, not in typeshed
                    current = shown_name(member.name)
                    self._member(archive, member)
                    last, current = current, None
                # Drain through tarfile's own stream: it may already hold (buffered) what follows the marker.
                self._drain(archive.fileobj)
            while chunk := stream.read(CHUNK):
                self._trailing(chunk)
        except _READ_ERRORS as error:
            if current is not None:
                raise invalid(current, f"damaged or truncated archive: {describe(error)}") from None
            after = f" after member '{last}'" if last is not None else ""
            raise invalid(self.source, f"damaged or truncated archive{after}: {describe(error)}") from None

    def _drain(self, stream: Readable) -> None:
        while chunk := stream.read(CHUNK):
            self._trailing(chunk)

    def _trailing(self, chunk: bytes) -> None:
        """Account for bytes after the end-of-archive marker: zero padding only, at most _TRAILING_MAX."""
        self.trailing += len(chunk)
        if chunk.count(0) != len(chunk) or self.trailing > _TRAILING_MAX:
            raise invalid(self.source, "unexpected data after the end of the archive (only zero padding may follow)")

    def _cap_bytes(self, name: str, more: int) -> None:
        """Count `more` bytes against --max-bytes (member data and extended headers alike)."""
        if self.total + more > self.limits.max_bytes:
            raise invalid(shown_name(name), bytes_cap_message(self.limits))
        self.total += more

    def tree_prefix(self) -> str:
        """'' when the tree is at the archive's root, else '<top>/' for its single top-level folder."""
        if "manifest.json" in self.digests:
            return ""
        tops = {name.split("/", 1)[0] for name in (*self.digests, *self.folders)}
        if len(tops) == 1:
            (top,) = tops
            if top in self.folders:
                return f"{top}/"
        return ""

    def _member(self, archive: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        shown = shown_name(member.name)
        self.members += 1
        if self.members > self.limits.max_members:
            raise invalid(shown, members_cap_message(self.limits))
        # pax and GNU long-name headers are bytes too: 17 kB of zstd could hold 320 MiB of them.
        self._cap_bytes(member.name, member.offset_data - member.offset - BLOCK)
        if member.type not in (*_FILE_TYPES, tarfile.DIRTYPE):
            what = _REJECTED_TYPES.get(member.type, f"member of type {member.type!r}")
            if member.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                what += f" to '{shown_name(member.linkname)}'"
            raise invalid(shown, f"{what}: only regular files and folders are allowed")
        is_folder = member.type == tarfile.DIRTYPE
        name = member.name.removesuffix("/") if is_folder else member.name
        if is_folder and name == ".":
            return  # the root entry of `tar -C dir .`
        name = name.removeprefix("./")
        reason = check_member_name(name) or self.names.add(name, is_folder)
        if reason is not None:
            raise invalid(shown, reason)
        if is_folder:
            self._make_folders(name)
        else:
            self._write(archive, member, name)

    def _make_folders(self, folder: str) -> None:
        missing = []
        while folder and folder not in self.folders:
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        for name in reversed(missing):
            with _disk(name):
                self._inside(name).mkdir(0o700)
            self.folders.add(name)

    def _inside(self, name: str) -> Path:
        """The extraction path of a checked name, refusing anything that would land outside the folder."""
        path = self.tempdir / name
        if not os.path.normpath(path).startswith(f"{self.tempdir}{os.sep}"):
            raise invalid(shown_name(name), "would be written outside the extraction folder")
        return path

    def _write(self, archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> None:
        # The header's size is only a claim: fail fast when it alone breaks the cap, and count real bytes.
        if self.total + member.size > self.limits.max_bytes:
            raise invalid(shown_name(member.name), bytes_cap_message(self.limits))
        self._make_folders(name.rpartition("/")[0])
        digest = hashlib.sha256()
        remaining = member.size
        with _disk(name):
            # O_EXCL: never reuse, truncate or follow anything already there.
            fd = os.open(self._inside(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, 0o600)
        try:
            while remaining:
                chunk = archive.fileobj.read(min(CHUNK, remaining))
                if not chunk:
                    raise tarfile.ReadError("the archive ends inside this member")
                self._cap_bytes(name, len(chunk))  # before writing: at most the cap is ever on disk
                digest.update(chunk)
                with _disk(name):
                    _write_all(fd, chunk)
                remaining -= len(chunk)
        finally:
            os.close(fd)
        self.digests[name] = FileDigest(member.size, digest.hexdigest())


@contextmanager
def _disk(name: str) -> Iterator[None]:
    """Report a failure of the extraction folder (full disk, permissions) as such, not as damaged input."""
    try:
        yield
    except OSError as error:
        raise invalid(shown_name(name), f"cannot extract: {describe(error)}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

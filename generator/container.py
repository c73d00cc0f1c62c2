"""Step 1 of verification: open a runs snapshot, directory or tar archive, as hostile input (spec section 1).

An archive is streamed once: every member is checked (type, name, collisions, caps) and written into a private
temporary folder with exclusive creates, and hashed as it is written, so later steps never read it twice.
tarfile only supplies the block parser and the stream: header chaining (pax, GNU long names) is done here,
strictly and in linear time, because the tarfile of Python 3.11.7 silently stops at a damaged or truncated
header and parses pax records in quadratic time (CVE-2024-6232).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import struct
import tarfile
import tempfile
import threading
import unicodedata
import weakref
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, Self, cast

import zstandard

from generator.errors import ExitCode, SnapshotError, UsageError

_CHUNK = 1 << 20
_BLOCK = tarfile.BLOCKSIZE
_ZERO_BLOCK = bytes(_BLOCK)
# A pax or GNU long-name header holds a few KiB in practice; this only bounds what one header may cost.
_EXTENDED_MAX = 1 << 20
_EXTENDED_CHAIN_MAX = 8
# tar pads to its record size after the end marker; anything much longer is not padding.
_TRAILING_MAX = 1 << 20
_NAME_MAX_BYTES = 4096
_SEGMENT_MAX_BYTES = 255
_NOT_AN_ARCHIVE = "not a directory or a .tar, .tar.gz, .tar.zst archive"
_DRIVE = re.compile(r"[A-Za-z]:")
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
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


@dataclass(frozen=True)
class Limits:
    """Caps applied while reading a snapshot (spec section 1); both are configurable."""

    max_members: int = 1_000_000
    max_bytes: int = 64 * 2**30


@dataclass(frozen=True)
class FileDigest:
    """Size and sha256 (lowercase hex) of one file."""

    size: int
    sha256: str


_DEFAULT_LIMITS = Limits()


def check_member_name(name: str) -> str | None:
    """Why `name` breaks the portable-name rules of spec section 1, or None when it is fine.

    Rejects absolute names, '..' and '.' segments, backslashes, NUL, a leading drive letter, empty segments,
    names that are not valid UTF-8 and over-long names. Used for archive members, directory entries and
    manifest paths alike.
    """
    if not name:
        return "empty name"
    if "\x00" in name:
        return "name contains a NUL byte"
    if "\\" in name:
        return "name contains a backslash"
    if name.startswith("/"):
        return "absolute name"
    if _DRIVE.match(name):
        return "name starts with a drive letter"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "name is not valid UTF-8"
    if len(encoded) > _NAME_MAX_BYTES:
        return f"name longer than {_NAME_MAX_BYTES} bytes"
    for segment in name.split("/"):
        if not segment:
            return "name has an empty segment"
        if segment == "..":
            return "name contains '..'"
        if segment == ".":
            return "name contains a '.' segment"
        if len(segment.encode("utf-8")) > _SEGMENT_MAX_BYTES:
            return f"name has a segment longer than {_SEGMENT_MAX_BYTES} bytes"
    return None


def collision_key(name: str) -> str:
    """The key under which two names clash on FAT32 / exFAT / NTFS media: NFC-normalised and case-folded."""
    # Case folding can leave a string that is no longer NFC, so normalise on both sides.
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


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
        buffer = memoryview(bytearray(_CHUNK))
        while not stop.is_set():
            with lock:
                index = next(jobs, None)
            if index is None:
                return
            try:
                results[index] = _hash_file(paths[index], buffer)
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


def _hash_file(path: Path, buffer: memoryview) -> FileDigest:
    digest = hashlib.sha256()
    size = 0
    with _open_regular(path, follow=False) as file:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while n := file.readinto(buffer):
            digest.update(buffer[:n])
            size += n
    return FileDigest(size, digest.hexdigest())


def _open_regular(path: str | Path, *, follow: bool) -> io.FileIO:
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


class Container:
    """An opened snapshot: its regular files by relative '/'-separated name. Use `open_container` to make one.

    `root` is the folder holding the tree: the directory itself, or a private temporary extraction folder
    for an archive, removed by `close()`.
    """

    def __init__(
        self,
        kind: str,
        source: Path,
        root: Path,
        names: Sequence[str],
        digests: dict[str, FileDigest] | None = None,
        tempdir: Path | None = None,
    ) -> None:
        self.kind = kind
        self.source = source
        self.root = root
        self._names = sorted(names)
        self._known = set(self._names)
        self._digests: dict[str, FileDigest] = dict(digests or {})
        self._cleanup = (
            weakref.finalize(self, shutil.rmtree, tempdir, ignore_errors=True) if tempdir is not None else None
        )

    def files(self) -> list[str]:
        """Sorted relative '/'-separated paths of every regular file."""
        return list(self._names)

    def exists(self, name: str) -> bool:
        """Whether `name` is a regular file of the snapshot."""
        return name in self._known

    def path(self, name: str) -> Path:
        """Filesystem path of a file of the snapshot."""
        if name not in self._known:
            raise _invalid(_shown(name), "no such file in the snapshot")
        return self.root / name

    def open(self, name: str) -> BinaryIO:
        """Open a file of the snapshot for buffered binary reading."""
        path = self.path(name)
        try:
            return io.BufferedReader(_open_regular(path, follow=False), buffer_size=_CHUNK)
        except OSError as error:
            raise _invalid(_shown(name), f"cannot read: {_describe(error)}") from None

    def read_bytes(self, name: str) -> bytes:
        """The whole content of a (small) file of the snapshot."""
        with self.open(name) as file:
            try:
                return file.read()
            except OSError as error:
                raise _invalid(_shown(name), f"cannot read: {_describe(error)}") from None

    def digests(self, names: Sequence[str]) -> dict[str, FileDigest]:
        """Size and sha256 of each named file: kept from extraction for archives, else hashed in parallel."""
        missing = [name for name in names if name not in self._digests]
        for name in missing:
            self.path(name)
        if missing:
            try:
                computed = hash_files([self.root / name for name in missing])
            except OSError as error:
                raise _invalid(self._name_of(error), f"cannot read: {_describe(error)}") from None
            self._digests.update(zip(missing, computed, strict=True))
        return {name: self._digests[name] for name in names}

    def close(self) -> None:
        """Remove the temporary extraction folder, if any. Safe to call twice."""
        if self._cleanup is not None:
            self._cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _name_of(self, error: OSError) -> str:
        if error.filename is None:
            return str(self.source)
        try:
            return Path(os.fsdecode(error.filename)).relative_to(self.root).as_posix()
        except ValueError:
            return str(self.source)


def open_container(path: Path, limits: Limits = _DEFAULT_LIMITS, workdir: Path | None = None) -> Container:
    """Open a snapshot directory or archive (step 1 of verification) after checking it is safe.

    Raises SnapshotError("container", ...): exit code NOT_FOUND when `path` does not exist, INVALID when it
    is unsafe or unreadable. Archives are extracted under a `snapsite-*` folder made in `workdir` (default:
    the system temporary folder); close the container to remove it.
    """
    source = Path(path)
    try:
        status = source.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise SnapshotError("container", str(source), "not found", ExitCode.NOT_FOUND) from None
    except OSError as error:
        raise _invalid(str(source), f"cannot read: {_describe(error)}") from None
    if stat.S_ISDIR(status.st_mode):
        return _open_directory(source, limits)
    if not stat.S_ISREG(status.st_mode):
        raise _invalid(str(source), _NOT_AN_ARCHIVE)
    return _open_archive(source, limits, workdir)


def _invalid(path: str, message: str) -> SnapshotError:
    return SnapshotError("container", path, message, ExitCode.INVALID)


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _shown(name: str) -> str:
    """A member name safe to print: control characters, NUL and undecodable bytes escaped."""
    return name if name.isprintable() else name.encode("unicode_escape", "backslashreplace").decode("ascii")


class _Names:
    """Every path of the tree, members and the folders above them, by collision key."""

    def __init__(self) -> None:
        self._by_key: dict[str, tuple[str, bool]] = {}
        self._folders: set[str] = set()

    def add(self, name: str, is_folder: bool) -> str | None:
        """Register a member; the reason it clashes with an earlier one, or None."""
        missing = []
        parent = name.rpartition("/")[0]
        while parent and parent not in self._folders:
            missing.append(parent)
            parent = parent.rpartition("/")[0]
        for folder in reversed(missing):
            reason = self._claim(folder, True)
            if reason is not None:
                return reason
        return self._claim(name, is_folder)

    def _claim(self, name: str, is_folder: bool) -> str | None:
        key = collision_key(name)
        seen = self._by_key.get(key)
        if seen is None:
            self._by_key[key] = (name, is_folder)
            if is_folder:
                self._folders.add(name)
            return None
        other, other_is_folder = seen
        if other == name:
            if is_folder and other_is_folder:
                return None
            if is_folder or other_is_folder:
                return f"'{_shown(name)}' is both a file and a folder"
            return "appears twice"
        return f"collides with '{_shown(other)}' (equal after Unicode NFC normalisation and case folding)"


def _open_directory(source: Path, limits: Limits) -> Container:
    root = source.absolute()
    names = _Names()
    files: list[str] = []
    members = 0
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(root / folder if folder else root) as entries:
                for entry in entries:
                    name = f"{folder}/{entry.name}" if folder else entry.name
                    members += 1
                    if members > limits.max_members:
                        raise _invalid(_shown(name), f"more than {limits.max_members} members")
                    is_folder = _check_entry(entry, name)
                    reason = names.add(name, is_folder)
                    if reason is not None:
                        raise _invalid(_shown(name), reason)
                    (pending if is_folder else files).append(name)
        except OSError as error:
            raise _invalid(_shown(folder) or str(source), f"cannot read: {_describe(error)}") from None
    return Container("directory", source, root, files)


def _check_entry(entry: os.DirEntry[str], name: str) -> bool:
    """Whether a directory entry is a folder; rejects links, special files and bad names."""
    if entry.is_symlink():
        raise _invalid(_shown(name), "symlink: only regular files and folders are allowed")
    is_folder = entry.is_dir(follow_symlinks=False)
    if not is_folder and not entry.is_file(follow_symlinks=False):
        mode = entry.stat(follow_symlinks=False).st_mode
        what = {
            stat.S_IFIFO: "FIFO",
            stat.S_IFCHR: "character device",
            stat.S_IFBLK: "block device",
            stat.S_IFSOCK: "socket",
        }.get(stat.S_IFMT(mode), "special file")
        raise _invalid(_shown(name), f"{what}: only regular files and folders are allowed")
    reason = check_member_name(name)
    if reason is not None:
        raise _invalid(_shown(name), reason)
    return is_folder


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def _open_archive(source: Path, limits: Limits, workdir: Path | None) -> Container:
    try:
        raw = _open_regular(source, follow=True)
    except OSError as error:
        raise _invalid(str(source), f"cannot read: {_describe(error)}") from None
    with raw:
        try:
            kind = _archive_kind(raw.read(_BLOCK) or b"")
            raw.seek(0)
        except OSError as error:
            raise _invalid(str(source), f"cannot read: {_describe(error)}") from None
        if kind is None:
            raise _invalid(str(source), _NOT_AN_ARCHIVE)
        try:
            tempdir = Path(tempfile.mkdtemp(prefix="snapsite-", dir=workdir))
        except OSError as error:
            raise UsageError(f"cannot make a temporary folder in {workdir}: {_describe(error)}") from None
        try:
            stream: _Readable
            if kind == "tar.gz":
                stream = gzip.GzipFile(fileobj=raw, mode="rb")
            elif kind == "tar.zst":
                stream = zstandard.ZstdDecompressor().stream_reader(
                    raw, read_size=_CHUNK, read_across_frames=True, closefd=False
                )
            else:
                stream = raw
            extraction = _Extraction(str(source), tempdir, limits)
            extraction.run(stream)
        except BaseException:
            shutil.rmtree(tempdir, ignore_errors=True)
            raise
    prefix = extraction.tree_prefix()
    names = {name.removeprefix(prefix): digest for name, digest in extraction.digests.items()}
    return Container(kind, source, tempdir / prefix, list(names), names, tempdir)


def _archive_kind(head: bytes) -> str | None:
    if head.startswith(b"\x1f\x8b"):
        return "tar.gz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "tar.zst"
    if len(head) == _BLOCK and (head[257:262] == b"ustar" or head == _ZERO_BLOCK or _checksum_ok(head)):
        return "tar"
    return None


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
    return -(-size // _BLOCK) * _BLOCK


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
            block = stream.read(_BLOCK)
            if len(block) < _BLOCK:
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
            raise tarfile.ReadError(f"member with a negative size: {_shown(info.name)}")
        info.offset = start
        info.offset_data = stream.tell()
        data_size = _padded(info.size) if info.type in _FILE_TYPES else 0
        archive.offset = info.offset_data + data_size
        return info


class _Extraction:
    """One streaming pass over a tar archive into a private folder, checking each member as it comes."""

    def __init__(self, source: str, tempdir: Path, limits: Limits) -> None:
        self.source = source
        self.tempdir = tempdir
        self.limits = limits
        self.digests: dict[str, FileDigest] = {}
        self.folders: set[str] = set()
        self.names = _Names()
        self.members = 0
        self.total = 0

    def run(self, stream: _Readable) -> None:
        """Extract every member, then check the compressed stream ends cleanly."""
        last: str | None = None
        current: str | None = None
        try:
            with tarfile.open(
                fileobj=cast("tarfile._Fileobj", stream),
                mode="r|",
                bufsize=_CHUNK,
                tarinfo=_TarHeader,
                encoding="utf-8",
                errors="surrogateescape",
            ) as archive:
                while (member := archive.next()) is not None:
                    # tarfile keeps every member it returns; only the current one is needed here.
                    archive.members.clear()  # type: ignore[attr-defined]  # undocumented, not in typeshed
                    current = _shown(member.name)
                    self._member(archive, member)
                    last, current = current, None
            drained = 0
            while chunk := stream.read(_CHUNK):
                drained += len(chunk)
                if drained > _TRAILING_MAX:
                    raise _invalid(self.source, "unexpected data after the end of the archive")
        except _READ_ERRORS as error:
            if current is not None:
                raise _invalid(current, f"damaged or truncated archive: {_describe(error)}") from None
            after = f" after member '{last}'" if last is not None else ""
            raise _invalid(self.source, f"damaged or truncated archive{after}: {_describe(error)}") from None

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
        shown = _shown(member.name)
        self.members += 1
        if self.members > self.limits.max_members:
            raise _invalid(shown, f"more than {self.limits.max_members} members")
        if member.type not in (*_FILE_TYPES, tarfile.DIRTYPE):
            what = _REJECTED_TYPES.get(member.type, f"member of type {member.type!r}")
            if member.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                what += f" to '{_shown(member.linkname)}'"
            raise _invalid(shown, f"{what}: only regular files and folders are allowed")
        is_folder = member.type == tarfile.DIRTYPE
        name = member.name.removesuffix("/") if is_folder else member.name
        if is_folder and name == ".":
            return  # the root entry of `tar -C dir .`
        name = name.removeprefix("./")
        reason = check_member_name(name) or self.names.add(name, is_folder)
        if reason is not None:
            raise _invalid(shown, reason)
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
            raise _invalid(_shown(name), "would be written outside the extraction folder")
        return path

    def _write(self, archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> None:
        # The header's size is only a claim: fail fast when it alone breaks the cap, and count real bytes.
        if self.total + member.size > self.limits.max_bytes:
            raise _invalid(_shown(member.name), f"the archive holds more than {self.limits.max_bytes} bytes")
        self._make_folders(name.rpartition("/")[0])
        digest = hashlib.sha256()
        remaining = member.size
        with _disk(name):
            # O_EXCL: never reuse, truncate or follow anything already there.
            fd = os.open(self._inside(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, 0o600)
        try:
            while remaining:
                chunk = archive.fileobj.read(min(_CHUNK, remaining))
                if not chunk:
                    raise tarfile.ReadError("the archive ends inside this member")
                digest.update(chunk)
                with _disk(name):
                    _write_all(fd, chunk)
                remaining -= len(chunk)
                self.total += len(chunk)
        finally:
            os.close(fd)
        self.digests[name] = FileDigest(member.size, digest.hexdigest())


@contextmanager
def _disk(name: str) -> Iterator[None]:
    """Report a failure of the extraction folder (full disk, permissions) as such, not as damaged input."""
    try:
        yield
    except OSError as error:
        raise _invalid(_shown(name), f"cannot extract: {_describe(error)}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

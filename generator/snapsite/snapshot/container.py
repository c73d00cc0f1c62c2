"""Step 1 of verification: open a runs snapshot, directory or tar archive, as hostile input (spec section 1).

A directory is walked without following links and staged: each file is copied, hashed as it is copied, into a
private temporary folder, so that what later steps parse and copy is exactly what was hashed (a file changed in
place after step 3 used to reach the site unverified). An archive is extracted once, checked and hashed as it
streams (`tar_reader`), into such a folder too. Either way the result is a `Container` of regular files whose
digests are known, and the same caps (`Limits`) hold.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
import threading
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Self

from snapsite.errors import ExitCode, SnapshotError, UsageError
from snapsite.snapshot.hashing import CHUNK, FileDigest, hash_files, open_regular
from snapsite.snapshot.limits import Limits, bytes_cap_message, describe, invalid, members_cap_message
from snapsite.snapshot.member_names import NameRegistry, check_member_name, shown_name
from snapsite.snapshot.tar_reader import BLOCK, Extraction, archive_kind, decompressed

# Part of the API: open_container takes Limits, Container.digests returns FileDigest.
__all__ = ["Container", "FileDigest", "Limits", "open_container"]

_NOT_AN_ARCHIVE = "not a directory or a .tar, .tar.gz, .tar.zst archive"

_DEFAULT_LIMITS = Limits()


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
        limits: Limits = _DEFAULT_LIMITS,
    ) -> None:
        self.kind = kind
        self.limits = limits  # nested archives (evidence bundles) are opened with the same caps
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
            raise invalid(shown_name(name), "no such file in the snapshot")
        return self.root / name

    def open(self, name: str) -> BinaryIO:
        """Open a file of the snapshot for buffered binary reading."""
        path = self.path(name)
        try:
            return io.BufferedReader(open_regular(path, follow=False), buffer_size=CHUNK)
        except OSError as error:
            raise invalid(shown_name(name), f"cannot read: {describe(error)}") from None

    def read_bytes(self, name: str) -> bytes:
        """The whole content of a (small) file of the snapshot."""
        with self.open(name) as file:
            try:
                return file.read()
            except OSError as error:
                raise invalid(shown_name(name), f"cannot read: {describe(error)}") from None

    def digests(self, names: Sequence[str]) -> dict[str, FileDigest]:
        """Size and sha256 of each named file: kept from extraction for archives, else hashed in parallel."""
        missing = [name for name in names if name not in self._digests]
        for name in missing:
            self.path(name)
        if missing:
            try:
                computed = hash_files([self.root / name for name in missing])
            except OSError as error:
                raise invalid(self._name_of(error), f"cannot read: {describe(error)}") from None
            self._digests.update(zip(missing, computed, strict=True))
        return {name: self._digests[name] for name in names}

    def __reduce__(self) -> tuple[type[Container], tuple[str, Path, Path, list[str]]]:
        """Pickled as a view of the same files (for worker processes): the copy never removes the extraction
        folder, which stays the job of the container that made it."""
        return Container, (self.kind, self.source, self.root, self._names)

    def close(self) -> None:
        """Remove the temporary extraction folder, if any. Safe to call twice."""
        if self._cleanup is not None:
            self._cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc_info: object) -> None:
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
        raise invalid(str(source), f"cannot read: {describe(error)}") from None
    if stat.S_ISDIR(status.st_mode):
        return _open_directory(source, limits, workdir)
    if not stat.S_ISREG(status.st_mode):
        raise invalid(str(source), _NOT_AN_ARCHIVE)
    return _open_archive(source, limits, workdir)


def _open_directory(source: Path, limits: Limits, workdir: Path | None) -> Container:
    root = source.absolute()
    names = NameRegistry()
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
                        raise invalid(shown_name(name), members_cap_message(limits))
                    is_folder = _check_entry(entry, name)
                    reason = names.add(name, is_folder)
                    if reason is not None:
                        raise invalid(shown_name(name), reason)
                    (pending if is_folder else files).append(name)
        except OSError as error:
            raise invalid(shown_name(folder) or str(source), f"cannot read: {describe(error)}") from None
    tempdir = _private_folder(workdir)
    try:
        digests = _Stager(root, tempdir, limits).stage(files)
    except BaseException:
        shutil.rmtree(tempdir, ignore_errors=True)
        raise
    return Container("directory", source, tempdir, files, digests, tempdir, limits)


def _private_folder(workdir: Path | None) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix="snapsite-", dir=workdir))
    except OSError as error:
        raise UsageError(f"cannot make a temporary folder in {workdir}: {describe(error)}") from None


class _Stager:
    """Copies a directory snapshot's files into a private folder, hashing each as it is copied, in parallel."""

    def __init__(self, source: Path, target: Path, limits: Limits) -> None:
        self.source = source
        self.target = target
        self.limits = limits
        self.total = 0
        self.lock = threading.Lock()

    def stage(self, files: Sequence[str]) -> dict[str, FileDigest]:
        for folder in sorted({name.rpartition("/")[0] for name in files} - {""}):
            (self.target / folder).mkdir(0o700, parents=True, exist_ok=True)
        workers = min(os.cpu_count() or 1, max(1, len(files)))
        with ThreadPoolExecutor(workers) as pool:
            return dict(zip(files, pool.map(self._copy, files), strict=True))

    def _copy(self, name: str) -> FileDigest:
        digest = hashlib.sha256()
        size = 0
        try:
            # No link is followed, and the opened file must be regular (open_regular checks the descriptor).
            with open_regular(self.source / name, follow=False) as source:
                fd = os.open(self.target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                with os.fdopen(fd, "wb") as target:
                    while chunk := source.read(CHUNK):
                        with self.lock:
                            if self.total + len(chunk) > self.limits.max_bytes:
                                raise invalid(shown_name(name), bytes_cap_message(self.limits))
                            self.total += len(chunk)
                        digest.update(chunk)
                        target.write(chunk)
                        size += len(chunk)
        except OSError as error:
            raise invalid(shown_name(name), f"cannot read: {describe(error)}") from None
        return FileDigest(size, digest.hexdigest())


def _check_entry(entry: os.DirEntry[str], name: str) -> bool:
    """Whether a directory entry is a folder; rejects links, special files and bad names."""
    if entry.is_symlink():
        raise invalid(shown_name(name), "symlink: only regular files and folders are allowed")
    is_folder = entry.is_dir(follow_symlinks=False)
    if not is_folder and not entry.is_file(follow_symlinks=False):
        mode = entry.stat(follow_symlinks=False).st_mode
        what = {
            stat.S_IFIFO: "FIFO",
            stat.S_IFCHR: "character device",
            stat.S_IFBLK: "block device",
            stat.S_IFSOCK: "socket",
        }.get(stat.S_IFMT(mode), "special file")
        raise invalid(shown_name(name), f"{what}: only regular files and folders are allowed")
    reason = check_member_name(name)
    if reason is not None:
        raise invalid(shown_name(name), reason)
    return is_folder


def _open_archive(source: Path, limits: Limits, workdir: Path | None) -> Container:
    try:
        raw = open_regular(source, follow=True)
    except OSError as error:
        raise invalid(str(source), f"cannot read: {describe(error)}") from None
    with raw:
        try:
            kind = archive_kind(raw.read(BLOCK) or b"")
            raw.seek(0)
        except OSError as error:
            raise invalid(str(source), f"cannot read: {describe(error)}") from None
        if kind is None:
            raise invalid(str(source), _NOT_AN_ARCHIVE)
        tempdir = _private_folder(workdir)
        try:
            extraction = Extraction(str(source), tempdir, limits)
            extraction.run(decompressed(raw, kind))
        except BaseException:
            shutil.rmtree(tempdir, ignore_errors=True)
            raise
    prefix = extraction.tree_prefix()
    names = {name.removeprefix(prefix): digest for name, digest in extraction.digests.items()}
    return Container(kind, source, tempdir / prefix, list(names), names, tempdir, limits)

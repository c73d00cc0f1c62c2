"""Writing the site: a temporary folder beside the target, portable names, SHA256SUMS, an atomic swap."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from snapsite.errors import SnapsiteError
from snapsite.site.names import portable_problem
from snapsite.site.outdir import MARKER, MARKER_TEXT, check_output, recover_interrupted_swap, swap_in
from snapsite.spec import SUMS

if TYPE_CHECKING:
    from snapsite.site.incremental import PreviousOutput

__all__ = ["SUMS", "OutputError", "SiteWriter"]


class OutputError(SnapsiteError):
    """The output folder cannot be written or a generated name is not portable (a bug, never input)."""


class SiteWriter:
    """Collects the site's files in a temporary folder, then swaps it in place of the target.

    Every file written is hashed on the way, so SHA256SUMS costs no second read. `protected` are the build's
    inputs (snapshot, trust roots, keys, config, theme), which the output may neither be, hold nor sit in; an
    output that is neither missing, empty nor a snapsite site is refused unless `force` (see `outdir`).
    """

    def __init__(self, target: Path, protected: Iterable[Path] = (), force: bool = False) -> None:
        self.target = target.resolve()
        recover_interrupted_swap(self.target)
        check_output(target, protected, force)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.building-", dir=self.target.parent))
        self.digests: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        self._folders: set[str] = {""}  # made already (a site has a few folders and many files)
        self.bytes_written = 0
        self.write_text(MARKER, MARKER_TEXT)

    def _claim(self, relative: str) -> Path:
        """Check a new site path for portability and case collisions; return where to write it."""
        folder, _, name = relative.rpartition("/")
        for segment in (name, *(folder.split("/") if folder not in self._folders else ())):
            problem = portable_problem(segment)
            if problem:
                raise OutputError(f"output name {relative!r} is not portable: {problem}")
        folded = relative.casefold()
        if folded in self._folded:
            raise OutputError(f"output names {relative!r} and {self._folded[folded]!r} differ only by case")
        self._folded[folded] = relative
        if folder not in self._folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return self.root / relative

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write one file of the site."""
        self._claim(relative).write_bytes(data)
        self.record(relative, hashlib.sha256(data).hexdigest(), len(data))

    def write_text(self, relative: str, text: str) -> None:
        """Write one UTF-8 text file of the site."""
        self.write_bytes(relative, text.encode("utf-8"))

    def copy_file(
        self, relative: str, source: Path, previous: PreviousOutput | None = None, sha256: str | None = None
    ) -> None:
        """Copy a file into the site, hashing it on the way; or link it from `previous` if it has `sha256` there."""
        path = self._claim(relative)
        if previous is not None and sha256 is not None and (taken := previous.take(relative, path, sha256)):
            self.record(relative, *taken)
            return
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, path.open("wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        self.record(relative, digest.hexdigest(), size)

    def claim_external(self, relative: str) -> Path:
        """A path for a file another process writes; it must then be `record`ed."""
        return self._claim(relative)

    def record(self, relative: str, sha256: str, size: int) -> None:
        """Account for a file written into the site folder."""
        self.digests[relative] = sha256
        self.bytes_written += size

    def write_sums(self) -> None:
        """SHA256SUMS of every other file, sorted, in `sha256sum -c` format."""
        lines = "".join(f"{self.digests[name]}  {name}\n" for name in sorted(self.digests))
        (self.root / SUMS).write_text(lines, encoding="utf-8")
        self.bytes_written += len(lines)

    def commit(self) -> None:
        """Swap the finished folder in place of the target (atomically where the OS can); then remove the old one."""
        self.root.chmod(0o755)  # mkdtemp made it private; a site is for reading
        swap_in(self.root, self.target)

    def abort(self) -> None:
        """Remove the temporary folder; the previous output stays exactly as it was."""
        shutil.rmtree(self.root, ignore_errors=True)

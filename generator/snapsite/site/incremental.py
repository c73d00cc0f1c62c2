"""Page-level incremental builds: a bucket of runs whose inputs are unchanged keeps its files from the last build.

A build spills every run's records to one of a fixed number of buckets (`snapsite.site.spill`). The key of a bucket is
the digest of everything its files (run pages, findings CSVs, evidence bundles, drawer data) are made of: the
site-wide context every run page shares (generator, theme, options, site facts) and the bucket's own records.
When a bucket's key equals the one the last build recorded, its files are hard-linked from the previous output
(copied where the file system has no hard links) instead of rendered, each checked against the previous
SHA256SUMS on the way: a page edited by hand since is rendered again. The previous output is never modified,
so a failed build still leaves it exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from snapsite import __version__
from snapsite.snapshot.hashing import hash_file
from snapsite.spec import SUMS

GENERATOR_CODE = Path(__file__).resolve().parent.parent  # the package folder: its code is an input of every page


@dataclass(frozen=True)
class RenderState:
    """What a build leaves for the next one: the key of every bucket it rendered or reused."""

    buckets: dict[int, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data for the state file."""
        return {"buckets": {str(n): key for n, key in sorted(self.buckets.items())}}

    @classmethod
    def from_json(cls, data: object) -> RenderState | None:
        """The state written by `as_json`, or None for anything else (which only costs a full render)."""
        buckets = data.get("buckets") if isinstance(data, dict) else None
        if not isinstance(buckets, dict):
            return None
        try:
            return cls({int(n): key for n, key in buckets.items() if isinstance(key, str)})
        except ValueError:
            return None


@cache
def generator_digest() -> str:
    """The digest of the generator's own code and version: a new generator renders everything again."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(GENERATOR_CODE.rglob("*.py")):
        digest.update(path.relative_to(GENERATOR_CODE).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tree_digest(folders: list[Path]) -> str:
    """The digest of every file under `folders` (a theme), names and bytes."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder).encode() + b"\0")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def context_key(**parts: Any) -> str:
    """The digest of `parts` as canonical JSON: dataclasses field by field, pydantic models as their JSON."""
    text = json.dumps(parts, sort_keys=True, default=_plain, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"no key for {type(value).__name__}")


class PreviousOutput:
    """The output of the last build, whose files may be taken into the new one unchanged."""

    def __init__(self, folder: Path, state: RenderState) -> None:
        self.folder = folder
        self.state = state
        self.sums = _read_sums(folder / SUMS)

    def unchanged(self, bucket: int, key: str) -> bool:
        """Whether the last build rendered `bucket` from the very inputs `key` stands for."""
        return self.state.buckets.get(bucket) == key

    def take(self, relative: str, destination: Path, sha256: str | None = None) -> tuple[str, int] | None:
        """Link `relative` of the previous output to `destination` if its bytes match the previous SHA256SUMS
        (and that lists it with `sha256`, when given).

        Returns the file's (sha256, size), or None (and nothing at `destination`) when it cannot be reused.
        """
        expected = self.sums.get(relative)
        source = self.folder / relative
        if expected is None or (sha256 is not None and expected != sha256):
            return None
        try:
            try:
                os.link(source, destination, follow_symlinks=False)
            except OSError:
                if not source.is_file():
                    return None
                shutil.copyfile(source, destination, follow_symlinks=False)  # FAT and exFAT have no hard links
            found = hash_file(destination)
        except OSError:
            destination.unlink(missing_ok=True)
            return None
        if found.sha256 != expected:
            destination.unlink()
            return None
        return found.sha256, found.size


def _read_sums(path: Path) -> dict[str, str]:
    """The previous SHA256SUMS as {path: sha256}; empty when missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    sums = {}
    for line in text.splitlines():
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            sums[name] = digest
    return sums

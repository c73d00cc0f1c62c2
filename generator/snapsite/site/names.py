"""Portable output names (site contract): safe on FAT32, exFAT and NTFS, and stable for a run id."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping

MAX_NAME_BYTES = 120
_UNSAFE = re.compile(r"[^a-z0-9]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)
_FORBIDDEN_CHARS = set(':*?"<>|\\/') | {chr(c) for c in range(32)} | {"\x7f"}


def slug(identifier: str) -> str:
    """A portable, lowercase file stem for `identifier` (a run id, an error code).

    The readable part is the id with every run of other characters turned into `-`; the suffix of its sha256
    keeps ids apart that differ only in case or punctuation.
    """
    readable = _UNSAFE.sub("-", identifier.lower()).strip("-")[:64].rstrip("-") or "x"
    return f"{readable}-{hashlib.sha256(identifier.encode()).hexdigest()[:10]}"


RUN_NAME_CHARS = 8  # a short name: with ".html" 13 UTF-16 units, two FAT32 directory entries
LONG_RUN_NAME_CHARS = 50  # every remaining bit of the digest, for the rare run whose short name is taken


def shard(run_id: str) -> str:
    """The shard folder of a run's files: the first two hex digits of the sha256 of its id (UTF-8).

    256 folders keep a million runs' pages to about 3,900 a folder, under the site contract's 8,192 directory
    entries, and a tool can compute the folder from the id alone.
    """
    return hashlib.sha256(run_id.encode()).hexdigest()[:2]


def run_slug(run_id: str, *, long: bool = False, chars: int = RUN_NAME_CHARS) -> str:
    """Where a run's own files live below a per-run folder: `<shard>/<name>`, without extension.

    The name is the next 40 bits of the id's sha256 in lowercase base32 (case-insensitive file systems see one
    name), so a page name takes two FAT32 directory entries: a readable name would take five, and a million-run
    shard folder would overflow the budget. `long=True` gives the name from every remaining bit, used when two
    runs of one build share a short name (`RunSlugs`); `chars` shortens the short name, for tests only.
    """
    digest = hashlib.sha256(run_id.encode()).digest()
    name = base64.b32encode(digest[1:]).decode("ascii").rstrip("=").lower()
    return f"{digest[:1].hex()}/{name[: LONG_RUN_NAME_CHARS if long else chars]}"


class RunSlugs(Mapping[str, str]):
    """The slug of every run of a build, by id, assigned in the order runs are added (the snapshot's order).

    A later run whose short slug is already taken gets the long one, so two runs never share a file; the same
    snapshot gives the same slugs. Views link a run through this mapping: a run outside the build has no slug.
    """

    def __init__(self, chars: int = RUN_NAME_CHARS) -> None:
        self._chars = chars  # the short names' length: shorter in tests, to make collisions cheap to find
        self._by_id: dict[str, str] = {}
        self._taken: set[str] = set()

    def add(self, run_id: str) -> str:
        """The slug of `run_id`, assigned on first sight."""
        found = self._by_id.get(run_id)
        if found is not None:
            return found
        chosen = run_slug(run_id, chars=self._chars)
        if chosen in self._taken:
            chosen = run_slug(run_id, long=True)
        self._taken.add(chosen)
        self._by_id[run_id] = chosen
        return chosen

    def __getitem__(self, run_id: str) -> str:
        return self._by_id[run_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


FOLDER_ENTRY_BUDGET = 8_192  # site contract: FAT32 directory entries a folder may take


def fat32_entries(name: str) -> int:
    """The FAT32 directory entries one name takes: a long-name entry per 13 UTF-16 units, plus its short entry."""
    units = len(name.encode("utf-16-le")) // 2
    return -(-units // 13) + 1


def folder_entries(names: Iterable[str]) -> int:
    """The FAT32 directory entries of a folder holding `names`, `.` and `..` included."""
    return 2 + sum(fat32_entries(name) for name in names)


def portable_problem(name: str) -> str | None:
    """Why one path segment is not portable (None when it is)."""
    if not name or name in (".", ".."):
        return "empty or dot name"
    if len(name.encode()) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes"
    if any(ch in _FORBIDDEN_CHARS for ch in name):
        return "a forbidden character"
    if name[-1] in ". ":
        return "a trailing dot or space"
    if _RESERVED.match(name):
        return "a reserved device name"
    return None

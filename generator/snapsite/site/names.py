"""Portable output names (site contract): safe on FAT32, exFAT and NTFS, and stable for a run id."""

from __future__ import annotations

import hashlib
import re

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

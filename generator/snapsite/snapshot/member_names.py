"""Snapshot member names (spec section 1): the portable-name rules, clashes on case-insensitive media, and
printing a hostile name safely. Used for archive members, directory entries and manifest paths alike."""

from __future__ import annotations

import re
import unicodedata

from snapsite.textsafe import is_terminal_safe, terminal_safe

_NAME_MAX_BYTES = 4096
_SEGMENT_MAX_BYTES = 255
_DRIVE = re.compile(r"[A-Za-z]:")


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
    if not is_terminal_safe(name):
        # A control or bidi character in a name can rewrite the operator's terminal (spec section 1: refused).
        return "name contains a control, bidi or invisible formatting character"
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


def shown_name(name: str) -> str:
    """A member name safe to print: control, bidi characters and undecodable bytes (surrogates) escaped."""
    return terminal_safe(name.encode("utf-8", "backslashreplace").decode("utf-8") if _has_surrogate(name) else name)


def _has_surrogate(name: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in name)


class NameRegistry:
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
                return f"'{shown_name(name)}' is both a file and a folder"
            return "appears twice"
        return f"collides with '{shown_name(other)}' (equal after Unicode NFC normalisation and case folding)"

"""What every way of opening a snapshot shares: its caps, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass

from snapsite.errors import ExitCode, SnapshotError


@dataclass(frozen=True)
class Limits:
    """Caps applied while reading a snapshot (spec section 1); both are configurable."""

    max_members: int = 1_000_000
    max_bytes: int = 64 * 2**30


def members_cap_message(limits: Limits) -> str:
    """The error of a snapshot over the member cap: names the cap and the option that raises it."""
    return f"more than {limits.max_members} members (the cap; raise it with --max-members)"


def bytes_cap_message(limits: Limits) -> str:
    """The error of a snapshot over the byte cap: names the cap and the option that raises it."""
    return f"the snapshot holds more than {limits.max_bytes} bytes (the cap; raise it with --max-bytes)"


def invalid(path: str, message: str) -> SnapshotError:
    """The error of an unsafe or unreadable snapshot (exit code INVALID), about `path`."""
    return SnapshotError("container", path, message, ExitCode.INVALID)


def describe(error: BaseException) -> str:
    """An error as a short phrase: the OS's wording when there is one."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__

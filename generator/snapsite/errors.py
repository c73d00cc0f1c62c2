"""The error families of snapsite and the exit codes of the snapshot spec (section 4)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, following `stella offline import`."""

    OK = 0
    NOT_FOUND = 1
    DIGEST = 2
    USAGE = 3
    SIGNATURE = 5
    INVALID = 11
    INTERRUPTED = 130


class SnapsiteError(Exception):
    """Base of every error snapsite reports as one line and an exit code."""

    exit_code: int = 1

    def line(self) -> str:
        """The one-line message shown to the user."""
        return str(self)


class SnapshotError(SnapsiteError):
    """A snapshot failed a check of the spec: names the check, the file and, for records, the line."""

    def __init__(
        self,
        check: str,
        path: str | None,
        message: str,
        exit_code: int,
        line: int | None = None,
    ) -> None:
        self.check = check
        self.path = path
        self.message = message
        self.exit_code = exit_code
        self.lineno = line
        super().__init__(self.line())

    def __reduce__(self) -> tuple[type[SnapshotError], tuple[str, str | None, str, int, int | None]]:
        """Pickled by its fields (a report crosses from a worker process), not by its one-line message."""
        return type(self), (self.check, self.path, self.message, self.exit_code, self.lineno)

    def where(self) -> str:
        """`file:line`, `file` or `-` when the failure has no file."""
        if self.path is None:
            return "-"
        return f"{self.path}:{self.lineno}" if self.lineno is not None else self.path

    def line(self) -> str:
        return f"{self.check}: {self.where()}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The error as it appears in the `--json` report."""
        return {"check": self.check, "path": self.path, "line": self.lineno, "message": self.message}


class UsageError(SnapsiteError):
    """Bad options or inputs that are not a snapshot (a key file, a trust root)."""

    exit_code = ExitCode.USAGE

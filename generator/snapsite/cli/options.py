"""What the commands share: their one output edge (every line made terminal-safe) and the options several take.

Every command prints through `say`, `say_json` and `fail` so that no snapshot text reaches a terminal raw, and
takes the same trust and limit options, spelled once here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from snapsite.errors import UsageError
from snapsite.textsafe import terminal_safe, terminal_safe_json

if TYPE_CHECKING:
    pass

EXIT_CODES_HELP = """\b
Exit codes (as `stella offline import`):
  0   verified            1   snapshot not found
  2   a file's digest     3   bad options, key or trust root
  5   signatures          11  unsafe container or invalid records
  130 interrupted"""


def say(line: str) -> None:
    """Print one line on stdout, with untrusted control and bidi characters escaped (see textsafe)."""
    click.echo(terminal_safe(line))


def say_json(document: object) -> None:
    """Print a JSON report on stdout: still valid JSON, with C1 and bidi characters escaped as well."""
    click.echo(terminal_safe_json(json.dumps(document, indent=2, ensure_ascii=False)))


def fail(message: str) -> None:
    """Print one line on stderr, prefixed `snapsite:` and made terminal-safe."""
    click.echo(f"snapsite: {terminal_safe(message)}", err=True)


def timestamp(value: str | None) -> str | None:
    """Check an RFC 3339 option value and keep its text."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"not an RFC 3339 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise UsageError(f"timestamp needs a time zone (Z or +hh:mm): {value!r}")
    return value


MAX_MEMBERS_OPTION = click.option(
    "--max-members",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse a snapshot with more members than this (nested evidence bundles count too).",
)
MAX_BYTES_OPTION = click.option(
    "--max-bytes",
    default=64 * 2**30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse a snapshot that unpacks to more bytes than this (headers and nested bundles count too).",
)


TRUST_ROOTS_OPTION = click.option(
    "--trust-root",
    "trust_roots",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="PEM public key, or a folder of *.pem keys, to trust. Repeatable.",
)
THRESHOLD_OPTION = click.option(
    "--threshold",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Distinct trusted keys that must have signed the manifest.",
)


def trust_options(command: Callable[..., None]) -> Callable[..., None]:
    """What to trust, for every command that verifies a snapshot against a trust root: verify, export, diff."""
    return TRUST_ROOTS_OPTION(THRESHOLD_OPTION(command))


def limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """The snapshot caps every command that opens a snapshot takes: verify, build, serve, export, diff."""
    return MAX_MEMBERS_OPTION(MAX_BYTES_OPTION(command))

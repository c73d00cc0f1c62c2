"""Small formatting helpers shared by views (times, durations, sizes)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import lru_cache

from snapsite.humane import span
from snapsite.site.names import portable_problem, slug

_CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


@lru_cache(maxsize=4096)
def _utc_texts(value: datetime) -> tuple[str, str]:
    """The ISO and human forms of one instant: a run's pages format the same few instants many times."""
    utc = value.astimezone(UTC)
    # %-formatting: faster than strftime and f-strings. The year has four digits, as RFC 3339 requires: strftime's
    # unpadded "1-01-02" (year 1 is valid in a snapshot) failed datetime.fromisoformat and crashed the build.
    day = "%04d-%02d-%02d" % (utc.year, utc.month, utc.day)  # noqa: UP031
    clock = "%02d:%02d:%02d" % (utc.hour, utc.minute, utc.second)  # noqa: UP031
    return f"{day}T{clock}Z", f"{day} {clock} UTC"


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, seconds precision (the form the site and its data files use)."""
    return None if value is None else _utc_texts(value)[0]


def human_time(value: datetime | None) -> str:
    """`2026-11-20 12:00:05 UTC`, or an em dash."""
    return "\u2014" if value is None else _utc_texts(value)[1]


def duration(seconds: float | None) -> str:
    """`1h 02m`, `3m 07s`, `12s`, or an em dash."""
    if seconds is None or seconds < 0:
        return "\u2014"
    return span(int(seconds))


def count_text(value: float) -> str:
    """A count as every page writes it (issue 14: one number format): `20,000`; a fraction keeps two decimals."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def size(count: int) -> str:
    """`532 B`, `1.5 KiB`, `3.2 MiB`."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


@lru_cache(maxsize=1024)
def runbook_name(code: str) -> str:
    """The file stem of an error code's runbook page: the code itself when portable, else a slug."""
    return code if _CODE.match(code) and portable_problem(code + ".html") is None else slug(code)

"""Lengths of time as an operator reads them (`1d 02h`, `3h 05m`, `4m 10s`, `12s`): one spelling for every page and
every terminal line, so a run's duration on its page and an interval in `snapsite diff` read alike."""

from __future__ import annotations


def span(seconds: int) -> str:
    """`1d 02h`, `3h 05m`, `4m 10s`, `12s` for a length of time (its sign aside)."""
    whole = abs(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"

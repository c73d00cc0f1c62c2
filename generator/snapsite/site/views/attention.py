"""The index's attention strip: what needs an operator now, each item a link to the view that shows it.

The issue behind it (14): alerts lived only on `observability.html`, runs with bad evidence were not flagged, and
a stale snapshot's red badge gave no next step. The strip gathers those on the first screen; it computes nothing
new: it restates the observability alerts, the evidence statuses and the heartbeat warning of the same build.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from snapsite.site.views.observability import Alert
from snapsite.site.views.rows import RunRow

EVIDENCE_ALERTS = ("invalid", "untrusted")  # the statuses that flag a run, worst first


@dataclass(frozen=True)
class AttentionItem:
    """One item of the strip: its kind (a stable hook for tests and themes), level, short text and where it leads."""

    kind: str  # repeated-error | queue-depth | evidence | heartbeat | stale
    level: str  # warning | critical
    text: str  # short, as the strip is one line; the link's text when there is a link
    href: str | None  # relative to the site root
    detail: str | None = None  # a sentence shown with the command
    command: str | None = None  # a command line to run (the stale snapshot's next step)
    hidden: bool = False  # shown by the page's script when its condition holds by the reader's clock


def worst_evidence(statuses: Sequence[str]) -> str | None:
    """The status that flags a run in the list: `invalid` before `untrusted`; None when neither occurs."""
    return next((status for status in EVIDENCE_ALERTS if status in statuses), None)


def refresh_command(tenants: Sequence[str], scopes: Sequence[str]) -> str:
    """How to make a newer site: build a newer snapshot with this build's shaping options.

    Paths are placeholders: the build's own paths would make the output depend on where it was built.
    """
    parts = ["snapsite", "build", "NEWER-SNAPSHOT.tar.zst", "--trust-root", "KEY.pub"]
    for tenant in tenants:
        parts += ["--tenant", tenant]
    parts += ["--scopes", ",".join(scopes), "-o", "SITE-FOLDER"]
    return " ".join(shlex.quote(p) for p in parts)


def attention_items(
    alerts: Sequence[Alert],
    rows: Sequence[RunRow],
    *,
    heartbeat: str | None,
    stale: bool,
    refresh: str,
) -> tuple[AttentionItem, ...]:
    """The strip's items, most urgent first. `stale` says whether the snapshot is already stale at build time; the
    stale item is always written (hidden when not yet stale) because the page's clock decides later."""
    items: list[AttentionItem] = []
    for alert in alerts:
        if alert.kind == "repeated-error" and alert.code:
            failures = f"index.html#tab=failures&error={quote(alert.code, safe='')}"
            text = f"{alert.code}: {alert.count} failures in 24 h"
            items.append(AttentionItem("repeated-error", alert.level, text, failures))
        elif alert.kind == "queue-depth":
            text = f"Queue depth {alert.count} above the threshold"
            items.append(AttentionItem("queue-depth", alert.level, text, "schedules.html#queue"))
    flagged = [r for r in rows if r.evidence_alert]
    if flagged:
        invalid = sum(1 for r in flagged if r.evidence_alert == "invalid")
        runs = "run" if len(flagged) == 1 else "runs"
        text = f"{len(flagged)} {runs} with invalid or untrusted evidence"
        level = "critical" if invalid else "warning"
        items.append(AttentionItem("evidence", level, text, "index.html#tab=all&evidence=problem"))
    if heartbeat:
        items.append(AttentionItem("heartbeat", "warning", "Planner heartbeat late", "observability.html#alerts"))
    items.append(
        AttentionItem(
            "stale",
            "warning",
            "Snapshot stale: get a newer one",
            None,
            detail="Take a newer snapshot from the Offline Kit on the connected side, then rebuild this site:",
            command=refresh,
            hidden=not stale,
        )
    )
    items.sort(key=lambda item: item.level != "critical")  # stable: critical first, each kind in its order
    return tuple(items)

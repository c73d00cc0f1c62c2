"""`snapsite diff`'s two outputs: one JSON document for CI, and a summary that fits one terminal screen.

Every string from a snapshot goes through `textsafe.terminal_safe` before it reaches the terminal (the JSON output is
escaped by the JSON encoder itself). Lists are in the order `compare` made them, so the same pair gives the same
bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from snapsite.changes.compare import Changes, Side, Totals
from snapsite.changes.facts import DELTA_FIELDS, RunFact
from snapsite.humane import span
from snapsite.textsafe import terminal_safe as t

SCREEN_LINES = 24  # a typical terminal; the summary never prints more unless asked for everything


def interval_text(seconds: int) -> str:
    """How NEW's createdAt stands to OLD's, said plainly (an OLD newer than NEW is allowed, and said)."""
    if seconds > 0:
        return f"NEW is {span(seconds)} later than OLD"
    if seconds < 0:
        return f"OLD is newer than NEW (by {span(seconds)}): the changes run backwards in time"
    return "OLD and NEW were taken at the same time"


def _side_json(side: Side) -> dict[str, Any]:
    return {
        "path": side.source,
        "snapshotId": side.snapshot_id,
        "createdAt": side.created_at,
        "environment": side.environment,
        "source": side.origin,
        "runs": side.runs,
    }


def _fact_json(fact: RunFact) -> dict[str, Any]:
    return {
        "state": fact.state,
        "errorCode": fact.error_code,
        "progress": {"completed": fact.completed, "queued": fact.queued, "percent": fact.progress_pct},
        "deltas": {_camel(name): value for name, value in zip(DELTA_FIELDS, fact.deltas, strict=True)},
    }


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _totals_json(totals: Totals) -> dict[str, Any]:
    return {
        "activeRuns": totals.active,
        "failures": totals.failures,
        "queueDepth": totals.queue_depth,
        "newFindings": totals.new_findings,
        "kevAdditions": totals.kev_additions,
    }


def changes_json(changes: Changes, tenants: Sequence[str], forced: bool) -> dict[str, Any]:
    """The `--json` document: counts first, then every list in full."""
    rows = changes.runs
    return {
        "status": "compared",
        "exitCode": 0,
        "old": _side_json(changes.old),
        "new": _side_json(changes.new),
        "intervalSeconds": changes.interval_seconds,
        "oldIsNewer": changes.interval_seconds < 0,
        "tenants": list(tenants) or None,
        "forced": forced,
        "mismatches": list(changes.mismatches),
        "counts": {
            "newRuns": changes.count("new"),
            "stateChanges": changes.count("state"),
            "resolvedFailures": changes.count("resolved"),
            "newFailures": len(changes.new_failures),
            "progressed": len(changes.progressed),
            "kevAdditions": changes.kev_added,
            "kevRuns": len(changes.kev),
            "scheduleChanges": len(changes.schedules),
            "vanishedRuns": changes.vanished,
        },
        "totals": {"old": _totals_json(changes.totals_before), "new": _totals_json(changes.totals_after)},
        "newRuns": [{"id": c.id, "tenantId": c.tenant_id, "state": c.now.state} for c in rows if c.kind == "new"],
        "stateChanges": [
            {"id": c.id, "tenantId": c.tenant_id, "from": c.state_before, "to": c.now.state}
            for c in rows
            if c.kind == "state"
        ],
        "stateTransitions": [{"from": a, "to": b, "count": n} for (a, b), n in changes.transitions().items()],
        "newFailures": {
            "byCode": changes.failures_by_code(),
            "runs": [
                {"id": c.id, "tenantId": c.tenant_id, "errorCode": c.now.error_code, "stateBefore": c.state_before}
                for c in changes.new_failures
            ],
        },
        "resolvedFailures": [
            {"id": c.id, "tenantId": c.tenant_id, "errorCode": c.now.error_code, "resolvedBy": c.resolved_by}
            for c in rows
            if c.kind == "resolved"
        ],
        "kevAdditions": [
            {"id": k.id, "tenantId": k.tenant_id, "before": k.before, "after": k.after, "added": k.after - k.before}
            for k in changes.kev
        ],
        "scheduleChanges": [
            {"id": s.id, "tenantId": s.tenant_id, "name": s.name, "change": s.change, "from": s.before, "to": s.after}
            for s in changes.schedules
        ],
        "progressed": [
            {"id": c.id, "tenantId": c.tenant_id, "before": _fact_json(c.before), "after": _fact_json(c.now)}
            for c in changes.progressed
            if c.before is not None
        ],
    }


@dataclass
class _Section:
    title: str
    items: list[str]


def summary_lines(changes: Changes, everything: bool = False, screen: int = SCREEN_LINES) -> list[str]:
    """The human summary: counts, then the lists, cut to fit `screen` lines unless `everything`."""
    old, new, rows = changes.old, changes.new, changes.runs
    lines = [
        f"OLD       {t(old.snapshot_id)}, {old.created_at}: verified, {old.runs} runs",
        f"NEW       {t(new.snapshot_id)}, {new.created_at}: verified, {new.runs} runs",
        f"interval  {interval_text(changes.interval_seconds)}",
    ]
    lines += [f"WARNING   {t(m)} (compared with --force)" for m in changes.mismatches]
    if changes.unchanged:
        lines.append("changes   none: every run and schedule is as in OLD")
        return lines
    lines.append(
        f"runs      {changes.count('new')} new, {changes.count('state')} changed state, "
        f"{changes.count('resolved')} failures resolved, {len(changes.progressed)} progressed; "
        f"{changes.vanished} of OLD not in NEW"
    )
    transitions = list(changes.transitions().items())
    if transitions:
        shown = ", ".join(f"{a} -> {b} {n}" for (a, b), n in transitions[:4])
        lines.append(f"states    {shown}" + (f" (+{len(transitions) - 4} more)" if len(transitions) > 4 else ""))
    codes = list(changes.failures_by_code().items())
    failures = ", ".join(f"{t(code)} {n}" for code, n in codes[:4]) + (
        f" (+{len(codes) - 4} more)" if len(codes) > 4 else ""
    )
    lines.append(f"failures  {len(changes.new_failures)} new" + (f": {failures}" if codes else ""))
    lines.append(f"KEV       +{changes.kev_added} additions in {len(changes.kev)} runs")
    kinds: dict[str, int] = {}
    for s in changes.schedules:
        kinds[s.change] = kinds.get(s.change, 0) + 1
    lines.append("schedules " + (", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "no changes"))
    sections = [
        _Section("new failures", [f"{t(c.id)}  {t(c.now.error_code or '(no code)')}" for c in changes.new_failures]),
        _Section(
            "resolved failures",
            [f"{t(c.id)}  resolved by {t(c.resolved_by or '')}" for c in rows if c.kind == "resolved"],
        ),
        _Section(
            "schedule changes",
            [f"{t(s.id)}  {t(s.name)}: {s.change}" for s in changes.schedules],
        ),
        _Section("state changes", [f"{t(c.id)}  {c.state_before} -> {c.now.state}" for c in rows if c.kind == "state"]),
        _Section("KEV additions", [f"{t(k.id)}  +{k.after - k.before}" for k in changes.kev]),
        _Section("new runs", [f"{t(c.id)}  {c.now.state}" for c in rows if c.kind == "new"]),
    ]
    return lines + _lists([s for s in sections if s.items], screen - len(lines) - 1, everything)


def _lists(sections: list[_Section], budget: int, everything: bool) -> list[str]:
    """Each section's heading and its first items, the budget dealt out one item per section in turn (so the
    first sections, the most urgent, get any extra); a last line says how to see everything."""
    kept = sections if everything else sections[: max(0, budget)]
    take = [len(s.items) if everything else 0 for s in kept]
    left = budget - len(kept)
    while not everything and left > 0 and any(n < len(s.items) for n, s in zip(take, kept, strict=True)):
        for index, section in enumerate(kept):
            if left > 0 and take[index] < len(section.items):
                take[index] += 1
                left -= 1
    lines: list[str] = []
    cut = len(kept) < len(sections)
    for section, count in zip(kept, take, strict=True):
        total = len(section.items)
        heading = f"{section.title} ({total})" if count == total else f"{section.title} (first {count} of {total})"
        lines.append(heading + ":")
        lines += [f"  {item}" for item in section.items[:count]]
        cut = cut or count < total
    if cut:
        lines.append("more: add --all for every list, or --json for every field")
    return lines

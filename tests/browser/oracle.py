"""The site contract's view semantics in Python: which runs (or schedules) a URL hash shows, computed from a
snapshot's own records, so the browser's counts and orders are checked against an independent reading."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from snapsite.site.views.rows import RunRow, Scopes, run_row
from snapsite.snapshot.records import ImpactEntry, Manifest, Run, Schedule

TAB_STATES = {
    "active": {"planning", "queued", "running"},
    "completed": {"completed", "cancelled"},
    "failures": {"error"},
}
TABS = ("active", "completed", "scheduled", "failures", "all")
FILTERS = (
    "trigger",
    "state",
    "schedule",
    "severity",
    "policy",
    "from",
    "to",
    "shard",
    "error",
    "resolved",
    "evidence",
    "q",
)
SINGLE = (*FILTERS, "sort", "split")


@dataclass(frozen=True)
class Query:
    """A parsed URL hash: `tenant` repeatable, every other key's first value."""

    tab: str
    tenants: tuple[str, ...]
    values: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> Query:
        tenants: list[str] = []
        values: dict[str, str] = {}
        tab = ""
        for key, value in parse_qsl(text.lstrip("#"), keep_blank_values=True):
            if key == "tenant":
                if value and value not in tenants:
                    tenants.append(value)
            elif key == "tab":
                tab = tab or value or "active"
            elif key in SINGLE and key not in values:
                values[key] = value.strip() if key == "q" else value
        return cls(tab if tab in TABS else "active", tuple(tenants), values)

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def _bound(text: str) -> datetime | None:
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    return datetime.fromisoformat(text).astimezone(UTC)


class Oracle:
    """Everything a snapshot's records say about its runs table."""

    def __init__(self, snapshot: Path, trust_root: Path | None = None) -> None:
        self.manifest = Manifest.model_validate_json((snapshot / "manifest.json").read_bytes())
        schedules = [Schedule.model_validate_json(line) for line in _lines(snapshot / "schedules.ndjson")]
        # The Schedules page's order (by tenant, then name), which the data files keep.
        self.schedules = sorted(schedules, key=lambda s: (s.tenant_id, s.name.casefold(), s.name, s.id))
        names = {s.id: s.name for s in schedules}
        self.schedule_names = names
        runs = [Run.model_validate_json(line) for line in _lines(snapshot / "runs.ndjson")]
        self.runs = sorted(runs, key=lambda r: (r.created_at, r.id), reverse=True)
        now = self.manifest.created_at
        self.rows: dict[str, RunRow] = {r.id: run_row(r, names, now, Scopes(manage=True)) for r in self.runs}
        impact = snapshot / "impact.ndjson"
        self.impact = [ImpactEntry.model_validate_json(line) for line in _lines(impact)] if impact.exists() else []
        self.resolved_by = _resolved_by(runs)
        # Each run's worst evidence signature status, from `snapsite verify --json` (with the trust root).
        self.evidence_alerts = _evidence_alerts(snapshot, trust_root) if trust_root else None
        self._cache: dict[str, list[Run]] = {}

    def _keep(self, query: Query) -> Callable[[Run], bool]:
        tenants = set(query.tenants)
        severity = query.get("severity")
        shard = query.get("shard")
        start = _bound(query.get("from")) if query.get("from") else None
        end = _bound(query.get("to")) if query.get("to") else None
        q = query.get("q").lower()
        resolved = query.get("resolved")
        evidence = query.get("evidence")
        alerts = self.evidence_alerts
        assert not evidence or alerts is not None, "the evidence key needs the oracle's trust root"

        def keep(run: Run) -> bool:
            if tenants and run.tenant_id not in tenants:
                return False
            if resolved and (resolved not in ("yes", "no") or (resolved == "yes") != (run.id in self.resolved_by)):
                return False
            if evidence and alerts is not None:
                alert = alerts.get(run.id)
                if alert is None or evidence not in ("problem", alert):
                    return False
            checks = (
                ("trigger", run.trigger),
                ("state", run.state),
                ("schedule", run.schedule_id),
                ("policy", run.policy_revision),
                ("error", run.error.code if run.error else None),
            )
            if any(query.get(key) and query.get(key) != value for key, value in checks):
                return False
            if severity and not (
                (severity == "critical" and run.deltas.new_criticals > 0)
                or (severity == "high" and run.deltas.new_high > 0)
            ):
                return False
            if shard and (not shard.isdigit() or run.shard_count != int(shard)):
                return False
            if start is not None and run.created_at < start:
                return False
            if end is not None and run.created_at >= end:
                return False
            if q:
                texts = [run.id, run.correlation_id, run.initiator]
                texts.append(self.schedule_names.get(run.schedule_id or "") or "")
                texts.append(run.error.message if run.error else "")
                if not any(q in text.lower() for text in texts):
                    return False
            return True

        return keep

    def _kept(self, text: str) -> list[Run]:
        """The runs passing every filter of a hash but its tab (newest first), remembered per hash."""
        if text not in self._cache:
            keep = self._keep(Query.parse(text))
            self._cache[text] = [r for r in self.runs if keep(r)]
        return self._cache[text]

    def runs_of(self, text: str) -> list[Run]:
        """The runs a hash shows, in its sort order (the Scheduled tab shows none)."""
        query = Query.parse(text)
        if query.tab == "scheduled":
            return []
        states = TAB_STATES.get(query.tab)
        shown = [r for r in self._kept(text) if states is None or r.state in states]
        ordered = self.sort(shown, query.get("sort") or "-createdAt")
        if query.tab == "failures":  # open failures first, each part in the sort's order
            ordered.sort(key=lambda r: r.id in self.resolved_by)
        return ordered

    def schedules_of(self, text: str) -> list[Schedule]:
        query = Query.parse(text)
        q = query.get("q").lower()
        return [
            s
            for s in self.schedules
            if (not query.tenants or s.tenant_id in query.tenants)
            and (not query.get("schedule") or s.id == query.get("schedule"))
            and (not q or q in s.name.lower() or q in s.id.lower())
        ]

    def count(self, text: str) -> int:
        """`[data-testid=result-count]` for a hash."""
        if Query.parse(text).tab == "scheduled":
            return len(self.schedules_of(text))
        return len(self.runs_of(text))

    def tab_counts(self, text: str) -> dict[str, int]:
        """The count each tab shows under the hash's filters."""
        kept = self._kept(text)
        counts = {tab: sum(1 for r in kept if r.state in states) for tab, states in TAB_STATES.items()}
        counts["all"] = len(kept)
        counts["scheduled"] = len(self.schedules_of(text))
        return counts

    def sort(self, runs: list[Run], sort: str) -> list[Run]:
        """Stable sort of newest-first `runs` by a row field; nulls last either way."""
        desc = sort.startswith("-")
        field = sort.lstrip("-")
        attribute = "".join("_" + c.lower() if c.isupper() else c for c in field)
        if not hasattr(RunRow, "__dataclass_fields__") or attribute not in RunRow.__dataclass_fields__:
            return runs
        if field == "createdAt" and desc:
            return runs

        def value(run: Run) -> object:
            return getattr(self.rows[run.id], attribute)

        present = [r for r in runs if value(r) is not None]
        missing = [r for r in runs if value(r) is None]
        return sorted(present, key=value, reverse=desc) + missing  # type: ignore[arg-type]

    def impacted(self, tenant: str, keys: list[str]) -> list[str]:
        """Image digests of `tenant` that a preview of `keys` (purls, versionless purls, vulnerability ids) hits."""

        def plain(purl: str) -> str:
            return purl.split("?")[0].split("#")[0]

        def base(purl: str) -> str:
            head, _, tail = plain(purl).rpartition("/")
            return head + "/" + tail.rpartition("@")[0] if "@" in tail else plain(purl)

        purls = {k for k in keys if k.lower().startswith("pkg:")}
        exact = {k for k in purls if "@" in plain(k).rpartition("/")[2]}
        bases = purls - exact
        vulns = {k.upper() for k in keys if not k.lower().startswith("pkg:")}

        return [
            e.image_digest
            for e in self.impact
            if e.tenant_id == tenant
            and (
                any(p in exact or base(p) in bases for p in e.purls)
                or any(v.upper() in vulns for v in e.vulnerability_ids)
            )
        ]


def _resolved_by(runs: list[Run]) -> dict[str, str]:
    """The contract's resolved failures, read forward: from each failure through its failed retries to the
    earliest completed retry (the generator walks backward from completed runs; the two must agree)."""
    children: dict[str, list[Run]] = {}
    for run in runs:
        if run.retry_of:
            children.setdefault(run.retry_of, []).append(run)
    found: dict[str, str] = {}
    for failure in (r for r in runs if r.state == "error"):
        fixers: list[Run] = []
        seen = {failure.id}
        todo = list(children.get(failure.id, []))
        while todo:
            retry = todo.pop()
            if retry.id in seen:
                continue
            seen.add(retry.id)
            if retry.state == "completed":
                fixers.append(retry)
            elif retry.state == "error":
                todo += children.get(retry.id, [])
        if fixers:
            found[failure.id] = min(fixers, key=lambda r: (r.created_at, r.id)).id
    return found


def _evidence_alerts(snapshot: Path, trust_root: Path) -> dict[str, str]:
    """Run id -> `invalid` or `untrusted` (the worse of its evidence items' statuses), as `snapsite verify` reports."""
    command = [sys.executable, "-m", "snapsite", "verify", str(snapshot), "--trust-root", str(trust_root), "--json"]
    report = json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
    found: dict[str, set[str]] = {}
    for item in report["evidence"]:
        found.setdefault(item["runId"], set()).add(item["status"])
    return {
        run_id: "invalid" if "invalid" in statuses else "untrusted"
        for run_id, statuses in found.items()
        if statuses & {"invalid", "untrusted"}
    }


def _lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def visible(text: str) -> str:
    """Text as the site shows it: bidi controls as `<U+202E>` (snapsite/site/render.py's visible_controls)."""
    return "".join(f"<U+{ord(c):04X}>" if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 else c for c in text)


def run_ids(runs: list[Run]) -> list[str]:
    return [visible(r.id) for r in runs]


def sample_views(oracle: Oracle) -> list[str]:
    """Hashes exercising every key of the contract, with values taken from the snapshot's own records."""
    runs = oracle.runs
    policy = Counter(r.policy_revision for r in runs if r.policy_revision).most_common(1)[0][0]
    error = Counter(r.error.code for r in runs if r.error).most_common(1)[0][0]
    message = next(r.error.message for r in runs if r.error and len(r.error.message) > 12)
    schedule = Counter(r.schedule_id for r in runs if r.schedule_id).most_common(1)[0][0]
    shard = Counter(r.shard_count for r in runs).most_common(1)[0][0]
    trigger = Counter(r.trigger for r in runs).most_common(2)[1][0]
    tenants = sorted({r.tenant_id for r in runs})
    middle = runs[len(runs) // 2].created_at
    day = middle.date().isoformat()
    correlation = runs[7].correlation_id[4:13].upper()
    queries: list[dict[str, str | list[str]]] = [
        {"tab": "all"},
        {"tab": "active"},
        {"tab": "completed"},
        {"tab": "failures"},
        {"tab": "scheduled"},
        {},
        {"tab": "bogus"},
        {"tab": "all", "tenant": tenants[0]},
        {"tab": "all", "tenant": [tenants[0], tenants[-1]]},
        {"tab": "scheduled", "tenant": tenants[1]},
        {"tab": "all", "tenant": "nobody"},
        {"tab": "all", "trigger": trigger},
        {"tab": "all", "state": "cancelled"},
        {"tab": "completed", "state": "error"},
        {"tab": "all", "schedule": schedule},
        {"tab": "scheduled", "schedule": schedule},
        {"tab": "all", "severity": "critical"},
        {"tab": "completed", "severity": "high"},
        {"tab": "all", "policy": policy},
        {"tab": "all", "from": day},
        {"tab": "all", "to": day},
        {"tab": "all", "from": "2026-11-17", "to": day},
        {"tab": "all", "from": middle.isoformat().replace("+00:00", "Z")},
        {"tab": "all", "to": middle.replace(hour=14).isoformat()},
        {"tab": "all", "shard": str(shard)},
        {"tab": "all", "shard": "x"},
        {"tab": "failures", "error": error},
        {"tab": "failures", "resolved": "no"},
        {"tab": "failures", "resolved": "yes"},
        {"tab": "all", "resolved": "no"},
        {"tab": "all", "resolved": "bogus"},
        {"tab": "all", "evidence": "problem"},
        {"tab": "all", "evidence": "invalid"},
        {"tab": "completed", "evidence": "untrusted"},
        {"tab": "all", "evidence": "bogus"},
        {"tab": "failures", "sort": "id"},
        {"tab": "all", "q": runs[3].id[-6:]},
        {"tab": "all", "q": correlation},
        {"tab": "all", "q": "CHANDRA"},
        {"tab": "all", "q": "nightly"},
        {"tab": "all", "q": message[3:12]},
        {"tab": "all", "q": "<script>"},
        {"tab": "scheduled", "q": "monthly"},
        {"tab": "failures", "tenant": tenants[0], "trigger": "cron", "state": "error", "q": "a", "sort": "-createdAt"},
        {"tab": "all", "tenant": tenants[:2], "severity": "high", "shard": str(shard), "from": "2026-11-15"},
    ]
    return [urlencode(q, doseq=True) for q in queries]

"""What verifies, builds (issue 12): property tests of `verify` and `build` on generated signed snapshots.

(a) Valid snapshots full of hostile but valid values (every Unicode plane, bidi and zero-width characters,
    combining marks, deep nesting, integers at +-(2^53-1), 10 kB unbroken words, every enum value, empty
    optional arrays, duplicate titles, ids that slug alike) are signed with a real key and built in process:
    `build` succeeds and the site passes the contract checks (every page parses and carries the CSP, scripts
    only by src, no unescaped snapshot markup in HTML or JS, SHA256SUMS covers every file with its digest).
(b) Valid snapshots mutated (a byte flipped, a field replaced by a hostile value or removed, a line replaced)
    and signed again: `verify` and `build` give the same exit code and only ever raise SnapsiteError.

Both are derandomized (the same examples on every run) and small enough for CI on two cores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import KeyPair
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from snapsite.authoring.sign import sign_snapshot
from snapsite.errors import SnapsiteError
from snapsite.site.build import build_site
from snapsite.site.config import FEATURES, KNOWN_SCOPES, BuildOptions
from snapsite.snapshot.fields import MAX_SAFE_INTEGER
from snapsite.trust.roots import load_trust_root
from snapsite.verify.steps import verify_snapshot

# The settings the issue's closing note reports: fixed examples (derandomize), no deadline (builds fork).
# SNAPSITE_PROPERTY_SCALE=10 runs ten times as many examples, for a deeper search outside CI.
SCALE = int(os.environ.get("SNAPSITE_PROPERTY_SCALE", "1"))
VALID = settings(
    max_examples=12 * SCALE,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
MUTATED = settings(
    max_examples=30 * SCALE,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CSP = "default-src 'none'; script-src 'self'"
MARK = "<script>snapsite-x1</script>"  # in many values; must never reach HTML or JS unescaped
TS = "2026-11-20T02:00:00Z"
METADATA = {
    "snapshotId": "snap:prop:2026-11-20T12:00:00Z",
    "createdAt": "2026-11-20T12:00:00Z",
    "environment": "test",
    "source": "property tests",
}

# --- hostile but valid values ---------------------------------------------------------------------------------

HOSTILE = [
    MARK,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "=cmd|' /C calc'!A0",
    "\u202egnp.exe\u2066",
    "\u200b\u200c\u200d\u2060\ufeff",
    "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308",
    "\u2028\u2029</script><!--",
    "\U00010000\U0001f600\U0002a6d6\U000e0001\U0010fffd",
    "\x00\x01\x1b[31mred\x7f",
    "w" * 10_000,
    "",
    " ",
    "\\u0000 %s {{ x }} {% raw %} ${x}",
]
# Text from every plane, surrogates excluded (a lone surrogate is invalid, section 2).
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.builds(lambda a, b: a + MARK + b, st.text(st.characters(codec="utf-8"), max_size=8), st.sampled_from(HOSTILE)),
)
ident_text = text.filter(lambda s: s != "" and not any(ord(c) < 32 or ord(c) == 127 for c in s))
counts = st.sampled_from([0, 1, 7, MAX_SAFE_INTEGER])
numbers = st.sampled_from([0, 1, -1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324, 0.5])
timestamps = st.sampled_from(
    [TS, "2026-11-20T02:00:00.123456789+14:00", "0001-01-02T00:00:00Z", "9999-12-30T00:00:00Z", "2016-12-31T23:59:60Z"]
)
TRIGGERS = ["cron", "manual", "feedser", "vexer", "policy", "content-refresh", "concelier", "excititor"]
STATES = ["planning", "queued", "running", "completed", "cancelled", "error"]
BADGES = ["kev-first", "content-refresh", "policy-promotion-follow-up", "retry"]
CODES = ["ERR_RUN_005", "ERR_RUN_001", "ABC", "Z" + "9" * 63, "ERR__"]


def nested(depth: int, leaf: Any) -> Any:
    """A value `depth` containers deep, alternating objects and arrays."""
    value = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """The records of a valid snapshot with hostile values, as {file name: list of records}."""
    tenant_ids = ["acme", "a" + "-" * 61 + "z", "0"]
    tenants = [{"id": t, "name": draw(text)} for t in tenant_ids]
    runs = []
    count = draw(st.integers(3, 8))
    for index in range(count):
        tenant = tenant_ids[index % len(tenant_ids)]
        # Ids differing only by case or punctuation slug alike; the site must still keep them apart.
        suffix = draw(st.sampled_from(["a", "A", "a.", "a:", "\u00e4", "w" * 300, draw(ident_text)]))
        state = STATES[index % len(STATES)] if index < len(STATES) else draw(st.sampled_from(STATES))
        runs.append(
            {
                "id": f"run:{tenant}:20261120T020000Z:{suffix}{index}",
                "tenantId": tenant,
                "scheduleId": "sch-1" if tenant == "acme" and draw(st.booleans()) else None,
                "trigger": TRIGGERS[index % len(TRIGGERS)],
                "mode": draw(st.sampled_from(["analysis-only", "content-refresh"])),
                "state": state,
                "initiator": draw(text),
                "policyRevision": draw(st.one_of(st.none(), text)),
                "correlationId": draw(text),
                "createdAt": draw(timestamps),
                "startedAt": draw(st.one_of(st.none(), timestamps)),
                "finishedAt": draw(st.one_of(st.none(), timestamps)),
                "stats": {k: draw(counts) for k in ("candidates", "deduped", "queued", "completed", "deltas")},
                "phases": draw(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "name": st.sampled_from(["planner", "queue", "execution", "post-processing"]),
                                "state": st.sampled_from(["pending", "running", "completed", "error"]),
                                "startedAt": st.one_of(st.none(), timestamps),
                                "finishedAt": st.one_of(st.none(), timestamps),
                            }
                        ),
                        max_size=4,
                    )
                ),
                "deltas": {
                    k: draw(counts)
                    for k in ("newFindings", "newCriticals", "newHigh", "newMedium", "newLow", "resolved", "quieted")
                },
                "error": {"code": draw(st.sampled_from(CODES)), "message": draw(text)} if state == "error" else None,
                "retryOf": draw(st.one_of(st.none(), st.just(f"run:x:{index}"))),
                "shardCount": draw(counts),
                "badges": draw(st.lists(st.sampled_from(BADGES), max_size=4, unique=True)),
            }
        )
    # Ids that differ only by case or by a character the slug drops: their pages must not collide.
    for twin in ("Twin", "twin", "twin.", "twin:"):
        runs.append({**runs[0], "id": f"run:acme:20261120T020000Z:{twin}", "retryOf": None})
    for index, run in enumerate(runs[1:], start=1):
        if draw(st.booleans()):
            run["retryOf"] = runs[index - 1]["id"]
    schedule = {
        "id": "sch-1",
        "tenantId": "acme",
        "name": draw(text),
        "enabled": draw(st.booleans()),
        "cronExpression": draw(
            st.sampled_from(["0 2 * * *", "*/7 0-23/5 1,15 */2 1-5", "0 0 30 2 *", "59 23 31 12 *"])
        ),
        "timezone": draw(st.sampled_from(["Europe/Berlin", "Pacific/Kiritimati", "America/St_Johns", "Etc/GMT+12"])),
        "mode": "analysis-only",
        "selection": {"scope": "by-labels", "labels": draw(st.dictionaries(text, text, max_size=2))},
        "pausedAt": draw(st.one_of(st.none(), timestamps)),
        "lastRunId": runs[0]["id"],
    }
    first = runs[0]["id"]
    segment = {
        "runId": first,
        "id": draw(ident_text),
        "shard": draw(counts),
        "state": draw(st.sampled_from(["queued", "running", "completed", "error", "cancelled"])),
        "targetCount": draw(counts),
        "processed": draw(counts),
        "executor": draw(st.one_of(st.none(), text)),
        "retryCount": draw(counts),
        "startedAt": draw(st.one_of(st.none(), timestamps)),
        "finishedAt": None,
        "cooldownUntil": draw(st.one_of(st.none(), timestamps)),
        "error": {"code": draw(st.sampled_from(CODES)), "message": draw(text)},
    }
    finding = {
        "runId": first,
        "imageDigest": "sha256:" + "a" * 64,
        "repository": draw(text),
        "vulnerabilityId": draw(text),
        "purl": draw(text),
        "severity": draw(st.sampled_from(["critical", "high", "medium", "low", "none", "unknown"])),
        "previousSeverity": draw(st.one_of(st.none(), st.sampled_from(["critical", "unknown"]))),
        "change": draw(st.sampled_from(["new", "resolved", "severity-changed", "quieted"])),
        "kev": draw(st.booleans()),
    }
    log = {
        "runId": first,
        "ts": draw(timestamps),
        "severity": draw(st.sampled_from(["trace", "debug", "info", "warning", "error", "critical"])),
        "message": draw(text),
        "correlationId": draw(text),
        "segmentId": None,
        # 62 levels inside the line's object and its `fields`: the 64 levels section 2 allows.
        "fields": {"deep": nested(draw(st.sampled_from([0, 10, 62])), draw(numbers)), draw(text): draw(text)},
    }
    metric_names = ["scheduler_runs_active", "scheduler_queue_depth", "scheduler_determinism_score", "other"]
    metrics = [
        {
            "ts": draw(timestamps),
            "name": draw(st.sampled_from(metric_names)),
            "labels": {"tenantId": "acme", "stage": "planner", "scheduleId": "sch-1", "code": draw(text)},
            "value": draw(numbers),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    event = {
        "ts": draw(timestamps),
        "type": draw(ident_text),
        "tenantId": "acme",
        "runId": first,
        "data": {"x": draw(text)},
    }
    impact = {
        "tenantId": "acme",
        "imageDigest": "sha256:" + "b" * 64,
        "repository": draw(text),
        "tags": draw(st.lists(text, max_size=2)),
        "purls": [],
        "vulnerabilityIds": draw(st.lists(text, max_size=2)),
    }
    title = draw(text)
    evidence_body = (MARK + draw(text)).encode()
    return {
        "tenants": tenants,
        "runs": runs,
        "schedules": [schedule],
        "segments": [segment],
        "findings": [finding],
        "logs": [log],
        "metrics": metrics,
        "events": [event],
        "impact": [impact],
        # Two items with one (duplicate) title, an active-looking name and media type.
        "evidence_body": evidence_body,
        "evidence": [
            {
                "runId": first,
                "id": f"ev-{n}",
                "kind": kind,
                "title": title,
                "path": "evidence/page.html",
                "mediaType": "text/html",
                "size": len(evidence_body),
                "sha256": hashlib.sha256(evidence_body).hexdigest(),
                "attestation": None,
            }
            for n, kind in enumerate(["other", "policy-run"])
        ],
    }


def write_snapshot(root: Path, data: dict[str, Any], key: Path) -> None:
    """Write the drawn records as a snapshot folder and sign it."""
    root.mkdir(parents=True)
    (root / "tenants.json").write_text(json.dumps(data["tenants"]), encoding="utf-8")
    for name in ("runs", "schedules", "segments", "findings", "logs", "metrics", "events", "impact", "evidence"):
        lines = "".join(json.dumps(record) + "\n" for record in data[name])
        (root / f"{name}.ndjson").write_text(lines, encoding="utf-8")
    (root / "evidence").mkdir()
    (root / "evidence" / "page.html").write_bytes(data["evidence_body"])
    (root / "runbooks").mkdir()
    (root / "runbooks" / "ERR_RUN_005.md").write_text(f"# {MARK}\n\n<script>x</script> [x](javascript:alert(1))\n")
    sign_snapshot(root, [key], METADATA)


@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="snapsite-prop-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def options(snapshot: Path, output: Path, key: KeyPair) -> BuildOptions:
    features = {**FEATURES, "runs.evidenceBundles": True}
    return BuildOptions(
        snapshot=snapshot, trust_roots=(key.public,), output=output, scopes=KNOWN_SCOPES, features=features
    )


def check_site(site: Path) -> None:
    """The contract checks of the issue on a built site."""
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    sums = {}
    for line in files.pop("SHA256SUMS").decode("utf-8").splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    assert sums == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    mark = MARK.encode()
    for name, data in files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{name}: formula cell {cell[:20]!r}"
        if name.startswith("evidence/"):
            # Copied snapshot files, not pages: that they stay inert whatever their name (an .html evidence file
            # keeps its extension today) is issue 11's part of the contract, tested there.
            continue
        if name.endswith((".html", ".js")):
            assert mark not in data, f"{name}: unescaped snapshot markup"
        if not name.endswith(".html"):
            continue
        soup = BeautifulSoup(data.decode("utf-8"), "html.parser")
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None and str(meta.get("content", "")).startswith(CSP), name
        assert soup.find("body") is not None, name
        for script in soup.find_all("script"):
            assert script.get("src") and not script.get_text(strip=True), f"{name}: inline script"


@VALID
@given(data=snapshots())
def test_hostile_but_valid_snapshots_build_and_keep_the_contract(keypair: KeyPair, data: dict[str, Any]) -> None:
    with scratch() as folder:
        write_snapshot(folder / "snap", data, keypair.private)
        report = verify_snapshot(folder / "snap", load_trust_root([keypair.public]))
        assert report.exit_code == 0, [e.line() for e in report.errors]
        result = build_site(options(folder / "snap", folder / "site", keypair))
        assert result.runs == len(data["runs"])
        check_site(folder / "site")


# --- (b) mutations --------------------------------------------------------------------------------------------

FILES = ["runs", "segments", "findings", "logs", "metrics", "events", "evidence", "schedules", "impact"]
BAD_VALUES = [
    None,
    True,
    -1,
    2**53,
    -(2**53),
    10**400,
    1.5,
    "",
    "\ud800",
    "x\udfff",
    "err_run_005",
    "ERR-X",
    [],
    {},
    nested(70, 1),
    "2026-11-20T02:00:00",
    "2016-12-31T23:59:60Z",
    "run:acme:missing",
    MARK,
    "w" * 20_000,
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a JSON value (objects and arrays), the value itself excluded."""
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            found.append((*prefix, key))
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.append((*prefix, index))
            found += _paths(child, (*prefix, index))
    return found


def outcome(snapshot: Path, output: Path, key: KeyPair) -> tuple[int, int]:
    """(verify's exit code, build's exit code); anything but SnapsiteError escapes and fails the test."""
    verified = verify_snapshot(snapshot, load_trust_root([key.public])).exit_code
    try:
        build_site(options(snapshot, output, key))
        built = 0
    except SnapsiteError as exc:
        built = exc.exit_code
    return int(verified), int(built)


def _plain() -> dict[str, Any]:
    """A valid snapshot with ordinary values (every file non-empty): the base of the mutations."""
    run = {
        "id": "run:acme:20261120T020000Z:a1",
        "tenantId": "acme",
        "scheduleId": "sch-1",
        "trigger": "cron",
        "mode": "analysis-only",
        "state": "error",
        "initiator": "user:alice",
        "policyRevision": "P-7@12",
        "correlationId": "c-1",
        "createdAt": TS,
        "startedAt": TS,
        "finishedAt": TS,
        "stats": {"candidates": 3, "deduped": 3, "queued": 3, "completed": 1, "deltas": 1},
        "phases": [{"name": "planner", "state": "completed", "startedAt": TS, "finishedAt": TS}],
        "deltas": {"newFindings": 1, "newCriticals": 1},
        "error": {"code": "ERR_RUN_005", "message": "timeout"},
        "retryOf": None,
        "shardCount": 2,
        "badges": ["retry"],
    }
    retry = {**run, "id": "run:acme:20261120T030000Z:a2", "state": "completed", "error": None, "retryOf": run["id"]}
    body = b"evidence\n"
    return {
        "tenants": [{"id": "acme", "name": "Acme"}],
        "runs": [run, retry],
        "schedules": [
            {
                "id": "sch-1",
                "tenantId": "acme",
                "name": "Nightly",
                "enabled": True,
                "cronExpression": "0 2 * * *",
                "timezone": "Europe/Berlin",
                "mode": "analysis-only",
                "selection": {"scope": "all-images"},
                "pausedAt": None,
                "lastRunId": run["id"],
            }
        ],
        "segments": [
            {
                "runId": run["id"],
                "id": "seg-1",
                "shard": 0,
                "state": "error",
                "targetCount": 3,
                "processed": 1,
                "executor": "exec-a",
                "retryCount": 1,
                "startedAt": TS,
                "finishedAt": TS,
                "cooldownUntil": None,
                "error": {"code": "ERR_RUN_005", "message": "timeout"},
            }
        ],
        "findings": [
            {
                "runId": run["id"],
                "imageDigest": "sha256:" + "a" * 64,
                "repository": "registry/app",
                "vulnerabilityId": "CVE-2026-0001",
                "purl": "pkg:npm/x@1",
                "severity": "critical",
                "previousSeverity": None,
                "change": "new",
                "kev": True,
            }
        ],
        "logs": [
            {
                "runId": run["id"],
                "ts": TS,
                "severity": "error",
                "message": "scanner timeout",
                "correlationId": "c-1",
                "segmentId": "seg-1",
                "fields": {"attempt": 1, "nested": {"a": [1, 2.5, None]}},
            }
        ],
        "metrics": [
            {"ts": TS, "name": "scheduler_runs_active", "labels": {"tenantId": "acme"}, "value": 2},
            {
                "ts": TS,
                "name": "scheduler_queue_depth",
                "labels": {"tenantId": "acme", "scheduleId": "sch-1", "stage": "planner"},
                "value": 5,
            },
        ],
        "events": [{"ts": TS, "type": "scheduler.run.failed", "tenantId": "acme", "runId": run["id"], "data": {}}],
        "impact": [
            {
                "tenantId": "acme",
                "imageDigest": "sha256:" + "b" * 64,
                "repository": "registry/app",
                "tags": ["1"],
                "purls": ["pkg:npm/x@1"],
                "vulnerabilityIds": ["CVE-2026-0001"],
            }
        ],
        "evidence_body": body,
        "evidence": [
            {
                "runId": run["id"],
                "id": "ev-1",
                "kind": "other",
                "title": "Evidence",
                "path": "evidence/page.html",
                "mediaType": "text/plain",
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
                "attestation": None,
            }
        ],
    }


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, int, Any]:
    """(file, line index, mutation) where a mutation is ('set', path, value), ('drop', path), ('flip', offset,
    byte) or ('line', text)."""
    base = _plain()
    name = draw(st.sampled_from(FILES))
    index = draw(st.integers(0, len(base[name]) - 1))
    record = base[name][index]
    kind = draw(st.sampled_from(["set", "set", "set", "drop", "flip", "line"]))
    if kind in ("set", "drop"):
        path = draw(st.sampled_from(_paths(record)))
        return name, index, (kind, path, draw(st.sampled_from(BAD_VALUES)) if kind == "set" else None)
    if kind == "flip":
        return name, index, ("flip", draw(st.integers(0, 10_000)), draw(st.integers(0, 255)))
    return name, index, ("line", draw(st.sampled_from(['{"a": NaN}', '{"a": 1, "a": 2}', "[]", "", "{", '"\\ud800"'])))


def _apply(snapshot: Path, name: str, index: int, mutation: tuple[Any, ...]) -> None:
    path = snapshot / f"{name}.ndjson"
    lines = path.read_bytes().split(b"\n")
    if mutation[0] in ("set", "drop"):
        record = json.loads(lines[index])
        *parents, last = mutation[1]
        target = record
        for part in parents:
            target = target[part]
        if mutation[0] == "set":
            target[last] = mutation[2]
        else:
            del target[last]
        # json.dumps writes a lone surrogate as \ud800 and a huge integer in full: the hostile bytes wanted.
        lines[index] = json.dumps(record).encode()
    elif mutation[0] == "flip":
        line = bytearray(lines[index])
        offset = mutation[1] % len(line)
        line[offset] = mutation[2]
        lines[index] = bytes(line)
    else:
        lines[index] = mutation[1].encode()
    path.write_bytes(b"\n".join(lines))


@MUTATED
@given(mutation=mutations())
def test_verify_and_build_agree_on_mutated_snapshots(keypair: KeyPair, mutation: tuple[str, int, Any]) -> None:
    name, index, change = mutation
    with scratch() as folder:
        write_snapshot(folder / "snap", _plain(), keypair.private)
        _apply(folder / "snap", name, index, change)
        sign_snapshot(folder / "snap", [keypair.private])  # a producer signed the damaged records
        verified, built = outcome(folder / "snap", folder / "site", keypair)
        event(f"exit {verified}")  # --hypothesis-show-statistics: both outcomes occur
        assert verified == built, (verified, built)
        assert verified in (0, 11), verified  # a signed snapshot fails, if at all, at record validation


def test_the_mutation_base_builds(keypair: KeyPair) -> None:
    """The base of the mutations is valid, so a mutation that changes nothing builds (exit 0 both ways)."""
    with scratch() as folder:
        write_snapshot(folder / "snap", _plain(), keypair.private)
        assert outcome(folder / "snap", folder / "site", keypair) == (0, 0)
        check_site(folder / "site")


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("runs", ("set", ("initiator",), "user:\ud800x")),
        ("runs", ("set", ("stats", "completed"), 10**400)),
        ("metrics", ("set", ("value",), 2**60)),
        ("runs", ("set", ("error", "code"), "err_run_005")),
    ],
)
def test_the_issue_s_three_crashes_are_validation_errors_in_both(
    keypair: KeyPair, name: str, change: tuple[Any, ...]
) -> None:
    """The snapshots that verified and then crashed build (issue 12) now fail both with exit 11."""
    with scratch() as folder:
        write_snapshot(folder / "snap", _plain(), keypair.private)
        _apply(folder / "snap", name, 0, change)
        sign_snapshot(folder / "snap", [keypair.private])
        assert outcome(folder / "snap", folder / "site", keypair) == (11, 11)

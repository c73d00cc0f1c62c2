"""A realistic synthetic runs snapshot (`snapsite demo`): deterministic for a seed, streamed, signed.

Everything comes from one `random.Random(seed)` consumed in a fixed order, so the same arguments give the same
bytes. Runs are generated in createdAt order and written as they are made; only what later records point at is
kept (recent failed runs per tenant for `retryOf`, each schedule's last run, per-bucket metric counters), so
memory does not grow with the number of runs.
"""

from __future__ import annotations

import base64
import bisect
import csv
import hashlib
import io
import json
import random
import shutil
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring as _quote
from pathlib import Path
from typing import Any, Generic, NamedTuple, TextIO, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from generator.dsse import b64decode_strict, dump_envelope
from generator.errors import UsageError
from generator.keys import PrivateKey, load_private_key
from generator.sign import sign_attestation, sign_snapshot
from generator.tarball import deterministic_targz

BUNDLE_MEDIA_TYPE = "application/vnd.stellaops.evidence-bundle.v1+tar+gzip"
EVIDENCE_PREDICATE_TYPE = "https://stella-ops.org/attestations/evidence/1"
# Run ids end in 6 hex digits made from the run's index by a bijection on 24 bits: unique without a set.
MAX_RUNS = 1 << 24
_NONCE_MULTIPLIER = 0x9E3779  # odd, so index -> index * m mod 2**24 is a bijection
_HOUR = 3600
_DAY = 24 * _HOUR
_RECENT_SECONDS = 3 * _HOUR
_SAMPLE_SECONDS = 15 * 60
_SAMPLES = 96
_LARGE_FILE_BYTES = 64 << 20
_BLOCK_BYTES = 1 << 20

# Free text that a renderer must escape or neutralise; never placed in ids, digests or paths.
HOSTILE_STRINGS = (
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "javascript:alert(1)",
    "</script><script>alert(2)</script>",
    "line\u2028separator\u2029paragraph",
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@SUM(A1)",
    "\t=1+2",
    "\r=3+4",
    "\u202etxt.exe",
    "\U0001f469\u200d\U0001f4bb on call",
    "\U0001f680 shipped",
)
# Spreadsheet formulas only bite at the start of a cell: these go first, the others last.
_CELL_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

NAMED_TENANTS = (
    ("acme", "Acme Corp"),
    ("globex", "Globex Corporation"),
    ("initech", "Initech"),
    ("umbrella", "Umbrella Corporation"),
    ("hooli", "Hooli"),
    ("soylent", "Soylent Corp"),
)

# (name, slug, cron, time zone, mode, selection scope)
_SCHEDULE_TEMPLATES = (
    ("Nightly full scan", "nightly", "0 2 * * *", "Europe/Berlin", "analysis-only", "all-images"),
    ("Hourly KEV sweep", "hourly-kev", "15 * * * *", "UTC", "analysis-only", "by-labels"),
    (
        "Business hours delta",
        "business-hours",
        "*/30 8-18 * * 1-5",
        "America/New_York",
        "analysis-only",
        "by-namespace",
    ),
    ("Weekly base image refresh", "weekly-base", "30 3 * * 0", "Europe/Berlin", "content-refresh", "by-repo"),
    ("Monthly compliance sweep", "monthly", "0 4 1 * *", "UTC", "analysis-only", "by-digest"),
    ("Berlin 02:30 (DST gap)", "berlin-0230", "30 2 * * *", "Europe/Berlin", "analysis-only", "all-images"),
    (
        "New York 01:30 (DST overlap)",
        "ny-0130",
        "30 1 * * *",
        "America/New_York",
        "analysis-only",
        "by-namespace",
    ),
    (
        "Six-hourly feed catch-up",
        "six-hourly",
        "0 */6 * * *",
        "America/New_York",
        "content-refresh",
        "all-images",
    ),
    (
        "Sydney weekend deep scan",
        "sydney-weekend",
        "0 1 * * 6,0",
        "Australia/Sydney",
        "analysis-only",
        "by-repo",
    ),
    ("Tokyo weekday morning", "tokyo-morning", "45 7 * * 1-5", "Asia/Tokyo", "analysis-only", "by-labels"),
)

# (purl, ((vulnerability id, severity, on the KEV list), ...)); severities are illustrative.
_PACKAGES: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    (
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        (("CVE-2021-44228", "critical", True), ("CVE-2021-45046", "critical", False)),
    ),
    ("pkg:maven/org.springframework/spring-beans@5.3.17", (("CVE-2022-22965", "critical", True),)),
    ("pkg:maven/org.apache.commons/commons-text@1.9", (("CVE-2022-42889", "critical", False),)),
    (
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.2",
        (("CVE-2022-42003", "high", False), ("CVE-2020-36518", "high", False)),
    ),
    ("pkg:maven/org.yaml/snakeyaml@1.30", (("CVE-2022-1471", "high", False),)),
    ("pkg:npm/lodash@4.17.20", (("CVE-2021-23337", "high", False), ("CVE-2020-28500", "medium", False))),
    ("pkg:npm/minimist@1.2.5", (("CVE-2021-44906", "critical", False),)),
    ("pkg:npm/semver@7.3.7", (("CVE-2022-25883", "medium", False),)),
    ("pkg:npm/tough-cookie@4.0.0", (("CVE-2023-26136", "medium", False),)),
    ("pkg:npm/%40babel/traverse@7.22.5", (("CVE-2023-45133", "critical", False),)),
    (
        "pkg:npm/express@4.17.1",
        (("GHSA-rv95-896h-c2vc", "unknown", False), ("CVE-2024-29041", "medium", False)),
    ),
    ("pkg:pypi/requests@2.28.1", (("CVE-2023-32681", "medium", False),)),
    ("pkg:pypi/urllib3@1.26.15", (("CVE-2023-43804", "medium", False), ("CVE-2024-37891", "low", False))),
    (
        "pkg:golang/golang.org/x/net@v0.15.0",
        (("CVE-2023-44487", "high", True), ("CVE-2023-39325", "high", False)),
    ),
    ("pkg:golang/github.com/opencontainers/runc@v1.1.11", (("CVE-2024-21626", "high", False),)),
    (
        "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64",
        (("CVE-2023-5678", "medium", False), ("CVE-2024-0727", "low", False)),
    ),
    ("pkg:deb/debian/libwebp7@1.2.4-0.2?arch=amd64", (("CVE-2023-4863", "high", True),)),
    ("pkg:deb/debian/libc6@2.36-9?arch=amd64", (("CVE-2023-4911", "high", True),)),
    ("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64", (("CVE-2023-45853", "low", False),)),
    (
        "pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64",
        (("CVE-2023-42363", "medium", False), ("CVE-2023-42366", "unknown", False)),
    ),
    ("pkg:rpm/redhat/sudo@1.8.29-8.el8?arch=x86_64", (("CVE-2021-3156", "high", True),)),
    ("pkg:nuget/System.Text.Json@6.0.0", (("GHSA-hh2w-p6rv-4g7w", "high", False),)),
)
_TEAMS = ("payments", "identity", "platform", "web", "data", "edge")
_SERVICES = ("api", "worker", "gateway", "frontend", "ingest", "billing", "auth", "search")
_IMAGES_PER_TENANT = 12

_TRIGGERS = ("cron", "manual", "feedser", "concelier", "vexer", "excititor", "policy", "content-refresh")
_TRIGGER_WEIGHTS = (45, 9, 7, 4, 6, 3, 10, 6)
_CANONICAL_TRIGGER = {"concelier": "feedser", "excititor": "vexer"}
_SYSTEM_INITIATORS = {
    "cron": "system:scheduler",
    "feedser": "system:concelier",
    "concelier": "system:concelier",
    "vexer": "system:excititor",
    "excititor": "system:excititor",
    "policy": "system:policy-engine",
    "content-refresh": "system:scheduler",
}
_USERS = ("user:alice", "user:bob", "user:chandra@acme.example", "svc:ci-pipeline", "user:dmitri")
_BULK_STATES = ("completed", "error", "cancelled")
_BULK_STATE_WEIGHTS = (80, 12, 8)
_RECENT_STATES = ("completed", "error", "cancelled", "running", "queued", "planning")
_RECENT_STATE_WEIGHTS = (45, 8, 4, 25, 10, 8)
# Run errors: (code, message, failing phase, weight).
_RUN_ERRORS = (
    ("ERR_RUN_001", "planner lock held by scheduler-planner-2 for 312 s", "planner", 3),
    ("ERR_RUN_005", "scanner timeout after 900 s on 14 targets", "execution", 6),
    ("ERR_RUN_009", "impact index stale: generated 81 h ago (window 72 h)", "planner", 2),
    ("ERR_RUN_014", "registry authentication failed (401) for registry mirror", "execution", 2),
    ("ERR_RUN_022", "executor out of memory (exit 137) while unpacking layers", "execution", 1),
)
_EXECUTORS = tuple(f"scanner-worker-{zone}-{n:02d}" for zone in ("eu-1a", "eu-1b", "us-2a") for n in (1, 2, 3, 4))
_CHANGES = ("new", "resolved", "severity-changed", "quieted")
_SEVERITIES = ("critical", "high", "medium", "low", "none", "unknown")
_EVIDENCE_KINDS = ("policy-run", "findings-delta", "scanner-bundle", "explain-bundle", "other")
# Attestation variants: the last two are both `invalid` (a digest of another file; a broken signature).
_ATTESTATIONS = ("verified", "unsigned", "untrusted", "invalid-digest", "invalid-signature")
_ATTESTATION_WEIGHTS = (70, 12, 8, 5, 5)

_DELTA_NAMES = (
    "newFindings",
    "newCriticals",
    "newHigh",
    "newMedium",
    "newLow",
    "resolved",
    "quieted",
    "severityShifts",
    "kevAdditions",
)
_DELTAS_TEMPLATE = ',"deltas":{' + ",".join(f'"{name}":%d' for name in _DELTA_NAMES) + "}"
_CSV_COLUMNS = (
    "runId",
    "imageDigest",
    "repository",
    "vulnerabilityId",
    "purl",
    "severity",
    "previousSeverity",
    "change",
    "kev",
)
_SEGMENT_IDS = tuple(f"seg-{n:02d}" for n in range(1, 6))
_PENDING = {
    name: f'{{"name":"{name}","state":"pending","startedAt":null,"finishedAt":null}}'
    for name in ("queue", "execution", "post-processing")
}

T = TypeVar("T")


class _Picker(Generic[T]):
    """Weighted choice that first returns every value once, in order, so small demos still cover them all."""

    def __init__(self, values: Sequence[T], weights: Sequence[float], *, cover: bool = True) -> None:
        self.values = tuple(values)
        self.cumulative = _cumulative(weights)
        self.total = self.cumulative[-1]
        self.used = 0 if cover else len(self.values)

    def pick(self, random_value: float) -> T:
        if self.used < len(self.values):
            self.used += 1
            return self.values[self.used - 1]
        return self.values[bisect.bisect_right(self.cumulative, random_value * self.total)]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class _Clock:
    """RFC 3339 text of epoch seconds, as JSON strings, from a table of the minutes around the snapshot.

    A run has some thirty timestamps: strftime for each would cost more than everything else.
    """

    def __init__(self, created: int) -> None:
        self.base = created - created % 60 - 9 * _DAY
        start = datetime.fromtimestamp(self.base, UTC)
        self.minutes = [(start + timedelta(minutes=m)).strftime('"%Y-%m-%dT%H:%M:') for m in range(11 * 24 * 60)]
        self.seconds = [f'{second:02d}Z"' for second in range(60)]
        self.span = len(self.minutes) * 60

    def json(self, seconds: int | None) -> str:
        """`"2026-11-20T12:00:00Z"` with its quotes, or `null`."""
        if seconds is None:
            return "null"
        offset = seconds - self.base
        if 0 <= offset < self.span:
            return self.minutes[offset // 60] + self.seconds[offset % 60]
        return datetime.fromtimestamp(seconds, UTC).strftime('"%Y-%m-%dT%H:%M:%SZ"')

    def iso(self, seconds: int) -> str:
        return self.json(seconds)[1:-1]

    def compact(self, seconds: int) -> str:
        """`YYYYMMDDTHHMMSSZ`, the timestamp part of a run id."""
        return self.iso(seconds).replace("-", "").replace(":", "")


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _error_json(error: tuple[str, str] | None) -> str:
    return "null" if error is None else f'{{"code":"{error[0]}","message":{_quote(error[1])}}}'


@dataclass
class _Schedule:
    id: str
    name: str
    enabled: bool
    cron: str
    timezone: str
    mode: str
    selection: dict[str, Any]
    paused_at: int | None
    last_run_id: str | None = None

    def active_at(self, seconds: int) -> bool:
        return self.enabled and (self.paused_at is None or seconds < self.paused_at)


@dataclass(frozen=True)
class _Image:
    digest: str
    repository: str
    tags: tuple[str, ...]
    packages: tuple[int, ...]  # indexes into _PACKAGES


_Failed = tuple[str, int, str, _Schedule | None, str, str | None]


@dataclass
class _Tenant:
    index: int
    id: str
    name: str
    weight: float
    schedules: list[_Schedule] = field(default_factory=list)
    images: list[_Image] = field(default_factory=list)
    # Recent failed runs a retry may point at: (id, finishedAt, trigger, schedule, mode, policy revision).
    failed: deque[_Failed] = field(default_factory=lambda: deque(maxlen=16))


@dataclass(slots=True)
class _Segment:
    id: str
    shard: int
    target: int
    state: str = "queued"
    processed: int = 0
    executor: str | None = None
    retries: int = 0
    started: int | None = None
    finished: int | None = None
    cooldown: int | None = None
    error: tuple[str, str] | None = None


class _Finding(NamedTuple):
    image: _Image
    purl: str
    vulnerability: str
    severity: str
    previous: str | None
    change: str
    kev: bool


@dataclass(slots=True)
class _Run:
    """One run while it is being written; dropped afterwards."""

    index: int
    tenant: _Tenant
    state: str
    created: int
    shard_count: int
    id: str = ""
    slug: str = ""  # the run id made safe for file names
    schedule: _Schedule | None = None
    trigger: str = "cron"
    mode: str = "analysis-only"
    initiator: str = "system:scheduler"
    policy: str | None = None
    correlation: str = ""
    planner_end: int | None = None
    started: int | None = None
    exec_end: int | None = None
    finished: int | None = None
    candidates: int = 0
    deduped: int = 0
    queued: int = 0
    completed: int = 0
    deltas: tuple[int, ...] | None = None  # in _DELTA_NAMES order
    error: tuple[str, str, str] | None = None  # code, message, failing phase
    retry_of: str | None = None
    badges: list[str] = field(default_factory=list)
    segments: list[_Segment] = field(default_factory=list)
    findings: list[_Finding] = field(default_factory=list)


@dataclass
class _Metrics:
    """Per-tenant counters bucketed by metric sample (bucket 0: before the last 24 h)."""

    first_sample: int
    active: list[list[int]]
    errors: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    durations: dict[tuple[int, str], list[tuple[int, int]]] = field(default_factory=dict)

    def bucket(self, seconds: int) -> int:
        """1 + index of the first sample at or after `seconds`; 0 before the window."""
        return max(0, -(-(seconds - self.first_sample) // _SAMPLE_SECONDS) + 1)


def _check_output(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out}: exists and is not a directory")
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out}: directory is not empty")


def _clear(out: Path) -> None:
    """Remove what a failed run wrote, keeping `out` itself (it may have been given empty)."""
    for child in out.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def write_demo(
    out: Path,
    *,
    runs: int,
    tenants: int,
    seed: int,
    key_paths: Sequence[Path],
    created_at: datetime = datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    evidence_bytes: int = 0,
    hostile: bool = True,
) -> dict[str, int]:
    """Write a signed synthetic snapshot into `out` (absent or empty); returns the record count of each file.

    Deterministic: the same arguments give byte-identical files. Evidence attestations are signed with the
    first of `key_paths` (`verified`), not at all, with a key derived from the seed (`untrusted`), or broken
    (`invalid`); the snapshot is signed with every key. `evidence_bytes` adds large evidence files of that
    total size; `hostile` puts markup, formulas and bidi controls into free-text fields.
    """
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"runs must be between 1 and {MAX_RUNS}")
    if tenants < 1:
        raise UsageError("tenants must be at least 1")
    if evidence_bytes < 0:
        raise UsageError("evidence bytes must not be negative")
    if created_at.tzinfo is None:
        raise UsageError("created_at needs a time zone")
    if not key_paths:
        raise UsageError("no signing key given (--key)")
    signing_key = load_private_key(key_paths[0])
    _check_output(out)
    made = not out.exists()
    created = int(created_at.timestamp())
    try:
        out.mkdir(parents=True, exist_ok=True)
        writer = _DemoWriter(out, runs, tenants, seed, signing_key, created, hostile)
        counts = writer.write(evidence_bytes)
        iso = writer.clock.iso
        metadata = {
            "snapshotId": f"snap:demo:{iso(created)}",
            "createdAt": iso(created),
            "environment": "prod",
            "source": "scheduler.demo",
            "plannerHeartbeatAt": iso(created - 50),
            "impactIndexGeneratedAt": iso(created - 6 * _HOUR),
            "stalenessWindowHours": 72,
        }
        sign_snapshot(out, key_paths, metadata)
    except BaseException:
        # Leave nothing half-written: a partial snapshot would look like a real one.
        if made:
            shutil.rmtree(out, ignore_errors=True)
        else:
            _clear(out)
        raise
    return counts


class _DemoWriter:
    """Generates and writes every file of the demo snapshot, in one pass over the runs."""

    def __init__(
        self,
        out: Path,
        runs: int,
        tenants: int,
        seed: int,
        signing_key: PrivateKey,
        created: int,
        hostile: bool,
    ) -> None:
        self.out = out
        self.run_count = runs
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.created = created
        self.clock = _Clock(created)
        self.hostile = hostile
        self.signing_key = signing_key
        # A key nobody trusts, the same for a seed so the demo stays byte-identical.
        untrusted = hashlib.sha256(f"untrusted:{seed}".encode()).digest()
        self.untrusted_key = Ed25519PrivateKey.from_private_bytes(untrusted)
        self.hostile_cursor = 0
        self.counts: dict[str, int] = {}
        self.nonce_offset = self.rng.getrandbits(24)
        self.tenants = [self._tenant(index) for index in range(tenants)]
        self.tenant_cumulative = _cumulative([t.weight for t in self.tenants])
        first_sample = created - created % _SAMPLE_SECONDS - (_SAMPLES - 1) * _SAMPLE_SECONDS
        self.metrics = _Metrics(first_sample, [[0] * (_SAMPLES + 2) for _ in self.tenants])
        self.triggers = _Picker(_TRIGGERS, _TRIGGER_WEIGHTS)
        self.bulk_states = _Picker(_BULK_STATES, _BULK_STATE_WEIGHTS)
        self.newest_states = _Picker(("running", "queued", "planning"), (1, 1, 1))
        self.recent_states = _Picker(_RECENT_STATES, _RECENT_STATE_WEIGHTS, cover=False)
        self.run_errors = _Picker(_RUN_ERRORS, [e[3] for e in _RUN_ERRORS])
        self.severities = _Picker(_SEVERITIES, (2, 4, 4, 3, 1, 1))
        self.attestations = _Picker(_ATTESTATIONS, _ATTESTATION_WEIGHTS)
        self.retries = 0
        self.first_deltas = True
        self.evidence_runs = 0
        self.evidence_rate = min(0.1, 400 / runs)  # file creation is slow: a few hundred runs
        self.bundles = 0
        self.previous_evidence_sha = hashlib.sha256(b"").hexdigest()
        self.anchor: tuple[str, str, str] | None = None  # (run id, tenant, slug) of the large evidence

    # --- helpers ----------------------------------------------------------------------------------

    def _int(self, low: int, high: int) -> int:
        """Uniform in [low, high]; cheaper than Random.randint in the hot loop."""
        return low + int(self.r() * (high - low + 1))

    def _one(self, values: Sequence[T]) -> T:
        return values[int(self.r() * len(values))]

    def _spice(self, text: str, rate: float) -> str:
        """`text`, or with probability `rate` carrying the next hostile string (in turn, so all appear)."""
        if not self.hostile or self.r() >= rate:
            return text
        return self._hostile(text)

    def _hostile(self, text: str) -> str:
        hostile = HOSTILE_STRINGS[self.hostile_cursor % len(HOSTILE_STRINGS)]
        self.hostile_cursor += 1
        return f"{hostile} {text}" if hostile.startswith(_CELL_PREFIXES) else f"{text} {hostile}"

    def _open(self, name: str) -> TextIO:
        self.counts[name] = 0
        return (self.out / name).open("w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def _write_file(self, relative: str, data: bytes) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    # --- the world: tenants, schedules, images ----------------------------------------------------

    def _tenant(self, index: int) -> _Tenant:
        if index < len(NAMED_TENANTS):
            tenant_id, name = NAMED_TENANTS[index]
        else:
            tenant_id, name = f"tenant-{index + 1:02d}", f"Tenant {index + 1:02d}"
        # A few big tenants and a long tail, as in a shared Scheduler.
        tenant = _Tenant(index, tenant_id, name, weight=1.0 / (1 + index * 0.35))
        tenant.images = [self._image(tenant, position) for position in range(_IMAGES_PER_TENANT)]
        tenant.schedules = self._schedules(tenant)
        return tenant

    def _image(self, tenant: _Tenant, position: int) -> _Image:
        digest = self.rng.randbytes(32).hex()
        repository = f"registry.{tenant.id}.internal/{self._one(_TEAMS)}/{_SERVICES[position % len(_SERVICES)]}"
        if self.hostile and position in (3, 8):
            repository = self._hostile(repository)
        version = f"{self._int(1, 4)}.{self._int(0, 12)}.{self._int(0, 30)}"
        tags = (version, f"sha-{digest[:7]}", "latest") if position % 3 == 0 else (version, f"sha-{digest[:7]}")
        packages = tuple(sorted(self.rng.sample(range(len(_PACKAGES)), self._int(3, 8))))
        return _Image(f"sha256:{digest}", repository, tags, packages)

    def _schedules(self, tenant: _Tenant) -> list[_Schedule]:
        # The first tenant has one schedule of each selection scope; the others a sample of the templates.
        if tenant.index == 0:
            templates = list(range(5))
        else:
            templates = sorted(self.rng.sample(range(len(_SCHEDULE_TEMPLATES)), self._int(3, 5)))
        schedules = []
        for position, template in enumerate(templates):
            name, slug, cron, timezone, mode, scope = _SCHEDULE_TEMPLATES[template]
            # The first two stay enabled and unpaused, so cron runs always have a schedule.
            enabled = position < 2 or (position != 3 and self.r() >= 0.15)
            paused = position >= 2 and enabled and (position == 4 or self.r() < 0.2)
            paused_at = self.created - self._int(2 * _HOUR, 5 * _DAY) if paused else None
            if self.hostile and position == 2:
                name = self._hostile(name)
            selection = self._selection(tenant, scope)
            schedule = _Schedule(f"sch-{tenant.id}-{slug}", name, enabled, cron, timezone, mode, selection, paused_at)
            schedules.append(schedule)
        return schedules

    def _selection(self, tenant: _Tenant, scope: str) -> dict[str, Any]:
        if scope == "by-namespace":
            return {"scope": scope, "namespaces": sorted(self.rng.sample(_TEAMS, 2))}
        if scope == "by-repo":
            return {"scope": scope, "repositories": [image.repository for image in tenant.images[:2]]}
        if scope == "by-digest":
            return {"scope": scope, "digests": [image.digest for image in tenant.images[:3]]}
        if scope == "by-labels":
            return {
                "scope": scope,
                "labels": [{"key": "env", "values": ["prod"]}, {"key": "tier", "values": ["1"]}],
            }
        return {"scope": scope}

    # --- the pass ---------------------------------------------------------------------------------

    def write(self, evidence_bytes: int) -> dict[str, int]:
        """Write every file but the manifest and its envelope; returns the record counts."""
        self._write_file("tenants.json", _pretty([{"id": t.id, "name": t.name} for t in self.tenants]))
        self.counts["tenants.json"] = len(self.tenants)
        names = ("runs", "segments", "findings", "logs", "events", "evidence")
        streams = {name: self._open(f"{name}.ndjson") for name in names}
        try:
            self._write_runs(streams)
            if evidence_bytes:
                self._large_evidence(streams["evidence"], evidence_bytes)
        finally:
            for stream in streams.values():
                stream.close()
        self._write_schedules()
        self._write_metrics()
        self._write_impact()
        self._write_runbooks()
        return dict(sorted(self.counts.items()))

    def _write_runs(self, streams: dict[str, TextIO]) -> None:
        # Runs come in createdAt order: the bulk over seven days, the newest 1 % in the last three hours.
        recent = min(self.run_count, max(6, self.run_count // 100))
        bulk = self.run_count - recent
        bulk_start = self.created - 7 * _DAY
        bulk_step = (7 * _DAY - _RECENT_SECONDS) / max(bulk, 1)
        recent_start = self.created - _RECENT_SECONDS
        recent_step = (_RECENT_SECONDS - 120) / recent
        write_run, write_segments = streams["runs"].write, streams["segments"].write
        write_findings, write_logs = streams["findings"].write, streams["logs"].write
        write_events = streams["events"].write
        names = ("segments", "findings", "logs", "events", "evidence")
        counts = dict.fromkeys(names, 0)
        for index in range(self.run_count):
            if index < bulk:
                when = bulk_start + int((index + self.r()) * bulk_step)
                state = self.bulk_states.pick(self.r())
            else:
                position = index - bulk
                when = recent_start + int((position + self.r()) * recent_step)
                # The newest three runs are the ones still planning, queued or running.
                newest = recent - position <= 3
                state = (self.newest_states if newest else self.recent_states).pick(self.r())
            run = self._run(index, when, state)
            write_run(self._run_line(run))
            lines = [self._segment_line(run, segment) for segment in run.segments]
            write_segments("".join(lines))
            counts["segments"] += len(lines)
            lines = [self._finding_line(run, finding) for finding in run.findings]
            write_findings("".join(lines))
            counts["findings"] += len(lines)
            lines = self._log_lines(run)
            write_logs("".join(lines))
            counts["logs"] += len(lines)
            lines = self._event_lines(run)
            write_events("".join(lines))
            counts["events"] += len(lines)
            self._track(run)
            if self.anchor is None:
                self.anchor = (run.id, run.tenant.id, run.slug)
            finished = run.finished is not None and run.started is not None
            if finished and (self.evidence_runs < 2 or self.r() < self.evidence_rate):
                counts["evidence"] += self._evidence(run, streams["evidence"])
        self.counts["runs.ndjson"] = self.run_count
        for name in names:
            self.counts[f"{name}.ndjson"] = counts[name]

    # --- one run ----------------------------------------------------------------------------------

    def _pick_tenant(self) -> _Tenant:
        position = bisect.bisect_right(self.tenant_cumulative, self.r() * self.tenant_cumulative[-1])
        return self.tenants[min(position, len(self.tenants) - 1)]

    def _run(self, index: int, when: int, state: str) -> _Run:
        tenant = self._pick_tenant()
        run = _Run(index, tenant, state, when, self._int(1, 8))
        self._timeline(run)
        self._origin(run)
        stamp = self.clock.compact(run.created)
        nonce = f"{(index * _NONCE_MULTIPLIER + self.nonce_offset) & 0xFFFFFF:06x}"
        run.id, run.slug = f"run:{tenant.id}:{stamp}:{nonce}", f"{stamp}-{nonce}"
        bits = self.rng.getrandbits(128)
        run.correlation = (
            f"{bits >> 96:08x}-{(bits >> 80) & 0xFFFF:04x}-{(bits >> 64) & 0xFFFF:04x}-"
            f"{(bits >> 48) & 0xFFFF:04x}-{bits & 0xFFFFFFFFFFFF:012x}"
        )
        self._plan_segments(run)
        self._deltas_and_findings(run)
        self._badges(run)
        if run.schedule is not None:
            run.schedule.last_run_id = run.id
        if run.state in ("error", "cancelled") and run.finished is not None:
            tenant.failed.append((run.id, run.finished, run.trigger, run.schedule, run.mode, run.policy))
        return run

    def _timeline(self, run: _Run) -> None:
        """Times of the run's phases and its planner stats, consistent with its state and createdAt."""
        r = self.r
        now = self.created
        if run.state == "error":
            code, message, phase, _ = self.run_errors.pick(r())
            run.error = (code, self._spice(message, 0.1), phase)
        run.candidates = int(10 * 2 ** (r() * 9))
        run.deduped = run.candidates - int(run.candidates * r() * 0.4)
        run.queued = run.deduped - int(run.deduped * r() * 0.2)
        planner = 2 + int(r() * 89)
        wait = 1 + int(r() * 600)
        execution = max(20, min(5400, int(run.queued * (0.5 + 2.5 * r()) / (run.shard_count * 4))))
        post = 3 + int(r() * 118)
        if run.state == "planning":
            run.created = now - self._int(10, 100)
            run.candidates = run.deduped = run.queued = 0
            return
        if run.state == "queued":
            run.created = now - self._int(120, 1200)
            run.planner_end = min(run.created + planner, now - 60)
            return
        if run.state == "running":
            run.created = min(run.created, now - 600)
            run.planner_end = run.created + min(planner, 60)
            run.started = run.planner_end + min(wait, 120)
            run.exec_end = max(run.started + execution, now + self._int(60, 1800))
            return
        # Terminal: all of it happened before the snapshot was taken.
        run.created = min(run.created, now - (planner + wait + execution + post) - self._int(5, 60))
        run.planner_end = run.created + planner
        if run.error is not None and run.error[2] == "planner":
            run.candidates = run.deduped = run.queued = 0
            run.finished = run.planner_end
            return
        if run.state == "cancelled" and r() < 0.3:
            run.finished = run.planner_end + self._int(1, wait)  # cancelled while queued
            return
        run.started = run.planner_end + wait
        run.exec_end = run.started + execution
        if run.state == "completed":
            run.finished = run.exec_end + post
        else:
            # An error or a cancellation partway through the execution.
            run.exec_end = run.started + max(1, int(execution * (0.1 + 0.8 * r())))
            run.finished = run.exec_end + self._int(1, 10)

    def _origin(self, run: _Run) -> None:
        """Trigger, schedule, mode, policy and initiator: a retry inherits them from the run it retries."""
        r = self.r
        run.trigger = self.triggers.pick(r())
        # No retry among the first runs: they show each trigger spelling once.
        retry = self._retry_candidate(run.tenant, run.created) if run.index >= len(_TRIGGERS) else None
        if retry is not None:
            run.retry_of, _, run.trigger, run.schedule, run.mode, run.policy = retry
            run.initiator = self._one(_USERS)
            return
        if run.trigger == "cron":
            active = [s for s in run.tenant.schedules if s.active_at(run.created)]
            run.schedule = self._one(active) if active else None
        scheduled_refresh = run.schedule is not None and run.schedule.mode == "content-refresh"
        # Some feed-triggered runs refresh content rather than only re-analysing.
        feed_refresh = run.trigger in ("feedser", "concelier") and r() < 0.3
        if run.trigger == "content-refresh" or scheduled_refresh or feed_refresh:
            run.mode = "content-refresh"
        run.policy = f"P-{self._int(1, 9)}@{self._int(1, 40)}" if r() < 0.8 else None
        initiator = _SYSTEM_INITIATORS.get(run.trigger) or self._one(_USERS)
        run.initiator = self._spice(initiator, 0.01)

    def _retry_candidate(self, tenant: _Tenant, when: int) -> _Failed | None:
        """A failed run of the tenant that finished before `when`, taken so it is retried once."""
        if not tenant.failed or (self.retries and self.r() >= 0.07):
            return None
        for position, candidate in enumerate(tenant.failed):
            if candidate[1] < when:
                del tenant.failed[position]
                self.retries += 1
                return candidate
        return None

    def _plan_segments(self, run: _Run) -> None:
        """Segments splitting the queued targets; the run's completed count is what they processed."""
        if run.queued == 0:
            return
        r = self.r
        queued = run.queued
        count = min(1 + int(r() * 5), queued)
        bounds = [0, *sorted(int(r() * (queued + 1)) for _ in range(count - 1)), queued]
        # How far the run got: segments before `done` completed, segment `done` was in flight.
        if run.state == "completed":
            done = count
        elif run.state == "queued" or run.started is None or run.exec_end is None:
            done = -1
        else:
            done = self._int(0, count - 1)
        # A running run's segments can only have finished before the snapshot was taken.
        end = min(run.exec_end or 0, self.created)
        span = max(1, end - (run.started or 0))
        started = run.started or 0
        stopped = "cancelled" if run.state in ("error", "cancelled") else "queued"
        segments = run.segments
        completed = 0
        for position in range(count):
            target = bounds[position + 1] - bounds[position]
            if position > done:
                segments.append(_Segment(_SEGMENT_IDS[position], position % run.shard_count, target, stopped))
                continue
            start = started + int(span * 0.2 * r())
            finish = min(end, start + max(1, int(span * (0.3 + 0.7 * r()))))
            executor = _EXECUTORS[int(r() * len(_EXECUTORS))]
            segment = _Segment(
                _SEGMENT_IDS[position],
                position % run.shard_count,
                target,
                "completed",
                target,
                executor,
                0,
                start,
                finish,
            )
            if position == done:
                self._active_segment(run, segment)
            segments.append(segment)
            completed += segment.processed
        run.completed = completed

    def _active_segment(self, run: _Run, segment: _Segment) -> None:
        """The segment in flight when the run stopped, or still."""
        segment.processed = int(segment.target * self.r() * 0.9)
        if run.state == "running":
            segment.state, segment.finished = "running", None
        elif run.state == "cancelled":
            segment.state = "cancelled"
        else:
            assert run.error is not None and segment.finished is not None
            segment.state = "error"
            segment.retries = self._int(1, 3)
            segment.error = (run.error[0], run.error[1])
            # Some failed segments are cooling down before their next retry (some past createdAt).
            if self.r() < 0.6:
                segment.cooldown = segment.finished + self._int(300, 1800)

    def _deltas_and_findings(self, run: _Run) -> None:
        if run.completed == 0:
            return
        r = self.r
        share = run.completed / run.queued
        critical, high = int(r() ** 3 * 4 * share), int(r() ** 2 * 12 * share)
        medium, low = int(r() * 25 * share), int(r() * 40 * share)
        resolved, quieted = int(r() ** 2 * 30 * share), int(r() ** 2 * 10 * share)
        shifts = int(r() ** 2 * 8 * share)
        kev = min(critical + high, int(r() ** 4 * 3))
        first = self.first_deltas
        if first:
            # The first run with deltas has one of everything, so a small demo shows every kind of change.
            self.first_deltas = False
            critical, resolved, quieted, shifts, kev = (max(1, n) for n in (critical, resolved, quieted, shifts, 1))
        new = critical + high + medium + low + int(r() ** 3 * 3)  # some findings have no severity yet
        run.deltas = (new, critical, high, medium, low, resolved, quieted, shifts, kev)
        if first:
            run.findings = [self._finding(run, change) for change in _CHANGES]
            return
        changes = _cumulative((new, resolved, shifts, quieted))
        for _ in range(min(self._int(0, 4), int(changes[-1]))):
            change = _CHANGES[bisect.bisect_right(changes, r() * changes[-1])]
            run.findings.append(self._finding(run, change))

    def _finding(self, run: _Run, change: str) -> _Finding:
        r = self.r
        images = run.tenant.images
        image = images[int(r() * len(images))]
        purl, vulnerabilities = _PACKAGES[image.packages[int(r() * len(image.packages))]]
        vulnerability, severity, kev = vulnerabilities[int(r() * len(vulnerabilities))]
        previous: str | None = None
        if change == "resolved":
            severity, previous = "none", severity
        elif change == "severity-changed":
            previous, severity = severity, self.severities.pick(self.r())
            if severity == previous:
                previous = "unknown" if severity != "unknown" else "medium"
        elif change == "quieted":
            previous = severity
        return _Finding(image, purl, vulnerability, severity, previous, change, kev and change == "new")

    def _badges(self, run: _Run) -> None:
        if run.deltas is not None and run.deltas[8] and self.r() < 0.7:
            run.badges.append("kev-first")
        if run.mode == "content-refresh":
            run.badges.append("content-refresh")
        if run.trigger == "policy" and (run.index < len(_TRIGGERS) or self.r() < 0.5):
            run.badges.append("policy-promotion-follow-up")
        if run.retry_of is not None:
            run.badges.append("retry")

    # --- record lines of a run (templates: json.dumps of a dict per line would dominate the time) -------

    def _phases(self, run: _Run) -> str:
        """The four phases; one a cancellation interrupted shows as completed, the ones after as pending."""
        j = self.clock.json

        def phase(name: str, state: str, start: int | None = None, end: int | None = None) -> str:
            return f'{{"name":"{name}","state":"{state}","startedAt":{j(start)},"finishedAt":{j(end)}}}'

        failed = run.error[2] if run.error else None
        queue, execution, post = _PENDING["queue"], _PENDING["execution"], _PENDING["post-processing"]
        if run.planner_end is None:
            planner = phase("planner", "running", run.created + 1)
        elif failed == "planner":
            planner = phase("planner", "error", run.created + 1, run.finished)
        else:
            planner = phase("planner", "completed", run.created + 1, run.planner_end)
            if run.started is None:
                state = "running" if run.state == "queued" else "completed"
                queue = phase("queue", state, run.planner_end, run.finished)
            else:
                queue = phase("queue", "completed", run.planner_end, run.started)
                if run.state == "running":
                    execution = phase("execution", "running", run.started)
                else:
                    execution = phase("execution", "error" if failed else "completed", run.started, run.exec_end)
                if run.state == "completed":
                    post = phase("post-processing", "completed", run.exec_end, run.finished)
        return f"[{planner},{queue},{execution},{post}]"

    def _run_line(self, run: _Run) -> str:
        j = self.clock.json
        schedule = "null" if run.schedule is None else f'"{run.schedule.id}"'
        policy = "null" if run.policy is None else f'"{run.policy}"'
        delta_count = 0
        optional = ""
        # Older Scheduler exports carry no phases: most runs have them, not all.
        if run.index < len(_TRIGGERS) or self.r() < 0.92:
            optional = ',"phases":' + self._phases(run)
        if run.deltas is not None:
            new, _, _, _, _, resolved, quieted, shifts, _ = run.deltas
            delta_count = new + resolved + quieted + shifts
            optional += _DELTAS_TEMPLATE % run.deltas
        error = None if run.error is None else run.error[:2]
        retry = "null" if run.retry_of is None else f'"{run.retry_of}"'
        badges = "" if not run.badges else ',"badges":["' + '","'.join(run.badges) + '"]'
        return (
            f'{{"id":"{run.id}","tenantId":"{run.tenant.id}","scheduleId":{schedule},"trigger":"{run.trigger}",'
            f'"mode":"{run.mode}","state":"{run.state}","initiator":{_quote(run.initiator)},'
            f'"policyRevision":{policy},"correlationId":"{run.correlation}","createdAt":{j(run.created)},'
            f'"startedAt":{j(run.started)},"finishedAt":{j(run.finished)},"stats":{{"candidates":{run.candidates},'
            f'"deduped":{run.deduped},"queued":{run.queued},"completed":{run.completed},"deltas":{delta_count}}}'
            f'{optional},"error":{_error_json(error)},"retryOf":{retry},"shardCount":{run.shard_count}{badges}}}\n'
        )

    def _segment_line(self, run: _Run, segment: _Segment) -> str:
        j = self.clock.json
        executor = "null" if segment.executor is None else f'"{segment.executor}"'
        return (
            f'{{"runId":"{run.id}","id":"{segment.id}","shard":{segment.shard},"state":"{segment.state}",'
            f'"targetCount":{segment.target},"processed":{segment.processed},"executor":{executor},'
            f'"retryCount":{segment.retries},"startedAt":{j(segment.started)},"finishedAt":{j(segment.finished)},'
            f'"cooldownUntil":{j(segment.cooldown)},"error":{_error_json(segment.error)}}}\n'
        )

    @staticmethod
    def _finding_line(run: _Run, finding: _Finding) -> str:
        previous = "null" if finding.previous is None else f'"{finding.previous}"'
        return (
            f'{{"runId":"{run.id}","imageDigest":"{finding.image.digest}",'
            f'"repository":{_quote(finding.image.repository)},"vulnerabilityId":"{finding.vulnerability}",'
            f'"purl":"{finding.purl}","severity":"{finding.severity}","previousSeverity":{previous},'
            f'"change":"{finding.change}","kev":{"true" if finding.kev else "false"}}}\n'
        )

    def _log_line(self, run: _Run, ts: int, severity: str, message: str, segment: str | None, fields: str) -> str:
        segment_json = "null" if segment is None else f'"{segment}"'
        return (
            f'{{"runId":"{run.id}","ts":{self.clock.json(ts)},"severity":"{severity}",'
            f'"message":{_quote(self._spice(message, 0.02))},"correlationId":"{run.correlation}",'
            f'"segmentId":{segment_json},"fields":{fields}}}\n'
        )

    def _log_lines(self, run: _Run) -> list[str]:
        fields = f'{{"shardCount":{run.shard_count},"mode":"{run.mode}"}}'
        trigger = _CANONICAL_TRIGGER.get(run.trigger, run.trigger)
        lines = [self._log_line(run, run.created + 1, "info", f"planner started for {trigger} trigger", None, fields)]
        if run.queued and run.planner_end is not None:
            message = f"resolved {run.candidates} candidates, {run.deduped} after dedupe, {run.queued} queued"
            fields = f'{{"candidates":{run.candidates},"deduped":{run.deduped},"queued":{run.queued}}}'
            severity = "debug" if self.r() < 0.3 else "info"
            lines.append(self._log_line(run, run.planner_end, severity, message, None, fields))
        if run.error is not None and run.finished is not None:
            failed = next((s for s in run.segments if s.error), None)
            fields = f'{{"code":"{run.error[0]}","attempt":{failed.retries if failed else 1}}}'
            severity = "error" if self.r() < 0.8 else "critical"
            segment = failed.id if failed else None
            lines.append(self._log_line(run, run.finished, severity, run.error[1], segment, fields))
        elif run.state == "completed" and run.finished is not None:
            message = f"run completed: {run.completed}/{run.queued} targets"
            fields = f'{{"durationSeconds":{run.finished - run.created}}}'
            lines.append(self._log_line(run, run.finished, "info", message, None, fields))
        elif run.state == "cancelled" and run.finished is not None:
            lines.append(self._log_line(run, run.finished, "warning", "run cancelled by operator", None, "{}"))
        return lines

    def _event_lines(self, run: _Run) -> list[str]:
        j = self.clock.json
        head = f',"tenantId":"{run.tenant.id}","runId":"{run.id}","data":'
        lines = []
        if run.started is not None:
            trigger = _CANONICAL_TRIGGER.get(run.trigger, run.trigger)
            data = f'{{"trigger":"{trigger}","shardCount":{run.shard_count}}}'
            lines.append(f'{{"ts":{j(run.started)},"type":"scheduler.run.started"{head}{data}}}\n')
        if run.finished is None:
            return lines
        if run.state == "completed":
            new = run.deltas[0] if run.deltas else 0
            data = f'{{"durationSeconds":{run.finished - run.created},"newFindings":{new}}}'
            lines.append(f'{{"ts":{j(run.finished)},"type":"scheduler.run.completed"{head}{data}}}\n')
        elif run.error is not None:
            data = _error_json(run.error[:2])
            lines.append(f'{{"ts":{j(run.finished)},"type":"scheduler.run.failed"{head}{data}}}\n')
        else:
            lines.append(f'{{"ts":{j(run.finished)},"type":"scheduler.run.cancelled"{head}{{}}}}\n')
        return lines

    def _track(self, run: _Run) -> None:
        """Fold the run into the metric counters of the last 24 h."""
        metrics = self.metrics
        if run.started is not None:
            end = run.finished if run.finished is not None else self.created + 1
            active = metrics.active[run.tenant.index]
            for bucket in range(metrics.bucket(run.started), min(metrics.bucket(end), _SAMPLES + 1)):
                active[bucket] += 1
        if run.finished is None:
            return
        bucket = min(metrics.bucket(run.finished), _SAMPLES + 1)
        if run.error is not None:
            errors = metrics.errors.setdefault((run.tenant.index, run.error[0]), [0] * (_SAMPLES + 2))
            errors[bucket] += 1
        elif run.state == "completed":
            trigger = _CANONICAL_TRIGGER.get(run.trigger, run.trigger)
            series = metrics.durations.setdefault((run.tenant.index, trigger), [(0, 0)] * (_SAMPLES + 2))
            count, total = series[bucket]
            series[bucket] = (count + 1, total + run.finished - run.created)

    # --- evidence ---------------------------------------------------------------------------------

    def _evidence(self, run: _Run, stream: TextIO) -> int:
        """Write evidence of a finished run, each item with an attestation variant; returns the item count."""
        if self.evidence_runs < 2:
            kinds: Sequence[str] = _EVIDENCE_KINDS
        else:
            kinds = sorted(self.rng.sample(_EVIDENCE_KINDS, self._int(1, 3)), key=_EVIDENCE_KINDS.index)
        self.evidence_runs += 1
        produced = run.finished or self.created
        for kind in kinds:
            name, media_type, title, data = self._evidence_file(run, kind, produced)
            path = f"evidence/{run.tenant.id}/{run.slug}/{name}"
            self._write_file(path, data)
            sha256 = hashlib.sha256(data).hexdigest()
            item = {
                "runId": run.id,
                "id": f"ev:{run.tenant.id}:{run.slug}:{kind}",
                "kind": kind,
                "title": self._spice(title, 0.05),
                "path": path,
                "mediaType": media_type,
                "size": len(data),
                "sha256": sha256,
                "attestation": self._attest(path, sha256, run.id, kind, produced),
            }
            stream.write(_encode(item) + "\n")
            self.previous_evidence_sha = sha256
        return len(kinds)

    def _finding_dicts(self, run: _Run) -> list[dict[str, Any]]:
        return [json.loads(self._finding_line(run, finding)) for finding in run.findings]

    def _evidence_file(self, run: _Run, kind: str, produced: int) -> tuple[str, str, str, bytes]:
        """(file name, media type, title, bytes) of one evidence item."""
        if kind == "policy-run":
            summary = {
                "runId": run.id,
                "tenantId": run.tenant.id,
                "policyRevision": run.policy,
                "evaluatedAt": self.clock.iso(produced),
                "verdicts": {
                    "pass": run.completed,
                    "warn": len(run.findings),
                    "fail": len(run.segments) // 2,
                },
            }
            title = f"Policy run summary ({run.policy or 'no policy revision'})"
            return "policy-run.json", "application/json", title, _pretty(summary)
        if kind == "findings-delta":
            return "findings-delta.csv", "text/csv", "Findings delta (CSV)", self._findings_csv(run)
        if kind == "scanner-bundle":
            self.bundles += 1
            damaged = self.bundles == 2 or (self.bundles > 2 and self.r() < 0.1)
            return (
                "scanner-bundle.tar.gz",
                BUNDLE_MEDIA_TYPE,
                "Scanner evidence bundle",
                self._bundle(run, damaged),
            )
        if kind == "explain-bundle":
            explain = {
                "runId": run.id,
                "rules": [
                    {"rule": "block-kev-critical", "matched": sum(1 for f in run.findings if f.kev)},
                    {
                        "rule": "warn-high-in-prod",
                        "matched": sum(1 for f in run.findings if f.severity == "high"),
                    },
                ],
            }
            return "explain.json", "application/json", "Policy explain trace", _pretty(explain)
        iso = self.clock.iso
        lines = [f"{iso(run.created)} planner: {run.candidates} candidates across {run.shard_count} shards"]
        lines += [
            f"{iso(s.started)} {s.id} on {s.executor}: {s.processed}/{s.target}" for s in run.segments if s.started
        ]
        return "planner-trace.log", "text/plain", "Planner trace", ("\n".join(lines) + "\n").encode("utf-8")

    def _findings_csv(self, run: _Run) -> bytes:
        buffer = io.StringIO()
        columns = _CSV_COLUMNS
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for finding in self._finding_dicts(run):
            writer.writerow(["" if finding[c] is None else finding[c] for c in columns])
        return buffer.getvalue().encode("utf-8")

    def _bundle(self, run: _Run, damaged: bool) -> bytes:
        """A gzip'd tar of manifest.json and its entries; `damaged` lists one entry with a wrong sha256."""
        image = run.tenant.images[run.index % len(run.tenant.images)]
        sbom = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {"component": {"name": image.repository, "version": image.tags[0]}},
            "components": [{"purl": _PACKAGES[p][0]} for p in image.packages],
        }
        entries = {
            "findings.json": ("application/json", _pretty(self._finding_dicts(run))),
            "sbom/image.cdx.json": ("application/vnd.cyclonedx+json", _pretty(sbom)),
            "scan.log": ("text/plain", f"scanned {image.digest} in {run.id}\n".encode()),
        }
        listed = []
        for path, (content_type, data) in sorted(entries.items()):
            sha256 = hashlib.sha256(data).hexdigest()
            if damaged and path == "sbom/image.cdx.json":
                sha256 = hashlib.sha256(data + b"tampered").hexdigest()
            listed.append({"path": path, "size": len(data), "sha256": sha256, "contentType": content_type})
        created = self.clock.iso(run.finished or self.created)
        manifest = {"bundleId": f"bundle:{run.tenant.id}:{run.slug}", "createdAt": created, "entries": listed}
        members = {"manifest.json": _pretty(manifest), **{path: entry[1] for path, entry in entries.items()}}
        return deterministic_targz(members, self.created)

    def _attest(
        self, path: str, sha256: str, run_id: str, kind: str, produced: int, variant: str | None = None
    ) -> str | None:
        """Write the file's attestation in `variant` (else the next); returns its path, None when unsigned."""
        variant = variant or self.attestations.pick(self.r())
        if variant == "unsigned":
            return None
        predicate = {"runId": run_id, "kind": kind, "producedAt": self.clock.iso(produced)}
        key: PrivateKey = self.untrusted_key if variant == "untrusted" else self.signing_key
        subject = sha256
        if variant == "invalid-digest":
            # The digest of another file (or, for identical contents, of nothing the snapshot holds).
            subject = self.previous_evidence_sha
            if subject == sha256:
                subject = hashlib.sha256(sha256.encode()).hexdigest()
        envelope = sign_attestation(path.rsplit("/", 1)[1], subject, EVIDENCE_PREDICATE_TYPE, predicate, [key])
        if variant == "invalid-signature":
            signature = bytearray(b64decode_strict(envelope["signatures"][0]["sig"]))
            signature[0] ^= 0x01
            envelope["signatures"][0]["sig"] = base64.b64encode(bytes(signature)).decode("ascii")
        attestation = f"{path}.dsse.json"
        self._write_file(attestation, dump_envelope(envelope))
        return attestation

    def _large_evidence(self, stream: TextIO, total: int) -> None:
        """`other` evidence files of `total` bytes: a seeded 1 MiB block, each MiB stamped with its offset."""
        assert self.anchor is not None  # set by the first run
        run_id, tenant_id, slug = self.anchor
        block = self.rng.randbytes(_BLOCK_BYTES)
        written = 0
        number = 0
        while written < total:
            number += 1
            size = min(_LARGE_FILE_BYTES, total - written)
            path = f"evidence/{tenant_id}/{slug}/large-{number:04d}.bin"
            digest = hashlib.sha256()
            (self.out / path).parent.mkdir(parents=True, exist_ok=True)
            with (self.out / path).open("wb") as handle:
                for offset in range(0, size, _BLOCK_BYTES):
                    chunk = (b"%016x" % (written + offset) + block[16:])[: size - offset]
                    handle.write(chunk)
                    digest.update(chunk)
            sha256 = digest.hexdigest()
            item = {
                "runId": run_id,
                "id": f"ev:{tenant_id}:{slug}:large-{number:04d}",
                "kind": "other",
                "title": f"Raw layer dump, part {number}",
                "path": path,
                "mediaType": "application/octet-stream",
                "size": size,
                "sha256": sha256,
                "attestation": self._attest(path, sha256, run_id, "other", self.created, "verified"),
            }
            stream.write(_encode(item) + "\n")
            self.counts["evidence.ndjson"] += 1
            written += size

    # --- files written after the runs -------------------------------------------------------------

    def _write_schedules(self) -> None:
        with self._open("schedules.ndjson") as stream:
            for tenant in self.tenants:
                for schedule in tenant.schedules:
                    record = {
                        "id": schedule.id,
                        "tenantId": tenant.id,
                        "name": schedule.name,
                        "enabled": schedule.enabled,
                        "cronExpression": schedule.cron,
                        "timezone": schedule.timezone,
                        "mode": schedule.mode,
                        "selection": schedule.selection,
                        "pausedAt": None if schedule.paused_at is None else self.clock.iso(schedule.paused_at),
                        "lastRunId": schedule.last_run_id,
                    }
                    stream.write(_encode(record) + "\n")
                    self.counts["schedules.ndjson"] += 1

    def _write_metrics(self) -> None:
        """Every metric the site knows, sampled every 15 minutes over the last 24 h, and one it does not."""
        metrics = self.metrics

        def series(name: str, labels: dict[str, str]) -> str:
            # Everything of a line after its timestamp but the value, encoded once per series.
            return f',"name":"{name}","labels":{_encode(labels)},"value":'

        depth = [
            (
                series("scheduler_queue_depth", {"tenantId": t.id, "scheduleId": s.id, "stage": stage}),
                self._int(0, 40),
            )
            for t in self.tenants
            for s in t.schedules
            for stage in ("planner", "executor")
        ]
        per_tenant = [
            (
                tenant.index,
                series("scheduler_runs_active", {"tenantId": tenant.id}),
                series("scheduler_determinism_score", {"tenantId": tenant.id}),
                # A metric the site does not know: listed, not charted.
                series("scheduler_cache_hit_ratio", {"tenantId": tenant.id, "cache": "impact-index"}),
            )
            for tenant in self.tenants
        ]
        errors = [
            (series("scheduler_runs_error_total", {"tenantId": self.tenants[t].id, "code": code}), counters)
            for (t, code), counters in sorted(metrics.errors.items())
        ]
        error_totals = [counters[0] for _, counters in errors]
        durations = [
            (
                series("scheduler_runs_duration_seconds", {"tenantId": self.tenants[t].id, "trigger": trigger}),
                values,
            )
            for (t, trigger), values in sorted(metrics.durations.items())
        ]
        lines = 0
        with self._open("metrics.ndjson") as stream:
            write = stream.write
            for bucket in range(1, _SAMPLES + 1):
                head = '{"ts":' + self.clock.json(metrics.first_sample + (bucket - 1) * _SAMPLE_SECONDS)
                chunk = []
                for position, (rest, value) in enumerate(depth):
                    value = max(0, value + self._int(-12, 12) + (60 if self.r() < 0.02 else 0))
                    depth[position] = (rest, value)
                    chunk.append(f"{head}{rest}{value}}}\n")
                for tenant_index, active, determinism, ratio in per_tenant:
                    score = 0.97 + 0.03 * self.r() if self.r() > 0.03 else 0.8 + 0.1 * self.r()
                    chunk.append(f"{head}{active}{metrics.active[tenant_index][bucket]}}}\n")
                    chunk.append(f"{head}{determinism}{round(score, 4)!r}}}\n")
                    chunk.append(f"{head}{ratio}{round(0.6 + 0.4 * self.r(), 3)!r}}}\n")
                for position, (rest, counters) in enumerate(errors):
                    error_totals[position] += counters[bucket]
                    chunk.append(f"{head}{rest}{error_totals[position]}}}\n")
                for rest, values in durations:
                    count, total = values[bucket]
                    if count:
                        chunk.append(f"{head}{rest}{round(total / count, 1)!r}}}\n")
                write("".join(chunk))
                lines += len(chunk)
        self.counts["metrics.ndjson"] = lines

    def _write_impact(self) -> None:
        with self._open("impact.ndjson") as stream:
            for tenant in self.tenants:
                for image in tenant.images:
                    packages = [_PACKAGES[p] for p in image.packages]
                    record = {
                        "tenantId": tenant.id,
                        "imageDigest": image.digest,
                        "repository": image.repository,
                        "tags": list(image.tags),
                        "purls": [purl for purl, _ in packages],
                        "vulnerabilityIds": [v[0] for _, vulnerabilities in packages for v in vulnerabilities],
                    }
                    stream.write(_encode(record) + "\n")
                    self.counts["impact.ndjson"] += 1

    def _write_runbooks(self) -> None:
        hostile = _RUNBOOK_HOSTILE if self.hostile else ""
        self._write_file("runbooks/ERR_RUN_005.md", (_RUNBOOK_005 + hostile).encode("utf-8"))
        self._write_file("runbooks/ERR_RUN_014.md", _RUNBOOK_014.encode("utf-8"))


_RUNBOOK_005 = """\
# ERR_RUN_005 - Scanner timeout (demo site override)

This snapshot's operators replaced the default runbook: scanners in this environment share a registry
mirror, so most timeouts are mirror latency, not scanner load.

1. Open the run's **Segments** tab and note the executor of the segment in error.
2. Check the mirror: `curl -sS -o /dev/null -w '%{time_total}\\n' https://mirror.internal/v2/`.
3. If the mirror answers in under 2 s, retry the segment after its cooldown:

   ```sh
   stella runs retry --run <run id>
   ```

4. Otherwise escalate to the *Registry* on-call with the run's correlation ID.

> Timeouts on more than 10 % of segments in an hour page the Scheduler Guild.
"""

_RUNBOOK_014 = """\
# ERR_RUN_014 - Registry authentication failed

The executor could not pull an image: the registry answered `401 Unauthorized`.

- Rotate the pull secret of the tenant (`stella registry creds rotate --tenant <id>`).
- Check that the robot account has not expired.
- Retry the run once the secret is in place; the retry links back here through `retryOf`.
"""

_RUNBOOK_HOSTILE = """
## Pasted from the incident channel

<script>alert(1)</script>

<img src="x" onerror="alert(1)">

[Open the dashboard](javascript:alert(1)) and check `ERR_RUN_005` \u202eevil\u202c text.
"""

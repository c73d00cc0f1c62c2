"""The demo's vocabulary: tenants, schedule templates, packages, triggers, states, errors and their weights.

Weights and orders are part of the output: changing one changes every byte after it.
"""

from __future__ import annotations

# Run ids end in 6 hex digits made from the run's index by a bijection on 24 bits: unique without a set.
MAX_RUNS = 1 << 24
NONCE_MULTIPLIER = 0x9E3779  # odd, so index -> index * m mod 2**24 is a bijection
HOUR = 3600
DAY = 24 * HOUR
RECENT_SECONDS = 3 * HOUR
SAMPLE_SECONDS = 15 * 60
SAMPLES = 96

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
CELL_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

NAMED_TENANTS = (
    ("acme", "Acme Corp"),
    ("globex", "Globex Corporation"),
    ("initech", "Initech"),
    ("umbrella", "Umbrella Corporation"),
    ("hooli", "Hooli"),
    ("soylent", "Soylent Corp"),
)

# (name, slug, cron, time zone, mode, selection scope)
SCHEDULE_TEMPLATES = (
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
PACKAGES: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
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
TEAMS = ("payments", "identity", "platform", "web", "data", "edge")
SERVICES = ("api", "worker", "gateway", "frontend", "ingest", "billing", "auth", "search")
IMAGES_PER_TENANT = 12

TRIGGERS = ("cron", "manual", "feedser", "concelier", "vexer", "excititor", "policy", "content-refresh")
TRIGGER_WEIGHTS = (45, 9, 7, 4, 6, 3, 10, 6)
CANONICAL_TRIGGER = {"concelier": "feedser", "excititor": "vexer"}
SYSTEM_INITIATORS = {
    "cron": "system:scheduler",
    "feedser": "system:concelier",
    "concelier": "system:concelier",
    "vexer": "system:excititor",
    "excititor": "system:excititor",
    "policy": "system:policy-engine",
    "content-refresh": "system:scheduler",
}
USERS = ("user:alice", "user:bob", "user:chandra@acme.example", "svc:ci-pipeline", "user:dmitri")
BULK_STATES = ("completed", "error", "cancelled")
BULK_STATE_WEIGHTS = (80, 12, 8)
RECENT_STATES = ("completed", "error", "cancelled", "running", "queued", "planning")
RECENT_STATE_WEIGHTS = (45, 8, 4, 25, 10, 8)
# Run errors: (code, message, failing phase, weight).
RUN_ERRORS = (
    ("ERR_RUN_001", "planner lock held by scheduler-planner-2 for 312 s", "planner", 3),
    ("ERR_RUN_005", "scanner timeout after 900 s on 14 targets", "execution", 6),
    ("ERR_RUN_009", "impact index stale: generated 81 h ago (window 72 h)", "planner", 2),
    ("ERR_RUN_014", "registry authentication failed (401) for registry mirror", "execution", 2),
    ("ERR_RUN_022", "executor out of memory (exit 137) while unpacking layers", "execution", 1),
)
EXECUTORS = tuple(f"scanner-worker-{zone}-{n:02d}" for zone in ("eu-1a", "eu-1b", "us-2a") for n in (1, 2, 3, 4))
CHANGES = ("new", "resolved", "severity-changed", "quieted")
SEVERITIES = ("critical", "high", "medium", "low", "none", "unknown")
EVIDENCE_KINDS = ("policy-run", "findings-delta", "scanner-bundle", "explain-bundle", "other")
# Attestation variants: the last two are both `invalid` (a digest of another file; a broken signature).
ATTESTATIONS = ("verified", "unsigned", "untrusted", "invalid-digest", "invalid-signature")
ATTESTATION_WEIGHTS = (70, 12, 8, 5, 5)

DELTA_NAMES = (
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
SEGMENT_IDS = tuple(f"seg-{n:02d}" for n in range(1, 6))

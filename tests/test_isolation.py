"""A `--tenant` build contains nothing of any other tenant (site contract), searched byte by byte: every file
of the output (HTML, JS data, CSV, scripts, SHA256SUMS, and every member of every .tar.gz bundle) for every
other tenant's id, name, run ids, evidence ids and paths, and their file names; and the record counts on the
verification page are the build's own."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import KeyPair
from snapsite.authoring.demo import write_demo
from snapsite.authoring.sign import sign_snapshot
from snapsite.site.build import build_site
from snapsite.site.config import FEATURES, KNOWN_SCOPES, BuildOptions
from snapsite.site.views.runs import OUTSIDE_RUN


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture(scope="module")
def tenant_snapshot(tmp_path_factory: pytest.TempPathFactory, keypair: KeyPair) -> Path:
    """A 3-tenant demo whose runs retry other tenants' runs, with files named after each tenant."""
    root = tmp_path_factory.mktemp("isolation") / "snap"
    write_demo(root, runs=60, tenants=3, seed=4, key_paths=[keypair.private])
    runs = _records(root / "runs.ndjson")
    tenants = [t["id"] for t in json.loads((root / "tenants.json").read_text())]
    first = {t: next(r for r in runs if r["tenantId"] == t) for t in tenants}
    for index, tenant in enumerate(tenants):
        # Each tenant's first run retries the next tenant's first run: a reference across tenants.
        first[tenant]["retryOf"] = first[tenants[(index + 1) % len(tenants)]]["id"]
        (root / f"{tenant}-merger-plans.txt").write_text(f"{tenant} only\n")
    (root / "runs.ndjson").write_text("".join(json.dumps(r) + "\n" for r in runs))
    # A schedule's lastRunId and an event's runId that name another tenant's run.
    for name, field in (("schedules.ndjson", "lastRunId"), ("events.ndjson", "runId")):
        records = _records(root / name)
        for index, tenant in enumerate(tenants):
            mine = next(r for r in records if r["tenantId"] == tenant)
            mine[field] = first[tenants[(index + 1) % len(tenants)]]["id"]
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in records))
    sign_snapshot(root, [keypair.private])
    return root


def _own_text(snapshot: Path, tenant: str, run_ids: set[str]) -> str:
    """Every record of `tenant` (by tenantId or by runId) as JSON text, less its references to runs."""
    lines = []
    for path in sorted(snapshot.glob("*.ndjson")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line:
                continue
            record = json.loads(line)
            if record.get("tenantId") == tenant or record.get("runId") in run_ids or record.get("id") in run_ids:
                # References the build must hide, not the build's own data.
                for field in ("retryOf", "lastRunId") + (("runId",) if path.name == "events.ndjson" else ()):
                    record.pop(field, None)
                lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines)


def _output_bytes(site: Path) -> dict[str, bytes]:
    """Every file of the site, and every member of every .tar.gz or .tgz in it, by name."""
    found: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        name = path.relative_to(site).as_posix()
        found[name] = data
        if name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                for member in tar.getmembers():
                    extracted = tar.extractfile(member)
                    found[f"{name}!{member.name}"] = extracted.read() if extracted else b""
    return found


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_tenant_build_holds_nothing_of_another_tenant(
    tenant_snapshot: Path, keypair: KeyPair, tmp_path: Path, index: int
) -> None:
    tenants = json.loads((tenant_snapshot / "tenants.json").read_text())
    keep = tenants[index]["id"]
    others = [t for t in tenants if t["id"] != keep]
    runs = _records(tenant_snapshot / "runs.ndjson")
    evidence = _records(tenant_snapshot / "evidence.ndjson")
    foreign_runs = {str(r["id"]) for r in runs if r["tenantId"] != keep}
    needles = {t["id"] for t in others} | {t["name"] for t in others} | foreign_runs
    needles |= {f"{t['id']}-merger-plans.txt" for t in others}
    for item in evidence:
        if item["runId"] in foreign_runs:
            needles |= {str(item["id"]), str(item["path"])} | (
                {str(item["attestation"])} if item["attestation"] else set()
            )
    # A needle that the build's own records contain is the build's data, not a leak (the demo's initiators
    # are e-mail addresses such as user:chandra@acme.example in every tenant).
    own = _own_text(tenant_snapshot, keep, {str(r["id"]) for r in runs if r["tenantId"] == keep})
    needles = {n for n in needles if n not in own}
    assert foreign_runs <= needles and {f"{t['id']}-merger-plans.txt" for t in others} <= needles
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)).encode())

    out = tmp_path / keep
    features = {**FEATURES, "runs.evidenceBundles": True}
    build_site(
        BuildOptions(
            snapshot=tenant_snapshot,
            trust_roots=(keypair.public,),
            output=out,
            tenants=(keep,),
            scopes=KNOWN_SCOPES,
            features=features,
        )
    )
    files = _output_bytes(out)
    assert any("!" in name for name in files), "no bundle was searched"
    assert any(name.startswith("scripts/") for name in files)
    leaks = [
        (name, match.group().decode()) for name, data in files.items() for match in [pattern.search(data)] if match
    ]
    leaks += [(name, "(in the name)") for name in files if pattern.search(name.encode())]
    assert not leaks, leaks[:10]

    # The cross-tenant retryOf is there, without its id.
    own_first_id = str(next(r for r in runs if r["tenantId"] == keep)["id"])
    assert any(OUTSIDE_RUN.encode() in data for name, data in files.items() if name.startswith("data/detail-"))
    page = next(
        data
        for name, data in files.items()
        if name.startswith("runs/")
        and own_first_id.encode() in data
        and b"<main" in data
        and f'data-run-id="{own_first_id}"'.encode() in data
    )
    assert OUTSIDE_RUN.encode() in page

    # Record counts are the build's own, not the snapshot's.
    kept_runs = {str(r["id"]) for r in runs if r["tenantId"] == keep}
    expected = {
        "runs.ndjson": len(kept_runs),
        "tenants.json": 1,
        "evidence.ndjson": sum(1 for e in evidence if e["runId"] in kept_runs),
        "segments.ndjson": sum(1 for s in _records(tenant_snapshot / "segments.ndjson") if s["runId"] in kept_runs),
        "logs.ndjson": sum(1 for s in _records(tenant_snapshot / "logs.ndjson") if s["runId"] in kept_runs),
    }
    soup = BeautifulSoup(files["verification.html"], "html.parser")
    shown = {}
    for row in soup.select("#records table.records tr"):
        cells = [c.get_text(strip=True) for c in row.find_all(["th", "td"])]
        if len(cells) == 2 and cells[1].isdigit():
            shown[cells[0]] = int(cells[1])
    for name, count in expected.items():
        assert shown[name] == count, (name, shown)
    assert "of the manifest are not listed: they were verified" in soup.get_text(" ", strip=True)

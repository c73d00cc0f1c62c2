"""`snapsite build` end to end on real snapshots: guarantees of the site contract, each with a test."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import KeyPair, SnapshotBuilder, cli, files_of, snapsite
from snapsite.errors import ExitCode, SnapshotError
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.names import portable_problem
from snapsite.site.run_pages import render_workers

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)
HOSTILE = (
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "javascript:alert(1)",
    "</script><script>alert(2)</script>",
    "\u2028",
    "=cmd|' /C calc'!A0",
    "\u202egnp.exe",
)


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory, keypair: KeyPair) -> Path:
    out = tmp_path_factory.mktemp("demo") / "snap"
    from snapsite.authoring.demo import write_demo

    write_demo(out, runs=120, tenants=3, seed=11, key_paths=[keypair.private])
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_snapshot: Path, keypair: KeyPair) -> Path:
    output = tmp_path_factory.mktemp("site") / "out"
    build_site(BuildOptions(snapshot=demo_snapshot, trust_roots=(keypair.public,), output=output))
    return output


def test_every_contract_page_exists(site: Path) -> None:
    for name in (
        "index.html",
        "schedules.html",
        "observability.html",
        "evidence.html",
        "verification.html",
        "SHA256SUMS",
    ):
        assert (site / name).is_file(), name
    assert len(list((site / "runs").glob("*/*.html"))) == 120
    assert list((site / "runbooks").glob("ERR_RUN_00*.html"))
    assert list((site / "downloads" / "findings").glob("*/*.csv"))
    assert list((site / "scripts").glob("*.sh"))


def test_sha256sums_passes_sha256sum_check(site: Path) -> None:
    result = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=site, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = {line.split("  ", 1)[1] for line in (site / "SHA256SUMS").read_text().splitlines()}
    assert listed == set(files_of(site)) - {"SHA256SUMS"}


def test_every_page_is_self_contained_and_safe(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None and meta["content"] == CSP, path
        body = soup.body
        assert body is not None and body.get("data-verification") == "verified"
        assert body.get("data-snapshot-id")
        for script in soup.find_all("script"):
            assert script.get("src") and not script.string, (path, script)
        for tag in soup.find_all(True):
            for attribute, value in tag.attrs.items():
                assert not attribute.lower().startswith("on"), (path, tag.name, attribute)
                assert attribute.lower() != "style", (path, tag.name)
                if attribute in ("href", "src", "action", "formaction"):
                    text = str(value).strip().lower()
                    assert not re.match(r"^[a-z][a-z0-9+.-]*:", text), (path, value)
                    assert not text.startswith("//"), (path, value)
                    if not text.startswith("#"):
                        target = (path.parent / str(value).split("#")[0]).resolve()
                        assert target.is_file(), (path, value)


def test_hostile_strings_are_inert(site: Path, demo_snapshot: Path) -> None:
    raw_inputs = b"".join(p.read_bytes() for p in demo_snapshot.glob("*.ndjson"))
    assert b"<script>alert(1)</script>" in raw_inputs, "the demo must carry hostile strings"
    for name, data in files_of(site).items():
        text = data.decode("utf-8", errors="replace")
        if name.endswith((".html", ".js")):
            assert "<script>alert" not in text, name
            assert "\u202e" not in text, name  # shown as <U+202E>, never reordering the page
        if name.endswith(".js"):
            assert "</script" not in text.lower(), name
            assert "\u2028" not in text and "\u2029" not in text, name
        # Our own CSVs are neutralised; evidence files are signed artefacts, copied byte for byte.
        if name.startswith("downloads/") and name.endswith(".csv"):
            for line in text.splitlines()[1:]:
                for cell in re.findall(r'(?:^|,)("(?:[^"]|"")*"|[^,]*)', line):
                    value = cell.strip('"')
                    assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_portable_names(site: Path) -> None:
    seen: dict[str, str] = {}
    for path in site.rglob("*"):
        relative = path.relative_to(site).as_posix()
        for segment in relative.split("/"):
            assert portable_problem(segment) is None, relative
        assert relative.casefold() not in seen, (relative, seen.get(relative.casefold()))
        seen[relative.casefold()] = relative


def test_run_page_sections_and_hooks(site: Path, demo_snapshot: Path) -> None:
    first = json.loads((demo_snapshot / "runs.ndjson").read_text().splitlines()[0])
    from snapsite.site.names import run_slug

    page = BeautifulSoup((site / "runs" / f"{run_slug(first['id'])}.html").read_text(), "html.parser")
    main = page.find("main")
    assert main is not None and main.get("data-run-id") == first["id"]
    for section in ("summary", "progress", "segments", "deltas", "evidence", "logs", "actions"):
        assert page.find(id=section) is not None, section


def test_index_rows_and_result_count(site: Path, demo_snapshot: Path) -> None:
    runs = [json.loads(line) for line in (demo_snapshot / "runs.ndjson").read_text().splitlines()]
    active = [r for r in runs if r["state"] in ("planning", "queued", "running")]
    page = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    count = page.select_one('[data-testid="result-count"]')
    assert count is not None and int(count.get_text(strip=True)) == len(active)
    shown = {tr["data-run-id"] for tr in page.select("tr[data-run-id]")}
    assert shown <= {r["id"] for r in active} and shown
    assert page.find("noscript") is not None


def test_build_is_byte_identical_across_environments(demo_snapshot: Path, keypair: KeyPair, tmp_path: Path) -> None:
    outputs = []
    for n, (tz, lc, seed) in enumerate((("UTC", "C", "1"), ("Pacific/Auckland", "C.UTF-8", "4242"))):
        out = tmp_path / f"out{n}"
        result = snapsite(
            "build",
            demo_snapshot,
            "--trust-root",
            keypair.public,
            "-o",
            out,
            "-q",
            env={"TZ": tz, "LC_ALL": lc, "PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stderr
        outputs.append(files_of(out))
    assert outputs[0].keys() == outputs[1].keys()
    differing = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert not differing


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="render workers need two cores")
def test_render_workers_give_the_bytes_of_one_process(demo_snapshot: Path, keypair: KeyPair, tmp_path: Path) -> None:
    # Workers come from a forkserver and receive the context pickled (renderer and container made again there),
    # and each bucket's rows and evidence with its job: none of it may change a byte.
    assert render_workers(120, parallel_from=0) >= 2
    assert render_workers(120) == 0
    features = {"runs.evidenceBundles": True, "runs.dashboard.enabled": True}
    outputs = []
    for name, parallel_from in (("serial", 1 << 30), ("pool", 0)):
        options = BuildOptions(
            snapshot=demo_snapshot, trust_roots=(keypair.public,), output=tmp_path / name, features=features
        )
        result = build_site(options, parallel_from=parallel_from)
        assert result.pages > 120
        outputs.append(files_of(tmp_path / name))
    assert any(name.startswith("bundles/") for name in outputs[0])
    assert outputs[0].keys() == outputs[1].keys()
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []


def test_failed_build_leaves_previous_output_untouched(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    output = tmp_path / "site"
    build_site(BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=output))
    before = files_of(output)
    snapshot.write("runs.ndjson", snapshot.read("runs.ndjson") + b"{}\n")
    with pytest.raises(SnapshotError) as failure:
        build_site(BuildOptions(snapshot=snapshot.root, trust_roots=(snapshot.key.public,), output=output))
    assert failure.value.exit_code == ExitCode.DIGEST
    assert files_of(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", snapshot.root.name])


def test_refuses_unverified_with_verify_exit_codes(
    snapshot: SnapshotBuilder, other_keypair: KeyPair, tmp_path: Path
) -> None:
    result = cli("build", snapshot.root, "--trust-root", other_keypair.public, "-o", tmp_path / "o")
    assert result.returncode == ExitCode.SIGNATURE
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()
    allowed = cli(
        "build", snapshot.root, "--trust-root", other_keypair.public, "-o", tmp_path / "o", "--allow-unverified", "-q"
    )
    assert allowed.returncode == 0, allowed.stderr
    for path in (tmp_path / "o").rglob("*.html"):
        body = BeautifulSoup(path.read_text(), "html.parser").body
        assert body is not None and body["data-verification"] == "unverified"


def test_tenant_isolation_scans_every_byte(demo_snapshot: Path, keypair: KeyPair, tmp_path: Path) -> None:
    tenants = json.loads((demo_snapshot / "tenants.json").read_text())
    keep, others = tenants[0], tenants[1:]
    out = tmp_path / "one"
    build_site(BuildOptions(snapshot=demo_snapshot, trust_roots=(keypair.public,), output=out, tenants=(keep["id"],)))
    foreign_runs = [
        json.loads(line)["id"]
        for line in (demo_snapshot / "runs.ndjson").read_text().splitlines()
        if json.loads(line)["tenantId"] != keep["id"]
    ]
    needles = [t["id"].encode() for t in others] + [t["name"].encode() for t in others]
    needles += [r.encode() for r in foreign_runs[:50]]
    for name, data in files_of(out).items():
        for needle in needles:
            assert needle not in data and needle not in name.encode(), (name, needle)


def test_scopes_withhold_policy_and_downloads(demo_snapshot: Path, keypair: KeyPair, tmp_path: Path) -> None:
    out = tmp_path / "narrow"
    build_site(
        BuildOptions(snapshot=demo_snapshot, trust_roots=(keypair.public,), output=out, scopes=frozenset({"runs.read"}))
    )
    assert not (out / "evidence").exists()
    runs = [json.loads(line) for line in (demo_snapshot / "runs.ndjson").read_text().splitlines()]
    revisions = {r["policyRevision"].encode() for r in runs if r["policyRevision"]}
    for name, data in files_of(out).items():
        for revision in revisions:
            assert revision not in data, (name, revision)
    no_policy = tmp_path / "no-policy"
    build_site(
        BuildOptions(
            snapshot=demo_snapshot,
            trust_roots=(keypair.public,),
            output=no_policy,
            scopes=frozenset({"runs.read", "downloads.read"}),
        )
    )
    items = [json.loads(line) for line in (demo_snapshot / "evidence.ndjson").read_text().splitlines()]
    page = BeautifulSoup((no_policy / "evidence.html").read_text(), "html.parser")
    listed = {row["data-evidence-id"] for row in page.select("[data-evidence-id]")}
    assert listed == {i["id"] for i in items if i["kind"] != "policy-run"}


def test_manage_scope_adds_actions(demo_snapshot: Path, keypair: KeyPair, tmp_path: Path) -> None:
    plain, manage = tmp_path / "plain", tmp_path / "manage"
    build_site(BuildOptions(snapshot=demo_snapshot, trust_roots=(keypair.public,), output=plain))
    build_site(
        BuildOptions(
            snapshot=demo_snapshot,
            trust_roots=(keypair.public,),
            output=manage,
            scopes=frozenset({"runs.read", "runs.manage", "policy:runs", "downloads.read"}),
        )
    )

    def retries(root: Path) -> int:
        return sum(p.read_text().count("stella runs retry") for p in (root / "runs").glob("*/*.html"))

    assert retries(plain) == 0
    assert retries(manage) > 0
    assert (manage / "scripts" / "retry-failed-runs.sh").is_file()
    assert not (plain / "scripts" / "retry-failed-runs.sh").exists()

"""`snapsite export` and the site's bundles: reproducible archives with safe member names."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from conftest import KeyPair, SnapshotBuilder, cli
from snapsite.errors import ExitCode
from snapsite.snapshot.member_names import check_member_name


def first_run(snapshot: SnapshotBuilder) -> str:
    run_id: str = snapshot.records("runs.ndjson")[0]["id"]
    return run_id


def test_export_is_byte_identical_across_runs_and_time_zones(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    run_id = first_run(snapshot)
    outputs = []
    for n, tz in enumerate(("UTC", "America/New_York")):
        out = tmp_path / f"bundle{n}.tar.gz"
        result = cli(
            "export",
            snapshot.root,
            "--trust-root",
            snapshot.key.public,
            "--run",
            run_id,
            "-o",
            out,
            env={"TZ": tz, "PYTHONHASHSEED": str(n + 1)},
        )
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0][4:8] == b"\x00\x00\x00\x00"  # gzip header mtime zeroed


def test_bundle_members_are_safe_and_self_checking(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    run_id = first_run(snapshot)
    out = tmp_path / "b.tar.gz"
    assert cli("export", snapshot.root, "--trust-root", snapshot.key.public, "--run", run_id, "-o", out).returncode == 0
    with tarfile.open(out, "r:gz") as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)
        contents = {m.name: tar.extractfile(m).read() for m in members if m.isfile()}  # type: ignore[union-attr]
        for member in members:
            assert member.isfile() and check_member_name(member.name) is None, member.name
            assert (member.uid, member.gid, member.uname, member.gname, member.mode) == (0, 0, "", "", 0o644)
            assert member.mtime == 1_795_176_000  # 2026-11-20T12:00:00Z, the snapshot's createdAt
    assert {
        "run.json",
        "findings.csv",
        "manifest.json",
        "SHA256SUMS",
        "README.txt",
        "evidence/run1/policy.json",
        "evidence/run1/policy.json.dsse.json",
    } <= set(contents)
    assert json.loads(contents["run.json"])["id"] == run_id
    manifest = json.loads(contents["manifest.json"])
    for entry in manifest["members"]:
        data = contents[entry["path"]]
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])
    extracted = tmp_path / "x"
    with tarfile.open(out, "r:gz") as tar:
        tar.extractall(extracted, filter="data")
    check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=extracted, capture_output=True)
    assert check.returncode == 0


def test_export_refuses_unverified_and_unknown_runs(
    snapshot: SnapshotBuilder, other_keypair: KeyPair, tmp_path: Path
) -> None:
    out = tmp_path / "b.tar.gz"
    wrong_key = cli(
        "export", snapshot.root, "--trust-root", other_keypair.public, "--run", first_run(snapshot), "-o", out
    )
    assert wrong_key.returncode == ExitCode.SIGNATURE and not out.exists()
    unknown = cli("export", snapshot.root, "--trust-root", snapshot.key.public, "--run", "run:none", "-o", out)
    assert unknown.returncode == ExitCode.NOT_FOUND and "run:none" in unknown.stderr and not out.exists()


@pytest.fixture
def bundle_site(snapshot: SnapshotBuilder, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    result = cli(
        "build",
        snapshot.root,
        "--trust-root",
        snapshot.key.public,
        "-o",
        out,
        "-q",
        "--feature",
        "runs.evidenceBundles=on",
    )
    assert result.returncode == 0, result.stderr
    return out


def test_site_bundle_matches_export_and_is_listed(bundle_site: Path, snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    from snapsite.site.names import run_slug

    run_id = first_run(snapshot)
    in_site = bundle_site / "bundles" / f"{run_slug(run_id)}.tgz"
    exported = tmp_path / "e.tar.gz"
    assert (
        cli("export", snapshot.root, "--trust-root", snapshot.key.public, "--run", run_id, "-o", exported).returncode
        == 0
    )
    with tarfile.open(in_site) as a, tarfile.open(exported) as b:
        assert [m.name for m in a] == [m.name for m in b]
        assert io.BytesIO(a.extractfile("run.json").read()).getvalue() == b.extractfile("run.json").read()  # type: ignore[union-attr]
    digest = hashlib.sha256(in_site.read_bytes()).hexdigest()
    assert digest in (bundle_site / "evidence.html").read_text()
    assert digest in (bundle_site / "runs" / f"{run_slug(run_id)}.html").read_text()

"""Finding 7: `export` and `verify-site` gaps. A snapshot path could replace a bundle's own member, case twins
could share a tar, a planted link at the partial file was followed; verify-site passed FIFOs, exited 3 on a
symlinked listed file, and said VERIFIED for a site built from an unverified snapshot."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tarfile
from pathlib import Path

from conftest import SnapshotBuilder, cli
from hostile import one_error_line, tree_state
from snapsite.errors import ExitCode
from snapsite.snapshot.member_names import collision_key


def _evidence_at(snapshot: SnapshotBuilder, *paths: str) -> str:
    """Evidence items of the first run at `paths` (each file written with distinct content); the run id."""
    items = snapshot.records("evidence.ndjson")
    for n, path in enumerate(paths):
        body = f"evidence {n} at {path}\n".encode()
        snapshot.write(path, body)
        digest = hashlib.sha256(body).hexdigest()
        items.append({**items[1], "id": f"ev-{n}", "path": path, "size": len(body), "sha256": digest})
    snapshot.write_records("evidence.ndjson", items)
    snapshot.sign()
    return str(items[0]["runId"])


def _export(snapshot: SnapshotBuilder, run_id: str, out: Path) -> tuple[int, str, dict[str, bytes]]:
    result = cli("export", snapshot.root, "--trust-root", snapshot.key.public, f"--run={run_id}", "-o", out)
    if result.returncode != 0:
        return result.returncode, result.stderr, {}
    with tarfile.open(out, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    return 0, result.stderr, members


def test_a_snapshot_path_cannot_replace_the_bundles_own_members(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    run_id = _evidence_at(snapshot, "run.json", "Findings.csv", "manifest.json.x", "README.TXT")
    code, stderr, members = _export(snapshot, run_id, tmp_path / "run.tar.gz")
    assert code == 0, stderr
    assert json.loads(members["run.json"])["id"] == run_id  # the record, not the evidence file
    assert members["snapshot/run.json"] == b"evidence 0 at run.json\n"
    assert members["snapshot/Findings.csv"] == b"evidence 1 at Findings.csv\n"
    assert members["findings.csv"].startswith(b"runId,")
    assert members["evidence/run1/policy.json"] == snapshot.read("evidence/run1/policy.json")
    keys = [collision_key(name) for name in members]
    assert len(keys) == len(set(keys))  # no case twins


def test_a_link_planted_at_the_partial_file_is_never_followed(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / ".run.tar.gz.partial").symlink_to(victim)
    before = tree_state(tmp_path, skip=tmp_path / "run.tar.gz")
    run_id = str(snapshot.records("runs.ndjson")[0]["id"])
    code, stderr, members = _export(snapshot, run_id, tmp_path / "run.tar.gz")
    assert code == 0, stderr
    assert "run.json" in members
    assert tree_state(tmp_path, skip=tmp_path / "run.tar.gz") == before  # victim and link untouched


def test_export_refuses_an_output_that_is_a_link(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "run.tar.gz").symlink_to(victim)
    before = tree_state(tmp_path)
    result = cli("export", snapshot.root, "--trust-root", snapshot.key.public, "--run=x", "-o", tmp_path / "run.tar.gz")
    assert result.returncode == ExitCode.USAGE
    assert (
        one_error_line(result) == f"snapsite: error: output {tmp_path / 'run.tar.gz'} exists and is not a regular file"
    )
    assert tree_state(tmp_path) == before


def _site(snapshot: SnapshotBuilder, tmp_path: Path, *extra: str) -> Path:
    site = tmp_path / "site"
    result = cli("build", snapshot.root, "--trust-root", snapshot.key.public, "-o", site, "-q", *extra)
    assert result.returncode == 0, result.stderr
    return site


def test_verify_site_fails_a_fifo_and_a_socket(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    site = _site(snapshot, tmp_path)
    os.mkfifo(site / "data" / "pipe")
    result = cli("verify-site", site)  # must neither block on the FIFO nor pass it
    assert result.returncode == ExitCode.DIGEST
    assert one_error_line(result) == "snapsite: digest: data/pipe: a FIFO: only regular files may be in a site"
    (site / "data" / "pipe").unlink()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(site / "sock"))
        result = cli("verify-site", site)
    assert result.returncode == ExitCode.DIGEST
    assert one_error_line(result) == "snapsite: digest: sock: a socket: only regular files may be in a site"


def test_verify_site_fails_a_listed_file_replaced_by_a_link_with_2(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    site = _site(snapshot, tmp_path)
    copy = tmp_path / "index-copy.html"
    copy.write_bytes((site / "index.html").read_bytes())  # same bytes: only the link itself is wrong
    (site / "index.html").unlink()
    (site / "index.html").symlink_to(copy)
    result = cli("verify-site", site)
    assert result.returncode == ExitCode.DIGEST, result.stderr
    assert one_error_line(result) == "snapsite: digest: index.html: a symlink: only regular files may be in a site"


def test_verify_site_flags_a_site_built_from_an_unverified_snapshot(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    snapshot.write("runs.ndjson", snapshot.read("runs.ndjson").replace(b"system:scheduler", b"system:tampered"))
    site = _site(snapshot, tmp_path, "--allow-unverified", "--sign-key", str(snapshot.key.private))
    result = cli("verify-site", site, "--trust-root", snapshot.key.public)
    assert result.returncode == 0, result.stderr  # the site is what was signed ...
    lines = result.stdout.splitlines()
    assert "snapshot   unverified (as the site's signed predicate says)" in lines
    assert lines[-1] == "verdict    VERIFIED, but built from an UNVERIFIED snapshot (--allow-unverified)"
    assert "snapsite: warning: the site was built from a snapshot that failed verification" in result.stderr
    report = json.loads(cli("verify-site", site, "--trust-root", snapshot.key.public, "--json").stdout)
    assert report["snapshotVerdict"] == "unverified"

"""Finding 4: limits did not hold everywhere. build, serve and export had no caps; pax header bytes were not
counted; nested bundles had a fixed 8 GiB cap; up to 1 MiB after the end-of-archive marker (a hidden member) was
accepted. Now one set of limits holds for every command, and a bomb stops at the cap plus one buffer."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import zstandard
from conftest import SnapshotBuilder, cli, pack_tree, snapsite
from hostile import one_error_line, tree_state
from snapsite.errors import ExitCode
from snapsite.snapshot.hashing import CHUNK
from snapsite.spec import BUNDLE_MEDIA_TYPE

MiB = 1 << 20
CAP_HINT = "(the cap; raise it with --max-bytes)"


def _tar(members: list[tuple[str, bytes, dict[str, str]]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, pax in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.pax_headers = pax
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _command(name: str, archive: Path, snapshot: SnapshotBuilder, out: Path, *caps: str) -> list[str | Path]:
    key = snapshot.key.public
    commands: dict[str, list[str | Path]] = {
        "verify": ["verify", archive, "--trust-root", key, *caps],
        "build": ["build", archive, "--trust-root", key, "-o", out / "site", "-q", *caps],
        "export": ["export", archive, "--trust-root", key, "--run=x", "-o", out / "b.tar.gz", *caps],
    }
    return commands[name]


@pytest.mark.parametrize("command", ["verify", "build", "export"])
def test_every_command_takes_the_caps(snapshot: SnapshotBuilder, tmp_path: Path, command: str) -> None:
    archive = snapshot.pack("tar.gz")
    out = tmp_path / "out"
    out.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = tree_state(tmp_path)
    for caps, hint in ((("--max-bytes", "1000"), CAP_HINT), (("--max-members", "3"), "--max-members)")):
        result = snapsite(*_command(command, archive, snapshot, out, *caps), env={"TMPDIR": str(scratch)})
        assert result.returncode == ExitCode.INVALID, result.stderr
        line = one_error_line(result)
        assert line.startswith(("snapsite: container: ", "snapsite: error: container: ")) and line.endswith(hint)
        assert tree_state(tmp_path) == before  # no site, no bundle, no extraction left behind


def test_serve_takes_the_caps(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    result = cli(
        "serve", snapshot.pack("tar"), "--trust-root", snapshot.key.public, "-o", tmp_path / "site",
        "--port", "0", "--max-bytes", "1000",
    )  # fmt: skip
    assert result.returncode == ExitCode.INVALID
    assert one_error_line(result).endswith(CAP_HINT)
    assert not (tmp_path / "site").exists()


def test_pax_header_bytes_count(tmp_path: Path, snapshot: SnapshotBuilder) -> None:
    padding = {"comment": "x" * (900 * 1024)}  # 900 KiB of pax records per member, no file data
    raw = _tar([(f"f{i}.json", b"", padding) for i in range(40)])  # 36 MiB of headers
    archive = tmp_path / "bomb.tar.zst"
    archive.write_bytes(zstandard.ZstdCompressor().compress(raw))
    assert archive.stat().st_size < 64 * 1024
    result = cli("verify", archive, "--trust-root", snapshot.key.public, "--max-bytes", "10000")
    assert result.returncode == ExitCode.INVALID
    assert (
        one_error_line(result) == f"snapsite: container: f0.json: the snapshot holds more than 10000 bytes {CAP_HINT}"
    )


@pytest.mark.parametrize("kind", ["tar", "tar.gz", "tar.zst"])
def test_a_member_hidden_after_the_end_marker_is_refused(tmp_path: Path, snapshot: SnapshotBuilder, kind: str) -> None:
    pack_tree(snapshot.root, tmp_path / "good.tar")
    hidden = _tar([("runs.ndjson", b'{"id": "hidden"}\n', {})])
    raw = (tmp_path / "good.tar").read_bytes() + hidden
    archive = tmp_path / f"snap.{kind}"
    data = {"tar": raw, "tar.gz": gzip.compress(raw, mtime=0), "tar.zst": zstandard.ZstdCompressor().compress(raw)}
    archive.write_bytes(data[kind])
    result = cli("verify", archive, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.INVALID
    assert one_error_line(result) == (
        f"snapsite: container: {archive}: unexpected data after the end of the archive (only zero padding may follow)"
    )
    archive.write_bytes(raw[: len(raw) - len(hidden)] + bytes(4 * 512))  # zero padding alone is fine
    assert cli("verify", archive, "--trust-root", snapshot.key.public).returncode == 0


def test_nested_bundles_obey_the_same_caps(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    inner = {
        "manifest.json": b'{"bundleId": "b", "createdAt": "2026-11-20T12:00:00Z", "entries": []}',
        "big": bytes(MiB),
    }
    bundle = gzip.compress(_tar([(name, data, {}) for name, data in inner.items()]), mtime=0)
    snapshot.write("evidence/run1/bundle.tar.gz", bundle)
    items = snapshot.records("evidence.ndjson")
    digest = hashlib.sha256(bundle).hexdigest()
    items.append({**items[1], "id": "ev-bomb", "path": "evidence/run1/bundle.tar.gz", "mediaType": BUNDLE_MEDIA_TYPE,
                  "size": len(bundle), "sha256": digest})  # fmt: skip
    snapshot.write_records("evidence.ndjson", items)
    snapshot.sign()
    result = cli("verify", snapshot.root, "--trust-root", snapshot.key.public, "--json", "--max-bytes", "500000")
    assert result.returncode == 0, result.stderr  # a bundle never fails the snapshot ...
    (item,) = [e for e in json.loads(result.stdout)["evidence"] if e["id"] == "ev-bomb"]
    # ... but it is opened under the snapshot's own caps (it used to have a fixed 8 GiB one)
    assert item["bundle"] == {
        "status": "damaged",
        "problem": f"big: the snapshot holds more than 500000 bytes {CAP_HINT}",
    }


def test_a_bomb_stops_at_the_cap_plus_one_buffer(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    """Bytes written by the whole process (/proc/self/io wchar) while `build` unpacks 64 MiB of zeros under a
    4 MiB cap: the old build had no cap and wrote all of it to the temporary folder."""
    raw = _tar([(f"zeros-{i}.bin", bytes(MiB), {}) for i in range(64)])
    archive = tmp_path / "bomb.tar.gz"
    archive.write_bytes(gzip.compress(raw, mtime=0))
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('wchar ' + [l for l in open('/proc/self/io')"
        " if l.startswith('wchar')][0].split()[1] + '\\n'))\n"
        "from snapsite.cli import main\n"
        "sys.argv = ['snapsite'] + sys.argv[1:]\n"
        "main()\n"
    )
    cap = 4 * MiB
    result = subprocess.run(
        [sys.executable, "-c", probe, "build", str(archive), "--trust-root", str(snapshot.key.public),
         "-o", str(tmp_path / "site"), "-q", "--max-bytes", str(cap)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == ExitCode.INVALID, result.stderr
    written = int(result.stderr.rsplit("wchar ", 1)[1])
    assert written <= cap + CHUNK + 64 * 1024, written  # the cap, one buffer, and the error line
    assert written >= cap - MiB  # it did unpack up to the cap: the probe measures what it should

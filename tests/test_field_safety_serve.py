"""Finding 6 (and the serve half of finding 3): `serve` answered any Host (DNS rebinding), started its watcher after
the first build (an edit in that window was never rebuilt), and served snapshot files as pages with the reload
script. Now: a loopback Host only (421 otherwise), the watcher before the first build, and snapshot files as
attachments that nothing renders."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import KeyPair, SnapshotBuilder
from hostile import add_hostile_content
from served import Served
from snapsite.preview.reload import RELOAD_PATH


def request(url: str, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    address, port = url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read(65536)
    finally:
        connection.close()


@pytest.fixture
def served(snapshot: SnapshotBuilder, tmp_path: Path) -> Iterator[Served]:
    add_hostile_content(snapshot)
    server = Served(tmp_path, snapshot.root, "--trust-root", snapshot.key.public, "-o", "out")
    yield server
    server.kill()


def test_only_a_loopback_host_is_answered(served: Served) -> None:
    port = served.url.rstrip("/").rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert request(served.url, "/index.html", host)[0] == 200, host
    for host in ("attacker.example", f"attacker.example:{port}", f"127.0.0.1.attacker.example:{port}", "127.0.0.1:1"):
        for path in ("/index.html", "/__events", RELOAD_PATH, "/evidence/"):
            status, _, body = request(served.url, path, host)
            assert status == 421, (host, path)
            assert b"the preview answers only http://127.0.0.1:PORT/" in body
            assert b"Runs workspace" not in body


def test_snapshot_files_are_attachments_that_nothing_renders(served: Served, tmp_path: Path) -> None:
    site = tmp_path / "out"
    evidence = sorted(p for p in (site / "evidence").rglob("*") if p.is_file())
    assert evidence
    for file in evidence:
        status, headers, body = request(served.url, "/" + file.relative_to(site).as_posix())
        assert status == 200
        assert headers["content-disposition"] == "attachment"
        assert headers["content-type"] == "application/octet-stream"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"].startswith("sandbox")
        assert body == file.read_bytes()[:65536]  # byte for byte: no reload script
    status, headers, body = request(served.url, "/index.html")  # the site's own pages still get it
    assert status == 200 and RELOAD_PATH.encode() in body and "content-disposition" not in headers


def test_an_edit_during_the_first_build_is_rebuilt(tmp_path: Path, keypair: KeyPair) -> None:
    from snapsite.authoring.demo import write_demo

    kit = tmp_path / "kit"
    write_demo(kit, runs=300, tenants=2, seed=5, key_paths=[keypair.private])
    config = tmp_path / "snapsite.toml"
    config.write_text('title = "Before"\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "snapsite", "serve", str(kit), "--trust-root", str(keypair.public), "-o", "out",
         "--port", "0", "--watch"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # Wait for the first build to be under way (its temporary folder exists), then edit the config.
        while not any(p.name.startswith(".out.building-") for p in tmp_path.iterdir()):
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
        config.write_text('title = "Edited during the first build"\n')
        assert process.stdout is not None
        line = process.stdout.readline()
        while not line.startswith("serving "):
            line = process.stdout.readline()
            assert line, process.communicate()
        url = line.split()[1]
        deadline = time.monotonic() + 120  # however slow the machine, the edit must show up: it is never lost
        while b"Edited during the first build" not in request(url, "/index.html")[2]:
            assert time.monotonic() < deadline, "the edit made during the first build was never rebuilt"
            time.sleep(0.2)
    finally:
        process.kill()
        process.wait()

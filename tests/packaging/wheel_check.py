"""The release engineer's path, end to end: build the wheel and the sdist, install the wheel into a fresh venv in a
temporary folder outside the checkout, and use the installed `snapsite` there (keygen, demo, build --sign-key,
verify-site, export, serve), so a file missing from the wheel (a theme, the demo snapshot) fails `make test`.

No private key may ship: both archives are searched for PEM private keys and for the tests' key folder.

Run as `python tests/packaging/wheel_check.py` (make wheel); prints one line per step and exits non-zero on the
first failure.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A PEM private key with its body, not a mention of one (the trust-root reader refuses such files by name).
PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{16}")


def run(*command: str | Path, cwd: Path, expect: int = 0) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != expect:
        sys.exit(f"FAILED ({done.returncode}, expected {expect}): {' '.join(map(str, command))}\n{done.stderr}")
    print("ok:", " ".join(str(c) for c in command[1:3]), "...")
    return done.stdout


def archive_members(path: Path) -> dict[str, bytes]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return {name: wheel.read(name) for name in wheel.namelist()}
    with tarfile.open(path) as sdist:
        return {m.name: sdist.extractfile(m).read() for m in sdist.getmembers() if m.isfile()}  # type: ignore[union-attr]


def check_archive(path: Path) -> None:
    members = archive_members(path)
    for name, data in members.items():
        if "tests/keys" in name or name.endswith(".key") or PRIVATE_KEY.search(data):
            sys.exit(f"FAILED: {path.name} ships a private key: {name}")
    for needed in ("themes/default/templates/index.html", "snapshots/demo/manifest.json", "snapshots/demo.pub"):
        if not any(name.endswith(needed) for name in members):
            sys.exit(f"FAILED: {path.name} lacks {needed}")
    print(f"ok: {path.name}: {len(members)} files, no private key, themes and demo snapshot included")


def serve_one_page(snapsite: Path, cwd: Path, snapshot: Path, key: Path) -> None:
    process = subprocess.Popen(
        [str(snapsite), "serve", str(snapshot), "--trust-root", str(key), "-o", "served", "--port", "0"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = ""
        deadline = time.monotonic() + 120
        while not url and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if match := re.match(r"serving (http://127\.0\.0\.1:\d+/) ", line):
                url = match.group(1)
        if not url:
            sys.exit(f"FAILED: serve did not start\n{process.stderr.read() if process.stderr else ''}")
        with urllib.request.urlopen(url + "index.html", timeout=30) as response:
            page = response.read().decode("utf-8")
        if response.status != 200 or "data-snapshot-id" not in page:
            sys.exit(f"FAILED: serve answered {response.status} without the workspace")
        print("ok: serve answered index.html")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="snapsite-wheel-") as folder:
        work = Path(folder)
        dist = work / "dist"
        # No flags: the sdist first, then the wheel built from that sdist, so both are proved complete.
        run(sys.executable, "-m", "build", "--outdir", dist, ROOT, cwd=work)
        wheel = next(dist.glob("snapsite-*.whl"))
        for archive in (wheel, next(dist.glob("snapsite-*.tar.gz"))):
            check_archive(archive)
        run(sys.executable, "-m", "venv", work / "venv", cwd=work)
        run(work / "venv" / "bin" / "pip", "install", "--quiet", wheel, cwd=work)
        snapsite = work / "venv" / "bin" / "snapsite"
        python = work / "venv" / "bin" / "python"
        run(snapsite, "--version", cwd=work)
        run(python, "-m", "snapsite", "--help", cwd=work)
        run(snapsite, "keygen", "-o", "release.key", cwd=work)
        run(snapsite, "demo", "-o", "snap", "--runs", "40", "--key", "release.key", cwd=work)
        run(
            snapsite,
            "build",
            "snap",
            "--trust-root",
            "release.key.pub",
            "-o",
            "site",
            "--sign-key",
            "release.key",
            cwd=work,
        )
        run(snapsite, "verify-site", "site", "--trust-root", "release.key.pub", cwd=work)
        run(snapsite, "build", "-o", "demo-site", cwd=work)  # the embedded demo, from the installed package data
        run_id = next(line for line in (work / "snap" / "runs.ndjson").read_text().splitlines() if line)
        rid = re.search(r'"id":\s*"([^"]+)"', run_id)
        assert rid is not None
        run(
            snapsite,
            "export",
            "snap",
            "--trust-root",
            "release.key.pub",
            "--run",
            rid.group(1),
            "-o",
            "run.tar.gz",
            cwd=work,
        )
        serve_one_page(snapsite, work, work / "snap", work / "release.key.pub")
        installed = subprocess.run(
            [str(python), "-c", "import snapsite, sys; sys.stdout.write(snapsite.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            cwd=work,
        ).stdout
        if str(ROOT) in installed:
            sys.exit(f"FAILED: the venv imports snapsite from the checkout ({installed})")
        print("wheel check passed:", wheel.name)


if __name__ == "__main__":
    main()

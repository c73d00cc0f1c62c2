"""Finding 8: the bytes verified were not always the bytes used. A directory snapshot was hashed in step 3, then
read again for records and again when evidence was copied: a file changed in between gave a site of unverified
bytes. Now the folder is staged (copied and hashed in one read), and only the staged bytes are used."""

from __future__ import annotations

import threading
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import SnapshotBuilder, cli
from snapsite.errors import ExitCode
from snapsite.snapshot.container import open_container
from snapsite.snapshot.records import Run
from snapsite.trust.roots import load_trust_root
from snapsite.verify.sink import IgnoreRecords
from snapsite.verify.steps import verify_container

EVIL = b'{"policy": "<script>evil()</script> replaced after hashing"}\n'


def test_a_change_after_opening_never_reaches_the_records_or_the_copies(snapshot: SnapshotBuilder) -> None:
    seen: list[str] = []

    class Initiators(IgnoreRecords):
        def run(self, run: Run, line: int, raw: bytes) -> None:
            seen.append(run.initiator)

    with open_container(snapshot.root) as container:
        # Between step 1 and steps 3-4: the kit's folder changes under the verifier.
        runs = snapshot.root / "runs.ndjson"
        runs.write_bytes(runs.read_bytes().replace(b"system:scheduler", b"system:swapped!!"))
        (snapshot.root / "evidence/run1/policy.json").write_bytes(EVIL)
        report = verify_container(container, load_trust_root([snapshot.key.public]), sink=Initiators())
        assert report.verified, [e.line() for e in report.errors]
        assert seen and set(seen) == {"system:scheduler"}  # the bytes that were hashed, not the new ones
        assert container.read_bytes("evidence/run1/policy.json") == b'{"policy": "run summary"}\n'


def test_a_kit_changing_during_a_build_gives_a_failure_or_the_signed_bytes(
    snapshot: SnapshotBuilder, tmp_path: Path
) -> None:
    """Whatever the moment a file changes, the build either fails on its digest or renders the signed bytes."""
    evidence = snapshot.root / "evidence/run1/policy.json"
    signed = evidence.read_bytes()
    stop = threading.Event()

    def tamper() -> None:
        while not stop.is_set():
            for body in (EVIL, signed):
                evidence.write_bytes(body)

    thread = threading.Thread(target=tamper)
    thread.start()
    try:
        results = [
            cli("build", snapshot.root, "--trust-root", snapshot.key.public, "-o", tmp_path / f"site{n}", "-q")
            for n in range(3)
        ]
    finally:
        stop.set()
        thread.join()
    for n, result in enumerate(results):
        site = tmp_path / f"site{n}"
        if result.returncode != 0:
            assert result.returncode == ExitCode.DIGEST, result.stderr
            assert "digest: evidence/run1/policy.json: " in result.stderr
            assert not site.exists()
            continue
        copies = [p for p in site.rglob("*") if p.is_file() and p.read_bytes() in (signed, EVIL)]
        assert copies and all(p.read_bytes() == signed for p in copies)
        page = (site / "evidence.html").read_bytes()
        assert b"evil()" not in page and BeautifulSoup(page, "html.parser").find("main") is not None

"""The evidence and verification page views: ordering, counts, quoting, and recheck steps that really work."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from pages import evidence_view, run_row, verification_report
from snapsite.errors import ExitCode, SnapshotError
from snapsite.site.views.evidence_page import bundle_command, count_statuses, evidence_page
from snapsite.site.views.rows import RunRow, data_fields
from snapsite.site.views.verification_page import verification_page
from snapsite.trust.roots import load_trust_root
from snapsite.verify.evidence import EvidenceStatus
from snapsite.verify.steps import verify_snapshot

DATA = Path(__file__).parent / "data"
TOOLS = all(shutil.which(tool) for tool in ("sh", "jq", "sha256sum", "base64"))


# --- evidence_page ------------------------------------------------------------------------------------------


def test_evidence_entries_are_newest_run_first_then_by_id() -> None:
    old = run_row(id="run:old", slug="run-old", created_at="2026-11-19T00:00:00Z")
    new = run_row(id="run:new", slug="run-new", created_at="2026-11-20T00:00:00Z")
    entries = [(old, evidence_view(id="b")), (new, evidence_view(id="z")), (old, evidence_view(id="a"))]
    page = evidence_page(entries, True, 0)
    assert [(e.run_id, e.item.id) for e in page.entries] == [("run:new", "z"), ("run:old", "a"), ("run:old", "b")]
    assert page.entries[0].run_slug == "run-new" and page.entries[0].tenant_id == "acme"
    assert evidence_page(list(reversed(entries)), True, 0) == page  # independent of the input order
    assert [c.run_id for c in page.bundle_commands] == ["run:new", "run:old"]
    assert page.bundle_commands[1].command == "stella runs export --run=run:old --bundle"


def test_evidence_counts_keep_every_status() -> None:
    entries = [
        (run_row(), evidence_view(id="1", status="verified", bundle_status=None)),
        (run_row(), evidence_view(id="2", status="invalid", bundle_status="intact")),
        (run_row(), evidence_view(id="3", status="invalid", bundle_status="damaged", size=1024)),
    ]
    page = evidence_page(entries, False, 5)
    assert page.status_counts == (("verified", 1), ("unsigned", 0), ("untrusted", 0), ("invalid", 2))
    assert page.bundle_counts == (("intact", 1), ("damaged", 1))
    assert page.total_size_text == "5.0 KiB" and page.hidden == 5
    assert not page.bundles_enabled and page.bundle_commands == ()
    no_bundles = evidence_page([(run_row(), evidence_view(bundle_status=None))], True, 0)
    assert no_bundles.bundle_counts == ()
    assert count_statuses(["x", "verified"], ("verified",)) == (("verified", 1), ("x", 1))


def test_bundle_command_quotes_the_run_id_for_the_shell() -> None:
    hostile = "run:a b'$(rm -rf ~)`x`"
    command = bundle_command(hostile)
    assert shlex.split(command) == ["stella", "runs", "export", f"--run={hostile}", "--bundle"]
    assert bundle_command("run:acme:1") == "stella runs export --run=run:acme:1 --bundle"


# --- verification_page --------------------------------------------------------------------------------------


def test_verification_page_of_a_verified_report() -> None:
    report = verification_report()
    page = verification_page(report, [("runs.ndjson", 2048, "ab" * 32)], 3)
    assert page.verdict == "verified" and page.source_kind == "tar.gz"
    assert page.snapshot_id == report.snapshot_id and page.created_at == "2026-11-20T12:00:00Z"
    assert [(s.keyid, s.algorithm, s.trusted, s.valid) for s in page.signatures] == [
        ("0123456789abcdef" * 4, "ed25519", True, True),
        ("\u2014", "\u2014", False, False),
    ]
    assert page.trusted_keyids == ("0123456789abcdef" * 4,)
    assert [(f.path, f.size, f.size_text, f.problem) for f in page.files] == [("runs.ndjson", 2048, "2.0 KiB", None)]
    assert page.files_total_text == "2.0 KiB" and page.hidden_files == 3
    assert page.files_checked == 2 and page.bytes_checked_text == "300 B"
    assert page.records == (("runs.ndjson", 2), ("tenants.json", 1))
    assert page.evidence_counts == (("verified", 1), ("unsigned", 0), ("untrusted", 0), ("invalid", 1))
    assert page.bundle_counts == () and page.errors == () and page.more_file_failures == 0
    assert page.site_steps[0].command == "sha256sum -c SHA256SUMS"
    assert page.snapshot_steps[0].command == "snapsite verify SNAPSHOT --trust-root KEY.pub"


def test_verification_page_of_an_unverified_report() -> None:
    report = verification_report(verified=False)
    report.file_failures = [{"path": f"f{i}", "problem": "sha256 differs"} for i in range(150)]
    report.errors = [SnapshotError("digest", f"f{i}", "sha256 differs", ExitCode.DIGEST) for i in range(100)]
    report.errors.insert(0, SnapshotError("signature", "manifest.dsse.json", "no signature", ExitCode.SIGNATURE))
    report.evidence.append(EvidenceStatus("ev-3", "run:a", "unsigned", bundle_status="damaged"))
    report.snapshot_id = report.created_at = None
    report.threshold = 2
    page = verification_page(report, [("f1", 1, "00" * 32), ("ok", 1, "11" * 32)], 0, sums_name="SUMS list")
    assert page.verdict == "unverified" and page.snapshot_id == page.created_at == "\u2014"
    assert page.errors[0].check == "signature" and page.errors[1].where == "f0" and len(page.errors) == 101
    assert page.more_file_failures == 50
    assert [f.problem for f in page.files] == ["sha256 differs", None]
    assert page.bundle_counts == (("intact", 0), ("damaged", 1))
    assert page.site_steps[0].command == "sha256sum -c 'SUMS list'" and page.sums_name == "SUMS list"
    assert page.snapshot_steps[0].command == "snapsite verify SNAPSHOT --trust-root KEY.pub --threshold 2"


def test_verification_page_of_the_spec_example() -> None:
    report = verify_snapshot(DATA / "spec-minimal", load_trust_root([DATA / "spec-minimal.pub"]))
    assert report.manifest is not None
    files = [(f.path, f.size, f.sha256) for f in report.manifest.files]
    page = verification_page(report, files, 0)
    assert page.verdict == "verified" and page.source_kind == "directory"
    assert page.trusted_keyids == ("06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9",)
    assert [f.path for f in page.files] == ["runs.ndjson", "tenants.json"]
    assert "spec-minimal" not in repr(page)  # the builder's path never reaches the page


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", command], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.skipif(not TOOLS, reason="needs sh, jq, sha256sum and base64")
def test_the_manual_snapshot_steps_work_on_the_spec_example(spec_example: Path) -> None:
    """The commands the page tells an auditor to run pass on a good snapshot and fail on a tampered one."""
    report = verify_snapshot(spec_example, load_trust_root([DATA / "spec-minimal.pub"]))
    steps = [s.command for s in verification_page(report, [], 0).snapshot_steps if s.command]
    files_check, manifest_digest, decode = steps[1:]
    assert _run(files_check, spec_example).returncode == 0
    digest = _run(manifest_digest, spec_example).stdout.split()[0]
    assert digest == hashlib.sha256((spec_example / "manifest.json").read_bytes()).hexdigest()
    statement = json.loads(_run(decode, spec_example).stdout)
    assert statement["subject"][0] == {"name": "manifest.json", "digest": {"sha256": digest}}
    with (spec_example / "runs.ndjson").open("ab") as stream:
        stream.write(b"\n")
    assert _run(files_check, spec_example).returncode != 0


@pytest.mark.skipif(not shutil.which("sha256sum"), reason="needs sha256sum")
def test_the_site_step_checks_a_sums_file(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html>\n")
    digest = hashlib.sha256(b"<!doctype html>\n").hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{digest}  index.html\n")
    command = verification_page(verification_report(), [], 0).site_steps[0].command
    assert command is not None
    assert _run(command, tmp_path).returncode == 0
    (tmp_path / "index.html").write_text("changed\n")
    assert _run(command, tmp_path).returncode != 0


def test_the_data_files_carry_every_run_row_field_but_the_pages_only_ones() -> None:
    """The runs table's columns come from RunRow itself: a new field reaches data/meta.js unless marked."""
    names = [f.name for f in dataclasses.fields(RunRow)]
    assert data_fields() == tuple(n for n in names if n not in {"retried_by", "created_ago"})
    assert data_fields()[:3] == ("id", "slug", "tenant_id") and data_fields()[-1] == "evidence_alert"

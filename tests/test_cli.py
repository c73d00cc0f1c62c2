"""The `snapsite` command as a user runs it: exit codes, one-line errors, no tracebacks; in-process through
click's CliRunner, and as a real process where the program's own entry point (`python -m snapsite`) is the point."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import KeyPair, SnapshotBuilder, cli, snapsite
from snapsite.errors import ExitCode


def test_help_explains_commands_and_exit_codes() -> None:
    result = snapsite("--help")
    assert result.returncode == 0
    for word in ("verify", "sign", "keygen", "demo", "schema", "Exit codes"):
        assert word in result.stdout


def test_verify_summary_and_json(snapshot: SnapshotBuilder) -> None:
    human = cli("verify", snapshot.root, "--trust-root", snapshot.key.public)
    assert human.returncode == 0, human.stderr
    assert "VERIFIED" in human.stdout
    machine = cli("verify", snapshot.root, "--trust-root", snapshot.key.public, "--json")
    report = json.loads(machine.stdout)
    assert (report["status"], report["exitCode"], report["errors"]) == ("verified", 0, [])
    assert set(report) >= {
        "status",
        "exitCode",
        "snapshotId",
        "createdAt",
        "signatures",
        "files",
        "records",
        "evidence",
        "errors",
    }
    assert report["signatures"][0]["trusted"] and report["signatures"][0]["valid"]
    assert report["files"]["checked"] == len(snapshot.manifest()["files"])
    assert {e["status"] for e in report["evidence"]} == {"verified", "unsigned", "untrusted"}


def test_failure_is_one_line_with_exit_code(snapshot: SnapshotBuilder) -> None:
    snapshot.write("runs.ndjson", snapshot.read("runs.ndjson") + b"{}\n")
    result = snapsite("verify", snapshot.root, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.DIGEST
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert "digest: runs.ndjson" in result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(snapsite("verify", snapshot.root, "--trust-root", snapshot.key.public, "--json").stdout)
    assert report["status"] == "failed"
    assert report["errors"][0] == {
        "check": "digest",
        "path": "runs.ndjson",
        "line": None,
        "message": report["errors"][0]["message"],
    }


def test_bad_trust_root_and_missing_snapshot(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    bad_key = tmp_path / "bad.pem"
    bad_key.write_text("not a key")
    result = cli("verify", snapshot.root, "--trust-root", bad_key)
    assert result.returncode == ExitCode.USAGE
    assert "bad.pem" in result.stderr and "Traceback" not in result.stderr
    missing = cli("verify", tmp_path / "absent", "--trust-root", snapshot.key.public)
    assert missing.returncode == ExitCode.NOT_FOUND
    assert "Traceback" not in missing.stderr


def test_unknown_option_is_a_usage_error() -> None:
    result = snapsite("verify", "--no-such-option")
    assert result.returncode == ExitCode.USAGE


def test_keygen_sign_verify_round_trip(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    for algorithm in ("ed25519", "ecdsa-p256"):
        key = tmp_path / f"{algorithm}.key"
        made = cli("keygen", "--algorithm", algorithm, "-o", key)
        assert made.returncode == 0, made.stderr
        signed = cli("sign", snapshot.root, "--key", key, "--source", "release-ci")
        assert signed.returncode == 0, signed.stderr
        assert snapshot.manifest()["source"] == "release-ci"
        checked = cli("verify", snapshot.root, "--trust-root", f"{key}.pub")
        assert checked.returncode == 0, checked.stderr
        wrong = cli("verify", snapshot.root, "--trust-root", snapshot.key.public)
        assert wrong.returncode == ExitCode.SIGNATURE
    again = cli("keygen", "-o", tmp_path / "ed25519.key")
    assert again.returncode == ExitCode.USAGE


def test_schema_prints_every_record_type() -> None:
    result = cli("schema")
    schemas = json.loads(result.stdout)
    for name in ("Run", "Schedule", "Segment", "FindingDelta", "LogEntry", "EvidenceItem", "Manifest"):
        assert name in schemas


def test_demo_writes_a_snapshot_that_verifies(tmp_path: Path, keypair: KeyPair) -> None:
    out = tmp_path / "demo"
    made = cli("demo", "-o", out, "--runs", "40", "--tenants", "2", "--seed", "3", "--key", keypair.private)
    assert made.returncode == 0, made.stderr
    checked = cli("verify", out, "--trust-root", keypair.public, "--json")
    assert json.loads(checked.stdout)["records"]["runs.ndjson"] == 40
    assert checked.returncode == 0


def test_embedded_demo_snapshot_verifies() -> None:
    root = Path(__file__).resolve().parents[1]
    result = cli("verify", root / "snapshots" / "demo", "--trust-root", root / "snapshots" / "demo.pub")
    assert result.returncode == 0, result.stdout + result.stderr


def test_feature_flags_are_checked(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    """Unknown names and `runs.sse.enabled=on` are refused with exit 3 (issue 14); known flags build."""
    base: list[str | Path] = ["build", snapshot.root, "--trust-root", snapshot.key.public]
    unknown = cli(*base, "-o", tmp_path / "a", "--feature", "runs.dashbord.enabled=on")
    assert unknown.returncode == 3
    assert "unknown feature flag 'runs.dashbord.enabled'" in unknown.stderr
    assert "runs.dashboard.enabled, runs.evidenceBundles, runs.retry.enabled, runs.sse.enabled" in unknown.stderr
    sse = cli(*base, "-o", tmp_path / "b", "--feature", "runs.sse.enabled=on")
    assert sse.returncode == 3 and "no live stream" in sse.stderr
    assert len(sse.stderr.strip().splitlines()) == 1
    setting = cli(*base, "-o", tmp_path / "c", "--feature", "runs.retry.enabled=maybe")
    assert setting.returncode == 3 and "runs.retry.enabled=on or runs.retry.enabled=off" in setting.stderr
    config = tmp_path / "sse.toml"
    config.write_text('[features]\n"runs.sse.enabled" = true\n')
    from_config = cli(*base, "-o", tmp_path / "d", "--config", config)
    assert from_config.returncode == 3 and "no live stream" in from_config.stderr
    assert not any((tmp_path / name).exists() for name in "abcd")
    # The command line wins over the config file, as for every option.
    ok = cli(*base, "-o", tmp_path / "e", "--config", config, "--feature", "runs.sse.enabled=off")
    assert ok.returncode == 0, ok.stderr

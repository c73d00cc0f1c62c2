"""Finding 5: the terminal cannot be spoofed. Untrusted strings (an envelope's keyid, member names, record values
quoted in errors) reach stdout and stderr with control and bidi characters escaped; member names with control
characters are refused with 11."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from conftest import KeyPair, SnapshotBuilder, cli
from hostile import one_error_line, tree_state
from snapsite.errors import ExitCode
from snapsite.textsafe import is_terminal_safe, terminal_safe, terminal_safe_json

SPOOF = "\x1b[2J\x1b[32m verdict VERIFIED \x1b[8m\u202e\x9b"


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if not is_terminal_safe(c) and c != "\n"]


def _set_keyid(builder: SnapshotBuilder, keyid: str) -> None:
    envelope = json.loads(builder.read("manifest.dsse.json"))
    for signature in envelope["signatures"]:
        signature["keyid"] = keyid
    builder.write("manifest.dsse.json", json.dumps(envelope))


def test_safe_text_escapes_controls_and_bidi() -> None:
    assert terminal_safe("a\x1b[2Jb\u202ec\td\x9b") == "a\\x1b[2Jb\\u202ec\\x09d\\x9b"
    assert terminal_safe("plain ünïcode text: run:acme:1") == "plain ünïcode text: run:acme:1"
    document = json.dumps({"k": SPOOF}, indent=2, ensure_ascii=False)
    assert json.loads(terminal_safe_json(document)) == {"k": SPOOF}
    assert not _raw_controls(terminal_safe_json(document))


def test_hostile_keyid_cannot_paint_a_verdict(snapshot: SnapshotBuilder, other_keypair: KeyPair) -> None:
    snapshot.sign([other_keypair.private])  # not trusted: exit 5
    _set_keyid(snapshot, SPOOF)
    before = tree_state(snapshot.root.parent)
    result = cli("verify", snapshot.root, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.SIGNATURE
    assert not _raw_controls(result.stdout) and not _raw_controls(result.stderr)
    assert "\\x1b[2J\\x1b[32m verdict VERIFIED" in result.stdout
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("verdict")]
    assert verdicts == ["verdict    FAILED (exit 5)"]
    assert tree_state(snapshot.root.parent) == before


def test_hostile_keyid_in_json_report_stays_valid_json(snapshot: SnapshotBuilder, other_keypair: KeyPair) -> None:
    snapshot.sign([other_keypair.private])
    _set_keyid(snapshot, SPOOF)
    result = cli("verify", snapshot.root, "--trust-root", snapshot.key.public, "--json")
    assert result.returncode == ExitCode.SIGNATURE
    assert not _raw_controls(result.stdout)
    assert json.loads(result.stdout)["signatures"][0]["keyid"] == SPOOF


@pytest.mark.parametrize("name", ["runs\x1b[2J.ndjson", "evidence/\u202etxt.exe", "a\tb", "x\x7f", "y\x9bz"])
def test_member_name_with_control_character_is_refused(snapshot: SnapshotBuilder, name: str) -> None:
    archive = snapshot.pack("tar")
    with tarfile.open(archive, "a") as tar:
        info = tarfile.TarInfo(name)
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
    before = tree_state(snapshot.root.parent)
    result = cli("verify", archive, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.INVALID, result.stderr
    line = one_error_line(result)
    assert line.startswith("snapsite: container: ") and "control, bidi" in line
    assert terminal_safe(name) in line and not _raw_controls(result.stderr + result.stdout)
    assert tree_state(snapshot.root.parent) == before


def test_directory_entry_with_control_character_is_refused(snapshot: SnapshotBuilder, tmp_path: Path) -> None:
    snapshot.write("evidence/\x1b]0;owned\x07.json", b"{}")
    result = cli("verify", snapshot.root, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.INVALID, result.stderr
    line = one_error_line(result)
    assert "\\x1b]0;owned\\x07" in line and not _raw_controls(result.stderr + result.stdout)


def test_record_value_quoted_in_an_error_is_escaped(snapshot: SnapshotBuilder) -> None:
    runs = snapshot.records("runs.ndjson")
    runs[0]["tenantId"] = "evil\x1b[32mOK\u202e"
    snapshot.write_records("runs.ndjson", runs)
    snapshot.sign()
    result = cli("verify", snapshot.root, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.INVALID
    assert not _raw_controls(result.stderr + result.stdout)
    assert any("runs.ndjson:1" in line for line in result.stderr.splitlines())

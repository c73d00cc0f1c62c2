"""`snapsite verify-site`: a changed, removed, added or renamed file, and a re-signed site, are all caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import KeyPair, SnapshotBuilder, cli
from snapsite.errors import ExitCode
from snapsite.spec import SITE_ENVELOPE


@pytest.fixture
def signed_site(snapshot: SnapshotBuilder, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    result = cli(
        "build", snapshot.root, "--trust-root", snapshot.key.public, "-o", out, "-q", "--sign-key", snapshot.key.private
    )
    assert result.returncode == 0, result.stderr
    return out


def test_signed_site_verifies(signed_site: Path, snapshot: SnapshotBuilder) -> None:
    result = cli("verify-site", signed_site, "--trust-root", snapshot.key.public, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["signed"] and report["signatureChecked"]
    assert report["predicate"]["verification"]["verdict"] == "verified"
    assert report["predicate"]["generator"]["name"] == "snapsite"
    assert report["predicate"]["snapshotId"] == "snap:test:2026-11-20T12:00:00Z"


def _change(site: Path) -> None:
    page = site / "index.html"
    data = bytearray(page.read_bytes())
    data[100] ^= 1
    page.write_bytes(bytes(data))


def _remove(site: Path) -> None:
    (site / "schedules.html").unlink()


def _add(site: Path) -> None:
    (site / "runs" / "smuggled.html").write_text("<p>hi</p>")


def _rename(site: Path) -> None:
    (site / "observability.html").rename(site / "observability2.html")


@pytest.mark.parametrize("tamper", [_change, _remove, _add, _rename], ids=["changed", "removed", "added", "renamed"])
def test_tampered_files_fail_with_digest_code(
    signed_site: Path, snapshot: SnapshotBuilder, tamper: Callable[[Path], None]
) -> None:
    tamper(signed_site)
    result = cli("verify-site", signed_site, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.DIGEST, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_resigned_with_untrusted_key_fails_signature(
    signed_site: Path, snapshot: SnapshotBuilder, other_keypair: KeyPair
) -> None:
    from snapsite.audit.sitesign import sign_site

    sign_site(signed_site, [other_keypair.private], {"snapshotId": "forged"})
    result = cli("verify-site", signed_site, "--trust-root", snapshot.key.public)
    assert result.returncode == ExitCode.SIGNATURE
    assert SITE_ENVELOPE in result.stderr


def test_changed_sums_fail_signature_and_unsigned_site(signed_site: Path, snapshot: SnapshotBuilder) -> None:
    sums = signed_site / "SHA256SUMS"
    sums.write_text(sums.read_text().replace("index.html", "index.html", 1) + "")
    lines = sums.read_text().splitlines()
    sums.write_text("\n".join(lines[:-1]) + "\n")  # drop one line: a file is now unlisted and the subject differs
    result = cli("verify-site", signed_site, "--trust-root", snapshot.key.public, "--json")
    assert result.returncode == ExitCode.DIGEST
    assert '"check": "signature"' in result.stdout
    (signed_site / SITE_ENVELOPE).unlink()
    unsigned = cli("verify-site", signed_site)
    assert unsigned.returncode == ExitCode.DIGEST

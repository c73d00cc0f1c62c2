"""Whatever `sign` accepts, `verify` accepts: sign validates the manifest with the verifier's own reading.

Hypothesis draws snapshot metadata (and the unknown fields of an existing manifest, which sign keeps) from
valid, nearly valid and hostile values: lone surrogates, integers past 2^53, leap seconds, odd timestamps.
Either sign refuses with a UsageError, or the folder it signed verifies with exit 0; never anything else.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snapsite.authoring.sign import sign_snapshot
from snapsite.errors import UsageError
from snapsite.trust.keys import write_keypair
from snapsite.trust.roots import load_trust_root
from snapsite.verify.steps import verify_snapshot

SETTINGS = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

hostile_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "\ud800", "x\udfff", "\U0001f600", "\u202e\u200b\u0301", "</script>", "a" * 300]),
    st.builds(lambda a, b: a + "\ud800" + b, st.text(max_size=4), st.text(max_size=4)),
)
numbers = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.sampled_from([2**53 - 1, 2**53, -(2**53 - 1), -(2**53), 0, 1, 10**300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
timestamps = st.one_of(
    st.sampled_from(
        [
            "2026-11-20T12:00:00Z",
            "2026-11-20T12:00:00+01:00",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5+00:00",
            "2026-11-20T12:00:60Z",
            "2026-11-20T12:00:61Z",
            "2026-02-30T00:00:00Z",
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:00:00-05:00",
            "2026-11-20T12:00:00",
            "2026-11-20t12:00:00z",
        ]
    ),
    hostile_text,
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)
metadata = st.fixed_dictionaries(
    {
        "snapshotId": st.one_of(st.just("snap:test:1"), hostile_text),
        "createdAt": timestamps,
        "environment": st.sampled_from(["prod", "stage", "dev", "test", "Prod", ""]),
        "source": st.one_of(st.just("tests"), hostile_text, numbers),
    },
    optional={
        "plannerHeartbeatAt": st.one_of(st.none(), timestamps),
        "impactIndexGeneratedAt": st.one_of(st.none(), timestamps),
        "stalenessWindowHours": st.one_of(st.none(), numbers),
    },
)
# Unknown fields of an existing manifest.json: sign keeps them, so the verifier reads them too.
extras = st.dictionaries(st.sampled_from(["x-note", "x-count", "x-\ud800"]), json_values, max_size=2)


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_keypair(tmp_path_factory.mktemp("keys") / "ed.key", "ed25519")


@SETTINGS
@given(metadata=metadata, existing=extras)
def test_what_sign_accepts_verify_accepts(
    signing_key: tuple[Path, Path], metadata: dict[str, Any], existing: dict[str, Any]
) -> None:
    root = Path(tempfile.mkdtemp(prefix="sign-prop-"))
    try:
        (root / "tenants.json").write_bytes(b'[{"id": "acme", "name": "Acme"}]')
        (root / "runs.ndjson").write_bytes(b"")
        if existing:
            # json.dumps escapes a lone surrogate as \ud800: the bytes an old manifest could hold.
            (root / "manifest.json").write_bytes(json.dumps(existing).encode())
        try:
            sign_snapshot(root, [signing_key[0]], metadata)
        except UsageError as exc:
            assert "\n" not in str(exc)
            return
        report = verify_snapshot(root, load_trust_root([signing_key[1]]))
        assert report.exit_code == 0, [error.line() for error in report.errors]
    finally:
        shutil.rmtree(root)


def test_the_property_sees_both_outcomes(signing_key: tuple[Path, Path], tmp_path: Path) -> None:
    """The drawn values include signable metadata (a leap second) and metadata sign must refuse."""
    (tmp_path / "tenants.json").write_bytes(b"[]")
    (tmp_path / "runs.ndjson").write_bytes(b"")
    good = {"snapshotId": "s", "createdAt": "2016-12-31T23:59:60Z", "environment": "prod", "source": "x"}
    sign_snapshot(tmp_path, [signing_key[0]], good)
    assert verify_snapshot(tmp_path, load_trust_root([signing_key[1]])).exit_code == 0
    for bad in ({"source": "x\ud800"}, {"stalenessWindowHours": 2**53}):
        with pytest.raises(UsageError, match="would not verify"):
            sign_snapshot(tmp_path, [signing_key[0]], {**good, **bad})
    (tmp_path / "manifest.json").write_bytes(json.dumps({**good, "x-note": ["\ud800"]}).encode())
    with pytest.raises(UsageError, match=r"would not verify: field 'x-note\[0\]'"):
        sign_snapshot(tmp_path, [signing_key[0]], {})

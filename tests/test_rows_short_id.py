"""`RunRow.short_id` follows the theme's `format.js` `shortId` (tests/js/format.test.js has the same cases): a static
row and a row the browser draws show the same short id."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pages import run_row

CASES = [
    ("run:acme:20261120T115905Z:1db107", "1db107"),
    ("run:a:b:c", "run:a:b:c"),
    ("short-id", "short-id"),
    (f"{'x' * 8}-middle-part-{'y' * 8}", "xxxxxxxx\u2026yyyyyyyy"),
    (f"run:acme:20261120T115905Z:{'n' * 40}", "run:acme\u2026nnnnnnnn"),
    # counted in code points, never cutting a character of an astral plane in half
    ("\U0001f600" * 12 + "z" * 10, "\U0001f600" * 8 + "\u2026zzzzzzzz"),
    ("\U0001f600" * 20, "\U0001f600" * 20),
]


@pytest.mark.parametrize(("run_id", "shown"), CASES)
def test_short_id_is_format_js_rule(run_id: str, shown: str) -> None:
    assert replace(run_row(), id=run_id).short_id == shown

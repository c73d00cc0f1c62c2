"""app.js's helpers against their Python counterparts: SHA-256 (hashlib), portable slugs and runbook names
(snapsite.site.names, snapsite.site.views.format), formula-safe CSV cells (snapsite.formats.downloads), shell
quoting (shlex) and the visible form of bidi controls (snapsite.site.render)."""

from __future__ import annotations

import hashlib
import shlex
import subprocess
from pathlib import Path
from typing import Any

from snapsite.formats.downloads import csv_cell
from snapsite.site.names import slug
from snapsite.site.views.format import runbook_name
from snapsite.textsafe import visible_controls

from browser.conftest import Opener
from browser.sites import Site

SAMPLES = [
    "",
    "abc",
    "a" * 55,
    "b" * 56,
    "c" * 64,
    "d" * 119,
    "run:acme:20261120T020000Z:1db107",
    "Grüße, 東京 \U0001f600",
    "\u202egnp.exe",
    "=cmd|' /C calc'!A0",
    'it\'s "quoted"\nnew line\ttab',
]


def test_the_helpers_agree_with_python(open_page: Opener, demo: Site, tmp_path: Path) -> None:
    page = open_page(demo, "evidence.html")
    found: dict[str, Any] = page.evaluate(
        """samples => ({
            sha: samples.map(s => snapsiteApp.sha256Hex(s)),
            slug: samples.map(s => snapsiteApp.slug(s)),
            csv: samples.map(s => snapsiteApp.csvCell(s)),
            sh: samples.map(s => snapsiteApp.shQuote(s)),
            visible: samples.map(s => snapsiteApp.visible(s)),
            runbook: ['ERR_RUN_005', 'CON', 'ERR/../x', 'e\u202e', 'ERR_RUN_005.'].map(c => snapsiteApp.runbookName(c)),
            long: snapsiteApp.sha256Hex(new Uint8Array(200000).fill(7)),
        })""",
        SAMPLES,
    )
    assert found["sha"] == [hashlib.sha256(s.encode()).hexdigest() for s in SAMPLES]
    assert found["long"] == hashlib.sha256(bytes([7]) * 200000).hexdigest()
    assert found["slug"] == [slug(s) for s in SAMPLES]
    assert found["runbook"] == [runbook_name(c) for c in ("ERR_RUN_005", "CON", "ERR/../x", "e\u202e", "ERR_RUN_005.")]
    assert found["visible"] == [visible_controls(s) for s in SAMPLES]
    for sample, cell in zip(SAMPLES, found["csv"], strict=True):
        unquoted = cell[1:-1].replace('""', '"') if cell.startswith('"') else cell
        assert unquoted == csv_cell(sample)
    script = tmp_path / "words.sh"
    script.write_text("".join(f"printf '%s\\0' {word}\n" for word in found["sh"]), encoding="utf-8")
    printed = subprocess.run(["sh", str(script)], capture_output=True, check=True).stdout
    assert printed.decode().split("\0")[:-1] == SAMPLES
    assert [shlex.split(word) for word in found["sh"]] == [[s] for s in SAMPLES]

"""Helpers of the field-safety modules (tests/test_field_safety_*.py): hostile cases assert the exit code, the
one-line message, and that nothing outside the intended folder changed (every file hashed before and after)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

from conftest import CliResult


def tree_state(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Every entry under `root` (files by sha256, folders, links by target), except those under `skip`."""
    state: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if skip is not None and path == skip:
                continue
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                state[key] = "dir"
            elif path.is_file():
                state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[key] = "special"
    return state


def one_error_line(result: subprocess.CompletedProcess[str] | CliResult) -> str:
    """The single failure line of a failed command: `snapsite: [error: ]CHECK: FILE[:LINE]: MESSAGE`."""
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("snapsite: ") and not line.startswith("snapsite: warning")
    ]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return lines[0]


CANARY = "http://snapsite-canary.invalid"
PWNED = "PWNED-by-snapshot-content"


def _html(tag: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>evidence</title><script>document.title = '{PWNED}';"
        f"fetch('{CANARY}/fetch-{tag}');location.href = '{CANARY}/nav-{tag}';</script></head>"
        f"<body><img src='{CANARY}/img-{tag}'><iframe src='{CANARY}/frame-{tag}'></iframe></body></html>\n"
    ).encode()


def _svg(tag: str) -> bytes:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
        f"<script>document.title = '{PWNED}'; fetch('{CANARY}/fetch-{tag}');</script>"
        f"<image href='{CANARY}/img-{tag}' width='10' height='10'/></svg>\n"
    ).encode()


def _xhtml(tag: str) -> bytes:
    return (
        "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><head><title>x</title>"
        f"<script>document.title = '{PWNED}'; fetch('{CANARY}/fetch-{tag}');</script></head>"
        f"<body><img src='{CANARY}/img-{tag}'/></body></html>\n"
    ).encode()


def _xml(tag: str) -> bytes:
    return (
        f"<?xml version='1.0'?><?xml-stylesheet type='text/xsl' href='{CANARY}/xsl-{tag}'?>"
        f"<root xmlns:h='http://www.w3.org/1999/xhtml'><h:script>document.title = '{PWNED}';"
        f"fetch('{CANARY}/fetch-{tag}');</h:script><h:img src='{CANARY}/img-{tag}'/></root>\n"
    ).encode()


HOSTILE_EVIDENCE = {
    "ev-html": ("evidence/run1/report.html", "text/html", _html("html")),
    "ev-svg": ("evidence/run1/graph.svg", "image/svg+xml", _svg("svg")),
    "ev-xhtml": ("evidence/run1/page.xhtml", "application/xhtml+xml", _xhtml("xhtml")),
    "ev-xml": ("evidence/run1/data.xml", "application/xml", _xml("xml")),
    "ev-noext": ("evidence/run1/README", "text/html", _html("noext")),
}
HOSTILE_RUNBOOK = (
    "# Hostile runbook\n\n"
    "[passwd](/etc/passwd) [hostname](../../../../etc/hostname) [encoded](%2e%2e/%2e%2e/%2e%2e/etc/hostname)\n"
    "[file](file:///etc/passwd) [canary](" + CANARY + "/link) [js](javascript:alert(1))\n\n"
    "![img](../../../../etc/hostname.png) ![abs](/etc/x.png) ![remote](" + CANARY + "/runbook-img.png)\n\n"
    "[inside](../index.html)\n"
)


def add_hostile_content(builder: Any) -> None:
    """Evidence files named .html, .svg, .xhtml, .xml (and none) whose content runs script and requests the canary
    host, an attestation of the same kind, and a runbook linking out of the site; signed, so it all verifies."""
    import hashlib as _hashlib

    items = builder.records("evidence.ndjson")
    template = items[1]  # unsigned, run 1
    for item_id, (path, media_type, body) in HOSTILE_EVIDENCE.items():
        builder.write(path, body)
        digest = _hashlib.sha256(body).hexdigest()
        items.append({**template, "id": item_id, "path": path, "mediaType": media_type, "size": len(body),
                      "sha256": digest, "attestation": None})  # fmt: skip
    attestation = _html("attestation")
    builder.write("evidence/run1/att.html", attestation)
    items[-1]["attestation"] = "evidence/run1/att.html"
    builder.write_records("evidence.ndjson", items)
    builder.write("runbooks/ERR_RUN_005.md", HOSTILE_RUNBOOK)
    builder.sign()

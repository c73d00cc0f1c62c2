"""A snapshot of retry chains built in the test, and readers of the site built from it:
shared by the resolved-failure, attention and operator page tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

MANAGE = frozenset({"runs.read", "runs.manage", "policy:runs", "downloads.read"})


def page_name(site: Path, run_id: str) -> str:
    """The run's page below runs/, as the data files name it (`<shard>/<name>`)."""
    return str(data_rows(site)[run_id]["slug"])


def run_page(site: Path, run_id: str) -> BeautifulSoup:
    """The run's own page."""
    return BeautifulSoup((site / "runs" / f"{page_name(site, run_id)}.html").read_text(), "html.parser")


def data_rows(site: Path) -> dict[str, dict[str, Any]]:
    """The run rows of the data files as objects, by id (`data/meta.js` names the fields)."""
    meta_text = (site / "data" / "meta.js").read_text()
    meta = json.loads(meta_text[meta_text.index("=") + 1 : meta_text.rindex(";")])
    rows: dict[str, dict[str, Any]] = {}
    for name in meta["files"]:
        text = (site / name).read_text()
        for row in json.loads(text[text.index(".push(") + 6 : text.rindex(");")]):
            record = dict(zip(meta["fields"], row, strict=True))
            rows[record["id"]] = record
    return rows


def listed_rows(site: Path) -> dict[str, Any]:
    """The rows of the no-JavaScript listing pages, by run id."""
    rows = {}
    for path in sorted(site.glob("list/*.html")):
        for tr in BeautifulSoup(path.read_text(), "html.parser").select("tr[data-run-id]"):
            rows[str(tr["data-run-id"])] = tr
    return rows

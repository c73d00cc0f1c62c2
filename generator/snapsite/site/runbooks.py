"""Runbooks: CommonMark with raw HTML off and relative links only; the snapshot's override built-in ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from snapsite.textsafe import visible_controls

RUNBOOK_FILE = re.compile(r"^runbooks/([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})\.md$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _relative_only(url: str) -> bool:
    """Links and images may only point inside the site: no scheme, no protocol-relative URL."""
    text = url.strip()
    return not (_SCHEME.match(text) or text.startswith(("//", "\\")))


def markdown_renderer() -> MarkdownIt:
    """CommonMark, raw HTML off, tables on, only relative links and images."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = _relative_only  # type: ignore[method-assign]
    return md


@dataclass(frozen=True)
class Runbook:
    code: str
    source: str  # "snapshot" | "built-in" | "missing"
    html: Markup


def builtin_runbooks(theme_dirs: list[Path]) -> dict[str, str]:
    """Runbook Markdown shipped with the themes (`runbooks/<CODE>.md`), the first theme winning."""
    found: dict[str, str] = {}
    for theme in theme_dirs:
        folder = theme / "runbooks"
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                found.setdefault(path.stem, path.read_text(encoding="utf-8"))
    return found


def render_runbooks(
    snapshot: dict[str, str], builtin: dict[str, str], referenced: set[str], md: MarkdownIt
) -> list[Runbook]:
    """One runbook per code that has Markdown or is referenced by a run, sorted by code."""
    runbooks = []
    for code in sorted(set(snapshot) | set(builtin) | referenced):
        if code in snapshot:
            source, text = "snapshot", snapshot[code]
        elif code in builtin:
            source, text = "built-in", builtin[code]
        else:
            source, text = "missing", f"# {code}\n\nNo runbook for this code in the snapshot or built into snapsite.\n"
        runbooks.append(Runbook(code, source, Markup(md.render(visible_controls(text)))))  # noqa: S704 - markdown-it escapes, raw HTML off
    return runbooks

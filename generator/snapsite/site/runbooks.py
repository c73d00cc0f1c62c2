"""Runbooks: CommonMark with raw HTML off and relative links only; the snapshot's override built-in ones."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markupsafe import Markup

from snapsite.textsafe import visible_controls

RUNBOOK_FILE = re.compile(r"^runbooks/([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})\.md$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


RUNBOOK_FOLDER = "runbooks"  # where runbook pages are, in the site: their links resolve from here


def inside_site(url: str, folder: str = RUNBOOK_FOLDER) -> bool:
    """Whether a link or image written on a page in `folder` stays inside the site folder.

    No scheme (`javascript:`, `file:`, `data:`), no absolute or protocol-relative path (`/etc/passwd`), no
    backslash, and no `..` (also percent-encoded: browsers decode `%2e%2e`) climbing above the site's root.
    """
    text = url.strip()
    if not text or text.startswith("#"):
        return True
    if _SCHEME.match(text) or text.startswith("/") or "\\" in text:
        return False
    path = text.split("#", 1)[0].split("?", 1)[0]
    try:
        path = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return False
    if "\\" in path or "\x00" in path or path.startswith("/"):
        return False
    resolved = posixpath.normpath(posixpath.join(folder, path)) if path else folder
    return resolved != ".." and not resolved.startswith("../")


def markdown_renderer() -> MarkdownIt:
    """CommonMark, raw HTML off, tables on; a link or image leaving the site stays plain text."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = inside_site  # type: ignore[method-assign]
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

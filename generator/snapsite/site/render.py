"""The jinja2 environment: theme lookup (a theme overrides `themes/default` file by file), escaping, assets."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from snapsite.data import DEFAULT_THEME, THEMES
from snapsite.errors import UsageError
from snapsite.site.fastjinja import environment, text_escaper
from snapsite.textsafe import visible_controls


def theme_dirs(theme: str | None) -> list[Path]:
    """The theme's folder first, then the default theme; a name means a folder under `themes/`."""
    if not theme or theme == "default":
        return [DEFAULT_THEME]
    path = Path(theme)
    if not path.is_dir():
        path = THEMES / theme
    if not path.is_dir():
        raise UsageError(f"theme {theme!r} is neither a folder nor a theme under {THEMES}")
    return [path.resolve(), DEFAULT_THEME]


# How templates are read and what their output means (tests compare the site's environment with stock jinja2).
TEMPLATE_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}
# What every `{{ value }}` goes through before escaping: bidi controls made visible.
FINALIZE = visible_controls
# `{{ value }}` as the site's templates print it (the fast environment's own escaper, usable without one).
html_text = text_escaper(FINALIZE)


def _plain(value: Any) -> Any:
    """View dataclasses as their fields (no deep copy, unlike dataclasses.asdict)."""
    if is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_for_script(value: Any) -> str:
    """JSON safe inside a classic script file: no `</script>`, no `<!--`, no raw U+2028/2029 or bidi controls.

    View dataclasses serialise as objects of their fields.
    """
    # ASCII output escapes every other character (U+2028/2029, bidi controls) and encodes twice as fast as
    # ensure_ascii=False; view objects are trees, so the cycle check (a third of the time) is skipped.
    text = json.dumps(value, separators=(",", ":"), check_circular=False, default=_plain)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class Asset:
    """A static file of the theme, published under a content-hashed name."""

    logical: str  # e.g. "site.css"
    published: str  # e.g. "static/site.1a2b3c4d.css"
    data: bytes


def collect_assets(dirs: list[Path]) -> dict[str, Asset]:
    """Every file of the themes' `static/` folders, the first theme winning, with hashed names."""
    assets: dict[str, Asset] = {}
    for theme in dirs:
        static = theme / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            logical = path.relative_to(static).as_posix()
            if path.is_file() and logical not in assets:
                data = path.read_bytes()
                stem, dot, ext = logical.rpartition(".")
                digest = hashlib.sha256(data).hexdigest()[:10]
                published = f"static/{stem}.{digest}.{ext}" if dot else f"static/{logical}.{digest}"
                assets[logical] = Asset(logical, published, data)
    return assets


class Renderer:
    """Renders the theme's templates; every template gets `asset()` and `root` (the way up to the site root)."""

    def __init__(self, dirs: list[Path], assets: dict[str, Asset]) -> None:
        loader = jinja2.FileSystemLoader([str(d / "templates") for d in dirs])
        self.env, self.fast = environment(
            FINALIZE,
            loader=loader,
            **TEMPLATE_OPTIONS,
            auto_reload=False,  # templates do not change during a build: no stat() per page
            cache_size=-1,  # a plain dict: every template stays loaded, with no LRU bookkeeping per page
        )
        self.dirs = dirs
        self.assets = assets
        self.env.filters["script_json"] = json_for_script
        self._chrome: dict[tuple[str, str], tuple[object, Markup, Markup]] = {}

    def __reduce__(self) -> tuple[type[Renderer], tuple[list[Path], dict[str, Asset]]]:
        """Pickled as its theme folders and assets, and made again from them (for render workers)."""
        return Renderer, (self.dirs, self.assets)

    def render(self, template: str, root: str = "", **context: Any) -> str:
        """Render `template`; `root` is "" for top-level pages and "../" for pages one folder down.

        The site header and footer are the same on every page of one folder and section: they are rendered
        once per (root, active_nav, site) and passed in as `header` and `footer`.
        """

        def asset(name: str) -> str:
            return root + self.assets[name].published

        site = context.get("site")
        key = (root, str(context.get("active_nav", "")))
        cached = self._chrome.get(key)
        if cached is None or cached[0] is not site:
            header, footer = (
                Markup(self.env.get_template(part).render(root=root, asset=asset, **context))  # noqa: S704
                for part in ("_header.html", "_footer.html")
            )
            cached = self._chrome[key] = (site, header, footer)
        _, header, footer = cached
        return self.env.get_template(template).render(root=root, asset=asset, header=header, footer=footer, **context)

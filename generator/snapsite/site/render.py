"""The jinja2 environment: theme lookup (a theme overrides `themes/default` file by file), escaping, assets."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
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
        # A name is one installed theme: no separator or dot-name that would reach outside `themes/`.
        if "/" in theme or "\\" in theme or theme.startswith("."):
            raise UsageError(f"theme {theme!r} is neither a folder nor a theme name under {THEMES}")
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


# What the header and footer may depend on and still be rendered once per (root, active_nav): the site
# (SiteInfo, the same object on every page of a build), the way up to the root, the assets.
_SITE_WIDE_NAMES = frozenset({"root", "asset", "site", "active_nav"})
_CHROME = ("_header.html", "_footer.html")


def uses_only_site_wide_names(env: jinja2.Environment, name: str) -> bool:
    """True when template `name` reads nothing of a page's own context (jinja2.meta, on its source).

    A theme's `_header.html` that prints `{{ page_title }}` must see each page's own title, so it is rendered
    per page. A template that includes or imports another is rendered per page too: the analysis does not
    follow those, and a wrong cache would show one page's values on every page.
    """
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    if next(tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)), None) is not None:
        return False
    return meta.find_undeclared_variables(tree) <= _SITE_WIDE_NAMES


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
        self._chrome: dict[tuple[str, str, str], tuple[object, Markup]] = {}
        self._site_wide = {part: uses_only_site_wide_names(self.env, part) for part in _CHROME}

    def __reduce__(self) -> tuple[type[Renderer], tuple[list[Path], dict[str, Asset]]]:
        """Pickled as its theme folders and assets, and made again from them (for render workers)."""
        return Renderer, (self.dirs, self.assets)

    def render(self, template: str, root: str = "", **context: Any) -> str:
        """Render `template`; `root` is "" for top-level pages and "../" for pages one folder down.

        The site header and footer are passed in as `header` and `footer`. One that reads only site-wide
        names (the default theme's) is rendered once per (root, active_nav, site) from those names alone;
        one that reads anything else is rendered per page, with the page's own context.
        """

        def asset(name: str) -> str:
            return root + self.assets[name].published

        header, footer = (self._part(part, root, asset, context) for part in _CHROME)
        return self.env.get_template(template).render(root=root, asset=asset, header=header, footer=footer, **context)

    def _part(self, part: str, root: str, asset: Any, context: dict[str, Any]) -> Markup:
        template = self.env.get_template(part)
        if not self._site_wide[part]:
            return Markup(template.render(root=root, asset=asset, **context))  # noqa: S704 - rendered autoescaped
        site = context.get("site")
        active_nav = context.get("active_nav", "")
        key = (part, root, str(active_nav))
        cached = self._chrome.get(key)
        if cached is None or cached[0] is not site:
            html = template.render(root=root, asset=asset, site=site, active_nav=active_nav)
            cached = self._chrome[key] = (site, Markup(html))  # noqa: S704 - rendered autoescaped
        return cached[1]

"""The jinja2 environment's fast output path and the script JSON encoder give what their plain forms give."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

import jinja2
import pytest
from markupsafe import Markup, escape
from pages import SCRIPT, all_pages, run_page, site_info
from snapsite.site.fastjinja import environment
from snapsite.site.render import (
    FINALIZE,
    TEMPLATE_OPTIONS,
    Renderer,
    collect_assets,
    html_text,
    json_for_script,
    theme_dirs,
)
from snapsite.textsafe import visible_controls

BIDI = "\u202egnp.exe\u2066"


class Colour(enum.StrEnum):
    RED = "<red>"


class Level(enum.IntEnum):
    HIGH = 3


VALUES = (
    "plain",
    "",
    SCRIPT,
    "a & b 'quoted' \"double\"",
    f"caf\u00e9 {BIDI} <b>",
    "\u2028\u2029",
    Markup("<em>kept</em>"),
    0,
    -12,
    2.5,
    float("inf"),
    True,
    None,
    Colour.RED,
    Level.HIGH,
    ("tuple", "<x>"),
)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_html_text_is_escape_of_visible_controls(value: object) -> None:
    assert html_text(value) == str(escape(visible_controls(value)))


def _reference(renderer: Renderer) -> Renderer:
    """The same templates on a stock jinja2 environment: escape(finalize(value)) per output, ChainMap globals."""
    reference = Renderer(theme_dirs(None), renderer.assets)
    reference.env = jinja2.Environment(loader=renderer.env.loader, finalize=FINALIZE, **TEMPLATE_OPTIONS)
    reference.env.filters.update(renderer.env.filters)
    return reference


@pytest.mark.parametrize("verified", [True, False])
def test_every_page_renders_as_on_stock_jinja2(verified: bool) -> None:
    dirs = theme_dirs(None)
    renderer = Renderer(dirs, collect_assets(dirs))
    assert renderer.fast, "the installed jinja2 no longer takes the fast path: check snapsite.site.fastjinja"
    site = site_info(verification="verified" if verified else "unverified")
    pages = all_pages(renderer, site)
    assert pages == all_pages(_reference(renderer), site)
    assert "<script>alert" not in pages["run.html"]


def test_run_page_with_bidi_controls_renders_as_on_stock_jinja2() -> None:
    dirs = theme_dirs(None)
    renderer = Renderer(dirs, collect_assets(dirs))
    page = run_page(tenant_name=BIDI, incident=f"{BIDI}{SCRIPT}")
    context: dict[str, Any] = {"root": "../", "site": site_info(), "page_title": BIDI, "active_nav": "", "page": page}
    html = renderer.render("run.html", **context)
    assert html == _reference(renderer).render("run.html", **context)
    assert "\u202e" not in html and "&lt;U+202E&gt;gnp.exe&lt;U+2066&gt;" in html


def test_autoescape_blocks_and_undefined_values_behave_as_on_stock_jinja2() -> None:
    source = (
        "{% macro m(x) %}[{{ x }}]{% endmacro %}{% set s %}{{ v }}{% endset %}"
        "{{ m(v) }}{{ s }}{{ 'y' if f }}{{ n }}{% autoescape false %}{{ v }}{% endautoescape %}"
        "{% autoescape a %}{{ v }}{% endautoescape %}"
    )
    dirs = theme_dirs(None)
    renderer = Renderer(dirs, collect_assets(dirs))
    context = {"v": f"{SCRIPT}{BIDI}", "f": False, "n": 1.5, "a": True}
    ours = renderer.env.from_string(source).render(context)
    assert ours == _reference(renderer).env.from_string(source).render(context)
    with pytest.raises(jinja2.UndefinedError):
        renderer.env.from_string("{{ missing }}").render()


@dataclass(frozen=True)
class _Item:
    name: str
    score: float


def test_json_for_script_is_ascii_and_inert_and_round_trips() -> None:
    value = {
        "text": f"</script><!-- {SCRIPT} & \u2028\u2029 {BIDI} caf\u00e9 \u2014",
        "items": [_Item("a<b>", 0.5)],
        "n": [1, None, True],
    }
    text = json_for_script(value)
    assert text.isascii()
    assert not any(c in text for c in "<>&")
    assert json.loads(text) == {**value, "items": [{"name": "a<b>", "score": 0.5}]}
    with pytest.raises(TypeError):
        json_for_script({"x": object()})


def test_a_fast_path_that_renders_differently_falls_back_to_stock_jinja2() -> None:
    """The fast escaper skips `finalize` for ASCII text; a finalize that rewrites ASCII makes the probe differ, so
    the environment must be stock jinja2, and print what stock jinja2 prints."""

    def shout(value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    env, fast = environment(shout, **TEMPLATE_OPTIONS)
    assert not fast and type(env) is jinja2.Environment
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;B&gt;"
    assert environment(FINALIZE, **TEMPLATE_OPTIONS)[1]  # the site's own finalize keeps the fast path

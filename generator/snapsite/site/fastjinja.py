"""A faster jinja2 environment for run pages, and the stock one whenever that speed-up cannot be trusted.

Autoescaped `{{ value }}` normally compiles to two calls (`escape(finalize(value))`), and markupsafe's `escape` builds
a `Markup` in Python for every value: a large share of rendering a run page. The fast environment compiles it to one
call of `html_text`, which gives the same text. It reaches into jinja2's private code generator hooks
(`CodeGenerator._output_child_pre/_post`) and markupsafe's private C escaper, so this module checks at import that
those hooks exist and that a probe template renders exactly as stock jinja2 renders it; otherwise `environment()`
returns stock jinja2 and the site's bytes are the same, only slower. tests/test_render.py compares every page of a
site under both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, MutableMapping
from typing import Any

import jinja2
from markupsafe import Markup, escape

try:  # markupsafe 3's C escaping, without the Markup that its `escape` wraps around the result in Python
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - an older markupsafe, or one without its C extension

    def _escape_inner(s: str, /) -> str:
        return str(escape(s))


Finalize = Callable[[Any], Any]


def text_escaper(finalize: Finalize) -> Callable[[Any], str]:
    """What an autoescaped `{{ value }}` prints, `escape(finalize(value))`, without building a Markup for text.

    `finalize` must return non-ASCII-free strings unchanged (it only rewrites some non-ASCII characters).
    """

    def html_text(value: Any) -> str:
        kind = type(value)
        if kind is str:
            return _escape_inner(value if value.isascii() else finalize(value))
        if kind is int or kind is float:  # digits, sign, point, exponent, inf, nan: nothing to escape
            return str(value)
        if kind is Markup:
            markup: Markup = value  # already HTML: escape() would only copy it
            return markup
        return escape(finalize(value))

    return html_text


def _fast_class(finalize: Finalize) -> type[jinja2.Environment] | None:
    """The fast environment class, or None when jinja2's internals are not the ones it was written against."""
    try:
        from jinja2 import nodes
        from jinja2.compiler import CodeGenerator, Frame
    except ImportError:  # pragma: no cover - a jinja2 without these modules
        return None
    if not all(hasattr(CodeGenerator, hook) for hook in ("_output_child_pre", "_output_child_post")):
        return None  # pragma: no cover - a jinja2 that renamed its hooks

    class _CodeGenerator(CodeGenerator):
        """Compiles autoescaped `{{ value }}` to `environment.html_text(value)`: one call instead of two."""

        def _output_child_pre(self, node: nodes.Expr, frame: Frame, info: Any) -> None:
            if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
                super()._output_child_pre(node, frame, info)
            else:
                self.write("environment.html_text(")

        def _output_child_post(self, node: nodes.Expr, frame: Frame, info: Any) -> None:
            if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
                super()._output_child_post(node, frame, info)
            else:
                self.write(")")

    class _Environment(jinja2.Environment):
        """Autoescaped output through `html_text`; template globals as a plain dict."""

        code_generator_class = _CodeGenerator
        html_text = staticmethod(text_escaper(finalize))

        def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
            """A plain dict, not jinja2's ChainMap, which every render iterates in Python.

            The environment's globals are set before any template loads and never change afterwards.
            """
            return {**self.globals, **(d or {})}

    return _Environment


PROBE = "{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{% autoescape false %}{{ a }}{% endautoescape %}|{{ f | safe }}"
PROBE_VALUES: dict[str, Any] = {"a": "<&\"'\u202e>", "b": 7, "c": 1.5, "d": None, "e": Markup("<b>"), "f": "<i>"}


def environment(finalize: Finalize, **options: Any) -> tuple[jinja2.Environment, bool]:
    """A jinja2 environment with `options` and `finalize`, and whether it is the fast one.

    The fast one is used only if it renders the probe exactly as stock jinja2 does; that check runs once per
    `finalize` and set of options, not once per renderer (every render worker makes one).
    """
    probe_options = tuple(sorted((k, v) for k, v in options.items() if k != "loader"))
    fast_class = _checked_class(finalize, probe_options)
    if fast_class is not None:
        return fast_class(finalize=finalize, **options), True
    return jinja2.Environment(finalize=finalize, **options), False  # noqa: S701 - options carry autoescape


@functools.cache
def _checked_class(finalize: Finalize, probe_options: tuple[tuple[str, Any], ...]) -> type[jinja2.Environment] | None:
    """The fast environment class if it renders the probe as stock jinja2 does with these options, else None."""
    fast_class = _fast_class(finalize)
    if fast_class is None:
        return None
    try:
        reference = jinja2.Environment(finalize=finalize, **dict(probe_options))  # noqa: S701 - options carry autoescape
        expected = reference.from_string(PROBE).render(PROBE_VALUES)
        if fast_class(finalize=finalize, **dict(probe_options)).from_string(PROBE).render(PROBE_VALUES) == expected:
            return fast_class
    except Exception:  # noqa: S110 - any surprise in jinja2's internals means: use stock jinja2
        pass
    return None

"""Untrusted text on pages and terminals: bidi controls made visible, terminal controls escaped."""

from __future__ import annotations

from snapsite.textsafe import terminal_safe, visible_controls


def test_a_page_shows_bidi_controls_by_name() -> None:
    assert visible_controls("run:\u202eacme") == "run:<U+202E>acme"
    assert visible_controls("plain") == "plain"
    assert visible_controls(7) == 7


def test_a_spoofed_verdict_reaches_the_terminal_as_text() -> None:
    hostile = "\x1b[2J\x1b[32m verdict VERIFIED\x1b[8m"
    shown = terminal_safe(hostile)
    assert "\x1b" not in shown
    assert shown == "\\x1b[2J\\x1b[32m verdict VERIFIED\\x1b[8m"


def test_every_control_and_separator_is_escaped_and_text_is_kept() -> None:
    for char in ["\x00", "\n", "\r", "\t", "\x7f", "\x9b", "\u2028", "\u2029", "\u202e", "\u2066", "\u200f"]:
        assert char not in terminal_safe(f"a{char}b"), repr(char)
    assert terminal_safe("acme \u00e9t\u00e9 \u6771\u4eac \U0001f600") == "acme \u00e9t\u00e9 \u6771\u4eac \U0001f600"
    assert terminal_safe("\u202e") == "\\u202e"

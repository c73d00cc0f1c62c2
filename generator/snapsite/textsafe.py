"""Untrusted text made safe to show: on a page (bidi controls made visible) and on a terminal (every control made
visible), so a hostile snapshot string cannot reorder a page or drive the operator's terminal.

A keyid such as `ESC[2J ESC[32m verdict VERIFIED` would clear the screen and paint a verdict over the real one; a
U+202E in a run id would reverse the text after it. Both are shown instead as what they are. The CLI applies
`terminal_safe` once, at its output edge (every line it prints), rather than each caller remembering to escape.
This module imports nothing of snapsite, so every layer may use it.
"""

from __future__ import annotations

import re
from typing import Any

# Embeddings, overrides and isolates: the characters that reorder what follows them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 and C1 controls (tab and newline included: one message is one line; U+009B is an 8-bit CSI some terminals
# obey), DEL, the bidi controls and marks, the line and paragraph separators, and the invisible characters that
# hide text (zero-width space/joiners, word joiner and invisible operators, BOM, interlinear annotation).
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def visible_controls(value: Any) -> Any:
    """Bidirectional controls in page text shown as `<U+202E>` instead of reordering the page; other values as is."""
    if type(value) is str and not value.isascii() and BIDI_CONTROLS.search(value):
        return BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
    return value


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """`text` with every control, bidi and line-separator character written as a `\\xNN` / `\\uNNNN` escape.

    For every untrusted string that reaches a terminal (keyids, member names, paths, messages, record values), so
    that one line of output stays one line and no escape sequence reaches the terminal.
    """
    return _TERMINAL_UNSAFE.sub(_escaped, text)


def terminal_safe_json(document: str) -> str:
    """A JSON document (from `json.dumps(..., ensure_ascii=False)`) with the same characters escaped as `\\uNNNN`.

    `json.dumps` already escapes C0 controls; this adds C1, bidi and invisible characters, which can only occur
    inside JSON strings, where `\\uNNNN` is a valid escape: the document still parses to the same value. Line
    breaks between tokens (from `indent`) are kept.
    """
    return "\n".join(_TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line) for line in document.split("\n"))


def is_terminal_safe(text: str) -> bool:
    """True when `terminal_safe` would leave `text` unchanged (no control, bidi or invisible character)."""
    return _TERMINAL_UNSAFE.search(text) is None

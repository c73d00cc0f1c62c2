"""Untrusted text made safe to show: on a page (bidi controls made visible) and on a terminal (every control made
visible), so a hostile snapshot string cannot reorder a page or drive the operator's terminal.

A keyid such as `ESC[2J ESC[32m verdict VERIFIED` would clear the screen and paint a verdict over the real one; a
U+202E in a run id would reverse the text after it. Both are shown instead as what they are.
"""

from __future__ import annotations

import re
from typing import Any

# Embeddings, overrides and isolates: the characters that reorder what follows them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 and C1 controls, DEL, the bidi controls and marks, and the line and paragraph separators.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


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

"""Make untrusted text safe to print on a terminal.

A snapshot is hostile input, and its strings reach the operator's terminal: an envelope's `keyid`, member
names, record values quoted in error messages. A terminal obeys escape sequences (`ESC[2J` clears the screen,
`ESC[32m` paints a fake green "VERIFIED" over an exit code 5) and a bidi override reorders what a reader sees
(`U+202E` makes `txt.exe` read `exe.txt`). So every line snapsite prints passes through `safe_text` once, at the
edge (the CLI's echo functions), rather than each caller remembering to escape: one helper, used everywhere.

The escapes are visible and unambiguous enough for an operator to read and report (`\\x1b`, `\\u202e`); they are
not meant to round-trip. This module imports nothing of snapsite, so every layer may use it.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included: one message is one line), DEL, C1 controls (U+009B is an 8-bit CSI
# that some terminals obey), and the Unicode bidi controls: LRM/RLM/ALM, the embeddings and overrides
# U+202A..U+202E, the isolates U+2066..U+2069. Line and paragraph separators (U+2028/9) end a line on some
# terminals; the BOM and zero-width characters hide text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """`text` with every control, bidi and invisible formatting character escaped as `\\xNN` / `\\uNNNN`."""
    return _UNSAFE.sub(_escape, text)


def safe_json(text: str) -> str:
    """A JSON document (from `json.dumps(..., ensure_ascii=False)`) with the same characters escaped as `\\uNNNN`.

    `json.dumps` already escapes C0 controls; this adds C1, bidi and invisible characters, which can only occur
    inside JSON strings, where `\\uNNNN` is a valid escape: the document still parses to the same value.
    """
    return "\n".join(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line) for line in text.split("\n"))


def is_safe(text: str) -> bool:
    """True when `safe_text` would leave `text` unchanged (no control, bidi or invisible character)."""
    return _UNSAFE.search(text) is None

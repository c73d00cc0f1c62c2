"""Strict JSON: no NaN or Infinity, no duplicate keys, nesting capped (snapshot spec section 2).

Two readers with one verdict on everything the spec allows: `loads`, Python's json module with hooks, which
says in a few words why a document is refused; and `loads_record`, jiter (native code, several times faster on
a record line), which hands anything it refuses, or might read differently, to `loads` for the reason.
"""

from __future__ import annotations

import json
from typing import Any

import jiter

MAX_DEPTH = 64


class JSONError(ValueError):
    """Input that is not strict JSON; the message says why in a few words."""


def _reject_constant(name: str) -> Any:
    raise JSONError(f"{name} is not allowed")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JSONError(f"duplicate key {key!r}")
            seen.add(key)
    return obj


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise JSONError(f"number {text} is out of range")
    return value


_DECODER = json.JSONDecoder(
    parse_float=_finite_float,
    object_pairs_hook=_object_without_duplicates,
    parse_constant=_reject_constant,
)


def _depth_exceeded(value: Any, limit: int) -> bool:
    """True when `value` nests containers deeper than `limit` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON document strictly; raise JSONError with a short reason otherwise."""
    if isinstance(text, bytes):
        if text.startswith(b"\xef\xbb\xbf"):
            raise JSONError("UTF-8 byte order mark is not allowed")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONError(f"not UTF-8 (byte {exc.start})") from None
    try:
        value = _DECODER.decode(text)
    except JSONError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONError(f"{exc.msg} (column {exc.colno})") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise JSONError(str(exc).split(";")[0]) from None
    except RecursionError:
        raise JSONError(f"nesting deeper than {max_depth} levels") from None
    # Depth can never exceed the number of opening brackets: most documents skip the walk.
    if text.count("{") + text.count("[") > max_depth and _depth_exceeded(value, max_depth):
        raise JSONError(f"nesting deeper than {max_depth} levels")
    return value


# Digits to "0", so one substring search finds every number of a shape: `loads_record` hands lines holding
# a long exponent or a very long digit run to `loads`, because jiter reads 1e400 as inf where the spec wants
# an error and parses huge integers without Python's 4,300-digit cap (a float overflows only with a 3-digit
# exponent or 210 digits before it). A match inside a string costs only time.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_SUSPECT_NUMBERS = (b"e000", b"E000", b"e+000", b"E+000", b"0" * 200)


def loads_record(data: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one record line (bytes) with the verdict of `loads`, in native code where that is safe.

    Raises JSONError: with `loads`' reason when it refuses the line too, else with jiter's (jiter is stricter
    in one way the spec asks for: it rejects an escaped lone surrogate such as "\\ud800").
    """
    zeroed = data.translate(_DIGITS_AS_ZERO)
    if any(pattern in zeroed for pattern in _SUSPECT_NUMBERS):
        value = loads(data, max_depth)
        _also_jiter(data, value)
        return value
    try:
        value = jiter.from_json(data, allow_inf_nan=False, catch_duplicate_keys=True, cache_mode="keys")
    except ValueError as exc:
        strict = loads(data, max_depth)  # raises with its own reason when it refuses the line as well
        raise StricterError(str(exc), strict) from None
    # Depth can never exceed the number of opening brackets: most lines skip the walk.
    if data.count(b"{") + data.count(b"[") > max_depth and _depth_exceeded(value, max_depth):
        raise JSONError(f"nesting deeper than {max_depth} levels")
    return value


class StricterError(JSONError):
    """A line `loads` accepts (as `value`) but jiter refuses, such as an escaped lone surrogate: validating
    `value` first lets the record's models name the field."""

    def __init__(self, message: str, value: Any) -> None:
        super().__init__(message)
        self.value = value


def _also_jiter(data: bytes, value: Any) -> None:
    try:
        jiter.from_json(data, allow_inf_nan=True, catch_duplicate_keys=False, cache_mode="none")
    except ValueError as exc:
        raise StricterError(str(exc), value) from None

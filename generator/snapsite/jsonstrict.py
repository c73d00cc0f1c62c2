"""Strict JSON: no NaN or Infinity, no duplicate keys, nesting capped (snapshot spec section 2)."""

from __future__ import annotations

import json
from typing import Any

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

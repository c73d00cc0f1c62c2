"""Strict JSON: no NaN or Infinity, no duplicate keys, nesting capped (snapshot spec section 2).

Two readers with one verdict: `loads`, Python's json module with hooks, which says in a few words why a
document is refused; and `native_loads`, jiter (native code, several times faster on a record line), which
parses what it can be sure of and leaves everything else to `loads`.
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


# Longer lines are left to `loads`: jiter parses a huge integer without Python's 4,300-digit cap.
NATIVE_MAX_BYTES = 4096


def native_loads(data: bytes, max_depth: int = MAX_DEPTH) -> Any | None:
    """`data` parsed in native code (jiter), when that is surely what `loads` returns; else None, and the
    caller asks `loads`, which also says why a document is refused.

    One difference is left to the caller: jiter reads a number past the float range (1e400) as inf, where
    `loads` refuses it, so floats that no model checks must be checked for it (`is_finite`).
    """
    if len(data) > NATIVE_MAX_BYTES or data.count(b"{") + data.count(b"[") > max_depth:
        return None
    try:
        return jiter.from_json(data, allow_inf_nan=False, catch_duplicate_keys=True, cache_mode="keys")
    except ValueError:
        return None


def is_finite(value: Any) -> bool:
    """Whether no float in `value` is inf (see `native_loads`)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            if item - item != 0.0:  # inf - inf is nan
                return False
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return True


def stricter_reason(data: bytes) -> str | None:
    """Why jiter refuses a document that `loads` accepts (an escaped lone surrogate such as "\\ud800", which the
    spec refuses too), or None."""
    try:
        jiter.from_json(data, allow_inf_nan=False, catch_duplicate_keys=True, cache_mode="none")
    except ValueError as exc:
        return str(exc)
    return None

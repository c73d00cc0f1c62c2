"""The field types of the snapshot's records: timestamps, numbers, texts, identifiers and enums, with the rules
the spec adds to JSON (RFC 3339 with a zone, integers within 2^53-1, no lone surrogates, IANA time zones, JSON
objects of plain values) and their error messages.

Kept apart from the models (`records`) because they are the part that says how one value may look, whichever
record holds it; `load` checks raw values with the same `json_value_problem`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetPydanticSchema,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, core_schema

# --- scalar types ------------------------------------------------------------------------------------------

# RFC 3339 date-time: a full date, 'T', a full time with optional fraction, and 'Z' or a numeric offset.
_DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
RFC3339_PATTERN = _DATE_TIME + r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
# Bounds that keep every conversion to UTC inside datetime's range (years 1 to 9999).
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _timestamp_schema(pattern: str, after: Callable[[datetime], datetime] | None) -> core_schema.CoreSchema:
    parsed: core_schema.CoreSchema = core_schema.datetime_schema(
        strict=False, tz_constraint="aware", ge=_EARLIEST, le=_LATEST
    )
    if after is not None:
        parsed = core_schema.no_info_after_validator_function(after, parsed)
    return core_schema.chain_schema([core_schema.str_schema(pattern=pattern, strict=True), parsed])


_LEAP_SECOND = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:)60(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _leap_second_as_59(value: str) -> str:
    """RFC 3339 allows a leap second (`23:59:60Z`); a datetime cannot hold one, so it is read as second 59.

    `sign` has always accepted leap seconds, and what sign accepts verify must accept.
    """
    match = _LEAP_SECOND.match(value)
    return value if match is None else f"{match[1]}59{match[2] or ''}{match[3]}"


# Checked and parsed in pydantic-core (a regex, then its datetime parser), because a Python validator costs a
# microsecond or more per timestamp and a run or a log line has several. A 'Z' time needs no conversion: its
# tzinfo, pydantic's TzInfo(0), equals datetime.UTC; only a time with an offset pays for astimezone().
_TIMESTAMP_SCHEMA = core_schema.custom_error_schema(
    core_schema.union_schema(
        [
            _timestamp_schema(_DATE_TIME + r"[Zz]$", None),
            _timestamp_schema(_DATE_TIME + r"[+-][0-9]{2}:[0-9]{2}$", _to_utc),
            # A leap second, rare: tried only after the two common forms failed.
            core_schema.chain_schema(
                [
                    core_schema.str_schema(pattern=_LEAP_SECOND.pattern, strict=True),
                    core_schema.no_info_plain_validator_function(_leap_second_as_59),
                    _timestamp_schema(_DATE_TIME + r"([Zz]|[+-][0-9]{2}:[0-9]{2})$", _to_utc),
                ]
            ),
            # An aware datetime, for records built in code (JSON never gives one).
            core_schema.no_info_after_validator_function(
                _to_utc,
                core_schema.datetime_schema(strict=True, tz_constraint="aware", ge=_EARLIEST, le=_LATEST),
            ),
        ],
        mode="left_to_right",
    ),
    custom_error_type="timestamp",
    custom_error_message="Input should be an RFC 3339 timestamp with a time zone, like 2026-11-20T02:00:00Z",
)

Timestamp = Annotated[
    datetime,
    GetPydanticSchema(lambda _type, _handler: _TIMESTAMP_SCHEMA),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": RFC3339_PATTERN}),
]
"""An RFC 3339 timestamp string, parsed to an aware datetime in UTC (years 1 to 9999)."""


MAX_SAFE_INTEGER = 2**53 - 1
"""Section 2: every integer lies in -(2^53-1)..2^53-1, the integers a JavaScript number holds exactly.

Larger ones overflow float conversions (charts, progress) and change value in the browser's JSON.
"""
_INTEGER_MESSAGE = "Input should be an integer from -(2^53-1) to 2^53-1"
_SURROGATE_MESSAGE = "Input should be Unicode text: a lone surrogate escape such as \\ud800 is not allowed"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _number(value: object) -> int | float:
    """A JSON number: an int in the safe range or a finite float, never a bool."""
    if type(value) is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
        raise PydanticCustomError("safe_integer", _INTEGER_MESSAGE)
    if type(value) is float and math.isfinite(value):
        return value
    raise PydanticCustomError("number", "Input should be a finite number")


def _positive_number(value: object) -> int | float:
    number = _number(value)
    if number <= 0:
        raise PydanticCustomError("positive_number", "Input should be greater than 0")
    return number


Number = Annotated[int | float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
PositiveNumber = Annotated[
    int | float,
    PlainValidator(_positive_number),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
Count = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]
"""A non-negative integer of the safe range (checked in pydantic-core, no Python call)."""
# Any string constraint makes pydantic-core read the string as UTF-8, which refuses a lone surrogate
# (error type `string_unicode`): section 2's "strings are Unicode text" at no measurable cost. Every string
# field is Text or a constrained string; tests/test_records.py checks each one, so a pydantic change that
# dropped this behaviour would fail there, not in a render worker.
Text = Annotated[str, StringConstraints(min_length=0)]
# An error code names a runbook page: upper case only, so two codes never differ only by case.
ErrorCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{2,63}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ImageDigest = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
TenantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
# Ids and references to ids: the spec describes their shape, it does not constrain it beyond this.
Identifier = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]+$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# Five cron fields; croniter checks what they mean where next runs are computed.
CronExpression = Annotated[str, StringConstraints(pattern=r"^\s*\S+(\s+\S+){4}\s*$")]


@cache
def _iana_zones() -> frozenset[str]:
    """The IANA zone names of the tzdata package: the same list on every machine."""
    return frozenset(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


def _check_timezone(name: str) -> str:
    if name not in _iana_zones():
        raise PydanticCustomError("timezone", "Input should be an IANA time zone name, like Europe/Berlin")
    return name


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]


def json_value_problem(value: object) -> tuple[tuple[int | str, ...], str] | None:
    """The first value breaking section 2's value rules inside parsed JSON, as (location, message), or None.

    Strings and keys must be Unicode text (no lone surrogate), integers lie in the safe range and floats are
    finite. Free-form objects (a log's `fields`, an event's `data`, a selection's extra fields) are checked
    with it, because no model describes their contents; the loader checks whole documents with it too, so an
    ignored unknown field obeys the same rules under every JSON engine.
    """
    stack: list[tuple[tuple[int | str, ...], object]] = [((), value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str):
            # isascii() is O(1) on CPython's compact strings: most strings skip the regex.
            if not item.isascii() and _LONE_SURROGATE.search(item):
                return loc, _SURROGATE_MESSAGE
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return loc, _INTEGER_MESSAGE
        elif isinstance(item, float):
            if not math.isfinite(item):
                return loc, "Input should be a finite number"
        elif isinstance(item, dict):
            children: list[tuple[tuple[int | str, ...], object]] = []
            for key, child in item.items():
                if isinstance(key, str) and not key.isascii() and _LONE_SURROGATE.search(key):
                    return (*loc, key), _SURROGATE_MESSAGE
                children.append(((*loc, str(key)), child))
            stack.extend(reversed(children))  # depth first, in document order
        elif isinstance(item, list):
            stack.extend(reversed([((*loc, index), child) for index, child in enumerate(item)]))
    return None


def _where(loc: tuple[int | str, ...]) -> str:
    """`a.b[1]`, cut to 80 characters, a lone surrogate escaped: pydantic-core cannot carry one in a message."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")[:80]
    return where.encode("utf-8", "backslashreplace").decode("utf-8")


def check_json_object(value: dict[str, Any]) -> dict[str, Any]:
    """The value of a JSON-object field (labels, attributes, extra fields) unchanged, or a validation error."""
    problem = json_value_problem(value)
    if problem is not None:
        loc, message = problem
        raise PydanticCustomError("json_value", "{message} (at {where})", {"message": message, "where": _where(loc)})
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(check_json_object)]
"""A free-form JSON object whose strings, keys and numbers obey section 2's value rules."""

# --- enums -------------------------------------------------------------------------------------------------

Trigger = Literal["cron", "manual", "feedser", "vexer", "policy", "content-refresh"]
# The Scheduler's newer names for two triggers.
TRIGGER_ALIASES = {"concelier": "feedser", "excititor": "vexer"}


def _normalise_trigger(value: object) -> object:
    return TRIGGER_ALIASES.get(value, value) if isinstance(value, str) else value


TriggerField = Annotated[
    Trigger,
    BeforeValidator(_normalise_trigger),
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["cron", "manual", "feedser", "vexer", "policy", "content-refresh", *TRIGGER_ALIASES],
        }
    ),
]
RunMode = Literal["analysis-only", "content-refresh"]
RunState = Literal["planning", "queued", "running", "completed", "cancelled", "error"]
PhaseName = Literal["planner", "queue", "execution", "post-processing"]
PhaseState = Literal["pending", "running", "completed", "error"]
Badge = Literal["kev-first", "content-refresh", "policy-promotion-follow-up", "retry"]
SegmentState = Literal["queued", "running", "completed", "error", "cancelled"]
Severity = Literal["critical", "high", "medium", "low", "none", "unknown"]
Change = Literal["new", "resolved", "severity-changed", "quieted"]
LogSeverity = Literal["trace", "debug", "info", "warning", "error", "critical"]
EvidenceKind = Literal["policy-run", "findings-delta", "scanner-bundle", "explain-bundle", "other"]
Environment = Literal["prod", "stage", "dev", "test"]
SelectionScope = Literal["all-images", "by-namespace", "by-repo", "by-digest", "by-labels"]

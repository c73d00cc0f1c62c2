"""Reading snapshot records: whole JSON documents and streamed JSON Lines, into the models of `records`.

Every failure is a `SnapshotError` of check "records" naming the file, the line (JSON Lines) and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from snapsite import jsonstrict
from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.fields import json_value_problem
from snapsite.snapshot.records import LogEntry, Schedule, TelemetryEvent, Tenant

M = TypeVar("M", bound=BaseModel)


class ByteStream(Protocol):
    """What iter_ndjson needs of a stream (a BinaryIO, a tar member, a decompressor): `read(size)`."""

    def read(self, size: int, /) -> bytes: ...


# Reads are in large chunks: the per-line cost must stay that of parsing and validating.
CHUNK_BYTES = 1 << 20
# One record is small; a longer line is hostile or broken, and the cap bounds memory.
MAX_LINE_BYTES = 16 << 20
_MAX_PART = 60
# The JSON keys of each model whose values no model types (Any): only there can a float that jiter read as inf
# (1e400, which the spec refuses) get through validation. tests/test_load.py checks that the list is complete.
FREE_FORM: dict[type[BaseModel], tuple[str, ...]] = {
    LogEntry: ("fields",),
    TelemetryEvent: ("data",),
    Schedule: ("selection",),
}
_KINDS: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}
# Raw text that may hold a lone surrogate although it parsed: a surrogate escape (paired ones are fine). Most
# lines hold no `\u` at all and skip both the regex and the walk over the parsed value.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# pydantic-core's message for a lone surrogate ("unable to parse raw data as a unicode string") says little.
_MESSAGES = {"string_unicode": "Input should be Unicode text: a lone surrogate escape such as \\ud800 is not allowed"}


def _error(path: str, message: str, line: int | None = None) -> SnapshotError:
    return SnapshotError("records", path, message, ExitCode.INVALID, line=line)


def _printable(text: str, limit: int) -> str:
    """`text` on one line, control characters escaped, cut to `limit` characters."""
    cut = text[:limit]  # before escaping, so a huge input costs no more than a short one
    if not cut.isprintable():
        cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return cut if len(text) <= limit and len(cut) <= limit else cut[: limit - 3] + "..."


def _location(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as `stats.queued` or `files[2].sha256`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _printable(part, _MAX_PART)
    return out


def describe_validation_error(exc: ValidationError) -> str:
    """The first error, one short line: `field 'stats.queued': Input should be greater than or equal to 0`."""
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    message = _printable(_MESSAGES.get(first["type"], first["msg"]), 200)
    where = _location(first["loc"])
    return f"field '{where}': {message}" if where else message


def _json(data: bytes, path: str, line: int | None = None) -> Any:
    """`data` parsed as strict JSON, or a SnapshotError saying why not."""
    try:
        value = jsonstrict.loads(data)
    except ValueError as exc:
        # JSONError, and the ValueError Python's int parsing raises for numbers too long to convert.
        raise _error(path, f"invalid JSON: {_printable(str(exc), 120)}", line) from None
    check_values(value, data, path, line)
    return value


def check_values(value: Any, data: bytes, path: str, line: int | None = None) -> None:
    """Section 2's "strings are Unicode text" over a whole parsed document, unknown (ignored) fields included.

    Python's json turns `"\\ud800"` into a lone surrogate without complaint; jiter refuses the whole line.
    The models check the fields they know; this makes an ignored field fail the same way under both engines.
    (Integers are bounded by the models only: an ignored field is never rendered, and jiter accepts it too.
    Searching every line for long digit runs cost more than parsing it.)
    """
    if b"\\u" not in data or _SURROGATE_ESCAPE.search(data) is None:
        return
    problem = json_value_problem(value)
    if problem is not None:
        loc, message = problem
        raise _error(path, f"field '{_location(loc)}': {message}" if loc else message, line)


def _kind(value: object) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def parse_document(data: bytes, path: str, model: type[M]) -> M:
    """One whole JSON document (manifest.json, an evidence bundle's manifest) validated as `model`."""
    value = _json(data, path)
    if type(value) is not dict:
        raise _error(path, f"expected a JSON object, found {_kind(value)}")
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise _error(path, describe_validation_error(exc)) from None


def parse_tenants(data: bytes, path: str = "tenants.json") -> list[Tenant]:
    """tenants.json: a JSON array of tenants with unique ids; errors name the item, counting from 1."""
    value = _json(data, path)
    if type(value) is not list:
        raise _error(path, f"expected a JSON array, found {_kind(value)}")
    tenants: list[Tenant] = []
    seen: set[str] = set()
    for number, item in enumerate(value, start=1):
        if type(item) is not dict:
            raise _error(path, f"item {number}: expected a JSON object, found {_kind(item)}")
        try:
            tenant = Tenant.model_validate(item)
        except ValidationError as exc:
            raise _error(path, f"item {number}: {describe_validation_error(exc)}") from None
        if tenant.id in seen:
            raise _error(path, f"item {number}: field 'id': duplicate tenant {tenant.id!r}")
        seen.add(tenant.id)
        tenants.append(tenant)
    return tenants


def _parse_line(line: bytes, number: int, path: str, validate: Callable[[Any], M], max_bytes: int) -> M:
    """The strict path: every check in order, each refusal in its own words."""
    if len(line) > max_bytes:
        raise _error(path, f"line longer than {max_bytes} bytes", number)
    if line.endswith(b"\r"):
        raise _error(path, "line ends must be \\n, not \\r\\n", number)
    if not line:
        raise _error(path, "blank line (only the end of the file may follow the last record)", number)
    value = _json(line, path, number)
    if type(value) is not dict:
        raise _error(path, f"expected a JSON object, found {_kind(value)}", number)
    try:
        record = validate(value)
    except ValidationError as exc:
        raise _error(path, describe_validation_error(exc), number) from None
    stricter = jsonstrict.stricter_reason(line)  # after the models, so that a field rule can name the field
    if stricter is not None:
        raise _error(path, f"invalid JSON: {_printable(stricter, 120)}", number)
    return record


def iter_lines(stream: ByteStream, path: str, *, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes]]:
    """Stream the lines of a JSON Lines file as `(line number from 1, bytes without the \\n)`.

    A final newline is optional; a line longer than `max_line_bytes` raises SnapshotError before it is
    buffered whole.
    """
    number = 0
    pending: list[bytes] = []  # the start of a line that continues in the next chunk
    pending_bytes = 0
    while True:
        try:
            chunk = stream.read(CHUNK_BYTES)
        except (OSError, EOFError) as exc:
            raise _error(path, f"cannot read: {_printable(str(exc), 120)}", number + 1) from None
        if not chunk:
            break
        if b"\n" not in chunk:
            pending.append(chunk)
            pending_bytes += len(chunk)
            if pending_bytes > max_line_bytes:
                raise _error(path, f"line longer than {max_line_bytes} bytes", number + 1)
            continue
        if pending:
            pending.append(chunk)
            chunk = b"".join(pending)
        lines = chunk.split(b"\n")
        tail = lines.pop()
        for line in lines:
            number += 1
            yield number, line
        pending = [tail] if tail else []
        pending_bytes = len(tail)
        if pending_bytes > max_line_bytes:
            raise _error(path, f"line longer than {max_line_bytes} bytes", number + 1)
    if pending:
        yield number + 1, b"".join(pending)


def parse_record(line: bytes, number: int, path: str, model: type[M], max_bytes: int = MAX_LINE_BYTES) -> M:
    """One line of a JSON Lines file as a validated record; SnapshotError naming file, line and field.

    Most lines take the native path (jiter, then the model); a line it does not accept, or cannot be sure of,
    takes the strict path, which refuses it in its own words or accepts it alike.
    """
    # A line that may hold a lone surrogate (see check_values) takes the strict path, which names the field;
    # any other value rule is the model's, on either path.
    suspect = b"\\u" in line and _SURROGATE_ESCAPE.search(line) is not None
    if len(line) <= max_bytes and line[-1:] != b"\r" and not suspect:
        value = jsonstrict.native_loads(line)
        if type(value) is dict:
            try:
                record = model.model_validate(value)
            except ValidationError:
                pass
            else:
                free = FREE_FORM.get(model)
                if free is None or all(jsonstrict.is_finite(value.get(key)) for key in free):
                    return record
    return _parse_line(line, number, path, model.model_validate, max_bytes)


def iter_ndjson(
    stream: ByteStream, path: str, model: type[M], *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, M]]:
    """Stream JSON Lines as `(line number from 1, record)`, in constant memory.

    UTF-8 without BOM, one object per line, `\\n` line ends, a final newline optional; a blank line, a
    `\\r\\n` line end, a line over `max_line_bytes`, bad JSON or an invalid record raises SnapshotError.
    """
    for number, line in iter_lines(stream, path, max_line_bytes=max_line_bytes):
        yield number, parse_record(line, number, path, model, max_line_bytes)

"""Server-sent events read as they arrive, as the SSE specification says.

:func:`read_events` takes the chunks of a ``text/event-stream`` answer and yields each event the
moment its blank line arrives: ``event:`` names it (``message`` by default), ``data:`` lines are
joined with line breaks, ``id:`` and ``retry:`` are read and kept, lines starting with ``:`` are
comments, and CR LF, LF and a lone CR all end a line.  Nothing is buffered beyond the event being read,
and a line or an event larger than a limit (the maximum answer size) is a ResponseFormatError.

:func:`select` turns events into output the way a spec's ``events:`` says: the value at a path of
the JSON data of the named events (the text of each ``thread.message.delta``), or each data payload
as text.  The stream ends at ``data: [DONE]`` or an ``event: done``; an ``error`` event raises
:class:`~pyopenai_ps.errors.StreamError` after what was already output, and a stream cut before its
end raises :class:`~pyopenai_ps.errors.APIConnectionError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from ..errors import APIConnectionError, ResponseFormatError, StreamError
from ..http.transport import MAX_ANSWER_BYTES
from ..spec.flow import EventsSpec
from .values import dig

__all__ = ["Event", "TextPiece", "read_events", "select", "DONE"]

DONE = "[DONE]"
_DONE_DATA = [b"[DONE]"]


class TextPiece(str):
    """A piece of streamed text (a string like any other): the command line writes pieces one after the other,
    with no line break between them."""

    __slots__ = ()


class Event(NamedTuple):
    event: str
    data: str
    id: str | None = None
    line: int = 0  #: the line of the stream the event ended on, for messages


def _text(parts: list[bytes]) -> str:
    return (parts[0] if len(parts) == 1 else b"\n".join(parts)).decode("utf-8", "replace")


def read_events(chunks: Iterable[bytes], limit: int = MAX_ANSWER_BYTES) -> Iterator[Event]:
    """Each complete event of the stream, as soon as its blank line arrives."""
    for name, data, last_id, number in _raw_events(chunks, limit):
        yield Event(name.decode("utf-8", "replace") or "message", _text(data), last_id, number)


def _too_large(number: int, what: str, limit: int) -> ResponseFormatError:
    return ResponseFormatError(f"The event stream's {what} at line {number + 1} is larger than the maximum answer "
                               f"size ({limit} bytes).")


def _long_line(lines: list[bytes], rest: bytes, number: int, limit: int) -> ResponseFormatError:
    """The error for the first line of a block (or its open rest) longer than ``limit``."""
    for index, line in enumerate(lines):
        if len(line) > limit:
            return _too_large(number + index, "line", limit)
    return _too_large(number + len(lines), "line", limit)


def _field(line: bytes) -> tuple[bytes, bytes]:
    """A line's field name and value (one space after the colon dropped, as the specification says)."""
    field, colon, value = line.partition(b":")
    return field, value[1:] if colon and value.startswith(b" ") else value


def _data_size(data: list[bytes]) -> int:
    return sum(map(len, data)) + len(data)  # each data line and the line break that joins it


def _raw_events(chunks: Iterable[bytes], limit: int) -> Iterator[tuple[bytes, list[bytes], str | None, int]]:
    """Each complete event as its name and data lines, still bytes.  An open line waits in pieces,
    joined once its end comes (linear time); a line or an event's data over ``limit`` is a
    ResponseFormatError.  One loop, no generator per chunk: events come a chunk each."""
    name = b""
    data: list[bytes] = []
    size = counted = 0  # the size of data[:counted], the event's lines of earlier chunks
    last_id: str | None = None
    number = 0  # lines so far
    carry: list[bytes] = []  # the start of a line still open, in the pieces it came in
    carried = 0
    half_crlf = False  # the last chunk ended with a CR, which ended its line: an LF starting this one is its other half
    for chunk in chunks:
        if half_crlf and chunk:
            half_crlf, chunk = False, chunk[1:] if chunk.startswith(b"\n") else chunk
        block = chunk
        if carry:  # a line is open: its pieces are joined only once its end comes
            if b"\n" not in chunk and b"\r" not in chunk:
                carry.append(chunk)
                carried += len(chunk)
                if carried > limit:
                    raise _too_large(number, "line", limit)
                continue
            block = b"".join(carry) + chunk
            carry = []
        if b"\r" in block:
            half_crlf = block.endswith(b"\r")
            block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = block.split(b"\n")
        if rest := lines.pop():
            carry.append(rest)
        carried = len(rest)
        if len(block) > limit and (carried > limit or any(len(line) > limit for line in lines)):
            raise _long_line(lines, rest, number, limit)
        for line in lines:
            number += 1
            if not line:
                if data:
                    if size + len(block) > limit and _data_size(data) > limit:  # only a large chunk can tell
                        raise _too_large(number - 1, "event", limit)
                    yield name, data, last_id, number
                name, data, size, counted = b"", [], 0, 0
            elif line.startswith(b"data:"):  # the common lines first
                data.append(line[6:] if line.startswith(b" ", 5) else line[5:])
            elif line.startswith(b"event:"):
                name = line[7:] if line.startswith(b" ", 6) else line[6:]
            elif not line.startswith(b":"):  # else a comment (servers send them to keep a connection alive)
                field, value = _field(line)
                if field == b"data":
                    data.append(value)
                elif field == b"event":
                    name = value
                elif field == b"id" and b"\0" not in value:
                    last_id = value.decode("utf-8", "replace")
                # "retry" and unknown fields are ignored, as the specification says
        if data:  # an event still open at the end of the chunk: is its data within the limit so far?
            size += _data_size(data[counted:])
            counted = len(data)
            if size > limit:
                raise _too_large(number - 1, "event", limit)
    # a last line without its line end, or an event without its blank line, completes nothing


def _not_json(event: Event, redact: Callable[[str], str]) -> ResponseFormatError:
    shown = redact(event.data)  # before it is cut: a cut key would no longer be found
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return ResponseFormatError(
        f"The event '{event.event}' ending on line {event.line} of the stream is not JSON: {shown!r}.")


def _error(event: Event, redact: Callable[[str], str]) -> StreamError:
    try:
        body = json.loads(event.data)
    except ValueError:
        body = None
    error = body.get("error", body) if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return StreamError(f"The event stream reported an error: {redact(str(message or event.data))}",
                       error_code=redact(str(code)) if code is not None else None, event=event.event)


def _unchanged(text: str) -> str:
    return text


def _path_reader(path: tuple[str, ...]) -> Callable[[Any], Any]:
    """Reads a dotted path from parsed JSON: plain keys and indexes directly, anything else as :func:`dig`
    reads it (property names of any case)."""
    joined = ".".join(path)
    steps = tuple((key, int(key) if key.isdigit() else -1) for key in path)

    def take(root: Any) -> Any:
        value = root
        for key, index in steps:
            if type(value) is dict and key in value:
                value = value[key]
            elif type(value) is list and 0 <= index < len(value):
                value = value[index]
            else:
                return dig(root, joined)
        return value

    return take


_raw_decode = json.JSONDecoder().raw_decode


def _loads(raw: bytes) -> Any:
    """JSON from UTF-8 bytes: as ``json.loads`` reads it, in about half the time for an event's payload (the
    common case, no surrounding whitespace, skips its encoding detection and end check)."""
    text = raw.decode("utf-8")
    try:
        value, end = _raw_decode(text)
    except ValueError:
        return json.loads(text)  # leading whitespace, or not JSON: json.loads decides
    return value if end == len(text) else json.loads(text)


def select(chunks: Iterable[bytes], spec: EventsSpec, *, raw: bool = False, limit: int = MAX_ANSWER_BYTES,
           redact: Callable[[str], str] = _unchanged) -> Iterator[Any]:
    """What the spec selects from each event, as each arrives; raw: each data payload as text.

    ``limit`` bounds each line and each event's data; ``redact`` masks secrets in what an error
    quotes of the stream."""
    wanted = frozenset(name.encode() for name in spec.events)
    take = _path_reader(spec.path)
    loads = _loads
    for name, data, last_id, number in _raw_events(chunks, limit):
        if name == b"done" or data == _DONE_DATA:
            return
        if name == b"error":
            raise _error(Event("error", _text(data), last_id, number), redact)
        if raw:
            yield _text(data)
            continue
        if wanted and name not in wanted:
            continue
        try:
            value = take(loads(data[0] if len(data) == 1 else b"\n".join(data)))
        except ValueError:
            event = Event(name.decode("utf-8", "replace") or "message", _text(data), last_id, number)
            raise _not_json(event, redact) from None
        if value is not None:
            yield TextPiece(value) if type(value) is str else value
    raise APIConnectionError("The event stream ended before it was complete (no [DONE]).")

"""Server-sent events read as they arrive, as the SSE specification says.

:func:`read_events` takes the chunks of a ``text/event-stream`` answer and yields each event the
moment its blank line arrives: ``event:`` names it (``message`` by default), ``data:`` lines are
joined with line breaks, ``id:`` and ``retry:`` are read and kept, lines starting with ``:`` are
comments, and CR LF, LF and a lone CR all end a line.  Nothing is buffered beyond the event being read.

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


def read_events(chunks: Iterable[bytes]) -> Iterator[Event]:
    """Each complete event of the stream, as soon as its blank line arrives."""
    for name, data, last_id, number in _raw_events(chunks):
        yield Event(name.decode("utf-8", "replace") or "message", _text(data), last_id, number)


def _raw_events(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, list[bytes], str | None, int]]:
    """Each complete event as its name and data lines, still bytes (decoded only where needed)."""
    name = b""
    data: list[bytes] = []
    last_id: str | None = None
    number = 0
    carry = b""
    for chunk in chunks:
        block = carry + chunk if carry else chunk
        tail = b""
        if b"\r" in block:  # CR LF or a lone CR ends a line too
            if block.endswith(b"\r"):  # half of a CR LF, perhaps: wait for the next chunk
                block, tail = block[:-1], b"\r"
            block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = block.split(b"\n")
        carry = lines.pop() + tail
        for line in lines:
            number += 1
            if not line:
                if data:
                    yield name, data, last_id, number
                name, data = b"", []
            elif line.startswith(b"data:"):  # the common lines first
                data.append(line[6:] if line.startswith(b" ", 5) else line[5:])
            elif line.startswith(b"event:"):
                name = line[7:] if line.startswith(b" ", 6) else line[6:]
            elif not line.startswith(b":"):  # else a comment (servers send them to keep a connection alive)
                field, colon, value = line.partition(b":")
                if colon and value.startswith(b" "):
                    value = value[1:]
                if field == b"data":
                    data.append(value)
                elif field == b"event":
                    name = value
                elif field == b"id" and b"\0" not in value:
                    last_id = value.decode("utf-8", "replace")
                # "retry" and unknown fields are ignored, as the specification says
    # a last line without its blank line completes no event


def _not_json(event: Event) -> ResponseFormatError:
    shown = event.data if len(event.data) <= 80 else event.data[:77] + "..."
    return ResponseFormatError(
        f"The event '{event.event}' ending on line {event.line} of the stream is not JSON: {shown!r}.")


def _error(event: Event) -> StreamError:
    try:
        body = json.loads(event.data)
    except ValueError:
        body = None
    error = body.get("error", body) if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return StreamError(f"The event stream reported an error: {message or event.data}", error_code=code,
                       event=event.event)


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


def select(chunks: Iterable[bytes], spec: EventsSpec, *, raw: bool = False) -> Iterator[Any]:
    """What the spec selects from each event, as each arrives; raw: each data payload as text."""
    wanted = frozenset(name.encode() for name in spec.events)
    take = _path_reader(spec.path)
    loads = _loads
    for name, data, last_id, number in _raw_events(chunks):
        if name == b"done" or data == _DONE_DATA:
            return
        if name == b"error":
            raise _error(Event("error", _text(data), last_id, number))
        if raw:
            yield _text(data)
            continue
        if wanted and name not in wanted:
            continue
        try:
            value = take(loads(data[0] if len(data) == 1 else b"\n".join(data)))
        except ValueError:
            raise _not_json(Event(name.decode("utf-8", "replace") or "message", _text(data), last_id, number)) from None
        if value is not None:
            yield TextPiece(value) if type(value) is str else value
    raise APIConnectionError("The event stream ended before it was complete (no [DONE]).")

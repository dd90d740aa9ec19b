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
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ..errors import APIConnectionError, ResponseFormatError, StreamError
from ..spec.flow import EventsSpec
from .values import dig

__all__ = ["Event", "TextPiece", "read_events", "select", "DONE"]

DONE = "[DONE]"


class TextPiece(str):
    """A piece of streamed text (a string like any other): the command line writes pieces one after the other,
    with no line break between them."""

    __slots__ = ()


@attrs.frozen(slots=True)
class Event:
    event: str
    data: str
    id: str | None = None
    line: int = 0  #: the line of the stream the event ended on, for messages


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The stream's lines, decoded as UTF-8, whatever line ends it uses (CR LF, LF or CR)."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = len(data) - 1 if data.endswith(b"\r") else len(data)  # a CR may be half of a CR LF: wait
        body, carry = data[:cut], data[cut:]
        if b"\r" in body:
            body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *complete, rest = body.split(b"\n")
        carry = rest + carry
        for line in complete:
            yield line.decode("utf-8", "replace")
    if carry.rstrip(b"\r"):
        yield carry.rstrip(b"\r").decode("utf-8", "replace")


def read_events(chunks: Iterable[bytes]) -> Iterator[Event]:
    """Each complete event of the stream, as soon as its blank line arrives."""
    name = ""
    data: list[str] = []
    last_id: str | None = None
    number = 0
    for number, line in enumerate(_lines(chunks), 1):
        if not line:
            if data:
                yield Event(name or "message", "\n".join(data), last_id, number)
            name, data = "", []
            continue
        if line.startswith(":"):
            continue  # a comment (servers send them to keep the connection alive)
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
        elif field == "id" and "\0" not in value:
            last_id = value
        # "retry" and unknown fields are ignored, as the specification says


def _json(event: Event) -> Any:
    try:
        return json.loads(event.data)
    except ValueError:
        shown = event.data if len(event.data) <= 80 else event.data[:77] + "..."
        raise ResponseFormatError(
            f"The event '{event.event}' ending on line {event.line} of the stream is not JSON: {shown!r}."
        ) from None


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


def select(chunks: Iterable[bytes], spec: EventsSpec, *, raw: bool = False) -> Iterator[Any]:
    """What the spec selects from each event, as each arrives; raw: each data payload as text."""
    wanted = frozenset(spec.events)
    for event in read_events(chunks):
        if event.data == DONE or event.event == "done":
            return
        if event.event == "error":
            raise _error(event)
        if raw:
            yield event.data
            continue
        if wanted and event.event not in wanted:
            continue
        value = dig(_json(event), ".".join(spec.path)) if spec.path else _json(event)
        if value is not None:
            yield TextPiece(value) if isinstance(value, str) else value
    raise APIConnectionError("The event stream ended before it was complete (no [DONE]).")

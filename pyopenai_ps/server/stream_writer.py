"""Writing an event stream, with the stream faults applied.

The writer turns a :class:`~.answers.StreamAnswer` into SSE bytes (expanding
the message text into ``thread.message.delta`` events), groups them into
writes of ``StreamSettings.write_bytes``, and plays a stream fault: cut in
the middle of an event, end with an ``error`` event, pause between events,
or stop after a number of bytes.
"""

from __future__ import annotations

from typing import Callable, Iterator

from .answers import Emit, StreamAnswer
from .faults import Fault
from .sse import StreamSettings, encode_done, encode_event, split_text

__all__ = ["event_bytes", "count_events", "write_stream"]


def _delta(message_id: str, piece: str) -> dict[str, object]:
    return {"id": message_id, "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text",
                                   "text": {"value": piece, "annotations": []}}]}}


def event_bytes(answer: StreamAnswer) -> Iterator[bytes]:
    """Each event of the stream, ``done`` last."""
    settings, seq = answer.settings, 0
    for item in answer.items:
        if isinstance(item, Emit):
            seq += 1
            yield encode_event(item.name, item.data, seq, settings)
            continue
        for piece in split_text(item.text, settings):
            seq += 1
            yield encode_event("thread.message.delta", _delta(item.message_id, piece), seq,
                               settings)
    yield encode_done(seq + 1, settings)


def count_events(answer: StreamAnswer) -> int:
    deltas = sum(answer.settings.deltas for item in answer.items if not isinstance(item, Emit))
    emits = sum(1 for item in answer.items if isinstance(item, Emit))
    return emits + deltas + 1


def _cut_in_data_line(event: bytes) -> bytes:
    """The event up to the middle of its (first) data line."""
    start = event.find(b"data: ")
    end = event.find(b"\n", start)
    return event[:start + max(6, (end - start) // 2)]


def _error_event(fault: Fault, seq: int, settings: StreamSettings) -> bytes:
    error = {"message": fault.message, "type": "server_error", "param": None, "code": fault.code}
    return encode_event("error", error, seq, settings)


class _Output:
    """Collects bytes and sends them in pieces of ``size`` bytes."""

    def __init__(self, send: Callable[[bytes], None], size: int) -> None:
        self._send = send
        self._size = size
        self._buffer = bytearray()

    def add(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= self._size:
            self._send(bytes(self._buffer[:self._size]))
            del self._buffer[:self._size]

    def flush(self) -> None:
        if self._buffer:
            self._send(bytes(self._buffer))
            self._buffer.clear()


def write_stream(answer: StreamAnswer, send: Callable[[bytes], None], *,
                 fault: Fault | None = None,
                 sleep: Callable[[float], None] | None = None) -> bool:
    """Send the stream through ``send``; False when a fault cut it (the caller then
    closes the connection instead of ending the body)."""
    settings = answer.settings
    out = _Output(send, settings.write_bytes)
    kind = fault.kind if fault is not None else None
    cut_at = fault.after_events if fault is not None and kind in ("stream_cut",
                                                                  "stream_error") else None
    budget = fault.keep_bytes if fault is not None and kind == "truncated" else None
    if kind == "truncated" and budget is None:
        kind, cut_at = "stream_cut", count_events(answer) // 2
    for index, event in enumerate(event_bytes(answer)):
        if kind == "stream_pause" and fault is not None and index and index % fault.every == 0:
            out.flush()
            if sleep is not None:
                sleep(fault.seconds)
        if index == cut_at and fault is not None:
            if kind == "stream_error":
                out.add(_error_event(fault, index + 1, settings))
                out.flush()
                return True
            out.add(_cut_in_data_line(event))
            out.flush()
            return False
        if budget is not None:
            if len(event) >= budget:
                out.add(event[:budget])
                out.flush()
                return False
            budget -= len(event)
        out.add(event)
    out.flush()
    return True

"""Fault injection: scripted misbehaviour for the next matching requests.

Build faults with the :class:`Fault` constructors and queue them with
``LocalServer.inject(*faults, path=None, times=1)``.  The queue is FIFO: a
request takes the *first* queued entry whose path filter matches it, and an
entry queued with ``times=N`` serves N matching requests before it is gone.
So ``inject(Fault.status(429), Fault.status(500), times=2)`` answers the next
four requests 429, 429, 500, 500.

Path filters match the request path as sent, without the query string:
``None`` matches every request, ``"/v1/threads/t/runs"`` only that path, and
a filter ending in ``*`` is a prefix (``"/v1/threads/*"``).  Requests to the
control API (``/__control/...``) never take faults.

Kinds:

- ``Fault.status(code, headers=..., body=...)`` answers with that status; the
  body defaults to an OpenAI-like error for the status (``code_field`` and
  ``message`` fill ``error.code`` / ``error.message``).
- ``Fault.delay(seconds)`` waits, then answers normally.
- ``Fault.drop()`` closes the connection without sending a byte.
- ``Fault.truncated()`` sends the normal answer's headers, then only part of
  its body (half, or ``keep_bytes``), then closes: the Content-Length promises
  more than arrives.
- ``Fault.invalid_json()`` answers 200 with a JSON content type and a body that
  does not parse.

Stream kinds apply only to answers that are event streams (``"stream": true``
on runs); other requests pass them by in the queue, and a streamed request
takes at most one of them (after any plain fault, which it takes first):

- ``Fault.stream_cut(after_events)`` sends that many whole events, then half
  of the next one (its ``data:`` line cut in the middle), then closes the
  connection without ending the chunked body.
- ``Fault.stream_error(after_events=0, message=..., code=...)`` sends that many
  events, then an ``error`` event (``data`` is an error object: message, type,
  param, code) and ends the stream there, without ``done``.
- ``Fault.stream_pause(seconds, every=1)`` waits ``seconds`` before every
  ``every``-th event after the first; the wait goes through the server's
  ``sleep`` (``LocalServer(sleep=...)``), so a test can record it instead.

``truncated`` on a stream cuts it after ``keep_bytes`` bytes (default: in the
middle of its middle event).

Wire kinds (:mod:`.wire_faults` writes them; drip, bomb and framing apply to JSON
answers, interim answers to every answer):

- ``Fault.interim(*statuses, headers=...)`` sends 1xx interim answers (default one
  ``102 Processing``) before the real one, as a server or proxy may.
- ``Fault.drip(seconds, piece_bytes=1, head=False)`` sends the answer a few bytes
  at a time, waiting between pieces: each read is quick, the whole is slow.
- ``Fault.bomb(encoding="gzip", inflated_bytes=...)`` sends the answer compressed
  and padded, so a few kilobytes inflate to many megabytes, although the request
  asked for ``identity``.
- ``Fault.framing(lie)`` lies about the body's framing: lengths that overflow,
  stall, conflict or fall short, and chunk sizes that are negative, prefixed,
  not hexadecimal or astronomically large.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .responses import default_error, json_bytes

__all__ = ["Fault", "FaultQueue"]

_BROKEN_JSON = b'{"object": "thread.run", "id": "run_abc123", "status": "compl'


def _to_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json_bytes(body)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour; build it with the class-method constructors."""

    kind: str
    status_code: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    seconds: float = 0.0
    keep_bytes: int | None = None
    after_events: int = 0
    every: int = 1
    message: str | None = None
    code: str | None = None
    statuses: tuple[int, ...] = ()
    piece_bytes: int = 1
    head: bool = False
    encoding: str = "gzip"
    inflated_bytes: int = 0
    lie: str = ""

    KINDS = ("status", "delay", "drop", "truncated", "invalid_json",
             "stream_cut", "stream_error", "stream_pause",
             "interim", "drip", "bomb", "framing")
    STREAM_KINDS = frozenset({"stream_cut", "stream_error", "stream_pause"})
    #: The framing lies :meth:`framing` can tell (see ``wire_faults``).
    LIES = ("length_overflow", "length_stall", "length_conflict", "length_short",
            "chunk_negative", "chunk_hex_prefix", "chunk_not_hex", "chunk_huge")

    @property
    def for_streams(self) -> bool:
        return self.kind in self.STREAM_KINDS

    @classmethod
    def status(cls, code: int, *, headers: Mapping[str, str] | None = None,
               body: bytes | str | dict[str, Any] | list[Any] | None = None, code_field: str | None = None,
               message: str | None = None) -> "Fault":
        """Answer with HTTP ``code``, extra ``headers`` and ``body`` (bytes, text or
        a JSON value); without a body, an OpenAI-like error for ``code``."""
        if not 100 <= int(code) <= 599:
            raise ValueError(f"not an HTTP status: {code!r}")
        data = (default_error(int(code), code=code_field, message=message)
                if body is None else _to_bytes(body))
        return cls("status", status_code=int(code),
                   headers=tuple((str(k), str(v)) for k, v in (headers or {}).items()),
                   body=data)

    @classmethod
    def delay(cls, seconds: float) -> "Fault":
        """Wait ``seconds`` (a float), then answer normally."""
        if not seconds >= 0:
            raise ValueError("delay must be >= 0 seconds")
        return cls("delay", seconds=float(seconds))

    @classmethod
    def drop(cls) -> "Fault":
        """Close the connection before sending anything."""
        return cls("drop")

    @classmethod
    def truncated(cls, keep_bytes: int | None = None) -> "Fault":
        """Send the normal headers but only ``keep_bytes`` (default: half) of the body."""
        if keep_bytes is not None and keep_bytes < 0:
            raise ValueError("keep_bytes must be >= 0")
        return cls("truncated", keep_bytes=keep_bytes)

    @classmethod
    def invalid_json(cls, body: bytes | str | None = None) -> "Fault":
        """Answer 200 ``application/json`` with a body that is not JSON."""
        return cls("invalid_json", body=_BROKEN_JSON if body is None else _to_bytes(body))

    @classmethod
    def stream_cut(cls, after_events: int) -> "Fault":
        """Close a stream in the middle of event number ``after_events + 1``."""
        return cls("stream_cut", after_events=_count(after_events, "after_events"))

    @classmethod
    def stream_error(cls, after_events: int = 0, *, message: str | None = None,
                     code: str | None = "server_error") -> "Fault":
        """End a stream with an ``error`` event after ``after_events`` events."""
        return cls("stream_error", after_events=_count(after_events, "after_events"),
                   message=message or "The server had an error while streaming (injected fault).",
                   code=code)

    @classmethod
    def stream_pause(cls, seconds: float, *, every: int = 1) -> "Fault":
        """Wait ``seconds`` before every ``every``-th event of a stream (not the first)."""
        if not seconds >= 0:
            raise ValueError("a pause must be >= 0 seconds")
        if _count(every, "every") < 1:
            raise ValueError("every must be >= 1")
        return cls("stream_pause", seconds=float(seconds), every=every)

    # --- the wire: interim answers, dripping, compression bombs, framing lies ---------

    @classmethod
    def interim(cls, *statuses: int, headers: Mapping[str, str] | None = None) -> "Fault":
        """Send interim answers (default: one ``102 Processing``), each with ``headers``,
        before the answer itself."""
        codes = tuple(int(s) for s in statuses) or (102,)
        if not all(100 <= c <= 199 for c in codes):
            raise ValueError("interim answers have 1xx statuses")
        return cls("interim", statuses=codes,
                   headers=tuple((str(k), str(v)) for k, v in (headers or {}).items()))

    @classmethod
    def drip(cls, seconds: float, *, piece_bytes: int = 1, head: bool = False) -> "Fault":
        """Send a JSON answer ``piece_bytes`` at a time, waiting ``seconds`` (through the
        server's ``sleep``) before each piece after the first: its body only, or with
        ``head`` its status line and headers too."""
        if not seconds >= 0:
            raise ValueError("a drip wait must be >= 0 seconds")
        if _count(piece_bytes, "piece_bytes") < 1:
            raise ValueError("piece_bytes must be >= 1")
        return cls("drip", seconds=float(seconds), piece_bytes=piece_bytes, head=bool(head))

    @classmethod
    def bomb(cls, encoding: str = "gzip", *, inflated_bytes: int = 10_000_000) -> "Fault":
        """Answer with the JSON answer padded with spaces to ``inflated_bytes`` and compressed
        (``gzip`` or ``deflate``), labelled with that Content-Encoding whatever the request
        asked for: a small body that inflates to a large one (still valid JSON)."""
        if encoding not in ("gzip", "deflate"):
            raise ValueError("a bomb is gzip or deflate")
        return cls("bomb", encoding=encoding, inflated_bytes=_count(inflated_bytes, "inflated_bytes"))

    @classmethod
    def framing(cls, lie: str, *, seconds: float = 1.0) -> "Fault":
        """Send a JSON answer whose framing lies (one of :attr:`LIES`): ``length_overflow``
        (Content-Length 10**20), ``length_stall`` (10**10 announced, the body, then ``seconds``
        of silence and the close), ``length_conflict`` (two different lengths),
        ``length_short`` (5 bytes fewer announced than sent: the rest stays on the connection),
        ``chunk_negative`` (a chunk size of -5), ``chunk_hex_prefix`` (``0x`` before it),
        ``chunk_not_hex`` (``zz``), ``chunk_huge`` (2**80)."""
        if lie not in cls.LIES:
            raise ValueError(f"unknown framing lie {lie!r}; expected one of {', '.join(cls.LIES)}")
        return cls("framing", lie=lie, seconds=float(seconds))

    # --- the control API's JSON form ------------------------------------------------

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "Fault":
        """Build a fault from ``{"kind": ..., ...}``: ``status`` (int), ``headers``,
        ``body`` (text or JSON value), ``code_field``, ``message`` for status faults;
        ``seconds`` for delay; ``keep_bytes`` for truncated; ``body`` for invalid_json;
        ``after_events`` for stream_cut; ``after_events``, ``message``, ``code`` for
        stream_error; ``seconds``, ``every`` for stream_pause; ``statuses``, ``headers`` for
        interim; ``seconds``, ``piece_bytes``, ``head`` for drip; ``encoding``,
        ``inflated_bytes`` for bomb; ``lie``, ``seconds`` for framing."""
        kind = spec.get("kind")
        if kind == "status":
            return cls.status(int(spec["status"]), headers=spec.get("headers"),
                              body=spec.get("body"), code_field=spec.get("code_field"),
                              message=spec.get("message"))
        if kind == "delay":
            return cls.delay(float(spec["seconds"]))
        if kind == "drop":
            return cls.drop()
        if kind == "truncated":
            keep = spec.get("keep_bytes")
            return cls.truncated(None if keep is None else int(keep))
        if kind == "invalid_json":
            return cls.invalid_json(spec.get("body"))
        if kind == "stream_cut":
            return cls.stream_cut(spec["after_events"])
        if kind == "stream_error":
            return cls.stream_error(spec.get("after_events", 0), message=spec.get("message"),
                                    code=spec.get("code", "server_error"))
        if kind == "stream_pause":
            return cls.stream_pause(float(spec["seconds"]), every=spec.get("every", 1))
        if kind == "interim":
            return cls.interim(*spec.get("statuses", [102]), headers=spec.get("headers"))
        if kind == "drip":
            return cls.drip(float(spec["seconds"]), piece_bytes=spec.get("piece_bytes", 1),
                            head=bool(spec.get("head", False)))
        if kind == "bomb":
            return cls.bomb(spec.get("encoding", "gzip"), inflated_bytes=spec.get("inflated_bytes", 10_000_000))
        if kind == "framing":
            return cls.framing(spec["lie"], seconds=float(spec.get("seconds", 1.0)))
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(cls.KINDS)}")


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0")
    return value


class _Entry:
    __slots__ = ("fault", "path", "remaining")

    def __init__(self, fault: Fault, path: str | None, remaining: int) -> None:
        self.fault = fault
        self.path = path
        self.remaining = remaining

    def matches(self, path: str) -> bool:
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class FaultQueue:
    """The FIFO of pending faults (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []

    def push(self, faults: Iterable[Fault], *, path: str | None = None, times: int = 1) -> None:
        faults = list(faults)
        if not all(isinstance(f, Fault) for f in faults):
            raise TypeError("inject() takes Fault objects")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be an int >= 1")
        if path is not None and not path.startswith("/"):
            raise ValueError("a path filter starts with '/'")
        with self._lock:
            self._entries.extend(_Entry(f, path, times) for f in faults)

    def take(self, path: str, *, stream: bool = False) -> Fault | None:
        """The fault for a request to ``path`` (consuming one use), or None; with
        ``stream`` only stream faults are taken, without it only the others."""
        if not self._entries:  # lock-free fast path for the usual empty queue
            return None
        with self._lock:
            for i, entry in enumerate(self._entries):
                if entry.fault.for_streams == stream and entry.matches(path):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        del self._entries[i]
                    return entry.fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def pending(self) -> int:
        """How many more requests the queued faults will affect."""
        with self._lock:
            return sum(e.remaining for e in self._entries)

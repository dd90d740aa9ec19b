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

    KINDS = ("status", "delay", "drop", "truncated", "invalid_json")

    @classmethod
    def status(cls, code: int, *, headers: Mapping[str, str] | None = None,
               body: bytes | str | dict | list | None = None, code_field: str | None = None,
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

    # --- the control API's JSON form ------------------------------------------------

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "Fault":
        """Build a fault from ``{"kind": ..., ...}``: ``status`` (int), ``headers``,
        ``body`` (text or JSON value), ``code_field``, ``message`` for status faults;
        ``seconds`` for delay; ``keep_bytes`` for truncated; ``body`` for invalid_json."""
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
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(cls.KINDS)}")


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

    def take(self, path: str) -> Fault | None:
        """The fault for a request to ``path`` (consuming one use), or None."""
        if not self._entries:  # lock-free fast path for the usual empty queue
            return None
        with self._lock:
            for i, entry in enumerate(self._entries):
                if entry.matches(path):
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

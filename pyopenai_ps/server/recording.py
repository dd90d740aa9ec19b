"""The record of requests the server received (for tests to assert on)."""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from .responses import mask_authorization

__all__ = ["RecordedRequest", "RecordedPart", "RequestLog"]

_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class RecordedPart:
    """One part of a multipart body: ``data`` holds its bytes when they are at
    most 1 MiB (else None; ``size`` and ``sha256`` are always there)."""

    name: str
    filename: str | None
    content_type: str | None
    headers: dict[str, str]
    size: int
    sha256: str
    data: bytes | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "filename": self.filename,
                "content_type": self.content_type, "headers": self.headers,
                "size": self.size, "sha256": self.sha256,
                "data_base64": None if self.data is None
                else base64.b64encode(self.data).decode("ascii")}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received.

    ``path`` is the raw request target without the query string; ``query`` maps
    each decoded parameter name to its decoded values (blank values kept);
    ``headers`` has lower-case names (repeated headers joined with ``", "``) and
    holds the Authorization header unmasked, since it never leaves the process
    this way; ``time`` is ``time.monotonic()`` on arrival; ``request_id`` is the
    ``x-request-id`` of the answer (generated even if the answer is a dropped
    connection); ``connection_id`` is the same for requests on one TCP connection.

    ``body`` is the raw body; for a multipart upload bigger than 1 MiB it holds
    only the first 1 MiB (``body_complete`` is then False), while
    ``body_size`` and ``body_sha256`` always describe the whole body and
    ``parts`` lists the parsed parts (None when the body is not multipart or
    could not be parsed).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    connection_id: int
    time: float
    request_id: str = ""
    target: str = field(default="", repr=False)  # path and query exactly as sent
    body_size: int = -1  # -1: len(body)
    body_sha256: str = ""
    body_complete: bool = True
    parts: tuple[RecordedPart, ...] | None = None

    def __post_init__(self) -> None:
        if self.body_size < 0:
            object.__setattr__(self, "body_size", len(self.body))
        if not self.body_sha256:
            object.__setattr__(self, "body_sha256", hashlib.sha256(self.body).hexdigest()
                               if self.body else _EMPTY_SHA256)

    def part(self, name: str) -> RecordedPart:
        """The first part named ``name`` (KeyError when there is none)."""
        for part in self.parts or ():
            if part.name == name:
                return part
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form with the credential masked (used by the control API)."""
        headers = dict(self.headers)
        if "authorization" in headers:
            headers["authorization"] = mask_authorization(headers["authorization"])
        return {
            "method": self.method, "path": self.path, "target": self.target,
            "query": self.query, "headers": headers,
            "body": self.body.decode("utf-8", "replace"),
            "body_size": self.body_size, "body_sha256": self.body_sha256,
            "body_complete": self.body_complete,
            "parts": None if self.parts is None else [p.to_json() for p in self.parts],
            "connection_id": self.connection_id, "time": self.time,
            "request_id": self.request_id,
        }


class RequestLog:
    """An append-only, thread-safe list of :class:`RecordedRequest`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

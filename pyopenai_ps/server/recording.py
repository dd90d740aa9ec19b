"""The record of requests the server received (for tests to assert on)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .responses import mask_authorization

__all__ = ["RecordedRequest", "RequestLog"]


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

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form with the credential masked (used by the control API)."""
        headers = dict(self.headers)
        if "authorization" in headers:
            headers["authorization"] = mask_authorization(headers["authorization"])
        return {
            "method": self.method, "path": self.path, "target": self.target,
            "query": self.query, "headers": headers,
            "body": self.body.decode("utf-8", "replace"),
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

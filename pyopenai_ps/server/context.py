"""What the HTTP handler and the control API need from the running server.

``LocalServer`` satisfies this protocol; the handler and the control module
depend on the protocol only, so neither needs to import the server class
(which itself imports the handler).
"""

from __future__ import annotations

import socket
from typing import Callable, Protocol

from .faults import Fault, FaultQueue
from .recording import RecordedRequest
from .store import Store

__all__ = ["ServerContext"]


class ServerContext(Protocol):
    """The server as seen from one request."""

    store: Store
    faults: FaultQueue
    api_keys: frozenset[str] | None
    verbose: bool
    record: bool
    sleep: Callable[[float], None]  # every wait of the server goes through it

    @property
    def requests(self) -> list[RecordedRequest]: ...

    @property
    def pending_faults(self) -> int: ...

    def record_request(self, item: RecordedRequest) -> None: ...

    def clear_requests(self) -> None: ...

    def inject(self, *faults: Fault, path: str | None = None, times: int = 1) -> None: ...

    def clear_faults(self) -> None: ...

    def reset(self, seed: bool | None = None) -> None: ...

    def connection_opened(self, sock: socket.socket) -> int: ...

    def connection_closed(self, connection_id: int) -> None: ...

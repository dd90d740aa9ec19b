"""``LocalServer``: the server object tests and the CLI use."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Iterable

from .context import ServerContext
from .faults import Fault, FaultQueue
from .handler import Handler
from .progression import Clock, Progression
from .recording import RecordedRequest, RequestLog
from .store import Store

__all__ = ["LocalServer"]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], app: ServerContext, family: int) -> None:
        self.address_family = family
        self.app = app
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can
        # stall for seconds; the name is not needed.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.app.verbose:
            super().handle_error(request, client_address)


class LocalServer:
    """An OpenAI-compatible stand-in serving the store over HTTP on loopback.

    ``LocalServer(host="127.0.0.1", port=0, *, api_keys=None, seed=True,
    verbose=False)``: port 0 picks a free port at ``start()``.  With
    ``api_keys`` (an iterable of strings) only those bearer keys are accepted
    (others get 401 ``invalid_api_key``); without it any non-empty bearer key
    is.  ``seed`` fills the store with the seed world.  ``verbose`` turns on
    the standard library's access log and error tracebacks on stderr.
    ``record=False`` skips recording requests (for long benchmark runs, where
    the record would only grow).  ``clock`` is the store's clock (default: a
    :class:`~.progression.ManualClock` that moves only when told; pass
    ``time.time`` for real time).  ``sleep`` is what the server calls to wait
    (delay faults, stream pauses); tests can pass a recorder instead of
    ``time.sleep``.  ``progression`` is the store's progression at start and
    after every reset (default: per poll).

    Progression, streaming and scripted outcomes are knobs of the store:
    ``server.store.progression``, ``server.store.streaming``,
    ``server.store.push_outcome(...)``, ``server.store.advance(...)`` and
    ``server.store.clock`` (see :mod:`.progression` and :mod:`.sse`).

    Use it as a context manager, or call ``start()`` / ``stop()``.  ``stop()``
    also closes idle keep-alive connections, so no handler thread outlives it
    for long.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 api_keys: Iterable[str] | None = None, seed: bool = True,
                 verbose: bool = False, record: bool = True, clock: Clock | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 progression: Progression | None = None) -> None:
        if isinstance(api_keys, str):
            api_keys = [api_keys]  # a lone key, not a set of one-character keys
        self.host = host
        self.api_keys: frozenset[str] | None = (
            frozenset(api_keys) if api_keys is not None else None)
        self.verbose = verbose
        self.record = record
        self._seed = seed
        self._requested_port = port
        self._port: int | None = None
        self.store = Store(seed=seed, clock=clock)
        self._progression = progression or Progression()
        self.store.progression = self._progression
        self.sleep = sleep
        self.faults = FaultQueue()
        self._requests = RequestLog()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conn_lock = threading.Lock()
        self._conns: dict[int, socket.socket] = {}
        self._conn_counter = 0

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> "LocalServer":
        if self._httpd is not None:
            raise RuntimeError("the server is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        httpd = _HTTPServer((self.host, self._requested_port), self, family)
        self._httpd = httpd
        self._port = httpd.server_port
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"LocalServer-{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and the listening socket (idempotent)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        with self._conn_lock:
            open_sockets = list(self._conns.values())
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a handler blocked on keep-alive read
            except OSError:
                pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # --- addresses -------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the origin, without ``/v1``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, what a client takes as its API base."""
        return self.url + "/v1"

    # --- recording and faults -------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first (control API excluded)."""
        return self._requests.snapshot()

    def clear_requests(self) -> None:
        self._requests.clear()

    def inject(self, *faults: Fault, path: str | None = None, times: int = 1) -> None:
        """Queue ``faults`` (in order), each for ``times`` requests matching ``path``.

        See :mod:`pyopenai_ps.server.faults` for kinds and path filters.
        """
        self.faults.push(faults, path=path, times=times)

    def clear_faults(self) -> None:
        self.faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many more requests queued faults will affect."""
        return self.faults.pending()

    def reset(self, seed: bool | None = None) -> None:
        """Clear requests and faults and reset the store (seeded as at construction,
        unless ``seed`` says otherwise) and its progression, streaming and scripted
        outcomes (the clock is left alone; the progression goes back to the one
        given at construction)."""
        self.clear_requests()
        self.clear_faults()
        self.store.reset(seed=self._seed if seed is None else seed)
        self.store.progression = self._progression

    # --- used by the handler (see context.ServerContext) ----------------------------------

    def record_request(self, item: RecordedRequest) -> None:
        self._requests.append(item)

    def connection_opened(self, sock: socket.socket) -> int:
        with self._conn_lock:
            self._conn_counter += 1
            self._conns[self._conn_counter] = sock
            return self._conn_counter

    def connection_closed(self, connection_id: int) -> None:
        with self._conn_lock:
            self._conns.pop(connection_id, None)

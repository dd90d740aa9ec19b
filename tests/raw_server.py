"""A loopback server of the tests' own that writes scripted bytes: faults at the HTTP framing level.

``RawServer(script)`` answers request number ``n`` (0-based, counted over all connections) on its
connection with the steps ``script(n, head)`` returns, ``head`` being the request's bytes up to the
blank line.  A step is ``bytes`` (written as is), a ``float`` (seconds to wait before the next step)
or :data:`CLOSE` (end the connection).  Without ``CLOSE`` the connection stays open for the next
request, so a test can see what a client reads on a reused connection.  ``requests`` records
``(connection number, request line)`` (its first 300 bytes); ``sent`` counts the bytes written per request.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["RawServer", "CLOSE", "answer", "json_answer", "chunked", "gzip_bomb", "run", "page"]

CLOSE = object()
Step = Any


def answer(body: bytes, status: str = "200 OK", headers: dict[str, str] | None = None, *,
           length: int | str | None = None) -> bytes:
    """A whole HTTP/1.1 answer with an exact Content-Length (or the ``length`` given, to lie)."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length != "none":
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def json_answer(value: Any, status: str = "200 OK", headers: dict[str, str] | None = None) -> bytes:
    return answer(json.dumps(value).encode(), status, headers)


def chunked(pieces: Iterable[bytes | str], status: str = "200 OK") -> bytes:
    """A chunked answer; a ``str`` piece is a raw chunk-size line (a lie), a bytes piece a true chunk."""
    out = [f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()]
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece.encode("latin-1") + b"\r\n")
        else:
            out.append(b"%x\r\n%b\r\n" % (len(piece), piece))
    return b"".join(out)


def gzip_bomb(decoded_bytes: int) -> bytes:
    """``decoded_bytes`` of spaces inside a JSON string, gzip-compressed (about 1000 to 1)."""
    return gzip.compress(b'{"id": "run_x", "pad": "' + b" " * decoded_bytes + b'"}', compresslevel=9)


def run(run_id: str, thread_id: str = "thread_abc123") -> dict[str, Any]:
    return {"id": run_id, "object": "thread.run", "thread_id": thread_id, "status": "completed",
            "created_at": 1700000000}


def page(ids: list[str], has_more: bool, last_id: str | None = None) -> dict[str, Any]:
    return {"object": "list", "data": [run(i) for i in ids], "first_id": ids[0] if ids else None,
            "last_id": last_id if last_id is not None else (ids[-1] if ids else None), "has_more": has_more}


class RawServer:
    """A threaded loopback server; use as a context manager."""

    def __init__(self, script: Callable[[int, bytes], Iterable[Step]], *, sleep: Callable[[float], Any] = time.sleep):
        self.script = script
        self.sleep = sleep
        self.requests: list[tuple[int, str]] = []
        self.sent: list[int] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []

    def __enter__(self) -> RawServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        try:  # wake the accepting thread
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._listener.close()
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                number = self.connections
                self.connections += 1
                self._sockets.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock, number), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket, connection: int) -> None:
        buffer = b""
        try:
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                with self._lock:
                    number = len(self.requests)
                    line = head.split(b"\r\n", 1)[0][:300]  # enough to tell requests apart, and never large
                    self.requests.append((connection, line.decode("latin-1")))
                    self.sent.append(0)
                for step in self.script(number, head):
                    if step is CLOSE:
                        return
                    if isinstance(step, (int, float)):
                        self.sleep(step)
                        continue
                    sock.sendall(step)
                    with self._lock:
                        self.sent[number] += len(step)
        except OSError:
            return
        finally:
            try:
                sock.close()
            except OSError:
                pass

"""A loopback server of the tests' own that records every request and answers what a test scripts.

Each request is recorded whole (method, path, headers, body bytes).  By default a JSON request is
answered with ``{"id": "obj_1", "object": "echo", "path": ..., "body": <the parsed body>}``; a test
can queue answers (status, headers, body bytes, or a cut-off body) that are used first, in order.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    cut_after: int | None = None  # send only this many body bytes, then drop the connection


class EchoServer:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.queue: list[Answer] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.seen.append(seen)
                    answer = server.queue.pop(0) if server.queue else server.echo(seen)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.send_header("x-request-id", f"req_{len(server.seen)}")
                self.end_headers()
                if answer.cut_after is not None:
                    self.wfile.write(answer.body[:answer.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(answer.body)

            do_GET = do_POST = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def echo(self, seen: Seen) -> Answer:
        parsed: Any = None
        if seen.headers.get("content-type", "").startswith("application/json") and seen.body:
            parsed = json.loads(seen.body)
        body = {"id": "obj_1", "object": "echo", "path": seen.path, "body": parsed, "created_at": 1700000000}
        return Answer(body=json.dumps(body).encode())

    def answer(self, *answers: Answer) -> None:
        with self._lock:
            self.queue.extend(answers)

    @property
    def last(self) -> Seen:
        return self.seen[-1]

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

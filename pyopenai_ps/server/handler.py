"""The HTTP layer: read a request, record it, apply a fault, answer.

Every answer is written in one ``write`` with an exact Content-Length (except
the truncated fault, on purpose), ``Content-Type: application/json``, an
``x-request-id: req_<hex>`` and ``openai-processing-ms``.  Protocol-level
errors of the standard library (bad request line, headers too long) get the
same treatment through :meth:`Handler.send_error`.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterable
from urllib.parse import parse_qs

from .context import ServerContext
from .control import PREFIX, handle_control
from .recording import RecordedRequest
from .responses import ApiError, error_body
from .routes import handle_api

__all__ = ["Handler"]

MAX_BODY = 16 * 1024 * 1024


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class Handler(BaseHTTPRequestHandler):
    """One instance per TCP connection; serves requests on it until it closes."""

    protocol_version = "HTTP/1.1"  # keep-alive by default
    server_version = "pyopenai-ps-local"
    sys_version = ""
    disable_nagle_algorithm = True

    app: ServerContext
    connection_id: int

    # --- connection lifecycle ---------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.app = self.server.app  # type: ignore[attr-defined]
        self.connection_id = self.app.connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.app.connection_closed(self.connection_id)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            # The client went away (reset, timeout on its side, server stopping).
            self.close_connection = True

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, POST, BREW, ...) goes through one dispatcher, so even
        # odd methods get a JSON answer (405) instead of the library's HTML 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        if self.app.verbose:
            super().log_message(format, *args)

    # --- writing -----------------------------------------------------------------------

    def _send(self, status: int, body: bytes, request_id: str, started: float,
              headers: Iterable[tuple[str, str]] | dict[str, str] = (), *,
              send_bytes: int | None = None) -> None:
        """Write the answer; ``send_bytes`` sends only that much of the body (truncation)."""
        fields: dict[str, tuple[str, str]] = {
            "content-type": ("Content-Type", "application/json"),
        }
        items = headers.items() if isinstance(headers, dict) else headers
        for name, value in items:
            if name.lower() != "content-length":
                fields[name.lower()] = (name, value)
        elapsed_ms = int((time.perf_counter() - started) * 1000)
        fields.update({
            "content-length": ("Content-Length", str(len(body))),
            "x-request-id": ("x-request-id", request_id),
            "openai-processing-ms": ("openai-processing-ms", str(elapsed_ms)),
        })
        if self.close_connection:
            fields["connection"] = ("Connection", "close")
        lines = [f"HTTP/1.1 {status} {_phrase(status)}", f"Date: {self.date_time_string()}"]
        lines.extend(f"{name}: {value}" for name, value in fields.values())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if getattr(self, "command", None) == "HEAD":
            body = b""
        elif send_bytes is not None:
            body = body[:send_bytes]
        self.wfile.write(head + body)
        self.log_request(status, len(body))

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        # Used by the standard library for requests it cannot parse.
        self.close_connection = True
        text = message or _phrase(code)
        self._send(code, error_body(f"Malformed request: {text}."), _request_id(),
                   time.perf_counter())

    # --- reading ------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").strip().lower() == "chunked":
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise ApiError(400, "The Content-Length header is not a number.")
        size = int(length)
        if size > MAX_BODY:
            raise ApiError(413, f"The request body is larger than {MAX_BODY} bytes.")
        return self.rfile.read(size)

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise ApiError(400, "Malformed chunked request body.") from None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise ApiError(413, f"The request body is larger than {MAX_BODY} bytes.")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _header_dict(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            result[key] = f"{result[key]}, {value}" if key in result else value
        return result

    # --- dispatch -----------------------------------------------------------------------

    def _dispatch(self) -> None:
        started = time.perf_counter()
        request_id = _request_id()
        method = self.command
        target = self.path
        path, _, query_string = target.partition("?")
        try:
            body = self._read_body()
        except ApiError as exc:
            self.close_connection = True  # the body's framing cannot be trusted
            self._send(exc.status, exc.body(), request_id, started, exc.headers)
            return

        if path.startswith(PREFIX):
            self._answer(lambda: handle_control(self.app, method, path, body),
                         request_id, started)
            return

        headers = self._header_dict()
        query = parse_qs(query_string, keep_blank_values=True)
        if self.app.record:
            self.app.record_request(RecordedRequest(
                method=method, path=path, query=query, headers=headers, body=body,
                connection_id=self.connection_id, time=time.monotonic(),
                request_id=request_id, target=target))

        fault = self.app.faults.take(path)
        kind = fault.kind if fault is not None else None
        if kind == "drop":
            self.close_connection = True  # finish() closes the socket; nothing is sent
            return
        if kind == "status":
            assert fault is not None
            self._send(fault.status_code, fault.body, request_id, started, fault.headers)
            return
        if kind == "invalid_json":
            assert fault is not None
            self._send(200, fault.body, request_id, started)
            return
        if kind == "delay":
            assert fault is not None
            time.sleep(fault.seconds)

        def api() -> bytes:
            return handle_api(self.app.store, self.app.api_keys, method, path, query, headers)

        if kind == "truncated":
            assert fault is not None
            status, data, extra = self._evaluate(api)
            keep = len(data) // 2 if fault.keep_bytes is None else fault.keep_bytes
            self.close_connection = True
            self._send(status, data, request_id, started, extra,
                       send_bytes=min(keep, max(len(data) - 1, 0)))
            return
        self._answer(api, request_id, started)

    def _evaluate(self, produce: Any) -> tuple[int, bytes, dict[str, str]]:
        try:
            return 200, produce(), {}
        except ApiError as exc:
            return exc.status, exc.body(), exc.headers
        except Exception as exc:  # a bug here; answer like the API would, and say so
            traceback.print_exc(file=sys.stderr)
            return 500, error_body(f"Internal error in the local server ({type(exc).__name__}).",
                                   "server_error"), {}

    def _answer(self, produce: Any, request_id: str, started: float) -> None:
        status, data, extra = self._evaluate(produce)
        self._send(status, data, request_id, started, extra)


def _request_id() -> str:
    return "req_" + os.urandom(16).hex()

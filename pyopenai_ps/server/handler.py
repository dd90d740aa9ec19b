"""The HTTP layer: read a request, record it, apply a fault, answer.

Every answer carries an ``x-request-id: req_<hex>`` and
``openai-processing-ms``.  A JSON answer is written in one ``write`` with an
exact Content-Length (except the truncated and wire faults, on purpose: see
:mod:`.wire_faults`) and
``Content-Type: application/json``; file content is written in chunks with
an exact Content-Length; an event stream is ``text/event-stream``, chunked
(or close-delimited when the stream settings say so).  Protocol-level errors
of the standard library (bad request line, headers too long) get the same
treatment through :meth:`Handler.send_error`.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from .answers import Answer, BlobAnswer, StreamAnswer
from .context import ServerContext
from .control import PREFIX, handle_control
from .faults import Fault
from .recording import RecordedPart, RecordedRequest
from .request_body import RECORD_BYTES, RequestBody, body_pieces, read_body
from .responses import ApiError, error_body
from .routes import handle_api
from .stream_writer import write_stream
from .wire_faults import interim_heads, plan_answer

__all__ = ["Handler"]

MAX_CONTROL_BODY = 16 * 1024 * 1024

Headers = Iterable[tuple[str, str]] | dict[str, str]


@dataclass(frozen=True)
class _Exchange:
    """What every answer to one request carries."""

    request_id: str
    started: float


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

    def _head(self, status: int, exchange: _Exchange, headers: Headers,
              fixed: dict[str, str]) -> bytes:
        """The status line and headers: ``headers`` (e.g. a fault's) then ``fixed``."""
        fields: dict[str, tuple[str, str]] = {}
        items = headers.items() if isinstance(headers, dict) else headers
        for name, value in items:
            if name.lower() not in ("content-length", "transfer-encoding"):
                fields[name.lower()] = (name, value)
        for name, value in fixed.items():
            if name.lower() != "content-type" or "content-type" not in fields:
                fields[name.lower()] = (name, value)
        elapsed_ms = int((time.perf_counter() - exchange.started) * 1000)
        fields["x-request-id"] = ("x-request-id", exchange.request_id)
        fields["openai-processing-ms"] = ("openai-processing-ms", str(elapsed_ms))
        if self.close_connection:
            fields["connection"] = ("Connection", "close")
        lines = [f"HTTP/1.1 {status} {_phrase(status)}", f"Date: {self.date_time_string()}"]
        lines.extend(f"{name}: {value}" for name, value in fields.values())
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def _send(self, status: int, body: bytes, exchange: _Exchange, headers: Headers = (), *,
              send_bytes: int | None = None) -> None:
        """Write a whole answer; ``send_bytes`` sends only that much of the body (truncation)."""
        head = self._head(status, exchange, headers, {
            "Content-Type": "application/json", "Content-Length": str(len(body))})
        if getattr(self, "command", None) == "HEAD":
            body = b""
        elif send_bytes is not None:
            body = body[:send_bytes]
        self.wfile.write(head + body)
        self.log_request(status, len(body))

    def _send_blob(self, answer: BlobAnswer, exchange: _Exchange, fault: Fault | None) -> None:
        blob = answer.blob
        fixed = {"Content-Type": answer.content_type, "Content-Length": str(blob.size)}
        if answer.filename is not None:
            quoted = answer.filename.replace("\\", "\\\\").replace('"', '\\"')
            fixed["Content-Disposition"] = f'attachment; filename="{quoted}"'
        limit = None
        if fault is not None and fault.kind == "truncated":
            self.close_connection = True
            keep = blob.size // 2 if fault.keep_bytes is None else fault.keep_bytes
            limit = min(keep, max(blob.size - 1, 0))
        self.wfile.write(self._head(200, exchange, (), fixed))
        for piece in blob.chunks(limit=limit):
            self.wfile.write(piece)
        self.log_request(200, blob.size)

    def _send_stream(self, answer: StreamAnswer, exchange: _Exchange, fault: Fault | None) -> None:
        chunked = answer.settings.framing == "chunked"
        fixed = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
        if chunked:
            fixed["Transfer-Encoding"] = "chunked"
        else:
            self.close_connection = True  # the end of the body is the end of the connection
        self.wfile.write(self._head(200, exchange, (), fixed))

        def send(piece: bytes) -> None:
            self.wfile.write(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)

        stream_fault = self.app.faults.take(self.path.partition("?")[0], stream=True)
        finished = write_stream(answer, send, fault=stream_fault or fault,
                                sleep=self.app.sleep)
        if not finished:
            self.close_connection = True  # cut on purpose: no end of body
        elif chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.log_request(200, "-")

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        # Used by the standard library for requests it cannot parse.
        self.close_connection = True
        text = message or _phrase(code)
        self._send(code, error_body(f"Malformed request: {text}."),
                   _Exchange(_request_id(), time.perf_counter()))

    # --- reading ------------------------------------------------------------------------

    def _header_dict(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            result[key] = f"{result[key]}, {value}" if key in result else value
        return result

    def _record(self, exchange: _Exchange, path: str, query: dict[str, list[str]],
                headers: dict[str, str], body: RequestBody) -> None:
        parts = None if body.form is None else tuple(
            RecordedPart(p.name, p.filename, p.content_type, p.headers, p.size, p.sha256,
                         p.blob.read_all() if p.size <= RECORD_BYTES else None)
            for p in body.form)
        self.app.record_request(RecordedRequest(
            method=self.command, path=path, query=query, headers=headers, body=body.raw,
            connection_id=self.connection_id, time=time.monotonic(),
            request_id=exchange.request_id, target=self.path, body_size=body.size,
            body_sha256=body.sha256, body_complete=body.complete, parts=parts))

    # --- dispatch -----------------------------------------------------------------------

    def _dispatch(self) -> None:
        exchange = _Exchange(_request_id(), time.perf_counter())
        path, _, query_string = self.path.partition("?")
        headers = self._header_dict()
        try:
            if path.startswith(PREFIX):
                raw = b"".join(body_pieces(self.rfile, headers, MAX_CONTROL_BODY))
                self._answer(lambda: handle_control(self.app, self.command, path, raw), exchange)
                return
            body = read_body(self.rfile, headers)
        except ApiError as exc:
            self.close_connection = True  # the body's framing cannot be trusted
            self._send(exc.status, exc.body(), exchange, exc.headers)
            return
        try:
            query = parse_qs(query_string, keep_blank_values=True)
            if self.app.record:
                self._record(exchange, path, query, headers, body)
            self._serve(exchange, path, query, headers, body)
        finally:
            body.release()

    def _serve(self, exchange: _Exchange, path: str, query: dict[str, list[str]],
               headers: dict[str, str], body: RequestBody) -> None:
        fault = self.app.faults.take(path)
        kind = fault.kind if fault is not None else None
        if fault is not None and kind == "drop":
            self.close_connection = True  # finish() closes the socket; nothing is sent
            return
        if fault is not None and kind in ("status", "invalid_json"):
            status = fault.status_code if kind == "status" else 200
            self._send(status, fault.body, exchange, fault.headers if kind == "status" else ())
            return
        if fault is not None and kind == "delay":
            self.app.sleep(fault.seconds)
        if fault is not None and kind == "interim":
            self.wfile.write(interim_heads(fault))  # the answer itself follows as usual
        method = self.command

        def api() -> Answer:
            return handle_api(self.app.store, self.app.api_keys, method, path, query, headers,
                              body)

        status, answer, extra = self._evaluate(api)
        if isinstance(answer, StreamAnswer):
            self._send_stream(answer, exchange, fault)
        elif isinstance(answer, BlobAnswer):
            self._send_blob(answer, exchange, fault)
        elif fault is not None and kind == "truncated":
            keep = len(answer) // 2 if fault.keep_bytes is None else fault.keep_bytes
            self.close_connection = True
            self._send(status, answer, exchange, extra,
                       send_bytes=min(keep, max(len(answer) - 1, 0)))
        elif fault is not None and kind in ("drip", "bomb", "framing"):
            self._send_planned(status, answer, exchange, extra, fault)
        else:
            self._send(status, answer, exchange, extra)

    def _send_planned(self, status: int, body: bytes, exchange: _Exchange, extra: Headers,
                      fault: Fault) -> None:
        """A JSON answer written as a wire fault plans it (see :mod:`.wire_faults`)."""
        plan = plan_answer(fault, body, lambda framing: self._head(status, exchange, extra, framing))
        if plan.close:
            self.close_connection = True
        if not plan.head_in_steps:
            self.wfile.write(self._head(status, exchange, extra, plan.framing))
        for step in plan.steps:
            if isinstance(step, float):
                self.app.sleep(step)
            else:
                self.wfile.write(step)
        self.log_request(status, len(body))

    def _evaluate(self, produce: Callable[[], Answer]) -> tuple[int, Answer, dict[str, str]]:
        try:
            return 200, produce(), {}
        except ApiError as exc:
            return exc.status, exc.body(), exc.headers
        except Exception as exc:  # a bug here; answer like the API would, and say so
            traceback.print_exc(file=sys.stderr)
            return 500, error_body(f"Internal error in the local server ({type(exc).__name__}).",
                                   "server_error"), {}

    def _answer(self, produce: Callable[[], bytes], exchange: _Exchange) -> None:
        status, data, extra = self._evaluate(produce)
        assert isinstance(data, bytes)
        self._send(status, data, exchange, extra)


def _request_id() -> str:
    return "req_" + os.urandom(16).hex()

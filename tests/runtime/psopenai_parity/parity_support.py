"""A recording HTTP server of these tests' own, and OpenAI-shaped objects to answer with.

The server listens on 127.0.0.1 on an ephemeral port.  Each request is
recorded (method, path, query, headers, body) and answered from routes the
test configures: a fixed JSON object, a listing served page by page from a
list of objects, or a status with an OpenAI-style error body.  Nothing here
comes from the package: the tests use it to see exactly what the package sends.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

API_PREFIX = "/v1"

#: Fixed instants (Unix seconds) used by the canned objects.
T_CREATED = 1699075072
T_DONE = 1699075073


# --------------------------------------------------------------------------------------
# The recording
# --------------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as it reached the server."""

    method: str
    raw_path: str  # the request target's path, still percent-encoded
    query_pairs: list[tuple[str, str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def path(self) -> str:
        """The path below /v1, still percent-encoded (one segment per id)."""
        return self.raw_path[len(API_PREFIX):] if self.raw_path.startswith(API_PREFIX) else self.raw_path

    @property
    def segments(self) -> list[str]:
        """The decoded path segments below /v1."""
        return [unquote(part) for part in self.path.strip("/").split("/")]

    @property
    def query(self) -> dict[str, str]:
        """The query as a dict (the last value of a repeated name wins)."""
        return dict(self.query_pairs)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    answer: Callable[[Recorded, re.Match[str]], tuple[int, dict[str, str], Any]]


@dataclass
class RecordingServer:
    """The server's state: routes in, recordings out."""

    routes: list[_Route] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    # --- configuring -------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.routes.clear()
            self.requests.clear()

    def route(self, method: str, path: str, answer: Callable[[Recorded, re.Match[str]], tuple[int, dict[str, str], Any]]) -> None:
        """Answer ``method path`` (a regex over the path below /v1, whole match) with ``answer``."""
        with self.lock:
            self.routes.insert(0, _Route(method.upper(), re.compile(path), answer))

    def object(self, path: str, body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        """GET ``path`` answers ``body`` (an object, or a list page built by :func:`page`)."""
        self.route("GET", re.escape(path), lambda rec, m: (status, dict(headers or {}), body))

    def error(self, path: str, status: int, message: str = "No such object.", *, code: str | None = None,
              error_type: str = "invalid_request_error") -> None:
        body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
        self.route("GET", re.escape(path), lambda rec, m: (status, {}, body))

    def listing(self, path: str, objects: list[dict[str, Any]], *, default_limit: int = 20) -> None:
        """GET ``path`` serves ``objects`` as the API pages them: limit, after, before, order."""

        def answer(rec: Recorded, match: re.Match[str]) -> tuple[int, dict[str, str], Any]:
            query = rec.query
            items = list(objects)
            if query.get("order") == "desc":
                items.reverse()
            ids = [item["id"] for item in items]
            if "after" in query and query["after"] in ids:
                items = items[ids.index(query["after"]) + 1:]
            if "before" in query and query["before"] in [i["id"] for i in items]:
                items = items[:[i["id"] for i in items].index(query["before"])]
            limit = int(query.get("limit", default_limit))
            chunk = items[:limit]
            return 200, {}, page(chunk, has_more=len(items) > limit)

        self.route("GET", re.escape(path), answer)

    # --- reading -----------------------------------------------------------------------

    @property
    def last(self) -> Recorded:
        assert self.requests, "no request reached the server"
        return self.requests[-1]

    def only(self) -> Recorded:
        """The one request of the test (fails when there were more or none)."""
        assert len(self.requests) == 1, f"expected one request, got {[(r.method, r.raw_path) for r in self.requests]}"
        return self.requests[0]

    # --- serving -----------------------------------------------------------------------

    def _answer(self, rec: Recorded) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.requests.append(rec)
            routes = list(self.routes)
        for route in routes:
            if route.method != rec.method:
                continue
            match = route.pattern.fullmatch(rec.path)
            if match:
                return route.answer(rec, match)
        return 404, {}, {"error": {"message": f"No route for {rec.method} {rec.path}", "type": "invalid_request_error",
                                   "param": None, "code": None}}


def _handler_for(state: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            target = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            rec = Recorded(
                method=self.command,
                raw_path=target.path,
                query_pairs=parse_qsl(target.query, keep_blank_values=True),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
            status, headers, payload = state._answer(rec)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_{len(state.requests)}")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


class RunningServer:
    """Starts the recording server on 127.0.0.1:0 in a thread; a context manager."""

    def __init__(self) -> None:
        self.state = RecordingServer()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.state))
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.state.base_url = f"http://{host}:{port}{API_PREFIX}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="parity-recording-server", daemon=True)

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self.state

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


# --------------------------------------------------------------------------------------
# OpenAI-shaped objects (our own, shaped after the API reference)
# --------------------------------------------------------------------------------------


def page(items: list[dict[str, Any]], *, has_more: bool = False) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def run_obj(id: str = "run_abc123", thread_id: str = "thread_abc123", **extra: Any) -> dict[str, Any]:
    obj = {
        "id": id, "object": "thread.run", "created_at": T_CREATED, "assistant_id": "asst_abc123",
        "thread_id": thread_id, "status": "completed", "started_at": T_CREATED, "expires_at": None,
        "cancelled_at": None, "failed_at": None, "completed_at": T_DONE, "last_error": None,
        "model": "gpt-4o", "instructions": None, "tools": [{"type": "code_interpreter"}], "metadata": {},
    }
    obj.update(extra)
    return obj


def thread_obj(id: str = "thread_abc123", **extra: Any) -> dict[str, Any]:
    obj = {"id": id, "object": "thread", "created_at": 1699014083, "metadata": {}, "tool_resources": {}}
    obj.update(extra)
    return obj


def message_obj(id: str = "msg_abc123", thread_id: str = "thread_abc123", text: str = "What is 2 + 2?",
                **extra: Any) -> dict[str, Any]:
    obj = {
        "id": id, "object": "thread.message", "created_at": 1699017614, "thread_id": thread_id, "role": "user",
        "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
        "assistant_id": None, "run_id": None, "attachments": [], "metadata": {},
    }
    obj.update(extra)
    return obj


def step_obj(id: str = "step_abc123", run_id: str = "run_abc123", thread_id: str = "thread_abc123",
             message_id: str = "msg_abc123", **extra: Any) -> dict[str, Any]:
    obj = {
        "id": id, "object": "thread.run.step", "created_at": 1699063291, "run_id": run_id,
        "assistant_id": "asst_abc123", "thread_id": thread_id, "type": "message_creation", "status": "completed",
        "cancelled_at": None, "completed_at": 1699063291, "expired_at": None, "failed_at": None, "last_error": None,
        "step_details": {"type": "message_creation", "message_creation": {"message_id": message_id}},
    }
    obj.update(extra)
    return obj


def assistant_obj(id: str = "asst_abc123", **extra: Any) -> dict[str, Any]:
    obj = {
        "id": id, "object": "assistant", "created_at": 1698984975, "name": "Arithmetic helper", "description": None,
        "model": "gpt-4o", "instructions": "Answer sums.", "tools": [{"type": "code_interpreter"}],
        "metadata": {}, "top_p": 1.0, "temperature": 1.0, "response_format": "auto",
    }
    obj.update(extra)
    return obj


def batch_obj(id: str = "batch_abc123", **extra: Any) -> dict[str, Any]:
    obj = {
        "id": id, "object": "batch", "endpoint": "/v1/chat/completions", "errors": None,
        "input_file_id": "file-in123", "completion_window": "24h", "status": "completed",
        "output_file_id": "file-out123", "error_file_id": None, "created_at": 1711471533,
        "in_progress_at": 1711471538, "expires_at": 1711557933, "finalizing_at": 1711493133,
        "completed_at": 1711493163, "failed_at": None, "expired_at": None, "cancelling_at": None,
        "cancelled_at": None, "request_counts": {"total": 5, "completed": 5, "failed": 0}, "metadata": {},
    }
    obj.update(extra)
    return obj


def many(make: Callable[..., dict[str, Any]], prefix: str, count: int, **extra: Any) -> list[dict[str, Any]]:
    """``count`` distinct objects with ids ``<prefix>0001``..."""
    return [make(id=f"{prefix}{n:04d}", **extra) for n in range(1, count + 1)]

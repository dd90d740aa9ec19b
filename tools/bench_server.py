"""A fast loopback stand-in for the two endpoints the benchmarks call.

Standard library only, and nothing from pyopenai_ps: the point is that the
server costs as little as possible, so the client's cost dominates what
``tools/bench.py`` measures.  Every answer is rendered to bytes at start-up;
serving one is a dictionary lookup and one ``sendall``.

Endpoints (any other path is a 404 with an OpenAI-like error body)::

    POST /v1/threads                                  a new thread object (the body is read and dropped)
    POST /v1/files                                    a file object; the upload is read in blocks and
                                                      dropped (its size is the answer's ``bytes``)
    GET /v1/files/file_big/content                    ``--content-mb`` MB of bytes, streamed
    GET /v1/threads/thread_abc123/runs/run_abc123     one run object (~1.5 KB)
    GET /v1/threads/thread_big/runs/<run id>          one of the 10,000 runs below
    GET /v1/threads/thread_big/runs?limit=&order=&after=&before=
                                                      pages over 10,000 runs (run_00000 ..
                                                      run_09999), with first_id / last_id /
                                                      has_more, in asc or desc order
    POST /v1/threads/<id>/runs                        with ``"stream": true`` in the body: a run's event
                                                      stream with ``--deltas`` message deltas (10,000),
                                                      chunked, one chunk an event; else a queued run
                                                      (run_wait on thread_wait, which starts its clock)
    GET /v1/threads/thread_wait/runs/run_wait         in_progress until ``--wait-seconds`` (5) after the
                                                      last POST of it, then completed

The pages for ``limit=100`` in both orders, keyed by ``after``, are rendered at
start-up; any other combination of ``limit`` / ``after`` / ``before`` is joined
from the pre-rendered run objects on first use and cached.  Query parameters the
server does not know (``include[]`` and the like) are ignored.

Protocol: HTTP/1.1 with keep-alive, one thread per connection, minimal parsing
(the request line, ``Content-Length`` to skip a body, ``Connection: close``).

Run ``python tools/bench_server.py [--port N] [--runs N]``: it prints its port
on the first line of stdout, then serves until stdin closes or SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from urllib.parse import parse_qsl

EPOCH = 1_700_000_000
BIG_THREAD = "thread_big"
PAGE_LIMIT = 100


def make_run(thread_id: str, run_id: str, created_at: int) -> dict:
    """A completed run, shaped like the API's RunObject (every key present)."""
    return {
        "id": run_id,
        "object": "thread.run",
        "created_at": created_at,
        "thread_id": thread_id,
        "assistant_id": "asst_abc123",
        "status": "completed",
        "required_action": None,
        "last_error": None,
        "expires_at": None,
        "started_at": created_at + 1,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": created_at + 5,
        "incomplete_details": None,
        "model": "gpt-4o-mini",
        "instructions": "You are a personal math tutor. When asked a question, write and run Python code "
                        "to answer the question, and explain every step of the working in plain words.",
        "tools": [
            {"type": "code_interpreter"},
            {"type": "file_search", "file_search": {"max_num_results": 20}},
            {"type": "function", "function": {
                "name": "get_weather",
                "description": "Gets the current weather for a city, in degrees Celsius, with the wind speed.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "description": "The city and country, e.g. Tokyo, Japan"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    },
                    "required": ["location"],
                },
                "strict": False,
            }},
        ],
        "tool_resources": {"code_interpreter": {"file_ids": []}},
        "metadata": {"user": "bench", "purpose": "benchmark", "ticket": "BENCH-0001", "team": "platform"},
        "usage": {"prompt_tokens": 120, "completion_tokens": 45, "total_tokens": 165},
        "temperature": 1.0,
        "top_p": 1.0,
        "max_prompt_tokens": 1000,
        "max_completion_tokens": 1000,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": "auto",
        "reasoning_effort": None,
    }


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _response(status: str, body: bytes, request_id: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"x-request-id: {request_id}\r\n"
        "openai-processing-ms: 1\r\n"
        "Connection: keep-alive\r\n"
        "\r\n"
    ).encode()
    return head + body


def _error(status: str, message: str, code: str | None = None) -> bytes:
    body = _dumps({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}})
    return _response(status, body, "req_bench_error")


NOT_FOUND = _error("404 Not Found", "No such route.", "not_found")
BAD_QUERY = _error("400 Bad Request", "Invalid query string.", "invalid_value")


class World:
    """Every answer the server gives, as bytes."""

    def __init__(self, runs: int = 10_000) -> None:
        self.content_bytes = 1 << 30
        self.runs = Runs(10_000, 5.0)
        width = max(5, len(str(runs - 1)))
        self.ids = [f"run_{i:0{width}d}" for i in range(runs)]
        self.index = {run_id: i for i, run_id in enumerate(self.ids)}
        self.run_bytes = [_dumps(make_run(BIG_THREAD, run_id, EPOCH + i)) for i, run_id in enumerate(self.ids)]
        self.objects: dict[str, bytes] = {
            "/v1/threads/thread_abc123/runs/run_abc123": _response(
                "200 OK", _dumps(make_run("thread_abc123", "run_abc123", EPOCH)), "req_bench_run"
            ),
        }
        self.one_run_size = len(_dumps(make_run("thread_abc123", "run_abc123", EPOCH)))
        # (order, limit, after, before) -> rendered response; the limit=100 pages are made now.
        self.pages: dict[tuple[str, int, str | None, str | None], bytes] = {}
        self._lock = threading.Lock()
        for order in ("asc", "desc"):
            positions = self._positions(order)
            after: str | None = None
            while True:
                key = (order, PAGE_LIMIT, after, None)
                self.pages[key] = self._render(*key)
                page, stop = self._slice(*key)
                if not page or page[-1] + 1 >= stop:
                    break
                after = self.ids[positions[page[-1]]]

    def _positions(self, order: str) -> range:
        """Position in ``order`` -> index into ``ids``."""
        n = len(self.ids)
        return range(n) if order == "asc" else range(n - 1, -1, -1)

    def _slice(self, order: str, limit: int, after: str | None, before: str | None) -> tuple[range, int]:
        """Positions (in ``order``) of the runs on the page, and where the listing stops."""
        positions = self._positions(order)
        start, stop = 0, len(positions)
        if after is not None:
            if after not in self.index:
                return range(0), 0
            start = positions.index(self.index[after]) + 1
        if before is not None:
            if before not in self.index:
                return range(0), 0
            stop = positions.index(self.index[before])
            if after is None:
                start = max(0, stop - limit)  # the page just before the cursor
        return range(start, max(start, min(stop, start + limit))), stop

    def _render(self, order: str, limit: int, after: str | None, before: str | None) -> bytes:
        page, stop = self._slice(order, limit, after, before)
        positions = self._positions(order)
        indexes = [positions[p] for p in page]
        data = b",".join(self.run_bytes[i] for i in indexes)
        first = json.dumps(self.ids[indexes[0]]) if indexes else "null"
        last = json.dumps(self.ids[indexes[-1]]) if indexes else "null"
        if before is not None and after is None:
            has_more = bool(page) and page[0] > 0
        else:
            has_more = bool(page) and page[-1] + 1 < stop
        body = (
            b'{"object":"list","data":[' + data + b'],"first_id":' + first.encode()
            + b',"last_id":' + last.encode() + b',"has_more":' + (b"true" if has_more else b"false") + b"}"
        )
        return _response("200 OK", body, "req_bench_page")

    def answer(self, target: bytes) -> bytes:
        path, _, query = target.partition(b"?")
        found = self.objects.get(path.decode("latin-1"))
        if found is not None:
            return found
        text = path.decode("latin-1")
        prefix = f"/v1/threads/{BIG_THREAD}/runs"
        if text == prefix or text == prefix + "/":
            return self.page(query.decode("latin-1"))
        if text.startswith(prefix + "/"):
            index = self.index.get(text[len(prefix) + 1:])
            if index is not None:
                return _response("200 OK", self.run_bytes[index], "req_bench_run")
        return NOT_FOUND

    def page(self, query: str) -> bytes:
        values = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
        order = values.get("order") or "asc"
        after = values.get("after") or None
        before = values.get("before") or None
        try:
            limit = int(values.get("limit") or 20)
        except ValueError:
            return BAD_QUERY
        if order not in ("asc", "desc") or not 1 <= limit <= 100:
            return BAD_QUERY
        key = (order, limit, after, before)
        found = self.pages.get(key)
        if found is None:
            if (after is not None and after not in self.index) or (before is not None and before not in self.index):
                return _error("404 Not Found", "No run found with that cursor.", "not_found")
            found = self._render(*key)
            with self._lock:
                if len(self.pages) < 10_000:  # a bounded cache for odd combinations
                    self.pages[key] = found
        return found


# --- runs: a pre-rendered event stream, and a run that takes its time ----------------------------------

WAIT_THREAD, WAIT_RUN = "thread_wait", "run_wait"


def _event(name: str, payload: object) -> bytes:
    """One server-sent event as one HTTP chunk."""
    data = b"event: " + name.encode() + b"\ndata: " + (payload if isinstance(payload, bytes) else _dumps(payload)) + b"\n\n"
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def render_stream(thread_id: str, deltas: int) -> bytes:
    """A whole streamed run, as OpenAI sends it: status events, ``deltas`` message deltas, done."""
    run = make_run(thread_id, "run_stream", EPOCH)
    message = {"id": "msg_stream", "object": "thread.message", "created_at": EPOCH, "thread_id": thread_id,
               "role": "assistant", "content": [], "assistant_id": "asst_abc123", "run_id": "run_stream",
               "attachments": [], "metadata": {}, "status": "in_progress"}
    parts = [_event("thread.run.created", {**run, "status": "queued"}),
             _event("thread.run.queued", {**run, "status": "queued"}),
             _event("thread.run.in_progress", {**run, "status": "in_progress"}),
             _event("thread.message.created", message),
             _event("thread.message.in_progress", message)]
    for i in range(deltas):
        delta = {"id": "msg_stream", "object": "thread.message.delta",
                 "delta": {"content": [{"index": 0, "type": "text", "text": {"value": f"w{i % 10} ",
                                                                              "annotations": []}}]}}
        parts.append(_event("thread.message.delta", delta))
    parts += [_event("thread.message.completed", {**message, "status": "completed"}),
              _event("thread.run.completed", run), _event("done", b"[DONE]"), b"0\r\n\r\n"]
    head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
            "x-request-id: req_bench_stream\r\nConnection: keep-alive\r\n\r\n").encode()
    return head + b"".join(parts)


class Runs:
    """The POST /runs answers, and run_wait's clock."""

    def __init__(self, deltas: int, wait_seconds: float) -> None:
        self.deltas = deltas
        self.wait_seconds = wait_seconds
        self.streams: dict[str, bytes] = {}
        self.started = 0.0
        run = make_run(WAIT_THREAD, WAIT_RUN, EPOCH)
        self.queued = _response("200 OK", _dumps({**run, "status": "queued", "completed_at": None}), "req_bench_run")
        self.in_progress = _response("200 OK", _dumps({**run, "status": "in_progress", "completed_at": None}),
                                     "req_bench_run")
        self.completed = _response("200 OK", _dumps(run), "req_bench_run")

    def create(self, thread_id: str, body: bytes) -> bytes:
        if b'"stream":true' in body.replace(b" ", b""):
            found = self.streams.get(thread_id)
            if found is None:
                found = self.streams.setdefault(thread_id, render_stream(thread_id, self.deltas))
            return found
        self.started = time.monotonic()
        return self.queued

    def wait_run(self) -> bytes:
        return self.completed if time.monotonic() - self.started >= self.wait_seconds else self.in_progress


THREAD = _dumps({"id": "thread_bench", "object": "thread", "created_at": EPOCH, "metadata": {},
                 "tool_resources": {}})
_BLOCK = bytes(1 << 20)


def _file(size: int) -> bytes:
    return _response("200 OK", _dumps({"id": "file-bench", "object": "file", "bytes": size, "created_at": EPOCH,
                                       "filename": "upload.bin", "purpose": "assistants", "status": "processed"}),
                     "req_bench_file")


def _stream_content(conn: socket.socket, size: int) -> None:
    conn.sendall((f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n"
                  "x-request-id: req_bench_content\r\nConnection: keep-alive\r\n\r\n").encode())
    left = size
    while left:
        block = _BLOCK if left >= len(_BLOCK) else _BLOCK[:left]
        conn.sendall(block)
        left -= len(block)


def _drain(conn: socket.socket, buffer: bytes, length: int) -> bytes | None:
    """Read and drop a body of ``length`` bytes (the start of it may be in ``buffer``); what follows it,
    or None when the peer went away."""
    if len(buffer) >= length:
        return buffer[length:]
    left = length - len(buffer)
    while left > 0:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            return None
        left -= len(chunk)
    return b""


def _read_body(conn: socket.socket, buffer: bytes, length: int) -> tuple[bytes, bytes] | None:
    """A (small) body of ``length`` bytes and what follows it, or None when the peer went away."""
    while len(buffer) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    return buffer[:length], buffer[length:]


def _runs_target(target: bytes) -> str | None:
    """The thread id of ``/v1/threads/<id>/runs``, else None."""
    if target.startswith(b"/v1/threads/") and target.endswith(b"/runs"):
        thread = target[len(b"/v1/threads/"):-len(b"/runs")]
        return thread.decode("latin-1") if thread and b"/" not in thread else None
    return None


def serve_connection(conn: socket.socket, world: World) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    try:
        while True:
            end = buffer.find(b"\r\n\r\n")
            while end < 0:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                end = buffer.find(b"\r\n\r\n")
            head, buffer = buffer[:end], buffer[end + 4:]
            line_end = head.find(b"\r\n")
            request_line = head if line_end < 0 else head[:line_end]
            parts = request_line.split(b" ")
            if len(parts) != 3:
                conn.sendall(_error("400 Bad Request", "Malformed request line."))
                return
            method, target, _version = parts
            close = False
            length = 0
            lowered = head.lower()
            if b"\r\nconnection: close" in lowered:
                close = True
            at = lowered.find(b"\r\ncontent-length:")
            if at >= 0:
                value_end = lowered.find(b"\r\n", at + 2)
                length = int(lowered[at + 17: value_end if value_end >= 0 else None].strip() or 0)
            runs_of = _runs_target(target) if method == b"POST" else None
            if runs_of is not None:  # a small body, read: does it ask for a stream?
                read = _read_body(conn, buffer, length)
                if read is None:
                    return
                body, buffer = read
                conn.sendall(world.runs.create(runs_of, body))
                if close:
                    return
                continue
            rest = _drain(conn, buffer, length)  # bodies are read, counted and dropped
            if rest is None:
                return
            buffer = rest
            if method == b"GET" and target == f"/v1/threads/{WAIT_THREAD}/runs/{WAIT_RUN}".encode():
                conn.sendall(world.runs.wait_run())
            elif method == b"POST" and target == b"/v1/threads":
                conn.sendall(_response("200 OK", THREAD, "req_bench_thread"))
            elif method == b"POST" and target == b"/v1/files":
                conn.sendall(_file(length))
            elif method == b"GET" and target == b"/v1/files/file_big/content":
                _stream_content(conn, world.content_bytes)
            elif method not in (b"GET", b"HEAD"):
                conn.sendall(_error("405 Method Not Allowed", "Only GET is served here."))
            else:
                conn.sendall(world.answer(target))
            if close:
                return
    except (ConnectionError, OSError):
        return
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--runs", type=int, default=10_000, help="runs in thread_big (default 10,000)")
    parser.add_argument("--content-mb", type=int, default=1024, help="size of file_big's content (default 1024)")
    parser.add_argument("--deltas", type=int, default=10_000, help="message deltas in a streamed run (default 10,000)")
    parser.add_argument("--wait-seconds", type=float, default=5.0,
                        help="seconds run_wait stays in_progress after it is made (default 5)")
    args = parser.parse_args(argv)

    world = World(args.runs)
    world.content_bytes = args.content_mb << 20
    world.runs = Runs(args.deltas, args.wait_seconds)
    listener = socket.create_server((args.host, args.port), backlog=128)
    port = listener.getsockname()[1]

    def stop(*_: object) -> None:
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read(65536):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(conn, world), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())

"""A small standard-library client for the server's tests: JSON calls, multipart
uploads, event streams (with a strict SSE parser) and the control API."""

from __future__ import annotations

import http.client
import json
import uuid
from dataclasses import dataclass
from typing import Any

from pyopenai_ps.server import LocalServer

KEY = "sk-test-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        return self.json()["error"]


@dataclass
class Event:
    event: str
    data: str
    id: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


def parse_sse(raw: bytes) -> tuple[list[Event], list[str]]:
    """Events and comment lines of a complete SSE body (LF, CR or CRLF line ends)."""
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    events: list[Event] = []
    comments: list[str] = []
    name, data, ident = "message", [], None
    for line in text.split("\n"):
        if line == "":
            if data:
                events.append(Event(name, "\n".join(data), ident))
            name, data = "message", []
            continue
        if line.startswith(":"):
            comments.append(line[1:].strip())
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            ident = value
    return events, comments


class Api:
    """Calls to one server over fresh loopback connections."""

    def __init__(self, server: LocalServer, headers: dict[str, str] | None = None) -> None:
        self.server = server
        self.headers = dict(HEADERS if headers is None else headers)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)

    def request(self, method: str, path: str, body: Any = None, *,
                headers: dict[str, str] | None = None) -> Reply:
        sent = dict(self.headers if headers is None else headers)
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            sent.setdefault("Content-Type", "application/json")
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                         response.read())
        finally:
            conn.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, {} if body is None else body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON of a call that must answer 200."""
        reply = self.request(method, path, body)
        assert reply.status == 200, (reply.status, reply.body[:500])
        return reply.json()

    def upload(self, data: bytes, *, filename: str = "data.jsonl", purpose: str = "batch",
               extra: list[tuple[str, str]] = (), content_type: str = "application/jsonl"
               ) -> Reply:
        body, boundary = form_body([("purpose", None, None, purpose.encode()), *(
            (name, None, None, value.encode()) for name, value in extra),
            ("file", filename, content_type, data)])
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", "/v1/files", body, headers=headers)

    def stream(self, path: str, body: Any) -> tuple[Reply, list[Event], list[str]]:
        reply = self.post(path, body)
        assert reply.status == 200, reply.body[:500]
        assert reply.headers["content-type"].startswith("text/event-stream")
        events, comments = parse_sse(reply.body)
        return reply, events, comments

    def control(self, name: str, payload: Any = None, method: str | None = None) -> Any:
        method = method or ("GET" if payload is None else "POST")
        reply = self.request(method, f"/__control/{name}", payload, headers={})
        assert reply.status == 200, reply.body
        return reply.json()


def form_body(parts: list[tuple[str, str | None, str | None, bytes]],
              boundary: str | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body of ``(name, filename, content_type, data)`` parts."""
    boundary = boundary or "----pyopenai-ps-" + uuid.uuid4().hex
    chunks = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks += [head.encode() + b"\r\n", data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), boundary


def jsonl(lines: list[Any]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def chat_line(custom_id: str, question: str) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]}}

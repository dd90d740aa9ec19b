"""Streamed runs: Start-ThreadRun -Stream and Submit-ToolOutput -Stream against the bundled server and a server
of the test's own.

Pieces are yielded lazily: a test holds the server in the middle of a stream and reads the first piece
before it lets the server go on. An error event or a cut stream raises after the pieces already yielded, and
nothing is sent again once a piece was yielded.
"""

from __future__ import annotations

import json
import socket
import threading

import pytest

import pyopenai_ps as ps
from pyopenai_ps.runtime.events import TextPiece
from pyopenai_ps.server import Fault, StreamSettings

ASST = "asst_abc123"
#: What the bundled server streams for a run on thread_abc456 (no user message): the reply split in four.
REPLY = ["Hello! H", "ow can I", " help yo", "u today?"]


def stream_command():
    return ps.get_command("Start-ThreadRun")


def start_stream(**extra):
    return stream_command().stream(thread_id="thread_abc456", assistant=ASST, stream=True, **extra)


class TestPieces:
    def test_the_text_of_each_delta_in_order(self, api):
        pieces = ps.start_thread_run(thread_id="thread_abc456", assistant=ASST, stream=True)
        assert pieces == REPLY and all(type(p) is TextPiece for p in pieces)
        request = api.requests[-1]
        assert request.body == b'{"assistant_id":"asst_abc123","stream":true}'
        assert request.headers["openai-beta"] == "assistants=v2"

    @pytest.mark.parametrize("settings", [
        StreamSettings(event_ids=True, comment_every=2),
        StreamSettings(multiline_data=True, crlf=True),
        StreamSettings(write_bytes=1),
        StreamSettings(framing="close", write_bytes=7),
    ], ids=["ids-comments", "multiline-crlf", "byte-by-byte", "close-framed"])
    def test_however_the_server_frames_the_stream(self, api, settings):
        api.store.streaming = settings
        assert list(start_stream()) == REPLY

    def test_ten_thousand_deltas(self, api):
        api.store.streaming = StreamSettings(deltas=10_000, delta_chars=3)
        pieces = list(start_stream())
        assert len(pieces) == 10_000 and all(len(p) == 3 for p in pieces)

    def test_a_new_thread_and_run_streamed(self, api):
        pieces = ps.invoke("Start-ThreadRun -Message 'Good morning' -Assistant asst_abc123 -Stream")
        assert "".join(pieces) == "You said: Good morning"
        assert api.requests[-1].target == "/v1/threads/runs"
        assert api.requests[-1].body == (b'{"assistant_id":"asst_abc123","thread":{"messages":[{"role":"user",'
                                         b'"content":"Good morning"}]},"stream":true}')

    def test_raw_response_gives_every_event_s_data(self, api):
        payloads = list(start_stream(format="raw_response"))
        events = [json.loads(p) for p in payloads]
        assert [e["object"] for e in events[:2]] == ["thread.run", "thread.run"]
        assert [e["delta"]["content"][0]["text"]["value"] for e in events if e["object"] == "thread.message.delta"] \
            == REPLY
        assert events[-1]["status"] == "completed" and all(type(p) is str for p in payloads)

    def test_submit_tool_output_streams_the_rest(self, api):
        api.slept.clear()
        run = ps.start_thread_run(thread_id="thread_abc456", assistant=ASST,
                                  functions=[{"name": "get_weather", "parameters": {"type": "object"}}])
        run = ps.wait_thread_run(run)
        call = run.required_action.submit_tool_outputs.tool_calls[0].id
        pieces = ps.get_command("Submit-ToolOutput").stream(run, tool_output=[{"tool_call_id": call, "output": "22"}],
                                                          stream=True)
        assert "".join(pieces) == "Tool output: 22"
        assert api.requests[-1].body == b'{"tool_outputs":[{"tool_call_id":"%s","output":"22"}],"stream":true}' % (
            call.encode())


class TestLazy:
    def test_the_first_piece_comes_while_the_server_still_holds_the_rest(self, api):
        held, log = threading.Event(), []
        go_on = threading.Event()

        def pause(seconds: float) -> None:  # the server's wait before the second delta
            log.append("held")
            held.set()
            go_on.wait(10)
            log.append("resumed")

        api.sleep = pause
        api.inject(Fault.stream_pause(5, every=8))  # event 8 is the second delta
        pieces = start_stream()
        first = next(pieces)
        assert first == REPLY[0]
        assert held.wait(10) and log == ["held"]  # the server has not sent the rest yet
        go_on.set()
        assert [first, *pieces] == REPLY and log == ["held", "resumed"]

    def test_a_server_of_our_own_sends_one_event_at_a_time(self, api_of_our_own):
        server = api_of_our_own  # it writes the first event with its headers
        pieces = stream_command().stream(thread_id="thread_own", assistant=ASST, stream=True, timeout_sec=10)
        assert next(pieces) == "first"
        for n in range(3):
            server.send(_delta(f"p{n}"))
            assert next(pieces) == f"p{n}"  # each piece before the next event was even written
        server.send(b"event: done\ndata: [DONE]\n\n")
        assert list(pieces) == []


class TestFailures:
    def test_an_error_event_raises_after_the_pieces_and_is_not_retried(self, api):
        api.inject(Fault.stream_error(after_events=9, message="The model is overloaded.", code="overloaded"))
        pieces = start_stream(max_retry_count=3)
        assert [next(pieces), next(pieces)] == REPLY[:2]
        with pytest.raises(ps.StreamError) as info:
            next(pieces)
        assert info.value.error_code == "overloaded" and "The model is overloaded." in str(info.value)
        assert [r.method for r in api.requests] == ["POST"] and api.slept == []

    def test_a_cut_stream_raises_after_the_pieces_and_is_not_retried(self, api):
        api.inject(Fault.stream_cut(after_events=9))
        got = []
        with pytest.raises(ps.APIConnectionError):
            for piece in start_stream(max_retry_count=3):
                got.append(piece)
        assert got == REPLY[:2] and len(api.requests) == 1 and api.slept == []

    def test_a_failure_before_the_stream_starts_is_retried(self, api):
        api.inject(Fault.status(503), path="/v1/threads/thread_abc456/runs")
        assert list(start_stream(max_retry_count=2)) == REPLY
        assert len(api.requests) == 2 and len(api.slept) == 1

    def test_the_error_of_a_pipeline_record_under_continue(self, api, caplog):
        api.inject(Fault.stream_error(after_events=8))
        errors: list = []
        out = ps.get_command("Start-ThreadRun").pipe(["thread_abc456"], assistant=ASST, stream=True,
                                                     error_action="SilentlyContinue", error_variable=errors)
        assert out == REPLY[:1] and isinstance(errors[0], ps.StreamError)  # what was output is kept

    def test_a_malformed_event_names_its_line(self, api_of_our_own):
        server = api_of_our_own
        pieces = stream_command().stream(thread_id="thread_own", assistant=ASST, stream=True, timeout_sec=10)
        assert next(pieces) == "first"
        server.send(b"event: thread.message.delta\ndata: {not json\n\n")
        with pytest.raises(ps.ResponseFormatError) as info:
            next(pieces)
        assert "ending on line 6 of the stream is not JSON: '{not json'" in str(info.value)


# --- a server of the test's own: one stream, written when the test says ------------------------------


def _delta(text: str) -> bytes:
    data = {"object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text",
                                                                        "text": {"value": text}}]}}
    return b"event: thread.message.delta\ndata: " + json.dumps(data).encode() + b"\n\n"


class OwnStreamServer:
    """Answers one POST with a close-framed event stream: its first event at once, then the bytes the test
    writes with ``send``."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"
        self.connection: socket.socket | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(
            b"content-length")))
        while len(body) < length:
            body += conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                     + _delta("first"))
        self.connection = conn
        self.ready.set()

    def send(self, data: bytes) -> None:
        assert self.ready.wait(10), "the client never sent its request"
        assert self.connection is not None
        self.connection.sendall(data)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.listener.close()


@pytest.fixture
def api_of_our_own(monkeypatch, transport_with):
    server = OwnStreamServer()
    monkeypatch.setattr(ps, "OPENAI_API_BASE", server.base_url)
    monkeypatch.setattr(ps, "OPENAI_API_KEY", "sk-own-stream-0123456789")
    transport_with(sleeper=lambda seconds: None)
    yield server
    server.close()

"""Streamed runs: event order, deltas, the parser-exercising options and stream faults."""

from __future__ import annotations

import http.client
import socket

import pytest

from pyopenai_ps.server import Fault, LocalServer, StreamSettings
from server_helpers import HEADERS, Api, parse_sse

ASSISTANT = "asst_abc123"
TOOL = {"type": "function", "function": {"name": "get_time"}}
COMPLETION_EVENTS = [
    "thread.run.step.created", "thread.run.step.in_progress", "thread.message.created",
    "thread.message.in_progress", "thread.message.delta", "thread.message.delta",
    "thread.message.delta", "thread.message.delta", "thread.message.completed",
    "thread.run.step.completed", "thread.run.completed", "done",
]


def new_thread(api: Api, text: str = "Stream me") -> str:
    return api.ok("POST", "/v1/threads", {"messages": [{"role": "user", "content": text}]})["id"]


def run_stream(api: Api, **body: object) -> tuple[str, list]:
    thread_id = new_thread(api)
    _, events, _ = api.stream(f"/v1/threads/{thread_id}/runs",
                              {"assistant_id": ASSISTANT, "stream": True, **body})
    return thread_id, events


def delta_text(events: list) -> str:
    return "".join(e.json()["delta"]["content"][0]["text"]["value"]
                   for e in events if e.event == "thread.message.delta")


def test_streamed_run_sends_the_events_in_order(api):
    thread_id, events = run_stream(api)
    assert [e.event for e in events] == ["thread.run.created", "thread.run.queued",
                                         "thread.run.in_progress"] + COMPLETION_EVENTS
    assert events[-1].data == "[DONE]"
    runs = [e.json() for e in events if e.event.startswith("thread.run.") and "step" not in e.event]
    assert [r["status"] for r in runs] == ["queued", "queued", "in_progress", "completed"]
    created, completed = events[5].json(), events[11].json()
    assert (created["status"], created["content"]) == ("in_progress", [])
    assert completed["content"][0]["text"]["value"] == "You said: Stream me" == delta_text(events)
    delta = events[7].json()
    assert delta["object"] == "thread.message.delta" and delta["id"] == completed["id"]
    assert delta["delta"]["content"][0]["index"] == 0
    assert delta["delta"]["content"][0]["type"] == "text"
    step = events[3].json()
    assert step["step_details"]["message_creation"]["message_id"] == completed["id"]
    # the store holds the finished run, as a poll shows
    run_id = runs[0]["id"]
    assert api.ok("GET", f"/v1/threads/{thread_id}/runs/{run_id}")["status"] == "completed"
    assert api.ok("GET", f"/v1/threads/{thread_id}/messages")["data"][0] == completed


def test_stream_is_chunked_and_the_connection_stays_usable(api):
    thread_id = new_thread(api)
    conn = api.connection()
    try:
        conn.request("POST", f"/v1/threads/{thread_id}/runs", headers=HEADERS,
                     body=b'{"assistant_id": "asst_abc123", "stream": true}')
        response = conn.getresponse()
        assert response.getheader("transfer-encoding") == "chunked"
        assert response.getheader("content-length") is None
        assert response.getheader("x-request-id").startswith("req_")
        assert parse_sse(response.read())[0][-1].event == "done"
        conn.request("GET", f"/v1/threads/{thread_id}", headers=HEADERS)
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_thread_and_run_stream_starts_with_the_thread(api):
    _, events, _ = api.stream("/v1/threads/runs", {
        "assistant_id": ASSISTANT, "stream": True,
        "thread": {"messages": [{"role": "user", "content": "hi"}]}})
    assert [e.event for e in events[:3]] == ["thread.created", "thread.run.created",
                                             "thread.run.queued"]
    assert events[0].json()["object"] == "thread"
    assert events[1].json()["thread_id"] == events[0].json()["id"]
    assert events[-2].event == "thread.run.completed"


def test_stream_stops_at_requires_action_and_submit_streams_the_rest(api):
    thread_id, events = run_stream(api, tools=[TOOL])
    assert [e.event for e in events] == [
        "thread.run.created", "thread.run.queued", "thread.run.in_progress",
        "thread.run.step.created", "thread.run.step.in_progress", "thread.run.requires_action",
        "done"]
    run = events[-2].json()
    (call,) = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    _, rest, _ = api.stream(f"/v1/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs", {
        "tool_outputs": [{"tool_call_id": call["id"], "output": "noon"}], "stream": True})
    assert [e.event for e in rest] == ["thread.run.step.completed", "thread.run.queued",
                                       "thread.run.in_progress"] + COMPLETION_EVENTS
    assert rest[0].json()["step_details"]["tool_calls"][0]["function"]["output"] == "noon"
    assert delta_text(rest) == "Tool output: noon"


def test_stream_of_a_scripted_failure(api):
    api.control("outcomes", {"kind": "run", "status": "failed", "message": "Boom."})
    _, events = run_stream(api)
    assert [e.event for e in events] == ["thread.run.created", "thread.run.queued",
                                         "thread.run.in_progress", "thread.run.failed", "done"]
    assert events[3].json()["last_error"] == {"code": "server_error", "message": "Boom."}


def test_ten_thousand_deltas_of_a_given_size(api):
    api.server.store.streaming = StreamSettings(deltas=10_000, delta_chars=7)
    thread_id, events = run_stream(api)
    deltas = [e for e in events if e.event == "thread.message.delta"]
    assert len(deltas) == 10_000
    assert {len(e.json()["delta"]["content"][0]["text"]["value"]) for e in deltas} == {7}
    text = delta_text(events)
    assert len(text) == 70_000 and text.startswith("You said: Stream me You said")
    stored = api.ok("GET", f"/v1/threads/{thread_id}/messages?limit=1")["data"][0]
    assert stored["content"][0]["text"]["value"] == text


def test_more_deltas_than_characters_still_spell_the_text(api):
    api.control("stream", {"deltas": 50})
    _, events = run_stream(api)
    assert sum(e.event == "thread.message.delta" for e in events) == 50
    assert all(e.json()["delta"]["content"][0]["text"]["value"] for e in events
               if e.event == "thread.message.delta")


def test_ids_comments_multiline_data_crlf_and_small_writes(api):
    settings = api.control("stream", {"event_ids": True, "comment_every": 3,
                                      "multiline_data": True, "crlf": True, "write_bytes": 5})
    assert settings["write_bytes"] == 5 and settings["deltas"] == 4
    thread_id = new_thread(api)
    reply = api.post(f"/v1/threads/{thread_id}/runs", {"assistant_id": ASSISTANT, "stream": True})
    assert b"\r\ndata: " in reply.body and b"\n\n" not in reply.body.replace(b"\r\n", b"")
    events, comments = parse_sse(reply.body)
    assert [e.id for e in events] == [str(n) for n in range(1, len(events) + 1)]
    assert comments == ["keep-alive"] * (len(events) // 3)
    assert events[0].data.count("\n") > 5 and events[0].json()["object"] == "thread.run"
    assert events[-1].data == "[DONE]"


def test_close_delimited_framing(api):
    api.server.store.streaming = StreamSettings(framing="close")
    thread_id = new_thread(api)
    conn = api.connection()
    conn.request("POST", f"/v1/threads/{thread_id}/runs", headers=HEADERS,
                 body=b'{"assistant_id": "asst_abc123", "stream": true}')
    response = conn.getresponse()
    assert response.getheader("transfer-encoding") is None
    assert response.getheader("connection") == "close"
    assert parse_sse(response.read())[0][-1].event == "done"
    conn.close()


@pytest.mark.parametrize("spec", [{"deltas": 0}, {"delta_chars": 0}, {"framing": "gzip"},
                                  {"colour": "red"}, {"event_ids": "yes"}, [1]])
def test_bad_stream_settings_are_400(api, spec):
    reply = api.request("POST", "/__control/stream", spec, headers={})
    assert reply.status == 400
    assert api.control("stream")["deltas"] == 4


# --- stream faults ---------------------------------------------------------------------------------

def raw_stream(api: Api, thread_id: str) -> bytes:
    """Everything the server sends for a streamed run, until it closes the connection."""
    body = b'{"assistant_id": "asst_abc123", "stream": true}'
    head = (f"POST /v1/threads/{thread_id}/runs HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: {HEADERS['Authorization']}\r\nOpenAI-Beta: assistants=v2\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", api.server.port), timeout=5) as sock:
        sock.sendall(head + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def dechunk(data: bytes) -> tuple[bytes, bool]:
    """The body of a chunked answer and whether it ended with the last chunk."""
    body = data.partition(b"\r\n\r\n")[2]
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return out, True
        out, body = out + rest[:size], rest[size + 2:]
    return out, False


def test_stream_cut_closes_in_the_middle_of_a_data_line(api):
    thread_id = new_thread(api)
    api.server.inject(Fault.stream_cut(after_events=4))
    body, ended = dechunk(raw_stream(api, thread_id))
    assert not ended
    whole, partial = body.rsplit(b"\n\n", 1)
    assert len(parse_sse(whole + b"\n\n")[0]) == 4
    assert partial.startswith(b"event: thread.run.step.in_progress\ndata: {")
    assert not partial.endswith(b"}")


def test_stream_cut_breaks_a_normal_client_read(api):
    api.server.inject(Fault.stream_cut(after_events=2), path="/v1/threads/*")
    conn = api.connection()
    conn.request("POST", f"/v1/threads/{new_thread(api)}/runs", headers=HEADERS,
                 body=b'{"assistant_id": "asst_abc123", "stream": true}')
    response = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    conn.close()
    assert api.server.pending_faults == 0


def test_stream_error_event_ends_the_stream(api):
    api.control("faults", {"kind": "stream_error", "after_events": 3, "message": "Overloaded.",
                           "code": "server_overloaded"})
    thread_id = new_thread(api)
    reply = api.post(f"/v1/threads/{thread_id}/runs", {"assistant_id": ASSISTANT, "stream": True})
    events, _ = parse_sse(reply.body)
    assert [e.event for e in events][-2:] == ["thread.run.in_progress", "error"]
    assert events[-1].json() == {"message": "Overloaded.", "type": "server_error",
                                 "param": None, "code": "server_overloaded"}


def test_stream_pause_goes_through_the_injected_sleep():
    waits: list[float] = []
    with LocalServer(sleep=waits.append) as server:
        api = Api(server)
        server.inject(Fault.stream_pause(2.5, every=5))
        _, events = run_stream(api)
        assert waits == [2.5] * ((len(events) - 1) // 5)
        server.inject(Fault.delay(7))
        assert api.get("/v1/threads/thread_abc123").status == 200
        assert waits[-1] == 7


def test_stream_faults_wait_for_a_stream(api):
    api.server.inject(Fault.stream_cut(after_events=1))
    assert api.get("/v1/threads/thread_abc123").status == 200  # passed by
    assert api.server.pending_faults == 1
    thread_id = new_thread(api)
    api.server.inject(Fault.status(503))
    reply = api.post(f"/v1/threads/{thread_id}/runs",
                     {"assistant_id": ASSISTANT, "stream": True})
    assert reply.status == 503 and api.server.pending_faults == 1


def test_truncated_fault_on_a_stream(api):
    thread_ids = [new_thread(api), new_thread(api)]
    api.server.inject(Fault.truncated(keep_bytes=30))
    body, ended = dechunk(raw_stream(api, thread_ids[0]))
    assert (len(body), ended) == (30, False)
    api.server.inject(Fault.truncated())
    body, ended = dechunk(raw_stream(api, thread_ids[1]))
    assert not ended and body.count(b"\n\n") == 15 // 2  # cut inside the middle event


def test_bad_stream_fault_definitions():
    for make in (lambda: Fault.stream_cut(-1), lambda: Fault.stream_pause(-1),
                 lambda: Fault.stream_pause(1, every=0), lambda: Fault.stream_error(True),
                 lambda: Fault.from_dict({"kind": "stream_cut"})):
        with pytest.raises((ValueError, KeyError)):
            make()

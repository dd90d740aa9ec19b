"""Tests of the bundled local server, over real loopback sockets (stdlib clients only)."""

from __future__ import annotations

import ast
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyopenai_ps.server as server_pkg
from pyopenai_ps.server import Fault, LocalServer, Store, mask_key

KEY = "sk-test-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"}
THREAD = "thread_abc123"
RUNS_ASC = [f"run_abc{n}" for n in range(116, 124)]
RUN_FIELDS = {
    "id", "object", "created_at", "thread_id", "assistant_id", "status", "required_action",
    "last_error", "expires_at", "started_at", "cancelled_at", "failed_at", "completed_at",
    "incomplete_details", "model", "instructions", "tools", "metadata", "usage", "temperature",
    "top_p", "max_prompt_tokens", "max_completion_tokens", "truncation_strategy",
    "tool_choice", "parallel_tool_calls", "response_format",
}
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


class Reply:
    def __init__(self, response: http.client.HTTPResponse, body: bytes) -> None:
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        return self.json()["error"]


def send(conn: http.client.HTTPConnection, path: str, *, method: str = "GET",
         headers: dict[str, str] | None = None, body: bytes | None = None) -> Reply:
    conn.request(method, path, body=body, headers=HEADERS if headers is None else headers)
    response = conn.getresponse()
    return Reply(response, response.read())


def call(srv: LocalServer, path: str, **kwargs: Any) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        return send(conn, path, **kwargs)
    finally:
        conn.close()


def runs_path(thread: str = THREAD, query: str = "") -> str:
    return f"/v1/threads/{thread}/runs" + (f"?{query}" if query else "")


def ids(reply: Reply) -> list[str]:
    return [item["id"] for item in reply.json()["data"]]


def control(srv: LocalServer, name: str, payload: Any = None, method: str | None = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{srv.url}/__control/{name}", data=data,
                                     method=method or ("POST" if data is not None else "GET"))
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


# --- objects ---------------------------------------------------------------------------------

def test_get_run_as_in_the_help_example(shared_server):
    reply = call(shared_server, f"/v1/threads/{THREAD}/runs/run_abc123")
    assert reply.status == 200
    run = reply.json()
    assert set(run) == RUN_FIELDS
    assert (run["id"], run["object"], run["thread_id"], run["status"]) == \
        ("run_abc123", "thread.run", THREAD, "completed")
    assert reply.headers["content-type"] == "application/json"
    assert int(reply.headers["content-length"]) == len(reply.body)
    assert REQUEST_ID.fullmatch(reply.headers["x-request-id"])
    assert reply.headers["openai-processing-ms"].isdigit()


def test_seeded_runs_have_timestamps_that_fit_their_status(shared_server):
    stamp_of = {"cancelled": "cancelled_at", "failed": "failed_at", "completed": "completed_at"}
    for run in call(shared_server, runs_path()).json()["data"]:
        assert set(run) == RUN_FIELDS
        assert isinstance(run["created_at"], int)
        for status, key in stamp_of.items():
            assert (run[key] is not None) == (run["status"] == status), (run["id"], key)
        terminal = run["status"] in ("cancelled", "failed", "completed", "incomplete", "expired")
        assert (run["expires_at"] is None) == terminal
        assert (run["usage"] is None) == (not terminal)
        assert (run["required_action"] is not None) == (run["status"] == "requires_action")
        assert (run["last_error"] is not None) == (run["status"] == "failed")


@pytest.mark.parametrize("path, object_type", [
    (f"/v1/threads/{THREAD}", "thread"),
    (f"/v1/threads/{THREAD}/messages/msg_abc123", "thread.message"),
    (f"/v1/threads/{THREAD}/runs/run_abc123/steps/step_abc123", "thread.run.step"),
    ("/v1/assistants/asst_abc123", "assistant"),
    ("/v1/batches/batch_abc123", "batch"),
])
def test_other_seeded_objects(shared_server, path, object_type):
    reply = call(shared_server, path)
    assert reply.status == 200
    assert reply.json()["object"] == object_type
    assert reply.json()["id"] == path.rsplit("/", 1)[1]


@pytest.mark.parametrize("path, expected", [
    (f"/v1/threads/{THREAD}/messages", ["msg_abc123", "msg_abc122", "msg_abc121"]),
    (f"/v1/threads/{THREAD}/messages?run_id=run_abc123", ["msg_abc123"]),
    (f"/v1/threads/{THREAD}/runs/run_abc123/steps", ["step_abc123", "step_abc122", "step_abc121"]),
    (f"/v1/threads/{THREAD}/runs/run_abc122/steps", []),
    ("/v1/assistants?order=asc", ["asst_abc121", "asst_abc122", "asst_abc123"]),
    ("/v1/batches?limit=2", ["batch_abc123", "batch_abc122"]),
    ("/v1/batches?order=asc&after=batch_abc123", ["batch_abc122", "batch_abc121"]),
])
def test_other_lists(shared_server, path, expected):
    reply = call(shared_server, path)
    assert reply.status == 200
    assert ids(reply) == expected


def test_same_seed_gives_identical_bytes():
    bodies = []
    for _ in range(2):
        with LocalServer() as srv:
            bodies.append([call(srv, p).body for p in
                           (runs_path(), f"/v1/threads/{THREAD}/runs/run_abc120", "/v1/batches")])
    assert bodies[0] == bodies[1]


# --- lists and pagination ----------------------------------------------------------------------

def test_list_runs_defaults_newest_first(shared_server):
    page = call(shared_server, runs_path()).json()
    assert page["object"] == "list"
    assert [r["id"] for r in page["data"]] == RUNS_ASC[::-1]
    assert (page["first_id"], page["last_id"], page["has_more"]) == ("run_abc123", "run_abc116", False)


@pytest.mark.parametrize("query, expected, has_more", [
    ("limit=3", RUNS_ASC[::-1][:3], True),
    ("limit=3&order=asc", RUNS_ASC[:3], True),
    ("limit=8&order=asc", RUNS_ASC, False),
    ("limit=100", RUNS_ASC[::-1], False),
    ("limit=1&order=desc", ["run_abc123"], True),
    ("order=asc&after=run_abc118&limit=2", ["run_abc119", "run_abc120"], True),
    ("order=asc&after=run_abc121", ["run_abc122", "run_abc123"], False),
    ("order=asc&after=run_abc123", [], False),
    ("after=run_abc120&limit=10", ["run_abc119", "run_abc118", "run_abc117", "run_abc116"], False),
    ("after=run_abc120&limit=2", ["run_abc119", "run_abc118"], True),
    ("order=asc&before=run_abc120&limit=2", ["run_abc118", "run_abc119"], True),
    ("order=asc&before=run_abc118", ["run_abc116", "run_abc117"], False),
    ("order=asc&before=run_abc116", [], False),
    ("before=run_abc120&limit=2", ["run_abc122", "run_abc121"], True),
    ("before=run_abc121", ["run_abc123", "run_abc122"], False),
    ("order=asc&after=run_abc116&before=run_abc121&limit=2", ["run_abc117", "run_abc118"], True),
    ("order=asc&after=run_abc116&before=run_abc121&limit=3", ["run_abc117", "run_abc118", "run_abc119"], True),
    ("order=asc&after=run_abc116&before=run_abc121&limit=4", ["run_abc117", "run_abc118", "run_abc119", "run_abc120"], False),
    ("after=run_abc121&before=run_abc116", ["run_abc120", "run_abc119", "run_abc118", "run_abc117"], False),
    ("order=asc&after=run_abc121&before=run_abc117", [], False),
    ("limit=2&limit=50", ["run_abc123", "run_abc122"], True),
    ("after=&before=&limit=2", ["run_abc123", "run_abc122"], True),
])
def test_list_runs_pagination(shared_server, query, expected, has_more):
    reply = call(shared_server, runs_path(query=query))
    assert reply.status == 200, reply.body
    page = reply.json()
    assert [r["id"] for r in page["data"]] == expected
    assert page["has_more"] is has_more
    assert page["first_id"] == (expected[0] if expected else None)
    assert page["last_id"] == (expected[-1] if expected else None)


def test_empty_thread_lists_nulls(shared_server):
    page = call(shared_server, runs_path("thread_abc456")).json()
    assert page == {"object": "list", "data": [], "first_id": None, "last_id": None,
                    "has_more": False}


@pytest.fixture(scope="module")
def sized_threads(shared_server):
    for n in range(26):
        shared_server.store.add_runs(f"thread_n{n}", n)
    return shared_server


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(0, 25), limit=st.one_of(st.integers(1, 7), st.just(100)),
       order=st.sampled_from(["asc", "desc"]))
def test_walking_pages_both_ways_visits_each_run_once(sized_threads, n, limit, order):
    srv = sized_threads
    expected = srv.store.run_ids(f"thread_n{n}", order=order)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        seen, cursor = [], ""
        while True:
            page = send(conn, runs_path(f"thread_n{n}", f"limit={limit}&order={order}{cursor}")).json()
            assert len(page["data"]) <= limit
            seen += [r["id"] for r in page["data"]]
            if not page["has_more"]:
                break
            cursor = f"&after={page['last_id']}"
        assert seen == expected
        if n:  # backwards from the last item with 'before'
            back, cursor = [], expected[-1]
            while True:
                page = send(conn, runs_path(f"thread_n{n}",
                                            f"limit={limit}&order={order}&before={cursor}")).json()
                back = [r["id"] for r in page["data"]] + back
                if not page["has_more"]:
                    break
                cursor = page["first_id"]
            assert back == expected[:-1]
    finally:
        conn.close()


@pytest.mark.parametrize("value, code", [
    ("0", "integer_below_min_value"), ("-1", "integer_below_min_value"),
    ("101", "integer_above_max_value"), ("abc", "invalid_type"), ("", "invalid_type"),
    ("1.5", "invalid_type"),
])
def test_bad_limit_is_400_naming_limit(shared_server, value, code):
    reply = call(shared_server, runs_path(query=f"limit={value}"))
    assert reply.status == 400
    assert reply.error["param"] == "limit"
    assert reply.error["code"] == code
    assert reply.error["type"] == "invalid_request_error"


@pytest.mark.parametrize("value", ["ASC", "up", ""])
def test_bad_order_is_400(shared_server, value):
    reply = call(shared_server, runs_path(query=f"order={value}"))
    assert (reply.status, reply.error["param"]) == (400, "order")


@pytest.mark.parametrize("param", ["after", "before"])
def test_unknown_cursor_is_400(shared_server, param):
    reply = call(shared_server, runs_path(query=f"{param}=run_nope"))
    assert reply.status == 400
    assert reply.error["param"] == param
    assert "run_nope" in reply.error["message"]


def test_store_changes_show_in_cached_pages(server):
    first = call(server, runs_path(query="limit=1")).body
    assert call(server, runs_path(query="limit=1")).body == first
    run = server.store.add_run(THREAD, "run_zzz999", status="queued")
    assert ids(call(server, runs_path(query="limit=1"))) == ["run_zzz999"]
    assert call(server, f"/v1/threads/{THREAD}/runs/run_zzz999").json() == run


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, fragment", [
    ("/v1/threads/thread_nope/runs/run_abc123", "thread_nope"),
    ("/v1/threads/thread_nope/runs", "thread_nope"),
    (f"/v1/threads/{THREAD}/runs/run_nope", "run_nope"),
    ("/v1/threads/thread_abc456/runs/run_abc123", "run_abc123"),
    (f"/v1/threads/{THREAD}/runs/run_nope/steps", "run_nope"),
    (f"/v1/threads/{THREAD}/messages/msg_nope", "msg_nope"),
    ("/v1/assistants/asst_nope", "asst_nope"),
    ("/v1/batches/batch_nope", "batch_nope"),
    (f"/v1/threads/{THREAD}/runs/run_abc123%2Fsteps", "run_abc123/steps"),
])
def test_unknown_objects_are_404(shared_server, path, fragment):
    reply = call(shared_server, path)
    assert reply.status == 404
    assert reply.error["type"] == "invalid_request_error"
    assert f"'{fragment}'" in reply.error["message"]
    assert reply.error["param"] is None and reply.error["code"] is None


@pytest.mark.parametrize("path", ["/v1/nothing", "/v1/threads", "/", "/v2/batches",
                                  f"/v1/threads/{THREAD}/runs/", "/v1//batches"])
def test_unknown_paths_are_404(shared_server, path):
    reply = call(shared_server, path)
    assert reply.status == 404
    assert "error" in reply.json()


def test_segments_are_percent_decoded(shared_server):
    assert call(shared_server, "/v1/threads/thread%5Fabc123/runs/run%5Fabc123").json()["id"] == "run_abc123"


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT", "PATCH", "BREW"])
def test_non_get_is_405(shared_server, method):
    # Run lists now take POST (create run); run steps are still read-only.
    reply = call(shared_server, f"/v1/threads/{THREAD}/runs/run_abc123/steps", method=method,
                 body=b"{}")
    assert reply.status == 405
    assert reply.headers["allow"] == "GET"
    assert reply.error["type"] == "invalid_request_error"


def test_head_gets_405_without_body_and_keeps_the_connection_usable(shared_server):
    conn = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=5)
    try:
        reply = send(conn, runs_path(), method="HEAD")
        assert (reply.status, reply.body) == (405, b"")
        assert send(conn, runs_path()).status == 200
    finally:
        conn.close()


@pytest.mark.parametrize("headers", [
    {"OpenAI-Beta": "assistants=v2"},
    {"OpenAI-Beta": "assistants=v2", "Authorization": "Bearer "},
    {"OpenAI-Beta": "assistants=v2", "Authorization": "Basic dXNlcjpwYXNz"},
    {"OpenAI-Beta": "assistants=v2", "Authorization": KEY},
])
def test_missing_or_malformed_auth_is_401(shared_server, headers):
    reply = call(shared_server, runs_path(), headers=headers)
    assert reply.status == 401
    assert reply.error["type"] == "invalid_request_error"
    assert KEY not in reply.body.decode()


def test_configured_keys_reject_others_without_echoing_them():
    other = "sk-wrong-key-abcdefghijklmnop"
    with LocalServer(api_keys={KEY}) as srv:
        assert call(srv, runs_path()).status == 200
        reply = call(srv, runs_path(), headers={**HEADERS, "Authorization": f"Bearer {other}"})
        assert reply.status == 401
        assert reply.error["code"] == "invalid_api_key"
        assert other not in reply.body.decode()
        assert mask_key(other) in reply.error["message"]


def test_mask_key_never_shows_a_whole_key():
    assert mask_key("sk-abcdefghijklmnopqrstuvwxyz") == "sk-abc" + "*" * 21 + "yz"
    assert mask_key("abcdefghij") == "abc*****ij"
    assert mask_key("sk-test") == "*******"
    assert len(mask_key("sk-" + "x" * 200)) == 6 + 45 + 2


@pytest.mark.parametrize("beta", [None, "", "assistants=v1", "assistants=v3"])
def test_assistants_paths_need_the_beta_header(shared_server, beta):
    headers = {"Authorization": f"Bearer {KEY}"}
    if beta is not None:
        headers["OpenAI-Beta"] = beta
    for path in (runs_path(), f"/v1/threads/{THREAD}", "/v1/assistants"):
        reply = call(shared_server, path, headers=headers)
        assert reply.status == 400
        assert "OpenAI-Beta: assistants=v2" in reply.error["message"]


def test_beta_header_may_list_several_features_and_batches_need_none(shared_server):
    headers = {"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "realtime=v1, assistants=v2"}
    assert call(shared_server, runs_path(), headers=headers).status == 200
    assert call(shared_server, "/v1/batches", headers={"Authorization": f"Bearer {KEY}"}).status == 200


def test_malformed_request_line_gets_a_json_error_with_request_id(shared_server):
    with socket.create_connection(("127.0.0.1", shared_server.port), timeout=5) as sock:
        sock.sendall(b"NOT A VALID REQUEST LINE AT ALL\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert re.search(rb"x-request-id: req_[0-9a-f]{32}", head)
    assert "error" in json.loads(body)


def test_error_answers_keep_the_connection_alive(shared_server):
    conn = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=5)
    try:
        assert send(conn, "/v1/nope").status == 404
        assert send(conn, runs_path(query="limit=0")).status == 400
        assert send(conn, runs_path(), headers={}).status == 401
        assert send(conn, runs_path()).status == 200
    finally:
        conn.close()


# --- faults --------------------------------------------------------------------------------------

def test_status_fault_with_retry_headers_then_normal(server):
    server.inject(Fault.status(429, headers={"retry-after-ms": "5", "retry-after": "1",
                                             "x-should-retry": "true"}))
    reply = call(server, runs_path())
    assert reply.status == 429
    assert (reply.headers["retry-after-ms"], reply.headers["retry-after"],
            reply.headers["x-should-retry"]) == ("5", "1", "true")
    assert REQUEST_ID.fullmatch(reply.headers["x-request-id"])
    assert reply.error["code"] == "rate_limit_exceeded"
    assert "quota" not in reply.error["message"].lower()
    assert server.pending_faults == 0
    assert call(server, runs_path()).status == 200


def test_retry_after_may_be_an_http_date(server):
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.inject(Fault.status(503, headers={"Retry-After": date}))
    assert call(server, runs_path()).headers["retry-after"] == date


def test_quota_and_content_filter_faults(server):
    server.inject(Fault.status(429, code_field="insufficient_quota"),
                  Fault.status(400, code_field="content_filter"),
                  Fault.status(429, code_field="rate_limit_exceeded", message="Slow down."))
    quota = call(server, runs_path())
    assert (quota.status, quota.error["code"]) == (429, "insufficient_quota")
    assert "quota" in quota.error["message"].lower()
    flagged = call(server, runs_path())
    assert (flagged.status, flagged.error["code"]) == (400, "content_filter")
    assert call(server, runs_path()).error["message"] == "Slow down."


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_faults(server, status):
    server.inject(Fault.status(status))
    reply = call(server, runs_path())
    assert reply.status == status
    assert reply.error["type"] == "server_error"


def test_status_fault_with_own_body(server):
    server.inject(Fault.status(500, body="upstream exploded",
                               headers={"Content-Type": "text/plain"}),
                  Fault.status(418, body={"error": {"message": "teapot"}}))
    reply = call(server, runs_path())
    assert (reply.status, reply.body, reply.headers["content-type"]) == \
        (500, b"upstream exploded", "text/plain")
    assert call(server, runs_path()).json() == {"error": {"message": "teapot"}}


def test_delay_fault_waits_through_the_servers_sleep_then_answers():
    waits: list[float] = []
    with LocalServer(sleep=waits.append) as server:  # recorded, not slept
        server.inject(Fault.delay(0.2))
        reply = call(server, runs_path())
        assert waits == [0.2]
        assert reply.status == 200 and ids(reply) == RUNS_ASC[::-1]
        call(server, runs_path())
        assert waits == [0.2]  # a fault is used once


def test_delay_fault_trips_a_client_timeout_and_the_server_survives():
    gate = threading.Event()  # the server's "sleep": held until the client has given up
    with LocalServer(sleep=lambda seconds: gate.wait(seconds)) as server:
        server.inject(Fault.delay(30))
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=0.05)
        with pytest.raises(TimeoutError):
            send(conn, runs_path())
        conn.close()
        gate.set()
        assert call(server, runs_path()).status == 200


def test_drop_fault_closes_without_a_byte(server):
    server.inject(Fault.drop())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    with pytest.raises(http.client.RemoteDisconnected):
        send(conn, runs_path())
    conn.close()
    assert len(server.requests) == 1
    assert call(server, runs_path()).status == 200


def test_truncated_fault_promises_more_than_it_sends(server):
    server.inject(Fault.truncated())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", runs_path(), headers=HEADERS)
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead) as info:
        response.read()
    conn.close()
    assert len(info.value.partial) == int(response.getheader("content-length")) // 2
    assert REQUEST_ID.fullmatch(response.getheader("x-request-id"))


def test_truncated_fault_keep_bytes(server):
    server.inject(Fault.truncated(keep_bytes=10))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", runs_path(), headers=HEADERS)
    with pytest.raises(http.client.IncompleteRead) as info:
        conn.getresponse().read()
    conn.close()
    assert info.value.partial == call(server, runs_path()).body[:10]


def test_invalid_json_fault(server):
    server.inject(Fault.invalid_json())
    reply = call(server, runs_path())
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        json.loads(reply.body)


def test_times_and_fifo_order(server):
    server.inject(Fault.status(503), Fault.status(500), times=2)
    server.inject(Fault.status(429))
    assert server.pending_faults == 5
    assert [call(server, runs_path()).status for _ in range(6)] == [503, 503, 500, 500, 429, 200]
    assert server.pending_faults == 0


def test_path_filters_exact_and_prefix(server):
    server.inject(Fault.status(500), path=runs_path())
    server.inject(Fault.status(502), path="/v1/batches*", times=2)
    assert call(server, f"/v1/threads/{THREAD}/runs/run_abc123").status == 200
    assert call(server, runs_path(query="limit=1")).status == 500  # query is not part of the path
    assert call(server, runs_path()).status == 200
    assert call(server, "/v1/batches/batch_abc123").status == 502
    assert call(server, "/v1/batches").status == 502
    assert call(server, "/v1/batches").status == 200


def test_faults_apply_before_auth_but_never_to_the_control_api(server):
    server.inject(Fault.status(503))
    assert control(server, "faults") == {"pending": 1}
    assert call(server, runs_path(), headers={}).status == 503


def test_clear_faults(server):
    server.inject(Fault.drop(), times=3)
    server.clear_faults()
    assert server.pending_faults == 0
    assert call(server, runs_path()).status == 200


@pytest.mark.parametrize("make", [
    lambda: Fault.status(99), lambda: Fault.delay(-1), lambda: Fault.truncated(-1),
    lambda: Fault.from_dict({"kind": "explode"}), lambda: Fault.from_dict({"kind": "status"}),
])
def test_bad_fault_definitions(make):
    with pytest.raises((ValueError, KeyError)):
        make()


@pytest.mark.parametrize("kwargs", [{"times": 0}, {"times": 1.5}, {"path": "v1/batches"}])
def test_bad_inject_arguments(server, kwargs):
    with pytest.raises(ValueError):
        server.inject(Fault.drop(), **kwargs)
    assert server.pending_faults == 0


# --- recording -----------------------------------------------------------------------------------

def test_requests_are_recorded_with_raw_path_decoded_query_and_headers(server):
    path = runs_path(query="limit=2&after=run%5Fabc116&x=1&x=2&empty=&order=asc")
    reply = call(server, path, headers={**HEADERS, "X-Custom": "yes"})
    (rec,) = server.requests
    assert rec.method == "GET"
    assert rec.path == runs_path()
    assert rec.target == path
    assert rec.query == {"limit": ["2"], "after": ["run_abc116"], "x": ["1", "2"],
                         "empty": [""], "order": ["asc"]}
    assert rec.headers["authorization"] == f"Bearer {KEY}"
    assert rec.headers["openai-beta"] == "assistants=v2"
    assert rec.headers["x-custom"] == "yes"
    assert all(name == name.lower() for name in rec.headers)
    assert rec.body == b""
    assert rec.request_id == reply.headers["x-request-id"]
    assert rec.time <= time.monotonic()


def test_raw_path_keeps_percent_encoding_and_bodies_are_kept(server):
    call(server, f"/v1/threads/{THREAD}/runs/run%5Fabc123", method="POST", body=b'{"a": 1}')
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", "/v1/batches/batch_abc123", body=iter([b"ab", b"cd"]),
                 headers=HEADERS, encode_chunked=True)  # a read-only path: 405
    assert conn.getresponse().status == 405
    conn.close()
    first, second = server.requests
    assert first.path == f"/v1/threads/{THREAD}/runs/run%5Fabc123"
    assert first.body == b'{"a": 1}'
    assert second.body == b"abcd"


def test_connection_ids_follow_tcp_connections(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        send(conn, runs_path())
        send(conn, f"/v1/threads/{THREAD}/runs/run_abc123")
    finally:
        conn.close()
    call(server, runs_path())
    first, second, third = server.requests
    assert first.connection_id == second.connection_id != third.connection_id
    assert first.time <= second.time <= third.time


def test_recording_can_be_switched_off():
    with LocalServer(record=False) as srv:
        assert call(srv, runs_path()).status == 200
        assert srv.requests == []


def test_bad_content_length_is_400_and_closes(shared_server):
    with socket.create_connection(("127.0.0.1", shared_server.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/batches HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):  # the server closes after answering
            data += chunk
    assert data.startswith(b"HTTP/1.1 400") and b"Connection: close" in data


def test_clear_requests(server):
    call(server, runs_path())
    server.clear_requests()
    assert server.requests == []
    call(server, runs_path())
    assert len(server.requests) == 1


def test_concurrent_clients(server):
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            for i in range(20):
                path = runs_path(query="limit=2") if i % 2 else f"/v1/threads/{THREAD}/runs/run_abc123"
                assert send(conn, path).status == 200
            conn.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    recorded = server.requests
    assert len(recorded) == 160
    assert len({r.connection_id for r in recorded}) == 8
    assert len({r.request_id for r in recorded}) == 160


# --- control API ---------------------------------------------------------------------------------

def test_control_faults_seed_requests_and_reset(server):
    queued = control(server, "faults", [
        {"kind": "status", "status": 429, "headers": {"retry-after-ms": "5"}, "times": 2},
        {"kind": "status", "status": 429, "code_field": "insufficient_quota"},
        {"kind": "drop", "path": "/v1/batches"},
        {"kind": "delay", "seconds": 0.01}, {"kind": "truncated"}, {"kind": "invalid_json"},
    ])
    assert queued == {"queued": 7, "pending": 7}
    reply = call(server, runs_path())
    assert (reply.status, reply.headers["retry-after-ms"]) == (429, "5")
    assert call(server, runs_path()).status == 429
    assert call(server, runs_path()).error["code"] == "insufficient_quota"
    assert control(server, "faults", method="DELETE") == {"pending": 0}

    seeded = control(server, "seed", {"thread_id": "thread_big", "runs": 250})
    assert seeded["count"] == 250 and seeded["thread_id"] == "thread_big"
    walked, after, pages = [], "", 0
    while True:
        page = call(server, runs_path("thread_big", f"limit=100&order=asc{after}")).json()
        pages += 1
        walked += [r["id"] for r in page["data"]]
        if not page["has_more"]:
            break
        after = f"&after={page['last_id']}"
    assert pages == 3 and len(set(walked)) == 250
    assert (walked[0], walked[-1]) == (seeded["first_id"], seeded["last_id"])

    recorded = control(server, "requests")["data"]
    assert len(recorded) == 6 and recorded[0]["method"] == "GET"
    assert recorded[0]["headers"]["authorization"] == f"Bearer {mask_key(KEY)}"
    assert KEY not in json.dumps(recorded)
    assert control(server, "store")["counts"]["run"] == 258

    assert control(server, "reset", {})["counts"]["run"] == 8
    assert server.requests == [] and server.pending_faults == 0
    assert call(server, runs_path("thread_big")).status == 404
    control(server, "reset", {"seed": False})
    assert call(server, runs_path()).status == 404


@pytest.mark.parametrize("name, payload, status", [
    ("faults", [{"kind": "drop"}, {"kind": "nope"}], 400),
    ("faults", [{"kind": "drop", "times": 0}], 400),
    ("faults", "not json at all", 400),
    ("seed", {"runs": 3}, 400),
    ("seed", {"thread_id": "t", "runs": -1}, 400),
    ("seed", {"thread_id": "t", "runs": 1, "status": "sleeping"}, 400),
    ("nothing", {}, 404),
])
def test_control_rejects_bad_input(server, name, payload, status):
    data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    request = urllib.request.Request(f"{server.url}/__control/{name}", data=data, method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == status
    assert "error" in json.loads(info.value.read())
    info.value.close()
    assert REQUEST_ID.fullmatch(info.value.headers["x-request-id"])
    assert server.pending_faults == 0 and server.store.counts()["thread"] == 2


def test_control_wrong_method_is_405(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        control(server, "reset")
    info.value.close()
    assert info.value.code == 405


# --- the store's Python API ------------------------------------------------------------------------

def test_store_generated_runs():
    store = Store(seed=False)
    made = store.add_runs("thread_x", 12, status=["completed", "failed"])
    assert made == sorted(made) and len(set(made)) == 12
    assert store.run_ids("thread_x") == made
    stamps = [store.get_run("thread_x", r)["created_at"] for r in made]
    assert stamps == sorted(stamps) and len(set(stamps)) == 12
    assert store.get_run("thread_x", made[1])["status"] == "failed"
    more = store.add_runs("thread_x", 3)
    assert store.get_run("thread_x", more[0])["created_at"] > stamps[-1]
    assert store.get("thread", "thread_x")["object"] == "thread"


def test_store_single_objects_and_clear():
    store = Store()
    run = store.add_run(THREAD, "run_custom", status="requires_action", metadata={"k": "v"},
                        created_at=5)
    assert store.run_ids(THREAD)[0] == "run_custom"
    assert run["metadata"] == {"k": "v"} and run["required_action"] is not None
    run["metadata"]["k"] = "changed"  # a copy: the stored object is untouched
    assert store.get_run(THREAD, "run_custom")["metadata"] == {"k": "v"}
    assert store.add_step(THREAD, "run_custom")["run_id"] == "run_custom"
    with pytest.raises(KeyError):
        store.add_step(THREAD, "run_missing")
    with pytest.raises(ValueError):
        store.add_runs(THREAD, 1, status="sleeping")
    store.clear()
    assert store.counts() == dict.fromkeys(store.counts(), 0)
    assert store.get_run(THREAD, "run_abc123") is None


# --- lifecycle and entry points ------------------------------------------------------------------

def test_addresses_and_lifecycle():
    srv = LocalServer()
    with pytest.raises(RuntimeError):
        srv.port
    with srv:
        assert srv.url == f"http://127.0.0.1:{srv.port}"
        assert srv.base_url == srv.url + "/v1"
        with pytest.raises(RuntimeError):
            srv.start()
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        assert send(conn, runs_path()).status == 200  # an idle keep-alive connection stays open
    assert not srv.running
    with pytest.raises((http.client.HTTPException, OSError)):
        send(conn, runs_path())  # stop() closed it
    conn.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
    srv.stop()  # idempotent


def test_string_api_key_means_one_key():
    with LocalServer(api_keys=KEY) as srv:
        assert srv.api_keys == frozenset({KEY})


def _start_cli(*args: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ)
    root = str(Path(server_pkg.__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-m", "pyopenai_ps.server", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    if not ready:
        proc.kill()
        pytest.fail("the CLI printed nothing")
    return proc, proc.stdout.readline()


@pytest.mark.skipif(sys.platform == "win32", reason="uses select() on a pipe and POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_and_stops_on_signal(sig):
    proc, line = _start_cli("--port", "0", "--seed-runs", "thread_cli=3")
    try:
        match = re.fullmatch(r"Serving on http://127\.0\.0\.1:(\d+)/v1\n", line)
        assert match, line
        port = int(match.group(1))
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/threads/thread_cli/runs",
                                         headers=HEADERS)
        with urllib.request.urlopen(request, timeout=5) as response:
            assert len(json.loads(response.read())["data"]) == 3
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
        assert proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.skipif(sys.platform == "win32", reason="uses select() on a pipe and POSIX signals")
def test_cli_progression_and_real_clock():
    proc, line = _start_cli("--port", "0", "--progression", "immediate", "--real-clock")
    try:
        port = int(re.fullmatch(r"Serving on http://127\.0\.0\.1:(\d+)/v1\n", line).group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__control/progression",
                                    timeout=5) as response:
            assert json.loads(response.read())["mode"] == "immediate"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__control/clock",
                                    timeout=5) as response:
            assert json.loads(response.read())["manual"] is False
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    bad = subprocess.run([sys.executable, "-m", "pyopenai_ps.server", "--progression", "later"],
                         capture_output=True, text=True, timeout=20,
                         env={**os.environ, "PYTHONPATH": str(
                             Path(server_pkg.__file__).resolve().parents[2])})
    assert bad.returncode == 2 and "--progression" in bad.stderr


# --- independence from the client ---------------------------------------------------------------

def test_server_imports_only_stdlib_and_itself():
    package_dir = Path(server_pkg.__file__).parent
    sources = sorted(package_dir.glob("*.py"))
    assert len(sources) >= 5
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: must stay inside the server package
                    assert node.level == 1, f"{source.name}: from {'.' * node.level}{node.module}"
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = name == "pyopenai_ps.server" or name.startswith("pyopenai_ps.server.") \
                    or (top in sys.stdlib_module_names and top != "pyopenai_ps")
                assert ok, f"{source.name} imports {name}"

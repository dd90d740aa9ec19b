"""Hostile servers at the HTTP framing level, over raw loopback sockets of the tests' own.

Interim 1xx answers, answers dripped a byte at a time, gzip and deflate bombs, Content-Length lies,
bad chunk sizes, and retry storms.  After any answer that was not read to its end, the next call
opens a new connection: it never reads the rest of someone else's answer.
"""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from raw_server import CLOSE, RawServer, answer, chunked, gzip_bomb, json_answer, run

import pyopenai_ps as ps
from pyopenai_ps.errors import APITimeoutError, RateLimitExceededError, ResponseFormatError
from pyopenai_ps.http import Transport
from pyopenai_ps.http import transport as transport_module
from pyopenai_ps.runtime.settings import current_transport
from pyopenai_ps.server import Fault

KEY = "sk-wire-test-0123456789abcdefghij"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def get_run(server: RawServer, run_id: str = "run_1", **kwargs):
    return ps.get_thread_run(thread_id="thread_abc123", run_id=run_id, api_base=server.base_url, api_key=KEY,
                             **kwargs)


def second_call_is_clean(server: RawServer, *, new_connection: bool = True) -> None:
    """The call after a refused answer gets its own answer, on a new connection unless the refused
    answer was read to its end."""
    connections_before = server.connections
    assert get_run(server, "run_2").id == "run_2"
    if new_connection:
        assert server.requests[-1][0] == connections_before  # a new connection, numbered after the old ones


def then_run_2(first: list) -> object:
    """Script: ``first`` for request 0, then run_2 for every later request."""
    def script(number, head):
        return first if number == 0 else [json_answer(run("run_2"))]
    return script


# --- item 1: interim answers -------------------------------------------------------------------


@pytest.mark.parametrize("interims", [
    [b"HTTP/1.1 102 Processing\r\n\r\n"],
    [b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"],
    [b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 102 Processing\r\n\r\n",
     b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nLink: </b>\r\n\r\n"],
])
def test_interim_answers_are_skipped_and_the_next_call_gets_its_own_object(interims):
    def script(number, head):
        ids = ["run_1", "run_2"]
        steps: list = list(interims) if number == 0 else []
        return [*steps, 0.05, json_answer(run(ids[number]))]

    with RawServer(script) as server:
        assert get_run(server, "run_1").id == "run_1"
        assert get_run(server, "run_2").id == "run_2"
        assert [c for c, _ in server.requests] == [0, 0]  # one connection, each answer read whole


def test_an_endless_run_of_interim_answers_is_a_format_error():
    flood = [b"HTTP/1.1 102 Processing\r\n\r\n"] * (transport_module.MAX_INTERIM_ANSWERS + 1)
    with RawServer(then_run_2([*flood, json_answer(run("run_1"))])) as server:
        with pytest.raises(ResponseFormatError, match="interim"):
            get_run(server)
        second_call_is_clean(server)


def test_switching_protocols_unasked_is_a_format_error():
    with RawServer(then_run_2([b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", CLOSE])) as server:
        with pytest.raises(ResponseFormatError, match="101"):
            get_run(server)
        second_call_is_clean(server)


# --- item 4: the timeout bounds the whole attempt ------------------------------------------------


def drip(data: bytes, every: float) -> list:
    steps: list = []
    for byte in data:
        steps += [bytes([byte]), every]
    return steps


def test_a_body_dripped_a_byte_at_a_time_times_out_as_a_whole():
    whole = json_answer(run("run_1"))
    head, _, body = whole.partition(b"\r\n\r\n")
    # 0.05 s a byte: every single read is quick, the body as a whole takes seconds
    with RawServer(then_run_2([head + b"\r\n\r\n", *drip(body, 0.05), CLOSE])) as server:
        with pytest.raises(APITimeoutError) as info:
            get_run(server, timeout_sec=1)
        assert info.value.timeout == 1
        assert server.sent[0] < len(whole)  # given up before the body was all there
        second_call_is_clean(server)


def test_headers_dripped_a_byte_at_a_time_time_out_as_a_whole():
    whole = json_answer(run("run_1"), headers={"X-Padding": "p" * 200})
    with RawServer(then_run_2([*drip(whole, 0.01), CLOSE])) as server:
        with pytest.raises(APITimeoutError):
            current_transport().send("GET", server.base_url + "/threads/t/runs/run_1", headers=HEADERS, timeout=0.3)
        assert server.sent[0] < len(whole)


def test_interim_answers_dripped_forever_time_out():
    steps = [b"HTTP/1.1 102 Processing\r\n\r\n", 0.05] * 40
    with RawServer(then_run_2([*steps, CLOSE])) as server:
        with pytest.raises((APITimeoutError, ResponseFormatError)):
            current_transport().send("GET", server.base_url + "/threads/t/runs/run_1", headers=HEADERS, timeout=0.3)
        assert server.sent[0] < len(steps) // 2 * len(steps[0])


# --- item 5: compressed answers ----------------------------------------------------------------


@pytest.mark.parametrize("encoding, packed", [
    ("gzip", gzip_bomb(20_000_000)),
    ("deflate", zlib.compress(b'{"id": "' + b"x" * 20_000_000 + b'"}', 9)),
])
def test_an_encoding_not_asked_for_is_refused_without_inflating(encoding, packed):
    bomb = answer(packed, headers={"Content-Encoding": encoding})
    with RawServer(then_run_2([bomb])) as server:
        with pytest.raises(ResponseFormatError, match=encoding) as info:
            get_run(server)
        assert info.value.status_code == 200
        second_call_is_clean(server)


def test_an_asked_for_gzip_answer_is_inflated_up_to_the_maximum_answer_size(transport_with):
    transport_with(max_answer_bytes=1_000_000)
    small = gzip.compress(json.dumps(run("run_1")).encode())
    big = gzip_bomb(5_000_000)  # 5 MB once inflated, about 5 KB on the wire
    answers = [answer(small, headers={"Content-Encoding": "gzip"}), answer(big, headers={"Content-Encoding": "gzip"})]
    with RawServer(lambda n, head: [answers[n]] if n < 2 else [json_answer(run("run_2"))]) as server:
        asked = {"Accept-Encoding": "gzip"}
        assert get_run(server, additional_headers=asked).id == "run_1"
        with pytest.raises(ResponseFormatError, match="1000000 bytes"):
            get_run(server, additional_headers=asked)
        second_call_is_clean(server, new_connection=False)  # the bomb itself was read whole: 5 KB


def test_the_client_asks_for_identity():
    seen: list[bytes] = []

    def script(number, head):
        seen.append(head)
        return [json_answer(run("run_1"))]

    with RawServer(script) as server:
        get_run(server)
    assert b"\r\nAccept-Encoding: identity" in seen[0]


# --- item 6: body framing --------------------------------------------------------------------


@pytest.mark.parametrize("first", [
    [answer(b"{}", length=10**20)],
    [answer(b"{}", length=10**10), 0.5, CLOSE],  # announces 10 GB, then stalls
    [answer(b"{}", length="2, 3")],
    [chunked(["-5", b"{}", "0", ""])],
    [chunked(["0x10", b"{}", "0", ""])],
    [chunked([f"{2**80:x}", b"{}"]), CLOSE],
    [chunked(["zz", b"{}", "0", ""])],
], ids=["length 10^20", "length 10 GB stalled", "two lengths", "chunk -5", "chunk 0x", "chunk 2^80", "chunk zz"])
def test_framing_lies_are_format_errors_and_the_connection_is_dropped(first):
    with RawServer(then_run_2(first)) as server:
        with pytest.raises(ResponseFormatError):
            get_run(server)
        second_call_is_clean(server)


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_an_answer_over_the_maximum_size_is_refused(transport_with, framing):
    transport_with(max_answer_bytes=50_000)
    body = json.dumps({**run("run_1"), "pad": "x" * 60_000}).encode()
    if framing == "length":
        first = [answer(body)]
    elif framing == "chunked":
        first = [chunked([body[i:i + 4096] for i in range(0, len(body), 4096)] + ["0", ""])]
    else:
        first = [answer(body, headers={"Connection": "close"}, length="none"), CLOSE]
    with RawServer(then_run_2(first)) as server:
        with pytest.raises(ResponseFormatError, match="50000 bytes"):
            get_run(server)
        second_call_is_clean(server)


def test_the_maximum_answer_size_is_documented_and_set_per_transport(transport_with):
    assert transport_module.MAX_ANSWER_BYTES == Transport().max_answer_bytes >= 16 * 1024 * 1024
    assert Transport(max_answer_bytes=10).max_answer_bytes == 10
    with pytest.raises(ps.ConfigurationError):
        Transport(max_answer_bytes=0)
    body = json.dumps(run("run_1")).encode()
    transport_with(max_answer_bytes=len(body))
    with RawServer(lambda n, head: [answer(body)]) as server:
        assert get_run(server).id == "run_1"  # exactly the maximum is fine


# --- item 8: the overall retry deadline ------------------------------------------------------


def fake_time():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return slept, sleep, (lambda: now[0])


def test_retries_stop_at_the_overall_deadline_with_the_last_error(api, transport_with):
    slept, sleep, clock = fake_time()
    transport_with(sleeper=sleep, clock=clock, jitter=lambda: 1.0)
    api.inject(Fault.status(429), times=200)
    with pytest.raises(RateLimitExceededError):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=100)
    deadline = transport_module.RETRY_DEADLINE
    assert sum(slept) <= deadline < sum(slept) + 129
    assert len(api.requests) == len(slept) + 1  # the last error came from a real attempt


def test_the_retry_deadline_can_be_changed_or_lifted(api, transport_with):
    slept, sleep, clock = fake_time()
    transport_with(sleeper=sleep, clock=clock, jitter=lambda: 1.0, retry_deadline=10)
    api.inject(Fault.status(503), times=200)
    with pytest.raises(ps.APIRequestError):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=100)
    assert slept == [2.0, 4.0]  # 2 + 4 + 8 would pass 10 s
    slept.clear()
    api.clear_faults()
    api.inject(Fault.status(503), times=6)
    transport_with(sleeper=sleep, clock=clock, jitter=lambda: 1.0, retry_deadline=None)
    ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=6)
    assert slept == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0]


# --- item 2, with the changes above: a forked child ------------------------------------------------


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_gets_guarded_connections_of_its_own():
    import os

    def script(number, head):
        wanted = "run_2" if b"run_2" in head else "run_1"
        return [b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n", json_answer(run(wanted))]

    with RawServer(script) as server:
        assert get_run(server, "run_1").id == "run_1"  # the parent holds a pooled connection
        pid = os.fork()
        if pid == 0:  # the child: report through the exit status, never through pytest
            code = 0
            try:
                if current_transport()._pools or get_run(server, "run_2").id != "run_2":
                    code = 3
            except BaseException:  # noqa: BLE001
                code = 4
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert get_run(server, "run_1").id == "run_1"
        connections = [c for c, _ in server.requests]
    assert connections[0] == connections[2] != connections[1]  # the child opened its own


def test_the_pool_manager_keeps_every_pool_the_transport_holds():
    # one bound for the pools, MAX_ORIGINS: urllib3's manager, left at its default of 16, forgot the elder
    # pools a transport still held and used (two maps of the same pools, bounded differently)
    servers = [RawServer(lambda n, head: [json_answer(run("run_abc123"))]) for _ in range(20)]
    for server in servers:
        server.__enter__()
    try:
        transport = Transport()
        for server in servers:
            transport.send("GET", server.base_url + "/threads/thread_abc123/runs/run_abc123",
                           headers={"Authorization": "Bearer sk-test"})
        held = [transport.pool_for(server.base_url.removesuffix("/v1")) for server in servers]
        known = [transport.pool_manager.pools[key] for key in transport.pool_manager.pools.keys()]
        assert all(any(pool is other for other in known) for pool in held)
    finally:
        for server in servers:
            server.__exit__(None, None, None)

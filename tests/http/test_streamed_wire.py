"""Streamed answers (``Transport.open``: event streams, downloads) through the same attempt loop and
guards as answers read whole, over raw loopback sockets of the tests' own.

What holds for both: interim answers skipped, chunk sizes checked, encodings not asked for refused,
a connection not read to its end never reused, the error answer typed.  What differs: a streamed
body has no maximum size (it is never held whole), an asked-for gzip body is inflated a chunk at a
time, and the timeout bounds each read of the body rather than the whole of it.
"""

from __future__ import annotations

import gzip
import io
import json
import threading

import pytest
from raw_server import CLOSE, RawServer, answer, chunked, gzip_bomb, json_answer, run

from pyopenai_ps.errors import APIConnectionError, APIRequestError, APITimeoutError, NotFoundError, ResponseFormatError
from pyopenai_ps.http import Transport
from pyopenai_ps.http.transport import ERROR_BODY_LIMIT

HEADERS = {"Authorization": "Bearer sk-stream-test-0123456789abcdef"}
BODY = bytes(range(256)) * 800  # 200 KB


def url(server: RawServer) -> str:
    return server.base_url + "/files/file_1/content"


def read_all(transport: Transport, server: RawServer, size: int = 65536, **options) -> list[bytes]:
    with transport.open("GET", url(server), headers=HEADERS, **options) as streamed:
        return list(streamed.chunks(size))


def then_run_2(first: list):
    return lambda number, head: first if number == 0 else [json_answer(run("run_2"))]


def next_call_is_clean(transport: Transport, server: RawServer, *, new_connection: bool = True) -> None:
    before = server.connections
    assert transport.send("GET", url(server), headers=HEADERS).json()["id"] == "run_2"
    if new_connection:
        assert server.requests[-1][0] == before


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_a_streamed_body_has_no_maximum_size(framing):
    transport = Transport(max_answer_bytes=50_000)
    first = answer(BODY) if framing == "length" else chunked([BODY[:100_000], BODY[100_000:], "0", ""])
    with RawServer(lambda number, head: [first]) as server:
        pieces = read_all(transport, server, 4096)
        assert b"".join(pieces) == BODY and max(map(len, pieces)) <= 4096
        with pytest.raises(ResponseFormatError, match="50000 bytes"):  # read whole, the same answer is refused
            transport.send("GET", url(server), headers=HEADERS)


def test_interim_answers_are_skipped_and_a_stream_read_to_its_end_gives_its_connection_back():
    interims = [b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"]
    with RawServer(then_run_2([*interims, answer(BODY)])) as server:
        transport = Transport()
        assert b"".join(read_all(transport, server)) == BODY
        next_call_is_clean(transport, server, new_connection=False)
        assert [c for c, _ in server.requests] == [0, 0]


def test_an_event_stream_read_to_its_end_gives_its_connection_back():
    events = chunked([b"data: one\n\n", b"data: two\n\n", "0", ""])
    with RawServer(then_run_2([events])) as server:
        transport = Transport()
        with transport.open("GET", url(server), headers=HEADERS) as streamed:
            assert list(streamed.chunks(65536, eager=True)) == [b"data: one\n\n", b"data: two\n\n"]
        next_call_is_clean(transport, server, new_connection=False)
        assert [c for c, _ in server.requests] == [0, 0]


def test_a_stream_closed_early_never_lends_its_connection():
    with RawServer(then_run_2([answer(BODY)])) as server:
        transport = Transport()
        with transport.open("GET", url(server), headers=HEADERS) as streamed:
            assert len(next(streamed.chunks(1000))) == 1000
        next_call_is_clean(transport, server)


@pytest.mark.parametrize("lie", [["-5", b"x"], ["0x10", b"x" * 16], [f"{2**80:x}", b"x"], ["zz", b"x"]],
                         ids=["chunk -5", "chunk 0x", "chunk 2^80", "chunk zz"])
def test_a_framing_lie_inside_a_stream_is_a_format_error(lie):
    with RawServer(then_run_2([chunked([b"first piece", *lie, "0", ""]), CLOSE])) as server:
        transport = Transport()
        got: list[bytes] = []
        with pytest.raises(ResponseFormatError, match="chunk") as info:
            with transport.open("GET", url(server), headers=HEADERS) as streamed:
                for piece in streamed.chunks(65536, eager=True):
                    got.append(piece)
        assert b"".join(got).startswith(b"first") and info.value.status_code == 200
        next_call_is_clean(transport, server)


def test_an_encoding_not_asked_for_is_refused_before_the_stream_is_handed_back():
    with RawServer(then_run_2([answer(gzip_bomb(5_000_000), headers={"Content-Encoding": "gzip"})])) as server:
        transport = Transport()
        with pytest.raises(ResponseFormatError, match="gzip"):
            transport.open("GET", url(server), headers=HEADERS)
        next_call_is_clean(transport, server)


def test_an_asked_for_gzip_stream_is_inflated_a_chunk_at_a_time_past_the_maximum_answer_size():
    packed = gzip_bomb(5_000_000)  # about 5 KB on the wire
    with RawServer(then_run_2([answer(packed, headers={"Content-Encoding": "gzip"})])) as server:
        transport = Transport(max_answer_bytes=1_000_000)
        with transport.open("GET", url(server), headers={**HEADERS, "Accept-Encoding": "gzip"}) as streamed:
            pieces = list(streamed.chunks(65536))
        assert max(map(len, pieces)) <= 65536
        assert b"".join(pieces) == gzip.decompress(packed)


def test_events_are_handed_over_as_they_arrive():
    gate = threading.Event()  # the server waits here (its "sleep") until the test has the first event
    first, second = b"data: first\n\n", b"data: second\n\n"
    steps = [b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
             b"%x\r\n%b\r\n" % (len(first), first), 10.0, b"%x\r\n%b\r\n0\r\n\r\n" % (len(second), second)]
    with RawServer(lambda n, head: steps, sleep=lambda seconds: gate.wait(seconds)) as server:
        with Transport().open("GET", url(server), headers=HEADERS) as streamed:
            events = streamed.chunks(65536, eager=True)
            assert next(events) == first
            assert not gate.is_set()  # handed over while the server still held back the rest
            gate.set()
            assert b"".join(events) == second


def test_the_timeout_bounds_each_read_of_a_stream_not_the_whole_of_it():
    head, _, body = answer(BODY[:24]).partition(b"\r\n\r\n")
    dripped: list = [head + b"\r\n\r\n"]
    for byte in body:
        dripped += [bytes([byte]), 0.05]  # 1.2 s in all, each byte well within 0.6 s
    stalled = [head + b"\r\n\r\n", body[:10], 3.0, CLOSE]
    with RawServer(lambda n, head: dripped if n == 0 else stalled) as server:
        transport = Transport()
        assert b"".join(read_all(transport, server, 8, timeout=0.6)) == BODY[:24]
        with pytest.raises(APITimeoutError):
            read_all(transport, server, 8, timeout=0.6)


def test_an_error_answer_to_a_streamed_request_is_typed_and_read_only_in_part():
    big = json.dumps({"error": {"message": "No such file.", "pad": "x" * (3 * ERROR_BODY_LIMIT)}}).encode()
    first = answer(b'{"error": {"message": "No such file."}}', "404 Not Found")
    second = answer(big, "404 Not Found")
    with RawServer(lambda n, head: [[first], [second], [json_answer(run("run_2"))]][min(n, 2)]) as server:
        transport = Transport()
        with pytest.raises(NotFoundError, match="No such file"):
            transport.open("GET", url(server), headers=HEADERS)
        with pytest.raises(NotFoundError):
            transport.open("GET", url(server), headers=HEADERS)
        next_call_is_clean(transport, server)  # the second was not read to its end: a new connection


class _NoTell(io.BytesIO):
    def tell(self) -> int:
        raise OSError("cannot tell")


@pytest.mark.parametrize("body, attempts", [(io.BytesIO(b"payload"), 2), (_NoTell(b"payload"), 1)],
                         ids=["rewindable", "cannot tell where it starts"])
def test_a_file_like_body_is_sent_again_only_when_it_can_be_rewound(body, attempts):
    busy = answer(b'{"error": {"message": "busy"}}', "503 Service Unavailable", {"Connection": "close"})
    with RawServer(lambda n, head: [busy, CLOSE] if n == 0 else [json_answer(run("run_1")), CLOSE]) as server:
        transport = Transport(sleeper=lambda seconds: None)
        call = lambda: transport.open("POST", url(server), headers={**HEADERS, "Content-Length": "7"},  # noqa: E731
                                      body=body, max_retries=2)
        if attempts == 2:
            with call() as streamed:
                assert json.loads(b"".join(streamed.chunks()))["id"] == "run_1"
        else:
            with pytest.raises(APIRequestError, match="busy"):
                call()
        assert len(server.requests) == attempts


@pytest.mark.parametrize("eager", [False, True], ids=["full chunks", "each chunk as it comes"])
def test_a_chunked_answer_cut_between_chunks_is_a_connection_error_not_a_framing_lie(eager):
    cut = chunked([b'{"id": "run_1", ', b'"object": "thread.run"'])  # no last chunk: the connection ends
    with RawServer(then_run_2([cut, CLOSE])) as server:
        transport = Transport()
        with pytest.raises(APIConnectionError, match="truncated") as info:
            with transport.open("GET", url(server), headers=HEADERS) as streamed:
                list(streamed.chunks(65536, eager=eager))
        assert not isinstance(info.value, ResponseFormatError)
        next_call_is_clean(transport, server)
    with RawServer(then_run_2([cut, CLOSE])) as server:
        with pytest.raises(APIConnectionError, match="truncated"):
            transport.send("GET", url(server), headers=HEADERS)

"""The server's wire faults, read with the standard library's sockets and http.client: interim answers,
dripped answers, compression bombs and framing lies, exactly as they go out."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import zlib

import pytest

from pyopenai_ps.server import Fault, LocalServer

KEY = "sk-wire-0123456789abcdef"
RUN = "/v1/threads/thread_abc123/runs/run_abc123"
REQUEST = (f"GET {RUN} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
           "OpenAI-Beta: assistants=v2\r\n\r\n").encode()


def raw_exchange(server: LocalServer, requests: int = 1, wait: float = 3.0) -> bytes:
    """Send ``requests`` GETs of the run on one connection; everything the server wrote until it
    went quiet for ``wait`` seconds or closed."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        for _ in range(requests):
            sock.sendall(REQUEST)
        data = b""
        while True:
            try:
                piece = sock.recv(65536)
            except socket.timeout:
                return data
            if not piece:
                return data
            data += piece
            if requests == 1 and _complete(data):
                return data


def _complete(data: bytes) -> bool:
    """Whether the last answer in ``data`` has all the bytes its Content-Length announces."""
    head, _, body = data.rpartition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            try:
                return len(body) >= int(line.split(b":", 1)[1])
            except ValueError:
                return False
    return False


def normal_body(server: LocalServer) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", RUN, headers={"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"})
    body = conn.getresponse().read()
    conn.close()
    return body


@pytest.fixture
def recorded():
    slept: list[float] = []
    with LocalServer(sleep=slept.append) as srv:
        srv.slept = slept
        yield srv


# --- interim answers -----------------------------------------------------------------------------


def test_interim_answers_go_out_before_the_answer(server):
    server.inject(Fault.interim(102, 103, headers={"Link": "</style.css>; rel=preload"}), path=RUN)
    data = raw_exchange(server)
    assert data.startswith(b"HTTP/1.1 102 Processing\r\nLink: </style.css>; rel=preload\r\n\r\n"
                           b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                           b"HTTP/1.1 200 OK\r\n")
    assert json.loads(data.split(b"\r\n\r\n")[-1])["id"] == "run_abc123"


def test_a_client_that_takes_the_first_status_sees_102(server):
    """http.client skips only 100 Continue: the fault is visible to a client that does not skip."""
    server.inject(Fault.interim(), path=RUN)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", RUN, headers={"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"})
    assert conn.getresponse().status == 102
    conn.close()


# --- dripping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("head", [False, True])
def test_a_dripped_answer_arrives_whole_in_pieces(recorded, head):
    plain = normal_body(recorded)
    recorded.inject(Fault.drip(0.01, piece_bytes=7, head=head), path=RUN)
    data = raw_exchange(recorded)
    headers, body = head_and_body(data)
    assert json.loads(body) == json.loads(plain) and data.startswith(b"HTTP/1.1 200 OK\r\n")
    dripped = len(data) if head else len(body)
    assert recorded.slept == [0.01] * (-(-dripped // 7) - 1)  # a wait before every 7 bytes but the first


def test_a_drip_in_real_time_sends_one_piece_a_wait(server):
    server.inject(Fault.drip(0.05, piece_bytes=20), path=RUN)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(REQUEST)
        pieces = []
        data = b""
        while not _complete(data):
            piece = sock.recv(65536)
            assert piece
            pieces.append(piece)
            data += piece
    body = data.split(b"\r\n\r\n", 1)[1]
    assert len(pieces) > 2 and min(map(len, pieces[1:-1])) <= 40  # not all at once: a few bytes a wait
    assert json.loads(body)["id"] == "run_abc123"


# --- compression bombs -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, inflate", [("gzip", gzip.decompress), ("deflate", zlib.decompress)])
def test_a_bomb_is_small_on_the_wire_and_large_inflated(server, encoding, inflate):
    server.inject(Fault.bomb(encoding, inflated_bytes=2_000_000), path=RUN)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", RUN, headers={"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2",
                                      "Accept-Encoding": "identity"})
    response = conn.getresponse()
    packed = response.read()
    conn.close()
    assert response.getheader("content-encoding") == encoding
    assert int(response.getheader("content-length")) == len(packed) < 20_000
    inflated = inflate(packed)
    assert len(inflated) == 2_000_000 and json.loads(inflated)["id"] == "run_abc123"


# --- framing lies --------------------------------------------------------------------------------------


def head_and_body(data: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}, body


@pytest.mark.parametrize("lie, length", [
    ("length_overflow", str(10**20)), ("length_stall", str(10**10)), ("length_conflict", None)])
def test_length_lies(recorded, lie, length):
    plain = normal_body(recorded)
    recorded.inject(Fault.framing(lie, seconds=0.25), path=RUN)
    headers, body = head_and_body(raw_exchange(recorded))
    assert body == plain and headers["connection"] == "close"
    if length is not None:
        assert headers["content-length"] == length
    else:
        assert headers["content-length"] == f"{len(plain)}, {len(plain) + 1}"
    assert recorded.slept == ([0.25] if lie == "length_stall" else [])


def test_a_short_length_leaves_the_rest_on_the_connection(server):
    plain = normal_body(server)
    server.inject(Fault.framing("length_short"), path=RUN)
    data = raw_exchange(server, requests=2, wait=1.0)
    headers, rest = head_and_body(data)
    assert headers["content-length"] == str(len(plain) - 5)
    assert rest.startswith(plain + b"HTTP/1.1 200 OK")  # 5 stale bytes, then the next answer


@pytest.mark.parametrize("lie, size_line", [
    ("chunk_negative", b"-5"), ("chunk_hex_prefix", None), ("chunk_not_hex", b"zz"), ("chunk_huge", b"%x" % 2**80)])
def test_chunk_size_lies(server, lie, size_line):
    plain = normal_body(server)
    server.inject(Fault.framing(lie), path=RUN)
    headers, body = head_and_body(raw_exchange(server))
    assert headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    expected = size_line if size_line is not None else b"0x%x" % len(plain)
    assert body == expected + b"\r\n" + plain + b"\r\n0\r\n\r\n"


# --- the constructors and the control API ----------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: Fault.interim(200), lambda: Fault.drip(-1), lambda: Fault.drip(0.1, piece_bytes=0),
    lambda: Fault.bomb("br"), lambda: Fault.framing("length_wrong")])
def test_bad_wire_faults_are_refused(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("spec, expected", [
    ({"kind": "interim", "statuses": [103]}, Fault.interim(103)),
    ({"kind": "drip", "seconds": 0.5, "piece_bytes": 3, "head": True}, Fault.drip(0.5, piece_bytes=3, head=True)),
    ({"kind": "bomb", "encoding": "deflate", "inflated_bytes": 1000}, Fault.bomb("deflate", inflated_bytes=1000)),
    ({"kind": "framing", "lie": "chunk_huge"}, Fault.framing("chunk_huge")),
])
def test_wire_faults_from_the_control_api(server, spec, expected):
    assert Fault.from_dict(spec) == expected
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", "/__control/faults", body=json.dumps({**spec, "path": RUN}),
                 headers={"Content-Type": "application/json"})
    reply = conn.getresponse()
    reply.read()
    conn.close()
    assert reply.status == 200 and server.pending_faults == 1

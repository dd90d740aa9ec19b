"""Properties of the wire formats: the streaming multipart parser and the SSE options."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pyopenai_ps.server import StreamSettings
from pyopenai_ps.server.multipart import MultipartParser
from server_helpers import Api, form_body

BOUNDARY = "xYz"
# Content made of pieces that look like the start of a boundary, to trip a naive parser.
TRICKY = st.lists(st.sampled_from([b"\r\n", b"--", b"xYz", b"\r\n--xY", b"a", b"\x00", b"\r"]),
                  max_size=40).map(b"".join)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(TRICKY | st.binary(max_size=300), min_size=1, max_size=4),
       cuts=st.lists(st.integers(0, 2000), max_size=8))
def test_multipart_parts_survive_any_split_of_the_body(values, cuts):
    assume(all(b"\r\n--" + BOUNDARY.encode() not in v for v in values))  # forbidden by RFC 2046
    parts = [(f"f{i}", f"n{i}.bin" if i % 2 else None, None, value)
             for i, value in enumerate(values)]
    body, _ = form_body(parts, boundary=BOUNDARY)
    parser = MultipartParser(BOUNDARY)
    start = 0
    for cut in sorted(c for c in cuts if c < len(body)) + [len(body)]:
        parser.feed(body[start:cut])
        start = cut
    parsed = parser.finish()
    assert [(p.name, p.filename) for p in parsed] == [(n, f) for n, f, _, _ in parts]
    assert [p.blob.read_all() for p in parsed] == values
    assert [p.sha256 for p in parsed] == [hashlib.sha256(v).hexdigest() for v in values]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deltas=st.integers(1, 60), delta_chars=st.none() | st.integers(1, 9),
       event_ids=st.booleans(), comment_every=st.integers(0, 4), multiline=st.booleans(),
       crlf=st.booleans(), write_bytes=st.integers(1, 400))
def test_every_stream_shape_parses_back_to_the_stored_message(
        shared_server, deltas, delta_chars, event_ids, comment_every, multiline, crlf,
        write_bytes):
    api = Api(shared_server)
    shared_server.store.streaming = StreamSettings(
        deltas=deltas, delta_chars=delta_chars, event_ids=event_ids,
        comment_every=comment_every, multiline_data=multiline, crlf=crlf,
        write_bytes=write_bytes)
    _, events, _ = api.stream("/v1/threads/runs", {
        "assistant_id": "asst_abc123", "stream": True,
        "thread": {"messages": [{"role": "user", "content": "caf\u00e9 \u2603"}]}})
    pieces = [e.json()["delta"]["content"][0]["text"]["value"]
              for e in events if e.event == "thread.message.delta"]
    assert len(pieces) == deltas
    if delta_chars:
        assert {len(p) for p in pieces} == {delta_chars}
    completed = next(e.json() for e in events if e.event == "thread.message.completed")
    assert "".join(pieces) == completed["content"][0]["text"]["value"]
    assert events[-1].event == "done" and events[-2].event == "thread.run.completed"
    shared_server.store.streaming = StreamSettings()

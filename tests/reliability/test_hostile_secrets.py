"""The key stays hidden against servers that echo it where the client did not look, keys of any
shape and length, secrets in refused constructs, and tools that record a traceback's locals."""

from __future__ import annotations

import logging
import socket
import subprocess
import traceback

import pytest
from cli_support import cli, environment
from raw_server import CLOSE, RawServer, answer, json_answer, run

import pyopenai_ps as ps
from pyopenai_ps.errors import (
    APIConnectionError,
    APITimeoutError,
    LineSyntaxError,
    NotFoundError,
    ResponseFormatError,
    UnauthorizedError,
)
from pyopenai_ps.secure import Redactor, mask_secret
from pyopenai_ps.server import Fault, LocalServer

AZURE_KEY = "0123456789abcdef0123456789abcdef"  # 32 hex digits, not shaped like sk-...
RUN = "/v1/threads/thread_abc123/runs/run_abc123"


def pieces(key: str, size: int = 6) -> list[str]:
    """Every ``size`` characters of the part of the key its mask hides (a key cut anywhere still
    shows one of them); a key too short for a mask with ends: the key itself."""
    if len(key) < 16:
        return [key]
    hidden = key[6:-2] if key.startswith("sk-") else key[3:-2]
    return [hidden[i:i + size] for i in range(len(hidden) - size + 1)]


def assert_hidden(text: str, key: str) -> None:
    shown = [piece for piece in pieces(key) if piece in text]
    assert not shown, (shown[:3], text[:2000])


def get_run(**kwargs):
    return ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", **kwargs)


# --- item 12: redact, then cut; any shape of key -------------------------------------------------


@pytest.mark.parametrize("key", ["sk-proj-SECRETKEY0123456789abcdefXYZ", AZURE_KEY])
@pytest.mark.parametrize("offset", [150, 170, 185, 196, 199])
def test_an_error_page_is_redacted_before_it_is_cut(api, monkeypatch, key, offset):
    monkeypatch.setattr(ps, "OPENAI_API_KEY", key)
    page = "<html><body>" + "w " * (offset // 2) + key + " and more words after it " * 20 + "</body></html>"
    api.inject(Fault.status(401, body=page), path=RUN)
    with pytest.raises(UnauthorizedError) as info:
        get_run()
    assert "..." in str(info.value)  # the excerpt was cut
    assert_hidden(str(info.value), key)


def test_the_command_line_hides_a_key_of_any_shape_in_a_cut_error_page():
    with LocalServer() as server:
        server.inject(Fault.status(401, body="x " * 85 + AZURE_KEY + " trailing words" * 30), path=RUN)
        done = subprocess.run([*cli(), "Get-ThreadRun", "-Thread", "thread_abc123", "-RunId", "run_abc123"],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
                              env=environment(server.base_url, OPENAI_API_KEY=AZURE_KEY))
    assert done.returncode == 1 and "401" in done.stderr
    assert_hidden(done.stderr + done.stdout, AZURE_KEY)


# --- item 13: a request id that echoes the key -----------------------------------------------------


KEY = "sk-proj-ECHOEDkey0123456789abcdefXYZ"


def test_a_request_id_echoing_the_key_is_redacted_in_errors_and_verbose_lines(caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"x-request-id": f"req_{KEY}"}
    answers = [json_answer({"error": {"message": "no such run"}}, "404 Not Found", echo),
               json_answer(run("run_abc123"), headers=echo)]
    with RawServer(lambda n, head: [answers[min(n, 1)]]) as server:
        with pytest.raises(NotFoundError) as info:
            get_run(api_base=server.base_url, api_key=KEY, verbose=True)
        get_run(api_base=server.base_url, api_key=KEY, verbose=True)
    error = info.value
    assert error.request_id and error.request_id.startswith("req_")
    for text in (error.request_id, repr(error), str(error), caplog.text):
        assert_hidden(text, KEY)
    assert "request id req_" in caplog.text


# --- item 14: -AdditionalHeaders is sensitive --------------------------------------------------------


CREDENTIALS = {
    "Authorization": "Basic dXNlcjpzM2NyM3QtcGFzc3dvcmQ=",
    "Ocp-Apim-Subscription-Key": "5f3c9a1e7b2d4c6f8a0b1c2d3e4f5a6b",
    "X-Goog-Api-Key": "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
}


def test_debug_shows_no_value_of_the_additional_headers_and_echoes_are_redacted(caplog):
    caplog.set_level(logging.DEBUG)
    echoed = " ".join(f"{k}={v}" for k, v in CREDENTIALS.items())
    answers = [json_answer({**run("run_abc123"), "echo": echoed}, headers={"X-Echo": echoed}),
               json_answer({"error": {"message": f"bad credentials: {echoed}"}}, "400 Bad Request")]
    with RawServer(lambda n, head: [answers[min(n, 1)]]) as server:
        get_run(api_base=server.base_url, api_key=KEY, additional_headers=CREDENTIALS, debug=True)
        with pytest.raises(ps.BadRequestError) as info:
            get_run(api_base=server.base_url, api_key=KEY, additional_headers=CREDENTIALS, debug=True)
    assert "Request headers:" in caplog.text and "Response body:" in caplog.text
    for value in CREDENTIALS.values():
        for text in (caplog.text, str(info.value), repr(info.value.body)):
            assert_hidden(text, value)


# --- item 15: a key inside a refused construct ---------------------------------------------------------


@pytest.mark.parametrize("line", [
    f"Get-ThreadRun thread_abc123 -ApiKey @({AZURE_KEY})",
    f"Get-ThreadRun thread_abc123 -ApiKey @({AZURE_KEY}",
    f"Get-ThreadRun thread_abc123 -ApiKey {AZURE_KEY}(1)",
    f"Get-ThreadRun thread_abc123 -ApiKey @{{k={AZURE_KEY}+1}}",
])
def test_a_bareword_key_in_a_refused_construct_is_not_quoted(line):
    with pytest.raises(LineSyntaxError) as info:
        ps.invoke(line)
    assert_hidden(str(info.value) + repr(info.value) + info.value.construct, AZURE_KEY)
    done = subprocess.run([*cli(), "-c", line], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60, env=environment(None))
    assert done.returncode == 2 and "ParserError" in done.stderr
    assert_hidden(done.stderr, AZURE_KEY)


# --- item 16: short keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["abc", "abcdef", "sk-abcdefgh", "0123456789abcde"])
def test_a_short_key_is_masked_whole(key):
    assert mask_secret(key) == "*" * len(key)
    assert Redactor([key]).text(f"key={key};") == f"key={'*' * len(key)};"


def test_a_three_character_key_echoed_by_a_server_is_redacted(api, monkeypatch):
    monkeypatch.setattr(ps, "OPENAI_API_KEY", "q7z")
    api.inject(Fault.status(401, body={"error": {"message": "Incorrect API key provided: q7z.", "code": "q7z"}}),
               path=RUN)
    with pytest.raises(UnauthorizedError) as info:
        get_run()
    assert "q7z" not in str(info.value) + repr(info.value) + str(info.value.body)
    assert "Incorrect API key provided: ***." in str(info.value)


# --- item 17: no key in a traceback's locals -----------------------------------------------------------


def _locals_text(error: BaseException) -> str:
    """The traceback as Sentry or ``pytest --showlocals`` records it: every frame's locals, causes too."""
    return "".join(traceback.TracebackException(type(error), error, error.__traceback__,
                                                capture_locals=True).format())


def test_no_frame_of_a_failing_call_holds_the_key_in_its_locals(api):
    with socket.socket() as unused:  # bound and released: a port where nothing listens
        unused.bind(("127.0.0.1", 0))
        closed_port = f"http://127.0.0.1:{unused.getsockname()[1]}/v1"
    scenarios = [
        ("401", UnauthorizedError, lambda: api.inject(Fault.status(401), path=RUN), {}),
        ("dropped", APIConnectionError, lambda: api.inject(Fault.drop(), path=RUN, times=2), {"max_retry_count": 1}),
        ("timeout", APITimeoutError, lambda: api.inject(Fault.delay(1.5), path=RUN), {"timeout_sec": 1}),
        ("invalid json", ResponseFormatError, lambda: api.inject(Fault.invalid_json(), path=RUN), {}),
        ("refused", APIConnectionError, lambda: None, {"api_base": closed_port}),
    ]
    for name, expected, arrange, kwargs in scenarios:
        arrange()
        with pytest.raises(expected) as info:
            get_run(**kwargs)
        text = _locals_text(info.value)
        assert " = " in text, name  # locals were captured
        assert api.key not in text, name
        assert_hidden(text, api.key)


def test_no_frame_of_a_framing_failure_holds_the_key(api):
    with RawServer(lambda n, head: [answer(b"{}", length=10**20), CLOSE]) as server:
        with pytest.raises(ResponseFormatError) as info:
            get_run(api_base=server.base_url)
    assert_hidden(_locals_text(info.value), api.key)


# --- what a stream or a URL carries back ------------------------------------------------------------


def _events(body: bytes) -> bytes:
    return answer(body, headers={"Content-Type": "text/event-stream"})


def test_an_error_event_quoting_the_key_is_redacted():
    stream = (b'event: thread.run.created\ndata: {"id": "run_1"}\n\n'
              b'event: error\ndata: {"error": {"message": "invalid key ' + KEY.encode()
              + b'", "code": "' + KEY.encode() + b'"}}\n\n')
    with RawServer(lambda n, head: [_events(stream), CLOSE]) as server:
        with pytest.raises(ps.StreamError) as info:
            list(ps.get_command("Start-ThreadRun").stream(thread_id="thread_abc", assistant="asst_abc", stream=True,
                                                          api_key=KEY, api_base=server.base_url))
    error = info.value
    assert "invalid key sk-pro" in str(error)
    for text in (str(error), repr(error), str(error.error_code)):
        assert_hidden(text, KEY)


def test_an_event_that_is_not_json_is_quoted_redacted():
    stream = b"event: thread.message.delta\ndata: not json " + KEY.encode() + b"\n\n"
    with RawServer(lambda n, head: [_events(stream), CLOSE]) as server:
        with pytest.raises(ResponseFormatError, match="is not JSON") as info:
            list(ps.get_command("Start-ThreadRun").stream(thread_id="thread_abc", assistant="asst_abc", stream=True,
                                                          api_key=KEY, api_base=server.base_url))
    assert_hidden(str(info.value), KEY)


def test_a_url_quoted_by_a_format_error_has_its_query_redacted():
    lie = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    with RawServer(lambda n, head: [lie, CLOSE]) as server:
        with pytest.raises(ResponseFormatError, match="chunk size") as info:
            ps.get_assistant("asst_abc", api_key=KEY, api_base=server.base_url, additional_query={"k": KEY})
    assert "?k=sk-pro" in str(info.value)
    assert_hidden(str(info.value), KEY)


@pytest.mark.parametrize("padding", [30, 40, 50, 60])
def test_an_event_quoted_by_its_error_is_redacted_before_it_is_cut(padding):
    stream = b"event: thread.message.delta\ndata: not json " + b"y" * padding + AZURE_KEY.encode() + b"\n\n"
    with RawServer(lambda n, head: [_events(stream), CLOSE]) as server:
        with pytest.raises(ResponseFormatError, match="is not JSON") as info:
            list(ps.get_command("Start-ThreadRun").stream(thread_id="thread_abc", assistant="asst_abc", stream=True,
                                                          api_key=AZURE_KEY, api_base=server.base_url))
    assert "..." in str(info.value) or padding < 40  # the quote was cut where the key stood
    assert_hidden(str(info.value), AZURE_KEY)

"""Hostile ids and header values: an id stays one path segment, a line break never reaches the wire.

tests/test_execution.py covers the basic cases ('/', '?#', a space, '..' as a thread, 'é', '%2F');
these are the ones it lacks. The raw request target the server recorded is the evidence.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest

import pyopenai_ps as ps
from pyopenai_ps import (
    APIRequestError,
    ConfigurationError,
    NotFoundError,
    ParameterBindingError,
)

RUNS = "/v1/threads/thread_abc123/runs"


def _segment(value: str) -> str:
    encoded = quote(value, safe="")
    return encoded.replace(".", "%2E") if encoded.strip(".") == "" else encoded


def _run_segment(api) -> str:
    (request,) = api.requests
    prefix = RUNS + "/"
    assert request.path.startswith(prefix)
    return request.path[len(prefix):]


RUN_IDS = [
    "run_a\r\nX-Injected: 1",  # CRLF inside an id: header injection through the request line
    "run_a\nGET /v1/assistants HTTP/1.1",  # a second request smuggled after a LF
    "run_a\r\n\r\nGET /v1/assistants HTTP/1.1\r\n",
    "run_%2F..%2F..%2Fassistants",  # already encoded: must be encoded again, not passed through
    "%2E%2E",
    "run_%00",
    "..",  # '..' alone as the run id: would climb to the thread
    ".",
    "...",
    "./..",
    "../../../v1/assistants",
    "run_a#fragment",
    "run_a?limit=1&order=desc",
    "run a\tb\x0bc",
    "run_\x00nul",
    "run_\u202etxt.exe",  # right-to-left override
    "run_\U0001F600\u00e9\u0301",  # emoji, combining accent
    "run_\u3000\u00a0",  # ideographic and no-break spaces
    "run_\\..\\..\\windows",
    "run_;jsessionid=1",
    "run_+plus&amp=1",
    "run_" + "x" * 4000,  # very long, still one segment
]


@pytest.mark.parametrize("run_id", RUN_IDS, ids=range(len(RUN_IDS)))
def test_a_run_id_stays_one_path_segment(api, run_id):
    with pytest.raises(NotFoundError):
        ps.get_thread_run("thread_abc123", run_id=run_id)
    segment = _run_segment(api)
    assert segment == _segment(run_id)
    assert "/" not in segment and unquote(segment) == run_id
    (request,) = api.requests
    assert request.query == {} and "x-injected" not in request.headers
    assert set(request.target) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/")


@pytest.mark.parametrize("thread", ["thread_a\r\nX-Injected: 1", "thread_%2F..", "thread_x/runs/run_abc123",
                                    "thread_" + "y" * 4000])
def test_a_thread_id_stays_one_path_segment(api, thread):
    with pytest.raises(NotFoundError):
        ps.invoke("Get-ThreadRun -All", input=[thread])
    (request,) = api.requests
    head, _, tail = request.path.partition("/v1/threads/")
    assert head == "" and tail == _segment(thread) + "/runs"
    assert "x-injected" not in request.headers


def test_ids_read_from_objects_are_encoded_too(api):
    """A thread or run object with a hostile id (say, from a compromised server) cannot redirect the call."""
    evil_run = {"id": "run_x/../../../assistants", "thread_id": "thread_abc123\r\nX-Injected: 1"}
    errors: list = []
    ps.get_command("Get-ThreadRun").pipe([evil_run], error_action="SilentlyContinue", error_variable=errors)
    (request,) = api.requests
    assert request.path == "/v1/threads/thread_abc123%0D%0AX-Injected%3A%201/runs/run_x%2F..%2F..%2F..%2Fassistants"
    assert [type(e) for e in errors] == [NotFoundError]


def test_a_line_builds_the_same_segment_as_python(api):
    with pytest.raises(NotFoundError):
        ps.invoke("Get-ThreadRun -Thread thread_abc123 -RunId \"run_a`r`nX-Injected: 1/..\"")
    assert api.requests[0].path == RUNS + "/run_a%0D%0AX-Injected%3A%201%2F.."


def test_an_id_too_long_for_the_server_is_a_clean_api_error(api):
    """70 000 characters: the server refuses the request line (414); the client reports it, nothing else."""
    with pytest.raises(APIRequestError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_" + "z" * 70000)
    assert info.value.status_code == 414
    assert all(len(text) < 5000 for text in (str(info.value), repr(info.value)))


@pytest.mark.parametrize("run_id", ["\ud800", "run_\udcff"])
def test_an_id_that_cannot_be_encoded_is_a_package_error_before_sending(api, run_id):
    """A lone surrogate (what surrogateescape makes of invalid UTF-8 in argv) cannot be percent-encoded."""
    with pytest.raises(ConfigurationError):
        ps.get_thread_run("thread_abc123", run_id=run_id)
    assert api.requests == []


@pytest.mark.parametrize("kwargs", [{"all": True, "after": "run_\udcff"},
                                    {"additional_query": {"x": "\ud800"}},
                                    {"additional_query": {"\ud800": "x"}}])
def test_a_query_value_that_cannot_be_encoded_is_a_package_error_before_sending(api, kwargs):
    with pytest.raises(ConfigurationError):
        ps.get_thread_run("thread_abc123", **kwargs)
    assert api.requests == []


def test_query_values_cannot_add_parameters(api):
    api.store.add_runs("thread_big", 3)
    ps.get_thread_run("thread_big", all=True, after="run_x&limit=1&order=desc#", error_action="SilentlyContinue")
    (request,) = api.requests
    assert request.query == {"limit": ["100"], "order": ["asc"], "after": ["run_x&limit=1&order=desc#"]}


def test_additional_query_names_and_values_are_encoded(api):
    ps.get_thread_run("thread_abc123", additional_query={"a&limit=1": "b\r\nX-Injected: 1", "c": "d#e"})
    (request,) = api.requests
    assert request.query["a&limit=1"] == ["b\r\nX-Injected: 1"] and request.query["c"] == ["d#e"]
    assert request.query["limit"] == ["20"] and "x-injected" not in request.headers


# --- header values ------------------------------------------------------------------------------------

BAD_VALUES = ["org-1\r\nX-Injected: 1", "org-1\rX-Injected: 1", "org-1\nX-Injected: 1", "org-1\x00",
              "\r\n", "org-1\r\n\r\nGET / HTTP/1.1"]


@pytest.mark.parametrize("value", BAD_VALUES, ids=range(len(BAD_VALUES)))
@pytest.mark.parametrize("where", ["parameter", "global", "environment", "line", "additional header"])
def test_line_breaks_in_headers_are_refused_before_sending(api, monkeypatch, where, value):
    call = {"thread_id": "thread_abc123", "run_id": "run_abc123"}
    if where == "parameter":
        run = lambda: ps.get_thread_run(organization=value, **call)
    elif where == "global":
        monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", value, raising=False)
        run = lambda: ps.get_thread_run(**call)
    elif where == "environment":
        monkeypatch.setenv("OPENAI_ORGANIZATION", value.replace("\x00", "\r"))  # the environment has no NUL
        run = lambda: ps.get_thread_run(**call)
    elif where == "line":
        escaped = value.replace("\r", "`r").replace("\n", "`n").replace("\x00", "`0")
        run = lambda: ps.invoke(f'Get-ThreadRun thread_abc123 -RunId run_abc123 -OrgId "{escaped}"')
    else:
        run = lambda: ps.get_thread_run(additional_headers={"X-Trace": value}, **call)
    sent = value.replace("\x00", "\r") if where == "environment" else value
    if where != "additional header" and not any(c in sent.strip() for c in "\r\n\x00"):
        # The organization is trimmed, as PSOpenAI trims it: line breaks at its ends never reach a header.
        run()
        (request,) = api.requests
        assert request.headers.get("openai-organization") == (sent.strip() or None)
        return
    with pytest.raises(ConfigurationError) as info:
        run()
    assert api.requests == []
    assert "X-Injected" not in str(info.value)  # the refused value is not echoed


@pytest.mark.parametrize("name", BAD_VALUES, ids=range(len(BAD_VALUES)))
def test_line_breaks_in_header_names_are_refused_before_sending(api, name):
    with pytest.raises(ConfigurationError):
        ps.get_thread_run("thread_abc123", run_id="run_abc123", additional_headers={name: "1"})
    assert api.requests == []


@pytest.mark.parametrize("name", BAD_VALUES, ids=range(len(BAD_VALUES)))
def test_a_refused_header_name_is_shown_without_raw_line_breaks(api, name):
    """The name is echoed escaped (\\r \\n \\x00), so the message cannot forge a line of its own."""
    with pytest.raises(ConfigurationError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123", additional_headers={name: "1"})
    assert not any(ch in str(info.value) for ch in "\r\n\x00")


def test_a_framing_header_cannot_make_a_call_hang(api):
    with pytest.raises(ConfigurationError):
        ps.get_thread_run("thread_abc123", run_id="run_abc123", timeout_sec=1,
                          additional_headers={"Content-Length": "5"})
    assert api.requests == []


def test_header_refusal_holds_under_continue_and_for_every_record(api):
    """A refused header is a configuration error: it stops the pipeline even under SilentlyContinue,
    and no record got through before it."""
    with pytest.raises(ConfigurationError):
        ps.get_command("Get-ThreadRun").pipe(["thread_abc123", "thread_abc456"], error_action="SilentlyContinue",
                                             additional_headers={"X-A": "1\r\n2"})
    assert api.requests == []


def test_a_line_break_in_the_api_base_is_encoded_not_sent_raw(api):
    with pytest.raises(APIRequestError):
        ps.get_thread_run("thread_abc123", run_id="run_abc123", api_base=api.base_url + "\r\nX-Injected: 1")
    (request,) = api.requests
    assert request.path.startswith("/v1%0D%0AX-Injected:%201/") and "x-injected" not in request.headers


@pytest.mark.parametrize("base", ["javascript:alert(1)", "file:///etc/passwd", "ftp://127.0.0.1/v1", "http:///v1",
                                  "http://[::1/v1", "//127.0.0.1/v1"])
def test_api_bases_that_are_not_http_urls_are_refused_while_binding(api, base):
    with pytest.raises(ParameterBindingError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123", api_base=base)
    assert info.value.error_id == "ParameterArgumentTransformationError"

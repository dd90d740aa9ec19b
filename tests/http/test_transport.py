"""The transport over real sockets, against the bundled LocalServer."""

from __future__ import annotations

import json
import logging
import socket
import threading

import pytest
import urllib3

from pyopenai_ps.http import Transport
from pyopenai_ps.http import transport
from pyopenai_ps.runtime.settings import current_transport
from pyopenai_ps.errors import (
    APIConnectionError,
    APIRequestError,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    ContentFilteredError,
    NotFoundError,
    QuotaLimitExceededError,
    RateLimitExceededError,
    ResponseFormatError,
    UnauthorizedError,
)
from pyopenai_ps.secure import SecureString
from pyopenai_ps.server import Fault
from pyopenai_ps.http import HTTPResult, RetryEvent, error_for_response


def send(*args, **kwargs):
    """One call through the transport the package is configured with (the fixtures' recorder sleeps)."""
    return current_transport().send(*args, **kwargs)

KEY = "sk-transport-test-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"}
RUN_PATH = "/threads/thread_abc123/runs/run_abc123"


@pytest.fixture
def server(reset_server):
    return reset_server


@pytest.fixture
def url(server):
    return server.base_url + RUN_PATH


@pytest.fixture(autouse=True)
def delays(recorded_sleeps):
    return recorded_sleeps


def _raises(exc_type, url, **kw):
    with pytest.raises(exc_type) as info:
        send("GET", url, headers=HEADERS, **kw)
    return info.value


# --- success ---------------------------------------------------------------------------------


def test_success_returns_result(server, url):
    result = send("GET", url, headers=HEADERS)
    assert isinstance(result, HTTPResult)
    assert (result.status, result.reason, result.attempts) == (200, "OK", 1)
    assert result.json()["id"] == "run_abc123"
    assert result.request_id and result.request_id == server.requests[0].request_id
    assert result.headers["X-REQUEST-ID"] == result.request_id  # case-insensitive
    assert result.elapsed >= 0
    assert KEY not in repr(result)
    sent = server.requests[0]
    assert sent.method == "GET" and sent.path == "/v1" + RUN_PATH
    assert sent.headers["authorization"] == f"Bearer {KEY}"


def test_keep_alive_reuses_connection(server, url):
    send("GET", url, headers=HEADERS)
    send("GET", server.base_url + "/threads/thread_abc123/runs", headers=HEADERS)
    first, second = server.requests
    assert first.connection_id == second.connection_id


def test_pool_manager_is_one_per_transport():
    own = Transport()
    pool = own.pool_manager
    assert pool is own.pool_manager and pool is not Transport().pool_manager
    assert isinstance(pool, urllib3.PoolManager)
    assert pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"
    assert pool.connection_pool_kw["maxsize"] == transport.POOL_MAXSIZE
    assert pool.connection_pool_kw["block"] is False
    assert pool.connection_pool_kw["retries"].total is False


def test_secure_string_header_value_is_revealed_only_on_the_wire(server, url):
    secure = {"Authorization": SecureString(f"Bearer {KEY}"), "OpenAI-Beta": "assistants=v2"}
    send("GET", url, headers=secure)
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_threads_share_the_pool(server, url):
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            for _ in range(5):
                r = send("GET", url, headers=HEADERS, timeout=5)
                with lock:
                    results.append(r.status)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    assert results == [200] * 40
    assert len(server.requests) == 40
    assert len({r.connection_id for r in server.requests}) <= 8  # connections were reused


# --- status -> exception -----------------------------------------------------------------------

ERROR_CASES = [
    (400, None, None, BadRequestError),
    (400, "content_filter", None, ContentFilteredError),
    (401, "invalid_api_key", None, UnauthorizedError),
    (404, None, None, NotFoundError),
    (429, "rate_limit_exceeded", None, RateLimitExceededError),
    (429, "insufficient_quota", None, QuotaLimitExceededError),
    (429, "rate_limit_exceeded", "You exceeded your current QUOTA.", QuotaLimitExceededError),
    (403, None, None, APIRequestError),
    (409, None, None, APIRequestError),
    (500, None, None, APIRequestError),
    (503, None, None, APIRequestError),
]


@pytest.mark.parametrize("status,code,message,exc_type", ERROR_CASES)
def test_status_maps_to_exception(server, url, status, code, message, exc_type):
    message = message or f"Injected message for {status}."
    server.inject(Fault.status(status, body={"error": {"message": message, "type": "t_" + str(status),
                                                        "param": "p1", "code": code}}))
    err = _raises(exc_type, url)
    assert type(err) is exc_type
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
               503: "Service Unavailable"}
    assert str(err) == f"OpenAI API returned an {status} ({reasons[status]}) Error: {message}"
    assert err.status_code == status and err.reason == reasons[status]
    assert (err.error_type, err.error_code, err.error_param, err.error_message) == (
        "t_" + str(status), code, "p1", message)
    assert err.request_id == server.requests[-1].request_id and err.request_id.startswith("req_")
    assert err.body == {"error": {"message": message, "type": "t_" + str(status), "param": "p1", "code": code}}


def test_non_json_error_body_uses_excerpt(server, url):
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>" + "x" * 400 + "</h1></body></html>"
    server.inject(Fault.status(502, body=page, headers={"Content-Type": "text/html"}))
    err = _raises(APIRequestError, url)
    prefix = "OpenAI API returned an 502 (Bad Gateway) Error: 502 Bad Gateway "
    assert str(err).startswith(prefix)
    assert len(str(err)) - len("OpenAI API returned an 502 (Bad Gateway) Error: ") <= 200
    assert err.body is None and err.error_message is None and err.error_code is None


def test_empty_error_body(server, url):
    server.inject(Fault.status(500, body=b""))
    err = _raises(APIRequestError, url)
    assert str(err) == "OpenAI API returned an 500 (Internal Server Error) Error"
    assert err.body is None


def test_redirect_is_not_followed(server, url):
    server.inject(Fault.status(302, headers={"Location": "/v1/threads/thread_abc456"}, body=b""))
    err = _raises(APIRequestError, url, max_retries=3)
    assert err.status_code == 302 and err.reason == "Found"
    assert len(server.requests) == 1


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"error": 5}', b'{"error": "plain text"}',
                                  b"\xff\xfe\x00", b'{"error": {"message": null, "code": 42}}'])
def test_error_for_response_tolerates_any_body(body):
    err = error_for_response(404, "", {}, body, None)
    assert isinstance(err, NotFoundError)
    assert str(err).startswith("OpenAI API returned an 404 (Not Found) Error")
    if body == b'{"error": "plain text"}':
        assert err.error_message == "plain text"
    if body.startswith(b'{"error": {'):
        assert err.error_code == "42" and err.body == {"error": {"message": None, "code": 42}}


def test_error_for_response_reason_and_request_id_from_headers():
    err = error_for_response(429, "", {"x-request-id": "req_1"}, b'{"error": {"message": "slow"}}', None)
    assert str(err) == "OpenAI API returned an 429 (Too Many Requests) Error: slow"
    assert err.request_id == "req_1" and err.reason == "Too Many Requests"
    custom = error_for_response(400, "Nope", {}, b"", "req_2")
    assert str(custom) == "OpenAI API returned an 400 (Nope) Error" and custom.request_id == "req_2"


# --- invalid and broken answers ---------------------------------------------------------------------


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_invalid_json_is_a_format_error_not_retried(server, url, max_retries):
    server.inject(Fault.invalid_json(), times=5)
    result = send("GET", url, headers=HEADERS, max_retries=max_retries)
    assert result.status == 200 and result.attempts == 1
    with pytest.raises(ResponseFormatError) as info:
        result.json()
    assert info.value.status_code == 200 and info.value.request_id == result.request_id
    assert not isinstance(info.value, json.JSONDecodeError)
    assert len(server.requests) == 1


def test_body_not_utf8_is_a_format_error(server, url):
    server.inject(Fault.invalid_json(body=b'{"a": "\xff\xfe"}'))
    result = send("GET", url, headers=HEADERS)
    with pytest.raises(ResponseFormatError, match="not UTF-8"):
        result.json()


@pytest.mark.parametrize("max_retries", [0, 1, 3])
@pytest.mark.parametrize("fault,reason", [(Fault.drop(), "connection dropped"),
                                          (Fault.truncated(), "truncated response")])
def test_broken_connection_retried_then_connection_error(server, url, delays, fault, reason, max_retries):
    server.inject(fault, times=max_retries + 1)
    events: list[RetryEvent] = []
    err = _raises(APIConnectionError, url, max_retries=max_retries, on_retry=events.append)
    assert not isinstance(err, APITimeoutError)
    assert len(server.requests) == max_retries + 1
    assert err.url == url and reason in str(err) and f"{max_retries + 1} attempt" in str(err)
    assert [e.reason for e in events] == [reason] * max_retries
    assert [e.status for e in events] == [None] * max_retries
    assert delays == [2.0 ** n for n in range(1, max_retries + 1)]


def test_broken_connection_then_success(server, url):
    server.inject(Fault.drop(), Fault.truncated())
    result = send("GET", url, headers=HEADERS, max_retries=3)
    assert result.attempts == 3 and result.json()["id"] == "run_abc123"
    assert len(server.requests) == 3


def test_dropped_post_is_not_retried(server):
    server.inject(Fault.drop(), times=3)
    with pytest.raises(APIConnectionError):
        send("POST", server.base_url + "/threads/thread_abc123/runs", headers=HEADERS, max_retries=2,
             body=b"{}")
    assert len(server.requests) == 1


def test_connection_refused_is_retried_then_connection_error(delays):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    events: list[RetryEvent] = []
    with pytest.raises(APIConnectionError) as info:
        send("POST", f"http://127.0.0.1:{port}/v1/threads", headers=HEADERS, max_retries=2,
             on_retry=events.append, timeout=2)
    assert not isinstance(info.value, APITimeoutError)
    assert [e.reason for e in events] == ["connection failed"] * 2
    assert "3 attempts" in str(info.value)


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_read_timeout(server, url, delays, max_retries):
    server.inject(Fault.delay(0.5), times=max_retries + 1)
    events: list[RetryEvent] = []
    err = _raises(APITimeoutError, url, timeout=0.15, max_retries=max_retries, on_retry=events.append)
    assert err.timeout == 0.15 and err.url == url
    assert len(server.requests) == max_retries + 1
    assert [e.reason for e in events] == ["read timeout"] * max_retries
    assert len(delays) == max_retries


def test_timeout_not_reached(server, url):
    server.inject(Fault.delay(0.05))
    assert send("GET", url, headers=HEADERS, timeout=2).status == 200


# --- refusing bad input before sending ------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\r", "\n", "\0", "\r\nX-Injected: 1", "\u20ac"])
def test_header_value_with_control_characters_is_refused(server, url, bad):
    value = f"Bearer {KEY}{bad}"
    with pytest.raises(ConfigurationError) as info:
        send("GET", url, headers={"Authorization": value, "OpenAI-Beta": "assistants=v2"})
    err = info.value
    assert "'Authorization'" in str(err) and err.setting == "Authorization"
    assert KEY not in str(err) and KEY not in repr(err) and "Bearer" not in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert server.requests == []


@pytest.mark.parametrize("name", ["X-Bad\r\nInjected", "X-Bad\n", "X-N\0ul", "", "With Space", "Colon:"])
def test_bad_header_name_is_refused(server, url, name):
    with pytest.raises(ConfigurationError) as info:
        send("GET", url, headers={**HEADERS, name: "v"})
    assert "\r" not in str(info.value) and "\n" not in str(info.value)
    assert server.requests == []


def test_other_header_value_refused_without_echo(server, url):
    with pytest.raises(ConfigurationError) as info:
        send("GET", url, headers={**HEADERS, "X-Custom": "secret-value\nmore"})
    assert "'X-Custom'" in str(info.value) and "secret-value" not in str(info.value)
    assert server.requests == []


@pytest.mark.parametrize("kw", [{"max_retries": -1}, {"max_retries": 101}, {"max_retries": True},
                                {"timeout": -1}, {"timeout": float("nan")}])
def test_bad_settings_refused(server, url, kw):
    with pytest.raises(ConfigurationError):
        send("GET", url, headers=HEADERS, **kw)
    assert server.requests == []


@pytest.mark.parametrize("bad_url", ["ftp://example.com/v1", "/v1/threads", "http://"])
def test_bad_url_refused(bad_url):
    with pytest.raises(ConfigurationError):
        send("GET", bad_url, headers=HEADERS)


# --- the key never leaks --------------------------------------------------------------------------------


def _texts(err: BaseException) -> list[str]:
    """str, repr and every attribute (recursively through the cause chain)."""
    out: list[str] = []
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        out += [str(err), repr(err)]
        out += [repr(v) for v in vars(err).values()]
        out += [repr(a) for a in err.args]
        err = err.__cause__ or err.__context__
    return out


def test_key_never_in_errors_or_logs(server, url, caplog):
    caplog.set_level(logging.DEBUG)
    key_echo = {"error": {"message": f"Incorrect API key provided: {KEY}. Bearer {KEY}",
                          "type": "invalid_request_error", "param": KEY, "code": "invalid_api_key"}}
    server.inject(Fault.status(401, body=key_echo))
    server.inject(Fault.status(500, headers={"retry-after-ms": "1"}), Fault.drop(), Fault.truncated(),
                  Fault.status(500))
    server.inject(Fault.delay(0.5))
    caught = [
        _raises(UnauthorizedError, url),
        _raises(APIRequestError, url, max_retries=3),
        _raises(APITimeoutError, url, timeout=0.2),
    ]
    with pytest.raises(ConfigurationError) as info:
        send("GET", url, headers={"Authorization": f"Bearer {KEY}\n"})
    caught.append(info.value)
    for err in caught:
        for text in _texts(err):
            assert KEY not in text
    unauthorized = caught[0]
    assert unauthorized.error_message.startswith("Incorrect API key provided: sk-tra")
    assert unauthorized.error_code == "invalid_api_key"
    assert KEY not in json.dumps(unauthorized.body)
    assert KEY not in caplog.text
    assert "Retry 1 of GET" in caplog.text

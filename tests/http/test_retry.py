"""The retry policy: which answers are retried, how often, and how long it waits."""

from __future__ import annotations

import email.utils
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from pyopenai_ps.http import Transport, retry
from pyopenai_ps.runtime.settings import current_transport
from pyopenai_ps.errors import (
    APIRequestError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    QuotaLimitExceededError,
    RateLimitExceededError,
    UnauthorizedError,
)
from pyopenai_ps.http.retry import (
    BACKOFF_CAP,
    RetryEvent,
    RetryPolicy,
    backoff_delay,
    describe_error,
    error_fields,
    header_delay,
    should_retry_response,
)
from pyopenai_ps.server import Fault


def send(*args, **kwargs):
    """One call through the transport the package is configured with (the fixtures' recorder sleeps)."""
    return current_transport().send(*args, **kwargs)

HEADERS = {"Authorization": "Bearer sk-retry-test-key-0123456789", "OpenAI-Beta": "assistants=v2"}
RUN_PATH = "/threads/thread_abc123/runs/run_abc123"
COUNTS = [0, 1, 3]


@pytest.fixture
def server(reset_server):
    return reset_server


@pytest.fixture
def url(server):
    return server.base_url + RUN_PATH


@pytest.fixture(autouse=True)
def delays(recorded_sleeps):
    return recorded_sleeps


def _http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


def _fail(exc_type, url, n, events=None, method="GET"):
    with pytest.raises(exc_type) as info:
        hook = events.append if events is not None else None
        send(method, url, headers=HEADERS, max_retries=n, on_retry=hook)
    return info.value


# --- 429 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", COUNTS)
def test_429_retry_after_ms(server, url, delays, n):
    server.inject(Fault.status(429, headers={"retry-after-ms": "5"}), times=n + 1)
    events: list[RetryEvent] = []
    err = _fail(RateLimitExceededError, url, n, events)
    assert type(err) is RateLimitExceededError
    assert len(server.requests) == n + 1
    assert delays == [0.005] * n
    assert events == [RetryEvent(i, 0.005, "429 Too Many Requests", 429) for i in range(1, n + 1)]


@pytest.mark.parametrize("n", COUNTS)
def test_429_retry_after_seconds(server, url, delays, n):
    server.inject(Fault.status(429, headers={"retry-after": "7"}), times=n + 1)
    _fail(RateLimitExceededError, url, n)
    assert len(server.requests) == n + 1
    assert delays == [7.0] * n


@pytest.mark.parametrize("n", COUNTS)
def test_429_retry_after_http_date(server, url, delays, n):
    server.inject(Fault.status(429, headers={"retry-after": _http_date(10)}), times=n + 1)
    _fail(RateLimitExceededError, url, n)
    assert len(server.requests) == n + 1
    assert len(delays) == n and all(8 < d <= 10 for d in delays)


@pytest.mark.parametrize("n", COUNTS)
def test_429_retry_after_over_60_uses_backoff(server, url, delays, n):
    server.inject(Fault.status(429, headers={"retry-after": "120", "retry-after-ms": "61000"}), times=n + 1)
    _fail(RateLimitExceededError, url, n)
    assert len(server.requests) == n + 1
    assert delays == [2.0 ** i for i in range(1, n + 1)]


def test_retry_after_ms_wins_over_seconds(server, url, delays):
    server.inject(Fault.status(429, headers={"retry-after-ms": "250", "retry-after": "9"}))
    assert send("GET", url, headers=HEADERS, max_retries=1).attempts == 2
    assert delays == [0.25]


@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize("fault", [Fault.status(429, code_field="insufficient_quota"),
                                   Fault.status(429, message="You exceeded your current quota.")])
def test_quota_429_is_not_retried(server, url, delays, n, fault):
    server.inject(fault, times=n + 1)
    events: list[RetryEvent] = []
    _fail(QuotaLimitExceededError, url, n, events)
    assert len(server.requests) == 1
    assert delays == [] and events == []


# --- 5xx and other statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize("status,reason", [(500, "Internal Server Error"), (502, "Bad Gateway"),
                                           (503, "Service Unavailable"), (504, "Gateway Timeout")])
def test_5xx_retried_with_backoff(server, url, delays, n, status, reason):
    server.inject(Fault.status(status), times=n + 1)
    events: list[RetryEvent] = []
    err = _fail(APIRequestError, url, n, events)
    assert err.status_code == status
    assert len(server.requests) == n + 1
    assert delays == [2.0 ** i for i in range(1, n + 1)]
    assert [(e.attempt, e.reason, e.status) for e in events] == [(i, f"{status} {reason}", status)
                                                                 for i in range(1, n + 1)]


@pytest.mark.parametrize("status,exc_type", [(400, BadRequestError), (401, UnauthorizedError),
                                             (404, NotFoundError), (409, APIRequestError)])
def test_other_4xx_not_retried(server, url, delays, status, exc_type):
    server.inject(Fault.status(status), times=4)
    _fail(exc_type, url, 3)
    assert len(server.requests) == 1 and delays == []


@pytest.mark.parametrize("n", COUNTS)
def test_x_should_retry_true_on_400(server, url, delays, n):
    server.inject(Fault.status(400, headers={"x-should-retry": "true"}), times=n + 1)
    _fail(BadRequestError, url, n)
    assert len(server.requests) == n + 1
    assert len(delays) == n


@pytest.mark.parametrize("n", COUNTS)
def test_x_should_retry_false_on_500(server, url, delays, n):
    server.inject(Fault.status(500, headers={"x-should-retry": "false"}), times=n + 1)
    _fail(APIRequestError, url, n)
    assert len(server.requests) == 1 and delays == []


def test_x_should_retry_true_overrides_quota(server, url):
    server.inject(Fault.status(429, headers={"X-Should-Retry": "TRUE", "retry-after-ms": "1"},
                               code_field="insufficient_quota"))
    assert send("GET", url, headers=HEADERS, max_retries=2).attempts == 2


def test_retry_then_success(server, url, delays):
    server.inject(Fault.status(503), Fault.status(429, headers={"retry-after": "1"}))
    events: list[RetryEvent] = []
    result = send("GET", url, headers=HEADERS, max_retries=3, on_retry=events.append)
    assert result.status == 200 and result.attempts == 3
    assert result.json()["id"] == "run_abc123"
    assert [(e.attempt, e.delay, e.status) for e in events] == [(1, 2.0, 503), (2, 1.0, 429)]
    assert delays == [2.0, 1.0]
    # The error answers were drained, so the connection went back to the pool and was reused.
    assert len({r.connection_id for r in server.requests}) == 1


def test_status_and_connection_retries_share_one_budget(server, url, delays):
    server.inject(Fault.status(429, headers={"retry-after-ms": "5"}), Fault.drop(), Fault.status(500),
                  Fault.status(502))
    events: list[RetryEvent] = []
    err = _fail(APIRequestError, url, 2, events)
    assert err.status_code == 500
    assert len(server.requests) == 3
    assert [e.reason for e in events] == ["429 Too Many Requests", "connection dropped"]
    assert delays == [0.005, 4.0]  # the dropped connection was retry 2, so 2**2


def test_post_is_retried_on_status(server, delays):
    server.inject(Fault.status(429, headers={"retry-after-ms": "5"}), times=3)
    with pytest.raises(RateLimitExceededError):
        send("POST", server.base_url + "/threads/thread_abc123/runs", headers=HEADERS, max_retries=2,
             body=b"{}")
    assert len(server.requests) == 3 and all(r.method == "POST" for r in server.requests)


def test_backoff_jitter_and_cap(server, url, delays, transport_with):
    server.inject(Fault.status(500), times=9)
    _fail(APIRequestError, url, 8)
    assert delays == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 129.0]
    delays.clear()
    transport_with(sleeper=delays.append, jitter=lambda: 1.2)
    server.inject(Fault.status(500), times=3)
    _fail(APIRequestError, url, 2)
    assert delays == pytest.approx([2.4, 4.8])


def test_on_retry_called_before_each_sleep(server, url, transport_with):
    order: list[str] = []
    transport_with(sleeper=lambda s: order.append(f"sleep {s}"))
    server.inject(Fault.status(429, headers={"retry-after-ms": "5"}), times=2)
    send("GET", url, headers=HEADERS, max_retries=2, on_retry=lambda e: order.append(f"event {e.attempt}"))
    assert order == ["event 1", "sleep 0.005", "event 2", "sleep 0.005"]


# --- the delay rules, directly -----------------------------------------------------------------------


@pytest.mark.parametrize("headers,expected", [
    ({"retry-after-ms": "5"}, 0.005),
    ({"retry-after-ms": " 1500.5 "}, 1.5005),
    ({"retry-after-ms": "60000"}, 60.0),
    ({"retry-after-ms": "abc", "retry-after": "3"}, 3.0),
    ({"retry-after-ms": "0", "retry-after": "3"}, 3.0),
    ({"retry-after-ms": "-5", "retry-after": "3"}, 3.0),
    ({"retry-after-ms": "nan", "retry-after": "3"}, 3.0),
    ({"retry-after-ms": "inf"}, None),
    ({"retry-after": "0.5"}, 0.5),
    ({"retry-after": "60"}, 60.0),
    ({"retry-after": "61"}, None),
    ({"retry-after": "0"}, None),
    ({"retry-after": "soon"}, None),
    ({}, None),
])
def test_header_delay(headers, expected):
    assert header_delay(headers) == (pytest.approx(expected) if expected is not None else None)


def test_header_delay_http_date():
    now = 1_700_000_000.0
    assert header_delay({"retry-after": email.utils.formatdate(now + 30, usegmt=True)}, now=now) == 30
    assert header_delay({"retry-after": email.utils.formatdate(now - 30, usegmt=True)}, now=now) is None
    assert header_delay({"retry-after": email.utils.formatdate(now + 90, usegmt=True)}, now=now) is None


def test_backoff_delay():
    assert [backoff_delay(n, 1.0) for n in (1, 2, 3, 7, 8, 100)] == [2, 4, 8, 128, 129, 129]
    assert backoff_delay(1, 0.8) == pytest.approx(1.6)
    assert backoff_delay(3, 1.2) == pytest.approx(9.6)


@given(st.dictionaries(st.sampled_from(["retry-after", "retry-after-ms"]), st.text(max_size=40)))
@settings(max_examples=200, deadline=None)
def test_header_delay_is_none_or_within_limits(headers):
    delay = header_delay(headers)
    assert delay is None or 0 < delay <= 60


@given(st.integers(min_value=0, max_value=100), st.floats(min_value=0.8, max_value=1.2))
def test_backoff_never_exceeds_cap(n, factor):
    assert 0 <= backoff_delay(n, factor) <= BACKOFF_CAP


@given(st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_error_fields_tolerates_any_bytes(body):
    parsed, fields = error_fields(body)
    assert set(fields) == {"type", "code", "param", "message"}
    assert all(v is None or isinstance(v, str) for v in fields.values())


@pytest.mark.parametrize("status,headers,body,expected", [
    (429, {}, b'{"error": {"code": "rate_limit_exceeded"}}', True),
    (429, {}, b'{"error": {"code": "insufficient_quota"}}', False),
    (429, {}, b'{"error": {"message": "Quota exceeded"}}', False),
    (429, {}, b"<html>busy</html>", True),
    (500, {}, b"", True),
    (599, {}, b"", True),
    (400, {}, b"", False),
    (404, {"x-should-retry": "true"}, b"", True),
    (503, {"x-should-retry": "false"}, b"", False),
    (503, {"x-should-retry": "maybe"}, b"", True),
])
def test_should_retry_response(status, headers, body, expected):
    assert should_retry_response(status, headers, body) is expected


# --- the policy object ------------------------------------------------------------------------------------


def test_policy_is_a_urllib3_retry_and_new_keeps_fields():
    def hook(event):
        return None

    policy = RetryPolicy.for_count(3, on_retry=hook)
    assert isinstance(policy, Retry)
    assert policy.total == 3 and policy.raise_on_status is False and policy.redirect == 0
    copy = policy.new(total=1)
    assert isinstance(copy, RetryPolicy) and copy.on_retry is hook and copy.total == 1
    after = policy.increment("GET", "/x", error=ProtocolError("Connection aborted.", OSError()))
    assert isinstance(after, RetryPolicy) and after.on_retry is hook
    assert (after.total, after.retries_made) == (2, 1)
    assert (policy.total, policy.retries_made) == (3, 0)  # the original is untouched


def test_policy_exhausts_after_total():
    policy = RetryPolicy.for_count(1)
    policy = policy.increment("GET", "/x", error=ReadTimeoutError(None, "/x", "slow"))
    with pytest.raises(MaxRetryError):
        policy.increment("GET", "/x", error=ReadTimeoutError(None, "/x", "slow"))


def test_read_errors_are_not_retried_for_post():
    with pytest.raises(ProtocolError):
        RetryPolicy.for_count(3).increment("POST", "/x", error=ProtocolError("Connection aborted.", OSError()))


def test_is_retry_defers_to_increment():
    policy = RetryPolicy.for_count(2)
    assert policy.is_retry("GET", 400) and policy.is_retry("POST", 500)
    assert not policy.is_retry("GET", 200) and not policy.is_retry("GET", 302)
    assert not RetryPolicy.for_count(0).is_retry("GET", 500)


def test_a_transport_sleeps_through_its_own_sleeper_and_jitter(server, url):
    seen: list[float] = []
    own = Transport(sleeper=seen.append, jitter=lambda: 1.0)
    server.inject(Fault.status(500), times=2)
    assert own.send("GET", url, headers=HEADERS, max_retries=2).status == 200
    assert seen == [2.0, 4.0]


def test_injected_sleeper_and_jitter():
    seen: list[float] = []
    events: list[RetryEvent] = []
    policy = RetryPolicy.for_count(2, on_retry=events.append, sleeper=seen.append, jitter=lambda: 0.8)
    policy.increment("GET", "/x", error=NewConnectionError(None, "refused")).sleep()
    assert seen == [pytest.approx(1.6)]
    assert events == [RetryEvent(1, pytest.approx(1.6), "connection failed", None)]


@pytest.mark.parametrize("bad", [-1, 101, 1.0, True, "3", None])
def test_for_count_validates(bad):
    with pytest.raises(ConfigurationError) as info:
        RetryPolicy.for_count(bad)
    assert info.value.setting == "max_retries"


@pytest.mark.parametrize("error,expected", [
    (ReadTimeoutError(None, "/x", "slow"), "read timeout"),
    (ConnectTimeoutError("slow"), "connect timeout"),
    (NewConnectionError(None, "refused"), "connection failed"),
    (ProtocolError("Connection aborted.", ConnectionResetError()), "connection dropped"),
    (MaxRetryError(None, "/x", ReadTimeoutError(None, "/x", "slow")), "read timeout"),
    (ValueError("x"), "connection error"),
])
def test_describe_error(error, expected):
    assert describe_error(error) == expected


def test_describe_error_truncated():
    import http.client

    broken = ProtocolError("Connection broken", http.client.IncompleteRead(b"ab", 10))
    assert describe_error(broken) == "truncated response"


def test_retry_module_exports_event_shared_with_transport():
    from pyopenai_ps import http

    assert http.RetryEvent is retry.RetryEvent

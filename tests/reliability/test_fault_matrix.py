"""Every fault the bundled server can play, crossed with -MaxRetryCount 0, 1 and 3, at the cmdlet level.

For each (fault, count): the exact number of attempts the server saw, the exact exception type,
the delays slept (``transport.sleep`` is a recorder, the jitter is 1.0), and, during ``-All``,
that a page retried in the middle of a listing is neither repeated nor skipped in the output.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from reliability_helpers import afters, backoff

import pyopenai_ps as ps
from pyopenai_ps import (
    APIConnectionError,
    APIRequestError,
    APITimeoutError,
    BadRequestError,
    QuotaLimitExceededError,
    RateLimitExceededError,
    ResponseFormatError,
)
from pyopenai_ps.server import Fault

RUN_PATH = "/v1/threads/thread_abc123/runs/run_abc123"
BIG_PATH = "/v1/threads/thread_big/runs"
COUNTS = [0, 1, 3]


def _http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[], Fault]
    retried: bool
    error: type
    delays: Callable[[int], list[float]] | None  # expected sleeps for n retries; None: checked by `check`
    check: Callable[[list[float], int], bool] | None = None
    slow: bool = False  # a response slower than -TimeoutSec 1

    def __str__(self) -> str:
        return self.name


CASES = [
    Case("429 retry-after-ms", lambda: Fault.status(429, headers={"retry-after-ms": "5"}), True,
         RateLimitExceededError, lambda n: [0.005] * n),
    Case("429 retry-after seconds", lambda: Fault.status(429, headers={"retry-after": "7"}), True,
         RateLimitExceededError, lambda n: [7.0] * n),
    Case("429 retry-after HTTP date", lambda: Fault.status(429, headers={"retry-after": _http_date(30)}), True,
         RateLimitExceededError, None, lambda slept, n: len(slept) == n and all(25 < d <= 30 for d in slept)),
    Case("429 retry-after over 60 s", lambda: Fault.status(429, headers={"retry-after": "120"}), True,
         RateLimitExceededError, backoff),
    Case("429 retry-after-ms over 60 s", lambda: Fault.status(429, headers={"retry-after-ms": "90000"}), True,
         RateLimitExceededError, backoff),
    Case("429 retry-after HTTP date over 60 s", lambda: Fault.status(429, headers={"retry-after": _http_date(600)}),
         True, RateLimitExceededError, backoff),
    Case("429 quota", lambda: Fault.status(429, code_field="insufficient_quota"), False,
         QuotaLimitExceededError, lambda n: []),
    Case("429 quota in the message", lambda: Fault.status(429, message="You exceeded your current quota."), False,
         QuotaLimitExceededError, lambda n: []),
    Case("500", lambda: Fault.status(500), True, APIRequestError, backoff),
    Case("502", lambda: Fault.status(502), True, APIRequestError, backoff),
    Case("503", lambda: Fault.status(503), True, APIRequestError, backoff),
    Case("504", lambda: Fault.status(504), True, APIRequestError, backoff),
    Case("400 x-should-retry true", lambda: Fault.status(400, headers={"x-should-retry": "true"}), True,
         BadRequestError, backoff),
    Case("500 x-should-retry false", lambda: Fault.status(500, headers={"x-should-retry": "false"}), False,
         APIRequestError, lambda n: []),
    Case("dropped connection", Fault.drop, True, APIConnectionError, backoff),
    Case("truncated body", Fault.truncated, True, APIConnectionError, backoff),
    Case("invalid JSON", Fault.invalid_json, False, ResponseFormatError, lambda n: []),
    Case("slower than -TimeoutSec", lambda: Fault.delay(1.5), True, APITimeoutError, backoff, slow=True),
]


def _check_sleeps(case: Case, slept: list[float], n: int) -> None:
    if case.check is not None:
        assert case.check(slept, n), slept
    else:
        assert slept == pytest.approx(case.delays(n)), slept


def _timeout_args(case: Case) -> dict:
    return {"timeout_sec": 1} if case.slow else {}


# Each timed-out attempt costs a real second: the slow fault runs exhausted only with 0 and 1 retries
# (1 + 2 s); its recovery is covered by the -All matrix below.
EXHAUSTED = [(case, n) for case in CASES for n in COUNTS if not (case.slow and n == 3)]


@pytest.mark.parametrize("case, n", EXHAUSTED, ids=[f"{c}-retries{n}" for c, n in EXHAUSTED])
def test_a_fault_on_every_attempt(api, case, n):
    """The fault answers every attempt: the retries are used up, then the fault's own error comes out."""
    api.inject(case.make(), path=RUN_PATH, times=n + 1)
    with pytest.raises(Exception) as info:
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=n, **_timeout_args(case))
    error = info.value
    attempts = n + 1 if case.retried else 1
    assert type(error) is case.error
    assert len(api.requests) == attempts
    assert {(r.method, r.target) for r in api.requests} == {("GET", RUN_PATH)}
    assert api.pending_faults == n + 1 - attempts  # a fault not retried leaves the rest unused
    _check_sleeps(case, api.slept, attempts - 1)
    if isinstance(error, APIRequestError):
        # the error describes the last answer, not the first
        assert error.status_code == case.make().status_code
        assert error.request_id == api.requests[-1].request_id


RECOVERS = [(case, n) for case in CASES if not case.slow for n in COUNTS]


@pytest.mark.parametrize("case, n", RECOVERS, ids=[f"{c}-retries{n}" for c, n in RECOVERS])
def test_a_fault_once_then_a_good_answer(api, case, n):
    """One bad answer, then good ones: a retried fault is invisible to the caller when retries are allowed."""
    api.inject(case.make(), path=RUN_PATH)
    line = f"Get-ThreadRun -RunId run_abc123 -Thread thread_abc123 -MaxRetryCount {n}"
    if case.retried and n >= 1:
        (run,) = ps.invoke(line)
        assert run.id == "run_abc123" and run.status == "completed"
        assert len(api.requests) == 2
        _check_sleeps(case, api.slept, 1)
    else:
        with pytest.raises(case.error) as info:
            ps.invoke(line)
        assert type(info.value) is case.error
        assert len(api.requests) == 1 and api.slept == []


ALL = [(case, n) for case in CASES for n in COUNTS]


@pytest.mark.parametrize("case, n", ALL, ids=[f"{c}-retries{n}" for c, n in ALL])
def test_a_fault_on_the_second_page_of_all(api, case, n):
    """-All over 250 runs (pages of 100): the second page meets the fault.

    A retried page is asked for again with the same cursor, and the output holds every run once, in
    order. When the page cannot be had, the first page's runs (and nothing else) came out before the
    error, which is reported once.
    """
    ids = api.store.add_runs("thread_big", 250)
    # FIFO per path: the first page takes the harmless delay(0), the second meets the fault `times` times.
    times = 1 if (case.slow or n == 0 or not case.retried) else n
    api.inject(Fault.delay(0), path=BIG_PATH)
    api.inject(case.make(), path=BIG_PATH, times=times)
    kwargs = dict(all=True, max_retry_count=n, **_timeout_args(case))
    if case.retried and times <= n:
        runs = ps.get_thread_run("thread_big", **kwargs)
        assert [r.id for r in runs] == ids  # exact count, exact order, so no id twice
        assert afters(api) == [None] + [ids[99]] * (times + 1) + [ids[199]]
        _check_sleeps(case, api.slept, times)
    else:
        errors: list = []
        runs = ps.get_thread_run("thread_big", error_action="SilentlyContinue", error_variable=errors, **kwargs)
        attempts = n + 1 if case.retried else 1
        assert [r.id for r in runs] == ids[:100]
        assert [type(e) for e in errors] == [case.error]
        assert afters(api) == [None] + [ids[99]] * attempts
        _check_sleeps(case, api.slept, attempts - 1)
    assert all(r.query["limit"] == ["100"] for r in api.requests)


def test_the_retry_budget_is_per_request_not_per_listing(api):
    """Each page gets the full -MaxRetryCount: three pages each failing twice still complete with 2."""
    ids = api.store.add_runs("thread_big", 250)
    for _ in range(3):
        api.inject(Fault.status(503), path=BIG_PATH, times=2)
        api.inject(Fault.delay(0), path=BIG_PATH)
    runs = ps.invoke("Get-ThreadRun -Thread thread_big -All -MaxRetryCount 2")
    assert [r.id for r in runs] == ids
    assert afters(api) == [None] * 3 + [ids[99]] * 3 + [ids[199]] * 3
    assert api.slept == [2.0, 4.0] * 3


def test_a_streamed_listing_stops_exactly_at_the_failed_page(api):
    """Lazy -All: the caller has every run of the good pages, and no request follows the failure."""
    ids = api.store.add_runs("thread_big", 250)
    api.inject(Fault.delay(0), path=BIG_PATH)
    api.inject(Fault.status(500), path=BIG_PATH, times=2)
    seen = []
    with pytest.raises(APIRequestError) as info:
        for run in ps.get_command("Get-ThreadRun").stream("thread_big", all=True, max_retry_count=1):
            seen.append(run.id)
    assert seen == ids[:100]
    assert info.value.status_code == 500 and len(api.requests) == 3

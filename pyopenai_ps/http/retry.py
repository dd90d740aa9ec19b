"""The retry policy of ``-MaxRetryCount``, as a subclass of urllib3's ``Retry``.

What is retried (PSOpenAI 3.7.0's rule, with OpenAI's ``x-should-retry``):

- a 429 answer, unless it is about quota (``error.code`` or ``error.message``
  mentions "quota"): waiting will not bring quota back;
- any 5xx answer;
- whatever the status rule says, ``x-should-retry: true`` retries and
  ``x-should-retry: false`` does not (only answers with status >= 400 are
  looked at: a 2xx is a success and a 3xx is never followed);
- a connection that could not be opened (any method: nothing was sent), and a
  dropped connection, truncated body or read timeout (only for urllib3's
  idempotent methods, GET among them: the server may have acted already).

All of them draw on one budget, ``total``: at most ``1 + total`` attempts.
The delay before retry *n* (1-based) is ``retry-after-ms`` (milliseconds) or
else ``retry-after`` (seconds or an HTTP date) when it lies in (0, 60] seconds,
else ``2**n`` seconds times a jitter factor (0.8 to 1.2), at most 129 seconds.

How it is used: the transport (:mod:`.call`) makes each attempt with urllib3's
retries off and asks the policy itself.  After an error answer it calls
:meth:`RetryPolicy.is_retry` (yes for every status >= 400 while budget remains)
and :meth:`RetryPolicy.increment` with the answer read whole, which makes the
real decision and raises ``MaxRetryError`` to stop; after a connection error it
calls ``increment(error=...)``, whose urllib3 rules say which errors may be
retried for which methods.  Then :meth:`RetryPolicy.delay_for` gives the wait,
the transport checks it against the overall retry deadline, and
:meth:`RetryPolicy.pause` reports a :class:`RetryEvent` and sleeps through the
``sleeper`` it was given (the transport's own, which tests replace through
``pyopenai_ps.configure(sleeper=...)``), with the transport's ``jitter``.  The
policy still works inside urllib3's own ``urlopen`` loop as a ``Retry`` does
(:meth:`RetryPolicy.sleep` is that loop's hook).
"""

from __future__ import annotations

import email.utils
import http
import http.client
import json
import math
import random
import time
from datetime import timezone
from typing import Any, Callable, Mapping

import attrs
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from ..errors import ConfigurationError

__all__ = [
    "RetryEvent",
    "RetryPolicy",
    "MAX_RETRY_COUNT",
    "RETRY_AFTER_MAX",
    "BACKOFF_CAP",
    "error_fields",
    "is_quota_error",
    "should_retry_response",
    "header_delay",
    "backoff_delay",
    "retry_delay",
    "status_reason",
    "describe_status",
    "describe_error",
    "default_jitter",
]

MAX_RETRY_COUNT = 100
RETRY_AFTER_MAX = 60.0  # a server asking for longer than this gets our own backoff
BACKOFF_CAP = 129.0


@attrs.frozen
class RetryEvent:
    """A retry about to happen: ``attempt`` is its 1-based number, ``delay`` the
    seconds slept first, ``reason`` e.g. "429 Too Many Requests" or "read timeout",
    ``status`` the HTTP status when an answer caused it."""

    attempt: int
    delay: float
    reason: str
    status: int | None = None


# --- reading an error answer -------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def error_fields(body: bytes) -> tuple[Any, dict[str, str | None]]:
    """``(parsed JSON or None, {"type", "code", "param", "message"})`` of a body.

    Anything that is not OpenAI-shaped JSON (HTML, empty, invalid, a list)
    gives None fields rather than an exception.
    """
    fields: dict[str, str | None] = {"type": None, "code": None, "param": None, "message": None}
    try:
        parsed = json.loads(body.decode("utf-8-sig")) if body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, fields
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        for key in fields:
            fields[key] = _as_text(error.get(key))
    elif isinstance(error, str):  # some gateways send {"error": "text"}
        fields["message"] = error
    return parsed, fields


def is_quota_error(fields: Mapping[str, str | None]) -> bool:
    """Does the error's code or message speak of quota (case-insensitive)?"""
    return any("quota" in (fields.get(k) or "").lower() for k in ("code", "message"))


def should_retry_response(status: int, headers: Mapping[str, str], body: bytes) -> bool:
    """The status rule for an answer, overridden by ``x-should-retry``."""
    override = (headers.get("x-should-retry") or "").strip().lower()
    if override == "true":
        return True
    if override == "false":
        return False
    if status == 429:
        return not is_quota_error(error_fields(body)[1])
    return 500 <= status <= 599


# --- how long to wait ------------------------------------------------------------------


def _usable(delay: float | None) -> bool:
    return delay is not None and math.isfinite(delay) and 0 < delay <= RETRY_AFTER_MAX


def header_delay(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The wait the server asked for, in seconds, or None if absent or out of (0, 60]."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            delay: float | None = float(raw_ms.strip()) / 1000.0
        except ValueError:
            delay = None
        if _usable(delay):
            return delay
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        delay = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP date is GMT even when it does not say so
            when = when.replace(tzinfo=timezone.utc)
        delay = when.timestamp() - (time.time() if now is None else now)
    return delay if _usable(delay) else None


def backoff_delay(retry_number: int, factor: float) -> float:
    """``2**n`` seconds times the jitter factor, at most :data:`BACKOFF_CAP`."""
    exponent = min(max(retry_number, 0), 64)  # 2**64 s is already far past the cap
    return min(2.0**exponent * max(factor, 0.0), BACKOFF_CAP)


def retry_delay(retry_number: int, headers: Mapping[str, str] | None,
                *, jitter: Callable[[], float]) -> float:
    """The delay before retry ``retry_number``: the server's wish, else backoff."""
    if headers is not None:
        delay = header_delay(headers)
        if delay is not None:
            return delay
    return backoff_delay(retry_number, jitter())


# --- describing what went wrong -----------------------------------------------------------


def status_reason(status: int, reason: str | None = None) -> str:
    """The server's reason phrase, or the standard one when it sent none."""
    if reason:
        return reason
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Status"


def describe_status(status: int, reason: str | None = None) -> str:
    """ "429 Too Many Requests"."""
    return f"{status} {status_reason(status, reason)}"


def describe_error(error: BaseException | None) -> str:
    """A short, secret-free name for a connection-level failure."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        error = error.reason
    if isinstance(error, ReadTimeoutError):
        return "read timeout"
    if isinstance(error, NewConnectionError):  # a subclass of ConnectTimeoutError in 2.x
        return "connection failed"
    if isinstance(error, ConnectTimeoutError):
        return "connect timeout"
    if isinstance(error, ProtocolError):
        if any(isinstance(arg, http.client.IncompleteRead) for arg in error.args):
            return "truncated response"
        return "connection dropped"
    return "connection error"


# --- the policy ---------------------------------------------------------------------------


def default_jitter() -> float:
    """The backoff jitter factor: uniform in [0.8, 1.2]."""
    return random.uniform(0.8, 1.2)


class RetryPolicy(Retry):
    """urllib3 ``Retry`` with the rule above; immutable like its base (every
    ``increment`` returns a new policy through :meth:`new`).

    ``on_retry`` gets a :class:`RetryEvent` before each sleep; ``sleeper`` and
    ``jitter`` default to ``time.sleep`` and :func:`default_jitter` (a transport passes its own).
    """

    def __init__(
        self,
        total: int = 0,
        *,
        on_retry: Callable[[RetryEvent], None] | None = None,
        sleeper: Callable[[float], Any] | None = None,
        jitter: Callable[[], float] | None = None,
        **kw: Any,
    ) -> None:
        # Only ``total`` counts, so status and connection retries share one budget.
        kw.setdefault("raise_on_status", False)
        kw.setdefault("redirect", False)  # 3xx come back as answers, never followed
        kw.setdefault("respect_retry_after_header", False)  # our sleep() reads the headers
        super().__init__(total=total, **kw)
        self._on_retry = on_retry
        self._sleeper = sleeper
        self._jitter = jitter

    @classmethod
    def for_count(cls, max_retries: int, *, on_retry: Callable[[RetryEvent], None] | None = None,
                  sleeper: Callable[[float], Any] | None = None,
                  jitter: Callable[[], float] | None = None) -> RetryPolicy:
        """The policy for ``-MaxRetryCount max_retries`` (0 to 100)."""
        if (isinstance(max_retries, bool) or not isinstance(max_retries, int)
                or not 0 <= max_retries <= MAX_RETRY_COUNT):
            raise ConfigurationError(
                f"The retry count must be an integer from 0 to {MAX_RETRY_COUNT}, got {max_retries!r}.",
                setting="max_retries")
        return cls(max_retries, on_retry=on_retry, sleeper=sleeper, jitter=jitter)

    @property
    def on_retry(self) -> Callable[[RetryEvent], None] | None:
        return self._on_retry

    @property
    def retries_made(self) -> int:
        return len(self.history)

    def new(self, **kw: Any) -> RetryPolicy:
        # urllib3 copies a policy through new(); carry our own fields across.
        kw.setdefault("on_retry", self._on_retry)
        kw.setdefault("sleeper", self._sleeper)
        kw.setdefault("jitter", self._jitter)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # Only status and "has Retry-After" are visible here; the decision needs
        # headers and body, so let increment() make it for every error status.
        return status_code >= 400 and bool(self.total)

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None,
                  _pool: Any = None, _stacktrace: Any = None) -> RetryPolicy:
        if response is not None and error is None:
            # The body is preloaded, so reading .data here costs nothing more.
            body = response.data or b""
            if not should_retry_response(response.status, response.headers, body):
                # urlopen catches this and, raise_on_status being False, returns the response.
                raise MaxRetryError(_pool, url, ResponseError(f"{response.status} is not retried"))
        return super().increment(method, url, response=response, error=error,
                                 _pool=_pool, _stacktrace=_stacktrace)

    def delay_for(self, response: Any = None) -> float:
        """The delay before the retry this policy (just incremented) stands for."""
        jitter = self._jitter or default_jitter
        headers = response.headers if response is not None else None
        return retry_delay(len(self.history), headers, jitter=jitter)

    def sleep(self, response: Any = None) -> None:
        if not self.history:  # nothing failed yet; urllib3 never calls us then
            return
        self.pause(response, self.delay_for(response))

    def pause(self, response: Any, delay: float) -> None:
        """Report the retry this policy stands for, then wait ``delay`` seconds (from :meth:`delay_for`)."""
        last = self.history[-1]
        if response is not None:
            event = RetryEvent(len(self.history), delay,
                               describe_status(response.status, response.reason), response.status)
        else:
            event = RetryEvent(len(self.history), delay, describe_error(last.error), None)
        if self._on_retry is not None:
            self._on_retry(event)
        (self._sleeper or time.sleep)(delay)

    def sleep_for_retry(self, response: Any) -> bool:
        # Only urllib3's redirect path calls this, and redirects are off; route it
        # through sleep() anyway so nothing here ever calls time.sleep.
        self.sleep(response)
        return True

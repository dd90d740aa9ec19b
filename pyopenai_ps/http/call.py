"""One API call: its attempts, the retry policy asked between them, and what it raises.

:class:`Call` runs the attempts of :meth:`~.transport.Transport.send` (each one through
:mod:`.exchange`): a 2xx answer becomes an :class:`~.answers.HTTPResult`; an error answer is
retried while the policy says so and the overall retry deadline allows (the wait included,
measured with the transport's clock), else raised as its typed exception; a call that got no
(complete) answer is retried the same way, else raised as ``APIConnectionError`` or
``APITimeoutError``; an answer that breaks the rules of :mod:`.exchange` and :mod:`.wire` is a
``ResponseFormatError``, never retried.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util import Timeout, parse_url

from ..errors import APIConnectionError, APITimeoutError, ConfigurationError, ResponseFormatError
from ..secure import Redactor, SecureString
from .answers import HTTPResult, error_for_response
from .exchange import Answer, attempt, framing_cause
from .headers import header_secrets
from .retry import RetryPolicy, describe_error, status_reason
from .wire import AttemptLimits, FramingError

__all__ = ["Call", "CallSettings", "check_url", "split_origin", "check_timeout", "timeout_for", "no_answer"]

log = logging.getLogger("pyopenai_ps.http.transport")

# http(s)://host[:port]/path?query with no credentials, spaces or control characters
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(?:/[^\s@\x00-\x1f\x7f]*)?\Z")
_NO_LIMIT = Timeout(connect=None, read=None)


class CallSettings(Protocol):
    """What a call needs of its transport."""

    clock: Callable[[], float]
    max_answer_bytes: int
    retry_deadline: float | None

    def pool_for(self, origin: str, *, again: bool = False) -> HTTPConnectionPool: ...


def check_url(url: str) -> str:
    """The URL as shown in messages (without any user:password part)."""
    if isinstance(url, str) and _PLAIN_URL.match(url):
        return url  # the common case, checked without a full parse
    try:
        parsed = parse_url(url) if isinstance(url, str) else None
    except LocationParseError:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError("The API URL is not an absolute http or https URL; nothing was sent.",
                                 setting="url")
    return str(parsed._replace(auth=None).url)


def split_origin(url: str) -> tuple[str, str]:
    """``http://host:port`` and ``/path?query`` of an absolute URL."""
    slash = url.find("/", url.find("://") + 3)
    if slash < 0:
        return url, "/"
    return url[:slash], url[slash:]


def check_timeout(timeout: float | None) -> None:
    """Raise ConfigurationError for a timeout :meth:`Transport.send` would refuse."""
    timeout_for(timeout)


def timeout_for(timeout: float | None) -> Timeout:
    if timeout is None or timeout == 0:  # 0 means "no limit", as PSOpenAI's timeout 0 does
        return _NO_LIMIT
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout) or timeout < 0):
        raise ConfigurationError(f"The timeout must be a number of seconds >= 0, got {timeout!r}.",
                                 setting="timeout")
    return Timeout(total=float(timeout))  # total bounds connect, and the read gets what is left


class Call:
    """One call's attempts: each answer read whole, the retry policy asked in between, the overall
    retry deadline kept (measured with the transport's clock, sleeps included)."""

    __slots__ = ("transport", "method", "url", "shown_url", "headers", "timeout", "timeout_obj", "body",
                 "redactor", "origin", "target", "started")

    def __init__(self, transport: CallSettings, method: str, url: str, headers: Mapping[str, str | SecureString],
                 timeout: float | None, body: bytes | None, redactor: Redactor | None) -> None:
        self.transport, self.method, self.url, self.headers = transport, method, url, headers
        self.shown_url = check_url(url)
        self.timeout, self.timeout_obj = timeout, timeout_for(timeout)
        self.body, self.redactor = body, redactor
        self.origin, self.target = split_origin(url)
        self.started = transport.clock()

    def run(self, policy: RetryPolicy) -> HTTPResult:
        transport = self.transport
        while True:
            try:
                answer = self._attempt()
            except HTTPError as error:
                policy = self._after_failure(policy, error)
                continue
            status = answer.status
            if not 200 <= status <= 299:
                retry = self._retry_for(policy, answer)
                if retry is not None:
                    policy = retry
                    continue
                raise self._error(answer)
            request_id = answer.headers.get("x-request-id")
            if request_id:
                request_id = self._redactor(lazy=True).text(request_id)
            attempts = len(policy.history) + 1
            elapsed = transport.clock() - self.started  # every attempt and wait of the call
            log.debug("%s %s -> %d in %.3f s (%d attempt(s))", self.method, self.shown_url, status, elapsed, attempts)
            return HTTPResult(status=status, reason=status_reason(status, answer.reason), headers=answer.headers,
                              body=answer.data, request_id=request_id, elapsed=elapsed, attempts=attempts)

    def _attempt(self) -> Answer:
        transport = self.transport
        deadline = None if self.timeout_obj is _NO_LIMIT else time.monotonic() + float(self.timeout or 0)
        limits = AttemptLimits(deadline, transport.max_answer_bytes)
        try:
            try:
                return attempt(transport.pool_for(self.origin), self.method, self.target, body=self.body,
                               headers=self.headers, timeout=self.timeout_obj, limits=limits)
            except ClosedPoolError:  # the manager dropped that pool meanwhile: ask it again, once
                return attempt(transport.pool_for(self.origin, again=True), self.method, self.target, body=self.body,
                               headers=self.headers, timeout=self.timeout_obj, limits=limits)
        except FramingError as error:
            raise self._format_error(error) from None
        except HTTPError as error:
            framing = framing_cause(error)
            if framing is not None:
                raise self._format_error(framing) from None
            raise

    def _within_deadline(self, delay: float) -> bool:
        deadline = self.transport.retry_deadline
        return deadline is None or self.transport.clock() - self.started + delay <= deadline

    def _after_failure(self, policy: RetryPolicy, error: HTTPError) -> RetryPolicy:
        """The policy for the next attempt after no (complete) answer came, or the exception."""
        attempts = policy.retries_made + 1
        try:
            retry = policy.increment(self.method, self.target, error=error)
        except HTTPError as final:
            raise no_answer(final, self.method, self.shown_url, self.timeout, attempts) from final
        delay = retry.delay_for(None)
        if not self._within_deadline(delay):
            raise no_answer(error, self.method, self.shown_url, self.timeout, attempts) from error
        retry.pause(None, delay)
        return retry

    def _retry_for(self, policy: RetryPolicy, answer: Answer) -> RetryPolicy | None:
        """The policy for another attempt after an error answer, or None to raise it."""
        if not policy.is_retry(self.method, answer.status):
            return None
        try:
            retry = policy.increment(self.method, self.target, response=answer)
        except MaxRetryError:
            return None  # not retried, or no retries left
        delay = retry.delay_for(answer)
        if not self._within_deadline(delay):
            return None
        retry.pause(answer, delay)
        return retry

    def _redactor(self, lazy: bool = False) -> Redactor:
        if lazy and self.redactor is not None:
            return self.redactor  # the caller's knows the call's secrets
        return (self.redactor or Redactor()).with_secrets(*header_secrets(self.headers))

    def _error(self, answer: Answer) -> Exception:
        return error_for_response(answer.status, answer.reason, answer.headers, answer.data,
                                  answer.headers.get("x-request-id"), redactor=self._redactor())

    def _format_error(self, error: FramingError) -> ResponseFormatError:
        text = self._redactor().text(str(error))
        return ResponseFormatError(f"The API answer to {self.method} {self.shown_url} cannot be read: {text}.",
                                   status_code=error.status)


def no_answer(error: HTTPError, method: str, shown_url: str, timeout: float | None,
              attempts: int) -> Exception:
    """The package's exception for a call that got no (complete) answer."""
    cause = error.reason if isinstance(error, MaxRetryError) and error.reason is not None else error
    what = describe_error(cause)
    tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
    if isinstance(cause, ReadTimeoutError) or (
            isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError)):
        return APITimeoutError(f"The request {method} {shown_url} timed out ({what}, limit {timeout} s, "
                               f"{tries}).", url=shown_url, timeout=timeout)
    return APIConnectionError(f"The request {method} {shown_url} got no complete answer ({what}, {tries}).",
                              url=shown_url)

"""One API call: its attempts, the retry policy asked between them, and what it raises.

:class:`Call` runs the attempts of :meth:`~.transport.Transport.send` and
:meth:`~.transport.Transport.open` (each one through :mod:`.exchange`): a 2xx answer becomes an
:class:`~.answers.HTTPResult` (read whole) or a :class:`~.streamed.StreamedAnswer` (its body left
to be read in chunks: retries end once its headers arrive); an error answer is retried while the
policy says so and the overall retry deadline allows (the wait included, measured with the
transport's clock), else raised as its typed exception; a call that got no (complete) answer is
retried the same way, else raised as ``APIConnectionError`` or ``APITimeoutError``
(:mod:`.failures` says why); an answer that breaks the rules of :mod:`.exchange` and :mod:`.wire`
is a ``ResponseFormatError``, never retried.  A file-like request body is rewound to where it
started before each retry; one that cannot tell where that is is never sent twice.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import ClosedPoolError, HTTPError, LocationParseError, MaxRetryError
from urllib3.util import Timeout, parse_url

from ..errors import ConfigurationError, ResponseFormatError
from ..secure import Redactor, SecureString
from .answers import HTTPResult, error_for_response
from .exchange import Answer, attempt, framing_cause
from .failures import no_answer
from .headers import header_secrets
from .retry import RetryPolicy, status_reason
from .streamed import StreamedAnswer
from .wire import AttemptLimits, FramingError

__all__ = ["Call", "CallSettings", "check_url", "split_origin", "check_timeout", "timeout_for"]

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
    """One call's attempts: each answer read whole (or a streamed call's 2xx answer left to be
    read), the retry policy asked in between, the overall retry deadline kept (measured with the
    transport's clock, sleeps included)."""

    __slots__ = ("transport", "method", "url", "checked_url", "_shown_url", "headers", "timeout", "timeout_obj", "body",
                 "body_at", "resendable", "redactor", "origin", "target", "started", "sent")

    def __init__(self, transport: CallSettings, method: str, url: str, headers: Mapping[str, str | SecureString],
                 timeout: float | None, body: Any, redactor: Redactor | None) -> None:
        self.transport, self.method, self.url, self.headers = transport, method, url, headers
        self.body, self.redactor = body, redactor
        self.checked_url = check_url(url)  # refused here, before anything is sent
        self._shown_url: str | None = None
        self.timeout, self.timeout_obj = timeout, timeout_for(timeout)
        self.body_at = _body_start(body)
        #: bytes can always be sent again; a file-like body only when it could tell where it starts
        self.resendable = self.body_at is not None or not _is_stream(body)
        self.origin, self.target = split_origin(url)
        self.started = transport.clock()
        self.sent = False

    @property
    def shown_url(self) -> str:
        """What messages and logs quote of the URL, redacted (its query may carry a key); made when first needed."""
        if self._shown_url is None:
            self._shown_url = self._redactor(lazy=True).text(self.checked_url)
        return self._shown_url

    def run(self, policy: RetryPolicy) -> HTTPResult:
        """The call made: its 2xx answer, read whole."""
        answer, attempts = self._final(policy, streamed=False)
        request_id = self._request_id(answer)
        elapsed = self.transport.clock() - self.started  # every attempt and wait of the call
        self._log(answer.status, elapsed, attempts)
        return HTTPResult(status=answer.status, reason=status_reason(answer.status, answer.reason),
                          headers=answer.headers, body=answer.data, request_id=request_id, elapsed=elapsed,
                          attempts=attempts)

    def open(self, policy: RetryPolicy) -> StreamedAnswer:
        """The call made: its 2xx answer, the body left to be read in chunks."""
        answer, attempts = self._final(policy, streamed=True)
        elapsed = self.transport.clock() - self.started
        self._log(answer.status, elapsed, attempts)
        return StreamedAnswer(answer.response, self.method, self.shown_url, self.timeout, elapsed, attempts,
                              self._request_id(answer))

    def _final(self, policy: RetryPolicy, streamed: bool) -> tuple[Answer, int]:
        """The 2xx answer and the attempts it took; an error answer that is not retried is raised."""
        while True:
            try:
                answer = self._attempt(streamed)
            except HTTPError as error:
                policy = self._after_failure(policy, error)
                continue
            if 200 <= answer.status <= 299:
                return answer, len(policy.history) + 1
            retry = self._retry_for(policy, answer)
            if retry is None:
                raise self._error(answer)
            policy = retry

    def _log(self, status: int, elapsed: float, attempts: int) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %d in %.3f s (%d attempt(s))", self.method, self.shown_url, status, elapsed, attempts)

    def _request_id(self, answer: Answer) -> str | None:
        request_id = answer.headers.get("x-request-id")
        return self._redactor(lazy=True).text(request_id) if request_id else request_id

    def _attempt(self, streamed: bool) -> Answer:
        transport = self.transport
        deadline = None if self.timeout_obj is _NO_LIMIT else time.monotonic() + float(self.timeout or 0)
        limits = AttemptLimits(deadline, transport.max_answer_bytes)
        if self.sent and self.body_at is not None:
            self.body.seek(self.body_at)  # a retry sends the whole body again
        self.sent = True
        try:
            try:
                return attempt(transport.pool_for(self.origin), self.method, self.target, body=self.body,
                               headers=self.headers, timeout=self.timeout_obj, limits=limits, streamed=streamed)
            except ClosedPoolError:  # the manager dropped that pool meanwhile: ask it again, once
                return attempt(transport.pool_for(self.origin, again=True), self.method, self.target, body=self.body,
                               headers=self.headers, timeout=self.timeout_obj, limits=limits, streamed=streamed)
        except FramingError as error:
            raise self._format_error(error) from None
        except HTTPError as error:
            framing = framing_cause(error)
            if framing is not None:
                raise self._format_error(framing) from None
            raise

    def _resendable(self, delay: float) -> bool:
        """Whether another attempt may start: within the overall retry deadline, and with a body
        that can be sent again."""
        if not self.resendable:
            return False
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
        if not self._resendable(delay):
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
        if not self._resendable(delay):
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


def _is_stream(body: Any) -> bool:
    return body is not None and not isinstance(body, (bytes, bytearray, memoryview, str)) and hasattr(body, "read")


def _body_start(body: Any) -> int | None:
    """Where a file-like body starts (to rewind it for a retry); None for bytes, or when it cannot tell."""
    if not _is_stream(body):
        return None
    try:
        return int(body.tell())
    except (AttributeError, OSError, ValueError):
        return None

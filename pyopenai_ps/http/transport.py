"""The transport: one object that owns the connection pools, TLS, timeouts and the retry policy.

:meth:`Transport.send` makes one API call and returns an :class:`~.answers.HTTPResult` for a 2xx
answer; anything else becomes an exception of :mod:`pyopenai_ps.errors`.  This layer knows nothing
of cmdlets or specs.  The call runs its attempts itself (each one through :mod:`.exchange`: one
request, its final answer read whole) and asks the retry policy of :mod:`.retry` in between.

The limits, each a module constant and a setting of the transport (``Transport(...)`` or
``pyopenai_ps.configure(...)``):

- ``timeout`` (``-TimeoutSec``) bounds each whole attempt, connecting, headers and body;
- ``max_answer_bytes`` (:data:`MAX_ANSWER_BYTES`) bounds each answer, after inflating;
- ``retry_deadline`` (:data:`RETRY_DEADLINE`, None for none): no retry starts when its wait would
  end past this many seconds after the call began (measured with the transport's ``clock``, waits
  included); the last error is raised instead;
- ``max_listing_pages`` (:data:`MAX_LISTING_PAGES`, None for none): the listing brake the runtime
  applies to ``-All``.

Everything that waits or reads time for retries goes through the transport's ``sleeper``,
``clock`` and ``jitter``, so tests give it their own and never wait for real.  Connection pools are reset in a
forked child (``os.register_at_fork``): a child never reads answers meant for its parent.

The one cache of this layer: the pool of each origin (scheme, host, port), kept by the transport
so a call skips urllib3's URL parsing and pool-key work; bounded (:data:`MAX_ORIGINS`), guarded by
a lock, dropped by :meth:`Transport.reset`.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import urllib3
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
from .exchange import Answer, accepted_codings, attempt, framing_cause
from .headers import TOKEN, checked_headers, header_secrets
from .retry import RetryEvent, RetryPolicy, default_jitter, describe_error, status_reason
from .wire import MAX_INTERIM_ANSWERS, AttemptLimits, FramingError, guard_pool

__all__ = ["Transport", "check_timeout", "POOL_MAXSIZE", "MAX_ORIGINS", "MAX_ANSWER_BYTES", "RETRY_DEADLINE", "MAX_LISTING_PAGES",
           "MAX_INTERIM_ANSWERS"]

log = logging.getLogger(__name__)

POOL_MAXSIZE = 32  # connections kept per host: enough for many threads paging at once
#: Origins whose pools the transport remembers; past this it starts over.
MAX_ORIGINS = 64
#: The most bytes one answer may have (after inflating, when gzip was asked for): 64 MiB.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
#: Seconds (by the transport's clock, waits included) after which no retry starts: the last error is raised.
RETRY_DEADLINE = 600.0
#: The listing brake: an ``-All`` listing that still has more after this many pages stops with PaginationError.
MAX_LISTING_PAGES = 10_000
# http(s)://host[:port]/path?query with no credentials, spaces or control characters
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(?:/[^\s@\x00-\x1f\x7f]*)?\Z")
_NO_LIMIT = Timeout(connect=None, read=None)

#: Transports alive in this process, reset in a forked child.
_LIVE: weakref.WeakSet[Transport] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for transport in list(_LIVE):
        transport.reset(after_fork=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _check_url(url: str) -> str:
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


def _split_origin(url: str) -> tuple[str, str]:
    """``http://host:port`` and ``/path?query`` of an absolute URL."""
    slash = url.find("/", url.find("://") + 3)
    if slash < 0:
        return url, "/"
    return url[:slash], url[slash:]


def _positive(value: Any, setting: str, *, integer: bool) -> Any:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value <= 0:
        what = "a positive integer" if integer else "a positive number of seconds"
        raise ConfigurationError(f"The setting {setting} must be {what} (or None where allowed), got {value!r}.",
                                 setting=setting)
    return value


def check_timeout(timeout: float | None) -> None:
    """Raise ConfigurationError for a timeout :meth:`Transport.send` would refuse."""
    _timeout(timeout)


def _timeout(timeout: float | None) -> Timeout:
    if timeout is None or timeout == 0:  # 0 means "no limit", as PSOpenAI's timeout 0 does
        return _NO_LIMIT
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout) or timeout < 0):
        raise ConfigurationError(f"The timeout must be a number of seconds >= 0, got {timeout!r}.",
                                 setting="timeout")
    return Timeout(total=float(timeout))  # total bounds connect, and the read gets what is left


class Transport:
    """One HTTP client for the package: pools, TLS, proxy, timeouts, sleeper, clock and jitter.

    ``pool_manager`` is a ``urllib3.PoolManager`` (or ``ProxyManager``) of your own, used as is;
    otherwise one is made on first use from ``proxy``, ``ca_bundle`` and ``pool_size``.
    ``sleeper(seconds)`` waits between retries, ``clock()`` reads monotonic seconds and
    ``jitter()`` gives the backoff factor.  Safe to share across threads.
    """

    def __init__(
        self,
        *,
        pool_manager: urllib3.PoolManager | None = None,
        proxy: str | None = None,
        ca_bundle: str | None = None,
        pool_size: int = POOL_MAXSIZE,
        sleeper: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = default_jitter,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        retry_deadline: float | None = RETRY_DEADLINE,
        max_listing_pages: int | None = MAX_LISTING_PAGES,
    ) -> None:
        if pool_manager is not None and (proxy is not None or ca_bundle is not None):
            raise ConfigurationError("Give a pool manager of your own, or proxy and CA bundle settings, not both.",
                                     setting="pool_manager")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise ConfigurationError(f"The pool size must be a positive integer, got {pool_size!r}.",
                                     setting="pool_size")
        self.proxy = proxy
        self.ca_bundle = ca_bundle
        self.pool_size = pool_size
        self.max_answer_bytes: int = _positive(max_answer_bytes, "max_answer_bytes", integer=True)
        self.retry_deadline: float | None = (None if retry_deadline is None
                                             else _positive(retry_deadline, "retry_deadline", integer=False))
        self.max_listing_pages: int | None = (None if max_listing_pages is None
                                              else _positive(max_listing_pages, "max_listing_pages", integer=True))
        self.sleeper = sleeper
        self.clock = clock
        self.jitter = jitter
        self._given = pool_manager
        self._manager: urllib3.PoolManager | None = pool_manager
        self._pools: dict[str, HTTPConnectionPool] = {}
        self._lock = threading.Lock()
        self._no_retry = RetryPolicy.for_count(0, sleeper=sleeper, jitter=jitter)
        _LIVE.add(self)

    def __repr__(self) -> str:
        where = "own pool manager" if self._given is not None else f"pool size {self.pool_size}"
        proxy = ", proxy" if self.proxy else ""
        return f"<Transport {where}{proxy}>"

    # --- pools ---------------------------------------------------------------------------

    def _new_manager(self) -> urllib3.PoolManager:
        options: dict[str, Any] = {
            "num_pools": 16,
            "maxsize": self.pool_size,
            "block": False,  # past maxsize, open extra connections rather than wait
            "cert_reqs": "CERT_REQUIRED",
            "retries": False,  # the policy is per request
        }
        if self.ca_bundle is not None:
            options["ca_certs"] = self.ca_bundle
        if self.proxy is not None:
            return urllib3.ProxyManager(self.proxy, **options)
        return urllib3.PoolManager(**options)

    @property
    def pool_manager(self) -> urllib3.PoolManager:
        """The urllib3 pool manager in use (made on first use)."""
        manager = self._manager
        if manager is None:
            with self._lock:
                if self._manager is None:
                    self._manager = self._new_manager()
                manager = self._manager
        return manager

    def _pool_for(self, origin: str) -> HTTPConnectionPool:
        pool = self._pools.get(origin)
        if pool is None:
            pool = self.pool_manager.connection_from_url(origin)
            guard_pool(pool)  # its connections skip interim answers and keep each attempt's limits
            with self._lock:
                if len(self._pools) >= MAX_ORIGINS:  # a long-running program talking to many hosts
                    self._pools.clear()
                self._pools[origin] = pool
        return pool

    def reset(self, *, after_fork: bool = False) -> None:
        """Forget every pool: the next call opens new connections.

        After a fork the parent's sockets are dropped without being closed, so the parent's
        connections stay usable; a pool manager of the caller's own is cleared.
        """
        self._lock = threading.Lock()  # a lock held by another thread at fork time would never be released
        self._pools = {}
        if self._given is not None:
            self._given.clear()
        elif after_fork:
            self._manager = None
        elif self._manager is not None:
            self._manager.clear()

    # --- the call ----------------------------------------------------------------------------

    def send(self, method: str, url: str, *, headers: Mapping[str, Any], timeout: float | None = None,
             max_retries: int = 0, on_retry: Callable[[RetryEvent], None] | None = None,
             body: bytes | None = None, redactor: Redactor | None = None) -> HTTPResult:
        """Make one API call; a 2xx answer comes back, anything else is raised.

        Raises ConfigurationError (before sending) for a bad method, URL, header, timeout or
        retry count; the typed APIRequestError for a non-2xx answer after retries;
        APITimeoutError / APIConnectionError when no answer came; ResponseFormatError for an answer
        that breaks the rules of :mod:`.exchange` (too large, a coding not asked for, lying framing).
        ``redactor`` knows the call's secrets (the key): text and the request id taken from the
        answer pass it (an error's also masks the values of credential headers).
        """
        if not isinstance(method, str) or not TOKEN.fullmatch(method):
            raise ConfigurationError("The HTTP method is not a valid token; nothing was sent.", setting="method")
        call = _Call(self, method.upper(), url, checked_headers(headers), timeout, body, redactor)

        def counted(event: RetryEvent) -> None:
            log.debug("Retry %d of %s %s in %.3f s after %s", event.attempt, call.method, call.shown_url,
                      event.delay, event.reason)
            if on_retry is not None:
                on_retry(event)

        # No retries means no events: one shared policy serves every such call.
        policy = (self._no_retry if type(max_retries) is int and max_retries == 0
                  else RetryPolicy.for_count(max_retries, on_retry=counted, sleeper=self.sleeper,
                                             jitter=self.jitter))
        return call.run(policy)


class _Call:
    """One call's attempts: each answer read whole, the retry policy asked in between, the overall
    retry deadline kept (measured with the transport's clock, sleeps included)."""

    __slots__ = ("transport", "method", "url", "shown_url", "headers", "timeout", "timeout_obj", "body",
                 "redactor", "origin", "target", "accepted", "started")

    def __init__(self, transport: Transport, method: str, url: str, headers: Mapping[str, str | SecureString],
                 timeout: float | None, body: bytes | None, redactor: Redactor | None) -> None:
        self.transport, self.method, self.url, self.headers = transport, method, url, headers
        self.shown_url = _check_url(url)
        self.timeout, self.timeout_obj = timeout, _timeout(timeout)
        self.body, self.redactor = body, redactor
        self.origin, self.target = _split_origin(url)
        self.accepted = accepted_codings(headers)
        self.started = transport.clock()

    def run(self, policy: RetryPolicy) -> HTTPResult:
        transport = self.transport
        while True:
            began = transport.clock()
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
            attempts = policy.retries_made + 1
            elapsed = transport.clock() - began
            log.debug("%s %s -> %d in %.3f s (%d attempt(s))", self.method, self.shown_url, status, elapsed, attempts)
            return HTTPResult(status=status, reason=status_reason(status, answer.reason), headers=answer.headers,
                              body=answer.data, request_id=request_id, elapsed=elapsed, attempts=attempts)

    def _attempt(self) -> Answer:
        transport = self.transport
        deadline = None if self.timeout_obj is _NO_LIMIT else time.monotonic() + float(self.timeout or 0)
        limits = AttemptLimits(deadline, transport.max_answer_bytes)
        try:
            pool = transport._pool_for(self.origin)
            try:
                return attempt(pool, self.method, self.target, body=self.body, headers=self.headers,
                               timeout=self.timeout_obj, limits=limits, accepted=self.accepted)
            except ClosedPoolError:  # the manager dropped that pool meanwhile: ask it again, once
                transport._pools.pop(self.origin, None)
                return attempt(transport._pool_for(self.origin), self.method, self.target, body=self.body,
                               headers=self.headers, timeout=self.timeout_obj, limits=limits, accepted=self.accepted)
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
            raise _no_answer(final, self.method, self.shown_url, self.timeout, attempts) from final
        delay = retry.delay_for(None)
        if not self._within_deadline(delay):
            raise _no_answer(error, self.method, self.shown_url, self.timeout, attempts) from error
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


def _no_answer(error: HTTPError, method: str, shown_url: str, timeout: float | None,
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

"""The transport: one object that owns the connection pools, TLS, timeouts and the retry policy.

:meth:`Transport.send` makes one API call (with the retries of :mod:`.retry`) and returns an
:class:`~.answers.HTTPResult` for a 2xx answer; anything else becomes an exception of
:mod:`pyopenai_ps.errors`.  This layer knows nothing of cmdlets or specs.

Everything that waits or reads time goes through the transport's ``sleeper``, ``clock`` and
``jitter``, so tests give it their own and never wait for real.  Connection pools are reset in a
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
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import Timeout, parse_url

from ..errors import APIConnectionError, APITimeoutError, ConfigurationError
from ..secure import Redactor
from .answers import HTTPResult, error_for_response
from .headers import TOKEN, checked_headers
from .retry import RetryEvent, RetryPolicy, default_jitter, describe_error, status_reason

__all__ = ["Transport", "StreamedAnswer", "POOL_MAXSIZE", "MAX_ORIGINS", "ERROR_BODY_LIMIT", "failure_reason"]

log = logging.getLogger(__name__)

POOL_MAXSIZE = 32  # connections kept per host: enough for many threads paging at once
#: Origins whose pools the transport remembers; past this it starts over.
MAX_ORIGINS = 64
#: Of an error answer to a streamed request, at most this much is read for the error's text.
ERROR_BODY_LIMIT = 1 << 20
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

    def _urlopen(self, method: str, url: str, headers: Mapping[str, Any], body: Any, timeout: float | None,
                 max_retries: int, on_retry: Callable[[RetryEvent], None] | None, preload: bool
                 ) -> tuple[Any, str, float, int, list[str]]:
        """(the urllib3 response, the URL as shown, seconds taken, attempts, secrets among the headers)."""
        if not isinstance(method, str) or not TOKEN.fullmatch(method):
            raise ConfigurationError("The HTTP method is not a valid token; nothing was sent.", setting="method")
        method = method.upper()
        prepared, secrets = checked_headers(headers)
        shown_url = _check_url(url)
        timeout_obj = _timeout(timeout)
        retries_made = 0

        def counted(event: RetryEvent) -> None:
            nonlocal retries_made
            retries_made = event.attempt
            log.debug("Retry %d of %s %s in %.3f s after %s", event.attempt, method, shown_url,
                      event.delay, event.reason)
            if on_retry is not None:
                on_retry(event)

        # No retries means no events: one shared policy serves every such call.
        policy = (self._no_retry if type(max_retries) is int and max_retries == 0
                  else RetryPolicy.for_count(max_retries, on_retry=counted, sleeper=self.sleeper,
                                             jitter=self.jitter))
        origin, target = _split_origin(url)
        started = self.clock()
        options = {"body": body, "headers": prepared, "retries": policy, "redirect": False, "timeout": timeout_obj,
                   "preload_content": preload, "assert_same_host": False}
        try:
            try:
                response = self._pool_for(origin).urlopen(method, target, **options)
            except ClosedPoolError:  # the manager dropped that pool meanwhile: ask it again, once
                self._pools.pop(origin, None)
                response = self._pool_for(origin).urlopen(method, target, **options)
        except HTTPError as e:
            raise _no_answer(e, method, shown_url, timeout, retries_made + 1) from e
        elapsed = self.clock() - started
        log.debug("%s %s -> %d in %.3f s (%d attempt(s))", method, shown_url, response.status, elapsed,
                  retries_made + 1)
        return response, shown_url, elapsed, retries_made + 1, secrets

    def send(self, method: str, url: str, *, headers: Mapping[str, Any], timeout: float | None = None,
             max_retries: int = 0, on_retry: Callable[[RetryEvent], None] | None = None,
             body: Any = None, redactor: Redactor | None = None) -> HTTPResult:
        """Make one API call; a 2xx answer comes back, read whole; anything else is raised.

        Raises ConfigurationError (before sending) for a bad method, URL, header, timeout or
        retry count; the typed APIRequestError for a non-2xx answer after retries;
        APITimeoutError / APIConnectionError when no answer came.  ``body`` is bytes or a
        rewindable binary file-like object (read in blocks, rewound for a retry).  ``redactor``
        masks secrets in error text taken from the answer (credential headers are masked anyway).
        """
        response, _, elapsed, attempts, secrets = self._urlopen(
            method, url, headers, body, timeout, max_retries, on_retry, preload=True)
        status = response.status
        data = response.data or b""
        request_id = response.headers.get("x-request-id")
        if not 200 <= status <= 299:
            redact = (redactor or Redactor()).with_secrets(*secrets)
            raise error_for_response(status, response.reason or "", response.headers, data, request_id,
                                     redactor=redact)
        return HTTPResult(status=status, reason=status_reason(status, response.reason),
                          headers=response.headers, body=data, request_id=request_id,
                          elapsed=elapsed, attempts=attempts)

    def open(self, method: str, url: str, *, headers: Mapping[str, Any], timeout: float | None = None,
             max_retries: int = 0, on_retry: Callable[[RetryEvent], None] | None = None,
             body: Any = None, redactor: Redactor | None = None) -> StreamedAnswer:
        """Like :meth:`send`, but a 2xx answer's body is left to be read in chunks
        (:meth:`StreamedAnswer.chunks`); retries end when the answer's headers arrive."""
        response, shown_url, elapsed, attempts, secrets = self._urlopen(
            method, url, headers, body, timeout, max_retries, on_retry, preload=False)
        status = response.status
        request_id = response.headers.get("x-request-id")
        if not 200 <= status <= 299:
            try:
                data = response.read(ERROR_BODY_LIMIT) or b""
            except HTTPError:
                data = b""
            finally:
                response.release_conn()
            redact = (redactor or Redactor()).with_secrets(*secrets)
            raise error_for_response(status, response.reason or "", response.headers, data, request_id,
                                     redactor=redact)
        return StreamedAnswer(response, method.upper(), shown_url, timeout, elapsed, attempts)


class StreamedAnswer:
    """A 2xx answer whose body is read in chunks; close it (or use ``with``) when done."""

    def __init__(self, response: Any, method: str, shown_url: str, timeout: float | None, elapsed: float,
                 attempts: int) -> None:
        self._response = response
        self._where = (method, shown_url, timeout, attempts)
        self.status: int = response.status
        self.reason = status_reason(response.status, response.reason)
        self.headers: Mapping[str, str] = response.headers
        self.request_id: str | None = response.headers.get("x-request-id")
        self.elapsed = elapsed
        self.attempts = attempts
        length = response.headers.get("content-length")
        self.length: int | None = int(length) if length and length.isdigit() else None

    def chunks(self, size: int = 1 << 16, *, eager: bool = False) -> Iterator[bytes]:
        """The body, in chunks of at most ``size`` bytes.  ``eager``: each chunk as soon as any bytes have
        arrived (an event stream's events the moment they come), else full chunks (downloads)."""
        method, shown_url, timeout, attempts = self._where
        response = self._response
        try:
            if not eager:
                yield from response.stream(size)
                return
            if response.chunked and response.supports_chunked_reads():
                yield from response.read_chunked(size)  # each HTTP chunk as it comes (an event stream's events)
                return
            while chunk := response.read1(size):
                yield chunk
        except HTTPError as e:
            raise _no_answer(e, method, shown_url, timeout, attempts) from e

    def close(self) -> None:
        """Give the connection back when the body was read to its end; else close it, so no later
        request reads what is left of this answer."""
        response = self._response
        if not response.isclosed():
            response.close()
        response.release_conn()

    def __enter__(self) -> StreamedAnswer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _os_reason(error: BaseException | None) -> str | None:
    """What an OS-level connection error says, in a few words."""
    import errno

    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "host unreachable" if error.errno == errno.EHOSTUNREACH else "network unreachable"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return None


def _tls_reason(error: SSLError) -> str:
    import ssl

    inner = error.args[0] if error.args else None
    if isinstance(inner, ssl.SSLCertVerificationError):
        detail = (inner.verify_message or "verification failed").rstrip(".")
        return f"TLS certificate not trusted: {detail}"
    code = getattr(inner, "reason", None)
    if code == "WRONG_VERSION_NUMBER":
        return "TLS handshake failed: the server did not answer in TLS (is it http, not https?)"
    return "TLS handshake failed" + (f": {str(code).lower().replace('_', ' ')}" if code else "")


def failure_reason(error: BaseException | None) -> tuple[str, bool]:
    """Why no connection or answer came, in a few words, and whether no connection was made at all
    (a wrong address, name, port or certificate, rather than an answer cut short)."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        error = error.reason
    if isinstance(error, NameResolutionError):
        return "name not resolved: no address was found for the host", True
    if isinstance(error, NewConnectionError):
        return _os_reason(error.__cause__ or error.__context__) or "connection failed", True
    if isinstance(error, SSLError):
        return _tls_reason(error), True
    if isinstance(error, ProxyError):
        inner = failure_reason(error.original_error)[0] if error.original_error else "no answer"
        return f"the proxy failed: {inner}", True
    return describe_error(error), False


def _no_answer(error: HTTPError, method: str, shown_url: str, timeout: float | None,
               attempts: int) -> Exception:
    """The package's exception for a call that got no (complete) answer: why, and the URL tried."""
    cause = error.reason if isinstance(error, MaxRetryError) and error.reason is not None else error
    tries = f"{attempts} attempt" + ("" if attempts == 1 else "s")
    if isinstance(cause, ReadTimeoutError) or (
            isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError)):
        what = describe_error(cause)
        return APITimeoutError(f"The request {method} {shown_url} timed out ({what}, limit {timeout} s, "
                               f"{tries}).", url=shown_url, timeout=timeout, reason=what)
    why, not_connected = failure_reason(cause)
    if not_connected:
        return APIConnectionError(f"The request {method} {shown_url} could not connect: {why} ({tries}).",
                                  url=shown_url, reason=why, connected=False)
    return APIConnectionError(f"The request {method} {shown_url} got no complete answer ({why}, {tries}).",
                              url=shown_url, reason=why, connected=True)

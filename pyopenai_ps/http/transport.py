"""The transport: one object that owns the connection pools, TLS, timeouts and the retry policy.

:meth:`Transport.send` makes one API call and returns an :class:`~.answers.HTTPResult` for a 2xx
answer, read whole; :meth:`Transport.open` returns a :class:`~.streamed.StreamedAnswer` instead,
whose body is read in chunks (server-sent events, downloads of any size).  Anything else becomes an
exception of :mod:`pyopenai_ps.errors` (:func:`failure_reason` says why a connection failed).  This
layer knows nothing of cmdlets or specs.  Both run their attempts through one loop
(:mod:`.call`; each attempt through :mod:`.exchange`) and ask the retry policy of :mod:`.retry` in
between; a request body is bytes or a rewindable binary file-like object (read in blocks, rewound
for a retry).

The limits, each a module constant and a setting of the transport (``Transport(...)`` or
``pyopenai_ps.configure(...)``):

- ``timeout`` (``-TimeoutSec``) bounds each whole attempt, connecting, headers and body (the
  body of a streamed answer: each read of it);
- ``max_answer_bytes`` (:data:`MAX_ANSWER_BYTES`) bounds each answer read whole, after inflating
  (a streamed body is never held whole, so it has no maximum; a streamed call's error answer is
  read up to :data:`ERROR_BODY_LIMIT`);
- ``retry_deadline`` (:data:`RETRY_DEADLINE`, None for none): no retry starts when its wait would
  end past this many seconds after the call began (measured with the transport's ``clock``, waits
  included); the last error is raised instead;
- ``max_listing_pages`` (:data:`MAX_LISTING_PAGES`, None for none): the listing brake the runtime
  applies to ``-All``.

Everything that waits or reads time for retries goes through the transport's ``sleeper``,
``clock`` and ``jitter``, so tests give it their own and never wait for real.  Connection pools are
reset in a forked child (``os.register_at_fork``): a child never reads answers meant for its parent.

The one cache of this layer: the pool of each origin (scheme, host, port), kept by the transport
so a call skips urllib3's URL parsing and pool-key work; bounded (:data:`MAX_ORIGINS`), guarded by
a lock, dropped by :meth:`Transport.reset`.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import urllib3
from urllib3.connectionpool import HTTPConnectionPool

from ..errors import ConfigurationError
from ..secure import Redactor
from .answers import HTTPResult
from .call import Call, check_timeout
from .exchange import ERROR_BODY_LIMIT
from .failures import failure_reason
from .headers import TOKEN, checked_headers
from .retry import RetryEvent, RetryPolicy, default_jitter
from .streamed import StreamedAnswer
from .wire import MAX_INTERIM_ANSWERS, guard_pool

__all__ = ["Transport", "StreamedAnswer", "check_timeout", "failure_reason", "POOL_MAXSIZE", "MAX_ORIGINS",
           "MAX_ANSWER_BYTES", "RETRY_DEADLINE", "MAX_LISTING_PAGES", "MAX_INTERIM_ANSWERS", "ERROR_BODY_LIMIT"]

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
#: Bytes read from a file-like request body per socket write (urllib3's default of 16 KiB makes an
#: upload of hundreds of megabytes thousands of small reads and writes).
SEND_BLOCK = 256 * 1024

#: Transports alive in this process, reset in a forked child.
_LIVE: weakref.WeakSet[Transport] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for transport in list(_LIVE):
        transport.reset(after_fork=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _positive(value: Any, setting: str, *, integer: bool) -> Any:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value <= 0:
        what = "a positive integer" if integer else "a positive number of seconds"
        raise ConfigurationError(f"The setting {setting} must be {what} (or None where allowed), got {value!r}.",
                                 setting=setting)
    return value


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
            "num_pools": MAX_ORIGINS,  # the manager forgets no pool the transport still holds
            "maxsize": self.pool_size,
            "block": False,  # past maxsize, open extra connections rather than wait
            "cert_reqs": "CERT_REQUIRED",
            "retries": False,  # the policy is per request
            "blocksize": SEND_BLOCK,
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

    def pool_for(self, origin: str, *, again: bool = False) -> HTTPConnectionPool:
        """The pool of ``origin`` (``scheme://host:port``); ``again`` asks the manager anew."""
        if again:
            self._pools.pop(origin, None)
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
             body: Any = None, redactor: Redactor | None = None) -> HTTPResult:
        """Make one API call; a 2xx answer comes back, read whole; anything else is raised.

        Raises ConfigurationError (before sending) for a bad method, URL, header, timeout or
        retry count; the typed APIRequestError for a non-2xx answer after retries;
        APITimeoutError / APIConnectionError when no answer came; ResponseFormatError for an answer
        that breaks the rules of :mod:`.exchange` (too large, a coding not asked for, lying framing).
        ``body`` is bytes or a rewindable binary file-like object (read in blocks, rewound for a
        retry).  ``redactor`` knows the call's secrets (the key): text and the request id taken
        from the answer pass it (an error's also masks the values of credential headers).
        """
        call, policy = self._call(method, url, headers, timeout, max_retries, on_retry, body, redactor)
        return call.run(policy)

    def open(self, method: str, url: str, *, headers: Mapping[str, Any], timeout: float | None = None,
             max_retries: int = 0, on_retry: Callable[[RetryEvent], None] | None = None,
             body: Any = None, redactor: Redactor | None = None) -> StreamedAnswer:
        """Like :meth:`send`, but a 2xx answer's body is left to be read in chunks
        (:meth:`StreamedAnswer.chunks`); retries end when the answer's headers arrive."""
        call, policy = self._call(method, url, headers, timeout, max_retries, on_retry, body, redactor)
        return call.open(policy)

    def _call(self, method: str, url: str, headers: Mapping[str, Any], timeout: float | None, max_retries: int,
              on_retry: Callable[[RetryEvent], None] | None, body: Any,
              redactor: Redactor | None) -> tuple[Call, RetryPolicy]:
        """The call checked (nothing is sent for a bad one) and its retry policy."""
        if not isinstance(method, str) or not TOKEN.fullmatch(method):
            raise ConfigurationError("The HTTP method is not a valid token; nothing was sent.", setting="method")
        call = Call(self, method.upper(), url, checked_headers(headers), timeout, body, redactor)

        def counted(event: RetryEvent) -> None:
            log.debug("Retry %d of %s %s in %.3f s after %s", event.attempt, call.method, call.shown_url,
                      event.delay, event.reason)
            if on_retry is not None:
                on_retry(event)

        # No retries means no events: one shared policy serves every such call.
        policy = (self._no_retry if type(max_retries) is int and max_retries == 0
                  else RetryPolicy.for_count(max_retries, on_retry=counted, sleeper=self.sleeper,
                                             jitter=self.jitter))
        return call, policy

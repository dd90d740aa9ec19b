"""The HTTP transport: one keep-alive pool, one call, typed errors.

:func:`send` makes one API call (with the retries of :mod:`pyopenai_ps.retry`)
and returns an :class:`HTTPResult` for a 2xx answer; anything else becomes an
exception from :mod:`pyopenai_ps.errors`.  This module knows nothing of cmdlets.

Secrets: header values are checked and sent, never echoed.  The values of
``Authorization`` (and its bearer token), ``api-key`` and
``Proxy-Authorization`` are also masked out of any error text built from a
server's answer, in case a server echoes them.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import threading
import time
from typing import Any, Callable, Iterable, Mapping

import attrs
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

from .errors import (
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
from .retry import (
    RetryEvent,
    RetryPolicy,
    describe_error,
    error_fields,
    is_quota_error,
    status_reason,
)
from .secure import SecureString, mask_secret

__all__ = ["HTTPResult", "RetryEvent", "send", "pool_manager", "error_for_response", "sleep",
           "random_factor", "POOL_MAXSIZE"]

log = logging.getLogger(__name__)

#: The retry policy sleeps through this, looked up at sleep time (tests replace it).
sleep = time.sleep


def random_factor() -> float:
    """The backoff jitter factor (tests replace it)."""
    return random.uniform(0.8, 1.2)


POOL_MAXSIZE = 32  # connections kept per host: enough for many threads paging at once
_EXCERPT_CHARS = 200
_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: header names, methods
_FORBIDDEN = ("\r", "\n", "\0")
_FORBIDDEN_CHARS = re.compile("[\r\n\x00]")
_WIDE_CHARS = re.compile("[^\x00-\xff]")
# http(s)://host[:port]/path?query with no credentials, spaces or control characters
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(?:/[^\s@\x00-\x1f\x7f]*)?\Z")


# --- the result -----------------------------------------------------------------------------


@attrs.frozen
class HTTPResult:
    """A 2xx answer, its body read whole."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    request_id: str | None
    elapsed: float
    attempts: int

    def _where(self) -> str:
        return f"status {self.status}" + (f", request id {self.request_id}" if self.request_id else "")

    def json(self) -> Any:
        """The body parsed as JSON; :class:`ResponseFormatError` if it is not UTF-8 JSON."""
        try:
            text = self.body.decode("utf-8-sig")  # tolerate a BOM
        except UnicodeDecodeError as e:
            where = self._where()
            raise ResponseFormatError(
                f"The API response ({where}) is not UTF-8 text (bad byte at offset {e.start}).",
                status_code=self.status, request_id=self.request_id) from None
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as e:
            where = self._where()
            detail = (f"{e.msg} at line {e.lineno} column {e.colno}"
                      if isinstance(e, json.JSONDecodeError) else "nested too deeply")
            raise ResponseFormatError(
                f"The API response ({where}) is not valid JSON: {detail}.",
                status_code=self.status, request_id=self.request_id) from None


# --- the pool -------------------------------------------------------------------------------

_pool: urllib3.PoolManager | None = None
_pool_lock = threading.Lock()


def pool_manager() -> urllib3.PoolManager:
    """The process's one PoolManager, made on first use (thread-safe)."""
    global _pool
    pool = _pool
    if pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = urllib3.PoolManager(
                    num_pools=16,
                    maxsize=POOL_MAXSIZE,
                    block=False,  # past maxsize, open extra connections rather than wait
                    cert_reqs="CERT_REQUIRED",
                    retries=False,  # the policy is per request (send builds it)
                )
            pool = _pool
    return pool


# --- error answers ---------------------------------------------------------------------------


def _excerpt(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    if text.lstrip().startswith("<"):  # an HTML error page from a proxy: keep the words
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    if len(text) > _EXCERPT_CHARS:
        text = text[: _EXCERPT_CHARS - 3] + "..."
    return text


def _redactor(secrets: Iterable[str]) -> Callable[[Any], Any]:
    pairs = [(s, mask_secret(s)) for s in sorted(set(secrets), key=len, reverse=True) if len(s) >= 4]

    def redact(value: Any) -> Any:
        if not pairs:
            return value
        if isinstance(value, str):
            for secret, masked in pairs:
                value = value.replace(secret, masked)
            return value
        if isinstance(value, dict):
            return {redact(k): redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [redact(v) for v in value]
        return value

    return redact


def error_for_response(status: int, reason: str, headers: Mapping[str, str] | None, body: bytes,
                       request_id: str | None, *, secrets: Iterable[str] = ()) -> APIRequestError:
    """The typed exception for a non-2xx answer (PSOpenAI 3.7.0's mapping).

    ``secrets`` (e.g. the API key) are masked wherever the answer echoes them.
    """
    body = body or b""
    reason = status_reason(status, reason)
    if request_id is None and headers is not None:
        request_id = headers.get("x-request-id")
    parsed, fields = error_fields(body)
    detail = fields["message"] or _excerpt(body)
    message = f"OpenAI API returned an {status} ({reason}) Error"
    if detail:
        message += f": {detail}"
    if status == 400:
        filtered = fields["code"] == "content_filter"
        cls: type[APIRequestError] = ContentFilteredError if filtered else BadRequestError
    elif status == 401:
        cls = UnauthorizedError
    elif status == 404:
        cls = NotFoundError
    elif status == 429:
        cls = QuotaLimitExceededError if is_quota_error(fields) else RateLimitExceededError
    else:
        cls = APIRequestError
    redact = _redactor(secrets)
    return cls(redact(message), status_code=status, reason=reason,
               error_type=redact(fields["type"]), error_code=redact(fields["code"]),
               error_param=redact(fields["param"]), error_message=redact(fields["message"]),
               request_id=request_id, body=redact(parsed))


# --- checking a request before it goes out ------------------------------------------------------


def _name_for_message(name: str) -> str:
    shown = name.encode("unicode_escape").decode("ascii")  # CR/LF/NUL shown as \r \n \x00
    return shown if len(shown) <= 60 else shown[:57] + "..."


_CHECKED: dict[tuple[Any, ...], tuple[dict[str, str], list[str]]] = {}


def _prepare_headers(headers: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Headers as str, refused if they could split the request; and the secrets among them.

    A call usually repeats the headers of the one before, so a header set that passed is remembered
    (by its exact items) and not checked again.
    """
    try:
        key = tuple(headers.items())
        known = _CHECKED.get(key)
    except TypeError:  # an unhashable value: check it every time
        key, known = None, None
    if known is not None:
        return dict(known[0]), known[1]
    prepared = _check_headers(headers)
    if key is not None:
        if len(_CHECKED) >= 256:
            _CHECKED.clear()
        _CHECKED[key] = prepared
    return dict(prepared[0]), prepared[1]


def _check_headers(headers: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    out: dict[str, str] = {}
    seen: set[str] = set()
    secrets: list[str] = []
    for name, value in headers.items():
        if name not in _GOOD_NAMES and (not isinstance(name, str) or not _TOKEN.fullmatch(name)):
            shown = _name_for_message(name) if isinstance(name, str) else type(name).__name__
            raise ConfigurationError(f"The header name '{shown}' is not a valid HTTP header name; "
                                     "nothing was sent.", setting="headers")
        if name.lower() in seen:
            raise ConfigurationError(f"The header '{name}' is given more than once; nothing was sent.",
                                     setting=name)
        seen.add(name.lower())
        if isinstance(value, SecureString):
            value = value.reveal()
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        elif not isinstance(value, str):
            raise ConfigurationError(f"The value of header '{name}' must be text, not "
                                     f"{type(value).__name__}; nothing was sent.", setting=name)
        if _FORBIDDEN_CHARS.search(value):
            # Name the header only: the value may be the API key.
            raise ConfigurationError(f"The value of header '{name}' contains a CR, LF or NUL "
                                     "character; nothing was sent.", setting=name)
        if not value.isascii() and _WIDE_CHARS.search(value):
            # http.client would fail mid-request with the whole value inside its exception;
            # test rather than catch, so no __context__ carries the value either.
            raise ConfigurationError(f"The value of header '{name}' has characters HTTP headers "
                                     "cannot carry; nothing was sent.", setting=name)
        if name.lower() in _SENSITIVE_HEADERS and value:
            secrets.append(value)
            scheme, _, token = value.partition(" ")
            if token.strip():
                secrets.append(token.strip())
        out[name] = value
        if len(_GOOD_NAMES) < 256:
            _GOOD_NAMES.add(name)  # a valid name, remembered so the next call skips the check
    return out, secrets


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
    return parsed._replace(auth=None).url


def _split_origin(url: str) -> tuple[str, str]:
    """``http://host:port`` and ``/path?query`` of an absolute URL."""
    slash = url.find("/", url.find("://") + 3)
    if slash < 0:
        return url, "/"
    return url[:slash], url[slash:]


_POOLS: dict[str, HTTPConnectionPool] = {}
_GOOD_NAMES: set[str] = set()


def _pool_for(origin: str) -> HTTPConnectionPool:
    """The manager's pool for an origin, remembered so a call skips URL parsing and pool-key work."""
    pool = _POOLS.get(origin)
    if pool is None:
        pool = pool_manager().connection_from_url(origin)
        if len(_POOLS) > 64:  # a long-running program talking to many hosts: start over
            _POOLS.clear()
        _POOLS[origin] = pool
    return pool


_NO_LIMIT = Timeout(connect=None, read=None)
_NO_RETRY = RetryPolicy.for_count(0)
_TIMEOUTS: dict[float, Timeout] = {}


def _timeout(timeout: float | None) -> Timeout:
    if timeout is None or timeout == 0:  # 0 means "no limit", as -TimeoutSec 0 does
        return _NO_LIMIT
    cached = _TIMEOUTS.get(timeout) if type(timeout) in (int, float) else None
    if cached is not None:
        return cached
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout) or timeout < 0):
        raise ConfigurationError(f"The timeout must be a number of seconds >= 0, got {timeout!r}.",
                                 setting="TimeoutSec")
    # total bounds connect, and the read gets what connect left over (per attempt).
    made = Timeout(total=float(timeout))
    if len(_TIMEOUTS) < 128:
        _TIMEOUTS[timeout] = made
    return made


# --- the call -----------------------------------------------------------------------------------


def send(method: str, url: str, *, headers: Mapping[str, Any], timeout: float | None = None,
         max_retries: int = 0, on_retry: Callable[[RetryEvent], None] | None = None,
         body: bytes | None = None) -> HTTPResult:
    """Make one API call; a 2xx answer comes back, anything else is raised.

    Raises ConfigurationError (before sending) for a bad method, URL, header,
    timeout or retry count; the typed APIRequestError for a non-2xx answer
    after retries; APITimeoutError / APIConnectionError when no answer came.
    """
    if not isinstance(method, str) or not _TOKEN.fullmatch(method):
        raise ConfigurationError("The HTTP method is not a valid token; nothing was sent.",
                                 setting="method")
    method = method.upper()
    prepared, secrets = _prepare_headers(headers)
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
    policy = (_NO_RETRY if type(max_retries) is int and max_retries == 0
              else RetryPolicy.for_count(max_retries, on_retry=counted))
    origin, target = _split_origin(url)
    started = time.monotonic()
    try:
        try:
            response = _pool_for(origin).urlopen(
                method, target, body=body, headers=prepared, retries=policy, redirect=False,
                timeout=timeout_obj, preload_content=True, assert_same_host=False)
        except ClosedPoolError:  # the manager dropped that pool meanwhile: ask it again, once
            _POOLS.pop(origin, None)
            response = _pool_for(origin).urlopen(
                method, target, body=body, headers=prepared, retries=policy, redirect=False,
                timeout=timeout_obj, preload_content=True, assert_same_host=False)
    except HTTPError as e:
        raise _no_answer(e, method, shown_url, timeout, retries_made + 1) from e
    elapsed = time.monotonic() - started
    attempts = retries_made + 1
    status = response.status
    log.debug("%s %s -> %d in %.3f s (%d attempt(s))", method, shown_url, status, elapsed, attempts)
    data = response.data or b""
    request_id = response.headers.get("x-request-id")
    if not 200 <= status <= 299:
        raise error_for_response(status, response.reason or "", response.headers, data, request_id,
                                 secrets=secrets)
    return HTTPResult(status=status, reason=status_reason(status, response.reason),
                      headers=response.headers, body=data, request_id=request_id,
                      elapsed=elapsed, attempts=attempts)


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

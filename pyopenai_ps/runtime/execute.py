"""The generic executor: one prepared call becomes HTTP requests and output objects.

Nothing here knows threads or runs; it follows the spec's ``operation`` (see
:mod:`pyopenai_ps.spec.operation`): send the planned request through the transport, with the key
added to that request only, read one object, one page or every page, and wrap the results.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    PaginationError,
    QuotaLimitExceededError,
    RateLimitExceededError,
    ResponseFormatError,
)
from ..http.answers import HTTPResult
from ..http.retry import RetryEvent
from ..http.transport import Transport
from ..secure import Redactor
from ..spec.operation import SetOperation
from .output import PSObject
from .plan import KEY_SLOT, PreparedCall, RequestPlan
from .settings import ClientSettings

__all__ = ["Reporter", "run_prepared", "MORE_DATA_WARNING"]

MORE_DATA_WARNING = "There is more data that has not been retrieved."
#: Debug output shows at most this much of a response body.
DEBUG_BODY_CHARS = 65536


class Reporter(Protocol):
    """Where the executor reports; the runtime implements it per call."""

    verbose_enabled: bool
    debug_enabled: bool

    def verbose(self, message: str) -> None: ...
    def debug(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def progress(self, pages: int, objects: int) -> None: ...


def _shown_headers(headers: Mapping[str, str], redact: Redactor) -> str:
    shown = {}
    for name, value in headers.items():
        if name.lower() in ("api-key", "x-api-key", "cookie", "proxy-authorization"):
            value = "<hidden>"
        shown[name] = value
    return redact(", ".join(f"{k}: {v}" for k, v in shown.items()))


class _Sender:
    """Sends the requests of one call: the credentials are added here, per request."""

    __slots__ = ("settings", "transport", "reporter", "redact")

    def __init__(self, settings: ClientSettings, transport: Transport, reporter: Reporter) -> None:
        self.settings = settings
        self.transport = transport
        self.reporter = reporter
        # The key may travel elsewhere too (another header, a query value, an echoing server).
        self.redact = Redactor([settings.api_key])

    def send(self, plan: RequestPlan, url: str) -> tuple[HTTPResult, Any]:
        reporter, settings, method = self.reporter, self.settings, plan.operation.method
        headers = dict(plan.headers)
        if headers.get(KEY_SLOT) == "":  # not replaced by the extra headers
            headers[KEY_SLOT] = "Bearer " + settings.api_key.reveal()
        verbose = reporter.verbose_enabled or reporter.debug_enabled
        if verbose:
            reporter.verbose(self.redact(f"{method} {url}"))
        if reporter.debug_enabled:
            reporter.debug("Request headers: " + _shown_headers(headers, self.redact))

        def on_retry(event: RetryEvent) -> None:
            if verbose:
                reporter.verbose(self.redact(f"Retrying ({event.attempt}) after {event.delay:.3f} s: {event.reason}"))

        try:
            result = self.transport.send(method, url, headers=headers, timeout=settings.timeout,
                                         max_retries=settings.max_retries, on_retry=on_retry, redactor=self.redact)
        except (RateLimitExceededError, APIConnectionError) as error:
            if isinstance(error, APIConnectionError):  # the URL tried may carry a key in its query
                error.url = self.redact(error.url) if error.url else error.url
                error.message = self.redact(error.message)
            hint = _hint(error, settings)
            if hint:
                _add_hint(error, self.redact(hint))
            raise
        finally:
            del headers  # the clear key lives no longer than the request
        if verbose:
            reporter.verbose(
                f"{result.status} {result.reason} ({len(result.body)} bytes, request id {result.request_id or '-'}) "
                f"in {result.elapsed * 1000:.1f} ms"
            )
        if reporter.debug_enabled:
            reporter.debug("Response headers: " + _shown_headers(dict(result.headers), self.redact))
            body = result.body.decode("utf-8", "replace")[:DEBUG_BODY_CHARS]
            reporter.debug(self.redact("Response body: " + body))
        return result, result.json()


def _add_hint(error: APIError, hint: str) -> None:
    error.hint = hint
    error.message = f"{error.message} {hint}"
    error.args = (error.message,)


def _hint(error: APIError, settings: ClientSettings) -> str | None:
    """What to try next, naming the parameters through the spec's connection roles."""
    names = settings.names
    if isinstance(error, RateLimitExceededError) and not isinstance(error, QuotaLimitExceededError):
        if not names.max_retries:
            return None
        from .functions import keyword_name

        how = f"-{names.max_retries} N (Python: {keyword_name(names.max_retries)}=N)"
        if settings.max_retries:
            return f"It was retried {settings.max_retries} time(s); a larger {how} waits longer."
        return f"Rate limits pass: give {how} to retry after the wait the server asks for."
    if isinstance(error, APIConnectionError) and not isinstance(error, APITimeoutError) and not error.connected:
        return f"Check the API base {settings.api_base}: {_base_origin(settings)}."
    return None


def _base_origin(settings: ClientSettings) -> str:
    source = settings.base_source
    parameter = f"-{settings.names.api_base}" if settings.names.api_base else "the API base parameter"
    if source == "default":
        return f"it is the default, used when neither {parameter} nor OPENAI_API_BASE is set"
    if source == "parameter":
        return f"it came from {parameter}, which overrides OPENAI_API_BASE"
    return f"it came from {'the ' if source.startswith('environment') else ''}{source}"


def _not_an_object(item: Any, operation: SetOperation, result: HTTPResult) -> ResponseFormatError:
    return ResponseFormatError(
        f"Expected a JSON object from {operation.method} {operation.path}, got {type(item).__name__}.",
        status_code=result.status,
        request_id=result.request_id,
    )


def run_prepared(prepared: PreparedCall, settings: ClientSettings, reporter: Reporter,
                 transport: Transport) -> Iterator[PSObject]:
    """Execute one prepared call; yields output objects as pages arrive."""
    plan = prepared.plan(settings)
    sender = _Sender(settings, transport, reporter)
    operation = prepared.operation
    if operation.returns == "object":
        result, data = sender.send(plan, plan.url())
        if not isinstance(data, dict):
            raise _not_an_object(data, operation, result)
        yield prepared.make(data)
        return
    yield from _pages(prepared, plan, sender, reporter)


def _pages(prepared: PreparedCall, plan: RequestPlan, sender: _Sender, reporter: Reporter) -> Iterator[PSObject]:
    operation = prepared.operation
    paging = operation.pagination
    make = prepared.make
    cursor: str | None = None
    seen: set[str] = set()
    pages = objects = 0
    while True:
        extra = {paging.cursor: cursor} if cursor is not None else None
        result, page = sender.send(plan, plan.url(extra))
        if not isinstance(page, dict) or not isinstance(page.get(paging.items), list):
            raise ResponseFormatError(
                f"Expected a list object with '{paging.items}' from {operation.method} {operation.path}.",
                status_code=result.status,
                request_id=result.request_id,
            )
        items = page[paging.items]
        pages += 1
        objects += len(items)
        if operation.returns == "all":
            reporter.progress(pages, objects)
        for item in items:
            if type(item) is not dict:
                raise _not_an_object(item, operation, result)
            yield make(item)
        if page.get(paging.has_more) is not True:
            return
        if operation.returns == "page":
            unless = operation.more_warning_unless_bound
            if operation.more_warning and not (unless and prepared.binding.is_bound(unless)):
                reporter.warning(MORE_DATA_WARNING)
            return
        following = page.get(paging.next_from)
        if not isinstance(following, str) or not following:
            reporter.warning(MORE_DATA_WARNING)  # has_more without a cursor: stop rather than loop
            return
        if following in seen:
            raise PaginationError(
                f"The listing did not advance: the server returned the cursor '{following}' again.", cursor=following
            )
        seen.add(following)
        cursor = following

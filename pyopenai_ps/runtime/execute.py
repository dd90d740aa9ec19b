"""The generic executor: one prepared call becomes HTTP requests and output objects.

Nothing here knows threads or runs; it follows the spec's ``operation`` (see
:mod:`pyopenai_ps.spec.operation`): send the planned request through the transport, with the key
added to that request only, read one object, one page or every page, and wrap the results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from ..errors import PaginationError, ResponseFormatError
from ..http.answers import HTTPResult
from ..http.retry import RetryEvent
from ..http.transport import Transport
from ..secure import Redactor, SecureString
from ..spec.operation import SetOperation
from .output import PSObject
from .plan import KEY_SLOT, PreparedCall, RequestPlan
from .settings import ClientSettings

__all__ = ["Reporter", "run_prepared", "MORE_DATA_WARNING"]

MORE_DATA_WARNING = "There is more data that has not been retrieved."
#: Debug output shows at most this much of a response body.
DEBUG_BODY_CHARS = 65536
#: An -All listing remembers the cursors of this many recent pages (as hashes) to see it loop.
CURSOR_WINDOW = 1024


class Reporter(Protocol):
    """Where the executor reports; the runtime implements it per call."""

    verbose_enabled: bool
    debug_enabled: bool

    def verbose(self, message: str) -> None: ...
    def debug(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def progress(self, pages: int, objects: int) -> None: ...


def _shown_headers(headers: Mapping[str, str | SecureString], redact: Redactor) -> str:
    shown = {}
    for name, value in headers.items():
        if name.lower() in ("api-key", "x-api-key", "cookie", "proxy-authorization"):
            value = "<hidden>"
        elif isinstance(value, SecureString):
            value = redact.masked(value)
        shown[name] = value
    return redact(", ".join(f"{k}: {v}" for k, v in shown.items()))


class _Sender:
    """Sends the requests of one call: the credentials are added here, per request."""

    __slots__ = ("settings", "transport", "reporter", "redact")

    def __init__(self, settings: ClientSettings, transport: Transport, reporter: Reporter) -> None:
        self.settings = settings
        self.transport = transport
        self.reporter = reporter
        # The key may travel elsewhere too (another header, a query value, an echoing server); the
        # extra headers are declared sensitive, so their values are secrets too.
        extra = settings.extra_headers
        self.redact = Redactor([settings.api_key, *(str(v) for v in extra.values() if v is not None)]
                               if extra else [settings.api_key])

    def send(self, plan: RequestPlan, url: str) -> tuple[HTTPResult, Any]:
        reporter, settings, method = self.reporter, self.settings, plan.operation.method
        headers: dict[str, str | SecureString] = dict(plan.headers)
        if headers.get(KEY_SLOT) == "":  # not replaced by the extra headers
            # held as a SecureString until the transport hands the headers to urllib3
            headers[KEY_SLOT] = SecureString("Bearer " + settings.api_key.reveal())
        if settings.extra_headers:
            _secure_extra(headers, settings.extra_headers)
        verbose = reporter.verbose_enabled or reporter.debug_enabled
        if verbose:
            reporter.verbose(self.redact(f"{method} {url}"))
        if reporter.debug_enabled:
            reporter.debug("Request headers: " + _shown_headers(headers, self.redact))

        def on_retry(event: RetryEvent) -> None:
            if verbose:
                reporter.verbose(self.redact(f"Retrying ({event.attempt}) after {event.delay:.3f} s: {event.reason}"))

        result = self.transport.send(method, url, headers=headers, timeout=settings.timeout,
                                     max_retries=settings.max_retries, on_retry=on_retry, redactor=self.redact)
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


def _secure_extra(headers: dict[str, str | SecureString], extra: Mapping[Any, Any]) -> None:
    """The values from the extra headers (a sensitive parameter) as SecureStrings."""
    names = {str(name).lower() for name in extra}
    for name, value in headers.items():
        if name.lower() in names and isinstance(value, str):
            headers[name] = SecureString(value)


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


class _RecentCursors:
    """The cursors of the last :data:`CURSOR_WINDOW` pages, as hashes: memory stays flat however many
    pages a listing has and however long its cursors are.  A cycle longer than the window ends at
    the listing brake instead."""

    __slots__ = ("_order", "_known")

    def __init__(self) -> None:
        self._order: deque[int] = deque()
        self._known: set[int] = set()

    def seen(self, cursor: str) -> bool:
        return hash(cursor) in self._known

    def add(self, cursor: str) -> None:
        digest = hash(cursor)
        self._order.append(digest)
        self._known.add(digest)
        if len(self._order) > CURSOR_WINDOW:
            self._known.discard(self._order.popleft())


def _item_ids(items: list[Any]) -> dict[int, str]:
    """Each item's ``id`` by its hash (items without a text id are not compared)."""
    found: dict[int, str] = {}
    for item in items:
        ident = item.get("id") if type(item) is dict else None
        if type(ident) is str:
            found[hash(ident)] = ident
    return found


def _pages(prepared: PreparedCall, plan: RequestPlan, sender: _Sender, reporter: Reporter) -> Iterator[PSObject]:
    """One page, or (``returns: all``) every page: a page that repeats what was already yielded is
    refused before any of it is yielded, and the listing brake ends a runaway listing."""
    operation = prepared.operation
    paging = operation.pagination
    make = prepared.make
    every = operation.returns == "all"
    brake = sender.transport.max_listing_pages if every else None
    cursor: str | None = None
    seen = _RecentCursors()
    previous: dict[int, str] = {}
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
        more = page.get(paging.has_more) is True
        following = page.get(paging.next_from) if more and every else None
        if every:
            previous = _check_new(items, previous, following, seen)
        pages += 1
        objects += len(items)
        if every:
            reporter.progress(pages, objects)
        for item in items:
            if type(item) is not dict:
                raise _not_an_object(item, operation, result)
            yield make(item)
        if not more:
            return
        if operation.returns == "page":
            unless = operation.more_warning_unless_bound
            if operation.more_warning and not (unless and prepared.binding.is_bound(unless)):
                reporter.warning(MORE_DATA_WARNING)
            return
        if not isinstance(following, str) or not following:
            reporter.warning(MORE_DATA_WARNING)  # has_more without a cursor: stop rather than loop
            return
        if brake is not None and pages >= brake:
            raise PaginationError(
                f"The listing stopped after {pages} pages ({objects} objects) and the server still reports more: "
                f"the listing brake (max_listing_pages of pyopenai_ps.configure) is {brake} pages.", cursor=following)
        seen.add(following)
        cursor = following


def _check_new(items: list[Any], previous: dict[int, str], following: Any, seen: _RecentCursors) -> dict[int, str]:
    """Refuse a page that repeats a recent cursor or an item of the page before; its item ids."""
    if isinstance(following, str) and following and seen.seen(following):
        raise PaginationError(
            f"The listing did not advance: the server returned the cursor '{following}' again.", cursor=following)
    current = _item_ids(items)
    repeated = next((ident for digest, ident in current.items() if digest in previous), None)
    if repeated is not None:
        raise PaginationError(
            f"The listing did not advance: the object '{repeated}' came again on the next page.",
            cursor=following if isinstance(following, str) else None)
    return current

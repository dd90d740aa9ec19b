"""The generic executor: one prepared call becomes HTTP requests and output.

Nothing here knows threads or runs; it follows the spec's ``operation`` (see
:mod:`pyopenai_ps.spec.operation`): send the planned request through the transport, with the key
added to that request only, and give what ``returns`` says: one object, one page or every page of
objects, nothing, the answer's text, or its bytes (or, with ``out_file``, the bytes streamed to a
file).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import (
    APIRequestError,
    PaginationError,
    ResponseFormatError,
)
from ..http.answers import HTTPResult
from ..http.transport import Transport
from ..spec.operation import SetOperation
from .events import select
from .files import check_target, write_atomically
from .listing import RecentCursors, check_new
from .output import PSObject
from .plan import PreparedCall
from .poll import wait_for
from .sender import Reporter, Sender
from .settings import ClientSettings
from .values import Context, holds

__all__ = ["Reporter", "Execution", "MORE_DATA_WARNING", "json_lines"]

MORE_DATA_WARNING = "There is more data that has not been retrieved."
#: Downloads are read in chunks of this size.
DOWNLOAD_CHUNK = 1 << 20


def _not_an_object(item: Any, operation: SetOperation, result: HTTPResult) -> ResponseFormatError:
    return ResponseFormatError(
        f"Expected a JSON object from {operation.method} {operation.path}, got {type(item).__name__}.",
        status_code=result.status,
        request_id=result.request_id,
    )


def json_lines(text: str | bytes | bytearray, make: Callable[[dict[str, Any]], Any], where: str, *,
               status: int | None = None, request_id: str | None = None) -> Iterator[Any]:
    """One object per line of JSON Lines text (blank lines skipped); ``where`` names the source in errors."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ResponseFormatError(f"The JSON Lines of {where} are not UTF-8 text (bad byte at offset "
                                      f"{exc.start}).", status_code=status, request_id=request_id) from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            raise ResponseFormatError(f"Line {number} of the JSON Lines answer is not JSON.",
                                      status_code=status, request_id=request_id) from None
        if not isinstance(data, dict):
            raise ResponseFormatError(f"Expected a JSON object on line {number} of {where}, got "
                                      f"{type(data).__name__}.", status_code=status, request_id=request_id)
        yield make(data)


def _text(result: HTTPResult) -> str:
    try:
        return result.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponseFormatError(f"The API response is not UTF-8 text (bad byte at offset {exc.start}).",
                                  status_code=result.status, request_id=result.request_id) from None


class Execution:
    """One prepared call run: iterating yields its output; ``answer`` is then the main JSON answer."""

    def __init__(self, prepared: PreparedCall, settings: ClientSettings, reporter: Reporter,
                 transport: Transport, out_file: Any = None) -> None:
        self.prepared = prepared
        self.reporter = reporter
        self.plan = prepared.plan(settings)
        self.sender = Sender(settings, transport, reporter)
        operation = self.plan.operation
        self.target = check_target(out_file, operation.out_file or "") if out_file is not None else None
        #: The parsed JSON of the (last) answer, for a follow-up's ``{answer: ...}``.
        self.answer: Any = None

    def __iter__(self) -> Iterator[Any]:
        plan, operation = self.plan, self.plan.operation
        for warning in self.prepared.no_effect:
            self.reporter.warning(warning)
        if plan.extra_body_ignored:
            self.reporter.warning(f"-{self.sender.settings.names.extra_body} has no effect: {operation.method} "
                                  f"{operation.path} sends no JSON body.")
        try:
            if operation.poll is not None:
                yield from self._poll()
            elif operation.returns == "events":
                yield from self._events()
            elif operation.returns in ("page", "all"):
                yield from self._pages()
            elif self.target is not None:
                self._download()
            else:
                yield from self._one()
        except APIRequestError as error:
            if operation.failure_message:
                _add_context(error, plan.describe(operation.failure_message))
            raise
        if operation.success_message:
            self.reporter.verbose(plan.describe(operation.success_message, self.answer))

    def _one(self) -> Iterator[Any]:
        plan, operation = self.plan, self.plan.operation
        result = self.sender.send(plan, plan.url())
        if operation.returns == "bytes":
            yield result.body
        elif operation.returns == "jsonl":
            yield from self._lines(result)
        elif operation.returns == "text":
            text = _text(result)
            if operation.success_message or operation.then:  # they may read fields of a JSON answer
                try:
                    self.answer = json.loads(text)
                except ValueError:
                    self.answer = None
            yield text
        elif operation.returns == "object":
            data = self.answer = result.json()
            if not isinstance(data, dict):
                raise _not_an_object(data, operation, result)
            yield self.prepared.make(data)
        else:  # none: the answer is kept only for a follow-up
            try:
                self.answer = result.json() if result.body.strip() else None
            except ResponseFormatError:
                self.answer = None

    def _lines(self, result: HTTPResult) -> Iterator[Any]:
        """One output object per line of a JSON Lines answer (blank lines skipped)."""
        operation = self.plan.operation
        yield from json_lines(_text(result), self.prepared.make, f"{operation.method} {operation.path}",
                              status=result.status, request_id=result.request_id)

    def _fetch(self) -> dict[str, Any]:
        plan = self.plan
        result = self.sender.send(plan, plan.url())
        data = self.answer = result.json()
        if not isinstance(data, dict):
            raise _not_an_object(data, plan.operation, result)
        return data

    def _poll(self) -> Iterator[Any]:
        poll = self.plan.operation.poll
        assert poll is not None
        answer = wait_for(poll, self.prepared.binding, self._fetch, self.sender.transport, self.reporter,
                          self.sender.redact)
        self.answer = answer
        # the object waited for may be the one given (already an output object) when it needed no wait
        yield answer if isinstance(answer, PSObject) else self.prepared.make(dict(answer))

    def _events(self) -> Iterator[Any]:
        plan = self.plan
        spec = plan.operation.events
        assert spec is not None
        raw = bool(spec.raw) and holds(spec.raw, Context(self.prepared.binding))
        with self.sender.open(plan, plan.url()) as answer:
            yield from select(answer.chunks(1 << 16, eager=True), spec, raw=raw,
                              limit=self.sender.transport.max_answer_bytes, redact=self.sender.redact)

    def _download(self) -> None:
        assert self.target is not None
        plan = self.plan
        with self.sender.open(plan, plan.url()) as answer:
            total = answer.length
            report = self.reporter.transfer
            written = write_atomically(self.target, answer.chunks(DOWNLOAD_CHUNK),
                                       lambda done: report("download", done, total))
        self.reporter.verbose(f"Wrote {written} bytes to {self.target}")

    def _pages(self) -> Iterator[Any]:
        """One page, or (``returns: all``) every page: a page that repeats what was already yielded is
        refused before any of it is yielded, and the listing brake ends a runaway listing."""
        plan, prepared, reporter = self.plan, self.prepared, self.reporter
        operation = plan.operation
        paging = operation.pagination
        make = prepared.make
        every = operation.returns == "all"
        brake = self.sender.transport.max_listing_pages if every else None
        cursor: str | None = None
        seen = RecentCursors()
        previous: dict[int, str] = {}
        pages = objects = 0
        while True:
            extra = {paging.cursor: cursor} if cursor is not None else None
            result = self.sender.send(plan, plan.url(extra))
            page = self.answer = result.json()
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
                previous = check_new(items, previous, following, seen)
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
                    f"The listing stopped after {pages} pages ({objects} objects) and the server still reports "
                    f"more: the listing brake (max_listing_pages of pyopenai_ps.configure) is {brake} pages.",
                    cursor=following)
            seen.add(following)
            cursor = following



def _add_context(error: APIRequestError, context: str) -> None:
    """The spec's failure message, added to an API error's message (``Remove-Thread``: what was not removed)."""
    error.reword(f"{error.message} {context}")

"""A 2xx answer whose body is read in chunks: server-sent events, downloads of any size.

What :meth:`~.transport.Transport.open` hands back once the final answer's headers have arrived
(retries end there).  Its body keeps the rules of :mod:`.wire` and :mod:`.exchange`, except the
ones that only make sense for an answer read whole:

- every read of the socket is bounded by the call's timeout (each read, not the whole body: an
  event stream or a 1 GB download may outlast one attempt's limit while its bytes keep coming);
- chunk sizes must still be hexadecimal, and a body shorter than its framing is an error; the
  maximum answer size does not apply (the body is never held whole);
- a content coding the request did not ask for was refused before the answer was handed back; one
  it asked for (gzip, deflate) is inflated piece by piece, never more than one chunk's size at a
  time, so a small compressed body cannot make one read allocate gigabytes.

Close it (or use ``with``): a body read to its end gives its connection back to the pool, any
other is closed, so no later call reads what is left of it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from typing import Any

from urllib3.exceptions import HTTPError

from ..errors import ResponseFormatError
from .exchange import WINDOW_BITS, framing_cause
from .failures import no_answer
from .retry import status_reason
from .wire import FramingError, GuardedResponse

__all__ = ["StreamedAnswer"]


class StreamedAnswer:
    """A 2xx answer whose body is read in chunks; close it (or use ``with``) when done."""

    def __init__(self, response: Any, method: str, shown_url: str, timeout: float | None, elapsed: float,
                 attempts: int, request_id: str | None) -> None:
        self._response = response
        self._where = (method, shown_url, timeout, attempts)
        self.status: int = response.status
        self.reason = status_reason(response.status, response.reason)
        self.headers: Mapping[str, str] = response.headers
        self.request_id = request_id
        self.elapsed = elapsed
        self.attempts = attempts
        length = response.headers.get("content-length")
        self.length: int | None = int(length) if length and length.isdigit() and len(length) < 20 else None
        self._coding = (response.headers.get("content-encoding") or "identity").strip().lower()
        guarded = getattr(response, "_original_response", None)
        if isinstance(guarded, GuardedResponse):
            guarded.stream_within(timeout or None)  # 0 means no limit, as for the attempt

    def chunks(self, size: int = 1 << 16, *, eager: bool = False) -> Iterator[bytes]:
        """The body, in chunks of at most ``size`` bytes.  ``eager``: each chunk as soon as any bytes have
        arrived (an event stream's events the moment they come), else full chunks (downloads)."""
        response = self._response
        inflater = _Inflater(self._coding) if self._coding != "identity" else None
        guarded = getattr(response, "_original_response", None)
        if eager and response.chunked and isinstance(guarded, GuardedResponse):
            pieces: Iterator[bytes] = _http_chunks(response, guarded, size)  # each HTTP chunk as it comes
        else:
            pieces = _pieces(response.read1 if eager else response.read, size)
        try:
            for data in pieces:
                if inflater is None:
                    yield data
                else:
                    yield from inflater.feed(data, size)
        except FramingError as error:
            raise self._format_error(error) from None
        except HTTPError as error:
            framing = framing_cause(error)
            if framing is not None:
                raise self._format_error(framing) from None
            method, shown_url, timeout, attempts = self._where
            raise no_answer(error, method, shown_url, timeout, attempts) from error

    def _format_error(self, error: FramingError) -> ResponseFormatError:
        method, shown_url = self._where[:2]  # the URL comes redacted; the message never quotes the answer
        return ResponseFormatError(f"The API answer to {method} {shown_url} cannot be read: {error}.",
                                   status_code=self.status, request_id=self.request_id)

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


def _pieces(read: Any, size: int) -> Iterator[bytes]:
    while data := read(size, decode_content=False):
        yield data


def _http_chunks(response: Any, guarded: GuardedResponse, size: int) -> Iterator[bytes]:
    """A chunked body, each HTTP chunk (in pieces of at most ``size``) the moment it is complete: what
    urllib3's ``read_chunked`` does, with the chunk sizes read through :class:`GuardedResponse`'s
    checks (urllib3 parses them itself, more leniently).  urllib3's error catcher turns socket and
    framing failures into its exceptions, as for any other read."""
    with response._error_catcher():
        if guarded.isclosed():  # read to its end already
            return
        while left := guarded._read_next_chunk_size():
            while left:
                piece = guarded._safe_read(min(left, size))  # type: ignore[attr-defined]
                left -= len(piece)
                yield piece
            guarded._safe_read(2)  # type: ignore[attr-defined]  # the CRLF after the chunk
        guarded._read_and_discard_trailer()  # type: ignore[attr-defined]
        guarded._close_conn()  # type: ignore[attr-defined]  # read to its end: the connection may be reused


class _Inflater:
    """gzip or deflate undone piece by piece: each output at most the size asked for."""

    __slots__ = ("_coding", "_decoder", "_started")

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._decoder = zlib.decompressobj(WINDOW_BITS[coding])
        self._started = False

    def feed(self, data: bytes, size: int) -> Iterator[bytes]:
        while True:
            try:
                out = self._decoder.decompress(data, size)
            except zlib.error:
                if self._coding != "deflate" or self._started:
                    raise FramingError(f"the answer is not valid {self._coding} data") from None
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # deflate without its zlib wrapper
                self._started = True
                continue
            self._started = True
            data = self._decoder.unconsumed_tail
            if out:
                yield out
            elif not data:
                return

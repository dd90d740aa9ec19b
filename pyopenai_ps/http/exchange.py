"""One attempt of a call: the request sent, its final answer read whole within the attempt's limits
(or, for a streamed call's 2xx answer, its headers read and its body left for
:class:`~.streamed.StreamedAnswer`).

What an attempt guarantees (the transport runs attempts and asks the retry policy between them):

- the answer is read whole, up to the maximum answer size: an announced ``Content-Length`` above
  it is refused before a byte of the body is read, and a chunked or close-delimited body is read in
  pieces and refused as soon as it passes the maximum (no allocation ever follows a length the
  server announced but did not send);
- the request asks for ``Accept-Encoding: identity``; an answer in another content coding is
  refused unless the request asked for it (a caller's own ``Accept-Encoding`` header), and then
  only gzip and deflate are inflated, at most to the maximum answer size;
- a streamed call's error answer is read up to :data:`ERROR_BODY_LIMIT` (the rest is dropped with
  its connection), for the error's text;
- a connection whose answer was not read to its end is closed, never handed to the next call;
- the headers are revealed (a ``SecureString`` value becomes text) only in the call that hands
  them to urllib3, and when that call fails the locals of urllib3's frames are dropped, so a
  traceback captured with its locals holds no key.
"""

from __future__ import annotations

import traceback
import zlib
from collections.abc import Mapping
from typing import Any

from urllib3.exceptions import HTTPError, InvalidHeader
from urllib3.util import Retry, Timeout

from ..secure import SecureString
from .wire import AttemptLimits, FramingError, attempt_limits

__all__ = ["Answer", "accepted_codings", "answer_coding", "attempt", "read_answer", "framing_cause", "forget_locals",
           "READ_PIECE", "ERROR_BODY_LIMIT", "WINDOW_BITS"]

#: A body of unknown length is read this many bytes at a time.
READ_PIECE = 65536
#: Of an error answer to a streamed request, at most this much is read for the error's text.
ERROR_BODY_LIMIT = 1 << 20
WINDOW_BITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_IDENTITY = frozenset({"identity"})
#: One attempt only: urllib3 raises what went wrong, and the transport's loop decides about retrying.
_ONE_ATTEMPT = Retry(total=False, redirect=False)


class Answer:
    """A final answer, its body read whole: what the retry policy and the error mapping look at.
    A streamed call's 2xx answer has its body unread: ``response`` (urllib3's) is left to read it."""

    __slots__ = ("status", "reason", "headers", "data", "response")

    def __init__(self, status: int, reason: str, headers: Mapping[str, str], data: bytes,
                 response: Any = None) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data
        self.response = response

    def get_redirect_location(self) -> bool:
        return False  # urllib3's Retry asks; a 3xx is an answer here, never followed


def accepted_codings(headers: Mapping[str, Any]) -> frozenset[str]:
    """The content codings an answer may come in: identity, and gzip or deflate if the request asked."""
    for name, value in headers.items():
        if name.lower() == "accept-encoding":
            text = value.reveal() if isinstance(value, SecureString) else str(value)
            asked = {part.split(";")[0].strip().lower() for part in text.split(",")}
            return _IDENTITY | (asked & WINDOW_BITS.keys())
    return _IDENTITY


def _revealed(headers: Mapping[str, str | SecureString]) -> dict[str, str]:
    return {name: value.reveal() if isinstance(value, SecureString) else value for name, value in headers.items()}


def forget_locals(error: BaseException) -> None:
    """Drop the local variables of the finished frames of ``error`` and of its causes and contexts."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        todo += [current.__cause__, current.__context__]


def attempt(pool: Any, method: str, target: str, *, body: Any, headers: Mapping[str, str | SecureString],
            timeout: Timeout, limits: AttemptLimits, streamed: bool = False) -> Answer:
    """Send the request once and read its final answer whole; ``streamed``: a 2xx answer's body is
    left unread (its coding checked), an error answer's read up to :data:`ERROR_BODY_LIMIT`.
    urllib3's exceptions pass through."""
    attempt_limits(limits)
    try:
        response = pool.urlopen(method, target, body=body, headers=_revealed(headers), retries=_ONE_ATTEMPT,
                                redirect=False, timeout=timeout, preload_content=False, decode_content=False,
                                assert_same_host=False)
    except BaseException as error:
        forget_locals(error)  # urllib3's frames held the headers in clear
        raise
    finally:
        attempt_limits(None)
    status = response.status
    try:
        if streamed and 200 <= status <= 299:
            try:
                answer_coding(response, headers)
            except FramingError:
                response.close()
                response.release_conn()
                raise
            return Answer(status, response.reason or "", response.headers, b"", response)
        if streamed:
            data = read_answer(response, min(limits.max_bytes, ERROR_BODY_LIMIT), headers, cut=True)
        else:
            data = read_answer(response, limits.max_bytes, headers)
    except HTTPError as error:
        framing = framing_cause(error)
        if framing is not None:
            framing.status = status
        raise
    except FramingError as error:
        error.status = status
        raise
    return Answer(status, response.reason or "", response.headers, data)


def framing_cause(error: HTTPError) -> FramingError | None:
    """The framing error an urllib3 exception stands for (a ProtocolError wraps it), if any."""
    if isinstance(error, InvalidHeader):
        return FramingError("its headers contradict each other (such as two different lengths)")
    for arg in error.args:
        if isinstance(arg, FramingError):
            return arg
    return None


def answer_coding(response: Any, request_headers: Mapping[str, Any]) -> str:
    """The content coding of an answer; FramingError when the request (``request_headers``) did not
    ask for it."""
    coding = (response.headers.get("content-encoding") or "identity").strip().lower()
    if coding != "identity" and coding not in accepted_codings(request_headers):
        raise FramingError(f"the answer is {coding}-encoded, which the request did not ask for")
    return coding


def read_answer(response: Any, limit: int, request_headers: Mapping[str, Any], *, cut: bool = False) -> bytes:
    """The body of a urllib3 response (not preloaded, not decoded), at most ``limit`` bytes, in a
    content coding the request (``request_headers``) asked for.

    Raises FramingError for a body that is too large (``cut``: its first ``limit`` bytes instead)
    or in a coding not asked for; urllib3's errors pass through.  The connection goes back to the
    pool only when the body was read to its end.
    """
    complete = False
    try:
        coding = answer_coding(response, request_headers)
        length = response.length_remaining
        if length is not None and length > limit and not cut:
            raise FramingError(f"the answer announces {length} bytes, more than the maximum answer size "
                               f"({limit} bytes)")
        if length is not None and length <= limit:
            data: bytes = response.read()
        else:
            data = _read_pieces(response, limit, cut)
        if coding != "identity":
            data = _inflate(data, coding, limit, cut)
        complete = not cut or _finished(response)  # a cut answer may not have been read to its end
        return data
    finally:
        if not complete:
            response.close()  # closes the connection: nothing of this answer is left for another call
        response.release_conn()


def _finished(response: Any) -> bool:
    try:
        return bool(response.isclosed())
    except ValueError:  # urllib3 cannot tell
        return False


def _read_pieces(response: Any, limit: int, cut: bool) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        piece = response.read(min(READ_PIECE, limit - total + 1))  # one byte past the limit tells enough
        if not piece:
            return b"".join(parts)
        total += len(piece)
        if total > limit:
            if cut:
                parts.append(piece[:len(piece) - (total - limit)])
                return b"".join(parts)
            raise FramingError(f"the answer is larger than the maximum answer size ({limit} bytes)")
        parts.append(piece)


def _inflate(data: bytes, coding: str, limit: int, cut: bool = False) -> bytes:
    try:
        decoder, out = _inflated(data, WINDOW_BITS[coding], limit)
    except zlib.error:
        if coding != "deflate":
            raise FramingError(f"the answer is not valid {coding} data") from None
        try:  # "deflate" without its zlib wrapper, as some servers send it
            decoder, out = _inflated(data, -zlib.MAX_WBITS, limit)
        except zlib.error:
            raise FramingError("the answer is not valid deflate data") from None
    if cut:
        return out[:limit]
    if len(out) > limit or decoder.unconsumed_tail:
        raise FramingError(f"the {coding} answer inflates to more than the maximum answer size ({limit} bytes)")
    return out


def _inflated(data: bytes, window_bits: int, limit: int) -> tuple[Any, bytes]:
    decoder = zlib.decompressobj(window_bits)
    out = decoder.decompress(data, limit + 1)
    if len(out) <= limit and not decoder.unconsumed_tail:
        out += decoder.flush()
    return decoder, out

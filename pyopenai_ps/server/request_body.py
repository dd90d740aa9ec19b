"""Reading a request body: Content-Length or chunked framing, whole or streamed.

A JSON (or any non-multipart) body is read whole, up to ``MAX_BODY``.  A
``multipart/form-data`` body (a file upload) is read in pieces and parsed as
it arrives, up to ``MAX_UPLOAD``; only its first ``RECORD_BYTES`` are kept
as raw bytes for the request record, with its size and SHA-256 always known.
A malformed form is not an error here: it is noted (``form_error``) and
answered by the route, after authentication, like any other bad body.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Protocol

from .multipart import FormError, FormPart, MultipartParser, boundary_of
from .responses import ApiError

__all__ = ["RequestBody", "read_body", "MAX_BODY", "MAX_UPLOAD", "RECORD_BYTES"]

MAX_BODY = 16 * 1024 * 1024
MAX_UPLOAD = 8 * 1024 * 1024 * 1024
RECORD_BYTES = 1024 * 1024
_READ_BYTES = 256 * 1024


class Reader(Protocol):
    """The request's input stream (``rfile``)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


@dataclass
class RequestBody:
    """``raw`` is the whole body when ``complete``, else its first bytes."""

    raw: bytes = b""
    size: int = 0
    sha256: str = hashlib.sha256(b"").hexdigest()
    complete: bool = True
    form: list[FormPart] | None = None
    form_error: str | None = None
    content_type: str = ""
    is_multipart: bool = field(default=False)

    def release(self) -> None:
        """Close the bytes of parts no one took over."""
        for part in self.form or []:
            if not part.claimed:
                part.blob.close()


def _too_big(limit: int) -> ApiError:
    return ApiError(413, f"The request body is larger than {limit} bytes.")


def _read_exactly(rfile: Reader, count: int) -> Iterator[bytes]:
    while count > 0:
        piece = rfile.read(min(count, _READ_BYTES))
        if not piece:
            raise ConnectionError("the client closed the connection in the middle of the body")
        count -= len(piece)
        yield piece


def _chunked(rfile: Reader, limit: int) -> Iterator[bytes]:
    total = 0
    while True:
        line = rfile.readline(1024)
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            raise ApiError(400, "Malformed chunked request body.") from None
        if size == 0:
            while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return
        total += size
        if total > limit:
            raise _too_big(limit)
        yield from _read_exactly(rfile, size)
        rfile.readline(1024)


def body_pieces(rfile: Reader, headers: Mapping[str, str], limit: int) -> Iterator[bytes]:
    """The body in pieces; ApiError 400/413 when its framing is bad or it is too big
    (the caller must then close the connection)."""
    if headers.get("transfer-encoding", "").strip().lower() == "chunked":
        return _chunked(rfile, limit)
    length = headers.get("content-length")
    if length is None:
        return iter(())
    if not length.strip().isdigit():
        raise ApiError(400, "The Content-Length header is not a number.")
    if int(length) > limit:
        raise _too_big(limit)
    return _read_exactly(rfile, int(length))


def read_body(rfile: Reader, headers: Mapping[str, str]) -> RequestBody:
    content_type = headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() != "multipart/form-data":
        raw = b"".join(body_pieces(rfile, headers, MAX_BODY))
        return RequestBody(raw, len(raw), hashlib.sha256(raw).hexdigest(), True,
                           content_type=content_type)
    return _read_form(rfile, headers, content_type)


def _read_form(rfile: Reader, headers: Mapping[str, str], content_type: str) -> RequestBody:
    boundary = boundary_of(content_type)
    parser = MultipartParser(boundary) if boundary else None
    digest, kept, size = hashlib.sha256(), bytearray(), 0
    try:
        for piece in body_pieces(rfile, headers, MAX_UPLOAD):
            digest.update(piece)
            size += len(piece)
            if len(kept) < RECORD_BYTES:
                kept += piece[:RECORD_BYTES - len(kept)]
            if parser is not None:
                parser.feed(piece)
    except BaseException:
        if parser is not None:
            parser.close()
        raise
    body = RequestBody(bytes(kept), size, digest.hexdigest(), size <= RECORD_BYTES,
                       content_type=content_type, is_multipart=True)
    if parser is None:
        body.form_error = "the multipart Content-Type has no boundary parameter"
        return body
    try:
        body.form = parser.finish()
    except FormError as exc:
        body.form_error = str(exc)
    return body

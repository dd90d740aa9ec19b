"""A streaming ``multipart/form-data`` parser.

Bytes are fed in as they arrive; each part's content goes straight into a
:class:`~.blobs.BlobWriter` (memory for small parts, a temporary file for big
ones), so an upload of any size needs only a small buffer.  Only the part
boundary (``\\r\\n--<boundary>``) and each part's header block are ever
searched for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from .blobs import Blob, BlobWriter

__all__ = ["FormPart", "FormError", "MultipartParser", "boundary_of"]

_MAX_HEADER_BYTES = 16 * 1024
_MAX_FIELD_BYTES = 1024 * 1024  # a part without a filename is a form field, kept small
_MAX_PARTS = 1000
_PARAM = re.compile(r';\s*([A-Za-z0-9_*.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class FormError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass
class FormPart:
    """One part: its field ``name``, ``filename`` (None for a plain field), declared
    ``content_type``, all ``headers`` (lower-case names) and its bytes."""

    name: str
    filename: str | None
    content_type: str | None
    headers: dict[str, str]
    blob: Blob
    claimed: bool = field(default=False, repr=False)

    @property
    def size(self) -> int:
        return self.blob.size

    @property
    def sha256(self) -> str:
        return self.blob.sha256

    def text(self) -> str:
        return self.blob.read_all().decode("utf-8", "replace")

    def claim(self) -> Blob:
        """Take the bytes over (the store keeps them; the request will not close them)."""
        self.claimed = True
        return self.blob


def boundary_of(content_type: str) -> str | None:
    """The ``boundary`` parameter of a multipart Content-Type, or None."""
    for name, value in _PARAM.findall(";" + content_type.partition(";")[2]):
        if name.lower() == "boundary":
            text = str(value).strip()
            return text[1:-1] if text.startswith('"') and text.endswith('"') else text
    return None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _parse_headers(block: bytes) -> tuple[dict[str, str], str, str | None]:
    headers: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise FormError(f"a part header line has no colon: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    if disposition.partition(";")[0].strip().lower() != "form-data":
        raise FormError("a part has no 'Content-Disposition: form-data' header")
    params = {key.lower(): _unquote(value)
              for key, value in _PARAM.findall(";" + disposition.partition(";")[2])}
    if "name" not in params:
        raise FormError("a part's Content-Disposition has no name")
    filename = params.get("filename")
    extended = params.get("filename*")  # RFC 5987: charset'lang'percent-encoded
    if extended and extended.count("'") >= 2:
        charset, _, encoded = extended.split("'", 2)
        filename = unquote(encoded, encoding=charset or "utf-8", errors="replace")
    return headers, params["name"], filename


class MultipartParser:
    """Feed it the body with :meth:`feed`; :meth:`finish` returns the parts."""

    def __init__(self, boundary: str) -> None:
        self._dash = b"--" + boundary.encode("latin-1")
        self._delimiter = b"\r\n" + self._dash
        self._buffer = bytearray()
        self._state = "preamble"
        self._parts: list[FormPart] = []
        self._current: tuple[dict[str, str], str, str | None, BlobWriter] | None = None
        self.error: str | None = None

    def feed(self, data: bytes) -> None:
        if self.error is not None or self._state == "epilogue":
            return  # the rest of the body is read and dropped
        self._buffer += data
        try:
            while self._advance():
                pass
        except FormError as exc:
            self._fail(str(exc))

    def _fail(self, message: str) -> None:
        self.error = message
        self._buffer = bytearray()
        if self._current is not None:
            self._current[3].abort()
            self._current = None

    def _advance(self) -> bool:
        """Do one thing with the buffer; False when more bytes are needed."""
        buf = self._buffer
        if self._state == "preamble":
            at = buf.find(self._dash)
            if at < 0:
                del buf[:max(0, len(buf) - len(self._dash))]
                return False
            del buf[:at + len(self._dash)]
            self._state = "after_boundary"
            return True
        if self._state == "after_boundary":
            if len(buf) < 2:
                return False
            ending, self._state = bytes(buf[:2]), "headers"
            del buf[:2]
            if ending == b"--":
                self._state = "epilogue"
                buf.clear()
                return False
            if ending != b"\r\n":
                raise FormError("a boundary line is followed by something other than CRLF")
            return True
        if self._state == "headers":
            return self._read_headers()
        return self._read_data()

    def _read_headers(self) -> bool:
        buf = self._buffer
        if buf.startswith(b"\r\n"):
            end, skip = 0, 2  # a part without headers
        else:
            end, skip = buf.find(b"\r\n\r\n"), 4
        if end < 0:
            if len(buf) > _MAX_HEADER_BYTES:
                raise FormError("a part's headers are too long")
            return False
        if len(self._parts) >= _MAX_PARTS:
            raise FormError(f"more than {_MAX_PARTS} parts")
        headers, name, filename = _parse_headers(bytes(buf[:end]))
        del buf[:end + skip]
        self._current = (headers, name, filename, BlobWriter())
        self._state = "data"
        return True

    def _read_data(self) -> bool:
        assert self._current is not None
        buf, writer = self._buffer, self._current[3]
        at = buf.find(self._delimiter)
        if at < 0:
            keep = len(self._delimiter) - 1  # a delimiter may be split across reads
            if len(buf) > keep:
                writer.write(memoryview(buf)[:len(buf) - keep])
                del buf[:len(buf) - keep]
            self._check_field_size()
            return False
        writer.write(memoryview(buf)[:at])
        del buf[:at + len(self._delimiter)]
        self._check_field_size()
        headers, name, filename, _ = self._current
        self._parts.append(FormPart(name, filename, headers.get("content-type"), headers,
                                    writer.finish()))
        self._current = None
        self._state = "after_boundary"
        return True

    def _check_field_size(self) -> None:
        assert self._current is not None
        if self._current[2] is None and self._current[3].size > _MAX_FIELD_BYTES:
            raise FormError(f"the form field '{self._current[1][:64]}' is larger than "
                            f"{_MAX_FIELD_BYTES} bytes")

    def finish(self) -> list[FormPart]:
        """The parts; raises FormError when the body was malformed or ended early."""
        if self.error is None and self._state != "epilogue":
            self._fail("the body ended before the closing boundary")
        if self.error is not None:
            self.discard()
            raise FormError(self.error)
        return list(self._parts)

    def discard(self) -> None:
        for part in self._parts:
            part.blob.close()
        self._parts = []

    def close(self) -> None:
        """Drop everything (the body could not be read to its end)."""
        if self._current is not None:
            self._current[3].abort()
            self._current = None
        self.discard()

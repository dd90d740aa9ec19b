"""A multipart/form-data body read in chunks, so a file of any size is streamed, never held whole.

:class:`MultipartBody` is a file-like object urllib3 reads block by block.  Its length is known in
advance (sent as ``Content-Length``).  A file given by path is opened when it is read and opened
again when the body is rewound for a retry; bytes are sent as they are; a binary stream is sent from
where it stands and rewound there for a retry (a stream that cannot seek is copied to a temporary
file first, so a retry can send it again).  A file that changes size while it is sent is an error,
not a wrong body.
"""

from __future__ import annotations

import io
import mimetypes
import os
import secrets
import tempfile
from collections.abc import Callable
from typing import IO, Any, Protocol

from ..errors import MissingValueError

__all__ = ["FilePayload", "FormPart", "MultipartBody", "file_payload", "SPOOL_MEMORY"]

#: A stream that cannot seek is kept in memory up to this size while it is copied, then on disk.
SPOOL_MEMORY = 8 * 1024 * 1024
_CHUNK = 256 * 1024

ProgressCallback = Callable[[int, int], None]
#: One part of a form: its name, its text or file, and a file's content type (None: from its name).
FormPart = tuple[str, "str | FilePayload", "str | None"]


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def close(self) -> None: ...


class FilePayload:
    """One file's bytes: from a path, from bytes, or from a binary stream; its name and size."""

    def __init__(self, *, path: str | None = None, data: bytes | None = None, stream: IO[bytes] | None = None,
                 start: int = 0, size: int, filename: str) -> None:
        self.path = path
        self.data = data
        self.stream = stream
        self.start = start
        self.size = size
        self.filename = filename

    def open(self) -> _Reader:
        """A reader positioned at the first byte (a path is opened anew each time)."""
        if self.path is not None:
            try:
                return open(self.path, "rb")
            except OSError as exc:
                raise MissingValueError(f"The file '{self.path}' cannot be read: {exc.strerror or exc}.",
                                        setting=self.path) from None
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.stream is not None
        self.stream.seek(self.start)
        return _Borrowed(self.stream)


class _Borrowed(io.RawIOBase):
    """A caller's stream, read through without closing it."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def close(self) -> None:  # the stream is the caller's: leave it open
        super().close()


def _name_of(value: Any) -> str:
    name = getattr(value, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else "file"


def file_payload(value: Any, filename: str | None) -> FilePayload:
    """The payload of a file part; MissingValueError (before anything is sent) when it cannot be read."""
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if not os.path.isfile(path):
            raise MissingValueError(f"The file '{path}' does not exist or is not a file.", setting=path)
        if not os.access(path, os.R_OK):
            raise MissingValueError(f"The file '{path}' cannot be read: permission denied.", setting=path)
        return FilePayload(path=path, size=os.path.getsize(path), filename=filename or os.path.basename(path))
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return FilePayload(data=data, size=len(data), filename=filename or "file")
    if isinstance(value, (list, tuple)) and all(type(v) is int and 0 <= v <= 255 for v in value):
        data = bytes(value)  # a Byte[] given as numbers
        return FilePayload(data=data, size=len(data), filename=filename or "file")
    if hasattr(value, "read"):
        stream: IO[bytes] = value
        name = filename or _name_of(stream)
        if not (hasattr(stream, "seekable") and stream.seekable()):
            spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - kept for retries
            while chunk := stream.read(_CHUNK):
                if not isinstance(chunk, bytes):
                    raise MissingValueError("A file part's stream must be read in binary mode.", setting=name)
                spooled.write(chunk)
            stream = spooled
            stream.seek(0)
        start = stream.tell()
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
        return FilePayload(stream=stream, start=start, size=size, filename=name)
    raise MissingValueError(
        f"A file part takes a path, bytes or a binary stream, not {type(value).__name__}.", setting="file")


def _quoted(text: str) -> str:
    # A quoted-string parameter: quotes, backslashes and line breaks escaped as browsers do.
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _content_type(filename: str, given: str | None) -> str:
    return given or mimetypes.guess_type(filename)[0] or "application/octet-stream"


class MultipartBody(io.RawIOBase):
    """``multipart/form-data``: text parts and file parts in the order given, read in blocks, rewound
    for a retry."""

    def __init__(self, parts: list[FormPart], progress: ProgressCallback | None = None) -> None:
        super().__init__()
        self.boundary = "pyopenai-ps-" + secrets.token_hex(16)
        self._segments: list[bytes | FilePayload] = []
        dash = f"--{self.boundary}\r\n".encode("ascii")
        #: The parts as -Debug shows them: text values, and each file's name and size.
        self.summary = ", ".join(f"{name}={value!r}" if isinstance(value, str) else
                                 f"{name}=<file {value.filename!r}, {value.size} bytes>" for name, value, _ in parts)
        for name, value, content_type in parts:
            if isinstance(value, str):
                head = (f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n'
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n")
                self._segments.append(dash + head.encode("utf-8") + value.encode("utf-8") + b"\r\n")
                continue
            head = (f'Content-Disposition: form-data; name="{_quoted(name)}"; filename="{_quoted(value.filename)}"'
                    f"\r\nContent-Type: {_content_type(value.filename, content_type)}\r\n\r\n")
            self._segments.extend([dash + head.encode("utf-8"), value, b"\r\n"])
        self._segments.append(f"--{self.boundary}--\r\n".encode("ascii"))
        self.length = sum(len(s) if isinstance(s, bytes) else s.size for s in self._segments)
        self._progress = progress
        self._index = 0
        self._offset = 0  # within the current bytes segment, or bytes read from the current file
        self._reader: _Reader | None = None
        self._sent = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._sent

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Back to the start (urllib3 rewinds a body to where it began, for a retry)."""
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("a multipart body can only be rewound to its start")
        self._close_reader()
        self._index = self._offset = self._sent = 0
        return 0

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        self._close_reader()
        super().close()

    def _from_file(self, payload: FilePayload, size: int) -> bytes:
        if self._reader is None:
            self._reader = payload.open()
        want = min(size, payload.size - self._offset)
        chunk = self._reader.read(want) if want > 0 else b""
        self._offset += len(chunk)
        finished = self._offset >= payload.size
        if len(chunk) < want or (finished and self._reader.read(1)):  # shrank, or grew
            self._close_reader()
            raise MissingValueError(f"The file '{payload.path or payload.filename}' changed size while it was sent.",
                                    setting=payload.path or payload.filename)
        if finished:
            self._close_reader()
        return chunk

    def read(self, size: int = -1) -> bytes:
        size = _CHUNK if size is None or size < 0 else size
        while self._index < len(self._segments):
            segment = self._segments[self._index]
            if isinstance(segment, bytes):
                chunk = segment[self._offset:self._offset + size]
                self._offset += len(chunk)
                done = self._offset >= len(segment)
            else:
                chunk = self._from_file(segment, size)
                done = self._offset >= segment.size
            if done:
                self._index += 1
                self._offset = 0
            if chunk:
                self._sent += len(chunk)
                if self._progress is not None:
                    self._progress(self._sent, self.length)
                return chunk
        return b""

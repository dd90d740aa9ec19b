"""Under urllib3: how the standard library's ``http.client`` reads each answer, made strict.

The transport's pools make connections whose answers are :class:`GuardedResponse` objects:

- interim answers (``1xx``: 100 Continue, 102 Processing, 103 Early Hints) are read and skipped,
  at most :data:`MAX_INTERIM_ANSWERS` of them; the final answer is the one the call gets, so nothing
  of it stays on the connection for the next call to read.  ``101 Switching Protocols`` was never
  asked for and is refused;
- a chunk size is hexadecimal digits only (no sign, no ``0x``), and no chunk may be larger than the
  attempt's maximum answer size;
- when the attempt has a time limit, every read of the socket gets only the time left of it, and
  reads are at most one ``recv`` each: an answer dripped a byte at a time cannot outlast the limit.
  The body of a streamed answer (:meth:`GuardedResponse.stream_within`) is read differently: each
  read gets the whole limit (an event stream or a large download may take longer than one
  attempt's limit, as long as its bytes keep coming), and its chunks may be of any size (it is read
  in pieces, so no chunk size makes anything allocate it).

The limits of the attempt under way come through :func:`attempt_limits` (a thread-local the
transport sets around each attempt's request); a response keeps the limits it was made with.  What breaks
these rules raises :class:`FramingError`, which the transport turns into a ``ResponseFormatError``.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from typing import Any

__all__ = ["FramingError", "AttemptLimits", "GuardedResponse", "guard_pool", "attempt_limits",
           "MAX_INTERIM_ANSWERS"]

#: Interim (1xx) answers skipped before one attempt gives up on a final answer.
MAX_INTERIM_ANSWERS = 20
_MAX_LINE = 65536  # http.client's own limit for a status, header or chunk-size line
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class FramingError(http.client.HTTPException):
    """An answer whose framing cannot be trusted (the message never quotes the answer); ``status``
    is the answer's status once it is known."""

    status: int | None = None


class AttemptLimits:
    """The limits of one attempt: ``deadline`` in ``time.monotonic()`` seconds (None: no limit) and
    the most bytes one answer may have."""

    __slots__ = ("deadline", "max_bytes")

    def __init__(self, deadline: float | None, max_bytes: int) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        return f"AttemptLimits(deadline={self.deadline!r}, max_bytes={self.max_bytes!r})"


_CURRENT = threading.local()


def attempt_limits(limits: AttemptLimits | None) -> None:
    """The limits the answers read in this thread get from now on (None when the attempt is over)."""
    _CURRENT.limits = limits


class _DeadlineReader:
    """The socket file of one answer, read against a deadline: each read is one ``recv`` at most,
    given only the time that is left."""

    __slots__ = ("_file", "_sock", "_deadline")

    def __init__(self, file: Any, sock: socket.socket, deadline: float) -> None:
        self._file = file
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the attempt's time limit passed")
        self._sock.settimeout(left)

    def peek(self, size: int = 0) -> bytes:
        self._arm()
        return bytes(self._file.peek(size))

    def read1(self, size: int = -1) -> bytes:
        self._arm()
        return bytes(self._file.read1(size))

    def read(self, size: int | None = -1) -> bytes:
        parts: list[bytes] = []
        wanted = -1 if size is None else size
        got = 0
        while wanted < 0 or got < wanted:
            self._arm()
            piece = self._file.read1(65536 if wanted < 0 else min(wanted - got, 65536))
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        got = 0
        while got < len(view):
            self._arm()
            count = self._file.readinto1(view[got:])
            if not count:
                break
            got += count
        return got

    def readline(self, limit: int = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while limit < 0 or got < limit:
            self._arm()
            buffered = self._file.peek(1)  # at most one recv; what is already buffered otherwise
            if not buffered:
                break
            end = buffered.find(b"\n")
            take = len(buffered) if end < 0 else end + 1
            if limit >= 0:
                take = min(take, limit - got)
            piece = self._file.read(take)  # from the buffer: no recv
            parts.append(piece)
            got += len(piece)
            if piece.endswith(b"\n"):
                break
        return b"".join(parts)

    def unwrapped(self, seconds: float | None) -> Any:
        """The socket file, each of its reads given ``seconds`` from now on."""
        self._sock.settimeout(seconds)
        return self._file

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return bool(self._file.closed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class GuardedResponse(http.client.HTTPResponse):
    """``http.client``'s answer with the rules of this module (see its docstring)."""

    def __init__(self, sock: socket.socket, debuglevel: int = 0, method: str | None = None,
                 url: str | None = None) -> None:
        super().__init__(sock, debuglevel, method, url)
        limits: AttemptLimits | None = getattr(_CURRENT, "limits", None)
        self.answer_limit = limits.max_bytes if limits is not None else None
        if limits is not None and limits.deadline is not None:
            self.fp = _DeadlineReader(self.fp, sock, limits.deadline)  # type: ignore[assignment]

    def stream_within(self, seconds: float | None) -> None:
        """From now on (the body of a streamed answer): each read within ``seconds`` (None: no
        limit) instead of the attempt's deadline, and chunks of any size."""
        self.answer_limit = None
        reader: Any = self.fp
        if isinstance(reader, _DeadlineReader):
            self.fp = reader.unwrapped(seconds)

    def _read_status(self) -> tuple[str, int, str]:
        for _ in range(MAX_INTERIM_ANSWERS + 1):
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status <= 199:
                return version, status, reason
            if status == 101:
                raise FramingError("the server switched protocols (101) although nothing asked it to")
            http.client.parse_headers(self.fp)  # the interim answer's header block, dropped
        raise FramingError(f"the server sent more than {MAX_INTERIM_ANSWERS} interim (1xx) answers")

    def _read_next_chunk_size(self) -> int:
        line = self.fp.readline(_MAX_LINE + 1)
        if not line:  # the connection ended: a cut answer (a connection error), not a framing lie
            self._close_conn()  # type: ignore[attr-defined]
            raise http.client.IncompleteRead(b"")
        if len(line) > _MAX_LINE:
            raise FramingError("a chunk-size line is too long")
        size = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size):
            self._close_conn()  # type: ignore[attr-defined]
            raise FramingError("a chunk size is not a hexadecimal number")
        value = int(size, 16)
        if self.answer_limit is not None and value > self.answer_limit:
            self._close_conn()  # type: ignore[attr-defined]
            raise FramingError(f"a chunk of {value} bytes is larger than the maximum answer size "
                               f"({self.answer_limit} bytes)")
        return value


def guard_pool(pool: Any) -> None:
    """Make the connections a urllib3 pool opens from now on read :class:`GuardedResponse` answers."""
    base = pool.ConnectionCls
    if getattr(base, "response_class", None) is GuardedResponse:
        return
    pool.ConnectionCls = type(f"Guarded{base.__name__}", (base,), {"response_class": GuardedResponse})

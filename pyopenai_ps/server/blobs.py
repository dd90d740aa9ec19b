"""The bytes of uploaded and generated files.

A small file stays in memory; a larger one goes to an unnamed temporary file
(deleted by the OS when closed), so a 1 GB upload costs disk, not RAM, and a
download reads it back in chunks.  Reads take a per-blob lock around seek and
read, so concurrent downloads of one file do not disturb each other.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from typing import BinaryIO, Iterator

__all__ = ["Blob", "BlobWriter", "SPILL_BYTES", "CHUNK_BYTES"]

#: Above this size a blob lives in a temporary file rather than in memory.
SPILL_BYTES = 1024 * 1024
#: Size of the pieces a download is written in.
CHUNK_BYTES = 1024 * 1024


class Blob:
    """Immutable file content: ``size``, ``sha256`` (hex) and chunked reads."""

    def __init__(self, size: int, sha256: str, data: bytes | None = None,
                 file: BinaryIO | None = None) -> None:
        self.size = size
        self.sha256 = sha256
        self._data = data
        self._file = file
        self._lock = threading.Lock()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Blob":
        writer = BlobWriter()
        writer.write(data)
        return writer.finish()

    @property
    def in_memory(self) -> bool:
        return self._data is not None

    def read_at(self, offset: int, count: int) -> bytes:
        if self._data is not None:
            return self._data[offset:offset + count]
        with self._lock:
            if self._file is None:
                raise ValueError("the blob was closed")
            self._file.seek(offset)
            return self._file.read(count)

    def chunks(self, chunk_bytes: int = CHUNK_BYTES, limit: int | None = None) -> Iterator[bytes]:
        """The content in pieces (only the first ``limit`` bytes when given)."""
        end = self.size if limit is None else min(limit, self.size)
        offset = 0
        while offset < end:
            piece = self.read_at(offset, min(chunk_bytes, end - offset))
            if not piece:
                break
            offset += len(piece)
            yield piece

    def read_all(self) -> bytes:
        """All the bytes at once (for small files only: batch input, recordings)."""
        if self._data is not None:
            return self._data
        return b"".join(self.chunks())

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


class BlobWriter:
    """Collects bytes into a :class:`Blob`, spilling to a temporary file past ``spill_bytes``."""

    def __init__(self, spill_bytes: int = SPILL_BYTES) -> None:
        self._spill = spill_bytes
        self._buffer = bytearray()
        self._file: BinaryIO | None = None
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._hash.update(data)
        self.size += len(data)
        if self._file is not None:
            self._file.write(data)
            return
        self._buffer += data
        if len(self._buffer) > self._spill:
            self._file = tempfile.TemporaryFile(prefix="pyopenai-ps-blob-")
            self._file.write(self._buffer)
            self._buffer = bytearray()

    def finish(self) -> Blob:
        digest = self._hash.hexdigest()
        if self._file is None:
            return Blob(self.size, digest, data=bytes(self._buffer))
        self._file.flush()
        file, self._file = self._file, None
        return Blob(self.size, digest, file=file)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._buffer = bytearray()

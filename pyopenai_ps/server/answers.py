"""What an API route can answer besides a JSON body (bytes): file content and event streams."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from .blobs import Blob
from .sse import StreamSettings

__all__ = ["Emit", "TextDeltas", "StreamItem", "StreamAnswer", "BlobAnswer", "Answer"]


@dataclass(frozen=True)
class Emit:
    """One server-sent event: its name and a snapshot of the object it carries."""

    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class TextDeltas:
    """Stands for the ``thread.message.delta`` events that spell out ``text``; the
    stream writer cuts it up as ``StreamSettings`` say."""

    message_id: str
    text: str


StreamItem = Union[Emit, TextDeltas]


@dataclass
class StreamAnswer:
    """A ``text/event-stream`` answer: the events in order, then ``done``."""

    items: list[StreamItem]
    settings: StreamSettings = field(default_factory=StreamSettings)


@dataclass
class BlobAnswer:
    """File content, written in chunks with an exact Content-Length."""

    blob: Blob
    content_type: str = "application/octet-stream"
    filename: str | None = None


Answer = Union[bytes, StreamAnswer, BlobAnswer]

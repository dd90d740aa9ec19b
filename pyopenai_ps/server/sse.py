"""Server-sent events: the shape of the streams the server writes.

Each event is ``event: <name>`` and ``data: <json>`` lines and a blank line;
a stream ends with ``event: done`` / ``data: [DONE]``.  :class:`StreamSettings`
(``Store.streaming``) shapes every stream: how many ``thread.message.delta``
events carry the assistant's text and how big each is, and optional extras
that a robust parser must cope with (comment lines, ``id:`` lines, JSON spread
over several ``data:`` lines, CRLF line ends, events split across writes,
close-delimited instead of chunked framing).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

__all__ = ["StreamSettings", "encode_event", "encode_done", "compose_text", "split_text"]


@dataclass(frozen=True)
class StreamSettings:
    """How streams look.

    - ``deltas``: number of ``thread.message.delta`` events (>= 1).
    - ``delta_chars``: characters per delta; when set, the assistant's text is
      exactly ``deltas * delta_chars`` characters (its reply repeated), which
      is how a benchmark asks for 10,000 deltas of a given size.  When None the
      reply is split into ``deltas`` near-equal pieces.
    - ``event_ids``: add an ``id: <n>`` line to each event (n from 1).
    - ``comment_every``: write a ``: keep-alive`` comment line before every
      n-th event (0: never).
    - ``multiline_data``: spread each JSON payload over several ``data:`` lines
      (the lines join back, with newlines, into the same JSON).
    - ``crlf``: end lines with CRLF instead of LF.
    - ``write_bytes``: the stream is written in pieces of at most this many
      bytes (a small value splits events across writes and HTTP chunks).
    - ``framing``: ``"chunked"`` (the connection stays usable) or ``"close"``
      (no length, the server closes the connection at the end).
    """

    deltas: int = 4
    delta_chars: int | None = None
    event_ids: bool = False
    comment_every: int = 0
    multiline_data: bool = False
    crlf: bool = False
    write_bytes: int = 16384
    framing: str = "chunked"

    def __post_init__(self) -> None:
        for name, minimum in (("deltas", 1), ("comment_every", 0), ("write_bytes", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}")
        chars = self.delta_chars
        if chars is not None and (isinstance(chars, bool) or not isinstance(chars, int)
                                  or chars < 1):
            raise ValueError("delta_chars must be None or an integer >= 1")
        if self.deltas * (chars or 1) > 256 * 1024 * 1024:
            raise ValueError("deltas * delta_chars must stay under 256 MiB")
        for name in ("event_ids", "multiline_data", "crlf"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")
        if self.framing not in ("chunked", "close"):
            raise ValueError("framing must be 'chunked' or 'close'")

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "StreamSettings":
        known = {f.name for f in fields(cls)}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
        return cls(**dict(spec))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compose_text(reply: str, settings: StreamSettings) -> str:
    """The assistant's full text for ``reply`` under ``settings``."""
    if settings.delta_chars is not None:
        return _repeat_to(reply, settings.deltas * settings.delta_chars)
    if len(reply) < settings.deltas:
        return _repeat_to(reply, settings.deltas)
    return reply


def _repeat_to(text: str, size: int) -> str:
    unit = (text or "Hello!") + " "
    return (unit * (size // len(unit) + 1))[:size]


def split_text(text: str, settings: StreamSettings) -> list[str]:
    """``text`` cut into ``settings.deltas`` consecutive pieces (sizes differ by <= 1)."""
    count = settings.deltas
    size, extra = divmod(len(text), count)
    pieces, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def _data_lines(payload: Any, multiline: bool) -> list[str]:
    if not multiline:
        return ["data: " + json.dumps(payload, separators=(",", ":"), ensure_ascii=False)]
    return ["data: " + line for line in
            json.dumps(payload, indent=1, ensure_ascii=False).split("\n")]


def _encode(name: str, data_lines: list[str], seq: int, settings: StreamSettings) -> bytes:
    lines: list[str] = []
    if settings.comment_every and seq % settings.comment_every == 0:
        lines.append(": keep-alive")
    if settings.event_ids:
        lines.append(f"id: {seq}")
    lines.append(f"event: {name}")
    lines.extend(data_lines)
    end = "\r\n" if settings.crlf else "\n"
    return (end.join(lines) + end + end).encode("utf-8")


def encode_event(name: str, payload: Any, seq: int, settings: StreamSettings) -> bytes:
    """One event; ``seq`` (from 1) numbers it for ``id:`` lines and comments."""
    return _encode(name, _data_lines(payload, settings.multiline_data), seq, settings)


def encode_done(seq: int, settings: StreamSettings) -> bytes:
    """The closing ``done`` event (``data: [DONE]``, not JSON)."""
    return _encode("done", ["data: [DONE]"], seq, settings)

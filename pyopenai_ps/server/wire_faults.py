"""The wire faults: what the handler writes for ``interim``, ``drip``, ``bomb`` and ``framing``.

Each answer is planned as a list of steps, bytes to write or seconds to wait (through the server's
``sleep``), plus the headers that frame it and whether the connection closes after it.  The
handler builds the status line and headers (so every answer still carries its request id) and
writes the steps.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Callable, Union

from .faults import Fault

__all__ = ["WirePlan", "interim_heads", "plan_answer"]

Step = Union[bytes, float]

#: What a stalled length announces: ten gigabytes.
_STALLED_LENGTH = 10**10
_HUGE_CHUNK = 2**80


@dataclass
class WirePlan:
    """How to write one JSON answer: the framing headers, then the steps, then maybe a close."""

    framing: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    close: bool = False
    head_in_steps: bool = False  # the status line and headers are dripped among the steps


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Interim"


def interim_heads(fault: Fault) -> bytes:
    """The interim answers of an ``interim`` fault, each a status line, its headers and a blank line."""
    out = []
    for status in fault.statuses:
        lines = [f"HTTP/1.1 {status} {_phrase(status)}"] + [f"{k}: {v}" for k, v in fault.headers]
        out.append(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace"))
    return b"".join(out)


def _pieces(data: bytes, size: int, wait: float) -> list[Step]:
    steps: list[Step] = []
    for start in range(0, len(data), size):
        if start:
            steps.append(wait)
        steps.append(data[start:start + size])
    return steps


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


def _bomb(body: bytes, fault: Fault) -> bytes:
    padded = body + b" " * max(fault.inflated_bytes - len(body), 0)  # trailing spaces: still the same JSON
    if fault.encoding == "gzip":
        return gzip.compress(padded, compresslevel=9)
    return zlib.compress(padded, 9)


def _lie(body: bytes, fault: Fault) -> WirePlan:
    lie = fault.lie
    json_type = {"Content-Type": "application/json"}
    if lie == "length_overflow":
        return WirePlan({**json_type, "Content-Length": str(10**20)}, [body], close=True)
    if lie == "length_stall":
        return WirePlan({**json_type, "Content-Length": str(_STALLED_LENGTH)}, [body, fault.seconds], close=True)
    if lie == "length_conflict":
        return WirePlan({**json_type, "Content-Length": f"{len(body)}, {len(body) + 1}"}, [body], close=True)
    if lie == "length_short":
        return WirePlan({**json_type, "Content-Length": str(max(len(body) - 5, 0))}, [body])
    chunked = {**json_type, "Transfer-Encoding": "chunked"}
    size_line = {"chunk_negative": b"-5", "chunk_hex_prefix": b"0x%x" % len(body), "chunk_not_hex": b"zz",
                 "chunk_huge": b"%x" % _HUGE_CHUNK}[lie]
    return WirePlan(chunked, [size_line + b"\r\n" + body + b"\r\n" + b"0\r\n\r\n"], close=True)


def plan_answer(fault: Fault, body: bytes, head: Callable[[dict[str, str]], bytes]) -> WirePlan:
    """The plan for a JSON ``body`` under a drip, bomb or framing fault; ``head(framing)`` gives the
    status line and headers (used when the drip covers them too)."""
    if fault.kind == "bomb":
        packed = _bomb(body, fault)
        return WirePlan({"Content-Type": "application/json", "Content-Encoding": fault.encoding,
                         "Content-Length": str(len(packed))}, [packed])
    if fault.kind == "drip":
        framing = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        if fault.head:
            return WirePlan(framing, _pieces(head(framing) + body, fault.piece_bytes, fault.seconds),
                            head_in_steps=True)
        return WirePlan(framing, _pieces(body, fault.piece_bytes, fault.seconds))
    if fault.kind == "framing":
        return _lie(body, fault)
    raise ValueError(f"not a wire fault: {fault.kind}")

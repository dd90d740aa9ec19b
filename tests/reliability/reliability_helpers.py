"""Helpers shared by the reliability suite's modules."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any


def backoff(n: int) -> list[float]:
    """The delays of ``n`` retries without a usable server hint: 2**1, 2**2, ... seconds."""
    return [2.0 ** i for i in range(1, n + 1)]


def afters(server) -> list[str | None]:
    """The ``after`` cursor of every recorded request, in order (None for the first page)."""
    return [r.query.get("after", [None])[0] for r in server.requests]


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything in its ``__cause__`` / ``__context__`` chains."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def _attribute_texts(value: Any, depth: int = 0) -> Iterator[str]:
    yield repr(value)
    if depth > 4:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _attribute_texts(key, depth + 1)
            yield from _attribute_texts(item, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _attribute_texts(item, depth + 1)
    elif isinstance(value, str):
        yield value


def exception_texts(error: BaseException) -> list[str]:
    """Every text an exception offers: str, repr, args, each attribute (nested values too),
    along the whole cause/context chain, and the formatted traceback."""
    texts: list[str] = ["".join(traceback.format_exception(error))]
    for current in exception_chain(error):
        texts += [str(current), repr(current), type(current).__name__]
        for arg in current.args:
            texts += list(_attribute_texts(arg))
        attributes = dict(getattr(current, "__dict__", {}))
        for name in dir(current):
            if name.startswith("__") or name in attributes:
                continue
            try:
                value = getattr(current, name)
            except Exception:  # noqa: BLE001, S112 - a property that fails gives no text
                continue
            if not callable(value):
                attributes[name] = value
        for value in attributes.values():
            texts += list(_attribute_texts(value))
    return texts

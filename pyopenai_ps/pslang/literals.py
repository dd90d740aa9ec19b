"""What the line reader hands the binder besides plain values: numbers that keep their text, unset variables.

* A number that is a whole argument (``-Value 0x10``) is a :class:`~..spec.numbers.LiteralInt` or
  ``LiteralFloat`` remembering its token, as PowerShell's parser wraps a numeric argument with its
  text: a ``[string]`` parameter gets ``'0x10'`` back, a number parameter the number.  Inside a
  list, a hashtable or a pipeline head numbers are plain (PowerShell wraps only whole arguments).
* ``$env:NAME`` of a variable that is not set is an :class:`UnsetVariable`: null to the binder,
  which names the variable in any error it causes.
"""

from __future__ import annotations

import re
from typing import Any

from ..spec.numbers import LiteralFloat, LiteralInt

__all__ = ["UnsetVariable", "literal", "plain"]

_LONG_SUFFIX = re.compile(r"[lL](?:[kmgtpKMGTP][bB])?$")


class UnsetVariable:
    """``$env:NAME`` of a variable that is not set: null to the binder, which names it in any error."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def display(self) -> str:
        return f"$env:{self.name}"

    def __repr__(self) -> str:
        return f"UnsetVariable({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return other is None or (isinstance(other, UnsetVariable) and other.name == self.name)

    def __hash__(self) -> int:
        return hash(None)

    def __bool__(self) -> bool:
        return False


def literal(value: Any, text: str) -> Any:
    """A number that is a whole argument, with its token text (a ``[string]`` parameter gets the text)."""
    if isinstance(value, float):
        return LiteralFloat(value, text)
    kind = "Int64" if _LONG_SUFFIX.search(text) else None
    return LiteralInt(value, text, kind)


def plain(value: Any) -> Any:
    """A value inside a list, a hashtable or a pipeline head: a plain number, an unset variable is null.

    Only a number that is a whole argument keeps its token text, as in PowerShell.
    """
    if isinstance(value, UnsetVariable):
        return None
    if isinstance(value, LiteralFloat):
        return float(value)
    if isinstance(value, LiteralInt):
        return int(value)
    return value

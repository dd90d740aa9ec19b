"""The arguments of one call before binding, as PowerShell's ``ReparseUnboundArguments`` leaves them.

A PowerShell line hands the binder values and ``-Name`` tokens.  Each ``-Name`` without a value
is looked up: a switch takes True; any other parameter takes the next argument.  When that is
itself a ``-word``, it is MissingArgument if the word names a parameter (or has a ``:value``),
AmbiguousParameter if it is an ambiguous prefix, and otherwise the value, as text (``-Name -abc``
binds ``'-abc'``).  A ``-Name`` that names nothing stays where it is: it is reported only after
everything else bound (or collected by a ``remaining_arguments`` parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..pslang.parser import NO_ARGUMENT, ParameterToken, UnsetVariable
from .compiled import CompiledParameter
from .messages import missing_argument

__all__ = ["Argument", "reparse", "NO_ARGUMENT"]

Lookup = Callable[[str], "CompiledParameter | None"]


class Argument:
    """One argument: a value (``name`` None), or ``-name`` with or without its value."""

    __slots__ = ("name", "param", "value", "colon", "keyword")

    def __init__(self, name: str | None, value: Any, *, param: CompiledParameter | None = None,
                 colon: bool = False, keyword: bool = False) -> None:
        self.name = name
        self.value = value
        self.param = param
        self.colon = colon  #: the value came with the name (-Name:value, a Python keyword)
        self.keyword = keyword

    @property
    def text(self) -> str:
        """What PowerShell's ``ParameterText`` is: ``-name`` or ``-name:``."""
        return f"-{self.name}:" if self.colon else f"-{self.name}"

    @property
    def shown_name(self) -> str:
        """The name as ParameterAlreadyBound shows it: typed after a colon or as a keyword, else in full."""
        if self.param is not None and not self.colon:
            return self.param.name
        return self.name or ""


def reparse(command: str, arguments: Sequence[Any], lookup: Lookup) -> list[Argument]:
    """Pair each value-taking ``-Name`` with its value; ``lookup`` returns None for an unknown name."""
    result: list[Argument] = []
    count = len(arguments)
    i = 0
    while i < count:
        item = arguments[i]
        i += 1
        if not isinstance(item, ParameterToken):
            result.append(Argument(None, item))
            continue
        if item.argument is not NO_ARGUMENT:
            result.append(Argument(item.name, item.argument, colon=True))
            continue
        param = lookup(item.name)
        if param is None:
            result.append(Argument(item.name, NO_ARGUMENT))
            continue
        if param.is_switch:
            result.append(Argument(item.name, True, param=param))
            continue
        if i >= count:
            raise missing_argument(command, param)
        following = arguments[i]
        if isinstance(following, ParameterToken):
            if following.argument is not NO_ARGUMENT or lookup(following.name) is not None:
                raise missing_argument(command, param)
            value: Any = following.text  # '-abc' naming nothing is the value itself
        else:
            value = following
        i += 1
        result.append(Argument(item.name, value, param=param))
    return result


def unset_variable_of(value: Any) -> str | None:
    """``$env:NAME`` when the value is an environment variable that was not set."""
    return value.display if isinstance(value, UnsetVariable) else None

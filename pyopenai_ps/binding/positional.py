"""Positional binding, the remaining arguments, and what is left over (``ParameterBinderController``).

* Positions are filled in order from the unbound parameters of the sets still possible; each
  takes the next positional argument (a ``-name`` that named nothing takes the value after it
  along).  The default set is tried first, without conversion, then the other sets, then both
  again with conversion; a conversion that fails is final (``BindPositionalParametersInSet``).
  Two unbound parameters on one position in one set make any positional binding fail
  (AmbiguousPositionalParameterNoName), though the spec loads.
* A parameter with ``remaining_arguments`` then takes every argument still left: values, and
  unknown names as text (``-name``, ``-name:`` then the value); one collection alone is unwrapped.
* Whatever is still left is an error: the first one decides NamedParameterNotFound or
  PositionalParameterNotFound.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import ParameterBindingError
from ..secure import mask_key_shapes
from ..spec.model import CmdletSpec
from ..spec.numbers import plain_number
from .arguments import NO_ARGUMENT, Argument, unset_variable_of
from .compiled import CompiledCommand, CompiledParameter
from .messages import ambiguous_positional, ambiguous_set, named_not_found, positional_not_found
from .state import CommandLineState
from .values import NOT_BOUND


class Binder(Protocol):
    """What these stages need of the binder."""

    spec: CmdletSpec
    compiled: CompiledCommand

    def bind_value(self, param: CompiledParameter, value: Any, *, coerce: bool, origin: int = ...) -> Any: ...

__all__ = ["bind_positional", "bind_remaining", "report_leftover"]


def _refuse_shared_positions(binder: Binder, state: CommandLineState) -> None:
    valid = state.valid
    for _position, entries in binder.compiled.by_position:
        live = [(param, bits & valid) for param, bits in entries if bits & valid and param.index not in state.bound]
        for i, (first, first_bits) in enumerate(live):
            for second, second_bits in live[i + 1:]:
                if first_bits & second_bits:
                    raise ambiguous_positional(binder.spec.name, (first.name, second.name))


def _next_value(leftover: list[Argument], start: int, passed: list[Argument]) -> tuple[Argument | None, int]:
    """The next positional argument from ``start``; named ones (and a value right after each) are passed over."""
    k = start
    while k < len(leftover):
        argument = leftover[k]
        k += 1
        if argument.name is None:
            return argument, k
        passed.append(argument)
        if k < len(leftover) and leftover[k].name is None:
            passed.append(leftover[k])  # PowerShell takes it for the unknown name's value
            k += 1
    return None, k


def _bind_at(binder: Binder, state: CommandLineState, candidates: list[tuple[CompiledParameter, int]],
             argument: Argument) -> bool:
    default = binder.compiled.default_set & state.valid
    passes = (default, state.valid) if default else (state.valid,)
    for coerce in (False, True):
        for sets in passes:
            for param, bits in candidates:
                if not bits & sets:
                    continue
                value = binder.bind_value(param, argument.value, coerce=coerce)  # a line's values, or Python's alike
                if value is NOT_BOUND:
                    continue
                state.bound[param.index] = value
                state.valid &= param.set_mask
                return True
    return False


def bind_positional(binder: Binder, state: CommandLineState, leftover: list[Argument]) -> list[Argument]:
    """Bind what positions can take; returns the arguments still left, in their order."""
    if binder.compiled.shared_positions:
        _refuse_shared_positions(binder, state)
    result: list[Argument] = []
    k = 0
    for _position, entries in binder.compiled.by_position:
        candidates = [(p, bits) for p, bits in entries if bits & state.valid and p.index not in state.bound]
        if not candidates:
            continue
        argument, k = _next_value(leftover, k, result)
        if argument is None:
            break
        if not _bind_at(binder, state, candidates, argument):
            result.append(argument)
    result.extend(leftover[k:])
    return result


def _remaining_taker(binder: Binder, state: CommandLineState) -> CompiledParameter | None:
    params = binder.compiled.parameters
    takers = []
    for i in binder.compiled.remaining_parameters:
        param = params[i]
        sets = param.set_mask & state.valid
        first = sets & -sets  # PowerShell reads the parameter's data for the first set still possible
        if i not in state.bound and param.remaining_mask & first:
            takers.append(param)
    if len(takers) > 1:
        names = tuple(p.name for p in takers)
        detail = f"-{names[0]} and -{names[1]} both take the remaining arguments."
        raise ambiguous_set(binder.spec.name, detail, names)
    return takers[0] if takers else None


def bind_remaining(binder: Binder, state: CommandLineState, leftover: list[Argument]) -> list[Argument]:
    """Give what is left to the parameter that takes the remaining arguments, if the sets have one."""
    param = _remaining_taker(binder, state)
    if param is None:
        return leftover
    element = param.type.element or param.type
    keep_text = element.is_string  # '-Rest 0x10' gives a [string[]] '0x10', anything else the number
    values: list[Any] = []
    for argument in leftover:
        if argument.name is not None:
            values.append(argument.text)
        value = argument.value
        if value is not NO_ARGUMENT:
            values.append(None if unset_variable_of(value) else value if keep_text else plain_number(value))
    collected: Any = values
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        collected = values[0]  # 'Cmd 1,2,3' binds like 'Cmd 1 2 3'
    state.bound[param.index] = binder.bind_value(param, collected, coerce=True)
    state.valid &= param.set_mask
    return []


def _display(value: Any) -> str:
    """An argument as PowerShell's ToString() shows it in a message."""
    if value is None or unset_variable_of(value):
        return "$null"
    if value is True or value is False:
        return str(value)
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    if isinstance(value, Mapping):
        return "System.Collections.Hashtable"
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else str(value)


def report_leftover(binder: Binder, leftover: list[Argument]) -> ParameterBindingError:
    """The error for the first argument nothing took."""
    first = leftover[0]
    if first.name is not None:
        return named_not_found(binder.spec.name, binder.compiled, first.name, keyword=first.keyword)
    shown = first.value if isinstance(first.value, str) else _display(first.value)
    return positional_not_found(binder.spec.name, mask_key_shapes(shown))

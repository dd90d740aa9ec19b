"""The binder's errors, worded as PowerShell words them (ParameterBinderStrings.resx), with hints.

Where PowerShell's text names nothing (AmbiguousParameterSet) or a likely typo is plain, a
sentence is appended after PowerShell's wording: the parameters whose sets clash, the sets still
possible, the parameter a misspelled name most likely meant, an unset environment variable.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import ParameterBindingError
from .compiled import CompiledCommand, CompiledParameter, keyword_form

__all__ = [
    "ambiguous_set",
    "already_bound",
    "missing_argument",
    "named_not_found",
    "positional_not_found",
    "ambiguous_positional",
    "suggestion_for",
    "with_note",
]

_AMBIGUOUS_SET = (
    "Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be "
    "used together or an insufficient number of parameters were provided."
)


def _dashed(names: Iterable[str]) -> str:
    listed = [f"-{name}" for name in names]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def ambiguous_set(
    command: str, detail: str = "", parameters: Sequence[str] = ()
) -> ParameterBindingError:
    message = f"{_AMBIGUOUS_SET} {detail}".rstrip()
    return ParameterBindingError("AmbiguousParameterSet", message, command_name=command, parameters=tuple(parameters))


def clash_detail(compiled: CompiledCommand, bound: Sequence[CompiledParameter]) -> tuple[str, tuple[str, ...]]:
    """Which parameters cannot be used together: the first one that left no set, and those it clashes with."""
    mask = compiled.all_sets
    for i, param in enumerate(bound):
        if mask & param.set_mask:
            mask &= param.set_mask
            continue
        earlier = [q for q in bound[:i] if not q.set_mask & param.set_mask] or list(bound[:i])
        names = [q.name for q in earlier if q.set_mask != compiled.all_sets] or [q.name for q in earlier]
        sets = ", ".join(compiled.set_name(b) for b in compiled.set_bits(param.set_mask))
        return (
            f"-{param.name} (parameter set {sets}) cannot be used together with {_dashed(names)}.",
            (*names, param.name),
        )
    return "", tuple(q.name for q in bound)


def undecided_detail(compiled: CompiledCommand, valid: int, bound: Sequence[CompiledParameter]) -> tuple[str, tuple[str, ...]]:
    """Several sets remain and none is the default: name them, and a parameter that picks each."""
    pieces = []
    for bit in compiled.set_bits(valid):
        own = [p.name for p in compiled.parameters if p.set_mask == bit and not p.hidden]
        pieces.append(f"{compiled.set_name(bit)} (-{own[0]})" if own else compiled.set_name(bit))
    given = f" with {_dashed(p.name for p in bound)}" if bound else ""
    return (
        f"The parameter sets {', '.join(pieces)} are all still possible{given}; add a parameter that picks one.",
        tuple(p.name for p in bound),
    )


def already_bound(command: str, param: CompiledParameter, typed: str) -> ParameterBindingError:
    return ParameterBindingError(
        "ParameterAlreadyBound",
        f"Cannot bind parameter because parameter '{typed}' is specified more than once. To provide multiple values "
        'to parameters that can accept multiple values, use the array syntax. For example, "-parameter '
        'value1,value2,value3".',
        command_name=command,
        parameter_name=param.name,
    )


def missing_argument(command: str, param: CompiledParameter) -> ParameterBindingError:
    return ParameterBindingError(
        "MissingArgument",
        f"Missing an argument for parameter '{param.name}'. Specify a parameter of type "
        f"'{param.type.dotnet_name}' and try again.",
        command_name=command,
        parameter_name=param.name,
    )


def suggestion_for(compiled: CompiledCommand, typed: str, *, keyword: bool) -> str | None:
    """The name or alias a misspelled name most likely meant (hidden parameters are never offered)."""
    spelled: dict[str, str] = {}
    for param in compiled.parameters:
        if param.hidden:
            continue
        for name in param.names:
            shown = keyword_form(name) if keyword else name
            spelled.setdefault(shown.replace("_", "").lower() if keyword else name.lower(), shown)
    key = typed.replace("_", "").lower() if keyword else typed.lower()
    close = difflib.get_close_matches(key, list(spelled), n=1, cutoff=0.6)
    return spelled[close[0]] if close else None


def named_not_found(command: str, compiled: CompiledCommand, typed: str, *, keyword: bool) -> ParameterBindingError:
    suggestion = suggestion_for(compiled, typed, keyword=keyword)
    message = f"A parameter cannot be found that matches parameter name '{typed}'."
    if suggestion is not None:
        message += f" Did you mean {suggestion}=?" if keyword else f" Did you mean -{suggestion}?"
    return ParameterBindingError(
        "NamedParameterNotFound", message, command_name=command, parameter_name=typed, suggestion=suggestion
    )


def positional_not_found(command: str, shown: str) -> ParameterBindingError:
    return ParameterBindingError(
        "PositionalParameterNotFound",
        f"A positional parameter cannot be found that accepts argument '{shown}'.",
        command_name=command,
    )


def ambiguous_positional(command: str, names: Sequence[str]) -> ParameterBindingError:
    return ParameterBindingError(
        "AmbiguousPositionalParameterNoName",
        "Cannot bind positional parameters because no names were given.",
        command_name=command,
        parameters=tuple(names),
    )


def with_note(error: ParameterBindingError, note: str) -> ParameterBindingError:
    """The same error with a sentence added to its message."""
    attributes: dict[str, Any] = dict(error.__dict__)
    copy = ParameterBindingError.__new__(ParameterBindingError)
    copy.__dict__.update(attributes)
    copy.reword(f"{error.message} {note}")
    return copy

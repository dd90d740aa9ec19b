"""Named validators and transforms that specs refer to.

Each is implemented once here and referenced by name from any spec::

    validate:
      range: [1, 100]          # ValidateRange
      set: [asc, desc]         # ValidateSet (case-insensitive, as PowerShell's)
      not_null_or_empty: true  # ValidateNotNullOrEmpty
      object_id: {prefix: thread_, keys: [id, thread_id]}
      prefixed: {id: run_, thread_id: thread_}   # an object whose properties start so (a run)
    transform: [lowercase]      # see .transforms

A factory checks its arguments when the spec loads (raising ``ValueError``,
which the loader reports as a ``SpecError``) and returns a check that raises
:class:`ValidationFailure` with PowerShell's wording.  The flags
``allow_null``, ``allow_empty_string`` and ``allow_empty_collection`` are read
by the binder's mandatory-value check rather than run as checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ValidationFailure
from ..secure import SecureString
from .properties import get_property, read_id

__all__ = [
    "ValidationFailure",
    "Check",
    "VALIDATORS",
    "FLAGS",
    "make_validator",
]

Check = Callable[[Any], None]


def _elements(value: Any) -> list[Any]:
    """The elements an enumerated validator checks, refusing nulls as PowerShell does."""
    if value is None:
        raise ValidationFailure(
            "The argument is null, empty, or an element of the argument collection contains a null value. "
            "Supply a collection that does not contain any null values and then try the command again."
        )
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if any(item is None for item in items):
        raise ValidationFailure(
            "The argument is null. Provide a valid value for the argument, and then try running the command again."
        )
    return items


def _show(value: Any) -> str:
    if isinstance(value, SecureString):
        return "********"
    if value is True or value is False:
        return str(value)
    return str(value)


def _two_numbers(args: Any, what: str) -> tuple[Any, Any]:
    if isinstance(args, Mapping):
        unknown = set(args) - {"min", "max"}
        if unknown:
            raise ValueError(f"{what} takes 'min' and 'max', not {sorted(unknown)}")
        low, high = args.get("min"), args.get("max")
    elif isinstance(args, (list, tuple)) and len(args) == 2:
        low, high = args
    else:
        raise ValueError(f"{what} takes [min, max] or {{min: .., max: ..}}")
    for bound in (low, high):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            raise ValueError(f"{what} bounds must be numbers or null")
    if low is not None and high is not None and low > high:
        raise ValueError(f"{what} minimum {low} is greater than maximum {high}")
    return low, high


def _range(args: Any) -> Check:
    low, high = _two_numbers(args, "range")

    def check(value: Any) -> None:
        for item in _elements(value):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                limit = type(low if low is not None else high).__name__
                limit = {"int": "Int32", "float": "Double"}.get(limit, limit)
                raise ValidationFailure(
                    f'The argument cannot be validated because its type "{type(item).__name__}" is not the same '
                    f"type ({limit}) as the maximum and minimum limits of the parameter. Make sure the argument "
                    f"is of type {limit} and then try the command again."
                )
            if low is not None and item < low:
                raise ValidationFailure(
                    f"The {_show(item)} argument is less than the minimum allowed range of {low}. Supply an "
                    f"argument that is greater than or equal to {low} and then try the command again."
                )
            if high is not None and item > high:
                raise ValidationFailure(
                    f"The {_show(item)} argument is greater than the maximum allowed range of {high}. Supply an "
                    f"argument that is less than or equal to {high} and then try the command again."
                )

    return check


def _set(args: Any) -> Check:
    ignore_case = True
    if isinstance(args, Mapping):
        unknown = set(args) - {"values", "ignore_case"}
        if unknown:
            raise ValueError(f"set takes 'values' and 'ignore_case', not {sorted(unknown)}")
        values, ignore_case = args.get("values"), args.get("ignore_case", True)
        if not isinstance(ignore_case, bool):
            raise ValueError("set ignore_case must be true or false")
    else:
        values = args
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError("set takes a non-empty list of values")
    allowed = [str(v) for v in values]
    keys = {v.lower() for v in allowed} if ignore_case else set(allowed)
    shown = ",".join(allowed)

    def check(value: Any) -> None:
        for item in _elements(value):
            text = "" if item is None else str(item)
            if (text.lower() if ignore_case else text) not in keys:
                raise ValidationFailure(
                    f'The argument "{text}" does not belong to the set "{shown}" specified by the '
                    "ValidateSet attribute. Supply an argument that is in the set and then try the command again."
                )

    return check


def _not_null_or_empty(args: Any) -> Check:
    if args is not True:
        raise ValueError("not_null_or_empty takes true")

    def check(value: Any) -> None:
        if isinstance(value, (list, tuple)):
            if not value or any(item is None or item == "" for item in value):
                raise ValidationFailure(
                    "The argument is null, empty, or an element of the argument collection contains a null "
                    "value. Supply a collection that does not contain any null values and then try the "
                    "command again."
                )
        elif value is None or value == "" or (isinstance(value, (dict, SecureString)) and not value):
            raise ValidationFailure(
                "The argument is null or empty. Provide an argument that is not null or empty, and then try "
                "the command again."
            )

    return check


def _not_null(args: Any) -> Check:
    if args is not True:
        raise ValueError("not_null takes true")

    def check(value: Any) -> None:
        if value is None:
            raise ValidationFailure(
                "The argument is null. Provide a valid value for the argument, and then try running the "
                "command again."
            )

    return check


def _length(args: Any) -> Check:
    low, high = _two_numbers(args, "length")

    def check(value: Any) -> None:
        for item in _elements(value):
            size = len(str(item))
            if low is not None and size < low:
                raise ValidationFailure(
                    f"The character length ({size}) of the argument is too short. Specify an argument with a "
                    f'length that is greater than or equal to "{low}", and then try the command again.'
                )
            if high is not None and size > high:
                raise ValidationFailure(
                    f"The character length ({size}) of the argument is too long. Specify an argument with a "
                    f'length that is shorter than or equal to "{high}", and then try the command again.'
                )

    return check


def _count(args: Any) -> Check:
    low, high = _two_numbers(args, "count")

    def check(value: Any) -> None:
        size = len(value) if isinstance(value, (list, tuple)) else 1
        if (low is not None and size < low) or (high is not None and size > high):
            if low == high:
                raise ValidationFailure(f"The parameter requires exactly {low} value(s) - {size} value(s) were provided.")
            raise ValidationFailure(
                f"The parameter requires at least {low} value(s) and no more than {high} value(s) - "
                f"{size} value(s) were provided."
            )

    return check


def _pattern(args: Any) -> Check:
    if not isinstance(args, str):
        raise ValueError("pattern takes a regular expression string")
    try:
        compiled = re.compile(args, re.IGNORECASE)  # ValidatePattern ignores case by default
    except re.error as exc:
        raise ValueError(f"pattern is not a valid regular expression: {exc}") from None

    def check(value: Any) -> None:
        for item in _elements(value):
            text = _show(item)
            if not compiled.search(text):
                raise ValidationFailure(
                    f'The argument "{text}" does not match the "{args}" pattern. Supply an argument that '
                    f'matches "{args}" and try the command again.'
                )

    return check


def _object_id(args: Any) -> Check:
    """The value is an id, or an object an id with a prefix can be read from."""
    if not isinstance(args, Mapping):
        raise ValueError("object_id takes {prefix: .., keys: [..]}")
    unknown = set(args) - {"prefix", "keys", "accept_string"}
    if unknown:
        raise ValueError(f"object_id takes 'prefix', 'keys' and 'accept_string', not {sorted(unknown)}")
    prefix, keys = args.get("prefix"), args.get("keys")
    accept_string = args.get("accept_string", True)
    if not isinstance(prefix, str) or not prefix:
        raise ValueError("object_id needs a non-empty string 'prefix'")
    if not isinstance(keys, (list, tuple)) or not keys or not all(isinstance(k, str) for k in keys):
        raise ValueError("object_id needs 'keys', a non-empty list of property names")
    if not isinstance(accept_string, bool):
        raise ValueError("object_id accept_string must be true or false")
    keys_text = " or ".join(f"'{k}'" for k in keys)

    def check(value: Any) -> None:
        if read_id(value, prefix, keys, accept_string=accept_string) is None:
            if value is None:
                what = "The argument is null"
            elif isinstance(value, str):
                what = "The argument is an empty string"
            else:
                what = f'An object of type "{type(value).__name__}" was given'
            raise ValidationFailure(
                f"{what}; an id is required: a non-empty string, or an object whose {keys_text} "
                f"property starts with '{prefix}'."
            )

    return check


def _prefixed(args: Any) -> Check:
    """An object (not a string) whose named properties are strings starting with the given prefixes, as
    PSOpenAI's run cmdlets check a run: ``{id: run_, thread_id: thread_}``."""
    if (not isinstance(args, Mapping) or not args
            or not all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in args.items())):
        raise ValueError("prefixed takes a mapping of property name to prefix, such as {id: run_}")
    wanted = tuple(args.items())
    shown = " and ".join(f"whose '{name}' starts with '{prefix}'" for name, prefix in wanted)

    def check(value: Any) -> None:
        for name, prefix in wanted:
            found = get_property(value, name)
            if not isinstance(found, str) or not found.startswith(prefix):
                what = ("The argument is a string" if isinstance(value, str) else "The argument is null"
                        if value is None else f'An object of type "{type(value).__name__}" was given')
                raise ValidationFailure(f"{what}; an object {shown} is required.")

    return check


VALIDATORS: dict[str, Callable[[Any], Check]] = {
    "range": _range,
    "set": _set,
    "not_null_or_empty": _not_null_or_empty,
    "not_null": _not_null,
    "length": _length,
    "count": _count,
    "pattern": _pattern,
    "object_id": _object_id,
    "prefixed": _prefixed,
}

#: Validation keys that are flags for the binder, not checks.
FLAGS = frozenset({"allow_null", "allow_empty_string", "allow_empty_collection"})


def make_validator(name: str, args: Any) -> Check:
    """Build a named check; ``KeyError`` for an unknown name, ``ValueError`` for bad arguments."""
    return VALIDATORS[name](args)

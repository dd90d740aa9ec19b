"""Named validators and transforms that specs refer to.

Each is implemented once here and referenced by name from any spec::

    validate:
      range: [1, 100]                # ValidateRange(1, 100); or a kind: Positive, NonNegative, ...
      set: [asc, desc]               # ValidateSet (case-insensitive, as PowerShell's)
      not_null: true                 # ValidateNotNull
      not_null_or_empty: true        # ValidateNotNullOrEmpty
      not_null_or_white_space: true  # ValidateNotNullOrWhiteSpace
      length: [1, 64]                # ValidateLength
      count: [1, 10]                 # ValidateCount
      pattern: '^[a-z]+$'            # ValidatePattern (ignoring case)
      object_id: {prefix: thread_, keys: [id, thread_id]}
      object_id: {prefix: vs_, keys: [id], each: true}   # every element of an array
      has_keys: [name]               # every element is a dictionary or object with these properties
      prefixed: {id: run_, thread_id: thread_}   # an object whose properties start so (a run)
    transform: [lowercase]      # see .transforms

A factory checks its arguments when the spec loads (raising ``ValueError``, which the loader
reports as a ``SpecError``) and returns a check that raises :class:`ValidationFailure` with
PowerShell's wording (Metadata.resx) and inner error id.  The flags ``allow_null``,
``allow_empty_string`` and ``allow_empty_collection`` are read by the binder's mandatory-value
check rather than run as checks.  The range validators live in :mod:`.ranges`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sized
from typing import Any

from ..errors import ValidationFailure
from .properties import MISSING, get_property, read_id
from .ranges import make_range
from .typebase import ParamType, dotnet_text

__all__ = ["ValidationFailure", "Check", "VALIDATORS", "FLAGS", "make_validator", "is_white_space"]

Check = Callable[[Any], None]

#: Characters .NET's char.IsWhiteSpace accepts (Python's str.isspace also takes U+001C-U+001F).
_DOTNET_WHITE_SPACE = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                                + "".join(map(chr, range(0x2000, 0x200B))))
#: Values PowerShell validates element by element (a string, a dictionary, an iterator are one value).
_COLLECTIONS = (list, tuple)
_BYTE_STRINGS = (bytes, bytearray, memoryview)

_NOT_NULL = "The argument is null. Provide a valid value for the argument, and then try running the command again."
_NOT_NULL_COLLECTION = ("The argument has a null value, or an element of the argument collection contains a null value. "
                        "Provide a collection that does not contain any null values, and then try the command again.")
_NOT_EMPTY = ("The argument is null or empty. Provide an argument that is not null or empty, and then try the command "
              "again.")
_NOT_EMPTY_COLLECTION = ("The argument is null, empty, or an element of the argument collection contains a null value. "
                         "Supply a collection that does not contain any null values and then try the command again.")
_NOT_WHITE = ("The argument is null, empty, or consists of only white-space characters. Provide an argument that "
              "contains non white-space characters, and then try the command again.")
_NOT_WHITE_COLLECTION = ("An element of the argument collection is null, empty, or consists of only white-space "
                         "characters. Supply a collection that does not contain any those values and then try the "
                         "command again.")


def is_white_space(text: str) -> bool:
    """.NET's ``string.IsNullOrWhiteSpace`` for a string."""
    return all(c in _DOTNET_WHITE_SPACE for c in text)


def elements(value: Any) -> tuple[Any, ...] | list[Any]:
    """What an enumerating validator checks: a list's items, else the value itself (never consumed)."""
    if value is None:
        raise ValidationFailure(_NOT_EMPTY_COLLECTION, "ArgumentIsEmpty")
    if isinstance(value, _COLLECTIONS):
        return value
    if isinstance(value, _BYTE_STRINGS):
        return list(value)
    return (value,)


def _element_text(item: Any) -> str:
    return item if isinstance(item, str) else dotnet_text(item)


def _elements_are_values(param_type: ParamType | None) -> bool:
    """Whether the declared type is an array of a .NET value type (its elements cannot be null)."""
    return param_type is not None and param_type.element is not None and param_type.element.value_type


def _checked_true(args: Any, name: str) -> None:
    if args is not True:
        raise ValueError(f"{name} takes true")


# --- ValidateSet, ValidatePattern -------------------------------------------------------------------


def _set(args: Any, param_type: ParamType | None) -> Check:
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
    keys = {v.casefold() for v in allowed} if ignore_case else set(allowed)
    shown = ",".join(allowed)

    def check(value: Any) -> None:
        for item in elements(value):
            if item is None:
                raise ValidationFailure(_NOT_NULL, "ArgumentIsEmpty")
            text = _element_text(item)
            if (text.casefold() if ignore_case else text) not in keys:
                raise ValidationFailure(
                    f'The argument "{dotnet_text(item)}" does not belong to the set "{shown}" specified by the '
                    "ValidateSet attribute. Supply an argument that is in the set and then try the command again.",
                    "ValidateSetFailure",
                )

    return check


def _pattern(args: Any, param_type: ParamType | None) -> Check:
    if not isinstance(args, str) or not args:
        raise ValueError("pattern takes a regular expression string")
    try:
        compiled = re.compile(args, re.IGNORECASE)  # ValidatePattern ignores case by default
    except re.error as exc:
        raise ValueError(f"pattern is not a valid regular expression: {exc}") from None

    def check(value: Any) -> None:
        for item in elements(value):
            if item is None:
                raise ValidationFailure(_NOT_NULL, "ArgumentIsEmpty")
            if not compiled.search(_element_text(item)):
                raise ValidationFailure(
                    f'The argument "{dotnet_text(item)}" does not match the "{args}" pattern. Supply an argument '
                    f'that matches "{args}" and try the command again.',
                    "ValidatePatternFailure",
                )

    return check


# --- ValidateNotNull, ValidateNotNullOrEmpty, ValidateNotNullOrWhiteSpace ----------------------------


def _not_null(args: Any, param_type: ParamType | None) -> Check:
    _checked_true(args, "not_null")
    skip_elements = _elements_are_values(param_type)

    def check(value: Any) -> None:
        if value is None:
            raise ValidationFailure(_NOT_NULL, "ArgumentIsNull")
        if isinstance(value, _COLLECTIONS) and not skip_elements and any(item is None for item in value):
            raise ValidationFailure(_NOT_NULL_COLLECTION, "ArgumentIsNull")

    return check


def _not_null_or(white_space: bool) -> Callable[[Any, ParamType | None], Check]:
    """ValidateNotNullOrEmpty, or with ``white_space`` ValidateNotNullOrWhiteSpace."""
    name = "not_null_or_white_space" if white_space else "not_null_or_empty"

    def factory(args: Any, param_type: ParamType | None) -> Check:
        _checked_true(args, name)
        skip_elements = _elements_are_values(param_type)

        def blank(text: str) -> bool:
            return is_white_space(text) if white_space else text == ""

        def check(value: Any) -> None:
            if value is None:
                raise ValidationFailure(_NOT_EMPTY, "ArgumentIsNull")
            if isinstance(value, str):
                if blank(value):
                    if white_space:
                        raise ValidationFailure(_NOT_WHITE, "ArgumentIsEmptyOrWhiteSpace")
                    raise ValidationFailure(_NOT_EMPTY, "ArgumentIsEmpty")
            elif isinstance(value, (*_COLLECTIONS, *_BYTE_STRINGS)):
                if len(value) == 0:
                    raise ValidationFailure(_NOT_EMPTY_COLLECTION, "ArgumentIsEmpty")
                if skip_elements or isinstance(value, _BYTE_STRINGS):
                    return
                for item in value:
                    if item is None:
                        raise ValidationFailure(_NOT_EMPTY_COLLECTION, "ArgumentIsNull")
                    if isinstance(item, str) and blank(item):
                        if white_space:
                            raise ValidationFailure(_NOT_WHITE_COLLECTION, "ArgumentCollectionContainsEmptyOrWhiteSpace")
                        raise ValidationFailure(_NOT_EMPTY_COLLECTION, "ArgumentCollectionContainsEmpty")
            elif isinstance(value, Mapping) and len(value) == 0:
                raise ValidationFailure(_NOT_EMPTY_COLLECTION, "ArgumentIsEmpty")

        return check

    return factory


# --- ValidateLength, ValidateCount ----------------------------------------------------------------


def _bounds(args: Any, what: str) -> tuple[int, int]:
    """``[min, max]`` of ValidateLength/ValidateCount, refused as PowerShell's constructors refuse them."""
    if isinstance(args, Mapping):
        unknown = set(args) - {"min", "max"}
        if unknown:
            raise ValueError(f"{what} takes 'min' and 'max', not {sorted(unknown)}")
        if "min" not in args or "max" not in args:
            raise ValueError(f"{what} takes both 'min' and 'max'")
        low, high = args["min"], args["max"]
    elif isinstance(args, (list, tuple)) and len(args) == 2:
        low, high = args
    else:
        raise ValueError(f"{what} takes [min, max] or {{min: .., max: ..}}")
    for bound in (low, high):
        if isinstance(bound, bool) or not isinstance(bound, int):
            raise ValueError(f"{what} bounds must be whole numbers")
    if low < 0:
        raise ValueError(f"{what} minimum {low} is negative (PowerShell refuses it)")
    if high <= 0:
        raise ValueError(f"{what} maximum {high} must be greater than 0 (PowerShell refuses it)")
    if high < low:
        raise ValueError(f"{what} maximum {high} is smaller than the minimum {low}")
    return low, high


def _length(args: Any, param_type: ParamType | None) -> Check:
    low, high = _bounds(args, "length")

    def check(value: Any) -> None:
        for item in elements(value):
            if not isinstance(item, str):
                raise ValidationFailure(
                    "The ValidateLength attribute cannot be applied to a parameter that is not a string or string[] "
                    "parameter. Make the parameter a string or string[] parameter.",
                    "ValidateLengthNotString",
                )
            size = len(item)
            if size < low:
                raise ValidationFailure(
                    f"The character length ({size}) of the argument is too short. Specify an argument with a "
                    f'length that is greater than or equal to "{low}", and then try the command again.',
                    "ValidateLengthMinLengthFailure",
                )
            if size > high:
                raise ValidationFailure(
                    f"The character length ({size}) of the argument is too long. Specify an argument with a "
                    f'length that is shorter than or equal to "{high}", and then try the command again.',
                    "ValidateLengthMaxLengthFailure",
                )

    return check


def _count(args: Any, param_type: ParamType | None) -> Check:
    low, high = _bounds(args, "count")

    def check(value: Any) -> None:
        if value is None:
            size = 0  # a null list counts as empty
        elif isinstance(value, Sized) and hasattr(value, "__iter__"):
            size = len(value)  # a string counts its characters, as an IEnumerable does
        else:
            raise ValidationFailure(
                "The ValidateCount attribute cannot be applied to a non-array parameter. Either remove the "
                "attribute from the parameter or make the parameter an array parameter.",
                "NotAnArrayParameter",
            )
        if low == high and size != high:
            raise ValidationFailure(
                f"The parameter requires exactly {high} value(s) - {size} value(s) were provided.",
                "ValidateCountExactFailure",
            )
        if size < low or size > high:
            raise ValidationFailure(
                f"The parameter requires at least {low} value(s) and no more than {high} value(s) - "
                f"{size} value(s) were provided.",
                "ValidateCountMinMaxFailure",
            )

    return check


# --- object ids (this package's own) ---------------------------------------------------------------


def _object_id(args: Any, param_type: ParamType | None) -> Check:
    """The value is an id, or an object an id with a prefix can be read from (``each``: every element is)."""
    if not isinstance(args, Mapping):
        raise ValueError("object_id takes {prefix: .., keys: [..]}")
    unknown = set(args) - {"prefix", "keys", "accept_string", "each"}
    if unknown:
        raise ValueError(f"object_id takes 'prefix', 'keys', 'accept_string' and 'each', not {sorted(unknown)}")
    prefix, keys = args.get("prefix"), args.get("keys")
    accept_string, each = args.get("accept_string", True), args.get("each", False)
    if not isinstance(prefix, str) or not prefix:
        raise ValueError("object_id needs a non-empty string 'prefix'")
    if not isinstance(keys, (list, tuple)) or not keys or not all(isinstance(k, str) for k in keys):
        raise ValueError("object_id needs 'keys', a non-empty list of property names")
    if not isinstance(accept_string, bool) or not isinstance(each, bool):
        raise ValueError("object_id accept_string and each must be true or false")
    keys_text = " or ".join(f"'{k}'" for k in keys)

    def check_one(value: Any) -> None:
        if read_id(value, prefix, keys, accept_string=accept_string) is None:
            if value is None:
                what = "The argument is null"
            elif isinstance(value, str):
                what = "The argument is an empty string"
            else:
                what = f'An object of type "{type(value).__name__}" was given'
            raise ValidationFailure(
                f"{what}; an id is required: a non-empty string, or an object whose {keys_text} "
                f"property starts with '{prefix}'.",
                "ObjectIdNotReadable",
            )

    def check_each(value: Any) -> None:
        for item in elements(value):  # a script validator on an array parameter runs once per element
            check_one(item)

    return check_each if each else check_one


def _has_keys(args: Any, param_type: ParamType | None) -> Check:
    """Each element is a dictionary (or object) whose named properties are there and not empty."""
    if not isinstance(args, (list, tuple)) or not args or not all(isinstance(k, str) and k for k in args):
        raise ValueError("has_keys takes a non-empty list of property names")
    names = tuple(args)

    def check(value: Any) -> None:
        for item in elements(value):
            for name in names:
                found = get_property(item, name)
                if found is MISSING or found is None or found == "":
                    raise ValidationFailure(
                        f"An element of the argument has no '{name}': each element must be a dictionary or "
                        f"object with {', '.join(repr(n) for n in names)}.",
                        "PropertyMissing",
                    )

    return check


def _prefixed(args: Any, param_type: ParamType | None) -> Check:
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
                raise ValidationFailure(f"{what}; an object {shown} is required.", "PropertyMissing")

    return check


VALIDATORS: dict[str, Callable[[Any, ParamType | None], Check]] = {
    "range": make_range,
    "set": _set,
    "not_null_or_empty": _not_null_or(white_space=False),
    "not_null_or_white_space": _not_null_or(white_space=True),
    "not_null": _not_null,
    "length": _length,
    "count": _count,
    "pattern": _pattern,
    "object_id": _object_id,
    "has_keys": _has_keys,
    "prefixed": _prefixed,
}

#: Validation keys that are flags for the binder, not checks.
FLAGS = frozenset({"allow_null", "allow_empty_string", "allow_empty_collection"})


def make_validator(name: str, args: Any, param_type: ParamType | None = None) -> Check:
    """Build a named check for a parameter of ``param_type``; ``KeyError`` for an unknown name,
    ``ValueError`` for bad arguments."""
    return VALIDATORS[name](args, param_type)


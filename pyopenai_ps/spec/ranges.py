"""ValidateRange: ``range: [min, max]`` and the kinds ``range: Positive`` (NonNegative, Negative, NonPositive).

PowerShell compares in one type.  For ``[min, max]`` that is the limits' type (``Int32`` for
``[1, 10]``, ``Double`` when either is a fraction); each value of another type is converted to it
first, so ``'5'`` and ``10.4`` pass ``[1, 10]`` and ``10.6`` fails as 11.  For a kind it is the
common type of ``Int32`` and the value's type (``Double`` for a double; a string has none).  A
value that does not convert fails with ``ValidationRangeElementType``, naming .NET types.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ConversionFailure, ValidationFailure
from .numbers import INTEGER_RANGES, float_type, integer_type
from .typebase import ParamType, dotnet_short_name, dotnet_text

__all__ = ["make_range", "range_description", "RANGE_KINDS"]

Check = Callable[[Any], None]

#: Each kind, its test against zero, and its message (Metadata.resx).
RANGE_KINDS: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "Positive": (lambda v: v > 0, "ValidateRangePositiveFailure", "is not greater than zero"),
    "NonNegative": (lambda v: v >= 0, "ValidateRangeNonNegativeFailure", "is not greater than or equal to zero"),
    "Negative": (lambda v: v < 0, "ValidateRangeNegativeFailure", "is not less than zero"),
    "NonPositive": (lambda v: v <= 0, "ValidateRangeNonPositiveFailure", "is not less than or equal to zero"),
}
_NOT_NULL = "The argument is null. Provide a valid value for the argument, and then try running the command again."
_NULL_ARGUMENT = ("The argument is null, empty, or an element of the argument collection contains a null value. "
                  "Supply a collection that does not contain any null values and then try the command again.")
_SMALL_INTEGERS = ("SByte", "Byte", "Int16", "UInt16", "Int32")
_DOUBLE = float_type("Double", "Double")


def _element_type_error(element: Any, limit_type: str) -> ValidationFailure:
    return ValidationFailure(
        f'The argument cannot be validated because its type "{dotnet_short_name(element)}" is not the same type '
        f"({limit_type}) as the maximum and minimum limits of the parameter. Make sure the argument is of type "
        f"{limit_type} and then try the command again.",
        "ValidationRangeElementType",
    )


def _convert(element: Any, target: str) -> Any:
    """``LanguagePrimitives.TryConvertTo(element, target)``; ConversionFailure when it does not."""
    if target == "Double":
        if isinstance(element, (int, float, decimal.Decimal)):
            return float(element)
        if isinstance(element, str):
            return _DOUBLE.convert(element, "")
        raise ConversionFailure("not a number")
    if target == "Decimal":
        try:
            return decimal.Decimal(str(element)) if not isinstance(element, bool) else decimal.Decimal(int(element))
        except decimal.InvalidOperation:
            raise ConversionFailure("not a number") from None
    if isinstance(element, (int, float, str, decimal.Decimal)) or hasattr(element, "enum_value"):
        return integer_type(target).convert(element, "")
    raise ConversionFailure("not a number")


def _elements(value: Any) -> Any:
    if value is None:
        raise ValidationFailure(_NULL_ARGUMENT, "ArgumentIsEmpty")
    if isinstance(value, (list, tuple, bytes, bytearray, memoryview)):
        return value
    return (value,)


def _kind_type(element: Any) -> str | None:
    """GetCommonType(Int32, the element's type): the type a kind compares in, or None."""
    if isinstance(element, (str, datetime.datetime)) and not hasattr(element, "enum_value"):
        return None
    if isinstance(element, bool) or hasattr(element, "enum_value"):
        return "Int32"
    name = dotnet_short_name(element)
    if name in _SMALL_INTEGERS or name in ("Int64",):
        return "Int32" if name in _SMALL_INTEGERS else "Int64"
    if name in ("UInt32", "UInt64", "Double", "Single"):
        return "Double"
    if name == "Decimal":
        return "Decimal"
    return "Int32"  # any other object: TypeCode.Object, which is below Int32


def _kind(name: str) -> Check:
    test, error_id, text = RANGE_KINDS[name]

    def check(value: Any) -> None:
        for element in _elements(value):
            if element is None:
                raise ValidationFailure(_NOT_NULL, "ArgumentIsEmpty")
            if isinstance(element, datetime.timedelta):
                converted: Any = element.total_seconds()
            else:
                common = _kind_type(element)
                if common is None:
                    raise _element_type_error(element, "Int32")
                try:
                    converted = _convert(element, common)
                except ConversionFailure:
                    raise _element_type_error(element, common) from None
            if not test(converted):
                shown = str(element) if isinstance(element, datetime.timedelta) else dotnet_text(converted)
                raise ValidationFailure(f'The argument "{shown}" cannot be validated because its value {text}.',
                                        error_id)

    return check


def _limit_type(low: Any, high: Any) -> str:
    limits = [bound for bound in (low, high) if bound is not None]
    if any(isinstance(bound, float) for bound in limits):
        return "Double"
    low32, high32, _ = INTEGER_RANGES["Int32"]
    return "Int32" if all(low32 <= bound <= high32 for bound in limits) else "Int64"


def _min_max(low: Any, high: Any) -> Check:
    limit_type = _limit_type(low, high)
    shown_low, shown_high = dotnet_text(low), dotnet_text(high)

    def check(value: Any) -> None:
        for element in _elements(value):
            if element is None:
                raise ValidationFailure(_NOT_NULL, "ArgumentIsEmpty")
            if dotnet_short_name(element) == limit_type:
                converted = element
            else:
                try:
                    converted = _convert(element, limit_type)
                except ConversionFailure:
                    raise _element_type_error(element, limit_type) from None
            if low is not None and converted < low:
                raise ValidationFailure(
                    f"The {dotnet_text(converted)} argument is less than the minimum allowed range of {shown_low}. "
                    f"Supply an argument that is greater than or equal to {shown_low} and then try the command again.",
                    "ValidateRangeTooSmall",
                )
            if high is not None and converted > high:
                raise ValidationFailure(
                    f"The {dotnet_text(converted)} argument is greater than the maximum allowed range of {shown_high}. "
                    f"Supply an argument that is less than or equal to {shown_high} and then try the command again.",
                    "ValidateRangeTooBig",
                )

    return check


def _kind_name(text: str) -> str:
    """A kind written ignoring case, or a unique prefix of one (PowerShell's enum disambiguation)."""
    key = text.strip().lower()
    exact = [kind for kind in RANGE_KINDS if kind.lower() == key]
    found = exact or [kind for kind in RANGE_KINDS if key and kind.lower().startswith(key)]
    if len(found) != 1:
        choices = ", ".join(RANGE_KINDS)
        why = "is ambiguous" if found else "is not a range kind"
        raise ValueError(f"range '{text}' {why}; use [min, max] or one of {choices}")
    return found[0]


def make_range(args: Any, param_type: ParamType | None = None) -> Check:
    """The check of ``range:``: ``[min, max]``, ``{min: .., max: ..}`` or a kind name."""
    if isinstance(args, str):
        return _kind(_kind_name(args))
    if isinstance(args, Mapping):
        unknown = set(args) - {"min", "max"}
        if unknown:
            raise ValueError(f"range takes 'min' and 'max', not {sorted(unknown)}")
        low, high = args.get("min"), args.get("max")
    elif isinstance(args, (list, tuple)) and len(args) == 2:
        low, high = args
    else:
        raise ValueError("range takes [min, max], {min: .., max: ..} or a kind (Positive, NonNegative, ...)")
    for bound in (low, high):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            raise ValueError("range bounds must be numbers or null (PowerShell: MinRangeNotTheSameTypeOfMaxRange)")
    if low is None and high is None:
        raise ValueError("range needs a minimum or a maximum")
    if low is not None and high is not None and low > high:
        raise ValueError(f"range minimum {low} is greater than maximum {high}")
    return _min_max(low, high)


def range_description(args: Any) -> tuple[Any, Any] | str | None:
    """What help shows of a ``range:``: ``(min, max)``, or the kind's name."""
    if isinstance(args, str):
        try:
            return _kind_name(args)
        except ValueError:
            return None
    if isinstance(args, Mapping):
        return (args.get("min"), args.get("max"))
    return (args[0], args[1])

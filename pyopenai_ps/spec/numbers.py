"""Numbers as PowerShell reads, converts and prints them.

* :func:`scan_number` reads text as a PowerShell number literal (``Parser.ScanNumber``): a sign,
  ``0x`` hex and ``0b`` binary (with PowerShell's sign-bit rule for 8/16/32/64 digits), decimals
  and exponents, the type suffixes ``y uy s us u ul l n d`` and the multipliers ``kb``..``pb``.
* :func:`integer_type` and :func:`float_type` build the numeric parameter types: text goes
  through the scanner, then .NET's integer parser, then ``double`` with thousands separators
  (``LanguagePrimitives.ConvertStringToInteger``); fractions round half to even; out of range is
  .NET's overflow message.
* :class:`LiteralInt` and :class:`LiteralFloat` are numbers written in a PowerShell line: they
  remember their token text, which a ``[string]`` parameter gets back (``-Value 0x10`` binds
  ``'0x10'``), as PowerShell's parser wraps a numeric argument with its text.

No digit string, however long, reaches Python's ``int()`` limit: such a number is simply too
large for every integer type.
"""

from __future__ import annotations

import decimal
import math
import re
from typing import Any

from ..errors import ConversionFailure
from .typebase import NO_MATCH, ParamType, array_to_scalar, cannot_convert, cannot_convert_type, is_sequence

__all__ = ["LiteralInt", "LiteralFloat", "scan_number", "integer_type", "float_type", "number_text",
           "INTEGER_RANGES", "to_integer", "plain_number"]

DASHES = "-\u2013\u2014\u2015"


class LiteralInt(int):
    """An integer that is a whole argument in a PowerShell line; ``text`` is its token."""

    text: str
    dotnet_kind: str

    def __new__(cls, value: int, text: str, kind: str | None = None) -> LiteralInt:
        self = super().__new__(cls, value)
        self.text = text
        self.dotnet_kind = kind or ("Int32" if -(2**31) <= value < 2**31 else "Int64")
        return self

    def __getnewargs__(self) -> tuple[int, str, str]:  # type: ignore[override]
        return (int(self), self.text, self.dotnet_kind)


class LiteralFloat(float):
    """A real number that is a whole argument in a PowerShell line; ``text`` is its token."""

    text: str
    dotnet_kind = "Double"

    def __new__(cls, value: float, text: str) -> LiteralFloat:
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __getnewargs__(self) -> tuple[float, str]:  # type: ignore[override]
        return (float(self), self.text)


def plain_number(value: Any) -> Any:
    """A number written in a line as the plain int or float it is (anything else unchanged)."""
    kind = type(value)
    if kind is LiteralInt:
        return int(value)
    if kind is LiteralFloat:
        return float(value)
    return value


# --- the scanner ----------------------------------------------------------------------------------

#: .NET integer types: name -> (smallest, largest, the article-and-name .NET's overflow message uses).
INTEGER_RANGES: dict[str, tuple[int, int, str]] = {
    "SByte": (-(2**7), 2**7 - 1, "a signed byte"),
    "Byte": (0, 2**8 - 1, "an unsigned byte"),
    "Int16": (-(2**15), 2**15 - 1, "an Int16"),
    "UInt16": (0, 2**16 - 1, "a UInt16"),
    "Int32": (-(2**31), 2**31 - 1, "an Int32"),
    "UInt32": (0, 2**32 - 1, "a UInt32"),
    "Int64": (-(2**63), 2**63 - 1, "an Int64"),
    "UInt64": (0, 2**64 - 1, "a UInt64"),
}
_DECIMAL_LIMIT = 79228162514264337593543950335
_SUFFIXES = {"y": "SByte", "uy": "Byte", "s": "Int16", "us": "UInt16", "l": "Int64", "u": "UInt32",
             "ul": "UInt64", "n": "BigInteger", "d": "Decimal", "": ""}
_MULTIPLIERS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
_SHAPE = re.compile(
    r"(?P<sign>[+\-\u2013\u2014\u2015]?)"
    r"(?:0[xX](?P<hex>[0-9a-fA-F]+)|0[bB](?P<bin>[01]+)"
    r"|(?P<dec>[0-9]+(?:\.(?![.])[0-9]*)?(?:[eE][+\-\u2013\u2014\u2015]?[0-9]+)?|\.[0-9]+(?:[eE][+\-\u2013\u2014\u2015]?[0-9]+)?))"
    r"(?P<suffix>u[lsy]?|[sldyn])?(?P<mult>[kmgtp]b)?",
    re.IGNORECASE,
)
#: Decimal digit strings longer than this are read as a double (Python's int() refuses such text).
_LONGEST_INTEGER_TEXT = 4000


def _signed_width(digits: str, width_bits: int, per_digit: int) -> int:
    """Digits read as two's complement when they fill the width exactly (PowerShell's sign bit)."""
    value = int(digits, 2 if per_digit == 1 else 16)
    if len(digits) * per_digit == width_bits and value >> (width_bits - 1):
        value -= 1 << width_bits
    return value


def _hex_value(digits: str, kind: str) -> tuple[int, str]:
    if kind.startswith("U") or kind in ("Byte", "BigInteger", "Decimal"):
        return int(digits, 16), kind
    width = {"SByte": 8, "Int16": 16, "Int64": 64}.get(kind, 32 if len(digits) < 16 else 64)
    value = _signed_width(digits, width, 4) if len(digits) * 4 == width else int(digits, 16)
    if len(digits) == 16 and kind == "":
        kind = "Int64"
    return value, kind


def _binary_value(digits: str, kind: str) -> tuple[int, str]:
    unsigned = kind.startswith("U") or kind == "Byte" or digits[0] == "0"
    if not unsigned and (len(digits) in (8, 16, 32, 64, 96) or len(digits) >= 128):
        value = _signed_width(digits, len(digits), 1)
    else:
        value = int(digits, 2)
    if len(digits) == 64 and kind == "":
        kind = "Int64"
    return value, kind


def _fit(value: int, kind: str, decimal_format: bool) -> tuple[Any, str] | None:
    """An integer in the type its suffix names, or the narrowest of Int32, Int64, Decimal, Double."""
    if kind == "BigInteger":
        return value, kind
    if kind == "Decimal":
        return (decimal.Decimal(value), kind) if abs(value) <= _DECIMAL_LIMIT else None
    if kind:
        candidates = ["UInt32", "UInt64"] if kind == "UInt32" else [kind]
    else:
        candidates = ["Int32", "Int64"]
    for name in candidates:
        low, high, _ = INTEGER_RANGES[name]
        if low <= value <= high:
            return value, name
    if kind or not decimal_format:
        return None
    if abs(value) <= _DECIMAL_LIMIT:
        return decimal.Decimal(value), "Decimal"
    return float(value), "Double"


def scan_number(text: str) -> tuple[Any, str] | None:
    """``(value, .NET type name)`` of text read as a PowerShell number, or None when it is none."""
    match = _SHAPE.fullmatch(text.strip())
    if match is None:
        return None
    negative = match.group("sign") not in ("", "+")
    kind = _SUFFIXES[(match.group("suffix") or "").lower()]
    multiplier = _MULTIPLIERS[match.group("mult")[0].lower()] if match.group("mult") else 1
    hexa, binary, dec = match.group("hex", "bin", "dec")
    if dec is not None and any(c in dec for c in ".eE"):
        return _real(dec, negative, kind, multiplier)
    if hexa is not None:
        value, kind = _hex_value(hexa, kind)
    elif binary is not None:
        value, kind = _binary_value(binary, kind)
    elif len(dec.lstrip("0")) > _LONGEST_INTEGER_TEXT:
        return (float("-inf") if negative else float("inf")), "Double"
    else:
        value = int(dec)
    value *= multiplier
    return _fit(-value if negative else value, kind, dec is not None)


def _real(text: str, negative: bool, kind: str, multiplier: int) -> tuple[Any, str] | None:
    text = re.sub(f"[{DASHES[1:]}]", "-", text)
    if kind == "Decimal":
        try:
            number = decimal.Decimal(text) * multiplier
        except decimal.InvalidOperation:
            return None
        return (-number if negative else number), kind
    value = float(text) * multiplier
    value = -value if negative else value
    if not kind:
        return value, "Double"
    if not math.isfinite(value):
        return None
    return _fit(int(value), kind, False)  # a real with a type suffix keeps its whole part


# --- conversion to the numeric types -------------------------------------------------------------


def _round_half_even(value: float | decimal.Decimal) -> int:
    return int(round(value))


def _dotnet_integer_parse(text: str) -> int | None:
    """What .NET's Int32Converter reads: ``0x`` hex, or an optionally signed run of digits."""
    stripped = text.strip()
    if stripped[:2].lower() in ("0x", "&h") and re.fullmatch(r"[0-9a-fA-F]+", stripped[2:]):
        return int(stripped[2:], 16)
    if re.fullmatch(r"[+-]?[0-9]+", stripped):
        if len(stripped) > _LONGEST_INTEGER_TEXT:
            return 10**100 if stripped[0] != "-" else -(10**100)  # too large for any integer type
        return int(stripped)
    return None


_DOUBLE_TEXT = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _through_double(text: str) -> float | None:
    """``double.Parse`` with the invariant culture, thousands separators allowed (``'1,000'``)."""
    stripped = text.strip()
    if not _DOUBLE_TEXT.fullmatch(stripped):
        return None
    return float(stripped.replace(",", ""))


def to_integer(value: Any, kind: str, original: Any) -> int:
    """A number (int, float, Decimal) as the integer type ``kind``, as ``Convert.ChangeType`` does."""
    low, high, article = INTEGER_RANGES[kind]
    dotnet = f"System.{kind}"
    if isinstance(value, float) and not math.isfinite(value):
        raise cannot_convert(original, dotnet, f"Value was either too large or too small for {article}.")
    if isinstance(value, (float, decimal.Decimal)):
        value = _round_half_even(value)
    if not low <= value <= high:
        raise cannot_convert(original, dotnet, f"Value was either too large or too small for {article}.")
    return int(value)


def _integer_from_text(text: str, kind: str) -> int:
    dotnet = f"System.{kind}"
    if not text.strip():
        return 0
    scanned = scan_number(text)
    if scanned is not None:
        try:
            return to_integer(scanned[0], kind, text)
        except ConversionFailure:
            pass  # .NET's own parser has the last word, and its message
    parsed = _dotnet_integer_parse(text)
    if parsed is not None:
        return to_integer(parsed, kind, text)
    through = _through_double(text)
    if through is not None and math.isfinite(through):
        low, high, _ = INTEGER_RANGES[kind]
        if low <= round(through) <= high:
            return _round_half_even(through)
    raise cannot_convert(text, dotnet, f"The input string '{text}' was not in a correct format.")


def _python_number_check(value: Any, keyword: bool) -> None:
    """Refuse what a Python caller would not expect rounded: a bool (keywords), a float with a fraction."""
    items = value if isinstance(value, (list, tuple)) else (value,)
    for item in items:
        if isinstance(item, bool) and keyword:
            raise ConversionFailure(
                f'Cannot convert the "{item}" value of type "System.Boolean" to a number: from Python, pass an '
                "int (a bool is not taken for 1 or 0)."
            )
        if type(item) is float and math.isfinite(item) and not item.is_integer():
            raise ConversionFailure(
                f'Cannot convert value "{item!r}" to an integer: it has a fractional part, and values passed from '
                "Python are not rounded; pass an int (for example round(value))."
            )


def _python_real_check(value: Any, keyword: bool) -> None:
    items = value if isinstance(value, (list, tuple)) else (value,)
    if keyword and any(isinstance(item, bool) for item in items):
        raise ConversionFailure(
            'Cannot convert a value of type "System.Boolean" to a number: from Python, pass a float or an int '
            "(a bool is not taken for 1 or 0)."
        )


def integer_type(kind: str) -> ParamType:
    dotnet = f"System.{kind}"
    low, high, _ = INTEGER_RANGES[kind]

    def matches(value: Any) -> bool:
        return type(value) is int and low <= value <= high

    def uncoerced(value: Any) -> Any:
        if type(value) is int:
            return value if low <= value <= high else NO_MATCH
        if type(value) is LiteralInt and value.dotnet_kind == kind:
            return int(value)  # a literal of this very type needs no conversion
        return NO_MATCH

    def convert(value: Any, parameter: str) -> int:
        if value is None:
            return 0
        if is_sequence(value):
            raise array_to_scalar(value, dotnet)
        if isinstance(value, bool):
            return int(value)
        number = getattr(value, "enum_value", None)  # an enum value converts to its number
        if isinstance(number, int):
            return to_integer(number, kind, value)
        if isinstance(value, str):
            return _integer_from_text(value, kind)
        if isinstance(value, (int, float, decimal.Decimal)):
            return to_integer(value, kind, value)
        raise cannot_convert_type(value, dotnet)

    return ParamType(kind, dotnet, "int", matches, convert, value_type=True, python_check=_python_number_check,
                     uncoerced=uncoerced)


def _real_from_text(text: str, dotnet: str) -> float:
    if not text.strip():
        return 0.0
    scanned = scan_number(text)
    if scanned is not None:
        try:
            return float(scanned[0])
        except OverflowError:
            pass
    through = _through_double(text)
    if through is not None:
        return through
    raise cannot_convert(text, dotnet, f"The input string '{text}' was not in a correct format.")


def float_type(name: str, dotnet_short: str) -> ParamType:
    dotnet = f"System.{dotnet_short}"

    def convert(value: Any, parameter: str) -> float:
        if value is None:
            return 0.0
        if is_sequence(value):
            raise array_to_scalar(value, dotnet)
        if isinstance(value, str):
            return _real_from_text(value, dotnet)
        if isinstance(value, (int, float, decimal.Decimal)):
            try:
                return float(value)
            except OverflowError:
                raise cannot_convert(value, dotnet, f"Value was either too large or too small for a {dotnet_short}.")
        raise cannot_convert_type(value, dotnet)

    def uncoerced(value: Any) -> Any:
        if type(value) is float and dotnet_short == "Double":
            return value
        return float(value) if type(value) is LiteralFloat and dotnet_short == "Double" else NO_MATCH

    return ParamType(name, dotnet, "float", lambda v: type(v) is float, convert, value_type=True,
                     python_check=_python_real_check, uncoerced=uncoerced)


# --- numbers as text ------------------------------------------------------------------------------


def number_text(value: Any, *, single: bool = False) -> str:
    """A number converted to ``[string]``: its token text when written in a line, else .NET's G15 (G7)."""
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return format(value, ".7G" if single else ".15G")
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, int) and value.bit_length() > 13_000:
        raise ConversionFailure("Cannot convert value to type System.String: the number has too many digits.")
    return str(int(value))

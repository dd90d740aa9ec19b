"""What every parameter type shares: the :class:`ParamType` record and how values are shown in messages.

PowerShell's conversion messages quote the value (``Cannot convert value "abc" to type
"System.Int32"``) and name .NET types.  The helpers here write Python values the way PowerShell
writes the .NET values they stand for, shortened when huge (a message never holds megabytes, and
Python cannot print an int of more than 4,300 digits at all).
"""

from __future__ import annotations

import datetime
import decimal
import io
import math
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._sentinel import Sentinel
from ..errors import ConversionFailure
from ..secure import SecureString

__all__ = [
    "ParamType",
    "NO_MATCH",
    "ConversionFailure",
    "dotnet_type_name",
    "dotnet_short_name",
    "dotnet_text",
    "show",
    "cannot_convert",
    "cannot_convert_type",
    "array_to_scalar",
    "is_sequence",
]

#: What :meth:`ParamType.uncoerced` returns for a value that would need a conversion.
NO_MATCH: Any = Sentinel("NO_MATCH", __name__)


@attrs.frozen
class ParamType:
    """One parameter type: how values are checked and converted.

    ``matches(value)`` says the value already has the type (PowerShell's binding "without
    coercion"); ``uncoerced(value)`` returns the value to bind without coercion, or
    :data:`NO_MATCH` (an array type wraps a lone element, as PowerShell encodes a collection);
    ``convert(value, parameter)`` is PowerShell's conversion, raising :class:`ConversionFailure`.
    ``python_check`` refuses what a Python caller most likely did not mean (a bool or a fraction
    for an integer), for values passed from Python only.
    """

    name: str  #: PowerShell name as the spec keeps it and syntax shows it: ``Int32``, ``Hashtable``
    dotnet_name: str  #: full name used in messages: ``System.Int32``
    python_annotation: str  #: used by the stub generator
    matches: Callable[[Any], bool] = attrs.field(repr=False)
    _convert: Callable[[Any, str], Any] = attrs.field(repr=False)
    is_switch: bool = False
    is_secret: bool = False
    element: ParamType | None = None
    #: A .NET value type (numbers, bool, enums, DateTime): never null, elements never checked for null.
    value_type: bool = False
    #: ``System.String``: the mandatory check refuses ''.
    is_string: bool = False
    python_check: Callable[[Any, bool], None] | None = attrs.field(default=None, repr=False)
    _uncoerced: Callable[[Any], Any] | None = attrs.field(default=None, repr=False)

    def convert(self, value: Any, parameter: str) -> Any:
        return self._convert(value, parameter)

    def uncoerced(self, value: Any) -> Any:
        """The value as bound without conversion, or :data:`NO_MATCH`."""
        if self._uncoerced is not None:
            return self._uncoerced(value)
        return value if self.matches(value) else NO_MATCH

    def uncoerced_function(self) -> Callable[[Any], Any]:
        """:meth:`uncoerced` as one callable (the binder keeps it per parameter, for speed)."""
        if self._uncoerced is not None:
            return self._uncoerced
        matches = self.matches

        def uncoerced(value: Any) -> Any:
            return value if matches(value) else NO_MATCH

        return uncoerced

    @property
    def is_array(self) -> bool:
        return self.element is not None


# --- .NET names -----------------------------------------------------------------------------------

_SHORT_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "Boolean"),
    (str, "String"),
    (float, "Double"),
    (decimal.Decimal, "Decimal"),
    (list, "Object[]"),
    (tuple, "Object[]"),
    (bytes, "Byte[]"),
    (bytearray, "Byte[]"),
    (datetime.datetime, "DateTime"),
    (datetime.timedelta, "TimeSpan"),
    (SecureString, "SecureString"),
)
_SYSTEM_NAMES = frozenset({"Boolean", "String", "Double", "Single", "Decimal", "Object[]", "Byte[]", "DateTime",
                           "TimeSpan", "BigInteger"})
_NAMESPACES = {
    "Hashtable": "System.Collections.",
    "PSCustomObject": "System.Management.Automation.",
    "SecureString": "System.Security.",
    "FileStream": "System.IO.",
}


def dotnet_short_name(value: Any) -> str:
    """``GetType().Name`` of the .NET value a Python value stands for (``String``, ``Int32`` ...)."""
    kind = getattr(value, "dotnet_kind", None)  # a number written in a line knows its .NET type
    if isinstance(kind, str):
        return kind
    if isinstance(value, int) and not isinstance(value, bool):
        if -(2**31) <= value < 2**31:
            return "Int32"
        return "Int64" if -(2**63) <= value < 2**63 else "BigInteger"
    for py_type, name in _SHORT_NAMES:
        if isinstance(value, py_type):
            return name
    if isinstance(value, Mapping):
        return "Hashtable"
    if isinstance(value, io.IOBase):  # an open file: what .NET calls a stream
        return "FileStream"
    if hasattr(value, "__dict__") and not callable(value):
        return "PSCustomObject"
    return type(value).__name__


def dotnet_type_name(value: Any) -> str:
    """The full .NET type name PowerShell would show for a Python value."""
    short = dotnet_short_name(value)
    if short in _NAMESPACES:
        return _NAMESPACES[short] + short
    if short in _SYSTEM_NAMES or short.startswith(("Int", "UInt")) or short.endswith("Byte"):
        return "System." + short
    return f"{type(value).__module__}.{type(value).__qualname__}"


# --- values as PowerShell writes them -------------------------------------------------------------

#: Longer texts are cut in messages (PowerShell quotes them whole; a message should stay readable).
_LONGEST_SHOWN = 120


def _double_text(value: float) -> str:
    """.NET's ``Double.ToString()``: the shortest text that reads back, ``1E+20`` style exponents."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa.removesuffix(".0")
        sign = exponent[0] if exponent[0] in "+-" else "+"
        digits = exponent.lstrip("+-").rjust(2, "0")
        return f"{mantissa}E{sign}{digits}"
    return text.removesuffix(".0")


def dotnet_text(value: Any) -> str:
    """``value.ToString()`` as .NET writes it (True, 1E+20, 1000), never a secret, never huge."""
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, SecureString):
        return "System.Security.SecureString"
    if isinstance(value, int):
        if value.bit_length() > 13_000:  # str() of such an int is refused by Python
            return f"a number of about {int(value.bit_length() * math.log10(2))} digits"
        return str(int(value))
    if isinstance(value, float):
        return _double_text(value)
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    if isinstance(value, Mapping):
        return "System.Collections.Hashtable"
    text = str(value)
    if len(text) > _LONGEST_SHOWN:
        return f"{text[:_LONGEST_SHOWN - 20]}\u2026 ({len(text)} characters)"
    return text


def show(value: Any) -> str:
    """A value inside a conversion message."""
    return dotnet_text(value)


def cannot_convert(value: Any, target: str, error: str) -> ConversionFailure:
    """``Cannot convert value "{v}" to type "{t}". Error: "{e}"`` (InvalidCastExceptionWithInnerException)."""
    return ConversionFailure(f'Cannot convert value "{show(value)}" to type "{target}". Error: "{error}"')


def cannot_convert_type(value: Any, target: str) -> ConversionFailure:
    """``Cannot convert the "{v}" value of type "{T}" to type "{t}".`` (InvalidCastException)."""
    return ConversionFailure(
        f'Cannot convert the "{show(value)}" value of type "{dotnet_type_name(value)}" to type "{target}".'
    )


def is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def array_to_scalar(value: Any, target: str) -> ConversionFailure:
    # An advanced function's type constraint words it this way (not the compiled cmdlet's way).
    if target == "System.String":
        return ConversionFailure("Cannot convert value to type System.String.")
    shown = dotnet_type_name(value)
    return ConversionFailure(f'Cannot convert the "{shown}" value of type "{shown}" to type "{target}".')


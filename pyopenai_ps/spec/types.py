"""Parameter types: PowerShell's conversions, as the binder applies them.

A spec names a type by its PowerShell name (``Int32``, ``System.Uri``,
``String[]`` ...).  :func:`resolve_type` turns the name into a :class:`ParamType`
that knows two things the binder needs:

* ``matches(value)``: the value already has the type, so binding it needs no
  conversion (PowerShell's "without coercion" pipeline passes);
* ``convert(value, parameter)``: PowerShell's conversion, raising
  :class:`ConversionFailure` with PowerShell's wording when it cannot.

Values that may be secrets are never put in a failure message.  ``Byte[]`` has a type of its
own: bytes-like values bind as they are (and, from Python, a binary stream), numbers element by
element.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping, MutableSequence
from typing import Any
from urllib.parse import urlsplit

import attrs

from ..errors import ConversionFailure
from ..secure import SecureString

__all__ = ["ParamType", "ConversionFailure", "resolve_type", "enum_type", "dotnet_type_name", "TYPE_NAMES"]


@attrs.frozen
class ParamType:
    """One parameter type: how values are checked and converted."""

    name: str  #: short PowerShell name, as shown in syntax: ``Int32``, ``String[]``
    dotnet_name: str  #: full name used in messages: ``System.Int32``
    python_annotation: str  #: used by the stub generator
    matches: Callable[[Any], bool] = attrs.field(repr=False)
    _convert: Callable[[Any, str], Any] = attrs.field(repr=False)
    is_switch: bool = False
    is_secret: bool = False
    element: ParamType | None = None

    def convert(self, value: Any, parameter: str) -> Any:
        return self._convert(value, parameter)


# --- helpers for messages ---------------------------------------------------------------

_DOTNET_NAMES: dict[type, str] = {
    str: "System.String",
    bool: "System.Boolean",
    int: "System.Int32",
    float: "System.Double",
    list: "System.Object[]",
    tuple: "System.Object[]",
    dict: "System.Collections.Hashtable",
    SecureString: "System.Security.SecureString",
}


def dotnet_type_name(value: Any) -> str:
    """The .NET type name PowerShell would show for a Python value."""
    if isinstance(value, bool):
        return "System.Boolean"
    if isinstance(value, int) and not -(2**31) <= value < 2**31:
        return "System.Int64"
    for py_type, name in _DOTNET_NAMES.items():
        if isinstance(value, py_type):
            return name
    if isinstance(value, Mapping):
        return "System.Collections.IDictionary"
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _show(value: Any) -> str:
    """A value as PowerShell prints it inside a conversion message."""
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value)


def _cannot_convert(value: Any, target: str, error: str) -> ConversionFailure:
    return ConversionFailure(f'Cannot convert value "{_show(value)}" to type "{target}". Error: "{error}"')


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _array_to_scalar(value: Any, target: str, parameter: str) -> ConversionFailure:
    # An advanced function's type constraint words it this way (not the compiled cmdlet's way).
    if target == "System.String":
        return ConversionFailure("Cannot convert value to type System.String.")
    shown = dotnet_type_name(value)
    return ConversionFailure(f'Cannot convert the "{shown}" value of type "{shown}" to type "{target}".')


# --- numbers ----------------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_HEX_TEXT = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]+)")
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number_from_text(text: str, target: str) -> int | float:
    stripped = text.strip()
    if stripped == "":
        return 0  # PowerShell converts an empty string to zero
    if _INT_TEXT.fullmatch(stripped):
        return int(stripped)
    hex_match = _HEX_TEXT.fullmatch(stripped)
    if hex_match:
        number = int(hex_match.group(2), 16)
        return -number if hex_match.group(1) == "-" else number
    if _FLOAT_TEXT.fullmatch(stripped):
        return float(stripped)
    raise _cannot_convert(text, target, f"The input string '{text}' was not in a correct format.")


def _integer_type(short: str, low: int, high: int) -> ParamType:
    dotnet = f"System.{short}"

    def matches(value: Any) -> bool:
        return type(value) is int and low <= value <= high

    def convert(value: Any, parameter: str) -> int:
        original = value
        if value is None:
            return 0
        if _is_sequence(value):
            raise _array_to_scalar(value, dotnet, parameter)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            value = _number_from_text(value, dotnet)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _cannot_convert(original, dotnet, f"Value was either too large or too small for an {short}.")
            value = round(value)  # round half to even, as .NET does
        if not isinstance(value, int):
            raise ConversionFailure(
                f'Cannot convert the "{_show(original)}" value of type "{dotnet_type_name(original)}" '
                f'to type "{dotnet}".'
            )
        if not low <= value <= high:
            raise _cannot_convert(original, dotnet, f"Value was either too large or too small for an {short}.")
        return value

    return ParamType(short, dotnet, "int", matches, convert)


def _float_type(short: str) -> ParamType:
    dotnet = f"System.{short}"

    def convert(value: Any, parameter: str) -> float:
        if value is None:
            return 0.0
        if _is_sequence(value):
            raise _array_to_scalar(value, dotnet, parameter)
        if isinstance(value, str):
            return float(_number_from_text(value, dotnet))
        if isinstance(value, (int, float)):
            return float(value)
        raise ConversionFailure(
            f'Cannot convert the "{_show(value)}" value of type "{dotnet_type_name(value)}" to type "{dotnet}".'
        )

    return ParamType(short, dotnet, "float", lambda v: type(v) is float, convert)


# --- the other scalars ------------------------------------------------------------------


def _convert_string(value: Any, parameter: str) -> str:
    if value is None:
        return ""  # PowerShell binds $null to a [string] parameter as ""
    if isinstance(value, str):
        return value
    if _is_sequence(value):
        raise _array_to_scalar(value, "System.String", parameter)
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, SecureString):
        # PowerShell shows the type name, never the content
        return "System.Security.SecureString"
    if isinstance(value, os.PathLike):
        return os.fsdecode(value)  # a path object is its path, as a FileInfo converts to its name
    raise ConversionFailure(
        f'Cannot convert the value of type "{dotnet_type_name(value)}" to type "System.String".'
    )


def _byte_array_type(byte: ParamType) -> ParamType:
    """``Byte[]``: bytes, bytearray and memoryview bind as they are (PowerShell binds a value that
    already has the array type without walking it); numbers and lists of numbers become a list of
    bytes, as any array type converts its elements.

    From Python a binary stream (an object with ``read``) is also taken as it is, so a file part
    can be sent from an open file without reading it into memory.
    """
    as_array = _array_type(byte)

    def matches(value: Any) -> bool:
        return isinstance(value, (bytes, bytearray, memoryview)) or as_array.matches(value)

    def convert(value: Any, parameter: str) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return value
        if hasattr(value, "read") and not isinstance(value, str):
            return value
        return as_array.convert(value, parameter)

    return ParamType("Byte[]", "System.Byte[]", "bytes | bytearray | memoryview | Sequence[int] | _typing.BinaryIO",
                     matches, convert, element=byte)


def _boolean_type(short: str, dotnet: str, is_switch: bool) -> ParamType:
    def convert(value: Any, parameter: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value != 0
        if value is None and is_switch:
            return True  # PowerShell: -Switch:$null means the switch is present
        shown = dotnet_type_name(value) if value is not None else "null"
        raise ConversionFailure(
            f'Cannot convert value "{shown}" to type "{dotnet}". Boolean parameters accept only '
            "Boolean values and numbers, such as $True, $False, 1 or 0."
        )

    return ParamType(short, dotnet, "bool", lambda v: isinstance(v, bool), convert, is_switch=is_switch)


def _convert_uri(value: Any, parameter: str) -> str:
    if _is_sequence(value):
        raise _array_to_scalar(value, "System.Uri", parameter)
    if not isinstance(value, str):
        raise ConversionFailure(
            f'Cannot convert the "{_show(value)}" value of type "{dotnet_type_name(value)}" to type "System.Uri".'
        )
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is not None and (parts.username is not None or parts.password is not None):
        # never echo it: the address holds credentials, which are not sent anyway
        raise ConversionFailure(
            'Cannot convert the value to type "System.Uri": an address with a user name or password is not '
            "supported; give the key as the API key instead."
        )
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _cannot_convert(
            value, "System.Uri", "An absolute http:// or https:// address is required."
        )
    return text


def _convert_secure(value: Any, parameter: str) -> SecureString:
    if isinstance(value, SecureString):
        return value
    if isinstance(value, str):
        return SecureString(value)
    # the value itself is never shown: it may be a secret
    raise ConversionFailure(
        f'Cannot convert the value of type "{dotnet_type_name(value)}" to type "System.Security.SecureString".'
    )


def _convert_dictionary(value: Any, parameter: str) -> dict[Any, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise ConversionFailure(
        f'Cannot convert the "{_show(value)}" value of type "{dotnet_type_name(value)}" to type '
        '"System.Collections.IDictionary".'
    )


def enum_type(name: str, values: tuple[str, ...], *, dotnet_name: str | None = None,
              reserved: tuple[str, ...] = ()) -> ParamType:
    """A PowerShell enum: names match case-insensitively or by unique prefix; ints pick by index."""
    target = dotnet_name or name
    by_key = {value.lower(): value for value in values}

    def convert(value: Any, parameter: str) -> str:
        found = None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(values):
            found = values[value]
        elif isinstance(value, str) and value.strip():
            key = value.strip().lower()
            found = by_key.get(key)
            if found is None:
                matches = [v for k, v in by_key.items() if k.startswith(key)]
                if len(matches) > 1:
                    raise _cannot_convert(
                        value,
                        target,
                        f"The identifier name {value} cannot be processed because it is either too similar or "
                        f"identical to the following enumerator names: {', '.join(matches)}. Use a more specific "
                        "identifier name.",
                    )
                found = matches[0] if matches else None
        if found in reserved:
            raise ConversionFailure(
                f"The {found} {name} value is reserved for future use and is not supported at this time."
            )
        if found is not None:
            return found
        raise _cannot_convert(
            value,
            target,
            f"Unable to match the identifier name {_show(value)} to a valid enumerator name. Specify one of "
            f"the following enumerator names and try again: {', '.join(values)}",
        )

    literal = "Literal[" + ", ".join(repr(v) for v in values) + "]"
    return ParamType(name, target, literal, lambda v: isinstance(v, str) and v in values, convert)


def _convert_variable(value: Any, parameter: str) -> Any:
    # A variable name from a command line, or a Python list the call appends to.
    if isinstance(value, str) or isinstance(value, MutableSequence):
        return value
    raise ConversionFailure(
        f'Cannot convert the value of type "{dotnet_type_name(value)}" to a variable name or a list.'
    )


def _array_type(element: ParamType) -> ParamType:
    def matches(value: Any) -> bool:
        return isinstance(value, list) and all(element.matches(item) for item in value)

    def convert(value: Any, parameter: str) -> list[Any]:
        if value is None:
            return []
        items = list(value) if _is_sequence(value) else [value]
        return [element.convert(item, parameter) for item in items]

    return ParamType(
        f"{element.name}[]",
        f"{element.dotnet_name}[]",
        f"Sequence[{element.python_annotation}] | {element.python_annotation}",
        matches,
        convert,
        is_secret=element.is_secret,
        element=element,
    )


def _build_types() -> dict[str, ParamType]:
    table: dict[str, ParamType] = {}

    def add(param_type: ParamType, *aliases: str) -> None:
        for key in (param_type.name, param_type.dotnet_name, *aliases):
            table[key.lower()] = param_type

    add(ParamType("String", "System.String", "str", lambda v: isinstance(v, str), _convert_string))
    add(_integer_type("Int32", -(2**31), 2**31 - 1), "int")
    add(_integer_type("Int64", -(2**63), 2**63 - 1), "long")
    add(_integer_type("UInt16", 0, 2**16 - 1), "ushort")
    byte = _integer_type("Byte", 0, 255)
    add(byte, "byte")
    add(_byte_array_type(byte))
    add(_float_type("Double"), "double")
    add(_float_type("Single"), "float")
    add(_boolean_type("Boolean", "System.Boolean", False), "bool")
    add(
        _boolean_type("SwitchParameter", "System.Management.Automation.SwitchParameter", True),
        "Switch",
    )
    add(ParamType("Uri", "System.Uri", "str", lambda v: False, _convert_uri))
    add(
        ParamType(
            "SecureString",
            "System.Security.SecureString",
            "str | SecureString",
            lambda v: isinstance(v, SecureString),
            _convert_secure,
            is_secret=True,
        )
    )
    add(
        ParamType(
            "IDictionary",
            "System.Collections.IDictionary",
            "Mapping[str, Any]",
            lambda v: isinstance(v, Mapping),
            _convert_dictionary,
        ),
        "Hashtable",
        "System.Collections.Hashtable",
    )
    add(ParamType("Object", "System.Object", "Any", lambda v: True, lambda v, p: v), "PSObject")
    add(
        enum_type(
            "ActionPreference",
            ("SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend", "Break"),
            dotnet_name="System.Management.Automation.ActionPreference",
            reserved=("Suspend",),
        )
    )
    add(
        ParamType(
            "Variable",
            "System.String",
            "str | list[Any]",
            lambda v: isinstance(v, (str, MutableSequence)),
            _convert_variable,
        )
    )
    return table


_TYPES = _build_types()

#: Every accepted spelling of a scalar type name (arrays add ``[]``).
TYPE_NAMES = frozenset(_TYPES)


def resolve_type(name: str, enums: Mapping[str, tuple[str, ...]] | None = None) -> ParamType:
    """The type a spec names (``enums``: the spec's own enum types); ``KeyError`` when unknown.

    Array and enum types are built on each call (specs are compiled once, so this is cold code).
    """
    key = name.strip().lower()
    if enums:
        base = key[:-2] if key.endswith("[]") else key
        for enum_name, values in enums.items():
            if enum_name.lower() == base:
                element = enum_type(enum_name, tuple(values))
                return _array_type(element) if key.endswith("[]") else element
    found = _TYPES.get(key)
    if found is not None:
        return found
    if key.endswith("[]"):
        return _array_type(resolve_type(key[:-2]))
    raise KeyError(name)

"""Parameter types: PowerShell's conversions, as the binder applies them.

A spec names a type by its PowerShell name (``Int32``, ``System.Uri``, ``String[]`` ...).
:func:`resolve_type` turns the name into a :class:`ParamType` (see :mod:`.typebase`).  A type is
kept as declared: ``Hashtable`` stays ``Hashtable`` (not ``IDictionary``), ``Float`` stays
``Float`` (a ``System.Single``), ``PSObject`` and ``PSCustomObject`` stay themselves, so syntax,
help and stubs show what the spec says.  Numbers live in :mod:`.numbers`, enums in :mod:`.enums`.

Values that may be secrets are never put in a failure message.
"""

from __future__ import annotations

import datetime
import decimal
import os
import re
from collections.abc import Mapping, MutableSequence
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConversionFailure
from ..secure import SecureString
from .enums import EnumSpec, EnumValue, enum_type
from .numbers import INTEGER_RANGES, float_type, integer_type, number_text, plain_number
from .typebase import (
    NO_MATCH,
    ParamType,
    array_to_scalar,
    cannot_convert,
    cannot_convert_type,
    dotnet_type_name,
    is_sequence,
)

__all__ = ["ParamType", "ConversionFailure", "resolve_type", "enum_type", "dotnet_type_name", "TYPE_NAMES",
           "EnumSpec", "EnumValue", "NO_MATCH", "BYTES"]

#: Python's byte strings: what a ``Byte[]`` parameter takes as it is.
BYTES = (bytes, bytearray, memoryview)


# --- strings, booleans ---------------------------------------------------------------------------


def _convert_string(value: Any, parameter: str) -> str:
    if value is None:
        return ""  # PowerShell binds $null to a [string] parameter as ""
    if isinstance(value, str):
        return str.__str__(value)
    if is_sequence(value):
        raise array_to_scalar(value, "System.String")
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float, decimal.Decimal)):
        return number_text(value)  # a number written in a line keeps its text ('0x10', '1kb')
    if isinstance(value, SecureString):
        return "System.Security.SecureString"  # PowerShell shows the type name, never the content
    if isinstance(value, os.PathLike):
        return os.fsdecode(value)  # a path object is its path, as a FileInfo converts to its name
    raise ConversionFailure(f'Cannot convert the value of type "{dotnet_type_name(value)}" to type "System.String".')


def _boolean_type(short: str, dotnet: str, is_switch: bool) -> ParamType:
    def convert(value: Any, parameter: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return value != 0
        if value is None and is_switch:
            return False  # an advanced function's -Switch:$null: a SwitchParameter of False
        shown = "" if value is None else dotnet_type_name(value)
        raise ConversionFailure(
            f'Cannot convert value "{shown}" to type "{dotnet}". Boolean parameters accept only '
            "Boolean values and numbers, such as $True, $False, 1 or 0."
        )

    return ParamType(short, dotnet, "bool", lambda v: isinstance(v, bool), convert, is_switch=is_switch,
                     value_type=True)


# --- addresses, secrets, dictionaries, dates -------------------------------------------------------


def _convert_uri(value: Any, parameter: str) -> str | None:
    if value is None:
        return None  # a reference type: null stays null
    if is_sequence(value):
        raise array_to_scalar(value, "System.Uri")
    if not isinstance(value, str):
        raise cannot_convert_type(value, "System.Uri")
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
        raise cannot_convert(value, "System.Uri", "An absolute http:// or https:// address is required.")
    return text


def _convert_secure(value: Any, parameter: str) -> SecureString | None:
    if value is None or isinstance(value, SecureString):
        return value
    if isinstance(value, str):
        return SecureString(value)
    # the value itself is never shown: it may be a secret
    raise ConversionFailure(
        f'Cannot convert the value of type "{dotnet_type_name(value)}" to type "System.Security.SecureString".'
    )


def _dictionary_type(name: str, dotnet: str) -> ParamType:
    def convert(value: Any, parameter: str) -> dict[Any, Any] | None:
        if value is None:
            return None
        if isinstance(value, Mapping):
            return dict(value)
        raise cannot_convert_type(value, dotnet)

    return ParamType(name, dotnet, "Mapping[str, Any]", lambda v: isinstance(v, Mapping), convert)


_INVARIANT_DATES = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d",
                    "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y")
_TICKS_PER_MICROSECOND = 10


def _date_from_text(text: str) -> datetime.datetime:
    stripped = text.strip()
    try:
        return datetime.datetime.fromisoformat(stripped)
    except ValueError:
        pass
    for layout in _INVARIANT_DATES:
        try:
            return datetime.datetime.strptime(stripped, layout)
        except ValueError:
            continue
    raise cannot_convert(text, "System.DateTime", f"String '{text}' was not recognized as a valid DateTime.")


def _convert_datetime(value: Any, parameter: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if value is None:
        return datetime.datetime(1, 1, 1)  # default(DateTime)
    if is_sequence(value):
        raise array_to_scalar(value, "System.DateTime")
    if isinstance(value, str):
        return _date_from_text(value)
    if isinstance(value, int) and not isinstance(value, bool):  # [datetime]5 is a tick count
        try:
            return datetime.datetime(1, 1, 1) + datetime.timedelta(microseconds=value // _TICKS_PER_MICROSECOND)
        except OverflowError:
            raise cannot_convert(value, "System.DateTime", "Ticks must be between DateTime.MinValue.Ticks and "
                                 "DateTime.MaxValue.Ticks.") from None
    raise cannot_convert_type(value, "System.DateTime")


def _convert_variable(value: Any, parameter: str) -> Any:
    # A variable name from a command line, or a Python list the call appends to.
    if isinstance(value, str) or isinstance(value, MutableSequence):
        return value
    raise ConversionFailure(f'Cannot convert the value of type "{dotnet_type_name(value)}" to a variable name or a list.')


def _anything(value: Any, parameter: str) -> Any:
    return plain_number(value)


def _object_type(name: str, dotnet: str) -> ParamType:
    """Object, PSObject, PSCustomObject: anything binds as it is (a number written in a line as a plain number)."""
    return ParamType(name, dotnet, "Any", lambda v: True, _anything, uncoerced=plain_number)


# --- arrays ---------------------------------------------------------------------------------------


def _array_type(element: ParamType) -> ParamType:
    """``T[]``: a list whose elements already have the type binds as it is (no copy, no conversion);
    a lone element is wrapped; ``Byte[]`` takes Python's byte strings as they are, and (from Python)
    a binary stream, so a file part can be sent from an open file without reading it into memory."""
    takes_bytes = element.name == "Byte"

    def matches(value: Any) -> bool:
        if takes_bytes and isinstance(value, BYTES):
            return True
        return isinstance(value, list) and all(element.matches(item) for item in value)

    def uncoerced(value: Any) -> Any:
        if matches(value):
            return value
        if value is None:
            return None  # an array parameter is a reference type: null binds as it is
        if not isinstance(value, (list, tuple, *BYTES)):
            item = element.uncoerced(value)
            if item is not NO_MATCH:
                return [item]  # PowerShell encodes a lone element into a one-element array
        return NO_MATCH

    def convert(value: Any, parameter: str) -> Any:
        if value is None:
            return None
        if matches(value):
            return value
        if takes_bytes and (isinstance(value, BYTES) or (hasattr(value, "read") and not isinstance(value, str))):
            return value
        items = list(value) if is_sequence(value) else [value]
        return [element.convert(item, parameter) for item in items]

    return ParamType(
        f"{element.name}[]",
        f"{element.dotnet_name}[]",
        f"Sequence[{element.python_annotation}] | {element.python_annotation}"
        + (" | bytes | BinaryIO" if takes_bytes else ""),
        matches,
        convert,
        is_secret=element.is_secret,
        element=element,
        python_check=element.python_check,
        uncoerced=uncoerced,
    )


# --- the table ------------------------------------------------------------------------------------

ACTION_PREFERENCE = EnumSpec.from_names(
    "ActionPreference", ("SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend", "Break")
)


def _build_types() -> dict[str, ParamType]:
    table: dict[str, ParamType] = {}

    def add(param_type: ParamType, *aliases: str) -> None:
        for key in (param_type.name, param_type.dotnet_name, *aliases):
            table.setdefault(key.lower(), param_type)

    add(ParamType("String", "System.String", "str", lambda v: type(v) is str, _convert_string, is_string=True))
    accelerators = {"Int32": ("int",), "Int64": ("long",), "Int16": ("short",), "UInt16": ("ushort",),
                    "UInt32": ("uint",), "UInt64": ("ulong",), "Byte": ("byte",), "SByte": ("sbyte",)}
    for kind in INTEGER_RANGES:
        add(integer_type(kind), *accelerators[kind])
    add(float_type("Double", "Double"), "double")
    add(float_type("Single", "Single"))
    add(float_type("Float", "Single"), "float")  # [float] is System.Single, kept as written
    add(_boolean_type("Boolean", "System.Boolean", False), "bool")
    add(_boolean_type("SwitchParameter", "System.Management.Automation.SwitchParameter", True), "Switch")
    add(ParamType("Uri", "System.Uri", "str", lambda v: False, _convert_uri))
    add(ParamType("SecureString", "System.Security.SecureString", "str | SecureString",
                  lambda v: isinstance(v, SecureString), _convert_secure, is_secret=True))
    add(_dictionary_type("IDictionary", "System.Collections.IDictionary"))
    add(_dictionary_type("Hashtable", "System.Collections.Hashtable"))
    add(ParamType("DateTime", "System.DateTime", "datetime.datetime | str",
                  lambda v: isinstance(v, datetime.datetime), _convert_datetime, value_type=True))
    add(_object_type("Object", "System.Object"))
    add(_object_type("PSObject", "System.Management.Automation.PSObject"))
    add(_object_type("PSCustomObject", "System.Management.Automation.PSObject"),
        "System.Management.Automation.PSCustomObject")
    add(enum_type(ACTION_PREFERENCE, dotnet_name="System.Management.Automation.ActionPreference",
                  reserved=("Suspend",)))
    add(ParamType("Variable", "System.String", "str | list[Any]", lambda v: isinstance(v, (str, MutableSequence)),
                  _convert_variable))
    return table


_TYPES = _build_types()

#: Every accepted spelling of a scalar type name (arrays add ``[]``).
TYPE_NAMES = frozenset(_TYPES)
_ARRAY_SUFFIX = re.compile(r"\s*\[\s*\]$")


def resolve_type(name: str, enums: Mapping[str, EnumSpec] | None = None) -> ParamType:
    """The type a spec names (``enums``: the spec's own enum types); ``KeyError`` when unknown.

    Array and enum types are built on each call (specs are compiled once, so this is cold code).
    """
    key = name.strip().lower()
    is_array = bool(_ARRAY_SUFFIX.search(key))
    base = _ARRAY_SUFFIX.sub("", key) if is_array else key
    if enums:
        for enum_name, spec in enums.items():
            if enum_name.lower() == base:
                element = enum_type(spec)
                return _array_type(element) if is_array else element
    found = _TYPES.get(key)
    if found is not None:
        return found
    if is_array:
        return _array_type(resolve_type(base))
    raise KeyError(name)

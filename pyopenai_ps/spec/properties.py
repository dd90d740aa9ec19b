"""Reading properties of values, the way PowerShell reads them (pipeline records, piped objects).

Two questions are asked of a value, and PowerShell answers them differently:

* :func:`property_map`: which properties does a pipeline record offer to ``ByPropertyName``
  binding?  An object's public attributes; a Python mapping's string keys (a Python dict, a JSON
  record, an answer: Python's natural record, a deliberate difference from PowerShell); a
  :class:`Hashtable` written in a PowerShell line only its .NET properties (``Count``, ``Keys``,
  ``Values`` ...), as ``@{Name='x'} | Cmd`` binds nothing by name in PowerShell; a string its
  ``Length``; an array (list, tuple, bytes) its ``Length`` and ``Count``; other scalars nothing.
* :func:`get_property`: what does ``$value.name`` read?  Keys of any mapping (PowerShell's
  member access reads a hashtable's keys), attributes of objects.

Names match case-insensitively; the first spelling wins when two differ only by case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._sentinel import Sentinel

__all__ = ["property_map", "get_property", "read_id", "MISSING", "Hashtable"]


#: Returned when a record has no such property.
MISSING: Any = Sentinel("MISSING", __name__)

_SCALARS = (str, bytes, int, float, bool, type(None))
_ARRAYS = (list, tuple, bytes, bytearray, memoryview)


class Hashtable(dict):  # type: ignore[type-arg]
    """A hashtable written in a PowerShell line (``@{...}``): a dict whose keys are not properties."""

    __slots__ = ()


def _hashtable_properties(table: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "count": len(table),
        "keys": list(table.keys()),
        "values": list(table.values()),
        "isreadonly": False,
        "isfixedsize": False,
        "issynchronized": False,
        "syncroot": table,
    }


def _scalar_properties(record: Any) -> dict[str, Any]:
    """The .NET properties of a plain value: a string's Length, an array's Length and Count."""
    if isinstance(record, str):
        return {"length": len(record)}
    if isinstance(record, _ARRAYS):
        return {"length": len(record), "count": len(record)}
    return {}


def property_map(record: Any) -> dict[str, Any]:
    """The record's properties for ``ByPropertyName`` binding, as ``{lower-case name: value}``."""
    if isinstance(record, _SCALARS) or isinstance(record, _ARRAYS):
        return _scalar_properties(record)
    if isinstance(record, Hashtable):
        return _hashtable_properties(record)
    props: dict[str, Any] = {}
    if isinstance(record, Mapping):
        for key, value in record.items():
            if isinstance(key, str):
                props.setdefault(key.lower(), value)
        return props
    if isinstance(record, (set, frozenset)):
        return {"count": len(record)}
    for name in _public_attribute_names(record):
        try:
            value = getattr(record, name)
        except Exception:  # a failing property is simply not there
            continue
        if callable(value):
            continue
        props.setdefault(name.lower(), value)
    return props


def _public_attribute_names(record: Any) -> Iterable[str]:
    try:
        names = dir(record)
    except Exception:
        return ()
    return [name for name in names if not name.startswith("_")]


def get_property(record: Any, name: str) -> Any:
    """``$record.name``: one property (or mapping key) by case-insensitive name, or :data:`MISSING`."""
    if isinstance(record, _SCALARS):
        return MISSING
    wanted = name.lower()
    if isinstance(record, Mapping):
        for key, value in record.items():
            if isinstance(key, str) and key.lower() == wanted:
                return value
        return MISSING
    if isinstance(record, (list, tuple, set, frozenset)):
        return MISSING
    try:
        value = getattr(record, name)
    except AttributeError:
        return property_map(record).get(wanted, MISSING)
    except Exception:
        return MISSING
    return MISSING if callable(value) else value


def read_id(value: Any, prefix: str, keys: Iterable[str], *, accept_string: bool = True) -> str | None:
    """An object id read as PSOpenAI reads it, or None.

    A non-blank string is the id itself (when ``accept_string``); otherwise the
    first of ``keys`` whose value is a string starting with ``prefix`` (a key may be a dotted
    path into nested objects: ``step_details.message_creation.message_id``).
    """
    if isinstance(value, str):
        return value if accept_string and value.strip() else None
    for key in keys:
        found = value
        for part in key.split("."):
            found = get_property(found, part)
        if isinstance(found, str) and found.startswith(prefix):
            return found
    return None

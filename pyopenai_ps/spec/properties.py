"""Reading properties of values, the way PowerShell reads them (pipeline records, piped objects).

A record may be a mapping (its keys are its properties) or any object with
public attributes (dataclasses, attrs classes, namespaces, this package's
output objects).  Names match case-insensitively.  Scalars (str, numbers,
bool, None) have no properties for binding purposes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._sentinel import Sentinel

__all__ = ["property_map", "get_property", "read_id", "MISSING"]


#: Returned when a record has no such property.
MISSING: Any = Sentinel("MISSING", __name__)

_SCALARS = (str, bytes, int, float, bool, type(None))


def property_map(record: Any) -> dict[str, Any]:
    """The record's properties as ``{lower-case name: value}``.

    The first spelling wins when two names differ only by case, as
    PowerShell's property lookup finds the first match.
    """
    if isinstance(record, _SCALARS):
        return {}
    props: dict[str, Any] = {}
    if isinstance(record, Mapping):
        for key, value in record.items():
            if isinstance(key, str):
                props.setdefault(key.lower(), value)
        return props
    if isinstance(record, (list, tuple, set, frozenset)):
        return {}
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
    """One property by case-insensitive name, or :data:`MISSING`."""
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
    first of ``keys`` whose value is a string starting with ``prefix``.
    """
    if isinstance(value, str):
        return value if accept_string and value.strip() else None
    for key in keys:
        found = get_property(value, key)
        if isinstance(found, str) and found.startswith(prefix):
            return found
    return None

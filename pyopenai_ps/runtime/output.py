"""Output objects: the Python stand-in for the PSCustomObjects PSOpenAI returns.

A :class:`PSObject` wraps the JSON object the API sent.  Properties read as
attributes or items (``run.status``, ``run["status"]``, case-insensitively as
in PowerShell), nested objects wrap on access, and the named timestamp fields
read as timezone-aware datetimes, converted on first access only.  It is a
read-only ``Mapping``, so piping one back into a cmdlet binds its properties
by name like a dict.

Timestamps, one rule: reading a property gives a ``datetime`` (UTC); every
plain copy (:meth:`PSObject.to_dict`, :meth:`PSObject.json`, the command line's
JSON) gives ISO 8601 text by default, and ``dates="unix"`` gives the epoch
seconds the API sent, ``dates="datetime"`` the datetimes.  ``str(obj)`` (so
``print(obj)``) is PowerShell's list view; ``repr(obj)`` is one short line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, Literal

__all__ = ["PSObject", "wrap", "DateForm", "DEFAULT_DATES"]

#: How a plain copy writes timestamps: ISO 8601 text, the epoch seconds sent, or datetimes.
DateForm = Literal["iso", "unix", "datetime"]
#: The default of :meth:`PSObject.to_dict` and :meth:`PSObject.json` (and of the command line's JSON).
DEFAULT_DATES: DateForm = "iso"
_DATE_FORMS = ("iso", "unix", "datetime")

_BASE_TYPE_NAMES = ("System.Management.Automation.PSCustomObject", "System.Object")


def _to_datetime(value: Any) -> Any:
    """Epoch seconds as an aware UTC datetime; 0 stays 0, as PSOpenAI leaves a zero timestamp."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0:
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return value
    return value


def wrap(value: Any) -> Any:
    """Nested JSON as output objects: dicts become PSObjects, lists are wrapped item by item."""
    if isinstance(value, dict):
        return PSObject(value)
    if isinstance(value, list):
        return [wrap(item) for item in value]
    return value


class PSObject(Mapping[str, Any]):
    """One object of output, with attribute and item access."""

    __slots__ = ("_data", "_type_names", "_timestamps", "_cache", "_lower")

    def __init__(
        self, data: dict[str, Any], type_name: str | None = None, timestamps: tuple[str, ...] | frozenset[str] = ()
    ) -> None:
        _set_data(self, data)
        _set_type_names(self, (type_name, *_BASE_TYPE_NAMES) if type_name else _BASE_TYPE_NAMES)
        _set_timestamps(self, frozenset(timestamps))
        _set_cache(self, {})
        _set_lower(self, None)

    @classmethod
    def factory(cls, type_name: str | None, timestamps: tuple[str, ...]) -> Callable[[dict[str, Any]], PSObject]:
        """A maker of objects of one kind, for listings: the per-kind work is done once."""
        names = (type_name, *_BASE_TYPE_NAMES) if type_name else _BASE_TYPE_NAMES
        stamps = frozenset(timestamps)
        new = object.__new__

        def make(data: dict[str, Any]) -> PSObject:
            obj = new(cls)
            _set_data(obj, data)
            _set_type_names(obj, names)
            _set_timestamps(obj, stamps)
            _set_cache(obj, {})
            _set_lower(obj, None)
            return obj

        return make

    def with_properties(self, added: Mapping[str, Any]) -> PSObject:
        """A copy with more properties (derived ones, such as a thread's ``Messages``)."""
        copy = PSObject({**self._data, **added})
        _set_type_names(copy, self._type_names)
        _set_timestamps(copy, self._timestamps)
        return copy

    @property
    def type_names(self) -> tuple[str, ...]:
        """PowerShell's ``PSTypeNames``: the most specific first."""
        names: tuple[str, ...] = self._type_names
        return names

    # --- Mapping -------------------------------------------------------------------------

    def _key(self, name: str) -> str:
        if name in self._data:
            return name
        lower = self._lower
        if lower is None:
            lower = {}
            for key in self._data:
                lower.setdefault(key.lower(), key)
            object.__setattr__(self, "_lower", lower)
        try:
            found: str = lower[name.lower()]
            return found
        except KeyError:
            raise KeyError(name) from None

    def __getitem__(self, name: str) -> Any:
        key = self._key(name)
        cache = self._cache
        if key in cache:
            return cache[key]
        raw = self._data[key]
        if key in self._timestamps:
            value = _to_datetime(raw)
        elif isinstance(raw, (dict, list)):
            value = wrap(raw)
        else:
            return raw
        cache[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self._key(name)
        except KeyError:
            return False
        return True

    # --- attributes ----------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{self._type_names[0]} has no property '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("output objects are read-only; use to_dict() for a mutable copy")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {k for k in self._data if k.isidentifier()})

    # --- conversions ---------------------------------------------------------------------

    def to_dict(self, *, dates: DateForm = DEFAULT_DATES) -> dict[str, Any]:
        """A plain, mutable, JSON-ready copy (nested objects and lists copied too).

        ``dates``: how the timestamp properties are written: ``"iso"`` (the default) ISO 8601 text
        such as ``2023-11-14T22:21:20+00:00``, as the command line's JSON has them; ``"unix"`` the
        epoch seconds the API sent; ``"datetime"`` timezone-aware datetimes (not JSON-ready).
        """
        if dates not in _DATE_FORMS:
            raise ValueError(f"dates must be one of {', '.join(_DATE_FORMS)}, not {dates!r}")
        if dates == "unix" or not self._timestamps:
            plain: dict[str, Any] = _plain(self._data, dates)
            return plain
        result = {}
        for key, raw in self._data.items():
            if key in self._timestamps and raw is not None:
                moment = _to_datetime(raw)
                result[key] = moment.isoformat() if dates == "iso" and isinstance(moment, datetime) else moment
            else:
                result[key] = _plain(raw, dates)
        return result

    def json(self, *, dates: DateForm = DEFAULT_DATES, **dumps: Any) -> str:
        """The object as JSON text: ``json.dumps(self.to_dict(dates=dates), **dumps)``.

        ``dumps`` are :func:`json.dumps` keywords (``indent=2``...); non-ASCII text is kept as is
        unless ``ensure_ascii=True`` is given.
        """
        import json

        dumps.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(dates=dates), **dumps)

    def __str__(self) -> str:
        """PowerShell's list view of the object (``print(run)``)."""
        from .views import format_list  # only when printed: creating objects stays cheap

        return format_list([self]).rstrip("\n")

    def __repr__(self) -> str:
        shown = []
        for key in ("id", "object", "status"):
            if key in self._data:
                shown.append(f"{key}={self._data[key]!r}")
        if not shown:
            shown = [f"{k}={v!r}" for k, v in list(self._data.items())[:3]]
        return f"<{self._type_names[0]} {' '.join(shown)}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PSObject):
            return bool(self._data == other._data and self._type_names == other._type_names)
        if isinstance(other, Mapping):
            return bool(self._data == dict(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (PSObject, (self._data, self._type_names[0] if len(self._type_names) > 2 else None,
                           tuple(self._timestamps)))


def _plain(value: Any, dates: Literal["unix", "iso", "datetime"] = "unix") -> Any:
    """Plain data; output objects inside (derived properties such as a thread's Messages) keep ``dates``."""
    try:
        return _plain_nested(value, dates)
    except RecursionError:  # nested deeper than Python recurses: copy with a stack of our own
        return _plain_deep(value, dates)


def _plain_nested(value: Any, dates: Literal["unix", "iso", "datetime"]) -> Any:
    if isinstance(value, PSObject):
        return value.to_dict(dates=dates)
    if isinstance(value, dict):
        return {k: _plain_nested(v, dates) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_nested(v, dates) for v in value]
    return value


def _plain_deep(value: Any, dates: Literal["unix", "iso", "datetime"]) -> Any:
    root: list[Any] = [None]
    todo: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while todo:
        item, parent, slot = todo.pop()
        if isinstance(item, PSObject):
            copy: Any = item.to_dict(dates=dates)
        elif isinstance(item, dict):
            copy = dict.fromkeys(item)  # the keys in order; the values filled in below
            todo.extend((child, copy, key) for key, child in item.items())
        elif isinstance(item, list):
            copy = [None] * len(item)
            todo.extend((child, copy, index) for index, child in enumerate(item))
        else:
            copy = item
        parent[slot] = copy
    return root[0]


# Slot setters, bound once: the class refuses ordinary attribute assignment.
_set_data = PSObject._data.__set__  # type: ignore[attr-defined]
_set_type_names = PSObject._type_names.__set__  # type: ignore[attr-defined]
_set_timestamps = PSObject._timestamps.__set__  # type: ignore[attr-defined]
_set_cache = PSObject._cache.__set__  # type: ignore[attr-defined]
_set_lower = PSObject._lower.__set__  # type: ignore[attr-defined]

"""Output as PowerShell shows it (list and table views) and as JSON, for any stream of objects.

* :func:`format_list`: ``Name : Value`` lines, one block per object; given a ``width``, a long
  value wraps under its value column instead of at the left edge.
* :class:`TableView`: Format-Table's way: the columns come from the caller (a spec's ``view:``,
  or ``--property``) or from the first object; their widths from a short sample of the first
  rows; after that each row is written as it comes, so memory stays flat however long the
  listing is.  :func:`format_table` is the same for a list held in memory.
* :func:`select_properties`: the properties ``Select-Object -Property`` would keep (names
  case-insensitive, ``*`` and ``?`` wildcards; a dotted name such as ``response.body.Answer``
  reads a nested property, as ``$_.response.body.Answer`` would), for every view and for JSON.
* :func:`json_line`: one object as compact JSON, timestamps as ISO 8601 text.

Nothing here imports the output objects: anything that is a ``Mapping`` is shown by its
properties, anything else as one ``Value``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = ["format_list", "format_table", "TableView", "select_properties", "property_names", "json_line",
           "json_default", "show_value", "plain_selected", "CLIP", "SAMPLE_ROWS"]

#: A table cell is clipped to this many characters (except in the last column).
CLIP = 40
#: Rows a table looks at to size its columns before it writes anything.
SAMPLE_ROWS = 20
_ELLIPSIS = "..."


#: Nested values deeper than this show as "..." in the list and table views.
SHOWN_DEPTH = 20


def show_value(value: Any, depth: int = 0) -> str:
    """One property value the way PowerShell's formatter prints it."""
    if depth > SHOWN_DEPTH:
        return "..."
    if value is None:
        return ""
    if value is True or value is False:
        return str(value)
    if isinstance(value, datetime):
        offset = value.utcoffset()
        return value.strftime("%Y-%m-%d %H:%M:%S") + ("Z" if offset is not None and not offset else "")
    if isinstance(value, Mapping):
        inner = "; ".join(f"{k}={show_value(v, depth + 1)}" for k, v in value.items())
        return "@{" + inner + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(show_value(v, depth + 1) for v in value) + "}"
    return str(value)


# --- choosing properties (Select-Object -Property) ---------------------------------------------


def _is_pattern(name: str) -> bool:
    return any(ch in name for ch in "*?[")


def _find_key(item: Mapping[str, Any], name: str) -> str | None:
    """The object's own spelling of a property name (names are case-insensitive), or None."""
    lowered = name.lower()
    for key in item:
        if str(key).lower() == lowered:
            return str(key)
    return None


def property_names(item: Any, wanted: Sequence[str] | None) -> list[str]:
    """The property names shown for ``item``: all of them, or those ``wanted`` selects.

    A plain name that the object lacks is kept (its value shows empty, as Select-Object adds it
    as $null); a wildcard pattern keeps every property it matches, case-insensitively.
    """
    if not isinstance(item, Mapping):
        return ["Value"]
    keys = [str(k) for k in item]
    if not wanted:
        return keys
    from fnmatch import fnmatchcase  # only for wildcards

    names: list[str] = []
    for name in wanted:
        if _is_pattern(name):
            names.extend(k for k in keys if fnmatchcase(k.lower(), name.lower()) and k not in names)
            continue
        found = _find_key(item, name)
        chosen = found if found is not None else name
        if chosen not in names:
            names.append(chosen)
    return names


def _value(item: Any, name: str) -> Any:
    if not isinstance(item, Mapping):
        return item if name == "Value" else None
    if name in item:
        return item[name]
    key = _find_key(item, name)
    if key is not None:
        return item[key]
    return _nested(item, name.split(".")) if "." in name else None


def _nested(value: Any, path: list[str]) -> Any:
    """A dotted name read as PowerShell reads ``$_.a.b``: case-insensitive names, and a list's
    elements each read in turn (member enumeration; one found value stands alone)."""
    for i, part in enumerate(path):
        if isinstance(value, Mapping):
            key = _find_key(value, part)
            value = value[key] if key is not None else None
        elif isinstance(value, (list, tuple)):
            found: list[Any] = []
            for element in value:  # each element's value; a list of them adds its items, as PowerShell flattens
                got = _nested(element, path[i:])
                if isinstance(got, (list, tuple)):
                    found.extend(got)
                elif got is not None:
                    found.append(got)
            return found[0] if len(found) == 1 else (found or None)
        else:
            return None
    return value


def select_properties(item: Any, wanted: Sequence[str] | None = None) -> list[tuple[str, Any]]:
    """``(name, value)`` of each property shown for ``item`` (see :func:`property_names`)."""
    return [(name, _value(item, name)) for name in property_names(item, wanted)]


# --- the list view ---------------------------------------------------------------------------


def _wrapped(text: str, room: int) -> list[str]:
    """A value's lines, each cut to ``room`` characters (at a space when there is one)."""
    import textwrap  # only when a value needs wrapping

    lines: list[str] = []
    for line in text.split("\n") or [""]:
        lines.extend(textwrap.wrap(line, width=room, break_long_words=True, break_on_hyphens=False,
                                   drop_whitespace=True, replace_whitespace=False) or [""])
    return lines


def _list_block(item: Any, wanted: Sequence[str] | None, width: int | None) -> str:
    props = select_properties(item, wanted)
    label = max((len(name) for name, _ in props), default=0)
    lines = []
    for name, value in props:
        text = show_value(value)
        head = f"{name.ljust(label)} : "
        room = (width - len(head)) if width else 0
        if room < 10 or (len(text) <= room and "\n" not in text):
            lines.append(head + text if text else head.rstrip())
            continue
        pieces = _wrapped(text, room)
        lines.append(head + pieces[0])
        lines.extend(" " * len(head) + piece for piece in pieces[1:])
    return "\n".join(lines)


def format_list(items: Iterable[Any], properties: Sequence[str] | None = None, *, width: int | None = None) -> str:
    """PowerShell's list view: ``Name : Value`` lines, a blank line between objects.

    ``properties`` chooses and orders the properties; ``width`` (a terminal's columns) wraps a
    long value under the value column.
    """
    blocks = [_list_block(item, properties, width) for item in items]
    return ("\n\n".join(blocks) + "\n") if blocks else ""


# --- the table view --------------------------------------------------------------------------


def _clip(text: str, width: int) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    if len(text) <= width:
        return text
    return text[: max(0, width - len(_ELLIPSIS))] + _ELLIPSIS[: width]


class TableView:
    """Format-Table over a stream: column widths from a sample, then one line per row.

    Feed objects to :meth:`add`; it returns the text ready to write (nothing while the first
    ``sample`` rows are collected, then the header and the sample, then one row at a time).
    :meth:`finish` returns what is still held (a listing shorter than the sample).  At most
    ``sample`` objects are ever kept.
    """

    def __init__(self, columns: Sequence[str] | None = None, *, width: int | None = None,
                 sample: int = SAMPLE_ROWS, clip: int = CLIP) -> None:
        self.wanted = list(columns) if columns else None
        self.width = width
        self.sample = max(1, sample)
        self.clip = clip
        self.columns: list[str] | None = None
        self.widths: list[int] = []
        self._held: list[Any] = []

    @property
    def started(self) -> bool:
        """Whether the header has been written (the columns are fixed from then on)."""
        return self.columns is not None

    def add(self, item: Any) -> str:
        if self.columns is not None:
            return self._row(item) + "\n"
        self._held.append(item)
        if len(self._held) < self.sample:
            return ""
        return self.flush()

    def flush(self) -> str:
        """Fix the columns from the rows held so far and return the header and those rows."""
        held, self._held = self._held, []
        if not held:
            return ""
        self._fix_columns(held)
        lines = self._header() + [self._row(item) for item in held]
        return "\n".join(lines) + "\n"

    def finish(self) -> str:
        return self.flush() if self.columns is None else ""

    def _fix_columns(self, sample: list[Any]) -> None:
        names = property_names(sample[0], self.wanted)
        columns: list[str] = []
        widths: list[int] = []
        used = 0
        for name in names:
            cells = [len(show_value(_value(item, name)).split("\n")[0]) for item in sample]
            need = max(len(name), min(max(cells, default=0), self.clip))
            room = None if self.width is None else self.width - used - (1 if columns else 0)
            if columns and room is not None and need > room:
                if room >= len(name):  # the header fits: the last column, cut to what is left
                    columns.append(name)
                    widths.append(room)
                break  # as PowerShell does, the columns that do not fit are left out
            used += need + (1 if columns else 0)
            columns.append(name)
            widths.append(need)
        self.columns, self.widths = columns, widths

    def _cells(self, item: Any) -> list[str]:
        assert self.columns is not None
        cells = []
        last = len(self.columns) - 1
        used = 0
        for i, (name, width) in enumerate(zip(self.columns, self.widths)):
            text = show_value(_value(item, name))
            if i == last:  # the last column takes what is left of the line
                room = (self.width - used) if self.width is not None else max(width, self.clip)
                cells.append(_clip(text, max(room, len(name))))
            else:
                cells.append(_clip(text, width).ljust(width))
            used += width + 1
        return cells

    def _header(self) -> list[str]:
        assert self.columns is not None
        header = " ".join(name.ljust(width) for name, width in zip(self.columns, self.widths)).rstrip()
        rule = " ".join(("-" * len(name)).ljust(width) for name, width in zip(self.columns, self.widths)).rstrip()
        return [header, rule]

    def _row(self, item: Any) -> str:
        return " ".join(self._cells(item)).rstrip()


def format_table(items: Sequence[Any], columns: Sequence[str] | None = None, *, width: int | None = None,
                 max_width: int = CLIP) -> str:
    """PowerShell's table view of a list held in memory (every row sizes the columns)."""
    if not items:
        return ""
    view = TableView(columns, width=width, sample=len(items), clip=max_width)
    return "".join(view.add(item) for item in items) + view.finish()


# --- JSON ------------------------------------------------------------------------------------


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def plain_selected(item: Any, properties: Sequence[str] | None = None) -> Any:
    """An object as plain JSON-ready data (ISO 8601 timestamps), only the chosen properties."""
    data = item.to_dict(dates="iso") if hasattr(item, "to_dict") else item
    if not properties:
        return data
    if not isinstance(data, Mapping):
        return {"Value": data} if "value" in (p.lower() for p in properties) else {}
    return {name: value for name, value in select_properties(data, properties)}


def json_line(item: Any, properties: Sequence[str] | None = None, *, ascii_only: bool = False) -> str:
    """One object as a compact JSON line, timestamps in ISO 8601, only the chosen properties.

    Always JSON: NaN and the infinities are written as the strings ``"NaN"``, ``"Infinity"`` and
    ``"-Infinity"`` (as PowerShell's ConvertTo-Json writes them), and a value nested deeper than
    Python's recursion allows is written all the same.  ``ascii_only`` escapes everything else
    (for an output that cannot encode a character, such as a lone surrogate).
    """
    data = plain_selected(item, properties)
    try:
        return json.dumps(data, default=json_default, ensure_ascii=ascii_only, separators=(",", ":"),
                          allow_nan=False)
    except (ValueError, RecursionError):  # NaN or infinity, or nested too deeply: the slow way
        return _json_iteratively(data, ascii_only)


def _json_scalar(value: Any, ascii_only: bool) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        value = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    elif isinstance(value, datetime):
        value = value.isoformat()
    return json.dumps(value, default=json_default, ensure_ascii=ascii_only)


class _Text(str):
    """Text already written as JSON (punctuation and keys), told apart from string values."""


def _json_iteratively(item: Any, ascii_only: bool) -> str:
    """JSON text of ``item`` with an explicit stack: any depth, no recursion."""
    out: list[str] = []
    todo: list[Any] = [item]
    while todo:
        value = todo.pop()
        if type(value) is _Text:
            out.append(value)
        elif isinstance(value, Mapping):
            pairs = list(value.items())
            todo.append(_Text("}"))
            for index in range(len(pairs) - 1, -1, -1):
                key, child = pairs[index]
                todo.append(child)
                todo.append(_Text(("," if index else "") + json.dumps(str(key), ensure_ascii=ascii_only) + ":"))
            todo.append(_Text("{"))
        elif isinstance(value, (list, tuple)):
            todo.append(_Text("]"))
            for index in range(len(value) - 1, -1, -1):
                todo.append(value[index])
                if index:
                    todo.append(_Text(","))
            todo.append(_Text("["))
        else:
            out.append(_json_scalar(value, ascii_only))
    return "".join(out)

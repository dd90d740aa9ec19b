"""Output as PowerShell shows it (list and table views) and as JSON Lines."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = ["format_list", "format_table", "json_line", "json_default", "show_value"]


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
        return value.strftime("%Y-%m-%d %H:%M:%S") + ("Z" if value.utcoffset() is not None and not value.utcoffset() else "")
    if isinstance(value, Mapping):
        inner = "; ".join(f"{k}={show_value(v, depth + 1)}" for k, v in value.items())
        return "@{" + inner + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(show_value(v, depth + 1) for v in value) + "}"
    return str(value)


def _properties(item: Any) -> list[tuple[str, Any]]:
    if isinstance(item, Mapping):
        return [(str(k), item[k]) for k in item]
    return [("Value", item)]


def format_list(items: Iterable[Any]) -> str:
    """PowerShell's list view: ``Name : Value`` lines, a blank line between objects."""
    blocks = []
    for item in items:
        props = _properties(item)
        width = max((len(name) for name, _ in props), default=0)
        blocks.append("\n".join(f"{name.ljust(width)} : {show_value(value)}" for name, value in props))
    return ("\n\n".join(blocks) + "\n") if blocks else ""


def format_table(items: Sequence[Any], columns: Sequence[str] | None = None, *, max_width: int = 40) -> str:
    """PowerShell's table view of the given columns (the first object's properties by default)."""
    if not items:
        return ""
    if columns is None:
        columns = [name for name, _ in _properties(items[0])]
    rows = []
    for item in items:
        props = dict(_properties(item))
        rows.append([_clip(show_value(props.get(c)), max_width) for c in columns])
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = [" ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             " ".join("-" * len(c) + " " * (w - len(c)) for c, w in zip(columns, widths)).rstrip()]
    lines += [" ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_line(item: Any, *, ascii_only: bool = False) -> str:
    """One object as a JSON line, datetimes in ISO 8601.

    Always JSON: NaN and the infinities are written as the strings ``"NaN"``, ``"Infinity"`` and
    ``"-Infinity"`` (as PowerShell's ConvertTo-Json writes them), and a value nested deeper than
    Python's recursion allows is written all the same.  ``ascii_only`` escapes everything else
    (for an output that cannot encode a character, such as a lone surrogate).
    """
    if hasattr(item, "to_dict"):
        item = item.to_dict(dates="iso")
    try:
        return json.dumps(item, default=json_default, ensure_ascii=ascii_only, separators=(",", ":"),
                          allow_nan=False)
    except (ValueError, RecursionError):  # NaN or infinity, or nested too deeply: the slow way
        return _json_iteratively(item, ascii_only)


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

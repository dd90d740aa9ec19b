"""Value sources evaluated for one binding: the values of paths, queries, bodies and follow-ups.

:func:`evaluate` gives what a :class:`~pyopenai_ps.spec.values.ValueSource` says for a binding
(and, inside an ``each``, the current element; in a follow-up, the main request's answer), or
:data:`NOTHING` when it gives nothing, so a field is left out.  :func:`json_body` builds a JSON
body and merges the extra body (``-AdditionalBody``) over it, as PSOpenAI does: top-level fields
of the extra body replace the cmdlet's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .._sentinel import Sentinel
from ..binding.result import Binding
from ..errors import ConfigurationError
from ..secure import SecureString
from ..spec.operation import Condition, ValueSource
from ..spec.properties import MISSING, get_property, read_id
from ..spec.transforms import make_transform
from ..spec.values import ITEM

__all__ = ["NOTHING", "Context", "evaluate", "holds", "json_body", "encode_json", "dig", "fill_fields"]

#: A source that gives nothing: the field, item or value is left out.
NOTHING: Any = Sentinel("NOTHING", __name__)
_NO_ITEM: Any = Sentinel("_NO_ITEM", __name__)


class Context:
    """What sources read: the binding, the current element of an ``each``, the main answer."""

    __slots__ = ("binding", "item", "answer")

    def __init__(self, binding: Binding, item: Any = _NO_ITEM, answer: Any = None) -> None:
        self.binding = binding
        self.item = item
        self.answer = answer

    def with_item(self, item: Any) -> Context:
        return Context(self.binding, item, self.answer)


def dig(value: Any, path: str) -> Any:
    """The value at a dotted path (``a.b.0.c``: keys of mappings and objects, indexes of lists); None when absent."""
    for key in path.split(".") if path else ():
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            value = value[int(key)] if key.isdigit() and int(key) < len(value) else None
            continue
        found = get_property(value, key)
        value = None if found is MISSING else found
    return value


_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def fill_fields(message: str, found: Any, missing: str) -> str:
    """A spec's message with each ``{field}`` (a dotted path) read from ``found``; ``missing`` where it has none."""

    def field(match: re.Match[str]) -> str:
        value = dig(found, match.group(1)) if found is not NOTHING else None
        return missing if value is None else str(value)

    return _FIELD.sub(field, message)


def _truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, tuple, dict, Mapping)):
        return len(value) > 0
    return True


def holds(conditions: tuple[Condition, ...], context: Context) -> bool:
    """Whether every condition holds for this binding."""
    binding = context.binding
    for condition in conditions:
        for name in condition.parameters:
            if not binding.is_bound(name) or not _truthy(binding.get(name)):
                return False
        if condition.given is not None and evaluate(condition.given, context) is NOTHING:
            return False
        if condition.equals is not None:
            name, accepted = condition.equals
            value = binding.get(name)
            if value is None or str(value).lower() not in accepted:
                return False
    return True


def _element(source: ValueSource, context: Context) -> Any:
    if context.item is _NO_ITEM:
        raise ConfigurationError("An {item: ...} value is used outside an each template.", setting="item")
    if source.item is None:
        return context.item
    found = get_property(context.item, source.item)
    return None if found is MISSING else found


def _elements(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _raw(source: ValueSource, context: Context) -> Any:
    """The value before modifiers: None when the source gives nothing."""
    if source.parameter is not None:
        return context.binding.get(source.parameter)
    if source.read_id is not None:
        value = context.item if source.read_id == ITEM else context.binding.get(source.read_id)
        return read_id(value, source.prefix, source.keys, accept_string=source.strings)
    if source.first:
        for option in source.first:
            found = evaluate(option, context)
            if found is not NOTHING:
                return found
        return None
    if source.fields is not None:
        built = {}
        for name, part in source.fields:
            found = evaluate(part, context)
            if found is not NOTHING:
                built[name] = found
        return built
    if source.items is not None:
        items: list[Any] = []
        for part in source.items:
            found = evaluate(part, context)
            if found is NOTHING:
                continue
            if part.each is not None and isinstance(found, list):
                items.extend(found)  # an each inside a list spreads its values
            else:
                items.append(found)
        return items
    if source.each is not None:
        template = source.template
        assert template is not None
        results = (evaluate(template, context.with_item(e)) for e in _elements(context.binding.get(source.each)))
        return [r for r in results if r is not NOTHING]
    if source.from_item:
        return _element(source, context)
    if source.answer is not None:
        return dig(context.answer, source.answer)
    return source.value


def evaluate(source: ValueSource, context: Context) -> Any:
    """The value a source gives for this context, or :data:`NOTHING`."""
    if source.when and not holds(source.when, context):
        return NOTHING
    if source.unless and holds(source.unless, context):
        return NOTHING
    value = _raw(source, context)
    if value is None and source.kind != "value":  # only a constant null is sent as null
        return NOTHING
    if source.mapping is not None and isinstance(value, str):
        for key, output in source.mapping:
            if key == value.lower():
                return NOTHING if output is None else output
    for name in source.transforms:
        value = make_transform(name)(value)
        if value is None:
            return NOTHING
    built = source.fields is not None or source.items is not None or source.each is not None
    if (built and not source.keep_empty) or source.nonempty:
        if isinstance(value, (str, list, dict)) and not value:
            return NOTHING
    return value


def _plain(value: Any) -> Any:
    """JSON-ready data: mappings (output objects too) as dicts, tuples as lists, dates as epoch seconds."""
    if isinstance(value, SecureString):
        raise ConfigurationError("A secret value cannot be sent in a request body.", setting="body")
    if isinstance(value, Mapping):
        if hasattr(value, "to_dict"):
            return value.to_dict(dates="unix")
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


def _extra_body(value: Any, parameter: str | None) -> dict[str, Any]:
    """The extra body as a mapping: a mapping or object as it is, a string parsed as JSON."""
    where = f"-{parameter}" if parameter else "The extra body"
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ConfigurationError(f"{where} is not valid JSON: {exc}.", setting=parameter) from None
    value = _plain(value)
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where} must be a JSON object (a hashtable or mapping).", setting=parameter)
    return value


def json_body(fields: tuple[tuple[str, ValueSource], ...], context: Context, extra: Any = None,
              extra_parameter: str | None = None) -> dict[str, Any]:
    """The JSON body: each field that gives a value, in spec order, then the extra body merged over it."""
    body: dict[str, Any] = {}
    for name, source in fields:
        value = evaluate(source, context)
        if value is not NOTHING:
            body[name] = _plain(value)
    if extra is not None:
        body.update(_extra_body(extra, extra_parameter))
    return body


def encode_json(body: Any) -> bytes:
    """The body as compact UTF-8 JSON; NaN and Infinity are refused (they are not JSON)."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except ValueError as exc:
        raise ConfigurationError(f"The request body cannot be sent as JSON: {exc}.", setting="body") from None
    except TypeError as exc:
        raise ConfigurationError(f"The request body cannot be sent as JSON: {exc}.", setting="body") from None

"""Value sources: where the values of a request come from (path, query, body, form, follow-ups).

A value source is a small mapping in a spec.  Exactly one of these says where the value comes from:

``{parameter: Name}``
    the parameter's value (bound, or its default); nothing when it has none.
``{value: <constant>}``
    any JSON constant.
``{read_id: Name, prefix: thread_, keys: [id, thread_id], strings: true}``
    an id read from a string or an object, as PSOpenAI reads them (:func:`.properties.read_id`);
    ``read_id: $item`` reads it from the current element of an ``each``.
``{first: [source, ...]}``
    the first of those that gives a value.
``{object: {field: source, ...}}``
    a JSON object; fields that give nothing are left out.
``{list: [source, ...]}``
    a JSON array; items that give nothing are left out, an ``each`` item adds one value per element.
``{each: Name, template: source}``
    one value per element of the parameter's value (a list, or one value), ``template`` evaluated
    with ``{item: null}`` as the element (``{item: key}``: one of its properties); in a ``list``
    the values are spread, elsewhere they form an array.
``{item: key-or-null}``
    inside a template: the current element, or its property of that name.
``{answer: path}``
    in a follow-up (``then:``) or a step: that field of the main request's answer (or of the current
    object), a dotted path such as ``step_details.message_creation.message_id``; ``null``: all of it.

And these modify any source:

``when: <condition>`` / ``unless: <condition>``
    give nothing unless (or when) the condition holds.  A condition is a parameter name (bound and
    truthy: a switch that is on, a non-empty value), a list of them (all), ``{given: source}``
    (the source gives a value) or ``{equals: {Name: value-or-values}}`` (case-insensitive).
``map: {input: output}``
    a string value found here (case-insensitively) becomes that output (``null``: nothing).
``transform: name`` or ``[names]``
    named Python transforms written once (:data:`.transforms.TRANSFORMS`): ``type_object``
    wraps a string as ``{type: ...}``, ``data_url`` reads a local image as a data URL, ...
``keep_empty: true``
    an ``object``, ``list`` or ``each`` that ends up empty is still sent (as ``{}`` or ``[]``);
    by default an empty one gives nothing.
``nonempty: true``
    an empty string, list or mapping from any other source gives nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import SpecError
from .transforms import TRANSFORMS

__all__ = ["ValueSource", "Condition", "parse_source", "parse_sources", "parse_condition", "ITEM", "KINDS"]

#: ``read_id: $item`` reads the current element of an ``each``.
ITEM = "$item"
#: The keys that say where a value comes from; a source has exactly one.
KINDS = ("parameter", "value", "read_id", "first", "object", "list", "each", "item", "answer")
_MODIFIERS = ("when", "unless", "map", "transform", "keep_empty", "nonempty")
_READ_ID_KEYS = ("prefix", "keys", "strings")


@attrs.frozen
class Condition:
    """When a source gives its value: a parameter set, a source that gives something, or equality."""

    parameters: tuple[str, ...] = ()  #: each bound and truthy
    given: ValueSource | None = None
    equals: tuple[str, tuple[str, ...]] | None = None  #: (parameter, accepted values, lower-cased)


@attrs.frozen
class ValueSource:
    #: Which of :data:`KINDS` says where the value comes from.
    kind: str = "value"
    parameter: str | None = None
    value: Any = None
    read_id: str | None = None
    prefix: str = ""
    keys: tuple[str, ...] = ()
    strings: bool = True
    #: ``{first: [...]}``: the first of these sources that gives a value.
    first: tuple[ValueSource, ...] = ()
    fields: tuple[tuple[str, ValueSource], ...] | None = None  #: ``{object: ...}``
    items: tuple[ValueSource, ...] | None = None  #: ``{list: ...}``
    each: str | None = None
    template: ValueSource | None = None
    item: str | None = None
    from_item: bool = False  #: ``{item: ...}``
    answer: str | None = None
    when: tuple[Condition, ...] = ()
    unless: tuple[Condition, ...] = ()
    mapping: tuple[tuple[str, Any], ...] | None = None
    transforms: tuple[str, ...] = ()
    keep_empty: bool = False
    nonempty: bool = False

    @property
    def parameter_name(self) -> str | None:
        return self.parameter or (self.read_id if self.read_id != ITEM else None)

    def parameters_used(self) -> set[str]:
        """Every parameter this source (and its parts) reads."""
        used = {n for n in (self.parameter, self.each) if n}
        if self.read_id and self.read_id != ITEM:
            used.add(self.read_id)
        parts = [*self.first, *(s for _, s in self.fields or ()), *(self.items or ())]
        if self.template is not None:
            parts.append(self.template)
        for condition in (*self.when, *self.unless):
            used.update(condition.parameters)
            if condition.equals:
                used.add(condition.equals[0])
            if condition.given is not None:
                parts.append(condition.given)
        for part in parts:
            used |= part.parameters_used()
        return used


def _fail(reason: str, field: str) -> SpecError:
    return SpecError(reason, field=field)


def _mapping(raw: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail("expected a mapping (a value source such as {parameter: Name})", field)
    return raw


def _check_parameter(name: Any, parameters: set[str], field: str) -> str:
    if not isinstance(name, str) or name not in parameters:
        raise _fail(f"no parameter named '{name}'", field)
    return name


def parse_condition(raw: Any, parameters: set[str], field: str) -> tuple[Condition, ...]:
    """``when:`` / ``unless:``: one condition or a list of them (all must hold)."""
    if isinstance(raw, str):
        return (Condition(parameters=(_check_parameter(raw, parameters, field),)),)
    if isinstance(raw, list):
        if not raw:
            raise _fail("a condition list is not empty", field)
        return tuple(c for item in raw for c in parse_condition(item, parameters, field))
    data = _mapping(raw, field)
    if len(data) != 1 or next(iter(data)) not in ("given", "equals"):
        raise _fail("a condition is a parameter name, {given: source} or {equals: {Name: value}}", field)
    if "given" in data:
        return (Condition(given=parse_source(data["given"], parameters, f"{field}.given")),)
    equals = _mapping(data["equals"], f"{field}.equals")
    if len(equals) != 1:
        raise _fail("equals names one parameter", f"{field}.equals")
    (name, wanted), = equals.items()
    values = wanted if isinstance(wanted, list) else [wanted]
    if not values or not all(isinstance(v, (str, int, float, bool)) for v in values):
        raise _fail("equals takes a value or a list of values", f"{field}.equals")
    accepted = tuple(str(v).lower() for v in values)
    return (Condition(equals=(_check_parameter(name, parameters, f"{field}.equals"), accepted)),)


def _modifiers(data: Mapping[str, Any], parameters: set[str], field: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in ("when", "unless"):
        if key in data:
            found[key] = parse_condition(data[key], parameters, f"{field}.{key}")
    if "map" in data:
        table = _mapping(data["map"], f"{field}.map")
        found["mapping"] = tuple((str(k).lower(), v) for k, v in table.items())
    if "transform" in data:
        names = data["transform"] if isinstance(data["transform"], list) else [data["transform"]]
        for name in names:
            if name not in TRANSFORMS:
                raise _fail(f"unknown transform '{name}' (known: {', '.join(sorted(TRANSFORMS))})", f"{field}.transform")
        found["transforms"] = tuple(names)
    for key in ("keep_empty", "nonempty"):
        if key in data:
            if not isinstance(data[key], bool):
                raise _fail(f"{key} is true or false", f"{field}.{key}")
            found[key] = data[key]
    return found


def _read_id(data: Mapping[str, Any], parameters: set[str], field: str) -> dict[str, Any]:
    name = data["read_id"]
    if name != ITEM:
        _check_parameter(name, parameters, field)
    keys = data.get("keys", ["id"])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise _fail("keys is a list of property names", field)
    strings = data.get("strings", True)
    if not isinstance(strings, bool):
        raise _fail("strings is true or false", field)
    return {"read_id": name, "prefix": str(data.get("prefix", "")), "keys": tuple(keys), "strings": strings}


def _kind(kind: str, data: Mapping[str, Any], parameters: set[str], field: str) -> dict[str, Any]:
    raw = data[kind]
    where = f"{field}.{kind}"
    if kind == "parameter":
        return {"parameter": _check_parameter(raw, parameters, field)}
    if kind == "value":
        return {"value": raw}
    if kind == "read_id":
        return _read_id(data, parameters, field)
    if kind == "first":
        if not isinstance(raw, list) or not raw:
            raise _fail("first takes a non-empty list of value sources", field)
        return {"first": tuple(parse_source(o, parameters, where) for o in raw)}
    if kind == "object":
        fields = _mapping(raw, where)
        return {"fields": tuple((str(k), parse_source(v, parameters, f"{where}.{k}")) for k, v in fields.items())}
    if kind == "list":
        if not isinstance(raw, list):
            raise _fail("list takes a list of value sources", field)
        return {"items": tuple(parse_source(o, parameters, where) for o in raw)}
    if kind == "each":
        if "template" not in data:
            raise _fail("each needs a template (a value source using {item: ...})", field)
        return {"each": _check_parameter(raw, parameters, field),
                "template": parse_source(data["template"], parameters, f"{field}.template")}
    if kind == "item":
        if raw is not None and not isinstance(raw, str):
            raise _fail("item takes a property name, or null for the element itself", field)
        return {"item": raw, "from_item": True}
    if raw is not None and (not isinstance(raw, str) or not raw):
        raise _fail("answer takes a dotted path into the answer (delta.content.0.text), or null for all of it", field)
    return {"answer": raw if raw is not None else ""}


def parse_source(raw: Any, parameters: set[str], field: str) -> ValueSource:
    """One value source, checked against the spec's parameter names."""
    data = _mapping(raw, field)
    kinds = [k for k in KINDS if k in data]
    if len(kinds) != 1:
        raise _fail(f"a value comes from exactly one of: {', '.join(KINDS)}", field)
    kind = kinds[0]
    allowed = {kind, *_MODIFIERS}
    if kind == "read_id":
        allowed |= set(_READ_ID_KEYS)
    if kind == "each":
        allowed.add("template")
    unknown = [k for k in data if k not in allowed]
    if unknown:
        if unknown[0] in _READ_ID_KEYS:
            raise _fail("prefix, keys and strings go with read_id", field)
        raise _fail(f"unknown key '{unknown[0]}' in a value source", field)
    return ValueSource(kind=kind, **_kind(kind, data, parameters, field), **_modifiers(data, parameters, field))


def parse_sources(raw: Any, parameters: set[str], field: str) -> dict[str, ValueSource]:
    """A mapping of name to value source (path values, query, body fields)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _fail("expected a mapping of name to value source", field)
    return {str(name): parse_source(source, parameters, f"{field}.{name}") for name, source in raw.items()}

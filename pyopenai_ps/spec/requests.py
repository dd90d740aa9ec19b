"""The request-shaping parts of an operation: bodies, forms, variants, follow-ups, messages,
records collected for one request, and requirements checked before sending (the whole shape is in
:mod:`.operation`'s docstring); and the checks every part of the operation loader shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import SpecError
from .values import Condition, ValueSource, parse_condition, parse_source, parse_sources

__all__ = ["FilePart", "FollowUp", "Variant", "Requirement", "RETURNS", "METHODS", "fail", "keys_of", "sources_of",
           "method_of", "path_of", "returns_of", "check_path_values", "body_of", "form_of", "variants_of",
           "follow_up_of", "messages_of", "collect_of", "list_of", "requirement_of", "Refusal",
           "refusals_of"]

RETURNS = ("object", "page", "all", "none", "bytes", "text", "events", "jsonl")
METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_VARIANT_KEYS = {"when", "method", "path", "path_values", "returns", "query", "body"}


@attrs.frozen
class FilePart:
    """A multipart file part: its bytes from a path, bytes or a binary stream."""

    file: ValueSource
    filename: ValueSource | None = None
    content_type: ValueSource | None = None


@attrs.frozen
class FollowUp:
    """``then:`` another cmdlet, run with values from the binding or the answer; its output is output."""

    run: str
    arguments: tuple[tuple[str, ValueSource], ...] = ()
    when: tuple[Condition, ...] = ()
    #: When set, the follow-up's output is output only when this holds (else it runs for its effect alone).
    output: tuple[Condition, ...] = ()


@attrs.frozen
class Variant:
    """Another method, path, body or return for the same set, when its condition holds."""

    when: tuple[Condition, ...]
    method: str | None = None
    path: str | None = None
    placeholders: tuple[str, ...] = ()
    path_values: Mapping[str, ValueSource] = attrs.field(factory=dict)
    returns: str | None = None
    query: tuple[tuple[str, ValueSource], ...] | None = None
    body: tuple[tuple[str, ValueSource], ...] | None = None


@attrs.frozen
class Refusal:
    """``refuse:`` a call the set cannot make (a parameter declared for later): an error, nothing sent."""

    when: tuple[Condition, ...]
    message: str


@attrs.frozen
class Requirement:
    """Before sending: a field of an object must be one of some values (``unless`` a parameter is set)."""

    of: ValueSource
    field: str
    values: tuple[str, ...]
    message: str
    unless: tuple[Condition, ...] = ()


def fail(reason: str, field: str) -> SpecError:
    return SpecError(reason, field=f"operation.{field}" if field else "operation")

def keys_of(data: Any, allowed: set[str], field: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise fail("expected a mapping", field)
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise fail(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})", field)
    return data

def sources_of(raw: Any, parameters: set[str], field: str) -> dict[str, ValueSource]:
    return parse_sources(raw, parameters, f"operation.{field}")

def method_of(raw: Any, field: str) -> str:
    method = str(raw).upper()
    if method not in METHODS:
        raise fail(f"unknown method '{method}'", f"{field}.method")
    return method

def path_of(raw: Any, field: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(raw, str) or not raw.startswith("/"):
        raise fail("path is a string starting with '/'", f"{field}.path")
    return raw, tuple(_PLACEHOLDER.findall(raw))

def returns_of(raw: Any, field: str) -> str:
    if raw not in RETURNS:
        raise fail(f"returns is one of {', '.join(RETURNS)}", f"{field}.returns")
    return str(raw)

def check_path_values(placeholders: tuple[str, ...], values: Mapping[str, ValueSource], supplied: set[str],
                       field: str) -> None:
    for name in placeholders:
        if name not in values and name not in supplied:
            raise fail(f"path placeholder '{{{name}}}' has no path_values entry", f"{field}.path")
    extra = set(values) - set(placeholders)
    if extra:
        raise fail(f"path_values '{sorted(extra)[0]}' is not in the path", f"{field}.path_values")

def body_of(raw: Any, parameters: set[str], field: str) -> tuple[tuple[str, ValueSource], ...]:
    if not isinstance(raw, Mapping):
        raise fail("body is a mapping of JSON field to value source", f"{field}.body")
    return tuple(sources_of(raw, parameters, f"{field}.body").items())

def form_of(raw: Any, parameters: set[str], field: str) -> tuple[tuple[str, ValueSource | FilePart], ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise fail("form is a mapping of part name to a value source or a {file: ...} part", f"{field}.form")
    parts: list[tuple[str, ValueSource | FilePart]] = []
    for name, part in raw.items():
        where = f"operation.{field}.form.{name}"
        if isinstance(part, Mapping) and "file" in part:
            data = keys_of(part, {"file", "filename", "content_type"}, f"{field}.form.{name}")
            parts.append((str(name), FilePart(
                file=parse_source(data["file"], parameters, f"{where}.file"),
                filename=parse_source(data["filename"], parameters, f"{where}.filename") if "filename" in data else None,
                content_type=(parse_source(data["content_type"], parameters, f"{where}.content_type")
                              if "content_type" in data else None),
            )))
        else:
            parts.append((str(name), parse_source(part, parameters, where)))
    if not any(isinstance(p, FilePart) for _, p in parts):
        raise fail("a form needs at least one {file: ...} part", f"{field}.form")
    return tuple(parts)

def variants_of(raw: Any, parameters: set[str], field: str, base_values: Mapping[str, ValueSource]
              ) -> tuple[Variant, ...]:
    if not isinstance(raw, list) or not raw:
        raise fail("variants is a non-empty list", f"{field}.variants")
    variants = []
    for index, item in enumerate(raw):
        where = f"{field}.variants.{index}"
        data = keys_of(item, _VARIANT_KEYS, where)
        if "when" not in data:
            raise fail("a variant needs 'when'", where)
        path, placeholders = path_of(data["path"], where) if "path" in data else (None, ())
        values = sources_of(data.get("path_values"), parameters, f"{where}.path_values")
        if path is not None:
            check_path_values(placeholders, {**base_values, **values}, set(), where)
        variants.append(Variant(
            when=parse_condition(data["when"], parameters, f"operation.{where}.when"),
            method=method_of(data["method"], where) if "method" in data else None,
            path=path, placeholders=placeholders, path_values=values,
            returns=returns_of(data["returns"], where) if "returns" in data else None,
            query=tuple(sources_of(data["query"], parameters, f"{where}.query").items()) if "query" in data else None,
            body=body_of(data["body"], parameters, where) if "body" in data else None,
        ))
    return tuple(variants)

def follow_up_of(raw: Any, parameters: set[str], field: str) -> FollowUp:
    data = keys_of(raw, {"run", "with", "when", "output"}, f"{field}.then")
    if not isinstance(data.get("run"), str) or not data["run"].strip():
        raise fail("then needs 'run', the name of a cmdlet", f"{field}.then")
    arguments = sources_of(data.get("with"), parameters, f"{field}.then.with")
    when = parse_condition(data["when"], parameters, f"operation.{field}.then.when") if "when" in data else ()
    output = parse_condition(data["output"], parameters, f"operation.{field}.then.output") if "output" in data else ()
    return FollowUp(run=data["run"].strip(), arguments=tuple(arguments.items()), when=when, output=output)

def messages_of(raw: Any, field: str) -> tuple[str | None, str | None]:
    data = keys_of(raw, {"success", "failure"}, f"{field}.messages")
    texts = [data.get("success"), data.get("failure")]
    if not all(t is None or isinstance(t, str) for t in texts):
        raise fail("messages are text", f"{field}.messages")
    return texts[0], texts[1]

def collect_of(raw: Any, parameters: set[str], field: str) -> str | None:
    if raw is not None and raw not in parameters:
        raise fail(f"no parameter named '{raw}'", f"{field}.collect")
    return raw if raw is None else str(raw)

def list_of(raw: Any, field: str) -> list[Any]:
    if not isinstance(raw, list):
        raise fail("expected a list", field)
    return raw

def requirement_of(raw: Any, parameters: set[str], field: str) -> Requirement:
    data = keys_of(raw, {"of", "field", "in", "unless", "message"}, field)
    values = data.get("in")
    if not isinstance(values, list) or not values or not isinstance(data.get("field"), str):
        raise fail("a requirement needs 'of' (a value source), 'field' and 'in' (a list of values)", field)
    if not isinstance(data.get("message"), str):
        raise fail("a requirement needs 'message', the error when it is not met", field)
    return Requirement(
        of=parse_source(data["of"], parameters, f"operation.{field}.of"),
        field=data["field"], values=tuple(str(v) for v in values), message=data["message"],
        unless=parse_condition(data["unless"], parameters, f"operation.{field}.unless") if "unless" in data else (),
    )


def refusals_of(raw: Any, parameters: set[str], field: str) -> tuple[Refusal, ...]:
    if not isinstance(raw, list) or not raw:
        raise fail("refuse is a non-empty list of {when: condition, message: text}", f"{field}.refuse")
    refusals = []
    for index, item in enumerate(raw):
        where = f"{field}.refuse.{index}"
        data = keys_of(item, {"when", "message"}, where)
        message = data.get("message")
        if "when" not in data or not isinstance(message, str) or not message.strip():
            raise fail("a refusal needs 'when' and a 'message'", where)
        refusals.append(Refusal(when=parse_condition(data["when"], parameters, f"operation.{where}.when"),
                                message=message.strip()))
    return tuple(refusals)

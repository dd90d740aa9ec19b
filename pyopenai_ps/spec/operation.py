"""The ``operation`` section of a spec: what HTTP request each parameter set makes.

Plain data, checked when the spec loads; the runtime executes it.  The shape, with every
optional key shown::

    operation:
      connection:            # which parameter plays a connection role, where no `role:` says so
        api_key: MyKeyParameter
      headers: {OpenAI-Beta: assistants=v2}   # sent by every set
      output:                                 # every set's output, unless a set overrides it
        type_name: PSOpenAI.Thread.Run
        timestamps: [created_at, completed_at]
      sets:
        Get:
          method: GET
          path: /threads/{thread_id}/runs/{run_id}
          path_values:
            thread_id: {read_id: InputObject, prefix: thread_, keys: [id, thread_id]}
            run_id: {parameter: RunId}
          returns: object                     # object | page | all
        List:
          path: /threads/{thread_id}/runs
          query: {limit: {parameter: Limit}, order: {parameter: Order}}
          returns: page
          more_warning: {unless_bound: Limit} # warn when a page says has_more
          redirect:                           # a piped run is fetched again instead
            to: Get
            values: {run_id: {read_id: InputObject, prefix: run_, keys: [id, run_id], strings: false}}

A value source is ``{parameter: Name}`` (its bound or default value; left out
when there is none), ``{value: constant}``, ``{read_id: Name, prefix: P,
keys: [..], strings: true}`` (an id read from a string or an object, the
reusable helper :func:`.properties.read_id`), or ``{first: [source, ...]}`` (the
first of those that gives a value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import SpecError

__all__ = [
    "ValueSource",
    "Pagination",
    "OutputSpec",
    "Redirect",
    "SetOperation",
    "Connection",
    "OperationSpec",
    "parse_operation",
    "RETURNS",
]

RETURNS = ("object", "page", "all")
_METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@attrs.frozen
class ValueSource:
    parameter: str | None = None
    value: Any = None
    read_id: str | None = None
    prefix: str = ""
    keys: tuple[str, ...] = ()
    strings: bool = True
    #: ``{first: [...]}``: the first of these sources that gives a value.
    first: tuple[ValueSource, ...] = ()

    @property
    def parameter_name(self) -> str | None:
        return self.parameter or self.read_id


@attrs.frozen
class Pagination:
    items: str = "data"
    has_more: str = "has_more"
    cursor: str = "after"  #: the query parameter that carries the cursor
    next_from: str = "last_id"  #: the response field that gives the next cursor


@attrs.frozen
class OutputSpec:
    type_name: str | None = None
    timestamps: tuple[str, ...] = ()


@attrs.frozen
class Redirect:
    to: str
    values: tuple[tuple[str, ValueSource], ...]


@attrs.frozen
class SetOperation:
    set_name: str
    method: str
    path: str
    placeholders: tuple[str, ...]
    path_values: Mapping[str, ValueSource]
    query: tuple[tuple[str, ValueSource], ...]
    headers: tuple[tuple[str, str], ...]
    returns: str
    pagination: Pagination
    more_warning: bool
    more_warning_unless_bound: str | None
    redirect: Redirect | None
    output: OutputSpec


@attrs.frozen
class Connection:
    """The parameter that plays each connection role (None: the cmdlet has none for it)."""

    api_key: str | None = None
    api_base: str | None = None
    organization: str | None = None
    timeout: str | None = None
    max_retries: str | None = None
    extra_query: str | None = None
    extra_headers: str | None = None


@attrs.frozen
class OperationSpec:
    sets: Mapping[str, SetOperation]
    #: ``connection:`` as written (role -> parameter name); the loader merges it into the spec's roles.
    connection: Mapping[str, str] = attrs.field(factory=dict)


def _fail(reason: str, field: str) -> SpecError:
    return SpecError(reason, field=f"operation.{field}" if field else "operation")


def _keys(data: Any, allowed: set[str], field: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _fail("expected a mapping", field)
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise _fail(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})", field)
    return data


def _source(raw: Any, parameters: set[str], field: str) -> ValueSource:
    data = _keys(raw, {"parameter", "value", "read_id", "prefix", "keys", "strings", "first"}, field)
    kinds = [k for k in ("parameter", "value", "read_id", "first") if k in data]
    if len(kinds) != 1:
        raise _fail("a value comes from exactly one of: parameter, value, read_id, first", field)
    if "first" in data:
        options = data["first"]
        if not isinstance(options, list) or not options:
            raise _fail("first takes a non-empty list of value sources", field)
        return ValueSource(first=tuple(_source(o, parameters, f"{field}.first") for o in options))
    for name in (data.get("parameter"), data.get("read_id")):
        if name is not None and name not in parameters:
            raise _fail(f"no parameter named '{name}'", field)
    if "read_id" in data:
        keys = data.get("keys", ["id"])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _fail("keys is a list of property names", field)
        strings = data.get("strings", True)
        if not isinstance(strings, bool):
            raise _fail("strings is true or false", field)
        return ValueSource(read_id=data["read_id"], prefix=str(data.get("prefix", "")), keys=tuple(keys),
                           strings=strings)
    if "prefix" in data or "keys" in data or "strings" in data:
        raise _fail("prefix, keys and strings go with read_id", field)
    if "parameter" in data:
        return ValueSource(parameter=data["parameter"])
    return ValueSource(value=data["value"])


def _sources(raw: Any, parameters: set[str], field: str) -> dict[str, ValueSource]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _fail("expected a mapping of name to value source", field)
    return {str(name): _source(source, parameters, f"{field}.{name}") for name, source in raw.items()}


def _headers(raw: Any, field: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise _fail("expected a mapping of header name to value", field)
    pairs = []
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _fail(f"the value of header '{name}' must be text", field)
        text = str(value)
        if any(ch in str(name) + text for ch in "\r\n\0"):
            raise _fail("header names and values cannot hold CR, LF or NUL", field)
        pairs.append((str(name), text))
    return tuple(pairs)


def _output(raw: Any, field: str, inherited: OutputSpec) -> OutputSpec:
    if raw is None:
        return inherited
    data = _keys(raw, {"type_name", "timestamps"}, field)
    stamps = data.get("timestamps", list(inherited.timestamps))
    if not isinstance(stamps, list) or not all(isinstance(s, str) for s in stamps):
        raise _fail("timestamps is a list of field names", field)
    return OutputSpec(type_name=data.get("type_name", inherited.type_name), timestamps=tuple(stamps))


def parse_operation(raw: Any, *, sets: tuple[str, ...], parameters: set[str]) -> OperationSpec:
    data = _keys(raw, {"connection", "headers", "output", "sets"}, "")
    connection_raw = _keys(data.get("connection", {}), set(attrs.fields_dict(Connection)), "connection")
    chosen = {}
    for role, name in connection_raw.items():
        if name is not None and name not in parameters:
            raise _fail(f"no parameter named '{name}'", f"connection.{role}")
        chosen[role] = name
    common_headers = _headers(data.get("headers"), "headers")
    common_output = _output(data.get("output"), "output", OutputSpec())

    raw_sets = data.get("sets", {})
    if not isinstance(raw_sets, Mapping):
        raise _fail("expected a mapping of parameter set to operation", "sets")
    operations: dict[str, SetOperation] = {}
    for set_name, body in raw_sets.items():
        if set_name not in sets:
            raise _fail(f"'{set_name}' is not a declared parameter set", "sets")
        operations[set_name] = _set_operation(set_name, body, parameters, common_headers, common_output)
    for operation in operations.values():
        if operation.redirect and operation.redirect.to not in operations:
            raise _fail(f"redirect to '{operation.redirect.to}', which has no operation",
                        f"sets.{operation.set_name}.redirect")
        if operation.redirect:
            target = operations[operation.redirect.to]
            supplied = {name for name, _ in operation.redirect.values}
            unknown = supplied - set(target.placeholders)
            if unknown:
                raise _fail(f"'{sorted(unknown)[0]}' is not a path value of '{target.set_name}'",
                            f"sets.{operation.set_name}.redirect")
    return OperationSpec(sets=operations, connection=chosen)


def _set_operation(
    set_name: str, raw: Any, parameters: set[str], common_headers: tuple[tuple[str, str], ...], output: OutputSpec
) -> SetOperation:
    field = f"sets.{set_name}"
    allowed = {"method", "path", "path_values", "query", "headers", "returns", "pagination", "more_warning",
               "redirect", "output"}
    data = _keys(raw, allowed, field)
    method = str(data.get("method", "GET")).upper()
    if method not in _METHODS:
        raise _fail(f"unknown method '{method}'", f"{field}.method")
    path = data.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise _fail("path is a string starting with '/'", f"{field}.path")
    placeholders = tuple(_PLACEHOLDER.findall(path))
    path_values = _sources(data.get("path_values"), parameters, f"{field}.path_values")
    returns = data.get("returns", "object")
    if returns not in RETURNS:
        raise _fail(f"returns is one of {', '.join(RETURNS)}", f"{field}.returns")

    redirect = None
    if "redirect" in data:
        body = _keys(data["redirect"], {"to", "values"}, f"{field}.redirect")
        if not isinstance(body.get("to"), str):
            raise _fail("redirect needs 'to', a parameter set", f"{field}.redirect")
        values = _sources(body.get("values"), parameters, f"{field}.redirect.values")
        redirect = Redirect(to=body["to"], values=tuple(values.items()))

    for name in placeholders:
        if name not in path_values and not (redirect and name in dict(redirect.values)):
            raise _fail(f"path placeholder '{{{name}}}' has no path_values entry", f"{field}.path")
    extra = set(path_values) - set(placeholders)
    if extra:
        raise _fail(f"path_values '{sorted(extra)[0]}' is not in the path", f"{field}.path_values")

    pagination = Pagination()
    if "pagination" in data:
        body = _keys(data["pagination"], set(attrs.fields_dict(Pagination)), f"{field}.pagination")
        pagination = Pagination(**{k: str(v) for k, v in body.items()})

    more_warning = returns == "page"
    unless = None
    if "more_warning" in data:
        raw_warning = data["more_warning"]
        if isinstance(raw_warning, bool):
            more_warning = raw_warning
        else:
            body = _keys(raw_warning, {"unless_bound"}, f"{field}.more_warning")
            unless = body.get("unless_bound")
            if unless is not None and unless not in parameters:
                raise _fail(f"no parameter named '{unless}'", f"{field}.more_warning")
            more_warning = True

    headers = dict(common_headers)
    headers.update(_headers(data.get("headers"), f"{field}.headers"))
    return SetOperation(
        set_name=set_name,
        method=method,
        path=path,
        placeholders=placeholders,
        path_values=path_values,
        query=tuple(_sources(data.get("query"), parameters, f"{field}.query").items()),
        headers=tuple(headers.items()),
        returns=returns,
        pagination=pagination,
        more_warning=more_warning,
        more_warning_unless_bound=unless,
        redirect=redirect,
        output=_output(data.get("output"), f"{field}.output", output),
    )

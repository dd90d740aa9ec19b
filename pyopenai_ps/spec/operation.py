"""The ``operation`` section of a spec: what HTTP request each parameter set makes.

Plain data, checked when the spec loads; the runtime executes it.  The shape, with the optional
keys shown (value sources are described in :mod:`.values`)::

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
          returns: object                     # object | page | all | none | bytes | text
        List:
          path: /threads/{thread_id}/runs
          query: {limit: {parameter: Limit}, order: {parameter: Order}}
          returns: page
          more_warning: {unless_bound: Limit} # warn when a page says has_more
          redirect:                           # a piped run is fetched again instead
            to: Get
            values: {run_id: {read_id: InputObject, prefix: run_, keys: [id, run_id], strings: false}}
        Create:
          method: POST
          path: /threads
          body:                               # a JSON body: field -> value source
            metadata: {parameter: Metadata}
          variants:                           # the first whose `when` holds changes the request
            - when: {given: {read_id: InputObject, prefix: thread_}}
              path: /threads/{thread_id}
              path_values: {thread_id: {read_id: InputObject, prefix: thread_}}
          then:                               # a follow-up whose output replaces this one's
            when: PassThru
            run: Get-Thread
            with: {InputObject: {answer: id}}
            output: PassThru                  # (optional) else it runs and its output is dropped
          require:                            # checked before sending; else an error for this record
            - {of: {parameter: InputObject}, field: status, in: [queued], unless: Force,
               message: "Cannot cancel {id} with status {status}."}   # {field}: a dotted path of the object
            - {when: AutoRemove, needs: Wait, message: -AutoRemove needs -Wait.}
          messages:
            success: The thread {thread_id} was created.     # -Verbose, after the answer
            failure: The thread {thread_id} was not removed.  # added to the error's message
        Upload:
          method: POST
          path: /files
          form:                               # multipart/form-data, streamed from disk
            purpose: {parameter: Purpose}
            file: {file: {parameter: File}, filename: {parameter: Name}}
        Content:
          path: /files/{file_id}/content
          returns: bytes
          out_file: OutFile                   # when bound: streamed to that file, nothing output
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import SpecError
from .flow import (
    Derived,
    EventsSpec,
    PollSpec,
    Step,
    parse_derived,
    parse_events,
    parse_poll,
    parse_steps,
)
from .values import Condition, ValueSource, parse_condition, parse_source, parse_sources

__all__ = [
    "ValueSource",
    "Condition",
    "Pagination",
    "OutputSpec",
    "Redirect",
    "Variant",
    "FollowUp",
    "FilePart",
    "Requirement",
    "SetOperation",
    "Connection",
    "OperationSpec",
    "parse_operation",
    "RETURNS",
]

RETURNS = ("object", "page", "all", "none", "bytes", "text", "events", "jsonl")
_METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SET_KEYS = {"method", "path", "path_values", "query", "headers", "returns", "pagination", "more_warning",
             "redirect", "output", "body", "form", "variants", "then", "out_file", "messages", "poll", "events",
             "steps", "start", "collect", "require"}
_VARIANT_KEYS = {"when", "method", "path", "path_values", "returns", "query", "body"}


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
    derived: tuple[Derived, ...] = ()


@attrs.frozen
class Redirect:
    to: str
    values: tuple[tuple[str, ValueSource], ...]


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
    #: ``body:`` field -> source (None: no JSON body).
    body: tuple[tuple[str, ValueSource], ...] | None = None
    #: ``form:`` part name -> a text source or a FilePart (None: not multipart).
    form: tuple[tuple[str, ValueSource | FilePart], ...] | None = None
    variants: tuple[Variant, ...] = ()
    then: FollowUp | None = None
    out_file: str | None = None
    success_message: str | None = None
    failure_message: str | None = None
    poll: PollSpec | None = None
    events: EventsSpec | None = None
    #: Other cmdlets run in turn instead of a request (``path`` is then empty).
    steps: tuple[Step, ...] = ()
    start: ValueSource | None = None
    #: The parameter whose values every pipeline record adds to, for one request after the last record.
    collect: str | None = None
    require: tuple[Requirement, ...] = ()


@attrs.frozen
class Requirement:
    """Before sending: a field of an object must be one of some values (``unless`` a condition holds), or,
    written ``{when: A, needs: B}``, a condition must hold whenever another one does."""

    of: ValueSource | None
    field: str
    values: tuple[str, ...]
    message: str
    unless: tuple[Condition, ...] = ()
    when: tuple[Condition, ...] = ()
    needs: tuple[Condition, ...] = ()


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
    extra_body: str | None = None


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


def _sources(raw: Any, parameters: set[str], field: str) -> dict[str, ValueSource]:
    return parse_sources(raw, parameters, f"operation.{field}")


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


def _output(raw: Any, field: str, inherited: OutputSpec, parameters: set[str]) -> OutputSpec:
    if raw is None:
        return inherited
    data = _keys(raw, {"type_name", "timestamps", "derived"}, field)
    stamps = data.get("timestamps", list(inherited.timestamps))
    if not isinstance(stamps, list) or not all(isinstance(s, str) for s in stamps):
        raise _fail("timestamps is a list of field names", field)
    derived = parse_derived(data["derived"], parameters, f"{field}.derived") if "derived" in data else inherited.derived
    return OutputSpec(type_name=data.get("type_name", inherited.type_name), timestamps=tuple(stamps),
                      derived=derived)


def parse_operation(raw: Any, *, sets: tuple[str, ...], parameters: set[str]) -> OperationSpec:
    data = _keys(raw, {"connection", "headers", "output", "sets"}, "")
    connection_raw = _keys(data.get("connection", {}), set(attrs.fields_dict(Connection)), "connection")
    chosen = {}
    for role, name in connection_raw.items():
        if name is not None and name not in parameters:
            raise _fail(f"no parameter named '{name}'", f"connection.{role}")
        chosen[role] = name
    common_headers = _headers(data.get("headers"), "headers")
    common_output = _output(data.get("output"), "output", OutputSpec(), parameters)

    raw_sets = data.get("sets", {})
    if not isinstance(raw_sets, Mapping):
        raise _fail("expected a mapping of parameter set to operation", "sets")
    operations: dict[str, SetOperation] = {}
    for set_name, body in raw_sets.items():
        if set_name not in sets:
            raise _fail(f"'{set_name}' is not a declared parameter set", "sets")
        operations[set_name] = _set_operation(set_name, body, parameters, common_headers, common_output)
    for operation in operations.values():
        _check_redirect(operation, operations)
    return OperationSpec(sets=operations, connection=chosen)


def _check_redirect(operation: SetOperation, operations: Mapping[str, SetOperation]) -> None:
    redirect = operation.redirect
    if redirect is None:
        return
    where = f"sets.{operation.set_name}.redirect"
    if redirect.to not in operations:
        raise _fail(f"redirect to '{redirect.to}', which has no operation", where)
    target = operations[redirect.to]
    unknown = {name for name, _ in redirect.values} - set(target.placeholders)
    if unknown:
        raise _fail(f"'{sorted(unknown)[0]}' is not a path value of '{target.set_name}'", where)


def _method(raw: Any, field: str) -> str:
    method = str(raw).upper()
    if method not in _METHODS:
        raise _fail(f"unknown method '{method}'", f"{field}.method")
    return method


def _path(raw: Any, field: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(raw, str) or not raw.startswith("/"):
        raise _fail("path is a string starting with '/'", f"{field}.path")
    return raw, tuple(_PLACEHOLDER.findall(raw))


def _returns(raw: Any, field: str) -> str:
    if raw not in RETURNS:
        raise _fail(f"returns is one of {', '.join(RETURNS)}", f"{field}.returns")
    return str(raw)


def _check_path_values(placeholders: tuple[str, ...], values: Mapping[str, ValueSource], supplied: set[str],
                       field: str) -> None:
    for name in placeholders:
        if name not in values and name not in supplied:
            raise _fail(f"path placeholder '{{{name}}}' has no path_values entry", f"{field}.path")
    extra = set(values) - set(placeholders)
    if extra:
        raise _fail(f"path_values '{sorted(extra)[0]}' is not in the path", f"{field}.path_values")


def _body(raw: Any, parameters: set[str], field: str) -> tuple[tuple[str, ValueSource], ...]:
    if not isinstance(raw, Mapping):
        raise _fail("body is a mapping of JSON field to value source", f"{field}.body")
    return tuple(_sources(raw, parameters, f"{field}.body").items())


def _form(raw: Any, parameters: set[str], field: str) -> tuple[tuple[str, ValueSource | FilePart], ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise _fail("form is a mapping of part name to a value source or a {file: ...} part", f"{field}.form")
    parts: list[tuple[str, ValueSource | FilePart]] = []
    for name, part in raw.items():
        where = f"operation.{field}.form.{name}"
        if isinstance(part, Mapping) and "file" in part:
            data = _keys(part, {"file", "filename", "content_type"}, f"{field}.form.{name}")
            parts.append((str(name), FilePart(
                file=parse_source(data["file"], parameters, f"{where}.file"),
                filename=parse_source(data["filename"], parameters, f"{where}.filename") if "filename" in data else None,
                content_type=(parse_source(data["content_type"], parameters, f"{where}.content_type")
                              if "content_type" in data else None),
            )))
        else:
            parts.append((str(name), parse_source(part, parameters, where)))
    if not any(isinstance(p, FilePart) for _, p in parts):
        raise _fail("a form needs at least one {file: ...} part", f"{field}.form")
    return tuple(parts)


def _variants(raw: Any, parameters: set[str], field: str, base_values: Mapping[str, ValueSource]
              ) -> tuple[Variant, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail("variants is a non-empty list", f"{field}.variants")
    variants = []
    for index, item in enumerate(raw):
        where = f"{field}.variants.{index}"
        data = _keys(item, _VARIANT_KEYS, where)
        if "when" not in data:
            raise _fail("a variant needs 'when'", where)
        path, placeholders = _path(data["path"], where) if "path" in data else (None, ())
        values = _sources(data.get("path_values"), parameters, f"{where}.path_values")
        if path is not None:
            _check_path_values(placeholders, {**base_values, **values}, set(), where)
        variants.append(Variant(
            when=parse_condition(data["when"], parameters, f"operation.{where}.when"),
            method=_method(data["method"], where) if "method" in data else None,
            path=path, placeholders=placeholders, path_values=values,
            returns=_returns(data["returns"], where) if "returns" in data else None,
            query=tuple(_sources(data["query"], parameters, f"{where}.query").items()) if "query" in data else None,
            body=_body(data["body"], parameters, where) if "body" in data else None,
        ))
    return tuple(variants)


def _follow_up(raw: Any, parameters: set[str], field: str) -> FollowUp:
    data = _keys(raw, {"run", "with", "when", "output"}, f"{field}.then")
    if not isinstance(data.get("run"), str) or not data["run"].strip():
        raise _fail("then needs 'run', the name of a cmdlet", f"{field}.then")
    arguments = _sources(data.get("with"), parameters, f"{field}.then.with")
    when = parse_condition(data["when"], parameters, f"operation.{field}.then.when") if "when" in data else ()
    output = parse_condition(data["output"], parameters, f"operation.{field}.then.output") if "output" in data else ()
    return FollowUp(run=data["run"].strip(), arguments=tuple(arguments.items()), when=when, output=output)


def _messages(raw: Any, field: str) -> tuple[str | None, str | None]:
    data = _keys(raw, {"success", "failure"}, f"{field}.messages")
    texts = [data.get("success"), data.get("failure")]
    if not all(t is None or isinstance(t, str) for t in texts):
        raise _fail("messages are text", f"{field}.messages")
    return texts[0], texts[1]


def _more_warning(data: Mapping[str, Any], returns: str, parameters: set[str], field: str
                  ) -> tuple[bool, str | None]:
    if "more_warning" not in data:
        return returns == "page", None
    raw_warning = data["more_warning"]
    if isinstance(raw_warning, bool):
        return raw_warning, None
    body = _keys(raw_warning, {"unless_bound"}, f"{field}.more_warning")
    unless = body.get("unless_bound")
    if unless is not None and unless not in parameters:
        raise _fail(f"no parameter named '{unless}'", f"{field}.more_warning")
    return True, unless


def _set_operation(
    set_name: str, raw: Any, parameters: set[str], common_headers: tuple[tuple[str, str], ...], output: OutputSpec
) -> SetOperation:
    field = f"sets.{set_name}"
    data = _keys(raw, _SET_KEYS, field)
    method = _method(data.get("method", "GET"), field)
    steps = parse_steps(data["steps"], parameters, field) if "steps" in data else ()
    if steps and ({"path", "body", "form", "poll", "events"} & set(data)):
        raise _fail("a set runs steps or sends a request of its own, not both", field)
    path, placeholders = _path(data.get("path"), field) if not steps else ("", ())
    path_values = _sources(data.get("path_values"), parameters, f"{field}.path_values")
    returns = _returns(data.get("returns", "object" if not steps else "none"), field)

    redirect = None
    if "redirect" in data:
        body = _keys(data["redirect"], {"to", "values"}, f"{field}.redirect")
        if not isinstance(body.get("to"), str):
            raise _fail("redirect needs 'to', a parameter set", f"{field}.redirect")
        values = _sources(body.get("values"), parameters, f"{field}.redirect.values")
        redirect = Redirect(to=body["to"], values=tuple(values.items()))
    _check_path_values(placeholders, path_values, set(dict(redirect.values)) if redirect else set(), field)

    pagination = Pagination()
    if "pagination" in data:
        paging = _keys(data["pagination"], set(attrs.fields_dict(Pagination)), f"{field}.pagination")
        pagination = Pagination(**{k: str(v) for k, v in paging.items()})
    more_warning, unless = _more_warning(data, returns, parameters, field)
    if "body" in data and "form" in data:
        raise _fail("a request has a JSON body or a form, not both", field)
    out_file = data.get("out_file")
    if out_file is not None and out_file not in parameters:
        raise _fail(f"no parameter named '{out_file}'", f"{field}.out_file")
    success, failure = _messages(data["messages"], field) if "messages" in data else (None, None)
    variants = _variants(data["variants"], parameters, field, path_values) if "variants" in data else ()
    if "events" not in data and "events" in (returns, *(v.returns for v in variants)):
        raise _fail("returns: events needs an 'events:' selection", field)

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
        output=_output(data.get("output"), f"{field}.output", output, parameters),
        body=_body(data["body"], parameters, field) if "body" in data else None,
        form=_form(data["form"], parameters, field) if "form" in data else None,
        variants=variants,
        then=_follow_up(data["then"], parameters, field) if "then" in data else None,
        out_file=out_file,
        success_message=success,
        failure_message=failure,
        poll=parse_poll(data["poll"], parameters, field) if "poll" in data else None,
        events=parse_events(data["events"], parameters, field) if "events" in data else None,
        steps=steps,
        start=parse_source(data["start"], parameters, f"operation.{field}.start") if "start" in data else None,
        collect=_collect(data.get("collect"), parameters, field),
        require=tuple(_requirement(r, parameters, f"{field}.require.{i}")
                      for i, r in enumerate(_list(data.get("require", []), f"{field}.require"))),
    )


def _collect(raw: Any, parameters: set[str], field: str) -> str | None:
    if raw is not None and raw not in parameters:
        raise _fail(f"no parameter named '{raw}'", f"{field}.collect")
    return raw if raw is None else str(raw)


def _list(raw: Any, field: str) -> list[Any]:
    if not isinstance(raw, list):
        raise _fail("expected a list", field)
    return raw


def _requirement(raw: Any, parameters: set[str], field: str) -> Requirement:
    data = _keys(raw, {"of", "field", "in", "unless", "when", "needs", "message"}, field)
    if not isinstance(data.get("message"), str):
        raise _fail("a requirement needs 'message', the error when it is not met", field)

    def condition(key: str) -> tuple[Condition, ...]:
        return parse_condition(data[key], parameters, f"operation.{field}.{key}") if key in data else ()

    if "needs" in data:
        if {"of", "field", "in"} & set(data):
            raise _fail("a requirement is {when, needs} or {of, field, in}, not both", field)
        return Requirement(of=None, field="", values=(), message=data["message"], unless=condition("unless"),
                           when=condition("when"), needs=condition("needs"))
    values = data.get("in")
    if not isinstance(values, list) or not values or not isinstance(data.get("field"), str):
        raise _fail("a requirement needs 'of' (a value source), 'field' (a dotted path) and 'in' (a list of values), "
                    "or 'needs' (a condition)", field)
    return Requirement(
        of=parse_source(data["of"], parameters, f"operation.{field}.of"),
        field=data["field"], values=tuple(str(v) for v in values), message=data["message"],
        unless=condition("unless"), when=condition("when"),
    )

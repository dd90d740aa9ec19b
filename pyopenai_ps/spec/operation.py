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
          returns: object                     # object | page | all | none | bytes | text (text: a JSON
                                              # answer still feeds {answer.*} in messages and then:)
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
          refuse:                             # a call this package cannot make (yet): an error, nothing sent
            - {when: Wait, message: "-Wait is not supported yet."}
          then:                               # a follow-up whose output replaces this one's; it gets
            when: PassThru                    # this call's connection parameters (not -AdditionalBody)
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
          form:                               # multipart/form-data, streamed from disk; parts in
            purpose: {parameter: Purpose}     # this order
            file: {file: {parameter: File}, filename: {parameter: Name}}
        Content:
          path: /files/{file_id}/content
          returns: bytes
          out_file: OutFile                   # when bound: streamed to that file, nothing output
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from . import requests
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
from .requests import RETURNS, FilePart, FollowUp, Refusal, Requirement, Variant
from .values import Condition, ValueSource, parse_source

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
    "Refusal",
    "SetOperation",
    "Connection",
    "OperationSpec",
    "parse_operation",
    "RETURNS",
]

METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH")
_SET_KEYS = {"method", "path", "path_values", "query", "headers", "returns", "pagination", "more_warning",
             "redirect", "output", "body", "form", "variants", "then", "out_file", "messages", "poll", "events",
             "steps", "start", "collect", "require", "refuse"}


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
    refusals: tuple[Refusal, ...] = ()


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








def _headers(raw: Any, field: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise requests.fail("expected a mapping of header name to value", field)
    pairs = []
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise requests.fail(f"the value of header '{name}' must be text", field)
        text = str(value)
        if any(ch in str(name) + text for ch in "\r\n\0"):
            raise requests.fail("header names and values cannot hold CR, LF or NUL", field)
        pairs.append((str(name), text))
    return tuple(pairs)


def _output(raw: Any, field: str, inherited: OutputSpec, parameters: set[str]) -> OutputSpec:
    if raw is None:
        return inherited
    data = requests.keys_of(raw, {"type_name", "timestamps", "derived"}, field)
    stamps = data.get("timestamps", list(inherited.timestamps))
    if not isinstance(stamps, list) or not all(isinstance(s, str) for s in stamps):
        raise requests.fail("timestamps is a list of field names", field)
    derived = parse_derived(data["derived"], parameters, f"{field}.derived") if "derived" in data else inherited.derived
    return OutputSpec(type_name=data.get("type_name", inherited.type_name), timestamps=tuple(stamps),
                      derived=derived)


def parse_operation(raw: Any, *, sets: tuple[str, ...], parameters: set[str]) -> OperationSpec:
    data = requests.keys_of(raw, {"connection", "headers", "output", "sets"}, "")
    connection_raw = requests.keys_of(data.get("connection", {}), set(attrs.fields_dict(Connection)), "connection")
    chosen = {}
    for role, name in connection_raw.items():
        if name is not None and name not in parameters:
            raise requests.fail(f"no parameter named '{name}'", f"connection.{role}")
        chosen[role] = name
    common_headers = _headers(data.get("headers"), "headers")
    common_output = _output(data.get("output"), "output", OutputSpec(), parameters)

    raw_sets = data.get("sets", {})
    if not isinstance(raw_sets, Mapping):
        raise requests.fail("expected a mapping of parameter set to operation", "sets")
    operations: dict[str, SetOperation] = {}
    for set_name, body in raw_sets.items():
        if set_name not in sets:
            raise requests.fail(f"'{set_name}' is not a declared parameter set", "sets")
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
        raise requests.fail(f"redirect to '{redirect.to}', which has no operation", where)
    target = operations[redirect.to]
    unknown = {name for name, _ in redirect.values} - set(target.placeholders)
    if unknown:
        raise requests.fail(f"'{sorted(unknown)[0]}' is not a path value of '{target.set_name}'", where)












def _more_warning(data: Mapping[str, Any], returns: str, parameters: set[str], field: str
                  ) -> tuple[bool, str | None]:
    if "more_warning" not in data:
        return returns == "page", None
    raw_warning = data["more_warning"]
    if isinstance(raw_warning, bool):
        return raw_warning, None
    body = requests.keys_of(raw_warning, {"unless_bound"}, f"{field}.more_warning")
    unless = body.get("unless_bound")
    if unless is not None and unless not in parameters:
        raise requests.fail(f"no parameter named '{unless}'", f"{field}.more_warning")
    return True, unless


def _redirect(raw: Any, parameters: set[str], field: str) -> Redirect:
    body = requests.keys_of(raw, {"to", "values"}, f"{field}.redirect")
    if not isinstance(body.get("to"), str):
        raise requests.fail("redirect needs 'to', a parameter set", f"{field}.redirect")
    values = requests.sources_of(body.get("values"), parameters, f"{field}.redirect.values")
    return Redirect(to=body["to"], values=tuple(values.items()))


def _pagination(raw: Any, field: str) -> Pagination:
    paging = requests.keys_of(raw, set(attrs.fields_dict(Pagination)), f"{field}.pagination")
    return Pagination(**{k: str(v) for k, v in paging.items()})


def _set_operation(
    set_name: str, raw: Any, parameters: set[str], common_headers: tuple[tuple[str, str], ...], output: OutputSpec
) -> SetOperation:
    field = f"sets.{set_name}"
    data = requests.keys_of(raw, _SET_KEYS, field)
    method = requests.method_of(data.get("method", "GET"), field)
    steps = parse_steps(data["steps"], parameters, field) if "steps" in data else ()
    if steps and ({"path", "body", "form", "poll", "events"} & set(data)):
        raise requests.fail("a set runs steps or sends a request of its own, not both", field)
    path, placeholders = requests.path_of(data.get("path"), field) if not steps else ("", ())
    path_values = requests.sources_of(data.get("path_values"), parameters, f"{field}.path_values")
    returns = requests.returns_of(data.get("returns", "object" if not steps else "none"), field)

    redirect = _redirect(data["redirect"], parameters, field) if "redirect" in data else None
    requests.check_path_values(placeholders, path_values, set(dict(redirect.values)) if redirect else set(), field)

    pagination = _pagination(data["pagination"], field) if "pagination" in data else Pagination()
    more_warning, unless = _more_warning(data, returns, parameters, field)
    if "body" in data and "form" in data:
        raise requests.fail("a request has a JSON body or a form, not both", field)
    out_file = data.get("out_file")
    if out_file is not None and out_file not in parameters:
        raise requests.fail(f"no parameter named '{out_file}'", f"{field}.out_file")
    success, failure = requests.messages_of(data["messages"], field) if "messages" in data else (None, None)
    variants = requests.variants_of(data["variants"], parameters, field, path_values) if "variants" in data else ()
    if "events" not in data and "events" in (returns, *(v.returns for v in variants)):
        raise requests.fail("returns: events needs an 'events:' selection", field)

    headers = dict(common_headers)
    headers.update(_headers(data.get("headers"), f"{field}.headers"))
    return SetOperation(
        set_name=set_name,
        method=method,
        path=path,
        placeholders=placeholders,
        path_values=path_values,
        query=tuple(requests.sources_of(data.get("query"), parameters, f"{field}.query").items()),
        headers=tuple(headers.items()),
        returns=returns,
        pagination=pagination,
        more_warning=more_warning,
        more_warning_unless_bound=unless,
        redirect=redirect,
        output=_output(data.get("output"), f"{field}.output", output, parameters),
        body=requests.body_of(data["body"], parameters, field) if "body" in data else None,
        form=requests.form_of(data["form"], parameters, field) if "form" in data else None,
        variants=variants,
        then=requests.follow_up_of(data["then"], parameters, field) if "then" in data else None,
        out_file=out_file,
        success_message=success,
        failure_message=failure,
        poll=parse_poll(data["poll"], parameters, field) if "poll" in data else None,
        events=parse_events(data["events"], parameters, field) if "events" in data else None,
        steps=steps,
        start=parse_source(data["start"], parameters, f"operation.{field}.start") if "start" in data else None,
        collect=requests.collect_of(data.get("collect"), parameters, field),
        require=tuple(requests.requirement_of(r, parameters, f"{field}.require.{i}")
                      for i, r in enumerate(requests.list_of(data.get("require", []), f"{field}.require"))),
        refusals=requests.refusals_of(data["refuse"], parameters, field) if "refuse" in data else (),
    )

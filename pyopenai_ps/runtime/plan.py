"""Request planning: one binding and the spec's ``operation`` become a method, URL, headers and body.

:func:`choose_operation` picks the set's operation (after its ``redirect``, then its first
``variant`` whose condition holds; a ``refuse`` whose condition holds is raised first, as a
:class:`~pyopenai_ps.errors.ConfigurationError`, so nothing is sent); a :class:`PreparedCall` is the runtime's state for one binding:
the chosen operation, the output object maker, and the :class:`RequestPlan` (URL without the page
cursor, query, headers without credentials, the JSON body or the form's parts), planned once and
planned again only when the API base or organization changes.  The key is never part of a plan:
the executor adds it to each request, so nothing kept between calls holds it.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import attrs

from .._version import __version__
from ..binding.result import Binding
from ..errors import ConfigurationError, MissingValueError
from ..spec.model import CmdletSpec
from ..spec.operation import FilePart, SetOperation, ValueSource
from .multipart import FilePayload, FormPart, MultipartBody, ProgressCallback, file_payload
from .output import PSObject
from .settings import ClientSettings, checked_base
from .values import NOTHING, Context, dig, encode_json, evaluate, fill_fields, holds, json_body

__all__ = ["RequestPlan", "PreparedCall", "choose_operation", "resolve", "USER_AGENT", "KEY_SLOT"]

USER_AGENT = f"pyopenai_ps/{__version__} (Python {platform.python_version()})"

_UNRESERVED = re.compile(r"[A-Za-z0-9_~-]*[A-Za-z0-9_~][A-Za-z0-9_.~-]*")
#: Headers that frame the message itself: set by the HTTP client, never by a caller.
_FRAMING_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "host", "connection", "keep-alive", "proxy-connection", "te",
     "trailer", "upgrade", "expect"}
)


def resolve(source: ValueSource, binding: Binding) -> Any:
    """The value a spec's value source gives for this binding (None when it gives none)."""
    found = evaluate(source, Context(binding))
    return None if found is NOTHING else found


def _with_variant(operation: SetOperation, binding: Binding) -> SetOperation:
    """The operation as the first variant whose condition holds changes it (unchanged when none holds)."""
    context = Context(binding)
    for variant in operation.variants:
        if not holds(variant.when, context):
            continue
        changes: dict[str, Any] = {"variants": ()}
        if variant.method is not None:
            changes["method"] = variant.method
        if variant.path is not None:
            changes.update(path=variant.path, placeholders=variant.placeholders,
                           path_values={**operation.path_values, **variant.path_values})
        for name in ("returns", "query", "body"):
            if getattr(variant, name) is not None:
                changes[name] = getattr(variant, name)
        return attrs.evolve(operation, **changes)
    return operation


def _refuse(operation: SetOperation, binding: Binding) -> None:
    """The set's first ``refuse:`` whose condition holds, raised before anything is planned or sent."""
    context = Context(binding)
    for refusal in operation.refusals:
        if holds(refusal.when, context):
            names = [n for c in refusal.when for n in c.parameters]
            raise ConfigurationError(refusal.message, setting=names[0] if names else None)


def choose_operation(spec: CmdletSpec, binding: Binding) -> tuple[SetOperation, dict[str, Any]]:
    """The operation a binding runs, after its set's refusals, redirect and variants, and the path
    values the redirect supplies."""
    operations = spec.operation
    if operations is None or binding.parameter_set not in operations.sets:
        raise ConfigurationError(
            f"{spec.name} has no operation for parameter set '{binding.parameter_set}' in its spec.",
            setting="operation",
        )
    operation = operations.sets[binding.parameter_set]
    _refuse(operation, binding)
    if operation.redirect is not None:
        values = {name: resolve(source, binding) for name, source in operation.redirect.values}
        if all(v is not None for v in values.values()):
            return _with_variant(operations.sets[operation.redirect.to], binding), values
    return (_with_variant(operation, binding) if operation.variants else operation), {}


def _segment(value: Any, name: str) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text:
        raise MissingValueError(f"The value of '{name}' in the request path is empty.", setting=name)
    if _UNRESERVED.fullmatch(text) and text.strip("."):
        return text  # an ordinary id needs no encoding
    try:
        encoded = quote(text, safe="")
    except UnicodeEncodeError:  # e.g. a lone surrogate from undecodable command-line bytes
        raise ConfigurationError(
            f"The path value '{name}' cannot be sent: it holds characters that are not valid Unicode text.",
            setting=name,
        ) from None
    if encoded.strip(".") == "":  # '.' and '..' would be folded away by URL normalization
        encoded = encoded.replace(".", "%2E")
    return encoded


def _query_text(value: Any) -> str:
    if value is None:
        return ""  # a $null value: the name is sent with an empty value
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_query_text(v) for v in value)  # PowerShell would join an array
    return str(value)


def _check_header(name: str, value: str, label: str) -> None:
    if any(ch in name + value for ch in "\r\n\0"):
        shown = label.encode("unicode_escape").decode("ascii")  # never a raw line break in a message
        raise ConfigurationError(f"The header {shown} cannot contain a line break or NUL character.", setting=name)


def _path_values(operation: SetOperation, binding: Binding, preset: Mapping[str, Any]) -> dict[str, str]:
    values = {}
    for name in operation.placeholders:
        raw = preset[name] if name in preset else resolve(operation.path_values[name], binding)
        if raw is None:
            raise MissingValueError(
                f"No value for '{name}' in the request path: give the parameter that supplies it, or pipe an "
                "object that carries it.",
                setting=name,
            )
        values[name] = raw if isinstance(raw, str) else str(raw)
    return values


def _path(operation: SetOperation, values: Mapping[str, str]) -> str:
    path = operation.path
    for name, raw in values.items():
        path = path.replace("{" + name + "}", _segment(raw, name))
    return path


def _form_parts(operation: SetOperation, binding: Binding) -> list[FormPart]:
    """The form's parts in the spec's order (each file checked now: an unreadable one sends nothing)."""
    context = Context(binding)
    parts: list[FormPart] = []
    for name, part in operation.form or ():
        if isinstance(part, FilePart):
            value = evaluate(part.file, context)
            if value is NOTHING:
                continue
            filename = evaluate(part.filename, context) if part.filename is not None else NOTHING
            content_type = evaluate(part.content_type, context) if part.content_type is not None else NOTHING
            payload = file_payload(value, None if filename is NOTHING else os.path.basename(str(filename)))
            parts.append((name, payload, None if content_type is NOTHING else str(content_type)))
            continue
        value = evaluate(part, context)
        if value is not NOTHING:
            parts.append((name, _query_text(value), None))
    if not any(isinstance(value, FilePayload) for _, value, _ in parts):
        raise MissingValueError("The request needs a file, and none was given.", setting="file")
    return parts


#: Where the key goes: the executor fills it in per request (the extra headers may replace it).
KEY_SLOT = "Authorization"


def planned_headers(operation: SetOperation, settings: ClientSettings) -> dict[str, str]:
    """The headers of a request, the key's slot left empty (the sender fills it per request)."""
    headers = {KEY_SLOT: "", "User-Agent": USER_AGENT}
    names = settings.names
    if settings.organization:
        given = f" (from -{names.organization})" if names.organization else ""
        _check_header("OpenAI-Organization", settings.organization, f"OpenAI-Organization{given}")
        headers["OpenAI-Organization"] = settings.organization
    headers.update(operation.headers)
    for name, found in settings.extra_headers.items():
        text_name, text_value = str(name), "" if found is None else str(found)
        _check_header(text_name, text_value, f"'{text_name}' (from -{names.extra_headers})")
        if text_name.lower() in _FRAMING_HEADERS:
            # A wrong Content-Length would leave the server waiting for a body that never comes.
            raise ConfigurationError(
                f"The header '{text_name}' frames the HTTP message and cannot be set with -{names.extra_headers}.",
                setting=text_name,
            )
        for existing in [k for k in headers if k.lower() == text_name.lower()]:
            del headers[existing]
        headers[text_name] = text_value
    return headers


class RequestPlan:
    """One operation of one binding, planned: the URL without the page cursor, the query and the
    headers, whose :data:`KEY_SLOT` stays empty (the key is never part of a plan)."""

    __slots__ = ("operation", "path_values", "base_url", "query", "headers", "body", "form", "extra_body_ignored",
                 "_binding", "_first_url")

    def __init__(self, operation: SetOperation, binding: Binding, settings: ClientSettings, api_base: str,
                 preset: Mapping[str, Any]) -> None:
        self.operation = operation
        self.path_values = _path_values(operation, binding, preset)
        self.base_url = api_base.rstrip("/") + _path(operation, self.path_values)
        query: dict[str, str] = {}
        for name, source in operation.query:
            found = resolve(source, binding)
            if found is not None:
                query[name] = _query_text(found)
        for name, found in settings.extra_query.items():
            query[str(name)] = _query_text(found)
        self.query = query
        self.headers = planned_headers(operation, settings)
        extra_body = binding.get(settings.names.extra_body) if settings.names.extra_body else None
        #: The JSON body, encoded once (None: the request has none).
        self.body: bytes | None = None
        if operation.body is not None:
            body = json_body(operation.body, Context(binding), extra_body, settings.names.extra_body)
            self.body = encode_json(body)
            self.headers["Content-Type"] = "application/json"
        #: The form's text and file parts for the next request (None: not a multipart request); checked
        #: now, so a missing file sends nothing.
        self.form = _form_parts(operation, binding) if operation.form is not None else None
        self._binding = binding
        self.extra_body_ignored = extra_body is not None and operation.body is None
        self._first_url: str | None = None

    def new_body(self, progress: ProgressCallback | None = None) -> tuple[Any, dict[str, str]]:
        """The body to send now and the headers it adds (a form's body is made anew per request)."""
        if self.operation.form is None:
            return self.body, {}
        parts = self.form or _form_parts(self.operation, self._binding)  # a repeated call reads its files again
        self.form = None
        body = MultipartBody(parts, progress=progress)
        return body, {"Content-Type": body.content_type, "Content-Length": str(body.length)}

    def describe(self, text: str, answer: Any = None) -> str:
        """A spec message with the request's path values (``{thread_id}``) and fields of the answer
        (``{answer.id}``) filled in."""
        for name, value in self.path_values.items():
            text = text.replace("{" + name + "}", value)
        if isinstance(answer, dict) and "{answer." in text:
            for name, value in answer.items():
                text = text.replace("{answer." + str(name) + "}", str(value))
        return text

    def url(self, extra: Mapping[str, str] | None = None) -> str:
        if not extra and self._first_url is not None:
            return self._first_url  # a repeated call asks for the same first page
        query = dict(self.query)
        if extra:
            query.update(extra)
        if not query:
            return self.base_url
        try:
            url = f"{self.base_url}?{urlencode(query, quote_via=quote)}"
        except UnicodeEncodeError:
            raise ConfigurationError(
                "A query value cannot be sent: it holds characters that are not valid Unicode text.", setting="query"
            ) from None
        if not extra:
            self._first_url = url
        return url


def _check_requirements(operation: SetOperation, binding: Binding) -> None:
    """MissingValueError (this record only, nothing sent) when a requirement is not met: an object's field
    not one of the values, or a condition that does not hold when it must."""
    context = Context(binding)
    for requirement in operation.require:
        if requirement.unless and holds(requirement.unless, context):
            continue
        if requirement.when and not holds(requirement.when, context):
            continue
        if requirement.of is None:
            if not holds(requirement.needs, context):
                named = [name for c in requirement.needs for name in c.parameters]
                raise MissingValueError(requirement.message, setting=named[0] if named else "require")
            continue
        found = evaluate(requirement.of, context)
        value = None if found is NOTHING else dig(found, requirement.field)
        if value is None:
            continue  # an id without the object: nothing to check
        if str(value) not in requirement.values:
            raise MissingValueError(fill_fields(requirement.message, found, missing=""), setting=requirement.field)


def _refuse_unsupported(spec: CmdletSpec, binding: Binding) -> None:
    """ConfigurationError (nothing sent) for a value a parameter's ``unsupported:`` names."""
    for parameter in spec.parameters:
        if not parameter.unsupported:
            continue
        value = binding.get(parameter.name)
        text = None if value is None else str(value).lower()
        for refused, why in parameter.unsupported:
            if text == refused.lower():
                raise ConfigurationError(f"-{parameter.name} {refused} is not supported: {why}",
                                         setting=parameter.name)


class PreparedCall:
    """The runtime's state for one binding: what it runs, how its output is made, its request plan."""

    __slots__ = ("binding", "operation", "preset", "make", "no_effect", "_plan", "_plan_for")

    def __init__(self, spec: CmdletSpec, binding: Binding) -> None:
        self.binding = binding
        _refuse_unsupported(spec, binding)
        #: Warnings for the parameters given that have no effect here (``no_effect:`` in the spec).
        self.no_effect = tuple(f"-{p.name} has no effect: {p.no_effect}" for p in spec.parameters
                               if p.no_effect and p.name in binding.bound)
        self.operation, self.preset = choose_operation(spec, binding)
        if self.operation.require:
            _check_requirements(self.operation, binding)
        output = self.operation.output
        self.make: Callable[[dict[str, Any]], PSObject] = PSObject.factory(output.type_name, output.timestamps)
        self._plan: RequestPlan | None = None
        self._plan_for: tuple[str, str | None] | None = None

    @property
    def returns_one(self) -> bool:
        """Whether a Python call returns one value (or None) rather than a list."""
        return self.operation.returns not in ("page", "all", "events", "jsonl")

    def plan(self, settings: ClientSettings) -> RequestPlan:
        """The request plan for these settings (the last one, while base and organization are the same)."""
        key = (settings.api_base, settings.organization)
        plan = self._plan
        if plan is not None and self._plan_for == key:
            return plan
        base = settings.api_base
        if settings.base_source not in ("parameter", "default"):
            base = checked_base(base, settings.base_source)  # a global or environment value: check it once
        plan = RequestPlan(self.operation, self.binding, settings, base, self.preset)
        self._plan, self._plan_for = plan, key
        return plan

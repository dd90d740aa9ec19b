"""The generic executor: one bound call of any spec becomes HTTP requests and output objects.

Nothing here knows threads or runs; it follows the spec's ``operation``
section (see :mod:`.opspec`): fill the path, query and headers, send through
the transport, read one object, one page or every page, and wrap the results.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from ._version import __version__
from .binding import Binding
from .config import api_base_from, api_key_from, effective, organization_from
from .errors import ConfigurationError, MissingValueError, PaginationError, ResponseFormatError
from .opspec import Connection, SetOperation, ValueSource
from .output import PSObject
from .records import read_id
from .secure import SecureString, mask_secret
from .transport import HTTPResult, RetryEvent, send

__all__ = [
    "ClientSettings",
    "Reporter",
    "settings_for",
    "choose_operation",
    "run_binding",
    "USER_AGENT",
    "MORE_DATA_WARNING",
]

MORE_DATA_WARNING = "There is more data that has not been retrieved."
USER_AGENT = f"pyopenai_ps/{__version__} (Python {platform.python_version()})"


class Reporter(Protocol):
    """Where the executor reports; the runtime implements it per call."""

    verbose_enabled: bool
    debug_enabled: bool

    def verbose(self, message: str) -> None: ...
    def debug(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def progress(self, pages: int, objects: int) -> None: ...


class ClientSettings:
    """What one call's requests need. A plain slotted class: it is made on every call."""

    __slots__ = ("api_key", "api_base", "organization", "timeout", "max_retries", "extra_query", "extra_headers")

    def __init__(
        self,
        api_key: SecureString,
        api_base: str,
        organization: str | None = None,
        timeout: float | None = None,
        max_retries: int = 0,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, Any] | None = None,
    ) -> None:
        self.api_key = api_key
        self.api_base = api_base
        self.organization = organization
        self.timeout = timeout
        self.max_retries = max_retries
        self.extra_query = extra_query or {}
        self.extra_headers = extra_headers or {}

    def __repr__(self) -> str:
        return f"ClientSettings(api_base={self.api_base!r}, organization={self.organization!r}, api_key=<hidden>)"


def settings_for(binding: Binding, connection: Connection) -> ClientSettings:
    """Resolve key, base and the rest for one binding (parameter, then global, then environment).

    A binding used again (a repeated call) keeps its settings while the values they come from are the
    same; a changed global or environment variable is seen on the next call.
    """

    def value(name: str | None) -> Any:
        return binding.get(name) if name else None

    sources = (
        effective(value(connection.api_key), "OPENAI_API_KEY"),
        effective(value(connection.api_base), "OPENAI_API_BASE"),
        effective(value(connection.organization), "OPENAI_ORGANIZATION"),
    )
    remembered = binding.memo.get(connection)
    if remembered is not None and remembered[0] == sources:
        return remembered[1]
    timeout = value(connection.timeout)
    extra_query = value(connection.extra_query)
    extra_headers = value(connection.extra_headers)
    settings = ClientSettings(
        api_key_from(*sources[0]),
        api_base_from(*sources[1]),
        organization_from(*sources[2]),
        float(timeout) if timeout else None,
        int(value(connection.max_retries) or 0),
        dict(extra_query) if extra_query else None,
        dict(extra_headers) if extra_headers else None,
    )
    binding.memo[connection] = (sources, settings)
    return settings


def _resolve(source: ValueSource, binding: Binding) -> Any:
    if source.first:
        for option in source.first:
            found = _resolve(option, binding)
            if found is not None:
                return found
        return None
    if source.read_id is not None:
        return read_id(binding.get(source.read_id), source.prefix, source.keys, accept_string=source.strings)
    if source.parameter is not None:
        return binding.get(source.parameter)
    return source.value


_UNRESERVED = re.compile(r"[A-Za-z0-9_~-]*[A-Za-z0-9_~][A-Za-z0-9_.~-]*")


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


#: Headers that frame the message itself: set by the HTTP client, never by a caller.
_FRAMING_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "host", "connection", "keep-alive", "proxy-connection", "te",
     "trailer", "upgrade", "expect"}
)


def _check_header(name: str, value: str, label: str) -> None:
    if any(ch in name + value for ch in "\r\n\0"):
        shown = label.encode("unicode_escape").decode("ascii")  # never a raw line break in a message
        raise ConfigurationError(f"The header {shown} cannot contain a line break or NUL character.", setting=name)


class _Request:
    """One operation, planned: the URL without the page cursor, and the headers."""

    def __init__(self, operation: SetOperation, binding: Binding, settings: ClientSettings,
                 preset: Mapping[str, Any]) -> None:
        self.operation = operation
        path = operation.path
        for name in operation.placeholders:
            raw = preset[name] if name in preset else _resolve(operation.path_values[name], binding)
            if raw is None:
                raise MissingValueError(
                    f"No value for '{name}' in the request path: give the parameter that supplies it, or pipe an "
                    "object that carries it.",
                    setting=name,
                )
            path = path.replace("{" + name + "}", _segment(raw, name))
        self.base_url = settings.api_base.rstrip("/") + path
        query: dict[str, str] = {}
        for name, source in operation.query:
            found = _resolve(source, binding)
            if found is not None:
                query[name] = _query_text(found)
        for name, found in settings.extra_query.items():
            query[str(name)] = _query_text(found)
        self.query = query

        headers = {"Authorization": "Bearer " + settings.api_key.reveal(), "User-Agent": USER_AGENT}
        if settings.organization:
            _check_header("OpenAI-Organization", settings.organization, "OpenAI-Organization (from -Organization)")
            headers["OpenAI-Organization"] = settings.organization
        headers.update(operation.headers)
        for name, found in settings.extra_headers.items():
            text_name, text_value = str(name), "" if found is None else str(found)
            _check_header(text_name, text_value, f"'{text_name}' (from -AdditionalHeaders)")
            if text_name.lower() in _FRAMING_HEADERS:
                # A wrong Content-Length would leave the server waiting for a body that never comes.
                raise ConfigurationError(
                    f"The header '{text_name}' frames the HTTP message and cannot be set with -AdditionalHeaders.",
                    setting=text_name,
                )
            for existing in [k for k in headers if k.lower() == text_name.lower()]:
                del headers[existing]
            headers[text_name] = text_value
        self.headers = headers
        self.settings = settings
        self._first_url: str | None = None

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

    def _redact(self, text: str) -> str:
        # The key may travel elsewhere too (another header, a query value, an echoing server).
        key = self.settings.api_key.reveal()
        if len(key) < 4:  # as the transport: masking one or two characters would mangle every line
            return text
        return text.replace(key, mask_secret(key)) if key in text else text

    def send(self, url: str, reporter: Reporter) -> tuple[HTTPResult, Any]:
        method = self.operation.method
        verbose = reporter.verbose_enabled or reporter.debug_enabled
        if verbose:
            reporter.verbose(self._redact(f"{method} {url}"))
        if reporter.debug_enabled:
            reporter.debug(self._redact("Request headers: " + _shown_headers(self.headers)))

        def on_retry(event: RetryEvent) -> None:
            if verbose:
                reporter.verbose(self._redact(f"Retrying ({event.attempt}) after {event.delay:.3f} s: {event.reason}"))

        result = send(method, url, headers=self.headers, timeout=self.settings.timeout,
                      max_retries=self.settings.max_retries, on_retry=on_retry)
        if verbose:
            reporter.verbose(
                f"{result.status} {result.reason} ({len(result.body)} bytes, request id {result.request_id or '-'}) "
                f"in {result.elapsed * 1000:.1f} ms"
            )
        if reporter.debug_enabled:
            reporter.debug(self._redact("Response headers: " + _shown_headers(dict(result.headers))))
            reporter.debug(self._redact("Response body: " + result.body.decode("utf-8", "replace")[:65536]))
        return result, result.json()


def _planned(operation: SetOperation, binding: Binding, settings: ClientSettings, preset: dict[str, Any]) -> _Request:
    """The request of an operation, built once per binding and settings (both are reused by a repeated call)."""
    key = (id(operation), tuple(preset.items()))  # the spec (and so the operation) lives as long as the binding
    remembered = binding.memo.get(key)
    if remembered is not None and remembered[0] is settings:
        return remembered[1]
    request = _Request(operation, binding, settings, preset)
    binding.memo[key] = (settings, request)
    return request


def _shown_headers(headers: Mapping[str, str]) -> str:
    shown = {}
    for name, value in headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            value = "Bearer " + mask_secret(value[len("Bearer "):])
        elif name.lower() in ("api-key", "x-api-key", "cookie", "proxy-authorization"):
            value = "<hidden>"
        shown[name] = value
    return ", ".join(f"{k}: {v}" for k, v in shown.items())


_FACTORIES: dict[int, Any] = {}


def _factory(operation: SetOperation) -> Any:
    make = _FACTORIES.get(id(operation))
    if make is None or make[0] is not operation:
        make = (operation, PSObject.factory(operation.output.type_name, operation.output.timestamps))
        if len(_FACTORIES) >= 256:  # specs reloaded many times: do not keep every old operation alive
            _FACTORIES.clear()
        _FACTORIES[id(operation)] = make
    return make[1]


def _not_an_object(item: Any, operation: SetOperation, result: HTTPResult) -> ResponseFormatError:
    return ResponseFormatError(
        f"Expected a JSON object from {operation.method} {operation.path}, got {type(item).__name__}.",
        status_code=result.status,
        request_id=result.request_id,
    )


def _wrap(item: Any, operation: SetOperation, result: HTTPResult) -> PSObject:
    if not isinstance(item, dict):
        raise _not_an_object(item, operation, result)
    return _factory(operation)(item)


def choose_operation(binding: Binding) -> tuple[SetOperation, dict[str, Any]]:
    """The operation a binding runs, after its set's redirect, and the path values the redirect supplies.

    Remembered on the binding: the choice depends on the binding alone.
    """
    chosen = binding.memo.get("operation")
    if chosen is not None:
        return chosen
    spec = binding.command.spec.operation
    if spec is None or binding.parameter_set not in spec.sets:
        raise ConfigurationError(
            f"{binding.command.name} has no operation for parameter set '{binding.parameter_set}' in its spec.",
            setting="operation",
        )
    operation = spec.sets[binding.parameter_set]
    preset: dict[str, Any] = {}
    if operation.redirect is not None:
        values = {name: _resolve(source, binding) for name, source in operation.redirect.values}
        if all(v is not None for v in values.values()):
            operation, preset = spec.sets[operation.redirect.to], values
    binding.memo["operation"] = chosen = (operation, preset)
    return chosen


def run_binding(binding: Binding, settings: ClientSettings, reporter: Reporter) -> Iterator[PSObject]:
    """Execute one binding; yields output objects as pages arrive."""
    operation, preset = choose_operation(binding)
    request = _planned(operation, binding, settings, preset)
    if operation.returns == "object":
        result, data = request.send(request.url(), reporter)
        yield _wrap(data, operation, result)
        return
    yield from _pages(request, binding, reporter)


def _pages(request: _Request, binding: Binding, reporter: Reporter) -> Iterator[PSObject]:
    operation = request.operation
    paging = operation.pagination
    cursor: str | None = None
    seen: set[str] = set()
    pages = objects = 0
    while True:
        extra = {paging.cursor: cursor} if cursor is not None else None
        result, page = request.send(request.url(extra), reporter)
        if not isinstance(page, dict) or not isinstance(page.get(paging.items), list):
            raise ResponseFormatError(
                f"Expected a list object with '{paging.items}' from {operation.method} {operation.path}.",
                status_code=result.status,
                request_id=result.request_id,
            )
        items = page[paging.items]
        pages += 1
        objects += len(items)
        if operation.returns == "all":
            reporter.progress(pages, objects)
        make = _factory(operation)
        for item in items:
            if type(item) is not dict:
                raise _not_an_object(item, operation, result)
            yield make(item)
        has_more = page.get(paging.has_more) is True
        if not has_more:
            return
        if operation.returns == "page":
            unless = operation.more_warning_unless_bound
            if operation.more_warning and not (unless and binding.is_bound(unless)):
                reporter.warning(MORE_DATA_WARNING)
            return
        following = page.get(paging.next_from)
        if not isinstance(following, str) or not following:
            reporter.warning(MORE_DATA_WARNING)  # has_more without a cursor: stop rather than loop
            return
        if following in seen:
            raise PaginationError(
                f"The listing did not advance: the server returned the cursor '{following}' again.", cursor=following
            )
        seen.add(following)
        cursor = following

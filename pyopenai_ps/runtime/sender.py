"""Sending one call's requests: the credentials added per request, what -Verbose and -Debug show of
them, and hints added to errors (which parameter to try, where the API base came from).

The executor (:mod:`.execute`) decides what to send and what to make of the answers; the
:class:`Sender` sends them through the transport and logs them, the key masked everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    NotFoundError,
    QuotaLimitExceededError,
    RateLimitExceededError,
)
from ..http.answers import HTTPResult
from ..http.retry import RetryEvent
from ..http.transport import StreamedAnswer, Transport
from ..secure import Redactor, SecureString
from .multipart import MultipartBody
from .plan import KEY_SLOT, RequestPlan
from .settings import ClientSettings

__all__ = ["Reporter", "Sender", "DEBUG_BODY_CHARS"]

#: Debug output shows at most this much of a request or response body.
DEBUG_BODY_CHARS = 65536


class Reporter(Protocol):
    """Where the executor reports; the runtime implements it per call."""

    verbose_enabled: bool
    debug_enabled: bool
    debug_requested: bool  #: -Debug was given (the API is asked for its debug details)

    def verbose(self, message: str) -> None: ...
    def debug(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def progress(self, pages: int, objects: int) -> None: ...
    def transfer(self, direction: str, done: int, total: int | None) -> None: ...
    def waiting(self, object_id: str, status: str, seconds: float) -> None: ...


def _shown_headers(headers: Mapping[str, str | SecureString], redact: Redactor) -> str:
    shown = {}
    for name, value in headers.items():
        if name.lower() in ("api-key", "x-api-key", "cookie", "proxy-authorization"):
            value = "<hidden>"
        elif isinstance(value, SecureString):
            value = redact.masked(value)
        shown[name] = value
    return redact(", ".join(f"{k}: {v}" for k, v in shown.items()))


class Sender:
    """Sends the requests of one call: the credentials are added here, per request."""

    __slots__ = ("settings", "transport", "reporter", "redact")

    def __init__(self, settings: ClientSettings, transport: Transport, reporter: Reporter) -> None:
        self.settings = settings
        self.transport = transport
        self.reporter = reporter
        # The key may travel elsewhere too (another header, a query value, an echoing server); the
        # extra headers are declared sensitive, so their values are secrets too.
        extra = settings.extra_headers
        self.redact = Redactor([settings.api_key, *(str(v) for v in extra.values() if v is not None)]
                               if extra else [settings.api_key])

    def _request(self, plan: RequestPlan, url: str) -> tuple[dict[str, Any], Any]:
        """The headers and body of one request, logged under -Verbose and -Debug."""
        reporter, method = self.reporter, plan.operation.method
        upload = plan.operation.form is not None
        body, added = plan.new_body((lambda done, total: reporter.transfer("upload", done, total)) if upload else None)
        headers: dict[str, Any] = {**plan.headers, **added}
        if headers.get(KEY_SLOT) == "":  # not replaced by the extra headers
            # held as a SecureString until the transport hands the headers to urllib3
            headers[KEY_SLOT] = SecureString("Bearer " + self.settings.api_key.reveal())
        if self.settings.extra_headers:
            _secure_extra(headers, self.settings.extra_headers)
        if reporter.debug_requested:
            headers.setdefault("OpenAI-Debug", "true")  # -Debug asks the API for its debug details, as PSOpenAI does
        if reporter.verbose_enabled or reporter.debug_enabled:
            reporter.verbose(self.redact(f"{method} {url}"))
        if reporter.debug_enabled:
            reporter.debug("Request headers: " + _shown_headers(headers, self.redact))
            if plan.body is not None:
                reporter.debug(self.redact("Request body: " + plan.body.decode("utf-8")[:DEBUG_BODY_CHARS]))
            elif isinstance(body, MultipartBody):
                reporter.debug(self.redact("Request form: " + body.summary))
        return headers, body

    def _on_retry(self, event: RetryEvent) -> None:
        if self.reporter.verbose_enabled or self.reporter.debug_enabled:
            self.reporter.verbose(self.redact(f"Retrying ({event.attempt}) after {event.delay:.3f} s: {event.reason}"))

    def _log_answer(self, status: int, reason: str, size: int | None, request_id: str | None, elapsed: float,
                    headers: Mapping[str, str]) -> None:
        reporter = self.reporter
        if reporter.verbose_enabled or reporter.debug_enabled:
            length = "streamed" if size is None else f"{size} bytes"
            reporter.verbose(f"{status} {reason} ({length}, request id {request_id or '-'}) in {elapsed * 1000:.1f} ms")
        if reporter.debug_enabled:
            reporter.debug("Response headers: " + _shown_headers(dict(headers), self.redact))

    def _explained(self, error: APIError) -> None:
        """Redact what an error took from the URL, and add what to try next."""
        if isinstance(error, APIConnectionError):  # the URL tried may carry a key in its query
            error.url = self.redact(error.url) if error.url else error.url
            error.reword(self.redact(error.message))
        hint = _hint(error, self.settings)
        if hint:
            _add_hint(error, self.redact(hint))

    def _through(self, transport_call: Callable[..., Any], plan: RequestPlan, url: str) -> Any:
        """``transport_call`` (the transport's send or open) made with this call's headers and body."""
        headers, body = self._request(plan, url)
        settings = self.settings
        try:
            return transport_call(plan.operation.method, url, headers=headers, timeout=settings.timeout,
                                  max_retries=settings.max_retries, on_retry=self._on_retry, body=body,
                                  redactor=self.redact)
        except (RateLimitExceededError, APIConnectionError, NotFoundError) as error:
            self._explained(error)
            raise
        finally:
            del headers  # a traceback keeps this frame: it need not keep the headers too
            if hasattr(body, "close"):
                body.close()

    def send(self, plan: RequestPlan, url: str) -> HTTPResult:
        result: HTTPResult = self._through(self.transport.send, plan, url)
        self._log_answer(result.status, result.reason, len(result.body), result.request_id, result.elapsed,
                         result.headers)
        if self.reporter.debug_enabled:
            text = result.body.decode("utf-8", "replace")[:DEBUG_BODY_CHARS]
            self.reporter.debug(self.redact("Response body: " + text))
        return result

    def open(self, plan: RequestPlan, url: str) -> StreamedAnswer:
        answer: StreamedAnswer = self._through(self.transport.open, plan, url)
        self._log_answer(answer.status, answer.reason, answer.length, answer.request_id, answer.elapsed,
                         answer.headers)
        return answer


def _add_hint(error: APIError, hint: str) -> None:
    error.hint = hint
    error.reword(f"{error.message} {hint}")


def _hint(error: APIError, settings: ClientSettings) -> str | None:
    """What to try next, naming the parameters through the spec's connection roles."""
    names = settings.names
    if isinstance(error, RateLimitExceededError) and not isinstance(error, QuotaLimitExceededError):
        if not names.max_retries:
            return None
        from .functions import keyword_name

        how = f"-{names.max_retries} N (Python: {keyword_name(names.max_retries)}=N)"
        if settings.max_retries:
            return f"It was retried {settings.max_retries} time(s); a larger {how} waits longer."
        return f"Rate limits pass: give {how} to retry after the wait the server asks for."
    if isinstance(error, APIConnectionError) and not isinstance(error, APITimeoutError) and not error.connected:
        return f"Check the API base {settings.api_base}: {_base_origin(settings)}."
    if isinstance(error, NotFoundError) and urlsplit(settings.api_base).path in ("", "/"):
        base = settings.api_base.rstrip("/")
        return (f"The API base {base} has no path ({_base_origin(settings)}); OpenAI's API answers under "
                f"/v1: if the address itself was not found, try {base}/v1.")
    return None


def _base_origin(settings: ClientSettings) -> str:
    source = settings.base_source
    parameter = f"-{settings.names.api_base}" if settings.names.api_base else "the API base parameter"
    if source == "default":
        return f"it is the default, used when neither {parameter} nor OPENAI_API_BASE is set"
    if source == "parameter":
        return f"it came from {parameter}, which overrides OPENAI_API_BASE"
    return f"it came from {'the ' if source.startswith('environment') else ''}{source}"


def _secure_extra(headers: dict[str, str | SecureString], extra: Mapping[Any, Any]) -> None:
    """The values from the extra headers (a sensitive parameter) as SecureStrings."""
    names = {str(name).lower() for name in extra}
    for name, value in headers.items():
        if name.lower() in names and isinstance(value, str):
            headers[name] = SecureString(value)

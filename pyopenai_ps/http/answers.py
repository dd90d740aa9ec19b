"""What came back: a 2xx answer as an :class:`HTTPResult`, anything else as a typed exception.

:func:`error_for_response` maps a status and OpenAI's error body to PSOpenAI 3.7.0's exception
types; every text taken from the answer passes the redactor first, in case a server echoes a key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import (
    APIRequestError,
    BadRequestError,
    ContentFilteredError,
    NotFoundError,
    QuotaLimitExceededError,
    RateLimitExceededError,
    ResponseFormatError,
    UnauthorizedError,
)
from ..secure import Redactor
from .retry import error_fields, is_quota_error, status_reason

__all__ = ["HTTPResult", "error_for_response", "EXCERPT_CHARS"]

#: An error answer that is not OpenAI's JSON is quoted up to this many characters.
EXCERPT_CHARS = 200
#: The excerpt is taken from this much of the body (redacted whole, then cut).
_EXCERPT_SOURCE_BYTES = 65536


@attrs.frozen
class HTTPResult:
    """A 2xx answer, its body read whole."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    request_id: str | None
    elapsed: float
    attempts: int

    def _where(self) -> str:
        return f"status {self.status}" + (f", request id {self.request_id}" if self.request_id else "")

    def json(self) -> Any:
        """The body parsed as JSON; :class:`ResponseFormatError` if it is not UTF-8 JSON."""
        try:
            text = self.body.decode("utf-8-sig")  # tolerate a BOM
        except UnicodeDecodeError as e:
            raise ResponseFormatError(
                f"The API response ({self._where()}) is not UTF-8 text (bad byte at offset {e.start}).",
                status_code=self.status, request_id=self.request_id) from None
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as e:
            detail = (f"{e.msg} at line {e.lineno} column {e.colno}"
                      if isinstance(e, json.JSONDecodeError) else "nested too deeply")
            raise ResponseFormatError(
                f"The API response ({self._where()}) is not valid JSON: {detail}.",
                status_code=self.status, request_id=self.request_id) from None


def _excerpt(body: bytes, redact: Redactor) -> str:
    # Redacted before it is cut: a key that the cut would split is masked whole first.
    text = redact.text(body[:_EXCERPT_SOURCE_BYTES].decode("utf-8", "replace"))
    if text.lstrip().startswith("<"):  # an HTML error page from a proxy: keep the words
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 3] + "..."
    return text


def error_for_response(status: int, reason: str, headers: Mapping[str, str] | None, body: bytes,
                       request_id: str | None, *, redactor: Redactor | None = None) -> APIRequestError:
    """The typed exception for a non-2xx answer (PSOpenAI 3.7.0's mapping).

    ``redactor`` (knowing e.g. the API key) masks secrets wherever the answer echoes them.
    """
    body = body or b""
    reason = status_reason(status, reason)
    if request_id is None and headers is not None:
        request_id = headers.get("x-request-id")
    redactor = redactor or Redactor()
    parsed, fields = error_fields(body)
    detail = fields["message"] or _excerpt(body, redactor)
    message = f"OpenAI API returned an {status} ({reason}) Error"
    if detail:
        message += f": {detail}"
    if status == 400:
        filtered = fields["code"] == "content_filter"
        cls: type[APIRequestError] = ContentFilteredError if filtered else BadRequestError
    elif status == 401:
        cls = UnauthorizedError
    elif status == 404:
        cls = NotFoundError
    elif status == 429:
        cls = QuotaLimitExceededError if is_quota_error(fields) else RateLimitExceededError
    else:
        cls = APIRequestError
    redact = redactor.data
    return cls(redact(message), status_code=status, reason=reason,
               error_type=redact(fields["type"]), error_code=redact(fields["code"]),
               error_param=redact(fields["param"]), error_message=redact(fields["message"]),
               request_id=redact(request_id), body=redact(parsed))

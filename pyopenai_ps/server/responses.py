"""Error bodies shaped like OpenAI's, and key masking.

An error response body is ``{"error": {"message", "type", "param", "code"}}``.
The messages are this server's own wording.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ApiError", "error_body", "default_error", "mask_key", "mask_authorization"]


def error_body(message: str, type: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> bytes:
    return json.dumps({"error": {"message": message, "type": type, "param": param,
                                 "code": code}}).encode("utf-8")


class ApiError(Exception):
    """An error answer: status, OpenAI-like error fields and extra headers."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> bytes:
        return error_body(self.message, self.type, self.param, self.code)


# Default (type, code, message) per status, used by status faults without a body.
_DEFAULTS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "The request was not valid (injected fault)."),
    401: ("invalid_request_error", "invalid_api_key",
          "The API key was not accepted (injected fault)."),
    403: ("invalid_request_error", "unsupported_country_region_territory",
          "Access to this resource is not permitted (injected fault)."),
    404: ("invalid_request_error", None, "The requested resource does not exist (injected fault)."),
    409: ("invalid_request_error", None, "The request conflicts with another one (injected fault)."),
    429: ("requests", "rate_limit_exceeded",
          "Rate limit reached for requests; slow down and retry (injected fault)."),
    500: ("server_error", None, "The server had an error processing the request (injected fault)."),
    502: ("server_error", None, "Bad gateway (injected fault)."),
    503: ("server_error", None, "The engine is currently overloaded, retry later (injected fault)."),
    504: ("server_error", None, "The gateway timed out (injected fault)."),
}

# Messages that go with well-known error codes, so a fault with only a code reads right.
_CODE_MESSAGES = {
    "insufficient_quota": "You have run out of quota; check your plan and billing details "
                          "(injected fault).",
    "content_filter": "The request was rejected by the content filter (injected fault).",
    "invalid_api_key": "The API key was not accepted (injected fault).",
}


def default_error(status: int, *, code: str | None = None,
                  message: str | None = None) -> bytes:
    """The body a status fault sends when it is given no body of its own."""
    if status in _DEFAULTS:
        type_, default_code, default_message = _DEFAULTS[status]
    elif status >= 500:
        type_, default_code, default_message = "server_error", None, "Server error (injected fault)."
    else:
        type_, default_code, default_message = ("invalid_request_error", None,
                                                f"Request failed with status {status} "
                                                "(injected fault).")
    if code == "insufficient_quota":
        type_ = "insufficient_quota"
    if message is None:
        message = _CODE_MESSAGES.get(code or "", default_message)
    return error_body(message, type_, None, code if code is not None else default_code)


def mask_key(key: str) -> str:
    """Hide most of an API key: the first 6 characters of an ``sk-`` key (3
    otherwise) and the last 2 stay; at most 45 asterisks.  Short keys are
    masked entirely, so a key never shows in full."""
    head = 6 if key.startswith("sk-") else 3
    if len(key) <= head + 2 + 3:
        return "*" * min(len(key), 45)
    return key[:head] + "*" * min(len(key) - head - 2, 45) + key[-2:]


def mask_authorization(value: str) -> str:
    """An Authorization header value with its credential masked."""
    scheme, _, credential = value.partition(" ")
    if not credential:
        return mask_key(value)
    return f"{scheme} {mask_key(credential.strip())}"


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

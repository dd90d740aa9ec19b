"""Request headers checked before anything is sent: nothing may split or smuggle a request.

A header name must be an HTTP token, a value text without CR, LF or NUL and within Latin-1, no
name may come twice (ignoring case).  A ``SecureString`` value stays one until the transport hands
the headers to urllib3; :func:`header_secrets` gives the secrets among them, so error text built
from the answer can be redacted.  Messages name the header, never its value (it may be the key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigurationError
from ..secure import SecureString

__all__ = ["checked_headers", "header_secrets", "TOKEN", "SENSITIVE_HEADERS"]

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: header names, methods
#: Headers whose values are credentials.
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key"})
_FORBIDDEN_CHARS = re.compile("[\r\n\x00]")
#: Header names every request carries, known to be tokens: checked without the pattern.
_USUAL_NAMES = frozenset({"Authorization", "User-Agent", "OpenAI-Beta", "OpenAI-Organization", "Content-Type",
                          "Content-Length", "Accept", "Accept-Encoding", "OpenAI-Debug"})
_WIDE_CHARS = re.compile("[^\x00-\xff]")


def _name_for_message(name: str) -> str:
    shown = name.encode("unicode_escape").decode("ascii")  # CR/LF/NUL shown as \r \n \x00
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _problem(text: str) -> str | None:
    """What keeps a header value from being sent, or None (a separate frame: it never raises)."""
    if _FORBIDDEN_CHARS.search(text):
        return "contains a CR, LF or NUL character"
    if not text.isascii() and _WIDE_CHARS.search(text):
        # http.client would fail mid-request with the whole value inside its exception;
        # test rather than catch, so no __context__ carries the value either.
        return "has characters HTTP headers cannot carry"
    return None


def _checked_value(name: str, given: Any) -> str | SecureString:
    value: str | SecureString
    if isinstance(given, SecureString):
        value = given  # checked, not revealed: no frame of a failing call holds the secret
        problem = _problem(given.reveal())
    elif isinstance(given, (int, float)) and not isinstance(given, bool):
        value = str(given)
        problem = _problem(value)
    elif isinstance(given, str):
        value = given
        problem = _problem(value)
    else:
        raise ConfigurationError(f"The value of header '{name}' must be text, not "
                                 f"{type(given).__name__}; nothing was sent.", setting=name)
    if problem is not None:
        raise ConfigurationError(f"The value of header '{name}' {problem}; nothing was sent.", setting=name)
    return value


def checked_headers(headers: Mapping[Any, Any]) -> dict[str, str | SecureString]:
    """The headers as text, refused if they could split the request; ``SecureString`` values stay
    secure (the transport reveals them only into the dict it hands to urllib3)."""
    out: dict[str, str | SecureString] = {}
    seen: set[str] = set()
    for name, value in headers.items():
        if name not in _USUAL_NAMES and (not isinstance(name, str) or not TOKEN.fullmatch(name)):
            shown = _name_for_message(name) if isinstance(name, str) else type(name).__name__
            raise ConfigurationError(f"The header name '{shown}' is not a valid HTTP header name; "
                                     "nothing was sent.", setting="headers")
        lowered = name.lower()
        if lowered in seen:
            raise ConfigurationError(f"The header '{name}' is given more than once; nothing was sent.",
                                     setting=name)
        seen.add(lowered)
        if type(value) is str and value.isascii() and "\r" not in value and "\n" not in value and "\0" not in value:
            out[name] = value  # the usual case, checked inline
        else:
            out[name] = _checked_value(name, value)
    return out


def header_secrets(headers: Mapping[str, str | SecureString]) -> list[SecureString]:
    """The secrets among checked headers, for redacting what an answer echoes: every
    ``SecureString`` value and the value of every credential header, each with its token
    (what follows the scheme, as in ``Bearer <token>``)."""
    secrets: list[SecureString] = []
    for name, value in headers.items():
        if type(value) is SecureString or name.lower() in SENSITIVE_HEADERS:
            secure = value if isinstance(value, SecureString) else SecureString(value)
            if secure:
                secrets += [secure, *_token_of(secure)]
    return secrets


def _token_of(value: SecureString) -> list[SecureString]:
    token = value.reveal().partition(" ")[2].strip()
    return [SecureString(token)] if token else []

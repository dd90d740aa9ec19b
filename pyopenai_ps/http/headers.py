"""Request headers checked before anything is sent: nothing may split or smuggle a request.

A header name must be an HTTP token, a value text without CR, LF or NUL and within Latin-1, no
name may come twice (ignoring case).  A ``SecureString`` value is revealed only into the headers
handed to urllib3; the values of sensitive headers are returned too, so error text built from the
answer can be redacted.  Messages name the header, never its value (it may be the key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigurationError
from ..secure import SecureString

__all__ = ["checked_headers", "TOKEN", "SENSITIVE_HEADERS"]

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: header names, methods
#: Headers whose values are credentials.
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key"})
_FORBIDDEN_CHARS = re.compile("[\r\n\x00]")
_WIDE_CHARS = re.compile("[^\x00-\xff]")


def _name_for_message(name: str) -> str:
    shown = name.encode("unicode_escape").decode("ascii")  # CR/LF/NUL shown as \r \n \x00
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _text_value(name: str, given: Any) -> str:
    if isinstance(given, SecureString):
        value = given.reveal()
    elif isinstance(given, (int, float)) and not isinstance(given, bool):
        value = str(given)
    elif isinstance(given, str):
        value = given
    else:
        value = type(given).__name__
        raise ConfigurationError(f"The value of header '{name}' must be text, not "
                                 f"{value}; nothing was sent.", setting=name)
    if _FORBIDDEN_CHARS.search(value):
        raise ConfigurationError(f"The value of header '{name}' contains a CR, LF or NUL "
                                 "character; nothing was sent.", setting=name)
    if not value.isascii() and _WIDE_CHARS.search(value):
        # http.client would fail mid-request with the whole value inside its exception;
        # test rather than catch, so no __context__ carries the value either.
        raise ConfigurationError(f"The value of header '{name}' has characters HTTP headers "
                                 "cannot carry; nothing was sent.", setting=name)
    return value


def checked_headers(headers: Mapping[Any, Any]) -> tuple[dict[str, str], list[str]]:
    """The headers as text, refused if they could split the request; and the secrets among them."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    secrets: list[str] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not TOKEN.fullmatch(name):
            shown = _name_for_message(name) if isinstance(name, str) else type(name).__name__
            raise ConfigurationError(f"The header name '{shown}' is not a valid HTTP header name; "
                                     "nothing was sent.", setting="headers")
        lowered = name.lower()
        if lowered in seen:
            raise ConfigurationError(f"The header '{name}' is given more than once; nothing was sent.",
                                     setting=name)
        seen.add(lowered)
        text = _text_value(name, value)
        if lowered in SENSITIVE_HEADERS and text:
            secrets.append(text)
            token = text.partition(" ")[2].strip()
            if token:
                secrets.append(token)
        out[name] = text
    return out, secrets

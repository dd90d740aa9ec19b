"""Where a call's key, organization and API base come from.

In order: the cmdlet's parameter, then the package's global, then the
environment variable, as PSOpenAI reads ``$global:OPENAI_API_KEY`` then
``$env:OPENAI_API_KEY``.  The Python equivalent of PowerShell's ``$global:``
variables is an attribute of the package::

    import pyopenai_ps
    pyopenai_ps.OPENAI_API_KEY = "sk-..."        # like $global:OPENAI_API_KEY
    pyopenai_ps.OPENAI_ORGANIZATION = "org-..."  # like $global:OPENAI_ORGANIZATION
    pyopenai_ps.OPENAI_API_BASE = "http://127.0.0.1:8080/v1"
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

from .errors import ConfigurationError
from .secure import SecureString
from .types import ConversionFailure, resolve_type

__all__ = ["DEFAULT_API_BASE", "global_setting", "effective", "api_key_from", "organization_from", "api_base_from"]

DEFAULT_API_BASE = "https://api.openai.com/v1"


def global_setting(name: str) -> Any:
    """The package-level global of that name, or None (never the module's lazy attributes)."""
    package = sys.modules.get("pyopenai_ps")
    return None if package is None else vars(package).get(name)


def effective(bound: Any, name: str) -> tuple[Any, str]:
    """The value that counts and where it came from: the parameter, else the global, else the environment."""
    if bound is not None:
        return bound, "parameter"
    value = global_setting(name)
    if value is not None and value != "":
        return value, f"pyopenai_ps.{name}"
    value = os.environ.get(name)
    if value:
        return value, f"environment variable {name}"
    return None, ""


def api_key_from(value: Any, where: str) -> SecureString:
    """The key from an :func:`effective` pair; ConfigurationError when there is none or it is unusable."""
    if value is None:
        raise ConfigurationError(
            "No API key was found. Give -ApiKey, or set pyopenai_ps.OPENAI_API_KEY or the environment variable "
            "OPENAI_API_KEY.",
            setting="ApiKey",
        )
    if isinstance(value, SecureString):
        key = value
    elif isinstance(value, str):
        key = SecureString(value)
    else:
        raise ConfigurationError(f"The API key from {where} must be a string or a SecureString.", setting="ApiKey")
    text = key.reveal()
    if not text.strip() or "\r" in text or "\n" in text or "\0" in text:
        # never show the key itself, only what is wrong with it
        raise ConfigurationError(f"The API key from {where} is empty or holds a line break.", setting="ApiKey")
    return key


def organization_from(value: Any, where: str) -> str | None:
    """The organization from an :func:`effective` pair (``where`` kept for a uniform call)."""
    return None if value in (None, "") else str(value)


def api_base_from(value: Any, where: str) -> str:
    """The API base from an :func:`effective` pair; a global or environment value is checked as a Uri."""
    if value is None:
        return DEFAULT_API_BASE
    if where == "parameter":
        return str(value)
    if isinstance(value, str):
        return _checked_base(value, where)
    return _checked_base.__wrapped__(value, where)


@functools.lru_cache(maxsize=32)
def _checked_base(value: Any, where: str) -> str:
    # A global or environment value is the same on most calls: check it once.
    try:
        return resolve_type("Uri").convert(value, "ApiBase")
    except ConversionFailure as exc:
        raise ConfigurationError(f"The API base from {where} is not usable: {exc.detail}", setting="ApiBase") from None

"""Where a call's key, organization and API base come from, and the transport that sends it.

In order: the cmdlet's parameter (the one whose spec role is ``api_key``, ``api_base`` or
``organization``), then the package's global, then the environment variable, as PSOpenAI reads
``$global:OPENAI_API_KEY`` then ``$env:OPENAI_API_KEY``.  The globals are attributes of the
package (``pyopenai_ps.OPENAI_API_KEY = "sk-..."``); the package hands its namespace to
:func:`use_globals` when it is imported, so nothing here imports the package back.

:func:`configure` installs the one :class:`~pyopenai_ps.http.Transport` every call uses.
Settings are resolved on every call (a changed global or environment variable counts at once) and
never cached: the key lives only as long as the call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, ConversionFailure
from ..binding.result import Binding
from ..secure import SecureString
from ..spec.operation import Connection
from ..spec.types import resolve_type

if TYPE_CHECKING:
    from ..http.transport import Transport

__all__ = [
    "DEFAULT_API_BASE",
    "ENVIRONMENT",
    "ClientSettings",
    "settings_for",
    "use_globals",
    "configure",
    "current_transport",
    "checked_base",
]

DEFAULT_API_BASE = "https://api.openai.com/v1"
#: role -> the global and environment variable that stand in for its parameter
ENVIRONMENT = {"api_key": "OPENAI_API_KEY", "api_base": "OPENAI_API_BASE", "organization": "OPENAI_ORGANIZATION"}

_globals: Mapping[str, Any] = {}


def use_globals(namespace: Mapping[str, Any]) -> None:
    """Read the package-level settings from ``namespace`` (the package's own, given at import)."""
    global _globals
    _globals = namespace


def _effective(bound: Any, variable: str) -> tuple[Any, str]:
    """The value that counts and where it came from: the parameter, else the global, else the environment."""
    if bound is not None:
        return bound, "parameter"
    value = _globals.get(variable)
    if value is not None and value != "":
        return value, f"pyopenai_ps.{variable}"
    value = os.environ.get(variable)
    if value:
        return value, f"environment variable {variable}"
    return None, ""


class ClientSettings:
    """What one call's requests need.  Made per call and dropped with it (it holds the key)."""

    __slots__ = ("api_key", "api_base", "organization", "timeout", "max_retries", "extra_query", "extra_headers",
                 "base_source", "names")

    def __init__(
        self,
        api_key: SecureString,
        api_base: str,
        organization: str | None = None,
        timeout: float | None = None,
        max_retries: int = 0,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, Any] | None = None,
        base_source: str = "parameter",  # or "default", "pyopenai_ps.OPENAI_API_BASE", "environment variable ..."
        names: Connection | None = None,
    ) -> None:
        self.api_key = api_key
        self.api_base = api_base
        self.organization = organization
        self.timeout = timeout
        self.max_retries = max_retries
        self.extra_query = extra_query or {}
        self.extra_headers = extra_headers or {}
        self.base_source = base_source
        #: The parameter of each connection role, for messages.
        self.names = names or Connection()

    def __repr__(self) -> str:
        return f"ClientSettings(api_base={self.api_base!r}, organization={self.organization!r}, api_key=<hidden>)"


def _api_key(value: Any, where: str, parameter: str | None) -> SecureString:
    if value is None:
        give = f"Give -{parameter}, or set" if parameter else "Set"
        raise ConfigurationError(
            f"No API key was found. {give} pyopenai_ps.OPENAI_API_KEY or the environment variable OPENAI_API_KEY.",
            setting=parameter or "api_key",
        )
    if isinstance(value, SecureString):
        key = value
    elif isinstance(value, str):
        key = SecureString(value)
    else:
        raise ConfigurationError(f"The API key from {where} must be a string or a SecureString.",
                                 setting=parameter or "api_key")
    text = key.reveal()
    if not text.strip() or "\r" in text or "\n" in text or "\0" in text:
        # never show the key itself, only what is wrong with it
        raise ConfigurationError(f"The API key from {where} is empty or holds a line break.",
                                 setting=parameter or "api_key")
    return key


def checked_base(value: Any, where: str) -> str:
    """An API base from a global or the environment, checked as the parameter's Uri type checks it."""
    try:
        return str(resolve_type("Uri").convert(value, "api_base"))
    except ConversionFailure as exc:
        raise ConfigurationError(f"The API base from {where} is not usable: {exc.detail}", setting="api_base") from None


def settings_for(binding: Binding, connection: Connection) -> ClientSettings:
    """Resolve the key, base and the rest for one binding (parameter, then global, then environment).

    The base is returned as found; a base from a global or the environment is checked by the
    request plan (once per distinct value, see :mod:`.plan`).
    """
    get = binding.get
    key, key_from = _effective(get(connection.api_key) if connection.api_key else None, "OPENAI_API_KEY")
    base, base_from = _effective(get(connection.api_base) if connection.api_base else None, "OPENAI_API_BASE")
    org, _ = _effective(get(connection.organization) if connection.organization else None, "OPENAI_ORGANIZATION")
    timeout = get(connection.timeout) if connection.timeout else None
    retries = get(connection.max_retries) if connection.max_retries else None
    extra_query = get(connection.extra_query) if connection.extra_query else None
    extra_headers = get(connection.extra_headers) if connection.extra_headers else None
    return ClientSettings(
        _api_key(key, key_from, connection.api_key),
        DEFAULT_API_BASE if base is None else str(base),
        None if org is None or not str(org).strip() else str(org).strip(),  # PSOpenAI trims it
        float(timeout) if timeout else None,
        int(retries or 0),
        dict(extra_query) if extra_query else None,
        dict(extra_headers) if extra_headers else None,
        base_from if base is not None else "default",
        connection,
    )


# --- the transport ------------------------------------------------------------------------------

_transport: Transport | None = None
_transport_lock = threading.Lock()


def current_transport() -> Transport:
    """The transport every call uses (a default one, made on first use, unless :func:`configure` set one)."""
    transport = _transport
    if transport is None:
        from ..http.transport import Transport  # only now: binding and importing need no network code

        with _transport_lock:
            if _transport is None:
                _install(Transport())
            transport = _transport
    assert transport is not None
    return transport


def _install(transport: Transport) -> None:
    global _transport
    _transport = transport


def configure(
    *,
    http_client: Any = None,
    proxy: str | None = None,
    ca_bundle: str | None = None,
    pool_size: int | None = None,
    sleeper: Callable[[float], Any] | None = None,
    clock: Callable[[], float] | None = None,
    jitter: Callable[[], float] | None = None,
    transport: Transport | None = None,
) -> Transport:
    """Install a new transport for every later call and return it (see the package's ``configure``)."""
    from ..http.transport import Transport

    if transport is not None:
        if any(v is not None for v in (http_client, proxy, ca_bundle, pool_size, sleeper, clock, jitter)):
            raise ConfigurationError("Give a transport, or settings for a new one, not both.", setting="transport")
        chosen = transport
    else:
        options: dict[str, Any] = {}
        for name, value in (("pool_manager", http_client), ("proxy", proxy), ("ca_bundle", ca_bundle),
                            ("pool_size", pool_size), ("sleeper", sleeper), ("clock", clock), ("jitter", jitter)):
            if value is not None:
                options[name] = value
        chosen = Transport(**options)
    with _transport_lock:
        _install(chosen)
    return chosen

"""PSOpenAI's cmdlets in Python, bound by a PowerShell-compatible parameter-set engine.

Quick start::

    import pyopenai_ps as ps
    ps.bind("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'")
    ps.get_command("Get-ThreadRun").bind(thread_id="thread_abc123", run_id="run_abc123")

This module is the package's facade and nothing else: the public names, the settings globals, and
the module functions made from specs (``get_thread_run``...).  Importing it is cheap: specs are
read, and the network stack is imported, only when first needed.
"""

from __future__ import annotations

import typing as _typing
from pathlib import Path as _Path

from ._version import __version__
from .binding.result import Binding
from .errors import (
    ActionPreferenceStopError,
    APIConnectionError,
    APIError,
    APIRequestError,
    APITimeoutError,
    BadRequestError,
    CommandNotFoundError,
    ConfigurationError,
    ContentFilteredError,
    InputFormatError,
    LineSyntaxError,
    MissingValueError,
    NotFoundError,
    PaginationError,
    ParameterBindingError,
    PSOpenAIError,
    QuotaLimitExceededError,
    RateLimitExceededError,
    ResponseFormatError,
    SpecError,
    StreamError,
    UnauthorizedError,
    UsageError,
    WaitTimeoutError,
)
from ._sentinel import Sentinel as _Sentinel
from .runtime import settings as _settings
from .runtime.command import Command
from .runtime.common import variables  # the lists named by -ErrorVariable and the like on a command line
from .runtime.output import PSObject
from .secure import SecureString

if _typing.TYPE_CHECKING:
    from .http.transport import Transport

__all__ = [
    "__version__",
    # running and binding
    "get_command",
    "get_commands",
    "load_spec",
    "spec_errors",
    "bind",
    "invoke",
    "configure",
    "variables",
    # settings globals
    "OPENAI_API_KEY",
    "OPENAI_API_BASE",
    "OPENAI_ORGANIZATION",
    # types users receive
    "Command",
    "Binding",
    "PSObject",
    "SecureString",
    # errors
    "PSOpenAIError",
    "SpecError",
    "CommandNotFoundError",
    "LineSyntaxError",
    "ParameterBindingError",
    "UsageError",
    "InputFormatError",
    "ActionPreferenceStopError",
    "ConfigurationError",
    "MissingValueError",
    "APIError",
    "APIRequestError",
    "BadRequestError",
    "ContentFilteredError",
    "UnauthorizedError",
    "NotFoundError",
    "RateLimitExceededError",
    "QuotaLimitExceededError",
    "APIConnectionError",
    "APITimeoutError",
    "ResponseFormatError",
    "StreamError",
    "PaginationError",
    "WaitTimeoutError",
]

# --- settings globals, like PSOpenAI's $global: variables (None when unset) -----------------------

#: The API key (a str or SecureString), used when a call gives no -ApiKey; else $OPENAI_API_KEY.
OPENAI_API_KEY: str | SecureString | None = None
#: The API base address, used when a call gives no -ApiBase; else $OPENAI_API_BASE.
OPENAI_API_BASE: str | None = None
#: The organization id, used when a call gives no -Organization; else $OPENAI_ORGANIZATION.
OPENAI_ORGANIZATION: str | None = None

_settings.use_globals(globals())  # the runtime reads the globals above from here; it never imports us



def get_command(name: str) -> Command:
    """The cmdlet of that name (case-insensitive); :class:`CommandNotFoundError` if none."""
    from .runtime.command import REGISTRY

    return REGISTRY.get(name)


def get_commands() -> list[str]:
    """The names of every registered cmdlet."""
    from .runtime.command import REGISTRY

    return REGISTRY.names()


def load_spec(path: str | _Path) -> Command:
    """Load one more spec file at run time and register its cmdlet (replacing one of the same name)."""
    from .runtime.invocation import forget_command
    from .runtime.command import REGISTRY

    command, replaced = REGISTRY.load_replacing(path)
    if replaced is not None:
        forget_command(replaced)
    for stale in {command.function_name, replaced.function_name if replaced else None}:
        cached = globals().get(stale) if stale else None
        if cached is not None and hasattr(cached, "command"):  # only a cached cmdlet function, never our API
            globals().pop(stale, None)
    return command


def spec_errors() -> list[SpecError]:
    """The errors of bundled spec files that failed to load (the others still work)."""
    from .runtime.command import REGISTRY

    return REGISTRY.errors()


def bind(line: str, *, input: _typing.Any = None) -> Binding | list[Binding]:
    """Bind a PowerShell command line without running it.

    Returns one :class:`Binding`; with ``input`` records, or a pipeline whose head is a literal
    (``'thread_a','thread_b' | Get-ThreadRun -All``), a list of them, one per record.
    """
    from .binding.records import as_records
    from .pslang.parser import parse_line

    if not isinstance(line, str):
        raise LineSyntaxError(f"a command line is a string, not {type(line).__name__}", construct="value", column=1)
    pipeline = parse_line(line)
    if len(pipeline.commands) > 1:
        raise PSOpenAIError(
            "bind() binds one command; a pipeline of several commands must run, so use invoke() for it."
        )
    call = pipeline.commands[0]
    command = get_command(call.name)
    records = pipeline.input
    if records is not None and input is not None:
        raise PSOpenAIError("The line already pipes input into the command; do not also pass input=.")
    if records is None and input is not None:
        records = tuple(as_records(input))
    if records is None:
        return command.bind(*call.arguments)
    return command.bind_pipeline(list(records), *call.arguments)


def invoke(line: str, *, input: _typing.Any = None) -> list[_typing.Any]:
    """Run a PowerShell command line, pipelines included, and return its output objects."""
    from .runtime.lines import invoke_line

    return invoke_line(line, input=input)


def configure(
    *,
    http_client: _typing.Any = None,
    proxy: str | None = None,
    ca_bundle: str | None = None,
    pool_size: int | None = None,
    sleeper: _typing.Callable[[float], _typing.Any] | None = None,
    clock: _typing.Callable[[], float] | None = None,
    jitter: _typing.Callable[[], float] | None = None,
    transport: Transport | None = None,
    max_answer_bytes: int | _Sentinel = _settings.DEFAULT,
    retry_deadline: float | None | _Sentinel = _settings.DEFAULT,
    max_listing_pages: int | None | _Sentinel = _settings.DEFAULT,
) -> Transport:
    """Set up the HTTP transport every later call uses, and return it.

    ``http_client``: a ``urllib3.PoolManager`` (or ``ProxyManager``) of your own, used as is;
    otherwise ``proxy`` (``http://host:port``), ``ca_bundle`` (a PEM file of trusted CAs) and
    ``pool_size`` (connections kept per host, default 32) build one.  ``sleeper(seconds)``,
    ``clock()`` and ``jitter()`` replace how retries wait, how time is read and the backoff
    factor (tests pass recorders).  ``transport``: a ready :class:`~pyopenai_ps.http.Transport`
    instead.  Settings not given take their defaults: each call of ``configure`` starts afresh.

    The limits (None lifts the last two): ``max_answer_bytes`` (one answer, default 64 MiB),
    ``retry_deadline`` (seconds after a call began past which no retry starts, default 600) and
    ``max_listing_pages`` (the brake on an ``-All`` listing, default 10,000 pages).
    """
    return _settings.configure(http_client=http_client, proxy=proxy, ca_bundle=ca_bundle, pool_size=pool_size,
                               sleeper=sleeper, clock=clock, jitter=jitter, transport=transport,
                               max_answer_bytes=max_answer_bytes, retry_deadline=retry_deadline,
                               max_listing_pages=max_listing_pages)


def __getattr__(name: str) -> _typing.Any:
    # Module functions made from specs: get_thread_run, ...
    if name.startswith("_"):
        raise AttributeError(name)
    from .runtime.command import REGISTRY

    command = REGISTRY.by_function_name(name)
    if command is None:
        raise AttributeError(f"module 'pyopenai_ps' has no attribute '{name}'")
    function = command.function
    globals()[name] = function  # later lookups skip this hook; load_spec() drops it when replaced
    return function


def __dir__() -> list[str]:
    from .runtime.command import REGISTRY

    return sorted(set(__all__) | set(REGISTRY.function_names()))

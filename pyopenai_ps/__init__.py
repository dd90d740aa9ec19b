"""PSOpenAI's cmdlets in Python, bound by a PowerShell-compatible parameter-set engine.

Quick start::

    import pyopenai_ps as ps
    ps.bind("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'")
    ps.get_command("Get-ThreadRun").bind(thread_id="thread_abc123", run_id="run_abc123")

Importing the package is cheap: specs are read, and the network stack is
imported, only when first needed.  Every cmdlet of ``specs/`` is also a module
function named from its spec (``get_thread_run``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    APIConnectionError,
    APIRequestError,
    APITimeoutError,
    BadRequestError,
    CommandNotFoundError,
    ConfigurationError,
    ContentFilteredError,
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
    UnauthorizedError,
)
from .secure import SecureString

if TYPE_CHECKING:
    from pathlib import Path

    from .binding import Binding
    from .command import Command

__all__ = [
    "__version__",
    "get_command",
    "get_commands",
    "load_spec",
    "spec_errors",
    "bind",
    "invoke",
    "SecureString",
    "PSOpenAIError",
    "SpecError",
    "CommandNotFoundError",
    "LineSyntaxError",
    "ParameterBindingError",
    "APIRequestError",
    "BadRequestError",
    "ContentFilteredError",
    "UnauthorizedError",
    "NotFoundError",
    "RateLimitExceededError",
    "QuotaLimitExceededError",
    "APIConnectionError",
    "APITimeoutError",
    "ConfigurationError",
    "MissingValueError",
    "ResponseFormatError",
    "PaginationError",
]


def get_command(name: str) -> Command:
    """The cmdlet of that name (case-insensitive); :class:`CommandNotFoundError` if none."""
    from .registry import REGISTRY

    return REGISTRY.get(name)


def get_commands() -> list[str]:
    """The names of every registered cmdlet."""
    from .registry import REGISTRY

    return REGISTRY.names()


def load_spec(path: str | Path) -> Command:
    """Load one more spec file at run time and register its cmdlet (replacing one of the same name)."""
    from .registry import REGISTRY

    command, replaced = REGISTRY.load_replacing(path)
    for stale in {command.function_name, replaced.function_name if replaced else None}:
        cached = globals().get(stale) if stale else None
        if cached is not None and hasattr(cached, "command"):  # only a cached cmdlet function, never our API
            globals().pop(stale, None)
    return command


def spec_errors() -> list[SpecError]:
    """The errors of bundled spec files that failed to load (the others still work)."""
    from .registry import REGISTRY

    return REGISTRY.errors()


def bind(line: str, *, input: Any = None) -> Binding | list[Binding]:
    """Bind a PowerShell command line without running it.

    Returns one :class:`Binding`; with ``input`` records, or a pipeline whose head
    is a literal (``'thread_a','thread_b' | Get-ThreadRun -All``), a list of
    them, one per record.
    """
    from .command import as_records
    from .psline import parse_line

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
        records = as_records(input)
    if records is None:
        return command.bind(*call.arguments)
    return command.bind_pipeline(list(records), *call.arguments)


def invoke(line: str, *, input: Any = None) -> list[Any]:
    """Run a PowerShell command line, pipelines included, and return its output objects."""
    from .runtime import invoke_line

    return invoke_line(line, input=input)


def __getattr__(name: str) -> Any:
    # Module functions made from specs: get_thread_run, ...
    if name.startswith("_"):
        raise AttributeError(name)
    if name == "variables":  # session variables named by -ErrorVariable and the like on a command line
        from .runtime import variables

        return variables
    from .registry import REGISTRY

    command = REGISTRY.by_function_name(name)
    if command is None:
        raise AttributeError(f"module 'pyopenai_ps' has no attribute '{name}'")
    from .functions import function_for

    function = function_for(command)
    globals()[name] = function  # later lookups skip this hook; load_spec() drops it when replaced
    return function


def __dir__() -> list[str]:
    from .registry import REGISTRY

    return sorted(set(globals()) | set(REGISTRY.function_names()))

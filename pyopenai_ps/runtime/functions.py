"""Module functions made from specs: ``pyopenai_ps.get_thread_run(...)``.

Each is a thin function over its command, with a signature and docstring built from the spec so
help() and editors show the parameters.  No function is written by hand per cmdlet.
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable
from typing import Any

from ..spec.model import CmdletSpec, function_name_for

__all__ = ["make_function", "keyword_name"]


def keyword_name(parameter_name: str) -> str:
    """``MaxRetryCount`` -> ``max_retry_count`` (the binder ignores underscores in keywords)."""
    name = function_name_for(parameter_name)
    return f"{name}_" if keyword.iskeyword(name) else name


def _docstring(spec: CmdletSpec) -> str:
    lines = [spec.synopsis or spec.name, "", spec.description, ""]
    lines.append(f"Python form of the ``{spec.name}`` cmdlet. Parameters (keywords match names, aliases and")
    lines.append("unambiguous prefixes, case-insensitively, underscores ignored):")
    lines.append("")
    for parameter in spec.parameters:
        if parameter.hidden:
            continue
        aliases = f" (aliases: {', '.join(parameter.aliases)})" if parameter.aliases else ""
        lines.append(f"{keyword_name(parameter.name)}: {parameter.type}{aliases}")
        if parameter.help:
            lines.append(f"    {parameter.help}")
    return "\n".join(lines).strip() + "\n"


def _signature(spec: CmdletSpec) -> inspect.Signature:
    parameters = [inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL)]
    for parameter in spec.parameters:
        parameters.append(
            inspect.Parameter(keyword_name(parameter.name), inspect.Parameter.KEYWORD_ONLY, default=None)
        )
    parameters.append(inspect.Parameter("common", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(parameters)


def make_function(command: Any) -> Callable[..., Any]:
    """The module function of a command (its ``spec``, ``function_name``, ``stream``, ``pipe``, ``bind``)."""

    def cmdlet_function(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    cmdlet_function.__name__ = cmdlet_function.__qualname__ = command.function_name
    cmdlet_function.__module__ = "pyopenai_ps"
    cmdlet_function.__doc__ = _docstring(command.spec)
    cmdlet_function.__signature__ = _signature(command.spec)  # type: ignore[attr-defined]
    cmdlet_function.command = command  # type: ignore[attr-defined]
    cmdlet_function.stream = command.stream  # type: ignore[attr-defined]
    cmdlet_function.pipe = command.pipe  # type: ignore[attr-defined]
    cmdlet_function.bind = command.bind  # type: ignore[attr-defined]
    return cmdlet_function

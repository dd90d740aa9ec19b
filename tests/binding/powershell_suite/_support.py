"""The one place this suite reaches into ``pyopenai_ps``.

Everything the translated PowerShell tests need from the package goes through
this module, so that when the package's modules move only the imports here
change.  The public API (``Command.bind``, ``Command.bind_pipeline``,
``ParameterBindingError``) is preferred; the internals used are the spec loader
(to build a command from YAML text), the Command class, and the line reader
(to turn a PowerShell command line into the values the binder receives).
"""

from __future__ import annotations

import textwrap
from typing import Any

from pyopenai_ps import LineSyntaxError, ParameterBindingError, SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.pslang.parser import parse_line
from pyopenai_ps.spec.load import load_spec_text

__all__ = [
    "Command",
    "LineSyntaxError",
    "ParameterBindingError",
    "SpecError",
    "bind_line",
    "command_from_yaml",
    "declared_type",
    "spec_from_yaml",
]


def spec_from_yaml(text: str) -> Any:
    """Load one spec written in YAML (indentation is normalised); SpecError when refused."""
    return load_spec_text(textwrap.dedent(text), source="<powershell-suite>")


def command_from_yaml(text: str) -> Command:
    """A command built from one spec written in YAML."""
    return Command(spec_from_yaml(text))


def bind_line(command: Command, line: str) -> Any:
    """Bind a whole PowerShell command line that calls ``command``.

    ``line`` is written as in PowerShell (``Get-Foo -a 1``, ``'x','y' | Get-Foo``).
    Returns one Binding, or a list of them when a literal is piped in.
    """
    pipeline = parse_line(line)
    (call,) = pipeline.commands
    if call.name.lower() != command.name.lower():
        raise AssertionError(f"the line calls {call.name!r}, not {command.name!r}")
    if pipeline.input is None:
        return command.bind(*call.arguments)
    return command.bind_pipeline(list(pipeline.input), *call.arguments)


def declared_type(command: Command, parameter: str) -> str:
    """The type name the spec keeps for a parameter (what syntax, help and stubs show)."""
    return command.spec.parameter(parameter).type

"""The PowerShell language layer: a command line read into a pipeline of command calls.

:mod:`.lexer` scans tokens (strings, numbers, variables, comments); :mod:`.parser` reads a line
into a :class:`~.parser.Pipeline` of :class:`~.parser.CommandCall` whose arguments are values and
:class:`~.parser.ParameterToken`; :mod:`.literals` holds what a value may be besides plain data (a
number keeping its token text, an unset ``$env:NAME``); :mod:`.hints` says what to use instead of
PowerShell's own cmdlets (Where-Object, ForEach-Object ...).  It imports nothing of binding, runtime, http, cli or server.
"""

from .parser import NO_ARGUMENT, CommandCall, ParameterToken, Pipeline, parse_line, parse_value

__all__ = ["NO_ARGUMENT", "CommandCall", "ParameterToken", "Pipeline", "parse_line", "parse_value"]

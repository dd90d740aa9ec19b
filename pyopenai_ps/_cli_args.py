"""The command line's argument words: shell words as the binder's arguments, and what they ask for.

Only :mod:`pyopenai_ps.cli` uses this module.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["UsageError", "words_to_arguments", "switch_given", "secrets_in", "has_help_token", "wants_stdin", "isatty"]

PROG = "pyopenai-ps"
_DASHES = "-\u2013\u2014\u2015"  # PowerShell also takes en and em dashes
_LITERAL_WORDS = ("$true", "$false", "$null")


class UsageError(Exception):
    """A bad tool option or argument word; ``where`` prefixes the message."""

    def __init__(self, message: str, where: str = PROG) -> None:
        super().__init__(message)
        self.where = where


def words_to_arguments(words: list[str]) -> list[Any]:
    """Shell words after the cmdlet name as the binder's arguments: ParameterTokens and values."""
    from .psline import ParameterToken

    arguments: list[Any] = []
    parameters = True
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if parameters and word == "--":
            parameters = False  # after '--' even -X is a plain value
            continue
        if parameters and len(word) > 1 and word[0] in _DASHES and (word[1].isalpha() or word[1] in "_?"):
            name, colon, text = word[1:].partition(":")
            if all(c.isalnum() or c in "_?-" for c in name):  # '-a.b' stays one value, as in PowerShell
                if not colon:
                    arguments.append(ParameterToken(name))
                    continue
                if not text:  # '-Limit: 5' attaches the next word, as PowerShell does
                    if i >= len(words):
                        raise UsageError(f"Parameter '-{name}:' has no value after the colon.")
                    text = words[i]
                    i += 1
                arguments.append(ParameterToken(name, _colon_value(text)))
                continue
        arguments.append(word)
    return arguments


def _colon_value(text: str) -> Any:
    """``-Name:value``: a PowerShell literal when it clearly is one, else the string."""
    from .psline import parse_value

    if text.lower() in _LITERAL_WORDS or text[0] in "'\"\u2018\u2019\u201c\u201d" or text.startswith(("@{", "@(")):
        return parse_value(text)  # a malformed one is a LineSyntaxError: a usage error
    if text[0] in "0123456789+-.":
        try:
            value = parse_value(text)
        except Exception:
            return text
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
    return text


def _parameter(command: Any, token: Any) -> Any:
    """The parameter a token names, or None when it names none (the binder reports that later)."""
    from .errors import ParameterBindingError

    try:
        return command.binder.match(token.name)
    except ParameterBindingError:
        return None


def switch_given(command: Any, arguments: list[Any], name: str) -> bool:
    """Whether the arguments turn on that switch (``-Debug``, ``-db``, not ``-Debug:$false``)."""
    from .psline import NO_ARGUMENT, ParameterToken

    for item in arguments:
        if isinstance(item, ParameterToken) and item.name != "?":
            param = _parameter(command, item)
            if param is not None and param.name == name:
                return item.argument is NO_ARGUMENT or bool(item.argument)
    return False


def secrets_in(command: Any, arguments: list[Any]) -> list[str]:
    """Key values given on the command line, so messages can mask them even in a traceback."""
    from .psline import NO_ARGUMENT, ParameterToken

    found = []
    for i, item in enumerate(arguments):
        if isinstance(item, ParameterToken) and item.name != "?":
            param = _parameter(command, item)
            if param is None or not (param.secret or param.name == "ApiKey"):
                continue
            value = item.argument
            if value is NO_ARGUMENT and i + 1 < len(arguments):
                value = arguments[i + 1]
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict):  # -AdditionalHeaders:@{...}
                found.extend(str(v) for v in value.values() if v is not None)
    return found


def has_help_token(arguments: list[Any]) -> bool:
    """``-?`` anywhere among the parameters asks for help, as in PowerShell."""
    from .psline import ParameterToken

    return any(isinstance(a, ParameterToken) and a.name == "?" for a in arguments)


def _is_device(stream: Any) -> bool:
    """/dev/null and the like: no input to read, so a missing parameter stays an error."""
    import stat

    try:
        return stat.S_ISCHR(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, ValueError, OSError):
        return False


def wants_stdin(command: Any, arguments: list[Any]) -> bool:
    """Whether the command line leaves a pipeline parameter for standard input to fill.

    Only from a pipe or a file (not a terminal, not /dev/null), and never for
    a complete command line: a script under cron with stdin left open must not
    hang.
    """
    from .errors import ParameterBindingError

    stdin = sys.stdin
    if stdin is None or isatty(stdin) or _is_device(stdin):
        return False
    try:
        command.binder.finish(command.bind_arguments(arguments))
    except ParameterBindingError as error:
        if error.error_id != "MissingMandatoryParameter":
            raise
        params = {p.name: p for p in command.compiled.parameters}
        return any(params[name].by_value_mask | params[name].by_property_mask
                   for name in error.missing if name in params)
    return False


def isatty(stream: Any) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False

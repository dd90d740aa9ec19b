"""The command line's argument words: shell words as the binder's arguments, and what they ask for."""

from __future__ import annotations

import os
import sys
from typing import Any

from ..errors import ParameterBindingError, PSOpenAIError, UsageError
from ..pslang.parser import NO_ARGUMENT, ParameterToken, parse_value

__all__ = ["UsageError", "words_to_arguments", "lists_for_collections", "switch_given", "secrets_in", "has_help_token", "wants_stdin", "isatty",
           "PROG"]

PROG = "pyopenai-ps"
_DASHES = "-\u2013\u2014\u2015"  # PowerShell also takes en and em dashes
_LITERAL_WORDS = ("$true", "$false", "$null")


def words_to_arguments(words: list[str]) -> list[Any]:
    """Shell words after the cmdlet name as the binder's arguments: ParameterTokens and values."""
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
        arguments.append(_literal_or_word(word) if parameters and word.startswith(("@{", "@(")) else word)
    return arguments


class _ShellWord(str):
    """A value the shell gave as it was typed (its quotes, if any, already removed): a list may be read from it."""

    __slots__ = ()


def _literal_or_word(word: str) -> Any:
    """``@{...}`` or ``@(...)``: the literal, when the word is one; else the word as typed (``@(Joe) said hi``)."""
    try:
        return parse_value(word)
    except PSOpenAIError:
        return word


def lists_for_collections(command: Any, arguments: list[Any]) -> list[Any]:
    """A word with commas and no spaces given to a list-of-strings parameter (``-FileId a,b`` or
    ``-FileId:a,b``) as the list PowerShell reads from a bare ``a,b``; other words stay one value each.

    The shell has removed any quotes, so the rule is narrow: ids and statuses come as ``a,b``,
    while text with a comma nearly always has a space too (``-Message 'Hello, world'``), and an
    ``Object[]`` parameter (messages, tools) never splits a word."""
    out: list[Any] = []
    waiting = False  # the previous token names a collection parameter and awaits its value
    for item in arguments:
        if isinstance(item, ParameterToken):
            param = _parameter(command, item.name) if item.name != "?" else None
            element = param.type.element if param is not None else None
            collection = element is not None and element.is_string
            waiting = collection and item.argument is NO_ARGUMENT
            if isinstance(item.argument, _ShellWord):  # -Name:a,b (a quoted -Name:'a,b' stays one value)
                item = ParameterToken(item.name, _comma_list(item.argument) if collection else str(item.argument))
        elif waiting:
            waiting = False
            if isinstance(item, str):
                item = _comma_list(item)
        out.append(item)
    return out


def _comma_list(word: str) -> Any:
    if "," not in word or any(c.isspace() for c in word):
        return str(word)
    parts = word.split(",")
    return parts if all(parts) else str(word)  # 'a,,b' stays as given, for the binder to judge


def _colon_value(text: str) -> Any:
    """``-Name:value``: a PowerShell literal when it clearly is one, else the string."""
    if not text:
        return text  # '-Limit: ""': an empty string, for the binder to judge
    if text.startswith(("@{", "@(")):
        value = _literal_or_word(text)
        return _ShellWord(value) if value is text else value
    if text.lower() in _LITERAL_WORDS or text[0] in "'\"\u2018\u2019\u201c\u201d":
        return parse_value(text)  # a malformed one is a LineSyntaxError: a usage error
    if text[0] in "0123456789+-.":
        try:
            value = parse_value(text)
        except Exception:
            return _ShellWord(text)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
    return _ShellWord(text)


def _parameter(command: Any, token: str) -> Any:
    """The parameter a name designates, or None when it names none (the binder reports that later)."""
    try:
        return command.binder.match(token)
    except ParameterBindingError:
        return None


def switch_given(command: Any, arguments: list[Any], name: str) -> bool:
    """Whether the arguments turn on that switch (``-Debug``, ``-db``, not ``-Debug:$false``)."""
    for item in arguments:
        if isinstance(item, ParameterToken) and item.name != "?":
            param = _parameter(command, item.name)
            if param is not None and param.name == name:
                return item.argument is NO_ARGUMENT or bool(item.argument)
    return False


def secrets_in(command: Any, arguments: list[Any]) -> list[str]:
    """Values of secret parameters given on the command line, so messages can mask them anywhere.

    A word such as ``-ApiKey=sk-...`` is no parameter to the binder (it is one value), but when
    its name part designates a secret parameter, its value part is a secret too.
    """
    found = []
    for i, item in enumerate(arguments):
        if isinstance(item, str) and item[:1] in _DASHES and "=" in item:
            name, _, value = item[1:].partition("=")
            param = _parameter(command, name.strip()) if name.strip() else None
            if param is not None and param.secret and value.strip("'\""):
                found.append(value.strip("'\""))
            continue
        if isinstance(item, ParameterToken) and item.name != "?":
            param = _parameter(command, item.name)
            if param is None or not param.secret:
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
    stdin = sys.stdin
    if stdin is None or isatty(stdin) or _is_device(stdin):
        return False
    try:
        command.binder.finish(command.bind_arguments(arguments))
    except ParameterBindingError as error:
        if error.error_id != "MissingMandatoryParameter":
            raise
        return _pipeline_completes(command, arguments)
    return False


def _pipeline_completes(command: Any, arguments: list[Any]) -> bool:
    """Whether pipeline records could complete the call, in its default set or in another one (``$thread |
    Start-ThreadRun -Assistant a`` binds the Run set, not the default ThreadAndRun)."""
    try:
        command.bind_arguments(arguments, expect_pipeline=True)
    except ParameterBindingError:
        return False
    return True


def isatty(stream: Any) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False

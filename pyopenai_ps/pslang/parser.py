"""Reads a PowerShell command line into a :class:`Pipeline` of :class:`CommandCall`.

Only a literal subset of PowerShell is understood: commands with bare-word,
quoted, numeric and @()/@{} arguments, a literal pipeline head, $true/$false/
$null/$env:NAME.  Anything else raises :class:`LineSyntaxError` naming the
construct and its 1-based column (an offset into the whole text, which is the
column for a one-line command).  Binding arguments to parameters is not done
here; ``-Name`` tokens are handed on as :class:`ParameterToken`.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any

import attrs

from .lexer import (
    DASHES,
    DOUBLE_QUOTES,
    NEWLINES,
    NOT_A_NUMBER,
    NOT_A_VALUE,
    QUOTES,
    SINGLE_QUOTES,
    at_delimiter,
    at_error,
    bare_value,
    double_quoted,
    fail,
    hashtable_key,
    is_variable_start,
    number,
    param_start,
    redirection_check,
    shown,
    single_quoted,
    skip_blank,
    skip_comment,
    skip_spaces,
    special,
    type_cast,
    unexpected,
    variable,
    word,
)
from .._sentinel import Sentinel
from ..errors import LineSyntaxError
from ..spec.properties import Hashtable
from .hints import refuse_shell_cmdlet
from .literals import UnsetVariable, plain

__all__ = [
    "NO_ARGUMENT",
    "ParameterToken",
    "CommandCall",
    "Pipeline",
    "parse_line",
    "parse_value",
    "LineSyntaxError",
    "UnsetVariable",
    "Hashtable",
]


#: The argument of a ParameterToken written without ':value'.
NO_ARGUMENT: Any = Sentinel("NO_ARGUMENT", __name__)


def _as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


@attrs.frozen
class ParameterToken:
    """``-Name`` or ``-Name:value`` in a command's arguments."""

    name: str
    argument: Any = NO_ARGUMENT
    column: int = 0

    @property
    def text(self) -> str:
        return "-" + self.name


@attrs.frozen
class CommandCall:
    """One command of a pipeline; ``arguments`` mixes ParameterTokens and values."""

    name: str
    arguments: tuple[Any, ...] = attrs.field(converter=_as_tuple)
    column: int = 0


def _at_least_one(_instance: Any, _attribute: Any, value: tuple[Any, ...]) -> None:
    if not value:
        raise ValueError("a Pipeline needs at least one command")


@attrs.frozen
class Pipeline:
    """Records from a literal head (None without one), then the commands."""

    input: tuple[Any, ...] | None = attrs.field(converter=attrs.converters.optional(_as_tuple))
    commands: tuple[CommandCall, ...] = attrs.field(converter=_as_tuple, validator=_at_least_one)


def parse_line(line: str) -> Pipeline:
    """Read one pipeline; raises LineSyntaxError for anything outside the subset."""
    return _Parser(line).line()


def parse_value(text: str) -> Any:
    """Read one expression-mode literal such as ``'a'``, ``5``, ``@{a=1}`` or ``$true``."""
    parser = _Parser(text)
    parser.i = skip_blank(text, 0)
    if parser.i >= parser.n:
        fail("There is no value here.", "empty value", 0)
    value, _ = parser.value_list(expression=True)
    end = skip_blank(text, parser.i)
    if end < parser.n:
        unexpected(text, end)
    return plain(value)  # an unset $env:NAME is null here


_END_OF_PARAMETERS: Any = object()
_MAX_DEPTH = 64


class _Parser:
    """Recursive descent over the text; ``i`` is the index of the next character."""

    __slots__ = ("s", "n", "i", "depth")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"expected a str, got {type(text).__name__}")
        self.s = text
        self.n = len(text)
        self.i = 0
        self.depth = 0

    def line(self) -> Pipeline:
        s, n = self.s, self.n
        start = self.i = skip_blank(s, 0)
        if start >= n:
            fail("The line is empty: type a command such as Get-ThreadRun -Thread 'thread_abc'.", "empty line", 0)
        commands: list[CommandCall] = []
        records = None
        if self.command_start(start):
            commands.append(self.command())
        else:
            if s[start] in DASHES and start + 1 < n and param_start(s[start + 1]):
                fail("A line must start with a command name (or a value piped into one), not a parameter.",
                     "parameter without a command", start)
            value, _ = self.value_list(expression=True)
            records = tuple(value) if isinstance(value, list) else (plain(value),)
            self.i = skip_spaces(s, self.i)
            if not s.startswith("|", self.i):
                if self.i < n and s[self.i] not in NEWLINES and s[self.i] not in ";#":
                    unexpected(s, self.i)
                fail("A value on its own does nothing here: pipe it into a command, "
                     "e.g. 'thread_abc' | Get-ThreadRun.", "expression without a command", start)
        while s.startswith("|", self.i):
            pipe = self.i
            if s.startswith("||", pipe):
                special(s, pipe)
            self.i = skip_blank(s, pipe + 1)  # a pipeline may continue on the next line
            if self.i >= n or s[self.i] == ";":
                fail("The '|' at the end has no command after it.", "trailing |", pipe)
            if s[self.i] == "|":
                fail("There is no command between these two '|'.", "empty pipeline stage", self.i)
            if not self.command_start(self.i):
                fail("Only the first element of a pipeline can be a value; a command name must follow '|'.",
                     "expression after |", self.i)
            commands.append(self.command())
        semicolon = self.i if s.startswith(";", self.i) else None
        rest = skip_blank(s, self.i + (semicolon is not None))
        if rest < n:
            fail("Only one pipeline per line is supported; remove the ';' or the extra line.",
                 "second statement", rest if semicolon is None else semicolon)
        return Pipeline(records, commands)

    def command_start(self, i: int) -> bool:
        """Whether the token at i is a command name rather than a value."""
        s = self.s
        c = s[i]
        if c in "$@[,(" or c in DASHES or c in QUOTES:
            return False  # a value, or an error the value reader names
        if c in NOT_A_VALUE:
            special(s, i)
        redirection_check(s, i)
        if c == "." and at_delimiter(s, i + 1):
            fail("Dot-sourcing ('. name') is not supported.", "dot-source operator", i)
        if "0" <= c <= "9" or c == ".":
            text = word(s, i)[0]  # '5abc' is a name; '5' and '1..3' are values
            return number(text) is NOT_A_NUMBER and ".." not in text
        return True

    def command(self) -> CommandCall:
        s, n = self.s, self.n
        start = self.i
        name, self.i, _ = word(s, start)
        refuse_shell_cmdlet(name, start)
        arguments: list[Any] = []
        parameters = True
        while True:
            i = self.i = skip_spaces(s, self.i)
            if i >= n or s[i] in NEWLINES or s[i] in "|;":
                break
            if s[i] == "#":
                self.i = skip_comment(s, i)
                break
            if parameters and s[i] in DASHES:
                token = self.parameter()
                if token is _END_OF_PARAMETERS:
                    parameters = False  # after '--' even -X is a plain value
                    continue
                if token is not None:
                    arguments.append(token)
                    continue
            arguments.append(self.value_list(expression=False)[0])
        return CommandCall(name, arguments, start + 1)

    def parameter(self) -> Any:
        """-Name, -Name:value, the '--' marker, or None when the dash begins a value."""
        s, n, i = self.s, self.n, self.i
        nxt = s[i + 1 : i + 2]
        if nxt and param_start(nxt):
            j = i + 1
            while j < n and (s[j].isalnum() or s[j] in "_?-"):
                j += 1
            name = s[i + 1 : j]
            if s.startswith(":", j):
                k = skip_spaces(s, j + 1)  # '-Limit: 5' attaches the 5, as PowerShell does
                if k >= n or s[k] in NEWLINES or s[k] in "|;#":
                    fail(f"Parameter '-{shown(name)}:' has no value after the colon.",
                         f"parameter -{shown(name)}:", i)
                self.i = k
                return ParameterToken(name, self.value_list(expression=False)[0], i + 1)
            if at_delimiter(s, j):
                self.i = j
                return ParameterToken(name, NO_ARGUMENT, i + 1)
            return None  # '-a.b' is one bare word, as in PowerShell
        if nxt and nxt in DASHES:
            if s.startswith("%", i + 2):
                fail("The stop-parsing token --% is not supported.", "stop-parsing token --%", i)
            if at_delimiter(s, i + 2):
                self.i = i + 2
                return _END_OF_PARAMETERS
        return None

    def value_list(self, expression: bool) -> tuple[Any, bool]:
        """A value or a comma list of values; the flag tells whether it was a list."""
        s, n = self.s, self.n
        first = self.value(expression)
        j = skip_spaces(s, self.i)
        if not s.startswith(",", j):
            return first, False
        items = [plain(first)]
        while s.startswith(",", j):
            k = skip_blank(s, j + 1)  # a list may continue on the next line
            if k >= n or s[k] in "|;)},":
                fail("A value is missing after this ','.", "trailing comma", j)
            self.i = k
            items.append(plain(self.value(expression)))
            j = skip_spaces(s, self.i)
        return items, True

    def value(self, expression: bool) -> Any:
        """One value at self.i; in expression mode a bare word is an error."""
        s, i = self.s, self.i
        c = s[i]
        if c in QUOTES or c in "@[" or (c == "$" and is_variable_start(s, i + 1)):
            if c in SINGLE_QUOTES:
                value, j = single_quoted(s, i)
            elif c in DOUBLE_QUOTES:
                value, j = double_quoted(s, i)
            elif c == "$":
                value, j = variable(s, i)
            else:
                value = self.array_or_table(i)
                j = self.i
            if not at_delimiter(s, j) and s[j] != "#":  # 'a'#note: a comment starts the next token
                unexpected(s, j)
            self.i = j
            return value
        if c == "$" and expression:
            fail("A '$' must start a variable such as $true or $env:NAME.", "'$'", i)
        value, self.i = bare_value(s, i, expression)
        return value

    def array_or_table(self, i: int) -> Any:
        """@(...), @{...} or [type]@{...} at i."""
        s = self.s
        if s[i] == "[":
            as_object, k = type_cast(s, i)
            table = self.hashtable(k)
            if not as_object:
                return table
            record = types.SimpleNamespace()  # [pscustomobject]: one property per key
            record.__dict__.update((str(key), value) for key, value in table.items())
            return record
        if s.startswith("(", i + 1):
            return self.array(i)
        if s.startswith("{", i + 1):
            return self.hashtable(i)
        at_error(s, i)

    def array(self, i: int) -> list[Any]:
        """@( ... ): statements separated by ';' or newlines, each enumerated once."""
        items: list[Any] = []
        j = self.open(i)
        while j is not None:
            self.i = j
            value, _ = self.value_list(expression=True)
            if isinstance(value, list):
                items.extend(value)  # @(@(1,2)) is 1,2 in PowerShell too
            else:
                items.append(plain(value))
            j = self.item(self.i, i, ")", after_value=True)
        return items

    def hashtable(self, i: int) -> Hashtable:
        """@{ key = value; ... }; keys are unique ignoring case, as in PowerShell.

        A :class:`Hashtable` (a dict): its keys are no properties for ByPropertyName binding.
        """
        s = self.s
        table = Hashtable()
        seen = set()
        j = self.open(i)
        while j is not None:
            key, label, end = hashtable_key(s, j)
            k = skip_spaces(s, end)
            if k < self.n and s[k] != "=":
                fail("Expected '=' after the hashtable key.", "hashtable entry", k)
            self.i = skip_blank(s, min(k + 1, self.n))
            if self.i >= self.n:
                self.item(self.i, i, "}")  # raises: no closing brace
            if s[self.i] in "};":
                fail("A value is missing after '='.", "hashtable entry", k)
            identity = ("s", key.casefold()) if isinstance(key, str) else ("n", key)
            if identity in seen:
                fail("Duplicate keys are not allowed in a hashtable (keys ignore case).",
                     f"duplicate key {label}" if label else "duplicate key", j)
            seen.add(identity)
            value, _ = self.value_list(expression=True)
            table[key] = plain(value)
            j = self.item(self.i, i, "}", after_value=True)
        return table

    def open(self, i: int) -> int | None:
        """Enter the @( or @{ at i: the index of its first item, or None when empty."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            fail("Arrays and hashtables are nested too deeply.", "nesting too deep", i)
        return self.item(i + 2, i, ")" if self.s[i + 1] == "(" else "}")

    def item(self, j: int, opener: int, closer: str, after_value: bool = False) -> int | None:
        """Index of the next item inside the @( or @{ at opener, or None past its closer."""
        s, n = self.s, self.n
        while True:
            j = skip_spaces(s, j)
            if j >= n:
                fail(f"This @{s[opener + 1]} has no closing '{closer}'.", f"unterminated @{s[opener + 1]}", opener)
            c = s[j]
            if c == closer:
                self.depth -= 1
                self.i = j + 1
                return None
            if c in NEWLINES or c == ";":
                j += 1
            elif c == "#":
                j = skip_comment(s, j)
            elif after_value:
                unexpected(s, j)
            else:
                return j
            after_value = False

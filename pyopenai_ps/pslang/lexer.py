"""Lexical scanners for the PowerShell line reader (see :mod:`.parser`).

Each scanner takes the whole text and a start index and returns the value and
the index just past it.  Columns in errors are 1-based offsets into the text.
Error messages never quote what is inside a string literal: it may be a secret.
"""

from __future__ import annotations

import os
import re
from typing import Any, NoReturn

from ..errors import LineSyntaxError
from ..secure import MIN_WITH_ENDS, mask_key_shapes, mask_secret
from .literals import UnsetVariable, literal

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e'
QUOTES = SINGLE_QUOTES + DOUBLE_QUOTES
#: PowerShell treats en dash, em dash and horizontal bar like '-'.
DASHES = "-\u2013\u2014\u2015"
NEWLINES = "\n\r"
#: Exactly the characters str.isspace() accepts, minus line breaks.
SPACES = (
    "\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
#: Characters that end a bare word and cannot begin one.
SPECIALS = "|;&(){},<>"
_DELIMS = frozenset(SPACES + NEWLINES + SPECIALS)

_STOP = re.escape(SPACES + NEWLINES + SPECIALS + QUOTES + "`$")
_WORD = re.compile(f"[^{_STOP}]+")
#: Inside @{...} and @(...) a word also stops at '=' (the key/value separator).
_EXPR_WORD = re.compile(f"[^{_STOP}=]+")
_SPACE_RUN = re.compile(f"[{re.escape(SPACES)}]*")
_TO_EOL = re.compile(r"[^\n\r]*")
_NOT_SQ = re.compile(f"[^{SINGLE_QUOTES}]*")
_DQ_TEXT = re.compile(f"[^{DOUBLE_QUOTES}`$]*")
_NAME = re.compile(r"[\w?]+")
_SHOWABLE_VARIABLE = re.compile(r"\$\{?[\w?:]*\}?")
_UNICODE_ESC = re.compile(r"u\{([0-9A-Fa-f]{1,6})\}")
_NUMBER = re.compile(
    r"(?:0x(?P<hex>[0-9a-f]+)|0b(?P<bin>[01]+)"
    r"|(?P<dec>[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|\.[0-9]+(?:e[+-]?[0-9]+)?))"
    r"(?P<long>l)?(?P<mult>[kmgtp]b)?",
    re.IGNORECASE,
)
_MULTIPLIERS = {"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40, "pb": 1 << 50}
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}
NOT_A_NUMBER: Any = object()
#: Statement-level characters that can never begin a value.
NOT_A_VALUE = "(){}&|;<>=,"

_VARIABLE_HELP = ("only $true, $false, $null and $env:NAME can be used; from Python, pass the value "
                  "itself: invoke(\"Verb-Noun ...\", input=value) pipes it in, as $value | Verb-Noun does.")
def _run(pattern: re.Pattern[str], s: str, i: int) -> re.Match[str]:
    """The run of ``pattern`` at i: these patterns match the empty string too, so there always is one."""
    match = pattern.match(s, i)
    assert match is not None
    return match


def fail(reason: str, construct: str, index: int) -> NoReturn:
    raise LineSyntaxError(reason, construct=construct, column=index + 1)


def shown(token: str) -> str:
    """A token as a message may show it (never string contents): a token long enough to be a key, of
    whatever shape, shows only its mask, like a key anywhere else."""
    masked = mask_key_shapes(token)
    if masked != token or len(token) < MIN_WITH_ENDS:
        return masked
    return mask_secret(token)


def at_delimiter(s: str, j: int) -> bool:
    """True when a token ending at j is properly separated from what follows."""
    if j >= len(s):
        return True
    c = s[j]
    return c in _DELIMS or (c == "`" and (j + 1 == len(s) or s[j + 1] in NEWLINES))


def skip_spaces(s: str, i: int) -> int:
    """Skip blanks, backtick line continuations and <# block comments (not newlines)."""
    n = len(s)
    while True:
        i = _run(_SPACE_RUN, s, i).end()
        if i >= n:
            return i
        c = s[i]
        if c == "`" and (i + 1 == n or s[i + 1] in NEWLINES):
            i = min(n, i + (3 if s.startswith("\r\n", i + 1) else 2))
        elif c == "<" and s.startswith("#", i + 1):
            end = s.find("#>", i + 2)
            if end < 0:
                fail("The <# block comment has no closing #>.", "unterminated comment", i)
            i = end + 2
        else:
            return i


def skip_comment(s: str, i: int) -> int:
    return _run(_TO_EOL, s, i).end()


def skip_blank(s: str, i: int) -> int:
    """Skip blanks, newlines and comments."""
    n = len(s)
    while True:
        i = skip_spaces(s, i)
        if i >= n:
            return i
        if s[i] in NEWLINES:
            i += 1
        elif s[i] == "#":
            i = skip_comment(s, i)
        else:
            return i


def is_variable_start(s: str, i: int) -> bool:
    """Whether the '$' just before index i starts a variable (or $(...))."""
    return i < len(s) and (s[i] in "{(" or _NAME.match(s, i) is not None)


def _escape(s: str, i: int) -> tuple[str, int]:
    """The character a backtick escape at i stands for (s[i + 1] exists)."""
    c = s[i + 1]
    if c == "u" and s.startswith("{", i + 2):
        m = _UNICODE_ESC.match(s, i + 1)
        code = int(m.group(1), 16) if m else 0x110000
        if m is None or code > 0x10FFFF:
            fail("A `u{...} escape needs 1 to 6 hex digits, at most 10FFFF.", "unicode escape", i)
        return chr(code), m.end()
    return _ESCAPES.get(c, c), i + 2


def word(s: str, i: int, expression: bool = False) -> tuple[str, int, bool]:
    """A bare word: (text, end, whether it held backtick escapes)."""
    pattern = _EXPR_WORD if expression else _WORD
    n = len(s)
    parts: list[str] = []
    escaped = False
    while True:
        m = pattern.match(s, i)
        if m:
            parts.append(m.group())
            i = m.end()
        if i >= n:
            break
        c = s[i]
        if c == "`" and i + 1 < n and s[i + 1] not in NEWLINES:
            text, i = _escape(s, i)
            parts.append(text)
            escaped = True
        elif c == "$":
            if is_variable_start(s, i + 1):
                variable(s, i)  # raises for anything not allowed
                fail("A variable inside a bare word is not supported; quote the whole value.",
                     "variable in a bare word", i)
            parts.append("$")
            i += 1
        elif c in QUOTES:
            fail("A quote in the middle of a bare word is not supported; quote the whole value.",
                 "quote inside a bare word", i)
        else:
            break
    return "".join(parts), i, escaped


def number(text: str) -> Any:
    """The number a word spells, or NOT_A_NUMBER."""
    negative = text[:1] in DASHES and text != ""
    m = _NUMBER.fullmatch(text, 1 if negative else 0)
    if m is None:
        return NOT_A_NUMBER
    hexa, binary, dec, long_, mult = m.group("hex", "bin", "dec", "long", "mult")
    try:
        if hexa:
            value: Any = int(hexa, 16)
        elif binary:
            value = int(binary, 2)
        elif "." in dec or "e" in dec or "E" in dec:
            value = float(dec)
        else:
            value = int(dec)  # may exceed Python's digit limit: ValueError
    except ValueError:
        return NOT_A_NUMBER
    if isinstance(value, float):
        if long_:
            if not value.is_integer():
                return NOT_A_NUMBER
            value = int(value)
        elif value in (float("inf"), float("-inf")):
            return NOT_A_NUMBER
    if mult:
        value *= _MULTIPLIERS[mult.lower()]
    return -value if negative else value


def single_quoted(s: str, i: int) -> tuple[str, int]:
    """A '...' string starting at i: no escapes, a doubled quote is one quote."""
    n = len(s)
    start = i
    i += 1
    parts: list[str] = []
    while True:
        i = _append(parts, _run(_NOT_SQ, s, i))
        if i >= n:
            fail("This string has no closing quote.", "unterminated string", start)
        if i + 1 < n and s[i + 1] in SINGLE_QUOTES:
            parts.append(s[i])
            i += 2
            continue
        return "".join(parts), i + 1


def double_quoted(s: str, i: int) -> tuple[str, int]:
    """A "..." string starting at i: backtick escapes and $env:NAME expansion."""
    n = len(s)
    start = i
    i += 1
    parts: list[str] = []
    while True:
        i = _append(parts, _run(_DQ_TEXT, s, i))
        if i >= n:
            fail("This string has no closing quote.", "unterminated string", start)
        c = s[i]
        if c in DOUBLE_QUOTES:
            if i + 1 < n and s[i + 1] in DOUBLE_QUOTES:
                parts.append(c)
                i += 2
                continue
            return "".join(parts), i + 1
        if c == "`":
            if i + 1 >= n:
                fail("This string has no closing quote.", "unterminated string", start)
            text, i = _escape(s, i)
        else:
            text, i = _expand(s, i)
        parts.append(text)


def _append(parts: list[str], m: re.Match[str]) -> int:
    parts.append(m.group())
    return m.end()


def _variable_name(s: str, i: int) -> tuple[str, str, int]:
    """Scope (or the whole name), name after a ':' ('' if none), and end of the variable at i."""
    if s.startswith("{", i + 1):
        end = s.find("}", i + 2)
        if end < 0:
            return "", "", -1
        scope, _, name = s[i + 2 : end].partition(":")
        return scope, name, end + 1
    m = _NAME.match(s, i + 1)
    if m is None:
        return "", "", i + 1
    if s.startswith(":", m.end()):
        m2 = _NAME.match(s, m.end() + 1)
        if m2:
            return m.group(), m2.group(), m2.end()
    return m.group(), "", m.end()


def _expand(s: str, i: int) -> tuple[str, int]:
    """The text a '$' at i inside a double-quoted string stands for."""
    if not is_variable_start(s, i + 1):
        return "$", i + 1
    if s.startswith("(", i + 1):
        fail("A $(...) subexpression inside a string is not supported.", "subexpression in a string", i)
    scope, name, end = _variable_name(s, i)
    if name and scope.casefold() == "env":
        return os.environ.get(name, ""), end
    # The variable's name is string content, so it is not shown.
    fail("Only $env:NAME and ${env:NAME} expand inside a double-quoted string; use single quotes, "
         "or escape the $ with a backtick.", "variable in a string", i)


def variable(s: str, i: int) -> tuple[Any, int]:
    """$true, $false, $null or $env:NAME at i (s[i] is '$', is_variable_start holds)."""
    if s.startswith("(", i + 1):
        fail("$(...) subexpressions are not supported; write the value itself.", "subexpression $(...)", i)
    scope, name, end = _variable_name(s, i)
    if end < 0:
        fail("The ${ variable name has no closing '}'.", "unterminated ${...}", i)
    if name and scope.casefold() == "env":
        found = os.environ.get(name)
        return (UnsetVariable(name) if found is None else found), end
    if not name and scope.casefold() in CONSTANTS:
        return CONSTANTS[scope.casefold()], end
    token = s[i:end]
    if not _SHOWABLE_VARIABLE.fullmatch(token):
        token = "${...}"  # a braced name can hold anything, even quotes around a secret
    token = shown(token)
    fail(f"Variable '{token}' is not supported: {_VARIABLE_HELP}", f"variable {token}", i)


# --- errors for operators and stray characters ----------------------------------


def redirection_check(s: str, i: int) -> None:
    if s[i] in "123456*" and s.startswith(">", i + 1):
        special(s, i + 1, i)


def special(s: str, i: int, start: int | None = None) -> NoReturn:
    """Raise the error for a character that cannot start or follow a value."""
    c = s[i]
    two = s[i : i + 2]
    if c == ">":
        start = i if start is None else start
        end = i + 1 + s.startswith(">", i + 1)
        if s.startswith("&", end) and end + 1 < len(s) and s[end + 1] in "123456":
            end += 2
        token = s[start:end]
        fail(f"Redirection ('{token}') is not supported.", f"redirection {token}", start)
    if c == "<":
        fail("Input redirection ('<') is not supported.", "redirection <", i)
    if two in ("&&", "||"):
        fail(f"Pipeline chain operator '{two}' is not supported; run the commands separately.",
             f"chain operator {two}", i)
    if c == "&":
        fail("The call operator '&' is not supported; type the command name directly.", "call operator &", i)
    if c == "(":
        fail("Parentheses (...) are not supported; write the value itself.", "parenthesized expression", i)
    if c == "{":
        fail("Script blocks {...} are not supported.", "script block", i)
    if c in ")}":
        fail(f"This '{c}' has no matching opening bracket.", f"unexpected '{c}'", i)
    if c == "=":
        fail("'=' is only allowed between a key and its value inside @{...}; assignments are not supported.",
             "'='", i)
    if c == ",":
        fail("A ',' must come between two values; use @(value) for a one-element array.", "leading comma", i)
    if c == "|":
        fail("A '|' must come between two commands at the top level.", "'|'", i)
    fail(f"Unexpected '{c}' here.", f"unexpected '{c}'", i)


def unexpected(s: str, j: int) -> NoReturn:
    """Raise for what follows a value without a separator (never shows string contents)."""
    c = s[j]
    if c in NOT_A_VALUE:
        special(s, j)
    if c == ".":
        fail("Member access ('.') is not supported; only literal values can be used.", "member access", j)
    if c in SINGLE_QUOTES or c in DOUBLE_QUOTES:
        fail("A string follows a value directly; separate arguments with spaces and list items with ','.",
             "unexpected string", j)
    fail(f"Unexpected '{c}' right after a value; separate arguments with spaces, or quote the whole value.",
         f"unexpected '{c}'", j)


def param_start(c: str) -> bool:
    """Whether a character after '-' makes a parameter name."""
    return c.isalpha() or c in "_?"


def bare_value(s: str, i: int, expression: bool) -> tuple[Any, int]:
    """A number, or (argument mode only) a bare-word string, starting at i."""
    c = s[i]
    if c in NOT_A_VALUE:
        special(s, i)
    redirection_check(s, i)
    text, j, escaped = word(s, i, expression)
    if j == i:
        unexpected(s, i)
    value = NOT_A_NUMBER
    if not escaped and ("0" <= c <= "9" or c == "." or c in DASHES):
        value = number(text)
    if value is not NOT_A_NUMBER:
        return (value if expression else literal(value, text)), j
    if not expression:
        return text, j
    if ".." in text:
        fail("Ranges (1..5) are not supported; list the values, e.g. 1,2,3.", "range operator ..",
             i + text.index(".."))
    if c in DASHES and len(text) > 1 and param_start(text[1]):
        fail(f"Operator '{shown(text)}' is not supported; only literal values can be used.",
             f"operator {shown(text)}", i)
    if "0" <= c <= "9" or c in DASHES or c == ".":
        fail(f"'{shown(text)}' is not a number or any other value.", f"unexpected {shown(text)}", i)
    fail(f"Bareword '{shown(text)}' in an expression; quote it ('...'), since PowerShell "
         "would run it as a command.", f"bareword {shown(text)}", i)


def hashtable_key(s: str, j: int) -> tuple[Any, str | None, int]:
    """A hashtable key at j: (key, a label safe to show or None when quoted, end)."""
    c = s[j]
    if c in QUOTES:
        text, end = (single_quoted if c in SINGLE_QUOTES else double_quoted)(s, j)
        return text, None, end
    if c not in "$@[" and c not in NOT_A_VALUE:
        text, end, escaped = word(s, j, expression=True)
        if end > j:
            value = NOT_A_NUMBER if escaped else number(text)
            return (text if value is NOT_A_NUMBER else value), shown(text), end
    fail("A hashtable key must be a name, a quoted string or a number.", "hashtable key", j)


_CASTS = {
    "pscustomobject": True,
    "system.management.automation.pscustomobject": True,
    "ordered": False,
    "hashtable": False,
    "system.collections.hashtable": False,
    "system.collections.specialized.ordereddictionary": False,
}


def type_cast(s: str, i: int) -> tuple[bool, int]:
    """[type] at i: (whether it makes an object rather than a dict, index of its '@{')."""
    j = i + 1
    while j < len(s) and (s[j].isalnum() or s[j] in "._"):
        j += 1
    if j == i + 1 or not s.startswith("]", j):
        fail("A value cannot start with '['; quote it.", "'['", i)
    as_object = _CASTS.get(s[i + 1 : j].casefold())
    name = shown(s[i + 1 : j])
    if as_object is None:
        fail(f"Type literal '[{name}]' is not supported: only [pscustomobject], [ordered] and "
             "[hashtable], each before @{...}.", f"type literal [{name}]", i)
    k = skip_spaces(s, j + 1)
    if not s.startswith("@{", k):
        fail(f"'[{name}]' must be followed by a hashtable @{{...}}.", f"type literal [{name}]", i)
    return as_object, k


def at_error(s: str, i: int) -> NoReturn:
    """Raise for a '@' that starts neither @( nor @{."""
    nxt = s[i + 1 : i + 2]
    if nxt and nxt in QUOTES:
        fail("Here-strings (@'...'@) are not supported; use a quoted string with `n for newlines.",
             "here-string", i)
    if nxt and _NAME.match(nxt):
        name = shown(_run(_NAME, s, i + 1).group())
        fail(f"Splatting ('@{name}') is not supported; pass each parameter explicitly.", f"splatting @{name}", i)
    fail("A '@' must start an array @(...) or a hashtable @{...}.", "'@'", i)

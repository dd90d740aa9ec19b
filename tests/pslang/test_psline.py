"""The PowerShell command-line reader: values, parameters, pipelines and every refusal."""

from __future__ import annotations

import copy
import pickle
import sys
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyopenai_ps.errors import LineSyntaxError
from pyopenai_ps.pslang.parser import (
    NO_ARGUMENT,
    CommandCall,
    ParameterToken,
    Pipeline,
    parse_line,
    parse_value,
)
from pyopenai_ps.pslang.lexer import SPACES
from pyopenai_ps.pslang.parser import Hashtable, UnsetVariable
from pyopenai_ps.spec.numbers import LiteralFloat, LiteralInt

P = ParameterToken


def args(line: str) -> tuple:
    """The arguments of a line holding exactly one command."""
    pipeline = parse_line(line)
    assert pipeline.input is None and len(pipeline.commands) == 1
    return pipeline.commands[0].arguments


def arg(line: str):
    (value,) = args(line)
    return value


def error(line: str) -> LineSyntaxError:
    with pytest.raises(LineSyntaxError) as info:
        parse_line(line)
    return info.value


# --- the help examples ------------------------------------------------------------------


def test_help_example_run_id_and_thread():
    pipeline = parse_line("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'")
    assert pipeline == Pipeline(
        None,
        (CommandCall("Get-ThreadRun", (P("RunID", column=15), "run_abc123", P("Thread", column=35), "thread_abc123"), 1),),
    )


def test_help_example_all():
    assert parse_line("Get-ThreadRun -Thread 'thread_abc123' -All") == Pipeline(
        None, (CommandCall("Get-ThreadRun", (P("Thread", column=15), "thread_abc123", P("All", column=39)), 1),)
    )


# --- the types -------------------------------------------------------------------------------


def test_no_argument_sentinel():
    assert repr(NO_ARGUMENT) == "NO_ARGUMENT"
    assert copy.copy(NO_ARGUMENT) is NO_ARGUMENT
    assert copy.deepcopy(NO_ARGUMENT) is NO_ARGUMENT
    assert pickle.loads(pickle.dumps(NO_ARGUMENT)) is NO_ARGUMENT
    assert P("All").argument is NO_ARGUMENT


def test_parameter_token_text_and_defaults():
    token = P("RunID")
    assert token.text == "-RunID" and token.column == 0
    assert P("All", False).text == "-All"


def test_pipeline_needs_a_command_and_converts_to_tuples():
    with pytest.raises(ValueError):
        Pipeline(None, [])
    pipeline = Pipeline(["a"], [CommandCall("X", ["b"], 1)])
    assert pipeline.input == ("a",) and pipeline.commands[0].arguments == ("b",)


def test_non_str_is_a_type_error():
    with pytest.raises(TypeError):
        parse_line(None)  # type: ignore[arg-type]


# --- argument mode -------------------------------------------------------------------------------

ARGUMENTS = [
    ("X thread_abc123", "thread_abc123"),
    ("X a.b", "a.b"),
    (r"X C:\x\y.txt", r"C:\x\y.txt"),
    ("X a=b", "a=b"),
    ("X a#b", "a#b"),
    ("X *", "*"),
    ("X ]", "]"),
    ("X 5", 5),
    ("X -1", -1),
    ("X 0x10", 16),
    ("X 0X1f", 31),
    ("X -0x10", -16),
    ("X 0b101", 5),
    ("X 1.5", 1.5),
    ("X -1.5", -1.5),
    ("X .5", 0.5),
    ("X 1e3", 1000.0),
    ("X 1.5e-3", 0.0015),
    ("X 1kb", 1024),
    ("X 1MB", 1 << 20),
    ("X 1gb", 1 << 30),
    ("X 2tb", 2 << 40),
    ("X 1pb", 1 << 50),
    ("X 1.5kb", 1536.0),
    ("X 5L", 5),
    ("X 5l", 5),
    ("X 2lkb", 2048),
    ("X 1e3L", 1000),
    ("X 5abc", "5abc"),
    ("X 1.2.3", "1.2.3"),
    ("X 1.5L", "1.5L"),
    ("X 1e999", "1e999"),
    ("X 0x", "0x"),
    ("X 99999999999999999999999999", 99999999999999999999999999),
    ("X -", "-"),
    ("X -a.b", "-a.b"),
    ("X --x", "--x"),
    ("X -5abc", "-5abc"),
    ("X $", "$"),
    ("X a$", "a$"),
    ("X `-All", "-All"),
    ("X a`tb", "a\tb"),
    ("X 1`5", "15"),
    ("X 'it''s'", "it's"),
    ("X ''", ""),
    ("X 'no `n $escapes'", "no `n $escapes"),
    ("X '-Limit'", "-Limit"),
    ('X "-Limit"', "-Limit"),
    ('X ""', ""),
    ('X "say ""hi"""', 'say "hi"'),
    ("X \u2018typo\u2019", "typo"),
    ("X \u201adouble\u201b", "double"),
    ("X '\u2019\u2019'", "\u2019"),
    ("X \u201cdq\u201d", "dq"),
    ("X \u201edq\u201c", "dq"),
    ('X "a\u201d\u201db"', "a\u201db"),
    ("X $true", True),
    ("X $TRUE", True),
    ("X $False", False),
    ("X $null", None),
    ("X ${true}", True),
    ("X 'multi\nline'", "multi\nline"),
    ("X 'a'#comment", "a"),
    ("X a,b,'c'", ["a", "b", "c"]),
    ("X a , b ,c", ["a", "b", "c"]),
    ("X 1,2,x", [1, 2, "x"]),
    ("X a,-b,-1", ["a", "-b", -1]),
    ("X a,\n  b", ["a", "b"]),
    ("X a, # comment\n b", ["a", "b"]),
    ("X $true,$null", [True, None]),
    ("X @(1,2),3", [[1, 2], 3]),
    ("X @()", []),
    ("X @{}", {}),
    ("X @{a=1; b='x'}", {"a": 1, "b": "x"}),
    ("X [pscustomobject]@{a=1}", SimpleNamespace(a=1)),
    ("X [ORDERED]@{a=1}", {"a": 1}),
]


@pytest.mark.parametrize("line,expected", ARGUMENTS)
def test_argument_values(line, expected):
    value = arg(line)
    assert value == expected
    if type(expected) in (int, float):
        # a number that is a whole argument keeps its token text (issue 13, D02: [string] gets '0x10')
        assert type(value) is {int: LiteralInt, float: LiteralFloat}[type(expected)]
        assert value.text == line[2:]
    elif type(expected) is dict:
        assert type(value) is Hashtable  # written in a line: its keys are no properties (issue 13, D09)
    else:
        assert type(value) is type(expected)
    if type(expected) is list:
        assert all(type(item) in (int, float, str, bool, type(None), list) for item in value)  # plain elements


ESCAPES = [
    ("`n", "\n"), ("`t", "\t"), ("`r", "\r"), ("`0", "\0"), ("`a", "\a"), ("`b", "\b"),
    ("`e", "\x1b"), ("`f", "\f"), ("`v", "\v"), ('`"', '"'), ("`$", "$"), ("``", "`"),
    ("`u{1F600}", "\U0001F600"), ("`u{41}", "A"), ("`q", "q"), ("`'", "'"), ("`u", "u"),
    ("$", "$"), ("a$ b", "a$ b"), ("$$", "$$"), ("$.", "$."), ("cost: 5$", "cost: 5$"),
]


@pytest.mark.parametrize("inner,expected", ESCAPES)
def test_double_quoted_escapes(inner, expected):
    assert arg(f'X "{inner}"') == expected


def test_environment_variables(monkeypatch):
    monkeypatch.setenv("PSLINE_TEST_VAR", "v1")
    monkeypatch.delenv("PSLINE_TEST_MISSING", raising=False)
    assert arg("X $env:PSLINE_TEST_VAR") == "v1"
    assert arg("X $ENV:PSLINE_TEST_VAR") == "v1"
    assert arg("X ${env:PSLINE_TEST_VAR}") == "v1"
    missing = arg("X $env:PSLINE_TEST_MISSING")  # null to the binder, which names the variable in errors
    assert isinstance(missing, UnsetVariable) and missing.display == "$env:PSLINE_TEST_MISSING"
    assert arg("X a,$env:PSLINE_TEST_MISSING") == ["a", None]
    assert parse_line("$env:PSLINE_TEST_MISSING | X").input == (None,)
    assert arg('X "[$env:PSLINE_TEST_VAR/${env:PSLINE_TEST_VAR}]"') == "[v1/v1]"
    assert arg('X "<$env:PSLINE_TEST_MISSING>"') == "<>"
    assert parse_value("$env:PSLINE_TEST_VAR") == "v1"
    assert parse_line("$env:PSLINE_TEST_VAR | X").input == ("v1",)


# --- parameters -----------------------------------------------------------------------------------


def test_parameters():
    assert args("X -All") == (P("All", column=3),)
    assert args("X -All:$false") == (P("All", False, 3),)
    assert args("X -Limit:5") == (P("Limit", 5, 3),)
    assert args("X -Limit: 5") == (P("Limit", 5, 3),)
    assert args("X -Limit:-5 -Name:-Foo") == (P("Limit", -5, 3), P("Name", "-Foo", 13))
    assert args("X -Thread:a,'b'") == (P("Thread", ["a", "b"], 3),)
    assert args("X -Body:@{a=1}") == (P("Body", {"a": 1}, 3),)
    assert args("X -Name:'x' -Other:\"y\"") == (P("Name", "x", 3), P("Other", "y", 13))
    assert args("X -?") == (P("?", column=3),)
    assert args("X -_a-b?1 x") == (P("_a-b?1", column=3), "x")
    assert args("X -a -b") == (P("a", column=3), P("b", column=6))
    # PowerShell also accepts the typographic dashes.
    assert args("X \u2013Limit 5 \u2014All") == (P("Limit", column=3), 5, P("All", column=12))


def test_end_of_parameters():
    assert args("X -A -- -B --") == (P("A", column=3), "-B", "--")
    assert args("X -- -5 -B:1") == (-5, "-B:1")


def test_command_name_and_columns():
    pipeline = parse_line("  Get-Thread x | Get-ThreadRun -All |\n   Get-ThreadRunStep -All")
    assert [c.name for c in pipeline.commands] == ["Get-Thread", "Get-ThreadRun", "Get-ThreadRunStep"]
    assert [c.column for c in pipeline.commands] == [3, 18, 42]
    assert pipeline.commands[0].arguments == ("x",)
    assert parse_line(r".\tool.ps1 a").commands[0].name == r".\tool.ps1"
    assert parse_line("5abc").commands[0].name == "5abc"


def test_comments_and_continuations():
    assert args("X a # trailing comment | Y") == ("a",)
    assert args("X a `\n  -All") == ("a", P("All", column=9))
    assert args("X a `\r\n-All") == ("a", P("All", column=8))
    assert args("X <# block #> a") == ("a",)
    assert args("X a `") == ("a",)
    assert args("\n\n  # leading comment\nX a\n\n# tail\n") == ("a",)
    assert args("X a;") == ("a",)
    assert args("X a ; # done") == ("a",)


def test_whitespace_is_what_str_isspace_says():
    expected = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} - {"\n", "\r"}
    assert set(SPACES) == expected
    assert args("X\u00a0a\u3000b\tc") == ("a", "b", "c")


# --- pipeline input --------------------------------------------------------------------------------

INPUTS = [
    ("'thread_a','thread_b' | Get-ThreadRun -All", ("thread_a", "thread_b")),
    ("'a' | X", ("a",)),
    ("5 | X", (5,)),
    ("-5 | X", (-5,)),
    ("$null | X", (None,)),
    ("$true, $false | X", (True, False)),
    ("@() | X", ()),
    ("@(1,2;3) | X", (1, 2, 3)),
    ("@(@(1,2)) | X", (1, 2)),
    ("@(@(1,2), 3) | X", ([1, 2], 3)),
    ("@(1\n2\n# c\n3) | X", (1, 2, 3)),
    ("@{a=1} | X", ({"a": 1},)),
    ("@{a=1}, @{b=2} | X", ({"a": 1}, {"b": 2})),
    ("[pscustomobject]@{id='r1'} | X", (SimpleNamespace(id="r1"),)),
    ("'a',\n'b' | X", ("a", "b")),
    ("'a' |\n X", ("a",)),
]


@pytest.mark.parametrize("line,records", INPUTS)
def test_pipeline_input(line, records):
    pipeline = parse_line(line)
    assert pipeline.input == records
    assert pipeline.commands[-1].name == "X" or pipeline.commands[-1].name == "Get-ThreadRun"


def test_pipeline_of_commands():
    pipeline = parse_line("Get-Thread x | Get-ThreadRun -All | Get-ThreadRunStep -All")
    assert pipeline.input is None
    assert pipeline.commands[1] == CommandCall("Get-ThreadRun", (P("All", column=30),), 16)


# --- expression values -----------------------------------------------------------------------------

VALUES = [
    ("'a'", "a"),
    ('"a`tb"', "a\tb"),
    ("5", 5),
    ("-1", -1),
    ("1.5", 1.5),
    ("0x10", 16),
    ("$true", True),
    ("$FALSE", False),
    ("$null", None),
    ("  'a'  # comment\n", "a"),
    ("'a','b'", ["a", "b"]),
    ("@()", []),
    ("@(1, 'two', $null)", [1, "two", None]),
    ("@(1;2)", [1, 2]),
    ("@(\n  1,\n  2\n)", [1, 2]),
    ("@{}", {}),
    ("@{a=1; 'b c'=2; \"d\"=3; 4=5; -1=6}", {"a": 1, "b c": 2, "d": 3, 4: 5, -1: 6}),
    ("@{\n a = 1\n b =\n  2 # c\n}", {"a": 1, "b": 2}),
    ("@{a=1,2}", {"a": [1, 2]}),
    ("@{a=@{b=@(1,@(2,3))}}", {"a": {"b": [1, [2, 3]]}}),
    ("@{a.b-c=1}", {"a.b-c": 1}),
    ("[ordered]@{b=1;a=2}", {"b": 1, "a": 2}),
    ("[hashtable] @{a=1}", {"a": 1}),
    ("[System.Collections.Hashtable]@{a=1}", {"a": 1}),
    ("[PSCustomObject]@{a=1; b=[pscustomobject]@{c='d'}}", SimpleNamespace(a=1, b=SimpleNamespace(c="d"))),
    ("[pscustomobject]@{1=2}", SimpleNamespace(**{"1": 2})),
    ("@{x=[pscustomobject]@{}}", {"x": SimpleNamespace()}),
]


@pytest.mark.parametrize("text,expected", VALUES)
def test_parse_value(text, expected):
    assert parse_value(text) == expected


def test_hashtable_keeps_insertion_order_and_typed_case():
    assert list(parse_value("@{Zeta=1; alpha=2; Mid=3}")) == ["Zeta", "alpha", "Mid"]


def test_pscustomobject_with_awkward_names_does_not_crash():
    record = parse_value("[pscustomobject]@{'__class__'=1; 'a b'=2}")
    assert vars(record) == {"__class__": 1, "a b": 2}


@pytest.mark.parametrize(
    "text,construct,column",
    [
        ("", "empty value", 1),
        ("foo", "bareword foo", 1),
        ("'a' 'b'", "unexpected string", 5),
        ("1 2", "unexpected '2'", 3),
        ("5abc", "unexpected 5abc", 1),
        ("-join", "operator -join", 1),
        ("$x", "variable $x", 1),
        ("@(a)", "bareword a", 3),
        ("1..2", "range operator ..", 2),
    ],
)
def test_parse_value_errors(text, construct, column):
    with pytest.raises(LineSyntaxError) as info:
        parse_value(text)
    assert (info.value.construct, info.value.column) == (construct, column)


# --- refusals --------------------------------------------------------------------------------------

ERRORS = [
    ("", "empty line", 1),
    ("   \t ", "empty line", 1),
    ("\n  # only a comment\n", "empty line", 1),
    ("Get-X $x", "variable $x", 7),
    ("Get-X $global:x", "variable $global:x", 7),
    ("Get-X $_", "variable $_", 7),
    ("Get-X $?", "variable $?", 7),
    ("Get-X ${x}", "variable ${x}", 7),
    ("Get-X $env:", "variable $env", 7),
    ("Get-X ${env:X", "unterminated ${...}", 7),
    ("$x = 5", "variable $x", 1),
    ("Get-X @params", "splatting @params", 7),
    ("Get-X $(1)", "subexpression $(...)", 7),
    ("Get-X (1)", "parenthesized expression", 7),
    ("Get-X(1)", "parenthesized expression", 6),
    ("Get-X {1}", "script block", 7),
    ("{1} | Get-X", "script block", 1),
    ("Get-X > out.txt", "redirection >", 7),
    ("Get-X >> out.txt", "redirection >>", 7),
    ("Get-X 2>&1", "redirection 2>&1", 7),
    ("Get-X *> f", "redirection *>", 7),
    ("Get-X < f", "redirection <", 7),
    ("& Get-X", "call operator &", 1),
    ("Get-X & ", "call operator &", 7),
    ("Get-X && Get-Y", "chain operator &&", 7),
    ("Get-X || Get-Y", "chain operator ||", 7),
    ("'a' || Get-Y", "chain operator ||", 5),
    ("1..3 | Get-X", "range operator ..", 2),
    ("@(1..3) | Get-X", "range operator ..", 4),
    ("Get-X 'abc", "unterminated string", 7),
    ('Get-X "abc', "unterminated string", 7),
    ('Get-X "abc`', "unterminated string", 7),
    ("Get-X \u2018abc", "unterminated string", 7),
    ("Get-X @(1,2", "unterminated @(", 7),
    ("Get-X @{a=1", "unterminated @{", 7),
    ("Get-X @{a", "unterminated @{", 7),
    ("Get-X @{a=", "unterminated @{", 7),
    ("Get-X = 5", "'='", 7),
    ("Get-X a |", "trailing |", 9),
    ("Get-X a | ;", "trailing |", 9),
    ("Get-X | | Get-Y", "empty pipeline stage", 9),
    ("| Get-X", "'|'", 1),
    ("Get-X; Get-Y", "second statement", 6),
    ("Get-X ;; ", "second statement", 7),
    ("Get-X\nGet-Y", "second statement", 7),
    ("Get-X\n\n  # c\n  'a'", "second statement", 16),
    (";", "unexpected ';'", 1),
    ("'a'", "expression without a command", 1),
    ("  'a', 'b'  # c", "expression without a command", 3),
    ("@{a=1}\n| X", "expression without a command", 1),
    ("Get-X | 'a'", "expression after |", 9),
    ("Get-X | 5", "expression after |", 9),
    ("Get-X a,", "trailing comma", 8),
    ("Get-X a, | Y", "trailing comma", 8),
    ("Get-X a,,b", "trailing comma", 8),
    ("Get-X ,a", "leading comma", 7),
    ("Get-X -A,b", "leading comma", 9),
    ("@(1,) | X", "trailing comma", 4),
    ("@(foo) | Get-X", "bareword foo", 3),
    ("@{a=foo} | Get-X", "bareword foo", 5),
    ("Get-X -Body @{a=foo}", "bareword foo", 17),
    ("@(1 + 2) | X", "unexpected '+'", 5),
    ("@(-not 1) | X", "operator -not", 3),
    ("[int]@{a=1} | X", "type literal [int]", 1),
    ("Get-X [int]", "type literal [int]", 7),
    ("Get-X [ordered]'a'", "type literal [ordered]", 7),
    ("Get-X [abc", "'['", 7),
    ('Get-X "a$x"', "variable in a string", 9),
    ('Get-X "${x}"', "variable in a string", 8),
    ('Get-X "$true"', "variable in a string", 8),
    ('Get-X "$global:x"', "variable in a string", 8),
    ('Get-X "$(1)"', "subexpression in a string", 8),
    ('Get-X "`u{110000}"', "unicode escape", 8),
    ('Get-X "`u{zz}"', "unicode escape", 8),
    ("Get-X `u{}", "unicode escape", 7),
    ("Get-X -A:", "parameter -A:", 7),
    ("Get-X -A: ", "parameter -A:", 7),
    ("Get-X -A: | Y", "parameter -A:", 7),
    ("Get-X -A:\n5", "parameter -A:", 7),
    ("-All", "parameter without a command", 1),
    ("\u2013All", "parameter without a command", 1),
    ("Get-X 'a'b", "unexpected 'b'", 10),
    ("Get-X 'a''", "unterminated string", 7),
    ("Get-X 'a'\"b\"", "unexpected string", 10),
    ("Get-X $true.x", "member access", 12),
    ("Get-X @{a=1}.a", "member access", 13),
    ("Get-X $env:HOME/x", "unexpected '/'", 16),
    ("Get-X a'b'", "quote inside a bare word", 8),
    ("Get-X a\"b\"", "quote inside a bare word", 8),
    ("Get-X a$x", "variable $x", 8),
    ("Get-X a$true", "variable in a bare word", 8),
    ("Get-X @'\nx\n'@", "here-string", 7),
    ('Get-X @"', "here-string", 7),
    ("Get-X @", "'@'", 7),
    ("Get-X @.", "'@'", 7),
    ("@{a=1;A=2} | X", "duplicate key A", 7),
    ("@{1=1;1.0=2} | X", "duplicate key 1.0", 7),
    ("@{a 1} | X", "hashtable entry", 5),
    ("@{=1} | X", "hashtable key", 3),
    ("@{$x=1} | X", "hashtable key", 3),
    ("@{a=} | X", "hashtable entry", 4),
    ("@{a=1 b=2} | X", "unexpected 'b'", 7),
    ("Get-X )", "unexpected ')'", 7),
    ("Get-X }", "unexpected '}'", 7),
    ("Get-X <# c", "unterminated comment", 7),
    ("Get-X --% a", "stop-parsing token --%", 7),
    (". x", "dot-source operator", 1),
    ("@(" * 100, "nesting too deep", 129),
    ("Get-X " + "@{a=" * 100, "nesting too deep", 263),
]


@pytest.mark.parametrize("line,construct,column", ERRORS)
def test_errors(line, construct, column):
    err = error(line)
    assert (err.construct, err.column) == (construct, column)
    assert str(err).startswith(f"At column {column}: ")
    assert err.reason and err.reason in str(err)


def test_variable_error_wording():
    err = error("Get-ThreadRun $x")
    assert err.reason == ("Variable '$x' is not supported: only $true, $false, $null and $env:NAME can be used; "
                          "from Python, pass the value itself: invoke(\"Verb-Noun ...\", input=value) pipes it in, "
                          "as $value | Verb-Noun does.")
    assert str(err) == "At column 15: " + err.reason


def test_bareword_error_wording():
    assert "bareword 'foo' in an expression; quote it" in error("@(foo) | X").reason.lower()


# --- secrets never reach a message -----------------------------------------------------------------

SECRET = "sk-Zq9Secret"

SECRET_LINES = [
    "Get-ThreadRun -ApiKey 'sk-Zq9Secret",
    'Get-ThreadRun -ApiKey "sk-Zq9Secret',
    'Get-ThreadRun -ApiKey "sk-Zq9Secret$x"',
    'Get-ThreadRun -ApiKey "sk-Zq9Secret${x}"',
    'Get-ThreadRun -ApiKey "sk-Zq9Secret$(x)"',
    'Get-ThreadRun -ApiKey "sk-Zq9Secret`u{FFFFFFF}"',
    'Get-ThreadRun -ApiKey "$sk-Zq9Secret"',
    "Get-ThreadRun -ApiKey 'sk-Zq9Secret'x",
    "Get-ThreadRun -ApiKey 'sk-Zq9Secret'.Length",
    "@{'sk-Zq9Secret'=1; 'SK-ZQ9SECRET'=2} | X",
    "'sk-Zq9Secret'",
    "'sk-Zq9Secret' 'b' | X",
    "X -K:'sk-Zq9Secret' = 1",
    "X ${abc 'sk-Zq9Secret' }",
]


@pytest.mark.parametrize("line", SECRET_LINES)
def test_string_contents_never_in_errors(line):
    err = error(line)
    for text in (str(err), err.reason, err.construct, repr(err.args)):
        assert "Zq9" not in text and "zq9" not in text.lower()


# --- random input ------------------------------------------------------------------------------------

PS_TOKENS = [
    "'", '"', "\u2018", "\u201d", "$", "$true", "$env:", "${", "$(", "@{", "@(", "@", "@'", "|", "||",
    "-", "--", "\u2013", "-A", "-A:", "`", "`u{", "`\n", "\n", "\r\n", " ", "\t", ",", ";", "=", "}",
    ")", "(", "{", "[", "]", "[pscustomobject]", "[ordered]", "[int]", "a", "Get-X", "1", "0x", "1e",
    "kb", "L", ".", "..", "#", "<#", "#>", ">", "2>", "&", "*", "\u00e9", "\U0001F600", "\u00a0", "\x00",
]
ps_text = st.lists(st.one_of(st.sampled_from(PS_TOKENS), st.text(max_size=3)), max_size=24).map("".join)
any_text = st.one_of(st.text(max_size=40), ps_text, ps_text.map(lambda t: "Get-X " + t))


def outcome(reader, text):
    try:
        return ("ok", reader(text))
    except LineSyntaxError as err:
        assert isinstance(err.column, int) and 1 <= err.column <= len(text) + 1
        assert isinstance(err.construct, str) and err.construct
        return ("error", err.construct, err.column, str(err))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(any_text)
def test_random_text_reads_or_fails_cleanly(text):
    for reader in (parse_line, parse_value):
        first = outcome(reader, text)
        assert first == outcome(reader, text)
        if reader is parse_line and first[0] == "ok":
            assert isinstance(first[1], Pipeline) and first[1].commands


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    prefix=st.sampled_from(
        ["Get-X -ApiKey ", "Get-X -ApiKey:", "'a' | Get-X ", "Get-X -Body @{k=", "Get-X -T a,", "@(1, ", "", "@{"]
    ),
    quote=st.sampled_from(["'", '"', "\u2018", "\u201c"]),
    inner=ps_text,
    suffix=ps_text,
)
def test_random_secret_is_never_echoed(prefix, quote, inner, suffix):
    inner = inner.replace("Zq9", "")
    suffix = suffix.replace("Zq9", "")
    try:
        parse_line(prefix + quote + SECRET + inner + suffix)
    except LineSyntaxError as err:
        assert "Zq9" not in str(err) and "Zq9" not in err.construct


# --- large input -----------------------------------------------------------------------------------
# (Speed is measured by the benchmark, not asserted here.)


def test_large_input_reads_completely():
    assert len(parse_line("X " + "a," * 20000 + "a").commands[0].arguments[0]) == 20001
    assert parse_line("X '" + "''" * 50000 + "'").commands[0].arguments[0] == "'" * 50000
    assert parse_line("X " + "1" * 100000 + "x").commands[0].arguments[0] == "1" * 100000 + "x"
    assert len(parse_line("@(" + "1," * 20000 + "1) | X").input) == 20001
    assert len(parse_line("X " + "-A " * 20000).commands[0].arguments) == 20000

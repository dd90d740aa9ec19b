"""SYNTAX blocks and Get-Help text rendered from specs (pyopenai_ps.syntax)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import pyopenai_ps
from pyopenai_ps.spec import ALL_SETS
from pyopenai_ps.spec.load import load_spec_text
from pyopenai_ps.spec.syntax import help_text, parameter_token, set_heading, syntax_blocks, syntax_section

FIXTURES = Path(__file__).parent.parent / "fixtures" / "help"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "psopenai-3.7.0" / "Docs"


def syntax_of(markdown: str) -> str:
    """The body of a help file's SYNTAX section, LF line ends, no blank lines around it."""
    text = markdown.replace("\r\n", "\n")
    match = re.search(r"^## SYNTAX\n(.*?)^## ", text, re.S | re.M)
    assert match, "no SYNTAX section"
    return match.group(1).strip("\n")


def spec(text: str):  # noqa: ANN201
    return load_spec_text(textwrap.dedent(text))


# The reference's SYNTAX of Get-ThreadRun (PSOpenAI 3.7.0, Docs/Get-ThreadRun.md), written out here.
GET_THREAD_RUN_SYNTAX = """\
### Get
```
Get-ThreadRun
    -RunId <String>
    [-InputObject] <Object>
    [-TimeoutSec <Int32>]
    [-MaxRetryCount <Int32>]
    [-ApiType <OpenAIApiType>]
    [-ApiBase <Uri>]
    [-AuthType <String>]
    [-ApiKey <SecureString>]
    [-Organization <String>]
    [-AdditionalQuery <IDictionary>]
    [-AdditionalHeaders <IDictionary>]
    [-AdditionalBody <Object>]
    [<CommonParameters>]
```

### List
```
Get-ThreadRun
    [-InputObject] <Object>
    [-Limit <Int32>]
    [-Order <String>]
    [-TimeoutSec <Int32>]
    [-MaxRetryCount <Int32>]
    [-ApiType <OpenAIApiType>]
    [-ApiBase <Uri>]
    [-AuthType <String>]
    [-ApiKey <SecureString>]
    [-Organization <String>]
    [-AdditionalQuery <IDictionary>]
    [-AdditionalHeaders <IDictionary>]
    [-AdditionalBody <Object>]
    [<CommonParameters>]
```

### ListAll
```
Get-ThreadRun
    -All
    [-InputObject] <Object>
    [-Order <String>]
    [-TimeoutSec <Int32>]
    [-MaxRetryCount <Int32>]
    [-ApiType <OpenAIApiType>]
    [-ApiBase <Uri>]
    [-AuthType <String>]
    [-ApiKey <SecureString>]
    [-Organization <String>]
    [-AdditionalQuery <IDictionary>]
    [-AdditionalHeaders <IDictionary>]
    [-AdditionalBody <Object>]
    [<CommonParameters>]
```"""

# Specs written by hand for the hand-written help files in tests/fixtures/help.
GADGET = """\
name: Get-Gadget
default_parameter_set: ById
parameter_sets: [ById, List, ListAll]
parameters:
  - {name: Id, type: String, sets: {ById: {mandatory: true, position: 0}}}
  - {name: Detail, type: String, sets: [ById]}
  - {name: Force, type: Switch, sets: [ById]}
  - {name: Filter, type: String, sets: [List, ListAll], position: 0}
  - {name: Limit, type: Int32, sets: [List]}
  - {name: Mode, type: String, sets: {List: {mandatory: true}}}
  - {name: All, type: Switch, sets: {ListAll: {mandatory: true}}}
  - {name: Tag, type: 'String[]', sets: [List, ListAll]}
  - {name: Cursor, type: String, sets: [ListAll], hidden: true}
  - {name: TimeoutSec, type: Int32}
  - {name: ApiBase, type: System.Uri}
  - {name: ApiKey, type: SecureString}
"""
GIZMO = """\
name: New-Gizmo
parameters:
  - {name: Kind, type: String, mandatory: true}
  - {name: Name, type: String, position: 1, mandatory: true}
  - {name: Size, type: Double, position: 2}
  - {name: Weights, type: 'int[]'}
  - {name: Options, type: IDictionary}
  - {name: Retries, type: Int32}
  - {name: Confirmed, type: Switch, mandatory: true}
  - {name: PassThru, type: Switch}
"""


@pytest.mark.parametrize(("fixture", "yaml_text"), [("Get-Gadget.md", GADGET), ("New-Gizmo.md", GIZMO)])
def test_hand_written_help_syntax_is_rendered_exactly(fixture: str, yaml_text: str) -> None:
    expected = syntax_of((FIXTURES / fixture).read_text(encoding="utf-8"))
    assert syntax_section(spec(yaml_text)) == expected


def test_crlf_help_compares_the_same() -> None:
    text = (FIXTURES / "Get-Gadget.md").read_text(encoding="utf-8").replace("\n", "\r\n")
    assert syntax_section(spec(GADGET)) == syntax_of(text)


FORMS = {
    "positional mandatory": r"^    \[-\w+\] <[\w\[\].]+>$",
    "positional optional": r"^    \[\[-\w+\] <[\w\[\].]+>\]$",
    "named mandatory": r"^    -\w+ <[\w\[\].]+>$",
    "named optional": r"^    \[-\w+ <[\w\[\].]+>\]$",
    "optional switch": r"^    \[-\w+\]$",
    "mandatory switch": r"^    -\w+$",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_fixtures_show_every_form(form: str) -> None:
    lines = [
        line
        for path in sorted(FIXTURES.glob("*.md"))
        for line in syntax_of(path.read_text(encoding="utf-8")).splitlines()
    ]
    assert any(re.match(FORMS[form], line) for line in lines), form


@pytest.mark.parametrize(
    ("declaration", "token"),
    [
        ("{name: P, type: String, position: 0, mandatory: true}", "[-P] <String>"),
        ("{name: P, type: String, position: 0}", "[[-P] <String>]"),
        ("{name: P, type: Int32, mandatory: true}", "-P <Int32>"),
        ("{name: P, type: System.Uri}", "[-P <Uri>]"),
        ("{name: P, type: Switch}", "[-P]"),
        ("{name: P, type: SwitchParameter, mandatory: true}", "-P"),
        ("{name: P, type: 'string[]'}", "[-P <String[]>]"),
        ("{name: P, type: Hashtable}", "[-P <Hashtable>]"),  # types are kept as declared (issue 13)
        ("{name: P, type: IDictionary}", "[-P <IDictionary>]"),
        ("{name: P, type: float}", "[-P <Float>]"),
        ("{name: P, type: PSCustomObject}", "[-P <PSCustomObject>]"),
        ("{name: P, type: uint}", "[-P <UInt32>]"),
        ("{name: P, type: datetime}", "[-P <DateTime>]"),
        ("{name: P, type: SecureString, position: 3}", "[[-P] <SecureString>]"),
    ],
)
def test_each_form_and_type_name(declaration: str, token: str) -> None:
    cmdlet = spec(f"name: Test-Form\nparameters:\n  - {declaration}\n")
    parameter = cmdlet.parameters[0]
    assert parameter_token(parameter, parameter.membership[0]) == token
    assert syntax_blocks(cmdlet) == [(ALL_SETS, f"Test-Form\n    {token}\n    [<CommonParameters>]")]


ORDER = """\
name: Test-Order
parameter_sets: [One, Two]
parameters:
  - {name: Named, type: String, mandatory: true}
  - {name: Pos, type: String, position: 0, mandatory: true}
  - {name: Opt, type: Int32}
  - {name: Flag, type: Switch}
  - {name: Secret, type: String, hidden: true}
  - {name: Go, type: Switch, sets: {Two: {mandatory: true}}}
  - {name: Stop, type: Switch, sets: {Two: {mandatory: true}}}
  - {name: Late, type: String, sets: [One], position: 1}
"""


def test_order_mandatory_switches_first_then_declaration_order() -> None:
    blocks = dict(syntax_blocks(spec(ORDER)))
    assert blocks["One"].splitlines()[1:] == [
        "    -Named <String>",  # declared first: stays before the positional one
        "    [-Pos] <String>",
        "    [-Opt <Int32>]",
        "    [-Flag]",
        "    [[-Late] <String>]",  # positional, but declared last: stays last
        "    [<CommonParameters>]",
    ]
    assert blocks["Two"].splitlines()[1:] == [
        "    -Go",  # mandatory switches lead, in declaration order
        "    -Stop",
        "    -Named <String>",
        "    [-Pos] <String>",
        "    [-Opt <Int32>]",
        "    [-Flag]",
        "    [<CommonParameters>]",
    ]


def test_hidden_parameters_are_left_out_and_common_parameters_come_last() -> None:
    for _, text in syntax_blocks(spec(ORDER)):
        assert "Secret" not in text
        assert text.splitlines()[-1] == "    [<CommonParameters>]"
        assert text.splitlines()[0] == "Test-Order"


def test_blocks_follow_the_set_order() -> None:
    cmdlet = spec(ORDER.replace("[One, Two]", "[Two, One]"))
    assert [name for name, _ in syntax_blocks(cmdlet)] == ["Two", "One"]


def test_default_marker_only_on_a_default_listed_first() -> None:
    first = spec(ORDER + "default_parameter_set: One\n")
    assert set_heading(first, "One") == "### One (Default)"
    assert set_heading(first, "Two") == "### Two"
    later = spec(ORDER + "default_parameter_set: Two\n")
    assert set_heading(later, "Two") == "### Two"
    single = spec("name: Test-One\nparameters:\n  - {name: A, type: String}\n")
    assert set_heading(single, ALL_SETS) is None
    assert syntax_section(single) == "```\nTest-One\n    [-A <String>]\n    [<CommonParameters>]\n```"


def test_get_thread_run_syntax_matches_the_reference_help() -> None:
    shipped = pyopenai_ps.get_command("Get-ThreadRun").spec
    assert syntax_section(shipped) == GET_THREAD_RUN_SYNTAX
    assert [name for name, _ in syntax_blocks(shipped)] == ["Get", "List", "ListAll"]


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the reference help is not here")
@pytest.mark.parametrize(
    "name", ["Get-ThreadRun", "Get-Thread", "Get-ThreadMessage", "Get-ThreadRunStep", "Get-Assistant"]
)
def test_bundled_syntax_equals_the_reference_file(name: str) -> None:
    if name not in pyopenai_ps.get_commands():
        pytest.skip(f"{name} is not bundled")
    reference = (REFERENCE / f"{name}.md").read_text(encoding="utf-8-sig")
    assert syntax_section(pyopenai_ps.get_command(name).spec) == as_declared(syntax_of(reference))


def as_declared(reference_syntax: str) -> str:
    """The reference help's SYNTAX with what 3.7.0's source declares and its help leaves out.

    The source is the truth where the help differs: every cmdlet also declares the visible
    ``$ApiType`` (after MaxRetryCount), ``$AuthType`` (after ApiBase), ``$AdditionalQuery``,
    ``$AdditionalHeaders`` and ``$AdditionalBody`` (last).
    """
    return (
        reference_syntax.replace("    [-MaxRetryCount <Int32>]\n", "    [-MaxRetryCount <Int32>]\n    [-ApiType <OpenAIApiType>]\n")
        .replace("    [-ApiBase <Uri>]\n", "    [-ApiBase <Uri>]\n    [-AuthType <String>]\n")
        .replace("    [<CommonParameters>]", "    [-AdditionalQuery <IDictionary>]\n    [-AdditionalHeaders <IDictionary>]\n"
                 "    [-AdditionalBody <Object>]\n    [<CommonParameters>]")
    )


# --- help_text ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gtr_help() -> str:
    return help_text(pyopenai_ps.get_command("Get-ThreadRun").spec)


def test_help_sections_in_get_help_order(gtr_help: str) -> None:
    headings = [line for line in gtr_help.splitlines() if line and not line.startswith(" ")]
    assert headings == [
        "NAME", "SYNOPSIS", "SYNTAX", "DESCRIPTION", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "EXAMPLES",
        "RELATED LINKS",
    ]
    assert "    Get-ThreadRun\n" in gtr_help
    assert "    Gets one run of a thread, or lists the runs of a thread." in gtr_help


def test_help_syntax_is_the_reference_form(gtr_help: str) -> None:
    # Each set's heading and block, line for line as the help file writes them, indented like the other sections.
    section = gtr_help.split("SYNTAX\n")[1].split("\nDESCRIPTION\n")[0]
    entries = [textwrap.dedent(e).strip("\n") for e in section.split("\n\n") if e.strip()]
    spec = pyopenai_ps.get_command("Get-ThreadRun").spec
    assert entries == [f"{set_heading(spec, name)}\n{text}" for name, text in syntax_blocks(spec)]
    assert entries[0].splitlines()[:3] == ["### Get", "Get-ThreadRun", "    -RunId <String>"]


def parameter_entry(text: str, name: str) -> str:
    section = text.split("\nPARAMETERS\n")[1].split("\nINPUTS\n")[0]
    match = re.search(rf"^    -{name}\b.*?(?=^    [-<])", section, re.S | re.M)
    assert match, name
    return match.group(0)


def test_help_parameter_details(gtr_help: str) -> None:
    run_id = parameter_entry(gtr_help, "RunId")
    assert run_id.startswith("    -RunId <String>\n        The id of the run to fetch")
    assert re.search(r"Required\? +true\n", run_id)
    assert re.search(r"Position\? +named\n", run_id)
    assert re.search(r"Accept pipeline input\? +true \(ByPropertyName\)", run_id)
    assert re.search(r"Aliases +run_id\n", run_id)
    input_object = parameter_entry(gtr_help, "InputObject")
    assert re.search(r"Position\? +0\n", input_object)
    assert re.search(r"Aliases +Thread, thread_id\n", input_object)
    assert re.search(r"Accept pipeline input\? +true \(ByValue, ByPropertyName\)", input_object)
    assert re.search(r"Default value +20\n", parameter_entry(gtr_help, "Limit"))
    order = parameter_entry(gtr_help, "Order")
    assert re.search(r"Accepted values +asc, desc\n", order)
    assert re.search(r"Default value +asc\n", order)
    assert parameter_entry(gtr_help, "All").startswith("    -All\n")  # a switch shows no type
    assert "<CommonParameters>" in gtr_help.split("\nPARAMETERS\n")[1]


def test_help_leaves_hidden_parameters_out(gtr_help: str) -> None:
    for hidden in ("After", "Before", "ApiVersion"):
        assert f"-{hidden}" not in gtr_help


def test_help_examples(gtr_help: str) -> None:
    examples = gtr_help.split("\nEXAMPLES\n")[1].split("\nRELATED LINKS\n")[0]
    assert "Example 1" in examples and "Example 2" in examples
    assert "Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'" in examples
    assert "Fetches the run run_abc123 of the thread thread_abc123." in examples
    assert "https://platform.openai.com/docs/api-reference/runs/getRun" in gtr_help.split("RELATED LINKS")[1]


def test_help_shows_per_set_differences() -> None:
    text = help_text(spec(ORDER.replace("{Two: {mandatory: true}}}\n  - {name: Stop", "{Two: {mandatory: true}, One: {}}}\n  - {name: Stop")))
    go = parameter_entry(text, "Go")
    assert re.search(r"Required\? +false \(One\), true \(Two\)\n", go)
    assert re.search(r"Parameter sets +\(All\)\n", go)
    assert re.search(r"Parameter sets +Two\n", parameter_entry(text, "Stop"))
    assert re.search(r"Position\? +1\n", parameter_entry(text, "Late"))
    assert "Secret" not in text

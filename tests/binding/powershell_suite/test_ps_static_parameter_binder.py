"""Translated from test/powershell/engine/ParameterBinding/StaticParameterBinder.Tests.ps1.

PowerShell's StaticParameterBinder binds a command line without running it and collects
every binding exception instead of stopping at the first; our binder raises the first.
Each row therefore checks what binds when nothing is wrong, or the error that row reports.
The rows call Get-Alias and Get-ChildItem; their specs state the compiled cmdlets'
static parameters (GetAliasCommand.cs, GetChildrenCommand.cs).
"""

from __future__ import annotations

import pytest

from ._support import ParameterBindingError, bind_line, command_from_yaml
from .marks import STATIC_BINDER, ps_case

GET_ALIAS = command_from_yaml(
    """
    name: Get-Alias
    default_parameter_set: Default
    parameter_sets: [Default, Definition]
    parameters:
      - name: Name
        type: 'String[]'
        sets: {Default: {position: 0}}
        pipeline: [ByValue, ByPropertyName]
        validate: {not_null_or_empty: true}
      - {name: Exclude, type: 'String[]'}
      - {name: Scope, type: String}
      - {name: Definition, type: 'String[]', sets: [Definition], validate: {not_null_or_empty: true}}
    """
)

# The FileSystem provider's dynamic parameters are left out, as the static binder leaves them out.
GET_CHILD_ITEM = command_from_yaml(
    """
    name: Get-ChildItem
    default_parameter_set: Items
    parameter_sets: [Items, LiteralItems]
    parameters:
      - {name: Path, type: 'String[]', sets: {Items: {position: 0}}, pipeline: [ByValue, ByPropertyName]}
      - {name: LiteralPath, type: 'String[]', aliases: [PSPath, LP], sets: {LiteralItems: {mandatory: true}},
         pipeline: [ByPropertyName]}
      - {name: Filter, type: String, position: 1}
      - {name: Include, type: 'String[]'}
      - {name: Exclude, type: 'String[]'}
      - {name: Recurse, type: Switch, aliases: [s, r]}
      - {name: Depth, type: UInt32}
      - {name: Force, type: Switch}
      - {name: Name, type: Switch}
    """
)

TITLE = "<Description>: '<Source>'"


def row(description: str, source: str, *more: pytest.MarkDecorator):
    return [ps_case(STATIC_BINDER, f"{TITLE} [{description}: '{source}']"), *more]


@pytest.mark.parametrize(
    ("command", "line", "expected"),
    [
        pytest.param(GET_ALIAS, "Get-Alias abc", {"Name": ["abc"]},
                     marks=row("string constant value", "Get-Alias abc")),
        pytest.param(GET_ALIAS, "Get-Alias -Name -abc", {"Name": ["-abc"]},
                     marks=row("parameter -abc should be used as value", "Get-Alias -Name -abc")),
        pytest.param(GET_ALIAS, "Get-Alias aa,bb,cc", {"Name": ["aa", "bb", "cc"]},
                     marks=row("array argument", "Get-Alias aa,bb,cc")),
        pytest.param(GET_CHILD_ITEM, "Get-ChildItem -Name abc -rec", {"Name": True, "Recurse": True, "Path": ["abc"]},
                     marks=row("switch params and positional param", "Get-ChildItem -Name abc -rec")),
    ],
)
def test_line_binds(command, line, expected):
    assert dict(bind_line(command, line).bound) == expected


@pytest.mark.parametrize(
    ("command", "line", "error_id", "parameter"),
    [
        pytest.param(GET_ALIAS, "Get-Alias -Path abc", "NamedParameterNotFound", "Path",
                     marks=row("parameter -path not found", "Get-Alias -Path abc")),
        pytest.param(GET_ALIAS, "Get-Alias -Path -Name:abc", "NamedParameterNotFound", "Path",
                     marks=row("parameter -name found while -path not found", "Get-Alias -Path -Name:abc")),
        pytest.param(GET_ALIAS, "Get-Alias aa bb", "PositionalParameterNotFound", None,
                     marks=row("unbound positional parameter bb", "Get-Alias aa bb")),
        pytest.param(GET_CHILD_ITEM, "Get-ChildItem -Name -f", "AmbiguousParameter", "f",
                     marks=row("switch parameter -name found while ambiguous parameter -f", "Get-ChildItem -Name -f")),
        pytest.param(GET_CHILD_ITEM, "Get-ChildItem -Path -f", "AmbiguousParameter", "f",
                     marks=row("non-switch parameter -path followed by ambiguous parameter -f",
                               "Get-ChildItem -Path -f")),
    ],
)
def test_line_reports(command, line, error_id, parameter):
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, line)
    assert caught.value.error_id == error_id
    if parameter is not None:
        assert caught.value.parameter_name == parameter
    if error_id == "PositionalParameterNotFound":
        assert str(caught.value) == "A positional parameter cannot be found that accepts argument 'bb'."
    if error_id == "AmbiguousParameter":
        assert "-Filter" in str(caught.value) and "-Force" in str(caught.value)

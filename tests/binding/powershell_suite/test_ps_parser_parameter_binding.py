"""Translated from test/powershell/Language/Parser/ParameterBinding.Tests.ps1.

Only the Describe on bare numeric literals bound to [string] can be stated as specs; the
others need argument-transformation attributes, compiled cmdlets or .NET types (see
catalog.NOT_EXPRESSIBLE).

PowerShell fact: a number written as a bare word (``24l``, ``34uy``) is parsed as a number,
but the parser keeps its token text, and converting it to [string] gives that text back
(LanguagePrimitives.ConvertNumericToString returns PSObject.TokenText).  This holds for a
simple function and for an advanced one.
"""

from __future__ import annotations

import pytest

from ._support import bind_line, command_from_yaml
from .marks import PARSER_PB, ps_case

# function Test-SimpleStringValue([string] $Value) -- a simple function: parameters are
# positional in declaration order, so the spec gives $Value position 0.
SIMPLE = command_from_yaml(
    """
    name: Test-SimpleStringValue
    parameters:
      - {name: Value, type: String, position: 0}
    """
)

# An advanced function ([CmdletBinding()]) with one [string] parameter; with no explicit
# positions PowerShell numbers the parameters in declaration order.
ADVANCED = command_from_yaml(
    """
    name: Test-AdvancedStringValue
    parameters:
      - {name: Value, type: String, position: 0}
    """
)

# The bare words of the TestCases.  Our line reader reads 26 and 24l as numbers (which keep
# their token text, D02) and the words with other suffixes as strings; either way the
# [string] parameter gets the word back.
ARGUMENTS = ["34uy", "48y", "8s", "49us", "26", "28u", "24l", "32ul", "20d", "6n"]


def _rows(title: str, command):
    for word in ARGUMENTS:
        marks = [ps_case(PARSER_PB, f"{title} [Argument={word}]")]
        yield pytest.param(command, word, marks=marks, id=f"{command.name}-{word}")


SIMPLE_TITLE = "should correctly convert <Argument> back to string in simple functions"
ADVANCED_TITLE = "should correctly convert <Argument> back to string in advanced functions"


@pytest.mark.parametrize(("command", "word"), [*_rows(SIMPLE_TITLE, SIMPLE), *_rows(ADVANCED_TITLE, ADVANCED)])
def test_bare_numeric_literal_binds_its_own_text_to_string(command, word):
    binding = bind_line(command, f"{command.name} -Value {word}")
    assert binding.bound["Value"] == word
    assert type(binding.bound["Value"]) is str

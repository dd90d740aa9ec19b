"""Translated from test/powershell/engine/ParameterBinding/NullableBooleanDCR.Tests.ps1.

Two functions take the TestCases values: a simple function ``param([bool]$First)`` and an
advanced one whose $First is mandatory, position 0, ValueFromPipeline, default $false.  A
[bool] parameter takes $true/$false and any number (zero is False); each row is bound
positionally, with a colon, and as a separate argument.
"""

from __future__ import annotations

import pytest

from ._support import command_from_yaml
from .marks import NULLABLE_DCR, ps_case

SIMPLE = command_from_yaml(
    """
    name: ParserTestFunction
    parameters:
      - {name: First, type: Boolean, position: 0}
    """
)
ADVANCED = command_from_yaml(
    """
    name: parsertest-bool2
    parameters:
      - {name: First, type: Boolean, position: 0, mandatory: true, pipeline: [ByValue], default: false}
    """
)

# (label as written in the TestCases, the value PowerShell passes, expected)
ROWS = [
    ("$true", True, True),
    ("1", 1, True),
    ("1.28", 1.28, True),
    ("(-2.32)", -2.32, True),
    ("$false", False, False),
    ("0", 0, False),
    ("0.00", 0.00, False),
    ("(1 - 1)", 1 - 1, False),
]
TITLES = {
    "positional": "Test a boolean parameter accepts positional values, input:<Arg>, expect:<Expected>",
    "colon": "Test a boolean parameter accepts values specified with a colon, input:<Arg>, expect:<Expected>",
    "named": "Test a boolean parameter accepts values specified with general format, input:<Arg>, expect:<Expected>",
}


def _bind(command, how: str, value):
    if how == "positional":
        return command.bind(value)
    # With a colon or as the next argument, a value reaches the binder the same way from
    # Python: as a named argument.
    return command.bind(First=value)


@pytest.mark.parametrize(
    ("how", "value", "expected"),
    [
        pytest.param(how, value, expected, marks=ps_case(NULLABLE_DCR, f"{title} [Arg={label}]"),
                     id=f"{how}-{label}")
        for how, title in TITLES.items()
        for label, value, expected in ROWS
    ],
)
@pytest.mark.parametrize("command", [SIMPLE, ADVANCED], ids=["simple", "advanced"])
def test_boolean_parameter_takes_bools_and_numbers(command, how, value, expected):
    binding = _bind(command, how, value)
    assert binding.bound["First"] is expected

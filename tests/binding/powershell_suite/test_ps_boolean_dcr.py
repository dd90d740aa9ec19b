"""Translated from test/powershell/engine/ParameterBinding/BooleanParameterDCR.Tests.ps1.

The TestCases first assign the value to a [bool] variable, so the switch receives $true or
$false; a [Nullable[int]] variable holding $false holds 0, which a [bool] parameter takes as
False (ParameterBinderBase.CoerceTypeAsNeeded / ArgumentTypeConverterAttribute.CheckBoolValue
accept numbers for bool).
"""

from __future__ import annotations

import pytest

from ._support import bind_line, command_from_yaml
from .marks import BOOLEAN_DCR, ps_case

SWITCH_CMDLET = command_from_yaml(
    """
    name: ParserTestSwitchCmdlet
    parameters:
      - {name: switchParam, type: Switch}
    """
)

# [CmdletBinding()] param([bool]$First=$false): no position stated, so First is position 0.
BOOL_CMDLET = command_from_yaml(
    """
    name: ParserTestBoolCmdlet2
    parameters:
      - {name: First, type: Boolean, position: 0, default: false}
    """
)

ZERO_TITLE = ("Test <iteration> that passing zero works as the value for a Switch parameter, "
              "inputTest:<inputTest>,expect:<expected>")
TRUE_TITLE = ("Test <iteration> that $true is accepted as a true value for Switch parameters, "
              "inputTest:<inputTest>,expect:<expected>")


def _row(title: str, iteration: int, label: str, value: bool):
    return pytest.param(value, marks=ps_case(BOOLEAN_DCR, f"{title} [iteration={iteration}, inputTest={label}]"),
                        id=f"{iteration}-{label}")


@pytest.mark.parametrize(
    "value",
    [
        # [bool]$switchTestParam = 0 / 000 / 0x00 / 0.00 -> $false
        _row(ZERO_TITLE, 1, "0", bool(0)),
        _row(ZERO_TITLE, 2, "000", bool(000)),
        _row(ZERO_TITLE, 3, "0x00", bool(0x00)),
        _row(ZERO_TITLE, 4, "0.00", bool(0.00)),
        # [bool]$switchTestParam = $(1 -eq 1) / $true / $TRUE -> $true
        _row(TRUE_TITLE, 1, "$(1 -eq 1)", 1 == 1),
        _row(TRUE_TITLE, 2, "$true", True),
        _row(TRUE_TITLE, 3, "$TRUE", True),
    ],
)
def test_switch_takes_a_bool_after_a_colon(value):
    # ParserTestSwitchCmdlet -switchParam:$switchTestParam (a line: from Python keywords a False
    # switch means "not given", unless the spec says false_binds)
    binding = bind_line(SWITCH_CMDLET, f"ParserTestSwitchCmdlet -switchParam:{'$true' if value else '$false'}")
    assert binding.bound["switchParam"] is value


@pytest.mark.parametrize(
    "how",
    ["positional", "colon", "named"],
)
@ps_case(BOOLEAN_DCR, "Test that a nullable boolean is accepted for a boolean parameter.")
def test_zero_held_in_a_nullable_int_binds_false(how):
    line = {
        "positional": "ParserTestBoolCmdlet2 0",
        "colon": "ParserTestBoolCmdlet2 -First:0",
        "named": "ParserTestBoolCmdlet2 -First 0",
    }[how]
    binding = bind_line(BOOL_CMDLET, line)
    assert binding.bound["First"] is False

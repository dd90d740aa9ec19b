"""Translated from test/powershell/Language/Scripting/CommonParameters.Tests.ps1.

The functions here are advanced functions with no parameters of their own (one has a
[string] $path); what the tests check is how they write to PowerShell's streams when a
common parameter is given.  Binding only is translated: the common parameter binds, with
its value converted to its type.  The ShouldProcess contexts need SupportsShouldProcess
(-WhatIf, -Confirm), which the spec format lacks (catalog.NOT_EXPRESSIBLE).
"""

from __future__ import annotations

import pytest

from ._support import bind_line, command_from_yaml
from .marks import COMMON, ps_case

NO_PARAMETERS = command_from_yaml(
    """
    name: get-foo
    parameters: []
    """
)

WITH_PATH = command_from_yaml(
    """
    name: test-function
    parameters:
      - {name: path, type: String, position: 0}
    """
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("get-foo", {}, marks=ps_case(COMMON, "Debug / Debug get-foo")),
        pytest.param("get-foo -debug", {"Debug": True}, marks=ps_case(COMMON, "Debug / get-foo -debug")),
        pytest.param("get-foo", {}, marks=ps_case(COMMON, "verbose / get-foo")),
        pytest.param("get-foo -verbose", {"Verbose": True}, marks=ps_case(COMMON, "verbose / get-foo -verbose")),
        pytest.param("get-foo", {}, marks=ps_case(COMMON, "erroraction / erroraction")),
        pytest.param("get-foo -erroraction Continue", {"ErrorAction": "Continue"},
                     marks=ps_case(COMMON, "erroraction / erroraction continue")),
        pytest.param("get-foo -erroraction SilentlyContinue", {"ErrorAction": "SilentlyContinue"},
                     marks=ps_case(COMMON, "erroraction / erroraction SilentlyContinue")),
        pytest.param("get-foo -erroraction Stop", {"ErrorAction": "Stop"},
                     marks=ps_case(COMMON, "erroraction / erroraction Stop")),
        pytest.param("get-foo", {}, marks=ps_case(COMMON, "ShouldContinue Support under the non-interactive host / "
                                                          "get-foo")),
    ],
)
def test_common_parameter_binds_on_a_function_without_parameters(line, expected):
    binding = bind_line(NO_PARAMETERS, line)
    assert dict(binding.bound) == expected
    assert binding.parameter_set == "__AllParameterSets"


@pytest.mark.parametrize(
    ("command", "line"),
    [
        pytest.param(NO_PARAMETERS, "get-foo -ProgressAction Ignore", marks=ps_case(
            COMMON, "ProgressAction / Ignores progress actions on advanced script function with no variables")),
        pytest.param(WITH_PATH, "test-function -ProgressAction Ignore", marks=ps_case(
            COMMON, "ProgressAction / Ignores progress actions on advanced script function with variables")),
    ],
)
def test_progress_action_binds_as_an_action_preference(command, line):
    assert dict(bind_line(command, line).bound) == {"ProgressAction": "Ignore"}

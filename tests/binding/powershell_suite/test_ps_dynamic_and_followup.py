"""Translated from test/powershell/Language/Scripting/Dynamicparameters.Tests.ps1 and the
"Multiple alias attributes" Describe of test/powershell/Language/Parser/LanguageAndParser.TestFollowup.Tests.ps1.

foo-bar has a dynamicparam block that adds -dp1 only when -path contains 'abc' (or a
class-defined parameter for 'class').  For any other path it adds nothing, and the
function then binds as its static param block does, which a spec can state; the cases
that need the dynamic parameter are in catalog.NOT_EXPRESSIBLE.
"""

from __future__ import annotations

import pytest

from ._support import ParameterBindingError, bind_line, command_from_yaml
from .marks import DYNAMIC, FOLLOWUP, ps_case

FOO_BAR = command_from_yaml(
    """
    name: foo-bar
    parameters:
      - {name: path, type: Object, position: 0}
    """
)


@ps_case(DYNAMIC, "When the dynamic parameter is not available, and raises an error when specified")
def test_parameter_the_dynamic_block_did_not_add_is_not_found():
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(FOO_BAR, "foo-bar -path def -dp1 42")
    assert caught.value.error_id == "NamedParameterNotFound"
    assert caught.value.parameter_name == "dp1"
    assert str(caught.value) == "A parameter cannot be found that matches parameter name 'dp1'."


@ps_case(DYNAMIC, "No dynamic parameter shouldn't cause an errr ")
def test_static_parameters_bind_without_dynamic_ones():
    assert bind_line(FOO_BAR, "foo-bar -path def").bound == {"path": "def"}


@ps_case(FOLLOWUP, "basic test")
@pytest.mark.parametrize(("line", "expected"), [("foo -aa 1", 1), ("foo -bb 2", 2), ("foo -cc 3", 3)])
def test_each_alias_attribute_adds_a_name(line, expected):
    # param([alias('aa')] [alias('bb')] $cc): two Alias attributes give two aliases.
    command = command_from_yaml(
        """
        name: foo
        parameters:
          - {name: cc, type: Object, position: 0, aliases: [aa, bb]}
        """
    )
    assert bind_line(command, line).bound == {"cc": expected}

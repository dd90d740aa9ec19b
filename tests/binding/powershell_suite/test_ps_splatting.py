"""Translated from test/powershell/engine/ParameterBinding/Splatting.Tests.ps1.

Splatting a hashtable (``Cmd @hash``) binds each key as a named argument.  From Python the
counterpart is keyword arguments, which the binder matches like splatted keys (names,
aliases, unambiguous prefixes).  Splatting *together with* an explicit argument for the same
parameter (the explicit one wins) has no counterpart: see catalog.NOT_EXPRESSIBLE.
"""

from __future__ import annotations

import pytest

from ._support import command_from_yaml
from .marks import SPLATTING, ps_case

# Get-Verb (GetVerbCommand.cs): [string[]] Verb at position 0 and [string[]] Group at
# position 1 with a ValidateSet, both from the pipeline by value and by property name.
GET_VERB = command_from_yaml(
    """
    name: Get-Verb
    parameters:
      - {name: Verb, type: 'String[]', position: 0, pipeline: [ByValue, ByPropertyName]}
      - name: Group
        type: 'String[]'
        position: 1
        pipeline: [ByValue, ByPropertyName]
        validate: {set: [Common, Communications, Data, Diagnostic, Lifecycle, Other, Security]}
    """
)

# function SimpleTest { param([Alias('Key')] $Name, $Path) "...; Args: $args" } -- a simple
# function; the spec states its two parameters (positional in order).
SIMPLE_TEST = """
    name: SimpleTest
    parameters:
      - {name: Name, type: Object, position: 0, aliases: [Key]}
      - {name: Path, type: Object, position: 1}
"""
# The same function with $args stated through the proposed remaining_arguments key.
SIMPLE_TEST_WITH_ARGS = SIMPLE_TEST + """      - {name: args, type: 'Object[]', remaining_arguments: true}
"""


@ps_case(SPLATTING, "works on cmdlet")
def test_splatted_keys_bind_a_cmdlets_parameters_and_common_parameters():
    binding = GET_VERB.bind(**{"Verb": "Get", "OutVariable": "zoo"})
    assert binding.bound["Verb"] == ["Get"]
    assert binding.bound["OutVariable"] == "zoo"


@ps_case(SPLATTING, "works on simple function")
@pytest.mark.parametrize(
    ("splat", "expected"),
    [
        ({"Name": "Hello", "Path": "World"}, {"Name": "Hello", "Path": "World"}),
        ({"Name": "Hello", "Path": "Yeah"}, {"Name": "Hello", "Path": "Yeah"}),  # @hash -Path "Yeah", either order
        ({"Key": "Hello"}, {"Name": "Hello"}),
    ],
)
def test_splatted_keys_bind_a_simple_function(splat, expected):
    binding = command_from_yaml(SIMPLE_TEST).bind(**splat)
    assert dict(binding.bound) == expected


@ps_case(SPLATTING, "works on simple function")
def test_splatted_key_naming_no_parameter_goes_to_args():
    # SimpleTest @{ Name = "Hello"; Blah = "World" } -> "Key: Hello; Path: ; Args: -Blah: World"
    binding = command_from_yaml(SIMPLE_TEST_WITH_ARGS).bind(Name="Hello", Blah="World")
    assert binding.bound["Name"] == "Hello"
    assert list(binding.bound["args"]) == ["-Blah:", "World"]

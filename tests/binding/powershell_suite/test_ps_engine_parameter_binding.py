"""Translated from test/powershell/engine/ParameterBinding/ParameterBinding.Tests.ps1.

All functions here are advanced ([CmdletBinding()] or [Parameter()]).  When no parameter
states a Position or a parameter set, PowerShell numbers the parameters that are not
switches in declaration order (Compiler.GetParameterMetaData); the specs state those
positions.  ShouldProcess,
delay-bind script blocks, dynamic parameters and defaults computed at run time cannot be
stated (catalog.NOT_EXPRESSIBLE).  The ValueFromRemainingArguments context uses the
proposed ``remaining_arguments`` key (SPEC_PROPOSALS.md).
"""

from __future__ import annotations

import pytest

from ._support import ParameterBindingError, SpecError, bind_line, command_from_yaml, spec_from_yaml
from .marks import ENGINE_PB, ps_case


def case(title: str) -> pytest.MarkDecorator:
    return ps_case(ENGINE_PB, title)


SHARED_POSITION = """
    name: test-PositionalBinding1
    parameters:
      - {name: Parameter1, type: Int32, position: 0, default: 0}
      - {name: Parameter2, type: Int32, position: 0, default: 0}
"""


@case("Should throw a parameter binding exception when two parameters have the same position")
def test_shared_position_fails_only_when_a_positional_argument_needs_it():
    command = command_from_yaml(SHARED_POSITION)  # PowerShell defines the function without complaint
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "test-PositionalBinding1 1")
    assert caught.value.error_id == "AmbiguousPositionalParameterNoName"
    assert str(caught.value) == "Cannot bind positional parameters because no names were given."


@case("a mandatory parameter can't be passed a null if it doesn't have AllowNullAttribute")
def test_null_to_mandatory_string_is_an_empty_string():
    command = command_from_yaml(
        """
        name: test-allownullattributes
        parameters:
          - {name: Parameter1, type: String, position: 0, default: default1}
          - {name: Parameter2, type: String, position: 1, mandatory: true, default: default2}
          - {name: Parameter3, type: String, position: 2, mandatory: true, default: default3}
          - {name: Parameter4, type: Int32, position: 3, default: 0, validate: {allow_null: true}}
          - {name: Parameter5, type: Int32, position: 4, default: 0, validate: {allow_empty_string: true}}
          - {name: ShowMe, type: Int32, position: 5, mandatory: true, default: 0}
        """
    )
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "test-allownullattributes -Parameter2 1 -Parameter3 $null -ShowMe 1")
    # [string] turns $null into '', which the mandatory check refuses as an empty string.
    assert caught.value.error_id == "ParameterArgumentValidationErrorEmptyStringNotAllowed"
    assert "Parameter3" in str(caught.value)


@case("can't pass an argument that looks like a boolean parameter to a named string parameter")
def test_parameter_name_after_a_string_parameter_is_missing_argument():
    command = command_from_yaml(
        """
        name: test-namedwithboolishargument
        parameters:
          - {name: Parameter1, type: Boolean, default: false}
          - {name: Parameter2, type: String, position: 0, default: ''}
        """
    )
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "test-namedwithboolishargument -Parameter2 -Parameter1")
    assert caught.value.error_id == "MissingArgument"
    assert "Parameter2" in str(caught.value)


@case("Verify that a SwitchParameter's IsPresent member is false if the parameter is not specified")
def test_switch_not_given_is_not_present():
    command = command_from_yaml(
        """
        name: test-singleswitchparameter
        parameters:
          - {name: Parameter1, type: Switch}
        """
    )
    binding = command.bind()
    assert not binding.is_bound("Parameter1")
    assert not binding.get("Parameter1", False)


@case("Verify that a bool parameter returns proper value")
@pytest.mark.parametrize(("line", "expected"), [("test-singleboolparameter", False),
                                                 ("test-singleboolparameter -Parameter1:1", True)])
def test_bool_parameter_default_and_number(line, expected):
    command = command_from_yaml(
        """
        name: test-singleboolparameter
        parameters:
          - {name: Parameter1, type: Boolean, position: 0, default: false}
        """
    )
    assert bind_line(command, line)["Parameter1"] is expected


@case("Should throw a exception when passing a string that can't be parsed by Int")
def test_text_that_is_no_number_fails_transformation():
    command = command_from_yaml(
        """
        name: test-singleintparameter
        parameters:
          - {name: Parameter1, type: Int32, position: 0, default: 0}
        """
    )
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "test-singleintparameter -Parameter1 'exampleInvalidParam'")
    assert caught.value.error_id == "ParameterArgumentTransformationError"
    assert "The input string 'exampleInvalidParam' was not in a correct format" in str(caught.value)
    assert "Parameter1" in str(caught.value)


@case("Verify that ValueFromPipeline takes precedence over ValueFromPipelineByPropertyName without type coercion")
def test_by_value_without_coercion_comes_before_by_property_name():
    command = command_from_yaml(
        """
        name: test-bindingorder2
        parameter_sets: [one, two]
        parameters:
          - {name: Parameter1, type: String, sets: [one], pipeline: [ByValue], default: ''}
          - {name: Length, type: Int32, sets: [two], pipeline: [ByPropertyName], default: 0}
        """
    )
    (binding,) = bind_line(command, "'0123' | test-bindingorder2")
    assert dict(binding.bound) == {"Parameter1": "0123"}
    assert binding.parameter_set == "one"


@case("Verify that a dynamic parameter named WhatIf doesn't conflict if SupportsShouldProcess is false")
def test_parameter_named_whatif_without_should_process():
    command = command_from_yaml(
        """
        name: test-dynamicparameters3
        parameter_sets: [one, two]
        parameters:
          - {name: Parameter1, type: Int32, sets: [one], default: 0}
          - {name: Parameter2, type: Int32, sets: [two], default: 0}
          - {name: WhatIf, type: Int32, default: 0}
        """
    )
    binding = bind_line(command, "test-dynamicparameters3 -Parameter1 1")
    assert binding.parameter_set == "one"
    assert dict(binding.bound) == {"Parameter1": 1}


@case("Verify that an int can be bound to a parameter of type Array")
def test_scalar_int_becomes_a_one_element_array():
    # [array] is System.Array; PowerShell wraps a scalar into object[] for it.
    command = command_from_yaml(
        """
        name: test-collectionbinding1
        parameters:
          - {name: Parameter1, type: 'Object[]', position: 0}
          - {name: Parameter2, type: 'Int32[]', position: 1}
        """
    )
    binding = bind_line(command, "test-collectionbinding1 -Parameter1 1 -Parameter2 2")
    assert binding.bound["Parameter1"] == [1]
    assert binding.bound["Parameter2"] == [2]
    assert all(type(item) is int for item in [*binding.bound["Parameter1"], *binding.bound["Parameter2"]])


@case("Verify that a dynamic parameter and an alias can't have the same name")
def test_alias_equal_to_another_parameter_name_is_refused():
    # PowerShell: MetadataException ParameterNameConflictsWithAlias naming both parameters.
    with pytest.raises(SpecError) as caught:
        spec_from_yaml(
            """
            name: test-nameconflicts6
            parameters:
              - {name: Parameter1, type: Int32, aliases: [Parameter2], default: 0}
              - {name: Parameter2, type: Int32, default: 0}
            """
        )
    assert "Parameter1" in str(caught.value)
    assert "Parameter2" in str(caught.value)


INVOKE_ADD_ONE = command_from_yaml(
    """
    name: Invoke-AddOne
    parameters:
      - {name: Number, type: Int32, position: 0, pipeline: [ByValue]}
    """
)


@case("PipelineVariable should not cause variable-removal exception (issue #16155)")
def test_pipeline_variable_binds_beside_pipeline_input():
    bindings = bind_line(INVOKE_ADD_ONE, "1,2,3 | Invoke-AddOne -PipelineVariable testValue")
    assert [b.bound["Number"] for b in bindings] == [1, 2, 3]
    assert {b.bound["PipelineVariable"] for b in bindings} == {"testValue"}


@case("should set the pipeline variable every time for a <CmdletType> [Script Cmdlet]")
def test_pipeline_variable_on_a_script_cmdlet():
    command = command_from_yaml(
        """
        name: Write-PipelineVariable
        parameters:
          - {name: a, type: Object, position: 0, pipeline: [ByValue]}
        """
    )
    bindings = bind_line(command, "1,2,3 | Write-PipelineVariable -PipelineVariable pipe")
    assert [(b.bound["a"], b.bound["PipelineVariable"]) for b in bindings] == [(1, "pipe"), (2, "pipe"), (3, "pipe")]


# --- Context "ValueFromRemainingArguments" ------------------------------------------------------

FUNCTION = """
    name: Test-BindingFunction
    parameters:
      - {name: Parameter, type: 'Object[]', remaining_arguments: true}
"""
CMDLET = """
    name: Test-BindingCmdlet
    parameters:
      - {name: Parameter, type: 'String[]', position: 0, remaining_arguments: true}
"""


@pytest.mark.parametrize(
    ("spec", "line", "expected"),
    [
        pytest.param(FUNCTION, "Test-BindingFunction 1,2,3", [1, 2, 3], marks=case(
            "Binds properly when passing an explicit array to an advanced function")),
        pytest.param(FUNCTION, "Test-BindingFunction 1 2 3", [1, 2, 3], marks=case(
            "Binds properly when passing multiple arguments to an advanced function")),
        pytest.param(CMDLET, "Test-BindingCmdlet 1,2,3", ["1", "2", "3"], marks=case(
            "Binds properly when passing an explicit array to a cmdlet")),
        pytest.param(CMDLET, "Test-BindingCmdlet 1 2 3", ["1", "2", "3"], marks=case(
            "Binds properly when passing multiple arguments to a cmdlet")),
    ],
)
def test_remaining_arguments_from_a_line(spec, line, expected):
    command = command_from_yaml(spec)
    assert list(bind_line(command, line).bound["Parameter"]) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(FUNCTION, [1, 2, 3], marks=case(
            "Binds properly when collections of type other than object[] are used on an advanced function")),
        pytest.param(CMDLET, ["1", "2", "3"], marks=case(
            "Binds properly when collections of type other than object[] are used on a cmdlet")),
    ],
)
def test_remaining_arguments_from_one_collection(spec, expected):
    # A [List[int]] passed as the only remaining argument is unwrapped into its elements.
    command = command_from_yaml(spec)
    assert list(command.bind([1, 2, 3]).bound["Parameter"]) == expected

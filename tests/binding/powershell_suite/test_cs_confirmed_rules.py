"""Binding rules confirmed in PowerShell's C# source that no PowerShell test file exercises.

These complete the issue's list of known disagreements (D01-D13 in DISAGREEMENTS.md) with
cases of their own, and add the ones found while translating (D14 onwards).  Each test
names the C# file and function in its ``cs_source`` marker; PowerShell's behaviour is
asserted (every disagreement is fixed, so every case passes).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ._support import ParameterBindingError, SpecError, bind_line, command_from_yaml, spec_from_yaml
from .marks import cs_rule

BINDER_BASE = "src/System.Management.Automation/engine/ParameterBinderBase.cs"
CONTROLLER = "src/System.Management.Automation/engine/ParameterBinderController.cs"
CMDLET_CONTROLLER = "src/System.Management.Automation/engine/CmdletParameterBinderController.cs"
PRIMITIVES = "src/System.Management.Automation/engine/LanguagePrimitives.cs"
ATTRIBUTES = "src/System.Management.Automation/engine/Attributes.cs"
TYPE_CONVERTER = "src/System.Management.Automation/engine/ArgumentTypeConverterAttribute.cs"


def refused(command, line: str) -> ParameterBindingError:
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, line)
    return caught.value


# --- D01: the mandatory null/empty check ------------------------------------------------------------

MANDATORY_ARRAYS = command_from_yaml(
    """
    name: Set-Mandatory
    parameter_sets: [Strings, Objects]
    parameters:
      - {name: Strings, type: 'String[]', sets: {Strings: {mandatory: true}}}
      - {name: Objects, type: 'Object[]', sets: {Objects: {mandatory: true}}}
    """
)


@cs_rule(BINDER_BASE, "ValidateNullOrEmptyArgument")
@pytest.mark.parametrize(
    ("line", "parameter", "error_id", "what"),
    [
        ("Set-Mandatory -Strings 'a',''", "Strings", "ParameterArgumentValidationErrorEmptyStringNotAllowed",
         "an empty string"),
        ("Set-Mandatory -Objects 'a',$null", "Objects", "ParameterArgumentValidationErrorNullNotAllowed", "null"),
    ],
)
def test_mandatory_check_looks_at_each_element(line, parameter, error_id, what):
    error = refused(MANDATORY_ARRAYS, line)
    assert error.error_id == error_id
    assert str(error) == f"Cannot bind argument to parameter '{parameter}' because it is {what}."


@cs_rule(BINDER_BASE, "ValidateNullOrEmptyArgument")
def test_mandatory_null_from_python_has_its_own_id():
    command = command_from_yaml(
        """
        name: Get-One
        parameters:
          - {name: Id, type: Object, mandatory: true, position: 0}
        """
    )
    with pytest.raises(ParameterBindingError) as caught:
        command.bind(None)  # positional None is an argument (a keyword None means "not given")
    assert caught.value.error_id == "ParameterArgumentValidationErrorNullNotAllowed"


@cs_rule(BINDER_BASE, "ValidateNullOrEmptyArgument")
def test_untyped_mandatory_parameter_takes_an_empty_array():
    command = command_from_yaml(
        """
        name: Get-One
        parameters:
          - {name: Id, type: Object, mandatory: true, position: 0}
        """
    )
    assert bind_line(command, "Get-One -Id @()").bound == {"Id": []}


@cs_rule(BINDER_BASE, "ValidateNullOrEmptyArgument")
def test_mandatory_hashtable_takes_an_empty_hashtable():
    # IDictionary is not a collection to the mandatory check: @{} passes.
    command = command_from_yaml(
        """
        name: Get-One
        parameters:
          - {name: Map, type: Hashtable, mandatory: true, position: 0}
        """
    )
    assert bind_line(command, "Get-One -Map @{}").bound == {"Map": {}}


# --- D02: a numeric literal keeps its token text for [string] -------------------------------------------------

STRING_VALUE = command_from_yaml(
    """
    name: Set-Text
    parameters:
      - {name: Value, type: String, position: 0}
      - {name: Values, type: 'String[]'}
    """
)


@cs_rule(PRIMITIVES, "ConvertNumericToString")
@pytest.mark.parametrize("word", ["0x10", "1kb", "007", "1.50", "1e20", "-0x10", "24l"])
def test_number_written_in_a_line_binds_its_text_to_string(word):
    assert bind_line(STRING_VALUE, f"Set-Text -Value {word}").bound == {"Value": word}


@cs_rule("src/System.Management.Automation/engine/parser/Compiler.cs", "GetCommandArgumentExpression")
def test_numbers_inside_a_list_lose_their_text():
    # Only an argument that is one numeric constant is wrapped with its text; the elements
    # of an array literal are plain numbers, converted as numbers.
    assert bind_line(STRING_VALUE, "Set-Text -Values 0x10,1.50").bound == {"Values": ["16", "1.5"]}


@cs_rule(PRIMITIVES, "ConvertNumericToString")
@pytest.mark.parametrize(("word", "expected"), [("10", "10"), ("'0x10'", "0x10")])
def test_plain_numbers_and_quoted_text_bind_as_written(word, expected):
    assert bind_line(STRING_VALUE, f"Set-Text {word}").bound == {"Value": expected}


# --- D03: '-word' after a parameter that needs a value ------------------------------------------------------------

NAME_AND_PATH = command_from_yaml(
    """
    name: Get-Thing
    parameters:
      - {name: Name, type: String, position: 0}
      - {name: Path, type: String}
      - {name: PassThru, type: Switch}
    """
)


@cs_rule(CONTROLLER, "ReparseUnboundArguments")
def test_dash_word_naming_nothing_is_the_value():
    assert bind_line(NAME_AND_PATH, "Get-Thing -Name -abc").bound == {"Name": "-abc"}


@cs_rule(CONTROLLER, "ReparseUnboundArguments")
def test_dash_ambiguous_prefix_is_ambiguous():
    error = refused(NAME_AND_PATH, "Get-Thing -Name -Pa")
    assert error.error_id == "AmbiguousParameter"
    assert error.parameter_name == "Pa"


@cs_rule(CONTROLLER, "ReparseUnboundArguments")
def test_dash_word_naming_a_parameter_is_missing_argument():
    error = refused(NAME_AND_PATH, "Get-Thing -Name -PassThru")
    assert error.error_id == "MissingArgument"
    assert error.parameter_name == "Name"


# --- D04: validators ---------------------------------------------------------------------------------------------


@cs_rule(ATTRIBUTES, "ValidateCountAttribute.Validate")
def test_count_on_a_string_counts_characters():
    command = command_from_yaml(
        """
        name: Set-Code
        parameters:
          - {name: Code, type: String, position: 0, validate: {count: [1, 3]}}
        """
    )
    error = refused(command, "Set-Code abcd")
    assert error.error_id == "ParameterArgumentValidationError"
    assert str(error) == ("Cannot validate argument on parameter 'Code'. The parameter requires at least 1 value(s) "
                          "and no more than 3 value(s) - 4 value(s) were provided.")


@cs_rule(ATTRIBUTES, "ValidateCountAttribute.Validate")
def test_count_on_a_number_is_not_an_array():
    command = command_from_yaml(
        """
        name: Set-Code
        parameters:
          - {name: Code, type: Object, position: 0, validate: {count: [1, 3]}}
        """
    )
    error = refused(command, "Set-Code 5")
    assert error.error_id == "ParameterArgumentValidationError"
    assert str(error) == ("Cannot validate argument on parameter 'Code'. The ValidateCount attribute cannot be applied "
                          "to a non-array parameter. Either remove the attribute from the parameter or make the "
                          "parameter an array parameter.")


RANGE_ON_OBJECT = command_from_yaml(
    """
    name: Set-Level
    parameters:
      - {name: Level, type: Object, position: 0, validate: {range: [1, 10]}}
    """
)


@cs_rule(ATTRIBUTES, "ValidateRangeAttribute.ValidateRange")
@pytest.mark.parametrize(("value", "kept"), [("5", "5"), (10.4, 10.4)])
def test_range_converts_before_comparing(value, kept):
    # The bound value stays as given; only the comparison uses the converted value.
    assert RANGE_ON_OBJECT.bind(value).bound == {"Level": kept}


@cs_rule(ATTRIBUTES, "ValidateRangeAttribute.ValidateRange")
def test_range_message_shows_the_converted_value():
    with pytest.raises(ParameterBindingError) as caught:
        RANGE_ON_OBJECT.bind(10.6)  # [int]10.6 is 11
    assert str(caught.value) == (
        "Cannot validate argument on parameter 'Level'. The 11 argument is greater than the maximum allowed range of "
        "10. Supply an argument that is less than or equal to 10 and then try the command again.")


# --- D05: -Switch:$null -------------------------------------------------------------------------------------------

SWITCHES = command_from_yaml(
    """
    name: Set-Flag
    parameters:
      - {name: Force, type: Switch}
      - {name: Enabled, type: Boolean}
    """
)


@cs_rule(TYPE_CONVERTER, "ArgumentTypeConverterAttribute.Transform / CheckBoolValue")
def test_switch_given_null_is_false():
    assert bind_line(SWITCHES, "Set-Flag -Force:$null").bound == {"Force": False}


@cs_rule(TYPE_CONVERTER, "ArgumentTypeConverterAttribute.CheckBoolValue")
def test_bool_given_null_is_refused_with_an_empty_value_in_the_message():
    error = refused(SWITCHES, "Set-Flag -Enabled $null")
    assert error.error_id == "ParameterArgumentTransformationError"
    assert str(error) == (
        "Cannot process argument transformation on parameter 'Enabled'. Cannot convert value \"\" to type "
        "\"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.")


# --- D06: string to integer ---------------------------------------------------------------------------------------

COUNT = command_from_yaml(
    """
    name: Set-Count
    parameters:
      - {name: Count, type: Int32, position: 0}
    """
)


@cs_rule(PRIMITIVES, "ConvertStringToInteger")
@pytest.mark.parametrize(
    ("argument", "expected"),
    [("'1kb'", 1024), ("'1,000'", 1000), ("'0b101'", 5), ("'20d'", 20), ("34uy", 34), ("'0x10L'", 16)],
)
def test_text_converts_to_int_as_powershell_reads_numbers(argument, expected):
    assert bind_line(COUNT, f"Set-Count {argument}").bound == {"Count": expected}


@cs_rule(PRIMITIVES, "ConvertStringToInteger")
@pytest.mark.parametrize(("argument", "expected"), [("'42'", 42), ("' 7 '", 7), ("'0x10'", 16), ("'2.5'", 2)])
def test_plain_integer_text_converts(argument, expected):
    assert bind_line(COUNT, f"Set-Count {argument}").bound == {"Count": expected}


# --- D07: a positional conversion failure is final -------------------------------------------------------------------


@cs_rule(CONTROLLER, "BindPositionalParametersInSet")
def test_positional_conversion_failure_does_not_try_the_next_set():
    command = command_from_yaml(
        """
        name: Get-Item2
        default_parameter_set: ById
        parameter_sets: [ById, ByName]
        parameters:
          - {name: Id, type: Byte, sets: {ById: {position: 0}}}
          - {name: Name, type: String, sets: {ByName: {position: 0}}}
        """
    )
    error = refused(command, "Get-Item2 300")
    assert error.error_id == "ParameterArgumentTransformationError"
    assert error.parameter_name == "Id"


# --- D08: an unknown parameter name is reported last ---------------------------------------------------------------

UNKNOWN_LAST = command_from_yaml(
    """
    name: Set-Pair
    parameter_sets: [A, B]
    parameters:
      - {name: N, type: Int32}
      - {name: Left, type: String, sets: [A]}
      - {name: Right, type: String, sets: [B]}
    """
)


@cs_rule(CMDLET_CONTROLLER, "BindCommandLineParametersNoValidation / VerifyArgumentsProcessed")
@pytest.mark.parametrize(
    ("line", "error_id"),
    [
        ("Set-Pair -Bogus -N abc", "ParameterArgumentTransformationError"),
        ("Set-Pair -Bogus -N 1 -N 2", "ParameterAlreadyBound"),
        ("Set-Pair -Bogus -Left x -Right y", "AmbiguousParameterSet"),
    ],
)
def test_unknown_name_is_reported_after_other_errors(line, error_id):
    assert refused(UNKNOWN_LAST, line).error_id == error_id


@cs_rule(CMDLET_CONTROLLER, "VerifyArgumentsProcessed")
def test_unknown_name_alone_is_named_parameter_not_found():
    error = refused(UNKNOWN_LAST, "Set-Pair -Bogus -N 1")
    assert error.error_id == "NamedParameterNotFound"
    assert error.parameter_name == "Bogus"


# --- D09: what has properties for ByPropertyName ------------------------------------------------------------------

BY_NAME = command_from_yaml(
    """
    name: Get-Named
    parameters:
      - {name: Name, type: String, pipeline: [ByPropertyName]}
    """
)
BY_LENGTH = command_from_yaml(
    """
    name: Get-Sized
    parameters:
      - {name: Length, type: Int32, pipeline: [ByPropertyName]}
    """
)


@cs_rule(CMDLET_CONTROLLER, "BindValueFromPipelineByPropertyName")
def test_hashtable_from_a_line_has_no_properties():
    error = refused(BY_NAME, "@{Name='x'} | Get-Named")
    assert error.error_id == "InputObjectNotBound"


@cs_rule(CMDLET_CONTROLLER, "BindValueFromPipelineByPropertyName")
def test_custom_object_from_a_line_binds_by_property_name():
    (binding,) = bind_line(BY_NAME, "[pscustomobject]@{Name='x'} | Get-Named")
    assert binding.bound == {"Name": "x"}


@cs_rule(CMDLET_CONTROLLER, "BindValueFromPipelineByPropertyName (deliberate difference: Python records)")
@pytest.mark.parametrize(
    "record",
    [{"Name": "x"}, json.loads('{"name": "x"}'), SimpleNamespace(Name="x")],
    ids=["mapping", "json-record", "object"],
)
def test_python_records_bind_by_property_name(record):
    (binding,) = BY_NAME.bind_pipeline([record])
    assert binding.bound == {"Name": "x"}


@cs_rule(CMDLET_CONTROLLER, "BindValueFromPipelineByPropertyName")
def test_string_has_a_length_property():
    (binding,) = bind_line(BY_LENGTH, "'abc' | Get-Sized")
    assert binding.bound == {"Length": 3}


# --- D10: double to string ------------------------------------------------------------------------------------------


@cs_rule(PRIMITIVES, "ConvertNumericToString (DoublePrecision = \"G15\")")
@pytest.mark.parametrize(
    ("value", "text"),
    [(1000.0, "1000"), (0.1 + 0.2, "0.3"), (1e20, "1E+20"), (1e-5, "1E-05"), (2 / 3, "0.666666666666667")],
)
def test_double_converts_to_string_with_fifteen_digits(value, text):
    assert STRING_VALUE.bind(value).bound == {"Value": text}


@cs_rule(PRIMITIVES, "ConvertNumericToString (DoublePrecision = \"G15\")")
@pytest.mark.parametrize(("value", "text"), [(1.5, "1.5"), (-0.0001, "-0.0001"), (12345.678, "12345.678")])
def test_short_doubles_convert_to_the_same_text(value, text):
    assert STRING_VALUE.bind(value).bound == {"Value": text}


# --- D11: two parameters on one position ---------------------------------------------------------------------------

SHARED = """
    name: Set-Shared
    parameters:
      - {name: First, type: Int32, position: 0}
      - {name: Second, type: Int32, position: 0}
"""


@cs_rule(CONTROLLER, "BindPositionalParameters / EvaluateUnboundPositionalParameters")
@pytest.mark.parametrize(("line", "expected"), [("Set-Shared", {}), ("Set-Shared -First 1", {"First": 1}),
                                                ("Set-Shared -First 1 2", {"First": 1, "Second": 2})])
def test_shared_position_binds_when_no_ambiguity_arises(line, expected):
    # Once First is bound by name, Second alone holds position 0.
    assert dict(bind_line(command_from_yaml(SHARED), line).bound) == expected


@cs_rule(CONTROLLER, "BindPositionalParameters / EvaluateUnboundPositionalParameters")
def test_shared_position_fails_for_a_positional_argument():
    error = refused(command_from_yaml(SHARED), "Set-Shared 1")
    assert error.error_id == "AmbiguousPositionalParameterNoName"


# --- D12: what the spec loader must refuse ----------------------------------------------------------------------------


def spec_with(validate: str) -> str:
    return f"""
name: Set-Bounds
parameters:
  - {{name: Items, type: 'String[]', validate: {{{validate}}}}}
"""


@cs_rule(ATTRIBUTES, "ValidateCountAttribute constructor")
@pytest.mark.parametrize("bounds", ["[-1, 2]", "[0, 0]"])
def test_count_bounds_powershell_refuses(bounds):
    with pytest.raises(SpecError):
        spec_from_yaml(spec_with(f"count: {bounds}"))


@cs_rule(ATTRIBUTES, "ValidateLengthAttribute constructor")
@pytest.mark.parametrize("bounds", ["[-1, 2]", "[0, 0]"])
def test_length_bounds_powershell_refuses(bounds):
    with pytest.raises(SpecError):
        spec_from_yaml(spec_with(f"length: {bounds}"))


@cs_rule(ATTRIBUTES, "ValidateCountAttribute / ValidateLengthAttribute constructors")
@pytest.mark.parametrize("validate", ["count: [0, 1]", "length: [0, 1]", "count: [3, 3]"])
def test_bounds_powershell_accepts(validate):
    spec_from_yaml(spec_with(validate))


# --- D16: ParameterAlreadyBound names the parameter as typed after a colon ---------------------------------


@cs_rule(CONTROLLER, "BindNamedParameters")
@pytest.mark.parametrize(
    ("line", "shown"),
    [
        pytest.param("Get-Thing -Na a -Na b", "Name"),
        pytest.param("Get-Thing -Na:a -Na:b", "Na"),
    ],
)
def test_parameter_already_bound_message(line, shown):
    error = refused(NAME_AND_PATH, line)
    assert error.error_id == "ParameterAlreadyBound"
    assert str(error).startswith(f"Cannot bind parameter because parameter '{shown}' is specified more than once.")


# --- D18: a scalar of the element type binds to an array parameter without coercion ------------------------

ENCODED = command_from_yaml(
    """
    name: Find-Thing
    default_parameter_set: ByCount
    parameter_sets: [ByCount, ByNames]
    parameters:
      - {name: Count, type: Int32, sets: {ByCount: {position: 0}}, pipeline: [ByValue]}
      - {name: Names, type: 'String[]', sets: {ByNames: {position: 0}}, pipeline: [ByValue]}
    """
)


@cs_rule(BINDER_BASE, "ShouldContinueUncoercedBind / EncodeCollection")
def test_string_argument_prefers_string_array_over_int_conversion():
    binding = bind_line(ENCODED, "Find-Thing '5'")
    assert binding.parameter_set == "ByNames"
    assert binding.bound == {"Names": ["5"]}


@cs_rule(BINDER_BASE, "ShouldContinueUncoercedBind / EncodeCollection")
def test_string_record_prefers_string_array_over_int_conversion():
    (binding,) = bind_line(ENCODED, "'5' | Find-Thing")
    assert binding.parameter_set == "ByNames"
    assert binding.bound == {"Names": ["5"]}


@cs_rule(BINDER_BASE, "ShouldContinueUncoercedBind")
def test_int_argument_binds_int_without_coercion():
    assert bind_line(ENCODED, "Find-Thing 5").bound == {"Count": 5}

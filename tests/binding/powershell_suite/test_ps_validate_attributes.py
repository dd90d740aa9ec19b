"""Translated from test/powershell/engine/Basic/ValidateAttributes.Tests.ps1.

The functions are simple functions (no [CmdletBinding()]); as no parameter states a
Position or a parameter set, PowerShell makes them positional in declaration order
(Compiler.GetParameterMetaData).  MandatoryFunc uses [Parameter()] with parameter sets, so
it is advanced and has no positional parameters.
PowerShell's tests check the inner error id of the validation exception; the translation
checks the outer error id and the message that inner id carries (Metadata.resx).

Wording of Metadata.resx used below (each is wrapped as "Cannot validate argument on
parameter '<name>'. <text>", ParameterBinderStrings.ParameterArgumentValidationError).
"""

from __future__ import annotations

import sys

import pytest

from ._support import ParameterBindingError, SpecError, bind_line, command_from_yaml, spec_from_yaml
from .marks import VALIDATE, ps_case

COUNT_EXACT = "The parameter requires exactly {0} value(s) - {1} value(s) were provided."
COUNT_MIN_MAX = ("The parameter requires at least {0} value(s) and no more than {1} value(s) - {2} value(s) were "
                 "provided.")
RANGE_TOO_SMALL = ("The {0} argument is less than the minimum allowed range of {1}. Supply an argument that is "
                   "greater than or equal to {1} and then try the command again.")
RANGE_TOO_BIG = ("The {0} argument is greater than the maximum allowed range of {1}. Supply an argument that is "
                 "less than or equal to {1} and then try the command again.")
RANGE_ELEMENT_TYPE = ('The argument cannot be validated because its type "{0}" is not the same type ({1}) as the '
                      "maximum and minimum limits of the parameter. Make sure the argument is of type {1} and then "
                      "try the command again.")
RANGE_KIND_TEXT = {
    "Positive": 'The argument "{0}" cannot be validated because its value is not greater than zero.',
    "NonNegative": 'The argument "{0}" cannot be validated because its value is not greater than or equal to zero.',
    "Negative": 'The argument "{0}" cannot be validated because its value is not less than zero.',
    "NonPositive": 'The argument "{0}" cannot be validated because its value is not less than or equal to zero.',
}
LENGTH_TOO_SHORT = ('The character length ({1}) of the argument is too short. Specify an argument with a length that '
                    'is greater than or equal to "{0}", and then try the command again.')
LENGTH_TOO_LONG = ('The character length ({1}) of the argument is too long. Specify an argument with a length that '
                   'is shorter than or equal to "{0}", and then try the command again.')
LENGTH_NOT_STRING = ("The ValidateLength attribute cannot be applied to a parameter that is not a string or string[] "
                     "parameter. Make the parameter a string or string[] parameter.")


def case(title: str) -> pytest.MarkDecorator:
    return ps_case(VALIDATE, title)


def validation_message(parameter: str, text: str) -> str:
    return f"Cannot validate argument on parameter '{parameter}'. {text}"


def assert_validation_error(command, line: str, parameter: str, text: str | None = None) -> None:
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, line)
    assert caught.value.error_id == "ParameterArgumentValidationError"
    assert caught.value.parameter_name == parameter
    if text is not None:
        assert str(caught.value) == validation_message(parameter, text)


# --- Context "ValidateCount" ------------------------------------------------------------------------


def array_count(low: int, high: int) -> str:
    # function Test-ArrayCount { param([ValidateCount(low, high)] [string[]] $Items) }
    return f"""
name: Test-ArrayCount
parameters:
  - {{name: Items, type: 'String[]', position: 0, validate: {{count: [{low}, {high}]}}}}
"""


COUNT_TITLE = "Exception: <FullyQualifiedErrorId>:<InnerErrorId>"


@pytest.mark.parametrize(
    ("low", "high"),
    [
        pytest.param(-1, 2, marks=[case(f"{COUNT_TITLE} [ValidateCount(-1,2): ExceptionConstructingAttribute]")]),
        pytest.param(1, -1, marks=case(f"{COUNT_TITLE} [ValidateCount(1,-1): ExceptionConstructingAttribute]")),
        pytest.param(2, 1, marks=case(
            f"{COUNT_TITLE} [ValidateCount(2, 1): ValidateRangeMaxLengthSmallerThanMinLength]")),
    ],
)
def test_count_bounds_that_powershell_refuses(low, high):
    with pytest.raises(SpecError):
        spec_from_yaml(array_count(low, high))


@pytest.mark.parametrize(
    ("low", "high", "line", "text"),
    [
        pytest.param(2, 2, "Test-ArrayCount 1", COUNT_EXACT.format(2, 1),
                     marks=case(f"{COUNT_TITLE} [ValidateCount(2, 2) with 1: ValidateCountExactFailure]")),
        pytest.param(2, 3, "Test-ArrayCount 1", COUNT_MIN_MAX.format(2, 3, 1),
                     marks=case(f"{COUNT_TITLE} [ValidateCount(2, 3) with 1: ValidateCountMinMaxFailure]")),
        pytest.param(2, 3, "Test-ArrayCount 1,2,3,4", COUNT_MIN_MAX.format(2, 3, 4),
                     marks=case(f"{COUNT_TITLE} [ValidateCount(2, 3) with 1,2,3,4: ValidateCountMinMaxFailure]")),
    ],
)
def test_count_out_of_bounds(low, high, line, text):
    assert_validation_error(command_from_yaml(array_count(low, high)), line, "Items", text)


@case("No Exception: valid argument count")
def test_count_within_bounds():
    binding = bind_line(command_from_yaml(array_count(2, 4)), "Test-ArrayCount 1,2,3,4")
    assert binding.bound["Items"] == ["1", "2", "3", "4"]


# --- Context "ValidateRange - ParameterConstructors" --------------------------------------------------

RANGE_TITLE = "Exception: <FullyQualifiedErrorId>:<InnerErrorId>"


@pytest.mark.parametrize(
    "range_text",
    [
        pytest.param("xPositive", marks=case(
            f"{RANGE_TITLE} [ValidateRange('xPositive'): ExceptionConstructingAttribute]")),
        pytest.param("[2, 1]", marks=case(f"{RANGE_TITLE} [ValidateRange(2,1): MaxRangeSmallerThanMinRange]")),
        pytest.param("[one, 10]", marks=case(
            f"{RANGE_TITLE} [ValidateRange(\"one\",10): MinRangeNotTheSameTypeOfMaxRange]")),
        pytest.param("[1, two]", marks=case(
            f"{RANGE_TITLE} [ValidateRange(1,\"two\"): MinRangeNotTheSameTypeOfMaxRange]")),
    ],
)
def test_range_arguments_that_powershell_refuses(range_text):
    with pytest.raises(SpecError):
        spec_from_yaml(
            f"""
            name: Test-NumericRange
            parameters:
              - {{name: Number, type: Object, position: 0, validate: {{range: {range_text}}}}}
            """
        )


# --- Context "ValidateRange - User Defined Range" ------------------------------------------------------


def numeric_range(range_text: str, type_name: str = "Object") -> object:
    return command_from_yaml(
        f"""
        name: Test-NumericRange
        parameters:
          - {{name: Number, type: '{type_name}', position: 0, validate: {{range: {range_text}}}}}
        """
    )


@pytest.mark.parametrize(
    ("type_name", "line", "text"),
    [
        pytest.param("Int32", "Test-NumericRange -1", RANGE_TOO_SMALL.format(-1, 1),
                     marks=case(f"{RANGE_TITLE} [[int] -1: ValidateRangeTooSmall]")),
        pytest.param("Int32", "Test-NumericRange 11", RANGE_TOO_BIG.format(11, 10),
                     marks=case(f"{RANGE_TITLE} [[int] 11: ValidateRangeTooBig]")),
        pytest.param("Object", "Test-NumericRange 'one'", None,
                     marks=case(f"{RANGE_TITLE} [untyped 'one': ValidationRangeElementType]")),
        pytest.param("Object", "Test-NumericRange 'one'", RANGE_ELEMENT_TYPE.format("String", "Int32"),
                     marks=[case(f"{RANGE_TITLE} [untyped 'one': ValidationRangeElementType]")]),
    ],
)
def test_user_range_refuses(type_name, line, text):
    assert_validation_error(numeric_range("[1, 10]", type_name), line, "Number", text)


@case("No Exception: value within range [[int] 5]")
def test_user_range_accepts():
    assert bind_line(numeric_range("[1, 10]", "Int32"), "Test-NumericRange 5").bound == {"Number": 5}


# --- Context "ValidateRange - Predefined Range" (proposed syntax: range: <kind>) ----------------------------

KIND_TITLE = "Exception: <FullyQualifiedErrorId>:<InnerErrorId>, RangeType: <RangeType>"
VALID_KIND_TITLE = 'No Exception: RangeType: <RangeType> - argument "<TestValue>"'


def kind_row(kind: str, type_name: str, argument: object, label: str):
    return pytest.param(kind, type_name, argument, id=f"{kind}-{type_name}-{label}",
                        marks=[case(f"{KIND_TITLE} [{kind}, {type_name} {label}]")])


@pytest.mark.parametrize(
    ("kind", "type_name", "argument"),
    [
        kind_row("Positive", "Int32", -1, "-1"),
        kind_row("Positive", "Int32", 0, "0"),
        kind_row("Positive", "Object", "one", "'one'"),
        kind_row("NonNegative", "Int32", -1, "-1"),
        kind_row("NonNegative", "Object", "one", "'one'"),
        kind_row("Negative", "Int32", 1, "1"),
        kind_row("Negative", "Int32", 0, "0"),
        kind_row("Negative", "Object", "one", "'one'"),
        kind_row("NonPositive", "Object", 1, "1"),
        kind_row("NonPositive", "Object", "one", "'one'"),
    ],
)
def test_range_kind_refuses(kind, type_name, argument):
    with pytest.raises(ParameterBindingError) as caught:
        numeric_range(kind, type_name).bind(argument)
    assert caught.value.error_id == "ParameterArgumentValidationError"
    if argument == "one":
        # A string has no common numeric type with Int32 (ValidateRangeAttribute.GetCommonType).
        text = RANGE_ELEMENT_TYPE.format("String", "Int32")
    else:
        text = RANGE_KIND_TEXT[kind].format(argument)
    assert str(caught.value) == validation_message("Number", text)


def valid_kind_row(kind: str, type_name: str, argument: object, label: str):
    return pytest.param(kind, type_name, argument, id=f"{kind}-{type_name}-{label}",
                        marks=[case(f"{VALID_KIND_TITLE} [{kind}, {type_name} {label}]")])


@pytest.mark.parametrize(
    ("kind", "type_name", "argument"),
    [
        valid_kind_row("Positive", "Int32", 15, "15"),
        valid_kind_row("Positive", "Double", sys.float_info.max, "[double]::MaxValue"),
        valid_kind_row("NonNegative", "Int32", 0, "0"),
        valid_kind_row("NonNegative", "Int32", 15, "15"),
        valid_kind_row("NonNegative", "Double", sys.float_info.max, "[double]::MaxValue"),
        valid_kind_row("Negative", "Int32", -15, "-15"),
        valid_kind_row("Negative", "Double", -sys.float_info.max, "[double]::MinValue"),
        valid_kind_row("NonPositive", "Int32", 0, "0"),
        valid_kind_row("NonPositive", "Int32", -15, "-15"),
        valid_kind_row("NonPositive", "Double", -sys.float_info.max, "[double]::MinValue"),
    ],
)
def test_range_kind_accepts(kind, type_name, argument):
    assert numeric_range(kind, type_name).bind(argument).bound == {"Number": argument}


# --- Context "ValidateLength" ------------------------------------------------------------------------------


def string_length(low: int, high: int, type_name: str = "String", name: str = "InputString") -> object:
    return command_from_yaml(
        f"""
        name: Test-StringLength
        parameters:
          - {{name: {name}, type: '{type_name}', position: 0, validate: {{length: [{low}, {high}]}}}}
        """
    )


LENGTH_TITLE = "Exception: <FullyQualifiedErrorId>:<InnerErrorId>"


@pytest.mark.parametrize(
    ("type_name", "line", "text"),
    [
        pytest.param("String", 'Test-StringLength "a"', LENGTH_TOO_SHORT.format(2, 1),
                     marks=case(f"{LENGTH_TITLE} [\"a\": ValidateLengthMinLengthFailure]")),
        pytest.param("String", 'Test-StringLength "abcdef"', LENGTH_TOO_LONG.format(5, 6),
                     marks=case(f"{LENGTH_TITLE} [\"abcdef\": ValidateLengthMaxLengthFailure]")),
        pytest.param("Object", "Test-StringLength 123", LENGTH_NOT_STRING,
                     marks=[case(f"{LENGTH_TITLE} [untyped 123: ValidateLengthNotString]")]),
    ],
)
def test_length_refuses(type_name, line, text):
    assert_validation_error(string_length(2, 5, type_name), line, "InputString", text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(text, marks=case(f"No Exception: valid string length [\"{text}\"]"))
        for text in ("abc", "ab", "abcde")
    ],
)
def test_length_accepts(text):
    assert bind_line(string_length(2, 5), f'Test-StringLength "{text}"').bound == {"InputString": text}


@case("ValidateLength error message should be properly formatted")
@pytest.mark.parametrize(
    ("low", "high", "argument", "text"),
    [(0, 2, "11111", LENGTH_TOO_LONG.format(2, 5)), (5, 10, "123", LENGTH_TOO_SHORT.format(5, 3))],
)
def test_length_message_names_length_and_limit(low, high, argument, text):
    command = string_length(low, high, name="Value")
    assert_validation_error(command, f'Test-StringLength "{argument}"', "Value", text)


# --- Context "ValidateNotNull, ValidateNotNullOrEmpty, ValidateNotNullOrWhiteSpace and mandatory" ---------------

# MandatoryFunc, stated with its ByteArray and Default sets only: its List[byte] and
# Collection[byte] sets need generic collection types (catalog.NOT_EXPRESSIBLE).  Its
# parameters name parameter sets, so none is positional (Compiler.GetParameterMetaData).
MANDATORY_FUNC = """
    name: MandatoryFunc
    parameter_sets: [ByteArray, Default]
    parameters:
      - {name: ByteArray, type: 'Byte[]', sets: {ByteArray: {mandatory: true}}}
      - {name: Value, type: Object, sets: [Default]}
"""


def null_func(name: str, validator: str) -> object:
    return command_from_yaml(
        f"""
        name: {name}
        parameters:
          - {{name: Value, type: Object, position: 0, validate: {{{validator}: true}}}}
          - {{name: TestType, type: String, position: 1}}
        """
    )


NOT_NULL = "not_null"
NOT_NULL_OR_EMPTY = "not_null_or_empty"
NOT_NULL_OR_WHITE_SPACE = "not_null_or_white_space"
FUNCTIONS = {
    NOT_NULL: "NotNullFunc",
    NOT_NULL_OR_EMPTY: "NotNullOrEmptyFunc",
    NOT_NULL_OR_WHITE_SPACE: "NotNullOrWhiteSpaceFunc",
}

# PowerShell reads System.Management.Automation.dll (about 28 MB) into a byte[], a List[byte]
# and a Collection[byte].  A modest size keeps this a functional check; the Python
# counterparts are bytes (an immutable byte array), bytearray and a list of ints.
SIZE = 1_000_000
BYTE_VALUES = {
    "$byteArray": lambda: bytes(range(256)) * (SIZE // 256),
    "$byteList": lambda: bytearray(range(256)) * (SIZE // 256),
    "$byteCollection": lambda: list(range(256)) * (SIZE // 2560),
}
TIME_TITLE = "Validate running time '<ScriptBlock>'"


@case(f"{TIME_TITLE} [MandatoryFunc -ByteArray $byteArray]")
def test_byte_array_binds_to_byte_array_as_it_is():
    value = BYTE_VALUES["$byteArray"]()
    binding = command_from_yaml(MANDATORY_FUNC).bind(ByteArray=value)
    assert binding.parameter_set == "ByteArray"
    assert binding.bound["ByteArray"] is value


def _time_row(validator: str, variable: str):
    marks = [case(f"{TIME_TITLE} [{FUNCTIONS[validator]} -Value {variable}]")]
    return pytest.param(validator, variable, marks=marks, id=f"{FUNCTIONS[validator]}-{variable}")


@pytest.mark.parametrize(
    ("validator", "variable"),
    [_time_row(validator, variable) for validator in FUNCTIONS for variable in BYTE_VALUES],
)
def test_large_byte_collections_pass_null_validators_unchanged(validator, variable):
    value = BYTE_VALUES[variable]()
    binding = null_func(FUNCTIONS[validator], validator).bind(Value=value)
    assert binding.bound["Value"] is value


@case("Enumerator argument should work with 'ValidateNotNull', 'ValidateNotNullOrEmpty' and "
      "'ValidateNotNullOrWhiteSpace'")
@pytest.mark.parametrize(
    "validator",
    [NOT_NULL, NOT_NULL_OR_EMPTY, pytest.param(NOT_NULL_OR_WHITE_SPACE)],
)
def test_enumerator_passes_and_is_not_consumed(validator):
    # $data.GetEnumerator(): an enumerator is not a collection to these validators, and
    # validating it must leave its items for the function to read.
    enumerator = iter([1, 2, 3])
    binding = null_func(FUNCTIONS[validator], validator).bind(Value=enumerator, TestType="Enumerator")
    assert ",".join(str(item) for item in binding.bound["Value"]) == "1,2,3"


@case("'ValidateNotNull' should throw on null element of a collection argument")
@pytest.mark.parametrize(
    ("argument", "refused"),
    [
        pytest.param('@("string", $null, 2)', True),
        pytest.param('@("string", "", 2)', False),
        pytest.param("@()", False),
    ],
)
def test_not_null_and_collections(argument, refused):
    command = null_func("NotNullFunc", NOT_NULL)
    line = f"NotNullFunc -Value {argument}"
    if refused:
        assert_validation_error(command, line, "Value", (
            "The argument has a null value, or an element of the argument collection contains a null value. "
            "Provide a collection that does not contain any null values, and then try the command again."))
    else:
        bind_line(command, line)


@case("'ValidateNotNullOrEmpty' should throw on null element of a collection argument or empty collection/dictionary")
@pytest.mark.parametrize("argument", ['@("string", $null, 2)', '@("string", "", 2)', "@()", "@{}"])
def test_not_null_or_empty_and_collections(argument):
    assert_validation_error(null_func("NotNullOrEmptyFunc", NOT_NULL_OR_EMPTY),
                            f"NotNullOrEmptyFunc -Value {argument}", "Value")


@case("'ValidateNotNullOrWhiteSpace' should throw on null element of a collection argument, white-space only string "
      "element of a collection argument or empty collection/dictionary")
@pytest.mark.parametrize("argument", ['@("string", $null, 2)', '@("string", "", 2)', '@("string", " ", 2)', "@()",
                                      "@{}"])
def test_not_null_or_white_space_and_collections(argument):
    assert_validation_error(null_func("NotNullOrWhiteSpaceFunc", NOT_NULL_OR_WHITE_SPACE),
                            f"NotNullOrWhiteSpaceFunc -Value {argument}", "Value")


@case("'ValidateNotNull' should throw on a scalar null value")
def test_not_null_refuses_null():
    assert_validation_error(null_func("NotNullFunc", NOT_NULL), "NotNullFunc -Value $null", "Value", (
        "The argument is null. Provide a valid value for the argument, and then try running the command again."))


@case("'ValidateNotNullOrEmpty' should throw on a scalar null value and scalar empty string")
@pytest.mark.parametrize("argument", ["$null", '""'])
def test_not_null_or_empty_refuses_null_and_empty(argument):
    assert_validation_error(null_func("NotNullOrEmptyFunc", NOT_NULL_OR_EMPTY),
                            f"NotNullOrEmptyFunc -Value {argument}", "Value", (
                                "The argument is null or empty. Provide an argument that is not null or empty, and "
                                "then try the command again."))


@case("'ValidateNotNullOrWhiteSpace' should throw on a scalar null value, scalar empty string and scalar white-space "
      "string")
@pytest.mark.parametrize("argument", ["$null", '""', '" "'])
def test_not_null_or_white_space_refuses_blank(argument):
    text = ("The argument is null or empty. Provide an argument that is not null or empty, and then try the "
            "command again.") if argument == "$null" else (
        "The argument is null, empty, or consists of only white-space characters. Provide an argument that contains "
        "non white-space characters, and then try the command again.")
    assert_validation_error(null_func("NotNullOrWhiteSpaceFunc", NOT_NULL_OR_WHITE_SPACE),
                            f"NotNullOrWhiteSpaceFunc -Value {argument}", "Value", text)


@case("Mandatory parameter should throw on empty collection")
@pytest.mark.parametrize(
    "how",
    [
        pytest.param("byte[]"),
        pytest.param("line @()"),
    ],
)
def test_mandatory_byte_array_refuses_an_empty_array(how):
    command = command_from_yaml(MANDATORY_FUNC)
    with pytest.raises(ParameterBindingError) as caught:
        if how == "byte[]":
            command.bind(ByteArray=b"")
        else:
            bind_line(command, "MandatoryFunc -ByteArray @()")
    assert caught.value.error_id == "ParameterArgumentValidationErrorEmptyArrayNotAllowed"
    assert str(caught.value) == "Cannot bind argument to parameter 'ByteArray' because it is an empty array."

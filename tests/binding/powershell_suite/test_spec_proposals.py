"""Cases of the spec features of SPEC_PROPOSALS.md (proposed, then implemented by issue 13), beyond the translated tests.

Each states one rule of the PowerShell feature it copies (the C# that defines it is named in
the ``spec_proposal`` marker), written with the spec syntax the feature has.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from ._support import ParameterBindingError, SpecError, bind_line, command_from_yaml, declared_type, spec_from_yaml
from .marks import F_ENUM_VALUES, F_RANGE_KINDS, F_REMAINING, F_WHITE_SPACE, f_type, proposal

CONTROLLER = "src/System.Management.Automation/engine/CmdletParameterBinderController.cs"
POSITIONS = "src/System.Management.Automation/engine/ParameterBinderController.cs"
ATTRIBUTES = "src/System.Management.Automation/engine/Attributes.cs"
PRIMITIVES = "src/System.Management.Automation/engine/LanguagePrimitives.cs"
BINDER_BASE = "src/System.Management.Automation/engine/ParameterBinderBase.cs"

# --- remaining_arguments ----------------------------------------------------------------------------------------

REMAINING_CASE = proposal(F_REMAINING, CONTROLLER + ": HandleRemainingArguments")

REST = """
    name: Invoke-Rest
    parameters:
      - {name: First, type: String, position: 0}
      - {name: Rest, type: 'Object[]', remaining_arguments: true}
      - {name: Flag, type: Switch}
"""


@REMAINING_CASE
@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("Invoke-Rest a b c", ["b", "c"]),
        ("Invoke-Rest a -x b", ["-x", "b"]),  # an unknown name is kept as written
        ("Invoke-Rest a -x:b", ["-x:", "b"]),  # with a colon: the name with its colon, then the value
        ("Invoke-Rest a b -Flag c", ["b", "c"]),  # known parameters still bind where they stand
    ],
)
def test_remaining_arguments_collect_in_order(line, rest):
    assert list(bind_line(command_from_yaml(REST), line).bound["Rest"]) == rest


@REMAINING_CASE
def test_nothing_left_leaves_the_parameter_unbound():
    assert dict(bind_line(command_from_yaml(REST), "Invoke-Rest a").bound) == {"First": "a"}


@REMAINING_CASE
def test_remaining_parameter_can_be_named():
    binding = bind_line(command_from_yaml(REST), "Invoke-Rest a -Rest 1,2")
    assert list(binding.bound["Rest"]) == [1, 2]


@REMAINING_CASE
def test_one_collection_left_is_unwrapped():
    assert list(bind_line(command_from_yaml(REST), "Invoke-Rest a 1,2,3").bound["Rest"]) == [1, 2, 3]


@proposal(F_REMAINING, POSITIONS + ": EvaluateUnboundPositionalParameters skips ValueFromRemainingArguments")
def test_remaining_parameter_takes_no_position():
    command = command_from_yaml(
        """
        name: Invoke-Rest
        parameters:
          - {name: Rest, type: 'String[]', position: 0, remaining_arguments: true}
        """
    )
    assert list(bind_line(command, "Invoke-Rest 1 2 3").bound["Rest"]) == ["1", "2", "3"]


@REMAINING_CASE
def test_remaining_values_convert_to_the_element_type():
    command = command_from_yaml(
        """
        name: Invoke-Rest
        parameters:
          - {name: Numbers, type: 'Int32[]', remaining_arguments: true}
        """
    )
    assert list(bind_line(command, "Invoke-Rest '1' '2'").bound["Numbers"]) == [1, 2]


@REMAINING_CASE
def test_python_keyword_naming_nothing_is_collected_like_a_splatted_key():
    binding = command_from_yaml(REST).bind("a", extra="x")
    assert list(binding.bound["Rest"]) == ["-extra:", "x"]


@REMAINING_CASE
def test_remaining_arguments_per_set():
    command = command_from_yaml(
        """
        name: Invoke-Rest
        default_parameter_set: Collect
        parameter_sets: [Collect, Strict]
        parameters:
          - {name: Name, type: String, position: 0}
          - {name: Rest, type: 'Object[]', sets: {Collect: {remaining_arguments: true}}}
          - {name: Exact, type: Switch, sets: [Strict]}
        """
    )
    assert list(bind_line(command, "Invoke-Rest a b").bound["Rest"]) == ["b"]
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "Invoke-Rest a b -Exact")
    assert caught.value.error_id == "PositionalParameterNotFound"


@REMAINING_CASE
def test_two_remaining_parameters_in_one_set_are_ambiguous_when_used():
    command = command_from_yaml(
        """
        name: Invoke-Rest
        parameters:
          - {name: One, type: 'Object[]', remaining_arguments: true}
          - {name: Two, type: 'Object[]', remaining_arguments: true}
        """
    )
    assert dict(command.bind().bound) == {}
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "Invoke-Rest x")
    assert caught.value.error_id == "AmbiguousParameterSet"


# --- not_null_or_white_space -------------------------------------------------------------------------------------

WHITE = """
    name: Set-Label
    parameters:
      - {name: Label, type: Object, position: 0, validate: {not_null_or_white_space: true}}
"""


@proposal(F_WHITE_SPACE, ATTRIBUTES + ": ValidateNotNullOrAttributeBase.Validate")
@pytest.mark.parametrize(("value", "ok"), [("\t\n", False), (" a ", True), (["a", "b"], True), ({"k": 1}, True),
                                            ([1, None], False)])
def test_white_space_rule(value, ok):
    command = command_from_yaml(WHITE)
    if ok:
        assert command.bind(value).bound == {"Label": value}
    else:
        with pytest.raises(ParameterBindingError) as caught:
            command.bind(value)
        assert caught.value.error_id == "ParameterArgumentValidationError"


@proposal(F_WHITE_SPACE, ATTRIBUTES + ": ValidateNotNullOrWhiteSpaceAttribute")
def test_white_space_flag_takes_true_only():
    spec_from_yaml(WHITE)
    with pytest.raises(SpecError):
        spec_from_yaml(WHITE.replace("not_null_or_white_space: true", "not_null_or_white_space: 1"))


# --- range kinds ----------------------------------------------------------------------------------------------------


@proposal(F_RANGE_KINDS, ATTRIBUTES + ": ValidateRangeAttribute(ValidateRangeKind)")
@pytest.mark.parametrize("kind", ["positive", "NONNEGATIVE"])
def test_range_kind_names_ignore_case(kind):
    command = command_from_yaml(
        f"""
        name: Set-Size
        parameters:
          - {{name: Size, type: Int32, position: 0, validate: {{range: {kind}}}}}
        """
    )
    assert command.bind(5).bound == {"Size": 5}


@proposal(F_RANGE_KINDS, ATTRIBUTES + ": ValidateRangeAttribute.ValidateRange(object, ValidateRangeKind)")
def test_range_kind_checks_each_element():
    command = command_from_yaml(
        """
        name: Set-Size
        parameters:
          - {name: Sizes, type: 'Int32[]', position: 0, validate: {range: Positive}}
        """
    )
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "Set-Size 1,0")
    assert str(caught.value) == (
        "Cannot validate argument on parameter 'Sizes'. The argument \"0\" cannot be validated because its value "
        "is not greater than zero.")


# --- allow_* flags (exist today) -------------------------------------------------------------------------------------


@proposal("AllowNull / AllowEmptyString / AllowEmptyCollection (exist: validate: {allow_null: true} ...)",
          BINDER_BASE + ": ValidateNullOrEmptyArgument")
@pytest.mark.parametrize(("flag", "type_name", "value"), [("allow_null", "Object", None),
                                                           ("allow_empty_string", "String", ""),
                                                           ("allow_empty_collection", "'String[]'", [])])
def test_allow_flags_exist_under_validate(flag, type_name, value):
    command = command_from_yaml(
        f"""
        name: Set-Value
        parameters:
          - {{name: Value, type: {type_name}, mandatory: true, position: 0, validate: {{{flag}: true}}}}
        """
    )
    assert command.bind(value).bound == {"Value": value}


# --- types kept as declared ----------------------------------------------------------------------------------------


def one_parameter(type_name: str) -> str:
    return f"""
name: Set-Typed
parameters:
  - {{name: Value, type: '{type_name}', position: 0}}
"""


@proposal(f_type("DateTime"), PRIMITIVES + ": ConvertTo System.DateTime (invariant culture)")
@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("'2024-01-02'", datetime.datetime(2024, 1, 2)),
        ("'2024-01-02T03:04:05'", datetime.datetime(2024, 1, 2, 3, 4, 5)),
    ],
)
def test_datetime_from_text(argument, expected):
    command = command_from_yaml(one_parameter("DateTime"))
    assert bind_line(command, f"Set-Typed {argument}").bound == {"Value": expected}


@proposal(f_type("DateTime"), PRIMITIVES + ": ConvertTo System.DateTime")
def test_datetime_object_binds_as_it_is_and_bad_text_fails():
    command = command_from_yaml(one_parameter("DateTime"))
    moment = datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)
    assert command.bind(moment).bound["Value"] is moment
    assert declared_type(command, "Value") == "DateTime"
    with pytest.raises(ParameterBindingError) as caught:
        command.bind("not a date")
    assert caught.value.error_id == "ParameterArgumentTransformationError"
    assert 'Cannot convert value "not a date" to type "System.DateTime".' in str(caught.value)


@pytest.mark.parametrize(
    ("type_name", "good", "bad"),
    [
        pytest.param("UInt32", [0, 4294967295, "1kb"], [-1, 4294967296],
                     marks=[proposal(f_type("UInt32"), PRIMITIVES)]),
        pytest.param("UInt64", [0, 18446744073709551615], [-1, 18446744073709551616],
                     marks=[proposal(f_type("UInt64"), PRIMITIVES)]),
    ],
)
def test_unsigned_integers(type_name, good, bad):
    command = command_from_yaml(one_parameter(type_name))
    for value in good:
        bound = command.bind(value).bound["Value"]
        assert bound == (1024 if value == "1kb" else value)
    for value in bad:
        with pytest.raises(ParameterBindingError) as caught:
            command.bind(value)
        assert caught.value.error_id == "ParameterArgumentTransformationError"
        assert f"Value was either too large or too small for a {type_name}." in str(caught.value)


@proposal(f_type("Single, Double"), PRIMITIVES)
@pytest.mark.parametrize("type_name", ["Single", "Double"])
def test_floating_types_exist(type_name):
    command = command_from_yaml(one_parameter(type_name))
    assert command.bind("1.5").bound == {"Value": 1.5}
    assert declared_type(command, "Value") == type_name


@pytest.mark.parametrize(
    "type_name",
    [
        pytest.param("Float", marks=[proposal(f_type("Float"), "PowerShell type accelerator [float] = System.Single")]),
        pytest.param("Hashtable", marks=[proposal(f_type("Hashtable"), "System.Collections.Hashtable")]),
        pytest.param("PSObject", marks=[proposal(f_type("PSObject"), "System.Management.Automation.PSObject")]),
        pytest.param("PSCustomObject", marks=[proposal(f_type("PSCustomObject"),
                                                       "type accelerator [pscustomobject] = PSObject")]),
    ],
)
def test_declared_type_name_is_kept(type_name):
    command = command_from_yaml(one_parameter(type_name))
    assert declared_type(command, "Value") == type_name


@proposal(f_type("Hashtable"), PRIMITIVES + ": ConvertTo System.Collections.Hashtable")
def test_hashtable_takes_a_mapping_and_refuses_an_object():
    command = command_from_yaml(one_parameter("Hashtable"))
    assert command.bind({"a": 1}).bound == {"Value": {"a": 1}}
    with pytest.raises(ParameterBindingError) as caught:
        command.bind(SimpleNamespace(a=1))
    assert caught.value.error_id == "ParameterArgumentTransformationError"


@proposal(f_type("PSCustomObject"), BINDER_BASE + ": CoerceTypeAsNeeded (PSObject takes anything)")
@pytest.mark.parametrize("value", [SimpleNamespace(a=1), {"a": 1}, "text", 5])
def test_pscustomobject_parameter_takes_anything(value):
    assert command_from_yaml(one_parameter("PSCustomObject")).bind(value).bound["Value"] is value


@proposal(f_type("Byte[]"), BINDER_BASE + ": CoerceTypeAsNeeded")
@pytest.mark.parametrize("value", [b"\x00\x01\xff", bytearray(b"\x00\x01\xff")], ids=["bytes", "bytearray"])
def test_byte_array_takes_bytes_as_they_are(value):
    assert command_from_yaml(one_parameter("Byte[]")).bind(value).bound["Value"] is value


@proposal(f_type("Byte[]"), BINDER_BASE + ": CoerceTypeAsNeeded / EncodeCollection")
def test_byte_array_converts_a_list_of_numbers():
    assert command_from_yaml(one_parameter("Byte[]")).bind([0, "1", 255]).bound["Value"] == [0, 1, 255]


# --- enums with values and flags --------------------------------------------------------------------------------------

LEVELS = """
    name: Set-Level
    enums:
      Level: {values: {Low: 1, High: 10}}
    parameters:
      - {name: Level, type: Level, position: 0}
"""
ACCESS = """
    name: Set-Access
    enums:
      Access: {flags: true, values: {Read: 1, Write: 2}}
    parameters:
      - {name: Access, type: Access, position: 0}
"""


@proposal(F_ENUM_VALUES, PRIMITIVES + ": ConvertIntegerToEnum / EnumSingleTypeConverter")
@pytest.mark.parametrize(("argument", "name", "number"), [(10, "High", 10), ("'high'", "High", 10), (1, "Low", 1)])
def test_enum_value_by_number_or_name(argument, name, number):
    bound = bind_line(command_from_yaml(LEVELS), f"Set-Level {argument}").bound["Level"]
    assert bound == name
    assert str(bound) == name
    assert int(bound) == number


@proposal(F_ENUM_VALUES, PRIMITIVES + ": EnumSingleTypeConverter.ThrowForUndefinedEnum")
@pytest.mark.parametrize("argument", ["2", "'Low,High'"])
def test_enum_refuses_undefined_numbers_and_commas(argument):
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command_from_yaml(LEVELS), f"Set-Level {argument}")
    assert caught.value.error_id == "ParameterArgumentTransformationError"


@proposal(F_ENUM_VALUES, PRIMITIVES + ": EnumSingleTypeConverter (flags)")
@pytest.mark.parametrize("argument", ["'Read,Write'", "3", "Read,Write"])
def test_flags_enum_combines_values(argument):
    bound = bind_line(command_from_yaml(ACCESS), f"Set-Access {argument}").bound["Access"]
    assert int(bound) == 3
    assert str(bound) == "Read, Write"


@proposal(F_ENUM_VALUES, "enums: list form, values 0..n-1 (exists today)")
def test_enum_list_form_exists():
    command = command_from_yaml(
        """
        name: Set-Color
        enums:
          Color: [Red, Green]
        parameters:
          - {name: Color, type: Color, position: 0}
        """
    )
    assert bind_line(command, "Set-Color green").bound == {"Color": "Green"}
    assert command.bind(1).bound == {"Color": "Green"}

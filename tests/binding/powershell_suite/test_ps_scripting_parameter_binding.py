"""Translated from test/powershell/Language/Scripting/ParameterBinding.Tests.ps1.

Each PowerShell function becomes a spec.  Rules of PowerShell used in writing the specs:

* A function with [CmdletBinding()] or any [Parameter()] attribute is an advanced function.
* When no parameter states a Position or a ParameterSetName, PowerShell numbers the
  parameters that are not switches in declaration order, for simple and advanced functions
  alike (Compiler.GetParameterMetaData); otherwise only the stated positions exist.
* An untyped parameter is [object] (spec type ``Object``).

Cases whose function needs ValueFromRemainingArguments, or an enum with values, use the
syntax of SPEC_PROPOSALS.md (``remaining_arguments``, ``enums: {Name: {flags: true, values: ...}}``).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ._support import ParameterBindingError, SpecError, bind_line, command_from_yaml, spec_from_yaml
from .marks import SCRIPTING_PB, ps_case


def case(title: str) -> pytest.MarkDecorator:
    return ps_case(SCRIPTING_PB, title)


# --- Context 'Test of Mandatory parameters' -----------------------------------------------

MANDATORY_A = """
    name: get-foo
    parameters:
      - {name: a, type: Object, mandatory: true, position: 0}
"""


@case("Mandatory parameters used in non-interactive host")
def test_missing_mandatory_without_a_prompting_host_is_an_error():
    # A host that cannot prompt turns the missing value into MissingMandatoryParameter
    # (CmdletParameterBinderController.PromptForMissingMandatoryParameters); we never prompt.
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command_from_yaml(MANDATORY_A), "get-foo")
    assert caught.value.error_id == "MissingMandatoryParameter"
    assert str(caught.value) == "Cannot process command because of one or more missing mandatory parameters: a."


# --- positional parameters ------------------------------------------------------------------


@case("Test of positional parameters")
@pytest.mark.parametrize(("line", "expected"), [("get-foo a", "a"), ("get-foo -a b", "b")])
def test_advanced_function_numbers_parameters_in_order(line, expected):
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: a, type: Object, position: 0}
        """
    )
    assert bind_line(command, line).bound == {"a": expected}


@pytest.mark.parametrize(
    "position",
    [
        pytest.param(1, marks=case("Positional parameters when only one position specified: position = 1")),
        pytest.param(2, marks=case("Positional parameters when only position specified: position = 2")),
    ],
)
def test_a_lone_position_takes_the_first_positional_argument(position):
    command = command_from_yaml(
        f"""
        name: get-foo
        parameters:
          - {{name: a, type: Object, position: {position}}}
        """
    )
    assert bind_line(command, "get-foo b").bound == {"a": "b"}


@case("Multiple positional parameters case 1")
@pytest.mark.parametrize(
    "line", ["get-foo c d", "get-foo -a c d", "get-foo -a c -b d", "get-foo -b d c", "get-foo c -b d"]
)
def test_positions_fill_in_order_around_named_arguments(line):
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: a, type: Object, position: 1}
          - {name: b, type: Object, position: 2}
        """
    )
    assert dict(bind_line(command, line).bound) == {"a": "c", "b": "d"}


@case("Multiple positional parameters case 2:  the parameters are put in different order?")
def test_positions_not_declaration_order_decide():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: a, type: Object, position: 2}
          - {name: b, type: Object, position: 1}
        """
    )
    assert dict(bind_line(command, "get-foo c d").bound) == {"a": "d", "b": "c"}


# --- pipeline input ---------------------------------------------------------------------------


@case("Value from pipeline")
def test_each_record_binds_by_value():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: a, type: Object, position: 0, pipeline: [ByValue]}
        """
    )
    bindings = command.bind_pipeline(list(range(1, 11)))
    assert [b.bound["a"] for b in bindings] == list(range(1, 11))


@case("Value from pipeline by property name")
def test_each_record_binds_by_property_name():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: foo, type: Object, position: 0, pipeline: [ByPropertyName]}
        """
    )
    # Select-Object @{name='foo'; expression={$_ * 10}} makes custom objects with a foo property.
    records = [SimpleNamespace(foo=n * 10) for n in range(1, 11)]
    assert [b.bound["foo"] for b in command.bind_pipeline(records)] == list(range(10, 101, 10))


# --- ValueFromRemainingArguments -----------------------------------------------------------------

REMAINING_A_FOO = """
    name: get-foo
    parameters:
      - {name: a, type: Object, position: 1}
      - {name: foo, type: Object, remaining_arguments: true}
"""


@case("Value from remaining arguments")
@pytest.mark.parametrize(
    ("line", "a", "foo"),
    [
        ("get-foo a b c d", "a", ["b", "c", "d"]),
        ("get-foo a b -a c d", "c", ["a", "b", "d"]),
        # -q names no parameter: its text is collected with the values
        ("get-foo a b -a c -q d", "c", ["a", "b", "-q", "d"]),
    ],
)
def test_remaining_arguments_collect_what_nothing_else_took(line, a, foo):
    binding = bind_line(command_from_yaml(REMAINING_A_FOO), line)
    assert binding.bound["a"] == a
    assert list(binding.bound["foo"]) == foo


def _two_sets_with_remaining(default_set: str | None) -> str:
    default = f"default_parameter_set: {default_set}\n" if default_set else ""
    return f"""
name: get-foo
{default}parameter_sets: [set1, set2]
parameters:
  - {{name: a, type: Object, sets: {{set1: {{position: 1}}}}}}
  - {{name: b, type: Object, sets: {{set2: {{position: 1}}}}}}
  - {{name: foo, type: Object, remaining_arguments: true}}
"""


@case("Multiple parameter sets with Value from remaining arguments")
def test_remaining_arguments_with_two_named_sets_is_ambiguous():
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command_from_yaml(_two_sets_with_remaining(None)), "get-foo -a a -b b c d")
    assert caught.value.error_id == "AmbiguousParameterSet"


@case("Multiple parameter sets with Value from remaining arguments")
@pytest.mark.parametrize(
    ("line", "expected"),
    [("get-foo -a a b c d", ["b", "c", "d"]), ("get-foo -b b a c d", ["a", "c", "d"])],
)
def test_remaining_arguments_after_a_named_set_member(line, expected):
    binding = bind_line(command_from_yaml(_two_sets_with_remaining(None)), line)
    assert list(binding.bound["foo"]) == expected


@pytest.mark.parametrize(
    ("default_set", "bound_a", "bound_b"),
    [
        pytest.param("set1", "a", None,
                     marks=[case("Default parameter set with value from remaining arguments case 1")]),
        pytest.param("set2", None, "a",
                     marks=[case("Default parameter set with value from remaining argument case 2")]),
    ],
)
def test_default_set_takes_the_shared_position(default_set, bound_a, bound_b):
    binding = bind_line(command_from_yaml(_two_sets_with_remaining(default_set)), "get-foo a b c d")
    assert binding.bound.get("a") == bound_a
    assert binding.bound.get("b") == bound_b
    assert list(binding.bound["foo"]) == ["b", "c", "d"]
    assert binding.parameter_set == default_set


# --- parameter-set count limit ------------------------------------------------------------------


def _many_sets(count: int) -> str:
    names = ", ".join(f"set{i}" for i in range(1, count + 1))
    parameters = "\n".join(f"  - {{name: a{i}, type: Object, sets: [set{i}]}}" for i in range(1, count + 1))
    return f"name: Invoke-ManySets\nparameter_sets: [{names}]\nparameters:\n{parameters}\n"


@case("Too many parameter sets defined")
def test_thirty_two_sets_work():
    binding = bind_line(command_from_yaml(_many_sets(32)), "Invoke-ManySets -a1 123")
    assert binding.parameter_set == "set1"
    assert binding.bound == {"a1": 123}


@case("Too many parameter sets defined")
def test_thirty_three_sets_are_refused():
    with pytest.raises(SpecError):
        spec_from_yaml(_many_sets(33))


# --- aliases, script blocks, simple functions -------------------------------------------------------


@case("Alias are specified for parameters")
def test_alias_names_the_parameter():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: a, type: Object, mandatory: true, position: 0, aliases: [foo, bar]}
        """
    )
    assert bind_line(command, "get-foo -foo b").bound == {"a": "b"}


@case("Invoking with script block")
def test_script_block_param_block_binds_like_a_function():
    # . { param([Parameter(position=2)] $a, [Parameter(position=1)] $b); $a; $b } a b
    command = command_from_yaml(
        """
        name: Invoke-ScriptBlockLiteral
        parameters:
          - {name: a, type: Object, position: 2}
          - {name: b, type: Object, position: 1}
        """
    )
    binding = bind_line(command, "Invoke-ScriptBlockLiteral a b")
    assert binding.bound["a"] == "b"
    assert binding.bound["b"] == "a"


@case("Normal functions")
def test_simple_function_parameters_are_positional_in_order():
    # function foo ($a, $b) {$b, $a}
    command = command_from_yaml(
        """
        name: foo
        parameters:
          - {name: a, type: Object, position: 0}
          - {name: b, type: Object, position: 1}
        """
    )
    assert dict(bind_line(command, "foo a b").bound) == {"a": "a", "b": "b"}


# --- mandatory parameters and null / empty values -----------------------------------------------------


def _mandatory(type_name: str, flag: str | None = None) -> str:
    validate = f", validate: {{{flag}: true}}" if flag else ""
    return f"""
name: get-foo
parameters:
  - {{name: a, type: '{type_name}', mandatory: true, position: 0{validate}}}
"""


@pytest.mark.parametrize(
    ("type_name", "argument", "error_id", "message"),
    [
        pytest.param("Object", "$null", "ParameterArgumentValidationErrorNullNotAllowed",
                     "Cannot bind argument to parameter 'a' because it is null.",
                     marks=[case("Null is not Allowed when AllowNull attribute is not set")]),
        pytest.param("String", "''", "ParameterArgumentValidationErrorEmptyStringNotAllowed",
                     "Cannot bind argument to parameter 'a' because it is an empty string.",
                     marks=[case("Empty string is not allowed AllowEmptyString Attribute is not set")]),
        pytest.param("String[]", "@()", "ParameterArgumentValidationErrorEmptyArrayNotAllowed",
                     "Cannot bind argument to parameter 'a' because it is an empty array.",
                     marks=[case("Empty collection is not allowed when AllowEmptyCollection it not set")]),
    ],
)
def test_mandatory_parameter_refuses_null_and_empty(type_name, argument, error_id, message):
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command_from_yaml(_mandatory(type_name)), f"get-foo -a {argument}")
    assert caught.value.error_id == error_id
    assert caught.value.parameter_name == "a"
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("type_name", "flag", "argument", "expected"),
    [
        pytest.param("Object", "allow_null", "$null", None,
                     marks=case("Null is allowed when Allownull attribute is set")),
        pytest.param("String", "allow_empty_string", "''", "",
                     marks=case("Empty string is allowed when AllowEmptyString Attribute is set")),
        pytest.param("String[]", "allow_empty_collection", "@()", [],
                     marks=case("Empty collection is allowed when allowEmptyCollection is set")),
    ],
)
def test_allow_attributes_let_null_and_empty_through(type_name, flag, argument, expected):
    binding = bind_line(command_from_yaml(_mandatory(type_name, flag)), f"get-foo -a {argument}")
    assert binding.bound == {"a": expected}


# --- bool parameters and pipeline binding ----------------------------------------------------------------


@case("Unspecified non-mandatory bool should not cause exception")
def test_unbound_bool_is_left_alone():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: a, type: Object, mandatory: true, position: 0, pipeline: [ByValue]}
          - {name: b, type: Boolean}
        """
    )
    (binding,) = bind_line(command, "42 | get-foo")
    assert dict(binding.bound) == {"a": 42}


@case("Parameter binding failure on Parameter1 should not cause parameter binding failure on Length")
def test_string_record_binds_its_length_by_property_name():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: Parameter1, type: Int32, position: 0, default: 10, pipeline: [ByValue]}
          - {name: Length, type: Int32, position: 1, default: 100, pipeline: [ByPropertyName]}
        """
    )
    (binding,) = bind_line(command, "'abc' | get-foo")
    assert dict(binding.bound) == {"Length": 3}


@case("Binding array of string to array of bool should fail (cmdletbinding)")
def test_strings_do_not_convert_to_bool_elements():
    command = command_from_yaml(
        """
        name: get-foo
        parameters:
          - {name: Parameter, type: 'Boolean[]', position: 0}
        """
    )
    with pytest.raises(ParameterBindingError) as caught:
        bind_line(command, "get-foo 'a','b'")
    assert caught.value.error_id == "ParameterArgumentTransformationError"


# --- Context 'Default value conversion tests' ---------------------------------------------------------------

MEMBER_TYPES = {
    "Constructor": 1, "Event": 2, "Field": 4, "Method": 8, "Property": 16,
    "TypeInfo": 32, "Custom": 64, "NestedType": 128, "All": 191,
}


def _member_types_spec(*, with_values: bool, default: bool) -> str:
    if with_values:
        values = ", ".join(f"{name}: {value}" for name, value in MEMBER_TYPES.items())
        enum = f"MemberTypes: {{flags: true, values: {{{values}}}}}"
    else:
        enum = "MemberTypes: [" + ", ".join(MEMBER_TYPES) + "]"
    default_text = f", default: '{','.join(MEMBER_TYPES)}'" if default else ""
    return f"""
name: get-foo
enums:
  {enum}
parameters:
  - {{name: memberTypes, type: MemberTypes, position: 0{default_text}}}
"""


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("simple", marks=case(
            "Parameter default value is converted correctly to the proper type when nothing is set on parameter")),
        pytest.param("advanced", marks=case(
            "Parameter default value is converted correctly to the proper type when CmdletBinding is set on param")),
    ],
)
def test_flags_enum_default_converts_to_the_enum(title):
    # [Enum]::GetNames(MemberTypes) -join "," converts to every flag: 255.
    binding = command_from_yaml(_member_types_spec(with_values=True, default=True)).bind()
    assert int(binding["memberTypes"]) == 255


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("advanced", marks=case(
            "No default value specified should not cause error when parameter attribute is set on the parameter")),
        pytest.param("simple", marks=case(
            "No default value specified should not cause error when nothing is set on parameter")),
    ],
)
def test_enum_parameter_without_default_stays_unbound(title):
    binding = command_from_yaml(_member_types_spec(with_values=False, default=False)).bind()
    assert "memberTypes" not in binding
    assert binding.get("memberTypes") is None


def _range_with_default(default: str) -> str:
    return f"""
name: get-foo
parameters:
  - {{name: p, type: Object, position: 0, validate: {{range: [1, 42]}}{default}}}
"""


@pytest.mark.parametrize(
    ("default", "expected"),
    [
        pytest.param(", default: 55", 55, marks=case(
            "Validation attributes should not run on default values when nothing is set on the parameter")),
        pytest.param(", default: 55", 55, marks=case(
            "Validation attributes should not run on default values when CmdletBinding is set on the parameter")),
        pytest.param("", None, marks=case("Validation attributes should not run on default values")),
        pytest.param("", None, marks=case(
            "Validation attributes should not run on default values when CmdletBinding is set")),
    ],
)
def test_validation_does_not_run_on_defaults(default, expected):
    binding = command_from_yaml(_range_with_default(default)).bind()
    assert binding.bound == {}
    assert binding.get("p") == expected

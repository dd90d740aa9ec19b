"""PowerShell's binding rules, one by one, on Get-ThreadRun (argument tokens built by hand)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pyopenai_ps import ParameterBindingError, SecureString
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.pslang.parser import ParameterToken
from pyopenai_ps.spec.load import load_spec_text


def P(name: str, argument=None, *, attached: bool = False) -> ParameterToken:
    """A ``-Name`` token; with ``attached`` it is ``-Name:argument``."""
    if attached:
        return ParameterToken(name, argument)
    return ParameterToken(name)


def fails(command, *args, error_id: str, parameter=..., **kwargs) -> ParameterBindingError:
    with pytest.raises(ParameterBindingError) as info:
        command.bind(*args, **kwargs)
    assert info.value.error_id == error_id, str(info.value)
    if parameter is not ...:
        assert info.value.parameter_name == parameter
    return info.value


# --- rule 1: names ---------------------------------------------------------------------------


class TestNames:
    def test_exact_name_any_case(self, gtr):
        b = gtr.bind(P("rUnId"), "run_1", P("INPUTOBJECT"), "thread_1")
        assert b.parameter_set == "Get"
        assert b.bound == {"RunId": "run_1", "InputObject": "thread_1"}

    @pytest.mark.parametrize("alias, canonical", [("Thread", "InputObject"), ("thread_id", "InputObject"),
                                                  ("run_id", "RunId"), ("OrgId", "Organization")])
    def test_aliases(self, gtr, alias, canonical):
        b = gtr.bind(P(alias), "thread_1" if canonical == "InputObject" else "x", P("Thread") if canonical != "InputObject" else P("All"), *(["thread_1"] if canonical != "InputObject" else []))
        assert canonical in b.bound

    def test_unique_prefix(self, gtr):
        b = gtr.bind(P("Th"), "thread_1", P("Lim"), 5)
        assert b.bound == {"InputObject": "thread_1", "Limit": 5}

    def test_prefix_of_alias(self, gtr):
        b = gtr.bind(P("thread_"), "thread_1")
        assert b.bound["InputObject"] == "thread_1"

    def test_prefix_preferring_the_one_non_common_parameter(self, gtr):
        # -I matches InputObject, InformationAction, InformationVariable; only InputObject is the cmdlet's own.
        assert gtr.bind(P("I"), "thread_1").bound == {"InputObject": "thread_1"}

    def test_ambiguous_prefix_lists_the_candidates(self, gtr):
        err = fails(gtr, P("O"), "x", "thread_1", error_id="AmbiguousParameter", parameter="O")
        assert str(err) == (
            "Parameter cannot be processed because the parameter name 'O' is ambiguous. "
            "Possible matches include: -Order -Organization."
        )

    def test_ambiguous_between_common_parameters_only(self, gtr):
        err = fails(gtr, "thread_1", P("Warn"), "x", error_id="AmbiguousParameter")
        assert "-WarningAction -WarningVariable" in str(err)

    def test_unknown_name(self, gtr):
        err = fails(gtr, P("Foo"), "x", error_id="NamedParameterNotFound", parameter="Foo")
        assert str(err) == "A parameter cannot be found that matches parameter name 'Foo'."

    def test_missing_argument_at_end(self, gtr):
        err = fails(gtr, "thread_1", P("Limit"), error_id="MissingArgument", parameter="Limit")
        assert str(err) == "Missing an argument for parameter 'Limit'. Specify a parameter of type 'System.Int32' and try again."

    def test_missing_argument_before_another_parameter(self, gtr):
        fails(gtr, P("RunId"), P("Thread"), "thread_1", error_id="MissingArgument", parameter="RunId")

    def test_common_parameters_match_by_name_and_alias(self, gtr):
        b = gtr.bind("thread_1", P("vb"), P("ea"), "stop", P("Debug"))
        assert b.bound["Verbose"] is True and b.bound["Debug"] is True
        assert b.bound["ErrorAction"] == "Stop"
        assert b.parameter_set == "List"  # common parameters never decide a set

    def test_hidden_parameters_still_bind(self, gtr):
        b = gtr.bind("thread_1", P("All"), P("After"), "run_9")
        assert b.bound["After"] == "run_9"


# --- rule 1, Python keywords ------------------------------------------------------------------


class TestKeywords:
    def test_aliases_and_underscores(self, gtr):
        b = gtr.bind(thread_id="thread_1", run_id="run_1", max_retry_count=3, timeout_sec=5)
        assert b.parameter_set == "Get"
        assert b.bound == {"InputObject": "thread_1", "RunId": "run_1", "MaxRetryCount": 3, "TimeoutSec": 5}

    def test_keyword_prefix_and_case(self, gtr):
        b = gtr.bind(THREAD="thread_1", max_retry=2, ord="desc")
        assert b.bound == {"InputObject": "thread_1", "MaxRetryCount": 2, "Order": "desc"}

    def test_none_means_not_given(self, gtr):
        b = gtr.bind(thread="thread_1", run_id=None, limit=None)
        assert b.parameter_set == "List" and "RunId" not in b.bound and b["Limit"] == 20

    def test_unknown_keyword(self, gtr):
        fails(gtr, error_id="NamedParameterNotFound", parameter="colour", colour="red")

    def test_keyword_and_token_for_the_same_parameter(self, gtr):
        fails(gtr, P("Thread"), "thread_1", error_id="ParameterAlreadyBound", parameter="InputObject", thread_id="thread_2")


# --- rule 2: -Name:value and switches ----------------------------------------------------------


class TestSwitches:
    def test_attached_value(self, gtr):
        assert gtr.bind(P("Limit", 7, attached=True), "thread_1").bound["Limit"] == 7

    def test_switch_false_with_colon(self, gtr):
        # -All:$false binds False; All is still bound, so the set is ListAll (as in PowerShell).
        b = gtr.bind("thread_1", P("All", False, attached=True))
        assert b.bound["All"] is False and b.parameter_set == "ListAll"

    def test_switch_never_takes_the_next_token(self, gtr):
        fails(gtr, P("All"), "thread_1", "extra", error_id="PositionalParameterNotFound")
        b = gtr.bind(P("All"), "thread_1")
        assert b.bound == {"All": True, "InputObject": "thread_1"}

    def test_switch_from_numbers_and_refusing_strings(self, gtr):
        assert gtr.bind("t", P("All", 0, attached=True)).bound["All"] is False
        assert gtr.bind("t", all=1).bound["All"] is True
        err = fails(gtr, "t", P("All", "false", attached=True), error_id="ParameterArgumentTransformationError")
        assert "Boolean parameters accept only Boolean values and numbers" in str(err)

    def test_switch_values_are_python_bool(self, gtr):
        assert gtr.bind("t", all=1).bound["All"] is True
        assert type(gtr.bind("t", verbose=1).bound["Verbose"]) is bool


# --- rule 3: once only -------------------------------------------------------------------------


class TestAlreadyBound:
    @pytest.mark.parametrize("second", ["Thread", "thread_id", "InputObject", "Inp"])
    def test_same_parameter_under_any_name(self, gtr, second):
        err = fails(gtr, P("InputObject"), "thread_1", P(second), "thread_2", error_id="ParameterAlreadyBound",
                    parameter="InputObject")
        assert "is specified more than once" in str(err)

    def test_named_then_positional_is_leftover_not_rebound(self, gtr):
        # InputObject is already bound by name, so a positional value has nowhere to go.
        err = fails(gtr, P("Thread"), "thread_1", "thread_2", error_id="PositionalParameterNotFound")
        assert str(err) == "A positional parameter cannot be found that accepts argument 'thread_2'."


# --- rule 4: positions -------------------------------------------------------------------------


class TestPositional:
    def test_position_zero(self, gtr):
        assert gtr.bind("thread_1", P("RunId"), "run_1").bound["InputObject"] == "thread_1"

    def test_positional_anywhere_in_the_line(self, gtr):
        assert gtr.bind(P("All"), "thread_1", P("Order"), "desc").bound["InputObject"] == "thread_1"

    def test_leftover(self, gtr):
        fails(gtr, "thread_1", "thread_2", error_id="PositionalParameterNotFound", parameter=None)

    def test_two_positions_in_order(self, widget):
        b = widget.bind("gizmo", "red")
        assert b.parameter_set == "ByName" and b.bound == {"Name": "gizmo", "Color": "red"}

    def test_exact_type_wins_before_conversion(self, widget):
        # Position 0 holds Name (String) in ByName, Id (Int32) in ById, Weight (Double) in ByWeight.
        # The pass without conversion finds the parameter whose type the value already has.
        assert widget.bind(5).parameter_set == "ById"
        assert widget.bind("5").parameter_set == "ByName"
        assert widget.bind(7.5).parameter_set == "ByWeight"

    def test_positions_only_among_possible_sets(self, widget):
        # -Size is in ByName and ById only, so position 0 cannot go to Weight; with conversion, Name
        # (declared first) takes the value, as PowerShell writes the double 7.0: '7' (issue 13, D10).
        b = widget.bind(7.0, size=2)
        assert b.parameter_set == "ByName" and b.bound["Name"] == "7"


# --- rule 5: parameter sets ---------------------------------------------------------------------


class TestParameterSets:
    def test_default_set(self, gtr):
        b = gtr.bind("thread_1")
        assert b.parameter_set == "List"
        assert b.defaults == {"Limit": 20, "Order": "asc", "TimeoutSec": 0, "MaxRetryCount": 0,
                                 "ApiType": "OpenAI", "AuthType": "openai"}
        assert b.bound == {"InputObject": "thread_1"}

    def test_set_named_by_its_parameters(self, gtr):
        assert gtr.bind("t", limit=5).parameter_set == "List"
        assert gtr.bind("t", all=True).parameter_set == "ListAll"
        assert gtr.bind("t", run_id="r").parameter_set == "Get"
        assert gtr.bind("t", order="desc").parameter_set == "List"  # List and ListAll: the default wins

    def test_defaults_are_those_of_the_chosen_set(self, gtr):
        assert "Limit" not in gtr.bind("t", all=True).defaults
        assert "Order" not in gtr.bind("t", run_id="r").defaults

    def test_conflicting_parameters(self, gtr):
        err = fails(gtr, "t", error_id="AmbiguousParameterSet", run_id="r", all=True)
        assert str(err).startswith("Parameter set cannot be resolved using the specified named parameters.")
        fails(gtr, "t", error_id="AmbiguousParameterSet", limit=5, all=True)

    def test_no_default_no_resolution(self, widget):
        fails(widget, error_id="AmbiguousParameterSet", color="red")

    def test_resolution_by_mandatory_parameters(self, widget):
        # Without a default set, the one set whose mandatory parameters are all bound wins.
        assert widget.bind(name="n").parameter_set == "ByName"
        assert widget.bind(weight=1.5).parameter_set == "ByWeight"

    def test_missing_mandatory(self, gtr):
        err = fails(gtr, error_id="MissingMandatoryParameter", parameter="InputObject")
        assert str(err) == "Cannot process command because of one or more missing mandatory parameters: InputObject."
        err = fails(gtr, run_id="r", error_id="MissingMandatoryParameter")
        assert err.missing == ("InputObject",)

    def test_missing_mandatory_of_the_chosen_set(self, widget):
        err = fails(widget, size=2, tags=["a"], error_id="AmbiguousParameterSet")
        assert err.parameter_name is None


# --- rule 6: pipeline ---------------------------------------------------------------------------


class TestPipeline:
    def test_strings_bind_by_value(self, gtr):
        bindings = gtr.bind_pipeline(["thread_a", "thread_b"], all=True)
        assert [b.bound["InputObject"] for b in bindings] == ["thread_a", "thread_b"]
        assert all(b.parameter_set == "ListAll" for b in bindings)
        assert bindings[0].from_pipeline == {"InputObject"}

    def test_single_string_is_one_record(self, gtr):
        assert len(gtr.bind_pipeline("thread_a")) == 1

    def test_by_property_name_with_alias_from_dict_and_object(self, gtr):
        records = [{"thread_id": "thread_a", "RUN_ID": "run_1"},
                   SimpleNamespace(thread_id="thread_b", run_id="run_2")]
        bindings = gtr.bind_pipeline(records)
        assert [b.parameter_set for b in bindings] == ["Get", "Get"]
        assert [b.bound["RunId"] for b in bindings] == ["run_1", "run_2"]

    def test_a_run_object_binds_as_the_input_object(self, gtr):
        run = {"id": "run_1", "object": "thread.run", "thread_id": "thread_a"}
        (b,) = gtr.bind_pipeline([run])
        assert b.bound == {"InputObject": run} and b.parameter_set == "List"

    def test_values_from_one_record_do_not_leak_into_the_next(self, gtr):
        bindings = gtr.bind_pipeline([{"thread_id": "thread_a", "run_id": "run_1"}, "thread_b"])
        assert bindings[0].parameter_set == "Get"
        assert bindings[1].parameter_set == "List" and "RunId" not in bindings[1].bound

    def test_command_line_parameters_are_not_rebound_from_records(self, gtr):
        (b,) = gtr.bind_pipeline([{"thread_id": "thread_a", "run_id": "run_from_record"}], run_id="run_cmdline")
        assert b.bound["RunId"] == "run_cmdline"

    def test_command_line_sets_still_rule(self, gtr):
        # -All leaves only ListAll, where RunId does not exist, so the record's run_id is not bound.
        (b,) = gtr.bind_pipeline([{"thread_id": "thread_a", "run_id": "run_1"}], all=True)
        assert b.parameter_set == "ListAll" and "RunId" not in b.bound

    def test_record_nothing_takes(self, widget):
        # Only Weight takes a record by value, in ByWeight; -Name narrows to ByName.
        with pytest.raises(ParameterBindingError) as info:
            widget.bind_pipeline([42], name="n")
        assert info.value.error_id == "InputObjectNotBound"
        assert str(info.value).startswith("The input object cannot be bound to any parameters for the command")

    def test_by_property_name_decides_the_set(self, widget):
        bindings = widget.bind_pipeline([{"name": "a", "color": "red"}, {"WidgetId": "7"}, 3.5])
        assert [b.parameter_set for b in bindings] == ["ByName", "ById", "ByWeight"]
        assert bindings[0].bound == {"Name": "a", "Color": "red"}
        assert bindings[1].bound == {"Id": 7}  # converted in the with-conversion pass
        assert bindings[2].bound == {"Weight": 3.5}

    def test_missing_mandatory_checked_before_any_record(self, gtr):
        # -After puts the call in ListAll, whose mandatory -All no record can supply: fail at once.
        with pytest.raises(ParameterBindingError) as info:
            gtr.bind_pipeline([], after="run_1")
        assert info.value.error_id == "MissingMandatoryParameter" and info.value.missing == ("All",)

    def test_pipeline_can_still_supply_mandatory_parameters(self, gtr):
        (b,) = gtr.bind_pipeline(["thread_a"], run_id="r")
        assert b.parameter_set == "Get" and b.bound == {"RunId": "r", "InputObject": "thread_a"}

    def test_missing_mandatory_per_record(self):
        command = Command(load_spec_text(
            "name: Test-Pair\nparameters:\n"
            "  - {name: X, type: Int32, mandatory: true, pipeline: [ByPropertyName]}\n"
            "  - {name: Y, type: Int32, mandatory: true, pipeline: [ByPropertyName]}\n"
        ))
        assert command.bind_pipeline([{"x": 1, "y": 2}])[0].bound == {"X": 1, "Y": 2}
        with pytest.raises(ParameterBindingError) as info:
            command.bind_pipeline([{"x": 1}])
        assert info.value.error_id == "MissingMandatoryParameter" and info.value.missing == ("Y",)
        assert str(info.value) == ("The input object cannot be bound because it did not contain the information "
                                   "required to bind all mandatory parameters:  Y")

    def test_by_value_binds_every_parameter_that_takes_the_record(self):
        command = Command(load_spec_text(
            "name: Test-Both\nparameters:\n"
            "  - {name: Text, type: String, pipeline: [ByValue]}\n"
            "  - {name: Any, type: Object, pipeline: [ByValue]}\n"
            "  - {name: Number, type: Int32, pipeline: [ByValue]}\n"
        ))
        # Without conversion a string fits Text and Any; the with-conversion pass then gives Number 5.
        (b,) = command.bind_pipeline(["5"])
        assert b.bound == {"Text": "5", "Any": "5", "Number": 5}
        assert list(b.bound) == ["Text", "Any", "Number"]

    def test_empty_input_binds_nothing(self, gtr):
        assert gtr.bind_pipeline([]) == []

    def test_validation_failure_of_a_record(self, gtr):
        with pytest.raises(ParameterBindingError) as info:
            gtr.bind_pipeline([{"id": "asst_1"}])
        assert info.value.error_id == "ParameterArgumentValidationError"
        assert info.value.parameter_name == "InputObject"


# --- rule 7: conversion -------------------------------------------------------------------------


class TestConversion:
    @pytest.mark.parametrize("given, expected", [(" 5 ", 5), ("0x10", 16), ("2.5", 2), (8.0, 8), ("1e1", 10),
                                                 (100, 100), ("0b101", 5), ("20d", 20)])
    def test_int32(self, gtr, given, expected):
        assert gtr.bind("t", limit=given).bound["Limit"] == expected

    @pytest.mark.parametrize("given, expected", [(7.5, 8), (2.5, 2), (True, 1)])
    def test_int32_from_a_line_rounds_as_powershell(self, gtr, given, expected):
        # a value written in a line (a -Name:value token) converts as PowerShell converts it
        assert gtr.bind("t", P("Limit", given, attached=True)).bound["Limit"] == expected

    @pytest.mark.parametrize("given, words", [(7.5, "fractional part"), (True, "bool"), ([1.5], "fractional part")])
    def test_int32_from_python_keywords_is_not_rounded(self, gtr, given, words):
        # issue 14 item 6: limit=5.5 and limit=True from Python are refused (they were 6 and 1)
        err = fails(gtr, "t", limit=given, error_id="ParameterArgumentTransformationError", parameter="Limit")
        assert words in str(err)

    @pytest.mark.parametrize("given", ["abc", "1_0", "5 5", [1, 2], {"a": 1}, float("nan")])
    def test_int32_refused(self, gtr, given):
        fails(gtr, "t", limit=given, error_id="ParameterArgumentTransformationError", parameter="Limit")

    def test_int32_overflow_message(self, gtr):
        err = fails(gtr, "t", timeout_sec=3_000_000_000, error_id="ParameterArgumentTransformationError")
        assert 'Cannot convert value "3000000000" to type "System.Int32"' in str(err)
        assert "too large or too small for an Int32" in str(err)

    def test_string_from_scalars(self, gtr):
        assert gtr.bind("t", run_id=123).bound["RunId"] == "123"
        assert gtr.bind("t", organization=True).bound["Organization"] == "True"

    def test_string_refuses_an_array(self, gtr):
        err = fails(gtr, "t", run_id=["a", "b"], error_id="ParameterArgumentTransformationError")
        assert str(err) == ("Cannot process argument transformation on parameter 'RunId'. "
                            "Cannot convert value to type System.String.")

    @pytest.mark.parametrize("given", ["https://example.test/v1", "http://127.0.0.1:8080/v1"])
    def test_uri(self, gtr, given):
        assert gtr.bind("t", api_base=given).bound["ApiBase"] == given

    @pytest.mark.parametrize("given", ["ftp://example.test", "example.test/v1", "/v1", "http://", 5])
    def test_uri_refused(self, gtr, given):
        fails(gtr, "t", api_base=given, error_id="ParameterArgumentTransformationError", parameter="ApiBase")

    def test_secure_string_never_shown(self, gtr):
        b = gtr.bind("t", api_key="sk-topsecret-123")
        assert isinstance(b.bound["ApiKey"], SecureString)
        assert b.bound["ApiKey"].reveal() == "sk-topsecret-123"
        assert "topsecret" not in repr(b) and "topsecret" not in repr(b.bound["ApiKey"])
        err = fails(gtr, "t", api_key=12345, error_id="ParameterArgumentTransformationError")
        assert "12345" not in str(err)

    def test_additional_headers_hidden_in_repr(self, gtr):
        b = gtr.bind("t", additional_headers={"Authorization": "Bearer sk-hidden"})
        assert "sk-hidden" not in repr(b)

    def test_dictionary(self, gtr):
        assert gtr.bind("t", additional_query={"a": 1}).bound["AdditionalQuery"] == {"a": 1}
        fails(gtr, "t", additional_query="a=1", error_id="ParameterArgumentTransformationError")

    def test_object_takes_anything(self, gtr):
        thread = SimpleNamespace(id="thread_9")
        assert gtr.bind(thread).bound["InputObject"] is thread

    def test_arrays(self, widget):
        assert widget.bind(name="n", tags="solo").bound["Tags"] == ["solo"]
        assert widget.bind(name="n", tags=("a", 2)).bound["Tags"] == ["a", "2"]

    def test_action_preference(self, gtr):
        assert gtr.bind("t", error_action="silentlycontinue").bound["ErrorAction"] == "SilentlyContinue"
        assert gtr.bind("t", error_action="si").bound["ErrorAction"] == "SilentlyContinue"  # unique prefix
        assert gtr.bind("t", error_action=1).bound["ErrorAction"] == "Stop"
        err = fails(gtr, "t", error_action="s", error_id="ParameterArgumentTransformationError")
        assert "too similar" in str(err)
        fails(gtr, "t", error_action="Sometimes", error_id="ParameterArgumentTransformationError")
        fails(gtr, "t", error_action="Suspend", error_id="ParameterArgumentTransformationError")

    def test_switch_null_is_false(self, gtr):
        # an advanced function's -Switch:$null binds False (issue 13, D05; it was True before)
        b = gtr.bind("t", P("All", None, attached=True))
        assert b.bound["All"] is False and b.parameter_set == "ListAll"


# --- rule 8: validation --------------------------------------------------------------------------


class TestValidation:
    def test_range(self, gtr):
        err = fails(gtr, "t", limit=0, error_id="ParameterArgumentValidationError", parameter="Limit")
        assert str(err) == ("Cannot validate argument on parameter 'Limit'. The 0 argument is less than the minimum "
                            "allowed range of 1. Supply an argument that is greater than or equal to 1 and then try "
                            "the command again.")
        err = fails(gtr, "t", max_retry_count=101, error_id="ParameterArgumentValidationError")
        assert "greater than the maximum allowed range of 100" in str(err)

    def test_set_is_case_insensitive_and_lowercased(self, gtr):
        assert gtr.bind("t", order="DeSc").bound["Order"] == "desc"
        err = fails(gtr, "t", order="up", error_id="ParameterArgumentValidationError", parameter="Order")
        assert 'The argument "up" does not belong to the set "asc,desc"' in str(err)

    def test_case_sensitive_set(self, widget):
        fails(widget, name="n", color="RED", error_id="ParameterArgumentValidationError", parameter="Color")

    def test_validators_run_before_the_mandatory_check(self, gtr):
        err = fails(gtr, "t", run_id="", error_id="ParameterArgumentValidationError", parameter="RunId")
        assert str(err) == ("Cannot validate argument on parameter 'RunId'. The argument is null or empty. Provide an "
                            "argument that is not null or empty, and then try the command again.")

    def test_mandatory_empty_string(self, widget):
        # PowerShell's own error ids for the mandatory null/empty check (issue 13, D01)
        empty = "ParameterArgumentValidationErrorEmptyStringNotAllowed"
        err = fails(widget, name="", error_id=empty, parameter="Name")
        assert str(err) == "Cannot bind argument to parameter 'Name' because it is an empty string."
        # $null for a [string] becomes "" first, as in an advanced function
        err = fails(widget, P("Name", None, attached=True), error_id=empty)
        assert "because it is an empty string" in str(err)

    def test_mandatory_null(self, gtr):
        command = Command(load_spec_text("name: Test-Null\nparameters:\n  - {name: Thing, type: Object, mandatory: true}\n"))
        err = fails(command, P("Thing", None, attached=True), error_id="ParameterArgumentValidationErrorNullNotAllowed")
        assert str(err) == "Cannot bind argument to parameter 'Thing' because it is null."
        # the object_id validator runs first and refuses null (validation, then the mandatory check)
        err = fails(gtr, P("Thread", None, attached=True), error_id="ParameterArgumentValidationError")
        assert "null" in str(err)

    def test_thread_id_readable(self, gtr):
        assert gtr.bind({"id": "thread_1"}).bound["InputObject"] == {"id": "thread_1"}
        assert gtr.bind({"id": "run_1", "thread_id": "thread_1"}).parameter_set == "List"
        err = fails(gtr, {"id": "asst_1"}, error_id="ParameterArgumentValidationError", parameter="InputObject")
        assert "thread_" in str(err)
        fails(gtr, 42, error_id="ParameterArgumentValidationError")

    def test_length_pattern_count(self, widget):
        fails(widget, name="n", label="a", error_id="ParameterArgumentValidationError", parameter="Label")
        fails(widget, name="n", label="abcdef", error_id="ParameterArgumentValidationError")
        fails(widget, name="n", label="AB1", error_id="ParameterArgumentValidationError")
        assert widget.bind(name="n", label="abc").bound["Label"] == "abc"
        err = fails(widget, name="n", tags=["a", "b", "c", "d"], error_id="ParameterArgumentValidationError")
        assert "4 value(s) were provided" in str(err)


# --- the Binding object --------------------------------------------------------------------------


class TestBinding:
    def test_lookup(self, gtr):
        b = gtr.bind("t", limit=5)
        assert b["limit"] == 5 and b["Order"] == "asc" and b.get("RunId") is None
        assert b.is_bound("Limit") and not b.is_bound("Order")
        assert b.arguments == {"InputObject": "t", "Limit": 5, "Order": "asc", "TimeoutSec": 0, "MaxRetryCount": 0,
                                 "ApiType": "OpenAI", "AuthType": "openai"}
        assert "Limit" in b and "RunId" not in b
        with pytest.raises(KeyError):
            b["RunId"]

    def test_bound_is_read_only(self, gtr):
        b = gtr.bind("t")
        with pytest.raises(TypeError):
            b.bound["Limit"] = 3  # type: ignore[index]

    def test_equality(self, gtr):
        assert gtr.bind("t", limit=5) == gtr.bind(thread="t", limit="5")
        assert gtr.bind("t") != gtr.bind("t", limit=5)

"""spec/validators.py and ranges.py: each validator's arguments, what it refuses, its wording (Metadata.resx) and inner id."""

from __future__ import annotations

import datetime
import sys
from types import SimpleNamespace

import pytest

from pyopenai_ps.errors import VALIDATION_ERROR_IDS, ValidationFailure
from pyopenai_ps.secure import SecureString
from pyopenai_ps.spec.numbers import LiteralInt
from pyopenai_ps.spec.types import resolve_type
from pyopenai_ps.spec.transforms import TRANSFORMS, make_transform
from pyopenai_ps.spec.validators import FLAGS, VALIDATORS, is_white_space, make_validator

NOT_NULL = "The argument is null. Provide a valid value for the argument, and then try running the command again."
NOT_NULL_COLLECTION = ("The argument has a null value, or an element of the argument collection contains a null value. "
                       "Provide a collection that does not contain any null values, and then try the command again.")
NOT_EMPTY = ("The argument is null or empty. Provide an argument that is not null or empty, and then try the command "
             "again.")
NOT_EMPTY_COLLECTION = ("The argument is null, empty, or an element of the argument collection contains a null value. "
                        "Supply a collection that does not contain any null values and then try the command again.")
NOT_WHITE = ("The argument is null, empty, or consists of only white-space characters. Provide an argument that "
             "contains non white-space characters, and then try the command again.")
NOT_WHITE_COLLECTION = ("An element of the argument collection is null, empty, or consists of only white-space "
                        "characters. Supply a collection that does not contain any those values and then try the "
                        "command again.")
LENGTH_NOT_STRING = ("The ValidateLength attribute cannot be applied to a parameter that is not a string or string[] "
                     "parameter. Make the parameter a string or string[] parameter.")
COUNT_NOT_ARRAY = ("The ValidateCount attribute cannot be applied to a non-array parameter. Either remove the attribute "
                   "from the parameter or make the parameter an array parameter.")


def refusal(name: str, args, value, param_type=None) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as caught:
        make_validator(name, args, param_type)(value)
    assert caught.value.error_id in VALIDATION_ERROR_IDS
    return caught.value


def passes(name: str, args, value, param_type=None) -> None:
    make_validator(name, args, param_type)(value)


def test_every_validator_is_named_and_the_flags_are_not_checks():
    assert set(VALIDATORS) == {"range", "set", "not_null", "not_null_or_empty", "not_null_or_white_space", "length",
                               "count", "pattern", "object_id", "has_keys", "prefixed"}
    assert FLAGS == {"allow_null", "allow_empty_string", "allow_empty_collection"}
    with pytest.raises(KeyError):
        make_validator("allow_null", True)


# --- set -----------------------------------------------------------------------------------------


def test_set():
    passes("set", ["asc", "desc"], "DESC")
    passes("set", ["asc", "desc"], ["asc", "Desc"])
    passes("set", [1, 2], 2)  # compared as text, as ValidateSet compares ToString()
    failure = refusal("set", ["asc", "desc"], "up")
    assert failure.detail == ('The argument "up" does not belong to the set "asc,desc" specified by the ValidateSet '
                              "attribute. Supply an argument that is in the set and then try the command again.")
    assert failure.error_id == "ValidateSetFailure"
    assert refusal("set", {"values": ["A"], "ignore_case": False}, "a").error_id == "ValidateSetFailure"
    assert refusal("set", ["a"], ["a", None]).detail == NOT_NULL
    assert refusal("set", ["a"], None).detail == NOT_EMPTY_COLLECTION


@pytest.mark.parametrize("args", [[], "asc", {"values": ["a"], "case": True}, {"values": ["a"], "ignore_case": 1}])
def test_set_arguments_refused(args):
    with pytest.raises(ValueError):
        make_validator("set", args)


# --- pattern -------------------------------------------------------------------------------------


def test_pattern():
    passes("pattern", "^[a-z]+$", "ABC")  # ignoring case, as ValidatePattern does
    passes("pattern", "^[0-9]+$", 123)  # the element's text
    long_text = "a" * 500 + "!"
    passes("pattern", "!$", long_text)  # matched against the whole text, not a shortened one
    failure = refusal("pattern", "^[a-z]+$", "ab1")
    assert failure.detail == ('The argument "ab1" does not match the "^[a-z]+$" pattern. Supply an argument that '
                              'matches "^[a-z]+$" and try the command again.')
    assert failure.error_id == "ValidatePatternFailure"
    assert refusal("pattern", "x", [None]).detail == NOT_NULL
    assert "System.Security.SecureString" in refusal("pattern", "^sk", SecureString("sk-123")).detail


@pytest.mark.parametrize("args", ["", "(", 5])
def test_pattern_arguments_refused(args):
    with pytest.raises(ValueError):
        make_validator("pattern", args)


# --- not_null, not_null_or_empty, not_null_or_white_space -----------------------------------------------


def test_not_null():
    for value in ("", 0, [], ["a", ""], {}, iter([None])):
        passes("not_null", True, value)
    failure = refusal("not_null", True, None)
    assert (failure.detail, failure.error_id) == (NOT_NULL, "ArgumentIsNull")
    assert refusal("not_null", True, ["a", None, 2]).detail == NOT_NULL_COLLECTION
    passes("not_null", True, [1, None], resolve_type("Int32[]"))  # value-type elements are never looked at
    passes("not_null", True, b"\x00" * 100)


@pytest.mark.parametrize(
    ("value", "detail", "error_id"),
    [
        (None, NOT_EMPTY, "ArgumentIsNull"),
        ("", NOT_EMPTY, "ArgumentIsEmpty"),
        ([], NOT_EMPTY_COLLECTION, "ArgumentIsEmpty"),
        (b"", NOT_EMPTY_COLLECTION, "ArgumentIsEmpty"),
        (["a", None], NOT_EMPTY_COLLECTION, "ArgumentIsNull"),
        (["a", ""], NOT_EMPTY_COLLECTION, "ArgumentCollectionContainsEmpty"),
        ({}, NOT_EMPTY_COLLECTION, "ArgumentIsEmpty"),
    ],
)
def test_not_null_or_empty_refuses(value, detail, error_id):
    failure = refusal("not_null_or_empty", True, value)
    assert (failure.detail, failure.error_id) == (detail, error_id)


def test_not_null_or_empty_passes():
    for value in (" ", ["a", " "], {"a": 1}, 0, SecureString(""), SimpleNamespace(), b"\x00"):
        passes("not_null_or_empty", True, value)
    items = iter([1, 2])
    passes("not_null_or_empty", True, items)
    assert list(items) == [1, 2]  # an iterator is never consumed


@pytest.mark.parametrize(
    ("value", "detail", "error_id"),
    [
        (None, NOT_EMPTY, "ArgumentIsNull"),
        ("", NOT_WHITE, "ArgumentIsEmptyOrWhiteSpace"),
        (" \t\n\u3000", NOT_WHITE, "ArgumentIsEmptyOrWhiteSpace"),
        ([], NOT_EMPTY_COLLECTION, "ArgumentIsEmpty"),
        (["a", None], NOT_EMPTY_COLLECTION, "ArgumentIsNull"),
        (["a", " "], NOT_WHITE_COLLECTION, "ArgumentCollectionContainsEmptyOrWhiteSpace"),
        ({}, NOT_EMPTY_COLLECTION, "ArgumentIsEmpty"),
    ],
)
def test_not_null_or_white_space_refuses(value, detail, error_id):
    failure = refusal("not_null_or_white_space", True, value)
    assert (failure.detail, failure.error_id) == (detail, error_id)


def test_not_null_or_white_space_passes_and_uses_dotnet_white_space():
    for value in (" a ", ["a", "b"], {"k": 1}, 5, [1, 2], "\x1c"):  # U+001C is no white space to .NET
        passes("not_null_or_white_space", True, value)
    assert is_white_space("\u2028\u00a0 ") and not is_white_space("\x1f")


@pytest.mark.parametrize("name", ["not_null", "not_null_or_empty", "not_null_or_white_space"])
@pytest.mark.parametrize("args", [False, 1, "yes", None])
def test_flag_validators_take_true_only(name, args):
    with pytest.raises(ValueError):
        make_validator(name, args)


# --- length --------------------------------------------------------------------------------------


def test_length():
    passes("length", [2, 5], "abc")
    passes("length", {"min": 0, "max": 2}, ["", "ab"])
    short = refusal("length", [5, 10], "123")
    assert short.detail == ('The character length (3) of the argument is too short. Specify an argument with a length '
                            'that is greater than or equal to "5", and then try the command again.')
    assert short.error_id == "ValidateLengthMinLengthFailure"
    long = refusal("length", [0, 2], "11111")
    assert long.detail == ('The character length (5) of the argument is too long. Specify an argument with a length '
                           'that is shorter than or equal to "2", and then try the command again.')
    assert long.error_id == "ValidateLengthMaxLengthFailure"
    for not_text in (123, LiteralInt(12, "12"), ["ab", 1], [None], SecureString("abc")):
        failure = refusal("length", [1, 5], not_text)
        assert (failure.detail, failure.error_id) == (LENGTH_NOT_STRING, "ValidateLengthNotString")
    assert refusal("length", [1, 5], None).detail == NOT_EMPTY_COLLECTION


# --- count ---------------------------------------------------------------------------------------


def test_count():
    passes("count", [1, 3], ["a", "b"])
    passes("count", [0, 3], None)  # null counts as empty
    passes("count", [2, 2], {"a": 1, "b": 2})
    assert "4 value(s) were provided" in refusal("count", [1, 3], "abcd").detail  # a string counts characters
    exact = refusal("count", [2, 2], [1])
    assert (exact.detail, exact.error_id) == ("The parameter requires exactly 2 value(s) - 1 value(s) were provided.",
                                              "ValidateCountExactFailure")
    span = refusal("count", [2, 3], [1, 2, 3, 4])
    assert span.detail == ("The parameter requires at least 2 value(s) and no more than 3 value(s) - 4 value(s) were "
                           "provided.")
    assert span.error_id == "ValidateCountMinMaxFailure"
    for scalar in (5, 2.5, True, SimpleNamespace(), iter([1])):
        failure = refusal("count", [1, 3], scalar)
        assert (failure.detail, failure.error_id) == (COUNT_NOT_ARRAY, "NotAnArrayParameter")


@pytest.mark.parametrize("name", ["count", "length"])
@pytest.mark.parametrize(
    ("args", "words"),
    [([-1, 2], "negative"), ([0, 0], "greater than 0"), ([1, -1], "greater than 0"), ([2, 1], "smaller"),
     ([1.5, 2], "whole numbers"), ([True, 2], "whole numbers"), ([1], "[min, max]"), ({"min": 1}, "both"),
     ({"min": 1, "max": 2, "x": 3}, "'min' and 'max'")],
)
def test_count_and_length_bounds_powershell_refuses(name, args, words):
    with pytest.raises(ValueError, match=words):
        make_validator(name, args)


# --- range: minimum and maximum ------------------------------------------------------------------


def range_text(kind: str, shown, limit) -> str:
    if kind == "small":
        return (f"The {shown} argument is less than the minimum allowed range of {limit}. Supply an argument that is "
                f"greater than or equal to {limit} and then try the command again.")
    return (f"The {shown} argument is greater than the maximum allowed range of {limit}. Supply an argument that is "
            f"less than or equal to {limit} and then try the command again.")


def element_type_text(element: str, limit: str) -> str:
    return (f'The argument cannot be validated because its type "{element}" is not the same type ({limit}) as the '
            f"maximum and minimum limits of the parameter. Make sure the argument is of type {limit} and then try the "
            "command again.")


def test_range_converts_to_the_limits_type_first():
    for value in (5, "5", 10.4, True, [1, "2", 9.6]):
        passes("range", [1, 10], value)
    big = refusal("range", [1, 10], 10.6)
    assert (big.detail, big.error_id) == (range_text("big", 11, 10), "ValidateRangeTooBig")
    small = refusal("range", [1, 10], "0")
    assert (small.detail, small.error_id) == (range_text("small", 0, 1), "ValidateRangeTooSmall")
    assert refusal("range", {"min": 1, "max": None}, -1).detail == range_text("small", -1, 1)
    passes("range", {"max": 3}, -100)


def test_range_refuses_what_does_not_convert_naming_dotnet_types():
    for value, name in (("one", "String"), ({"a": 1}, "Hashtable"), (SimpleNamespace(), "PSCustomObject"),
                        (datetime.datetime(2024, 1, 1), "DateTime")):
        failure = refusal("range", [1, 10], value)
        assert (failure.detail, failure.error_id) == (element_type_text(name, "Int32"), "ValidationRangeElementType")
    assert refusal("range", [1, 10], None).detail == NOT_EMPTY_COLLECTION
    assert refusal("range", [1, 10], [1, None]).detail == NOT_NULL


def test_range_in_double_and_int64():
    passes("range", [0.5, 1.5], "1")
    assert refusal("range", [0.5, 1.5], 2).detail == range_text("big", 2, 1.5)
    assert refusal("range", [0.5, 1.5], "x").detail == element_type_text("String", "Double")
    assert refusal("range", [1, 5_000_000_000], 6_000_000_000).detail == range_text("big", 6000000000, 5000000000)


@pytest.mark.parametrize(
    "args", [[2, 1], ["one", 10], [1, "two"], [True, 2], [None, None], [1, 2, 3], {"min": 1, "low": 0}, {}],
)
def test_range_arguments_refused(args):
    with pytest.raises(ValueError):
        make_validator("range", args)


# --- range kinds ---------------------------------------------------------------------------------

KIND_TEXT = {
    "Positive": 'The argument "{0}" cannot be validated because its value is not greater than zero.',
    "NonNegative": 'The argument "{0}" cannot be validated because its value is not greater than or equal to zero.',
    "Negative": 'The argument "{0}" cannot be validated because its value is not less than zero.',
    "NonPositive": 'The argument "{0}" cannot be validated because its value is not less than or equal to zero.',
}


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [("Positive", [1, 0.5, sys.float_info.max, True], [0, -1, -0.5]), ("NonNegative", [0, 15], [-1, -0.1]),
     ("Negative", [-1, -sys.float_info.max], [0, 1]), ("NonPositive", [0, -15], [1, 0.1])],
)
def test_range_kinds(kind, good, bad):
    for value in good:
        passes("range", kind, value)
    for value in bad:
        failure = refusal("range", kind, value)
        shown = str(value).removesuffix(".0") if not isinstance(value, float) or value % 1 else str(int(value))
        assert failure.detail == KIND_TEXT[kind].format(shown)
        assert failure.error_id == f"ValidateRange{kind}Failure"


def test_range_kind_names_and_elements():
    for written in ("positive", "POSITIVE", "Pos", "nonneg"):
        make_validator("range", written)
    for written in ("Non", "xPositive", "", "Zero"):
        with pytest.raises(ValueError):
            make_validator("range", written)
    failure = refusal("range", "Positive", [1, 0])
    assert failure.detail == KIND_TEXT["Positive"].format(0)
    assert refusal("range", "Positive", "one").detail == element_type_text("String", "Int32")
    assert refusal("range", "Positive", "3").detail == element_type_text("String", "Int32")  # unlike [min, max]
    assert refusal("range", "Positive", SimpleNamespace()).detail == element_type_text("PSCustomObject", "Int32")
    passes("range", "Positive", datetime.timedelta(seconds=1))
    assert "is not greater than zero" in refusal("range", "Positive", datetime.timedelta(0)).detail


# --- object_id -----------------------------------------------------------------------------------


def test_object_id():
    args = {"prefix": "thread_", "keys": ["id", "thread_id"]}
    passes("object_id", args, "thread_1")
    passes("object_id", args, {"id": "run_1", "thread_id": "thread_1"})
    passes("object_id", args, SimpleNamespace(id="thread_1"))
    for value, start in ((None, "The argument is null"), ("  ", "The argument is an empty string"),
                         ({"id": "asst_1"}, 'An object of type "dict" was given')):
        failure = refusal("object_id", args, value)
        assert failure.detail.startswith(start) and failure.error_id == "ObjectIdNotReadable"
        assert "'id' or 'thread_id' property starts with 'thread_'" in failure.detail
    refusal("object_id", {**args, "accept_string": False}, "thread_1")


@pytest.mark.parametrize(
    "args",
    ["thread_", {"prefix": "", "keys": ["id"]}, {"prefix": "t_", "keys": []}, {"prefix": "t_", "keys": [1]},
     {"prefix": "t_", "keys": ["id"], "accept_string": "no"}, {"prefix": "t_", "keys": ["id"], "other": 1}],
)
def test_object_id_arguments_refused(args):
    with pytest.raises(ValueError):
        make_validator("object_id", args)


# --- prefixed ------------------------------------------------------------------------------------


def test_prefixed():
    args = {"id": "run_", "thread_id": "thread_"}
    passes("prefixed", args, {"id": "run_1", "thread_id": "thread_1", "status": "queued"})
    passes("prefixed", args, SimpleNamespace(id="run_1", thread_id="thread_1"))
    for value, start in (("run_1", "The argument is a string"), (None, "The argument is null"),
                         ({"id": "run_1", "thread_id": 5}, 'An object of type "dict" was given'),
                         ({"id": "step_1", "thread_id": "thread_1"}, 'An object of type "dict" was given')):
        failure = refusal("prefixed", args, value)
        assert failure.detail == (f"{start}; an object whose 'id' starts with 'run_' and whose 'thread_id' starts "
                                  "with 'thread_' is required.")


@pytest.mark.parametrize("args", [["id"], {}, {"id": ""}, {"": "run_"}, {"id": 5}])
def test_prefixed_arguments_refused(args):
    with pytest.raises(ValueError):
        make_validator("prefixed", args)


# --- transforms ----------------------------------------------------------------------------------


def test_transforms():
    assert {"lowercase", "uppercase", "trim"} <= set(TRANSFORMS)
    assert make_transform("lowercase")("DeSc") == "desc"
    assert make_transform("uppercase")(["a", 1]) == ["A", 1]
    assert make_transform("trim")(" x ") == "x" and make_transform("trim")(5) == 5
    with pytest.raises(KeyError):
        make_transform("reverse")

"""spec/types.py, numbers.py and enums.py: every type's conversions and refusals, worded as PowerShell words them."""

from __future__ import annotations

import copy
import datetime
import decimal
import io
import pickle
import sys
from types import SimpleNamespace

import pytest

from pyopenai_ps.errors import ConversionFailure
from pyopenai_ps.secure import SecureString
from pyopenai_ps.spec.enums import EnumSpec, EnumValue, enum_from_mapping, enum_type
from pyopenai_ps.spec.numbers import LiteralFloat, LiteralInt, number_text, scan_number
from pyopenai_ps.spec.properties import Hashtable
from pyopenai_ps.spec.typebase import NO_MATCH, dotnet_short_name, dotnet_text, dotnet_type_name
from pyopenai_ps.spec.types import TYPE_NAMES, resolve_type


def convert(type_name: str, value):
    return resolve_type(type_name).convert(value, "P")


def refused(type_name: str, value) -> str:
    with pytest.raises(ConversionFailure) as caught:
        convert(type_name, value)
    return caught.value.detail


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kept", "dotnet"),
    [
        ("string", "String", "System.String"),
        ("System.String", "String", "System.String"),
        ("int", "Int32", "System.Int32"),
        ("long", "Int64", "System.Int64"),
        ("short", "Int16", "System.Int16"),
        ("ushort", "UInt16", "System.UInt16"),
        ("uint", "UInt32", "System.UInt32"),
        ("ulong", "UInt64", "System.UInt64"),
        ("byte", "Byte", "System.Byte"),
        ("sbyte", "SByte", "System.SByte"),
        ("double", "Double", "System.Double"),
        ("Single", "Single", "System.Single"),
        ("float", "Float", "System.Single"),  # [float] is a Single, kept as written
        ("bool", "Boolean", "System.Boolean"),
        ("Switch", "SwitchParameter", "System.Management.Automation.SwitchParameter"),
        ("System.Uri", "Uri", "System.Uri"),
        ("SecureString", "SecureString", "System.Security.SecureString"),
        ("Hashtable", "Hashtable", "System.Collections.Hashtable"),
        ("IDictionary", "IDictionary", "System.Collections.IDictionary"),
        ("datetime", "DateTime", "System.DateTime"),
        ("Object", "Object", "System.Object"),
        ("PSObject", "PSObject", "System.Management.Automation.PSObject"),
        ("pscustomobject", "PSCustomObject", "System.Management.Automation.PSObject"),
        ("ActionPreference", "ActionPreference", "System.Management.Automation.ActionPreference"),
        ("string[]", "String[]", "System.String[]"),
        ("Byte []", "Byte[]", "System.Byte[]"),
    ],
)
def test_declared_names_are_kept(written, kept, dotnet):
    found = resolve_type(written)
    assert (found.name, found.dotnet_name) == (kept, dotnet)


def test_unknown_type_is_a_key_error():
    with pytest.raises(KeyError):
        resolve_type("System.IO.FileInfo")
    assert "system.string" in TYPE_NAMES and "hashtable" in TYPE_NAMES
    assert resolve_type("System.String").name == "String"  # not the common parameters' Variable type


def test_value_types():
    for name in ("Int32", "UInt64", "Double", "Boolean", "Switch", "DateTime"):
        assert resolve_type(name).value_type, name
    for name in ("String", "Object", "Hashtable", "Uri", "Int32[]"):
        assert not resolve_type(name).value_type, name
    assert resolve_type("String").is_string and resolve_type("String[]").element.is_string


# --- strings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("abc", "abc"),
        (True, "True"),
        (False, "False"),
        (42, "42"),
        (1000.0, "1000"),
        (0.1 + 0.2, "0.3"),
        (1e20, "1E+20"),
        (1e-05, "1E-05"),
        (2 / 3, "0.666666666666667"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
        (decimal.Decimal("1.50"), "1.50"),
        (LiteralInt(16, "0x10"), "0x10"),
        (LiteralFloat(1.5, "1.50"), "1.50"),
        (LiteralInt(24, "24l", "Int64"), "24l"),
        (EnumValue("High", 10, "Level"), "High"),
    ],
)
def test_string_conversions(value, text):
    converted = convert("String", value)
    assert converted == text and type(converted) is str


def test_string_refusals():
    assert refused("String", ["a", "b"]) == "Cannot convert value to type System.String."
    assert convert("String", SecureString("sk-secret")) == "System.Security.SecureString"
    assert 'to type "System.String"' in refused("String", SimpleNamespace())
    assert "too many digits" in refused("String", 10**5000)


# --- integers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0), ("", 0), ("  ", 0), (" 7 ", 7), ("0x10", 16), ("0x10L", 16), ("1kb", 1024), ("1,000", 1000),
        ("0b101", 5), ("20d", 20), ("34uy", 34), ("2.5", 2), ("3.5", 4), ("1e1", 10), ("-0x10", -16),
        ("0xFFFFFFFF", -1), (True, 1), (7.5, 8), (2.5, 2), (decimal.Decimal("2.5"), 2), (LiteralInt(5, "5"), 5),
        (EnumValue("High", 10, "Level"), 10),
    ],
)
def test_int32_conversions(value, expected):
    converted = convert("Int32", value)
    assert converted == expected and type(converted) is int


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("abc", "The input string 'abc' was not in a correct format."),
        ("1_0", "The input string '1_0' was not in a correct format."),
        ("1e20", "The input string '1e20' was not in a correct format."),
        ("3000000000", "Value was either too large or too small for an Int32."),
        (3_000_000_000, "Value was either too large or too small for an Int32."),
        (float("nan"), "Value was either too large or too small for an Int32."),
    ],
)
def test_int32_refusals(value, error):
    detail = refused("Int32", value)
    assert detail.startswith('Cannot convert value "') and detail.endswith(f'to type "System.Int32". Error: "{error}"')


@pytest.mark.parametrize(
    ("kind", "low", "high", "article"),
    [("SByte", -128, 127, "a signed byte"), ("Byte", 0, 255, "an unsigned byte"), ("Int16", -32768, 32767, "an Int16"),
     ("UInt16", 0, 65535, "a UInt16"), ("UInt32", 0, 2**32 - 1, "a UInt32"), ("Int64", -(2**63), 2**63 - 1, "an Int64"),
     ("UInt64", 0, 2**64 - 1, "a UInt64")],
)
def test_integer_ranges_and_their_messages(kind, low, high, article):
    assert convert(kind, low) == low and convert(kind, high) == high
    for outside in (low - 1, high + 1):
        assert f"Value was either too large or too small for {article}." in refused(kind, outside)


def test_huge_digit_strings_are_conversion_failures_not_value_errors():
    nines = "9" * 5000
    for kind in ("Int32", "UInt64", "Byte"):
        detail = refused(kind, nines)
        assert "too large or too small" in detail
        assert len(detail) < 400  # the value is shortened in the message
    assert "too large or too small" in refused("Int32", 10**5000)
    assert convert("Double", nines) == float("inf")


def test_integer_refuses_arrays_and_objects():
    assert refused("Int32", [1, 2]) == (
        'Cannot convert the "System.Object[]" value of type "System.Object[]" to type "System.Int32".')
    assert refused("Int32", {"a": 1}) == (
        'Cannot convert the "System.Collections.Hashtable" value of type "System.Collections.Hashtable" to type '
        '"System.Int32".')


def test_integer_binds_without_conversion_only_its_own_type():
    int32 = resolve_type("Int32")
    assert int32.uncoerced(5) == 5
    assert int32.uncoerced(LiteralInt(5, "5")) == 5 and type(int32.uncoerced(LiteralInt(5, "5"))) is int
    for value in (True, 5.0, "5", 2**40, LiteralInt(5, "5l", "Int64")):
        assert int32.uncoerced(value) is NO_MATCH
    assert resolve_type("Int64").uncoerced(LiteralInt(5, "5l", "Int64")) == 5


def test_python_values_are_not_rounded():
    check = resolve_type("Int32").python_check
    check(5, True)
    check(5.0, True)
    check(True, False)  # a bool passed positionally may be a line's $true
    with pytest.raises(ConversionFailure, match="fractional part"):
        check(5.5, True)
    with pytest.raises(ConversionFailure, match="fractional part"):
        check([1, 2.5], True)
    with pytest.raises(ConversionFailure, match="bool"):
        check(True, True)
    check(LiteralFloat(5.5, "5.5"), True)  # a line's literal is PowerShell's to round
    with pytest.raises(ConversionFailure, match="bool"):
        resolve_type("Double").python_check(False, True)
    resolve_type("Double").python_check(5.5, True)


# --- the number scanner --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("5", 5, "Int32"), ("+5", 5, "Int32"), ("\u20135", -5, "Int32"), ("3000000000", 3000000000, "Int64"),
        ("0x10", 16, "Int32"), ("0x10L", 16, "Int64"), ("0xFFFFFFFF", -1, "Int32"), ("0x80000000", -2**31, "Int32"),
        ("0xFFFFFFFFFFFFFFFF", -1, "Int64"), ("0xFFFFFFFFu", 2**32 - 1, "UInt32"), ("0b101", 5, "Int32"),
        ("0b11111111", -1, "Int32"), ("0b011111111", 255, "Int32"), ("1kb", 1024, "Int32"), ("1.5kb", 1536.0, "Double"),
        ("1e3", 1000.0, "Double"), (".5", 0.5, "Double"), ("1.", 1.0, "Double"), ("20d", decimal.Decimal(20), "Decimal"),
        ("34uy", 34, "Byte"), ("5y", 5, "SByte"), ("8s", 8, "Int16"), ("49us", 49, "UInt16"), ("28u", 28, "UInt32"),
        ("4294967296u", 2**32, "UInt64"), ("32ul", 32, "UInt64"), ("6n", 6, "BigInteger"), ("1e3L", 1000, "Int64"),
        ("99999999999999999999", decimal.Decimal("99999999999999999999"), "Decimal"),
    ],
)
def test_scan_number(text, value, kind):
    assert scan_number(text) == (value, kind)


@pytest.mark.parametrize("text", ["abc", "1_0", "5 5", "1,000", "0x", "1e", "1..2", "5kbb", "300y", "-1u", "0x1FFFFFFFFFFFFFFFF"])
def test_scan_number_refuses(text):
    assert scan_number(text) is None


def test_number_text_and_literals():
    assert number_text(LiteralInt(16, "0x10")) == "0x10"
    assert number_text(0.1, single=True) == "0.1"
    assert number_text(123456789.0, single=True) == "1.234568E+08"
    literal = LiteralInt(16, "0x10")
    for clone in (pickle.loads(pickle.dumps(literal)), copy.deepcopy(literal)):
        assert clone == 16 and clone.text == "0x10" and clone.dotnet_kind == "Int32"
    real = pickle.loads(pickle.dumps(LiteralFloat(1.5, "1.50")))
    assert real == 1.5 and real.text == "1.50"


# --- floating point ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Double", "Single", "Float"])
def test_floats(name):
    assert convert(name, "1.5") == 1.5
    assert convert(name, "1,000.5") == 1000.5
    assert convert(name, "1kb") == 1024.0
    assert convert(name, None) == 0.0 and convert(name, 3) == 3.0 and convert(name, True) == 1.0
    assert "The input string 'x' was not in a correct format." in refused(name, "x")
    assert "too large or too small" in refused(name, 10**400)
    assert refused(name, [1.0]).startswith('Cannot convert the "System.Object[]"')


# --- booleans and switches -----------------------------------------------------------------------


def test_boolean_and_switch():
    for name in ("Boolean", "Switch"):
        assert convert(name, True) is True and convert(name, 0) is False and convert(name, 2.5) is True
        assert "Boolean parameters accept only Boolean values and numbers" in refused(name, "true")
    assert convert("Switch", None) is False  # -Switch:$null in an advanced function
    assert refused("Boolean", None) == ('Cannot convert value "" to type "System.Boolean". Boolean parameters accept '
                                        "only Boolean values and numbers, such as $True, $False, 1 or 0.")
    assert resolve_type("Switch").is_switch and not resolve_type("Boolean").is_switch


# --- addresses, secrets, dictionaries, dates, objects ----------------------------------------------


def test_uri():
    assert convert("Uri", " https://example.test/v1 ") == "https://example.test/v1"
    assert convert("Uri", None) is None
    assert "An absolute http:// or https:// address is required." in refused("Uri", "ftp://x")
    detail = refused("Uri", "https://user:sk-secret@example.test")
    assert "sk-secret" not in detail and "user name or password" in detail
    assert 'to type "System.Uri"' in refused("Uri", 5)


def test_secure_string():
    secret = convert("SecureString", "sk-abc")
    assert isinstance(secret, SecureString) and secret.reveal() == "sk-abc"
    assert convert("SecureString", secret) is secret and convert("SecureString", None) is None
    assert "12345" not in refused("SecureString", 12345)
    assert resolve_type("SecureString").is_secret and resolve_type("SecureString[]").is_secret


@pytest.mark.parametrize("name", ["Hashtable", "IDictionary"])
def test_dictionaries(name):
    source = {"a": 1}
    converted = convert(name, source)
    assert converted == source and converted is not source and type(converted) is dict
    assert convert(name, Hashtable(a=1)) == {"a": 1}
    assert convert(name, None) is None
    dotnet = resolve_type(name).dotnet_name
    assert refused(name, "a=1") == f'Cannot convert the "a=1" value of type "System.String" to type "{dotnet}".'
    assert dotnet in refused(name, SimpleNamespace(a=1))


def test_datetime():
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert convert("DateTime", moment) is moment
    assert convert("DateTime", "2024-01-02") == datetime.datetime(2024, 1, 2)
    assert convert("DateTime", "2024-01-02T03:04:05Z") == moment
    assert convert("DateTime", "01/02/2024 03:04:05") == datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert convert("DateTime", datetime.date(2024, 1, 2)) == datetime.datetime(2024, 1, 2)
    assert convert("DateTime", 10_000_000) == datetime.datetime(1, 1, 1, 0, 0, 1)  # ticks
    assert convert("DateTime", None) == datetime.datetime(1, 1, 1)
    assert refused("DateTime", "not a date") == ('Cannot convert value "not a date" to type "System.DateTime". Error: '
                                                 '"String \'not a date\' was not recognized as a valid DateTime."')
    assert "Ticks must be between" in refused("DateTime", 10**30)
    assert 'to type "System.DateTime"' in refused("DateTime", 1.5)


@pytest.mark.parametrize("name", ["Object", "PSObject", "PSCustomObject"])
def test_objects_take_anything(name):
    param_type = resolve_type(name)
    for value in (None, "x", {"a": 1}, SimpleNamespace(a=1), [1]):
        assert param_type.uncoerced(value) is value and param_type.convert(value, "P") is value
    plain = param_type.uncoerced(LiteralInt(5, "0x5"))
    assert plain == 5 and type(plain) is int  # a line's number binds as the plain number


def test_variable_type_of_common_parameters():
    record: list = []
    assert convert("Variable", "name") == "name" and convert("Variable", record) is record
    assert "variable name or a list" in refused("Variable", 5)


# --- arrays --------------------------------------------------------------------------------------


def test_array_of_matching_elements_binds_as_it_is():
    strings = resolve_type("String[]")
    values = ["a", "b"]
    assert strings.uncoerced(values) is values and strings.convert(values, "P") is values
    assert strings.uncoerced("a") == ["a"]  # a lone element is wrapped (EncodeCollection)
    assert strings.uncoerced(5) is NO_MATCH and strings.uncoerced(("a",)) is NO_MATCH
    assert strings.convert(("a", 2), "P") == ["a", "2"] and strings.convert(5, "P") == ["5"]
    assert strings.convert(None, "P") is None and strings.uncoerced(None) is None


def test_byte_array_takes_byte_strings_unchanged():
    byte_array = resolve_type("Byte[]")
    for value in (b"\x00\xff", bytearray(b"\x01"), memoryview(b"ab")):
        assert byte_array.uncoerced(value) is value and byte_array.convert(value, "P") is value
    assert byte_array.convert([0, "1", 255], "P") == [0, 1, 255]
    assert "unsigned byte" in pytest.raises(ConversionFailure, byte_array.convert, [256], "P").value.detail
    assert "bytes" in byte_array.python_annotation


def test_integer_array_checks_python_elements():
    ints = resolve_type("Int32[]")
    assert ints.element.name == "Int32" and ints.python_check is not None
    with pytest.raises(ConversionFailure):
        ints.python_check([1, 1.5], True)


# --- enums ---------------------------------------------------------------------------------------

LEVEL = EnumSpec("Level", (("Low", 1), ("High", 10)))
ACCESS = EnumSpec("Access", (("Read", 1), ("Write", 2), ("All", 3)), flags=True)
COLOR = EnumSpec.from_names("Color", ("Red", "Green", "Grey"))


def test_enum_by_name_number_and_prefix():
    level = enum_type(LEVEL)
    for value in ("high", " HIGH ", "h", 10, "10"):
        bound = level.convert(value, "P")
        assert isinstance(bound, EnumValue) and bound == "High" and int(bound) == 10
    assert level.uncoerced(level.convert("Low", "P")) == "Low"
    assert level.uncoerced("Low") is NO_MATCH  # a string is not yet the enum
    color = enum_type(COLOR)
    assert color.convert(1, "P") == "Green" and color.convert("r", "P") == "Red"
    assert "too similar or identical to the following enumerator names: Green, Grey" in pytest.raises(
        ConversionFailure, color.convert, "g", "P").value.detail


def test_enum_refusals():
    level = enum_type(LEVEL)
    undefined = pytest.raises(ConversionFailure, level.convert, 2, "P").value.detail
    assert undefined == ('Cannot convert value "2" to type "Level" due to enumeration values that are not valid. Specify '
                         'one of the following enumeration values and try again. The possible enumeration values are '
                         '"Low, High".')
    commas = pytest.raises(ConversionFailure, level.convert, "Low,High", "P").value.detail
    assert commas == 'Cannot convert value "Low,High" to type "Level" because no commas are allowed for this enumeration.'
    assert "Unable to match the identifier name Medium" in pytest.raises(
        ConversionFailure, level.convert, "Medium", "P").value.detail
    assert "Unable to match" in pytest.raises(ConversionFailure, level.convert, None, "P").value.detail


def test_flags_enum():
    access = enum_type(ACCESS)
    for value in ("Read,Write", ["Read", "Write"], 3, "read, write"):
        bound = access.convert(value, "P")
        assert int(bound) == 3 and bound == "All"
    assert str(access.convert(0, "P")) == "0"
    assert pytest.raises(ConversionFailure, access.convert, 4, "P")
    member_types = EnumSpec("M", (("A", 1), ("B", 2), ("C", 64), ("All", 191)), flags=True)
    assert str(enum_type(member_types).convert(191, "P")) == "All"
    bound = enum_type(member_types).convert(255, "P")  # .NET: the largest flags first, shown in value order
    assert int(bound) == 255 and str(bound) == "C, All"
    assert str(enum_type(EnumSpec("F", (("R", 1), ("W", 2)), flags=True)).convert(3, "P")) == "R, W"


def test_enum_value_survives_pickle_and_copy():
    bound = enum_type(LEVEL).convert("High", "P")
    for clone in (pickle.loads(pickle.dumps(bound)), copy.copy(bound)):
        assert clone == "High" and int(clone) == 10 and clone.enum_name == "Level"


def test_action_preference_reserves_suspend():
    preference = resolve_type("ActionPreference")
    assert preference.convert("si", "P") == "SilentlyContinue" and preference.convert(1, "P") == "Stop"
    assert "reserved for future use" in pytest.raises(ConversionFailure, preference.convert, "Suspend", "P").value.detail


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ([], "non-empty list"), (["A", "a"], "repeats a name"), ({"values": {"A": 1}, "flags": "yes"}, "true or false"),
        ({"values": {}}, "maps each name"), ({"values": {"A": 1.5}}, "whole number"), ({"values": {"A": True}}, "whole"),
        ({"values": {"A": 2**64}}, "64 bits"), ({"names": ["A"]}, "'values' and 'flags'"), ("A,B", "list of names"),
    ],
)
def test_enum_declarations_refused(raw, error):
    with pytest.raises(ValueError, match=error):
        enum_from_mapping("E", raw)


def test_enum_declarations():
    assert enum_from_mapping("E", ["A", "B"]).members == (("A", 0), ("B", 1))
    spec = enum_from_mapping("E", {"values": {"A": 1, "B": 1}, "flags": True})
    assert spec.flags and spec.names == ("A", "B")
    assert resolve_type("E[]", {"E": spec}).element.name == "E"
    assert resolve_type("e", {"E": spec}).python_annotation == "Literal['A', 'B']"


# --- .NET names and texts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "short", "full"),
    [
        ("x", "String", "System.String"), (True, "Boolean", "System.Boolean"), (5, "Int32", "System.Int32"),
        (2**40, "Int64", "System.Int64"), (1.5, "Double", "System.Double"), ([1], "Object[]", "System.Object[]"),
        (b"x", "Byte[]", "System.Byte[]"), ({"a": 1}, "Hashtable", "System.Collections.Hashtable"),
        (SimpleNamespace(), "PSCustomObject", "System.Management.Automation.PSCustomObject"),
        (LiteralInt(5, "5y", "SByte"), "SByte", "System.SByte"), (decimal.Decimal(1), "Decimal", "System.Decimal"),
        (datetime.datetime(2024, 1, 1), "DateTime", "System.DateTime"),
        (io.BytesIO(b"x"), "FileStream", "System.IO.FileStream"),  # an open file reads as a stream, not an object
    ],
)
def test_dotnet_names(value, short, full):
    assert dotnet_short_name(value) == short and dotnet_type_name(value) == full


def test_dotnet_text_is_short_and_never_a_secret():
    assert dotnet_text(10**5000).startswith("a number of about 5000 digits")
    assert len(dotnet_text("x" * 10_000)) < 200
    assert dotnet_text(SecureString("sk-secret")) == "System.Security.SecureString"
    assert dotnet_text(5.5) == "5.5" and dotnet_text(1e20) == "1E+20" and dotnet_text(-1e-7) == "-1E-07"
    assert dotnet_text(sys.float_info.max) == "1.7976931348623157E+308"

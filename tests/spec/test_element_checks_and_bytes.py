"""The validators and the type the write-side cmdlets added: ``object_id`` with ``each``,
``has_keys``, and ``Byte[]`` (bytes stay bytes; a Python binary stream is taken as it is)."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from pyopenai_ps import ParameterBindingError, SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.spec.load import load_spec_text
from pyopenai_ps.spec.types import resolve_type

SPEC = """\
name: Test-Shapes
parameters:
  - name: Stores
    type: Object[]
    validate:
      object_id: {prefix: vs_, keys: [id], each: true}
  - name: Store
    type: Object
    validate:
      object_id: {prefix: vs_, keys: [id]}
  - name: Functions
    type: IDictionary[]
    validate:
      has_keys: [name]
  - name: Content
    type: Byte[]
    mandatory: true
  - name: Path
    type: String
  - name: Blob
    type: Byte[]
    validate:
      not_null_or_empty: true
"""


@pytest.fixture(scope="module")
def shapes() -> Command:
    return Command(load_spec_text(SPEC))


def bound(command: Command, **kwargs):
    return command.bind(content=b"x", **kwargs).bound


class TestObjectIdEach:
    def test_every_element_is_checked(self, shapes):
        assert bound(shapes, stores=["vs_a", {"id": "vs_b"}])["Stores"] == ["vs_a", {"id": "vs_b"}]
        with pytest.raises(ParameterBindingError) as info:
            bound(shapes, stores=["vs_a", {"id": "file-1"}])
        assert info.value.error_id == "ParameterArgumentValidationError"
        assert "'id' property starts with 'vs_'" in str(info.value)

    def test_a_null_element_is_refused(self, shapes):
        with pytest.raises(ParameterBindingError, match="null"):
            bound(shapes, stores=["vs_a", None])

    def test_without_each_a_list_is_one_value(self, shapes):
        with pytest.raises(ParameterBindingError):
            bound(shapes, store=["vs_a"])
        assert bound(shapes, store=SimpleNamespace(id="vs_a"))["Store"].id == "vs_a"

    def test_each_must_be_a_boolean(self):
        with pytest.raises(SpecError, match="each must be true or false"):
            load_spec_text(SPEC.replace("each: true", "each: yes please"))


class TestHasKeys:
    def test_each_dictionary_needs_the_keys(self, shapes):
        assert bound(shapes, functions=[{"Name": "ping"}, {"name": "pong", "description": "x"}])
        for functions in ([{"description": "x"}], [{"name": ""}], [{"name": "a"}, {"name": None}]):
            with pytest.raises(ParameterBindingError, match="has no 'name'"):
                bound(shapes, functions=functions)

    @pytest.mark.parametrize("args", ["[]", "name", "['']"])
    def test_arguments_are_checked_when_the_spec_loads(self, args):
        with pytest.raises(SpecError, match="has_keys takes a non-empty list"):
            load_spec_text(SPEC.replace("has_keys: [name]", f"has_keys: {args}"))


class TestByteArray:
    @pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
    def test_bytes_stay_the_same_object(self, shapes, kind):
        data = kind(b"\x00\xff" * 1000)
        assert shapes.bind(content=data).bound["Content"] is data

    @pytest.mark.parametrize("given, expected", [([104, 105], [104, 105]), (["104", "0x69"], [104, 105]), (7, [7])])
    def test_numbers_convert_element_by_element(self, shapes, given, expected):
        assert shapes.bind(content=given).bound["Content"] == expected

    @pytest.mark.parametrize("given", [[256], [-1], "text", [1.5e300]])
    def test_values_that_are_not_bytes(self, shapes, given):
        with pytest.raises(ParameterBindingError) as info:
            shapes.bind(content=given)
        assert info.value.error_id == "ParameterArgumentTransformationError"

    def test_a_binary_stream_is_taken_as_it_is(self, shapes):
        stream = io.BytesIO(b"abc")
        assert shapes.bind(content=stream).bound["Content"] is stream

    def test_empty_bytes_are_refused_where_mandatory_or_not_empty(self, shapes):
        with pytest.raises(ParameterBindingError, match="it is an empty array"):
            shapes.bind(content=b"")
        with pytest.raises(ParameterBindingError, match="it is an empty array"):
            shapes.bind(content=bytearray())
        with pytest.raises(ParameterBindingError, match="The argument is null, empty") as info:
            shapes.bind(content=b"x", blob=b"")
        assert info.value.inner_error_id == "ArgumentIsEmpty"

    def test_from_a_command_line(self, shapes):
        from pyopenai_ps.pslang.parser import parse_line

        (call,) = parse_line("Test-Shapes -Content 104,105 -Blob 0x41").commands
        binding = shapes.binder.bind(*call.arguments)
        assert (binding.bound["Content"], binding.bound["Blob"]) == ([104, 105], [65])

    def test_the_type_itself(self):
        byte_array = resolve_type("byte[]")
        assert byte_array.name == "Byte[]" and byte_array.dotnet_name == "System.Byte[]"
        assert byte_array.matches(b"") and byte_array.matches(bytearray()) and byte_array.matches([1])
        assert not byte_array.matches([256]) and not byte_array.matches("text")
        assert resolve_type("System.Byte[]").name == "Byte[]"


def test_a_path_object_binds_to_a_string_as_its_text(shapes):
    assert shapes.bind(content=b"x", path=Path("/tmp/a b.txt")).bound["Path"] == "/tmp/a b.txt"

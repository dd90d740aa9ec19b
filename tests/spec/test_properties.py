"""spec/properties.py: which properties a record offers to ByPropertyName binding, and what ``$value.name`` reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from pyopenai_ps.spec.properties import MISSING, Hashtable, get_property, property_map, read_id


@dataclass
class Run:
    id: str
    thread_id: str
    _private: str = "hidden"

    @property
    def status(self) -> str:
        return "completed"

    @property
    def broken(self) -> str:
        raise RuntimeError("a failing property is simply not there")

    def method(self) -> None:
        """Methods are no properties."""


# --- property_map ----------------------------------------------------------------------------------


def test_mapping_keys_are_properties_ignoring_case_first_spelling_wins():
    assert property_map({"Name": "a", "name": "b", 1: "number key", "Id": None}) == {"name": "a", "id": None}
    assert property_map(json.loads('{"thread_id": "thread_a"}')) == {"thread_id": "thread_a"}


def test_a_hashtable_written_in_a_line_offers_only_its_dotnet_properties():
    table = Hashtable(Name="x", Count=99)
    props = property_map(table)
    assert "name" not in props
    assert props["count"] == 2 and props["keys"] == ["Name", "Count"] and props["values"] == ["x", 99]
    assert props["isreadonly"] is False and props["syncroot"] is table
    assert isinstance(table, dict) and table["Name"] == "x"  # still a dict to everything else


def test_object_attributes_are_properties():
    props = property_map(Run("run_1", "thread_1"))
    assert props == {"id": "run_1", "thread_id": "thread_1", "status": "completed"}
    assert property_map(SimpleNamespace(Name="x")) == {"name": "x"}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("abc", {"length": 3}),
        ("", {"length": 0}),
        ([1, 2], {"length": 2, "count": 2}),
        ((1,), {"length": 1, "count": 1}),
        (b"abcd", {"length": 4, "count": 4}),
        ({1, 2, 3}, {"count": 3}),
        (5, {}),
        (1.5, {}),
        (True, {}),
        (None, {}),
    ],
)
def test_plain_values_offer_their_dotnet_properties(record, expected):
    assert property_map(record) == expected


def test_an_object_whose_dir_fails_has_no_properties():
    class Odd:
        def __dir__(self):
            raise RuntimeError("no")

    assert property_map(Odd()) == {}


# --- get_property ---------------------------------------------------------------------------------


def test_get_property_reads_keys_of_any_mapping_as_member_access_does():
    assert get_property({"Id": "x"}, "id") == "x"
    assert get_property(Hashtable(id="thread_1"), "ID") == "thread_1"  # $hashtable.id reads the key
    assert get_property({"id": "x"}, "other") is MISSING


def test_get_property_reads_attributes():
    run = Run("run_1", "thread_1")
    assert get_property(run, "id") == "run_1"
    assert get_property(run, "STATUS") == "completed"  # case-insensitive through the property map
    assert get_property(run, "broken") is MISSING
    assert get_property(run, "method") is MISSING
    assert get_property(run, "nothing") is MISSING


@pytest.mark.parametrize("record", ["abc", 5, 1.5, True, None, b"x", [1], (1,), {1}])
def test_get_property_of_scalars_and_lists_is_missing(record):
    assert get_property(record, "id") is MISSING


# --- read_id --------------------------------------------------------------------------------------


def test_read_id():
    keys = ["id", "thread_id"]
    assert read_id("thread_1", "thread_", keys) == "thread_1"
    assert read_id("anything", "thread_", keys) == "anything"  # a string is the id itself
    assert read_id("  ", "thread_", keys) is None
    assert read_id("thread_1", "thread_", keys, accept_string=False) is None
    assert read_id({"id": "run_1", "thread_id": "thread_1"}, "thread_", keys) == "thread_1"
    assert read_id(SimpleNamespace(id="thread_9"), "thread_", keys) == "thread_9"
    assert read_id({"id": 5}, "thread_", keys) is None
    assert read_id(None, "thread_", keys) is None
    assert read_id(Hashtable(thread_id="thread_h"), "thread_", keys) == "thread_h"

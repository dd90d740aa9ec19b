"""Output objects on their own (no server): access, timestamps, plain copies, printing, pickling."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Mapping
from datetime import datetime, timezone

import pytest

from pyopenai_ps import PSObject
from pyopenai_ps.runtime.output import DEFAULT_DATES, wrap

CREATED = 1700000480  # 2023-11-14 22:21:20 UTC
RUN = {
    "id": "run_abc123",
    "object": "thread.run",
    "created_at": CREATED,
    "completed_at": None,
    "status": "completed",
    "usage": {"prompt_tokens": 120, "completion_tokens": 45, "total_tokens": 165},
    "tools": [{"type": "code_interpreter"}],
    "metadata": {},
    "json": "a property named like a method",
}
STAMPS = ("created_at", "completed_at", "expires_at")


def run_object(data: dict | None = None) -> PSObject:
    return PSObject(copy.deepcopy(data or RUN), "PSOpenAI.Thread.Run", STAMPS)


# --- access ------------------------------------------------------------------------------------


def test_attribute_and_item_access_are_case_insensitive():
    run = run_object()
    assert run.status == run["status"] == run["STATUS"] == run.Status == "completed"
    assert "Status" in run and "nothing" not in run and 5 not in run
    with pytest.raises(KeyError):
        run["nothing"]
    with pytest.raises(AttributeError, match="PSOpenAI.Thread.Run has no property 'nothing'"):
        run.nothing  # noqa: B018


def test_nested_objects_and_lists_wrap_on_access():
    run = run_object()
    assert isinstance(run.usage, PSObject) and run.usage.total_tokens == 165
    assert run.usage is run.usage  # wrapped once
    assert isinstance(run.tools[0], PSObject) and run.tools[0].type == "code_interpreter"
    assert wrap([{"a": 1}, 2]) == [PSObject({"a": 1}), 2]


def test_type_names_and_mapping_behaviour():
    run = run_object()
    assert run.type_names == ("PSOpenAI.Thread.Run", "System.Management.Automation.PSCustomObject", "System.Object")
    assert PSObject({}).type_names == ("System.Management.Automation.PSCustomObject", "System.Object")
    assert isinstance(run, Mapping) and list(run) == list(RUN) and len(run) == len(RUN)
    assert "status" in dir(run) and "to_dict" in dir(run)


def test_read_only_and_unhashable():
    run = run_object()
    with pytest.raises(AttributeError, match="read-only"):
        run.status = "x"
    with pytest.raises(TypeError):
        hash(run)


def test_equality():
    assert run_object() == run_object()
    assert run_object() == RUN  # against a plain mapping
    assert run_object() != PSObject(copy.deepcopy(RUN))  # another type name
    assert run_object().__eq__(5) is NotImplemented


def test_factory_makes_the_same_objects():
    make = PSObject.factory("PSOpenAI.Thread.Run", STAMPS)
    made = make(copy.deepcopy(RUN))
    assert made == run_object() and made.type_names == run_object().type_names
    assert made.created_at == run_object().created_at


# --- timestamps ------------------------------------------------------------------------------


def test_timestamps_read_as_utc_datetimes():
    run = run_object()
    assert run.created_at == datetime(2023, 11, 14, 22, 21, 20, tzinfo=timezone.utc)
    assert run.completed_at is None
    assert run.id == "run_abc123"  # other properties stay as sent


@pytest.mark.parametrize("raw", ["yesterday", 10**20, True])
def test_a_timestamp_that_is_not_one_stays_as_sent(raw):
    run = run_object({**RUN, "created_at": raw})
    assert run.created_at == raw


def test_to_dict_defaults_to_iso_text():
    assert DEFAULT_DATES == "iso"
    data = run_object().to_dict()
    assert data["created_at"] == "2023-11-14T22:21:20+00:00"
    assert data["completed_at"] is None
    assert data["usage"] == RUN["usage"] and type(data["usage"]) is dict
    assert json.loads(json.dumps(data)) == data


def test_to_dict_other_date_forms():
    run = run_object()
    assert run.to_dict(dates="unix") == RUN  # exactly as sent
    assert run.to_dict(dates="datetime")["created_at"] == run.created_at
    with pytest.raises(ValueError, match="dates must be one of iso, unix, datetime"):
        run.to_dict(dates="epoch")  # type: ignore[arg-type]


def test_to_dict_is_a_deep_copy():
    run = run_object()
    data = run.to_dict()
    data["usage"]["total_tokens"] = 0
    data["tools"].append("x")
    assert run.usage.total_tokens == 165 and len(run.tools) == 1


def test_json_text():
    run = run_object({**RUN, "instructions": "Grüße"})
    assert json.loads(run.json()) == run.to_dict()
    assert "Grüße" in run.json()  # non-ASCII kept as is
    assert '"created_at": 1700000480' in run.json(dates="unix")
    assert run.json(indent=2).startswith('{\n  "id": "run_abc123"')
    assert "\\u00fc" in run.json(ensure_ascii=True)


def test_a_method_name_does_not_hide_the_property_from_item_access():
    run = run_object()
    assert callable(run.json) and run["json"] == "a property named like a method"


# --- printing --------------------------------------------------------------------------------


def test_print_shows_the_list_view(capsys):
    run = run_object({"id": "run_abc123", "status": "completed", "created_at": CREATED})
    print(run)
    assert capsys.readouterr().out == ("id         : run_abc123\n"
                                       "status     : completed\n"
                                       "created_at : 2023-11-14 22:21:20Z\n")
    assert str(run) == "id         : run_abc123\nstatus     : completed\ncreated_at : 2023-11-14 22:21:20Z"


def test_repr_is_one_short_line():
    assert repr(run_object()) == "<PSOpenAI.Thread.Run id='run_abc123' object='thread.run' status='completed'>"
    assert repr(PSObject({"a": 1, "b": 2, "c": 3, "d": 4})) == (
        "<System.Management.Automation.PSCustomObject a=1 b=2 c=3>")


# --- copies and pickling ---------------------------------------------------------------------


@pytest.mark.parametrize("clone", [lambda o: pickle.loads(pickle.dumps(o)), copy.copy, copy.deepcopy],
                         ids=["pickle", "copy", "deepcopy"])
def test_copies_keep_type_names_and_timestamps(clone):
    run = run_object()
    again = clone(run)
    assert again == run and again.type_names == run.type_names
    assert again.created_at == run.created_at
    plain = clone(PSObject({"a": 1}))
    assert plain.type_names == PSObject({}).type_names

"""The views on their own: values as PowerShell prints them, the list view (and its wrapping), the
streaming table view, choosing properties, JSON lines."""

from __future__ import annotations

import json
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from pyopenai_ps import PSObject
from pyopenai_ps.runtime.views import (
    SAMPLE_ROWS,
    TableView,
    format_list,
    format_table,
    json_line,
    property_names,
    select_properties,
    show_value,
)

UTC = timezone.utc


def run(n: int, **extra) -> PSObject:
    data = {"id": f"run_{n}", "status": "completed", "created_at": 1700000000 + n, "model": "gpt-4o", **extra}
    return PSObject(data, "PSOpenAI.Thread.Run", ("created_at",))


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, shown", [
    (None, ""),
    (True, "True"),
    (False, "False"),
    (5, "5"),
    (1.5, "1.5"),
    ("text", "text"),
    (datetime(2023, 11, 14, 22, 21, 20, tzinfo=UTC), "2023-11-14 22:21:20Z"),
    (datetime(2023, 11, 14, 22, 21, 20, tzinfo=timezone(timedelta(hours=2))), "2023-11-14 22:21:20"),
    (datetime(2023, 11, 14, 22, 21, 20), "2023-11-14 22:21:20"),
    ({"a": 1, "b": None}, "@{a=1; b=}"),
    ([1, "x", {"k": True}], "{1, x, @{k=True}}"),
    ((), "{}"),
])
def test_show_value(value, shown):
    assert show_value(value) == shown


# --- choosing properties ---------------------------------------------------------------------


def test_property_names_all_or_chosen():
    item = {"id": "x", "Status": "ok", "created_at": 1, "completed_at": 2}
    assert property_names(item, None) == ["id", "Status", "created_at", "completed_at"]
    assert property_names(item, ["status", "ID"]) == ["Status", "id"]  # the object's spelling, the order asked
    assert property_names(item, ["*_AT"]) == ["created_at", "completed_at"]
    assert property_names(item, ["c?eated_at", "created_at"]) == ["created_at"]  # each once
    assert property_names(item, ["missing"]) == ["missing"]
    assert property_names(item, ["nomatch*"]) == []
    assert property_names("a string", ["id"]) == ["Value"]


def test_select_properties_values():
    assert select_properties({"id": "x", "n": 1}, ["N", "gone"]) == [("n", 1), ("gone", None)]
    assert select_properties(7) == [("Value", 7)]


# --- the list view ---------------------------------------------------------------------------


def test_list_view_blocks():
    text = format_list([run(1), run(2)])
    first, second = text.rstrip("\n").split("\n\n")
    assert first.splitlines() == ["id         : run_1", "status     : completed",
                                  "created_at : 2023-11-14 22:13:21Z", "model      : gpt-4o"]
    assert second.startswith("id         : run_2")
    assert format_list([]) == ""
    assert format_list(["plain"]) == "Value : plain\n"


def test_list_view_chosen_properties():
    assert format_list([run(1)], ["model", "id"]) == "model : gpt-4o\nid    : run_1\n"


def test_list_view_an_empty_value_has_no_trailing_space():
    assert format_list([{"a": None, "bb": ""}]) == "a  :\nbb :\n"


def test_list_view_wraps_long_values_under_the_value_column():
    text = format_list([{"id": "x", "instructions": "one two three four five six seven eight nine ten"}], width=30)
    assert text.splitlines() == [
        "id           : x",
        "instructions : one two three",
        "               four five six",
        "               seven eight",
        "               nine ten",
    ]
    assert max(len(line) for line in text.splitlines()) <= 30


def test_list_view_wraps_a_word_longer_than_the_room_and_keeps_line_breaks():
    text = format_list([{"k": "abcdefghijklmnopqrstuvwxyz", "m": "line one\nline two"}], width=16)
    assert text.splitlines() == ["k : abcdefghijkl", "    mnopqrstuvwx", "    yz", "m : line one", "    line two"]


def test_list_view_without_a_width_never_wraps():
    long = "word " * 50
    assert format_list([{"k": long}]) == f"k : {long}\n"


# --- the table view --------------------------------------------------------------------------


def test_table_of_a_list_in_memory():
    text = format_table([run(1), run(22)], ["id", "status"])
    assert text.splitlines() == ["id     status", "--     ------", "run_1  completed", "run_22 completed"]
    assert format_table([]) == ""


def test_table_columns_default_to_the_first_objects_properties():
    header = format_table([run(1)]).splitlines()[0]
    assert header.split() == ["id", "status", "created_at", "model"]


def test_table_drops_columns_that_do_not_fit_and_cuts_the_last():
    items = [{"a": "x" * 10, "b": "y" * 30, "c": "z"}]
    assert format_table(items, width=30).splitlines() == ["a          b", "-          -",
                                                          "xxxxxxxxxx yyyyyyyyyyyyyyyy..."]
    assert format_table(items, width=11).splitlines()[0] == "a"


def test_table_clips_long_cells():
    text = format_table([{"a": "x" * 100, "b": 1}])
    assert text.splitlines()[2] == "x" * 37 + "... 1"


def test_table_rows_stream_after_the_sample():
    view = TableView(["id"], width=80, sample=3)
    assert view.add(run(1)) == "" and view.add(run(2)) == ""
    assert not view.started
    assert view.add(run(3)).splitlines() == ["id", "--", "run_1", "run_2", "run_3"]
    assert view.started
    assert view.add(run(4)) == "run_4\n"
    assert view.finish() == ""


def test_table_widths_come_from_the_sample_and_later_rows_are_cut_to_them():
    view = TableView(["id", "status"], width=80, sample=1)
    view.add({"id": "run_1", "status": "ok"})
    assert view.add({"id": "run_123456", "status": "ok"}) == "ru... ok\n"  # cut to the width of "run_1"


def test_a_short_table_is_written_by_finish():
    view = TableView(None, width=80, sample=10)
    assert view.add({"a": 1}) == ""
    assert view.finish().splitlines() == ["a", "-", "1"]
    assert TableView().finish() == ""


def test_the_table_can_be_flushed_early():
    view = TableView(["id"], sample=100)
    view.add(run(1))
    assert view.flush().splitlines() == ["id", "--", "run_1"]
    assert view.add(run(2)) == "run_2\n"


def _peak_streaming(rows: int) -> int:
    view = TableView(["id", "status"], width=120)
    tracemalloc.start()
    try:
        for n in range(rows):
            view.add({"id": f"run_{n}", "status": "completed", "blob": "x" * 2000})
        view.finish()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_table_memory_is_flat_in_the_row_count():
    small, large = _peak_streaming(2 * SAMPLE_ROWS), _peak_streaming(40 * SAMPLE_ROWS)
    assert large < small * 1.5 + 64 * 1024  # twenty times the rows, about the same peak
    assert large < 40 * SAMPLE_ROWS * 2000 / 4  # far below holding every row


# --- JSON lines ------------------------------------------------------------------------------


def test_json_line_of_an_output_object_has_iso_dates():
    line = json_line(run(1))
    assert json.loads(line)["created_at"] == "2023-11-14T22:13:21+00:00"
    assert " " not in line.replace("gpt-4o", "")  # compact


def test_json_line_with_chosen_properties():
    assert json.loads(json_line(run(1), ["status", "ID", "gone"])) == {"status": "completed", "id": "run_1",
                                                                        "gone": None}
    assert json_line("text", ["value"]) == '{"Value":"text"}'
    assert json_line({"when": datetime(2024, 1, 1, tzinfo=UTC)}) == '{"when":"2024-01-01T00:00:00+00:00"}'
    assert json_line({"text": "Grüße"}) == '{"text":"Grüße"}'


def test_a_dotted_property_reads_nested_values_as_powershell_does():
    line = {"custom_id": "r1", "response": {"Body": {"Answer": ["Four."], "choices": [{"index": 0}, {"index": 1}]}}}
    assert select_properties(line, ["custom_id", "response.body.answer", "response.body.choices.index",
                                    "response.nope.x"]) == [
        ("custom_id", "r1"), ("response.body.answer", ["Four."]), ("response.body.choices.index", [0, 1]),
        ("response.nope.x", None)]
    assert json.loads(json_line(line, ["response.body.Answer"])) == {"response.body.Answer": ["Four."]}
    nested = {"a": [{"b": [1, 2]}, {"b": [3]}, {"c": 4}]}
    assert select_properties(nested, ["a.b"]) == [("a.b", [1, 2, 3])]  # flattened, as $_.a.b gives 1,2,3

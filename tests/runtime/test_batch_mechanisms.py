"""The generic mechanisms the batch cmdlets use, each on a spec of its own against a test server of
its own: a follow-up whose output is kept only when a condition holds (``then.output``), a step that
``needs`` something of the current object, a set of steps that ``returns: jsonl`` (the text its steps
output, one object a line), projections that give typed objects (``Typed``), the ``unique_name``
transform, and a kept step that gives nothing ending the record.
"""

from __future__ import annotations

import json
import re

import pytest
from echo_server import Answer

import pyopenai_ps as ps
from pyopenai_ps.errors import SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.runtime.compose import with_derived
from pyopenai_ps.runtime.output import PSObject
from pyopenai_ps.spec.load import load_spec_text
from pyopenai_ps.spec.projections import PROJECTIONS, Typed, batch_output_response
from pyopenai_ps.spec.transforms import make_transform

KEY = "sk-mechanisms-0123456789abcdef"



def _json(body: object) -> Answer:
    return Answer(body=json.dumps(body).encode())


def _load(tmp_path, *texts: str) -> list[Command]:
    """Each spec text loaded as a cmdlet (so steps and follow-ups find each other)."""
    commands = []
    for text in texts:
        name = re.search(r"^name: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        commands.append(ps.load_spec(path))
    return commands


GET_THING = """
name: Get-MechThing
parameters:
  - {name: Id, type: String, position: 0, mandatory: true}
  - include: _connection
operation:
  output: {type_name: Test.Thing}
  sets:
    __AllParameterSets: {path: "/things/{id}", path_values: {id: {parameter: Id}}}
"""
STOP_THING = """
name: Stop-MechThing
parameters:
  - {name: Id, type: String, position: 0, mandatory: true}
  - {name: Wait, type: Switch}
  - {name: PassThru, type: Switch}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /things/{id}/cancel
      path_values: {id: {parameter: Id}}
      returns: none
      variants: [{when: PassThru, returns: object}]
      then: {when: Wait, run: Get-MechThing, with: {Id: {answer: id}}, output: PassThru}
"""


class TestFollowUpOutput:
    @pytest.fixture
    def stop(self, tmp_path):
        return _load(tmp_path, GET_THING, STOP_THING)[1]

    def test_the_follow_up_runs_and_its_output_is_dropped_unless_the_condition_holds(self, echo, stop):
        echo.answer(_json({"id": "t1", "status": "cancelling"}), _json({"id": "t1", "status": "cancelled"}))
        assert stop("t1", wait=True) is None
        assert [(s.method, s.path) for s in echo.seen] == [("POST", "/v1/things/t1/cancel"), ("GET", "/v1/things/t1")]

    def test_with_the_condition_the_follow_up_s_output_replaces_the_answer(self, echo, stop):
        echo.answer(_json({"id": "t1", "status": "cancelling"}), _json({"id": "t1", "status": "cancelled"}))
        done = stop("t1", wait=True, pass_thru=True)
        assert (done.status, done.type_names[0]) == ("cancelled", "Test.Thing")

    def test_without_the_follow_up_the_answer_is_output(self, echo, stop):
        echo.answer(_json({"id": "t1", "status": "cancelling"}))
        assert stop("t1", pass_thru=True).status == "cancelling" and len(echo.seen) == 1

    def test_a_bad_output_condition_is_a_spec_error(self):
        with pytest.raises(SpecError, match="no parameter named 'Nope'"):
            load_spec_text(STOP_THING.replace("output: PassThru", "output: Nope"))


CONTENT = """
name: Get-MechContent
parameters:
  - {name: Id, type: String, position: 0, mandatory: true}
  - include: _connection
operation:
  sets:
    __AllParameterSets: {path: "/things/{id}/content", path_values: {id: {parameter: Id}}, returns: bytes}
"""
LINES = """
name: Get-MechLines
parameters:
  - {name: InputObject, type: Object, position: 0, mandatory: true, pipeline: [ByValue]}
  - include: _connection
operation:
  output:
    type_name: Test.Line
    derived:
      response: {projection: batch_output_response}
  sets:
    __AllParameterSets:
      returns: jsonl
      start: {parameter: InputObject}
      steps:
        - {run: Get-MechThing, with: {Id: {first: [{answer: id}, {answer: null}]}}, keep: true,
           when: {given: {value: true, unless: {given: {answer: file_id}}}}}
        - run: Get-MechContent
          needs: {given: {answer: file_id}}
          message: "{id} has no file: its status is {status}."
          with: {Id: {answer: file_id}}
          output: true
"""


class TestStepsThatReturnJsonLines:
    @pytest.fixture
    def lines(self, tmp_path):
        return _load(tmp_path, GET_THING, CONTENT, LINES)[2]

    def test_the_text_a_step_outputs_becomes_one_object_a_line(self, echo, lines):
        data = b'{"id": "l1", "custom_id": "a"}\n\n{"id": "l2", "custom_id": "b"}\n'
        echo.answer(_json({"id": "t1", "file_id": "f1"}), Answer(body=data, headers={"Content-Type": "text/plain"}))
        out = lines("t1")
        assert [s.path for s in echo.seen] == ["/v1/things/t1", "/v1/things/f1/content"]
        assert [(o.id, o.type_names[0]) for o in out] == [("l1", "Test.Line"), ("l2", "Test.Line")]
        assert isinstance(out, list)

    def test_one_line_is_still_a_list(self, echo, lines):
        echo.answer(Answer(body=b'{"id": "l1"}'))
        assert [o.id for o in lines({"id": "t1", "file_id": "f1"})] == ["l1"] and len(echo.seen) == 1

    def test_a_step_that_needs_what_the_object_lacks_ends_the_record_with_its_message(self, echo, lines):
        echo.answer(_json({"id": "t1", "status": "running"}))
        with pytest.raises(ps.MissingValueError) as info:
            lines("t1")
        assert str(info.value) == "t1 has no file: its status is running."
        assert [s.path for s in echo.seen] == ["/v1/things/t1"]
        echo.answer(_json({"id": "t2"}), Answer(body=b'{"id": "l9"}'))
        errors: list = []
        out = lines.pipe([{"id": "t2"}, {"id": "t3", "file_id": "f3"}], error_action="SilentlyContinue",
                         error_variable=errors)
        assert [o.id for o in out] == ["l9"] and "t2 has no file: its status is unknown." in str(errors[0])

    def test_a_line_that_is_not_json_names_its_number(self, echo, lines):
        echo.answer(Answer(body=b'{"id": "l1"}\n[1, 2]\n'))
        with pytest.raises(ps.ResponseFormatError, match="line 2 of the output of Get-MechContent"):
            lines({"id": "t1", "file_id": "f1"})

    def test_needs_and_message_go_together(self):
        with pytest.raises(SpecError, match="'needs' .* and 'message'"):
            load_spec_text(LINES.replace('          message: "{id} has no file: its status is {status}."\n', ""))


KEEP = """
name: Get-MechKept
parameters:
  - {name: Id, type: String, position: 0, mandatory: true, pipeline: [ByValue]}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      returns: object
      start: {parameter: Id}
      steps:
        - {run: Get-MechThing, with: {Id: {answer: null}}, keep: true}
        - {run: Get-MechThing, with: {Id: {answer: next}}, output: true}
"""


def test_a_kept_step_that_gives_nothing_ends_the_record(echo, tmp_path):
    kept = _load(tmp_path, GET_THING, KEEP)[1]
    echo.answer(Answer(status=404, body=b'{"error": {"message": "No thing."}}'), _json({"id": "b", "next": "c"}),
                _json({"id": "c"}))
    errors: list = []
    out = kept.pipe(["a", "b"], error_action="SilentlyContinue", error_variable=errors)
    assert [o.id for o in out] == ["c"] and isinstance(errors[0], ps.NotFoundError)
    assert [s.path for s in echo.seen] == ["/v1/things/a", "/v1/things/b", "/v1/things/c"]  # nothing after a's 404


class TestTypedProjection:
    LINE = {"id": "batch_req_1", "custom_id": "a", "response": {"status_code": 200, "body": {
        "object": "chat.completion", "created": 1713713704,
        "choices": [{"message": {"content": "One."}}, {"message": {"content": None}}, {"message": {"content": "Two."}}]}}}

    def test_a_chat_completion_body_is_typed_with_its_answers(self):
        response = batch_output_response(self.LINE)
        body = response["body"]
        assert isinstance(body, Typed) and (body.type_name, body.timestamps) == ("PSOpenAI.Chat.Completion", ("created",))
        assert body.data["Answer"] == ["One.", "Two."] and response["status_code"] == 200
        assert PROJECTIONS["batch_output_response"] is batch_output_response

    @pytest.mark.parametrize("line", [{"response": None}, {"response": {"body": {"object": "list"}}}, {}])
    def test_anything_else_is_kept_as_it_is(self, line):
        assert batch_output_response(line) == line.get("response")

    def test_the_output_makes_typed_parts_objects_with_dates(self):
        spec = load_spec_text(LINES)
        item = PSObject(dict(self.LINE), "Test.Line")
        derived = spec.operation.sets["__AllParameterSets"].output.derived  # type: ignore[union-attr]
        out = with_derived(item, derived, None, lambda name, arguments: iter(()))  # type: ignore[arg-type]
        body = out.response.body
        assert body.type_names[0] == "PSOpenAI.Chat.Completion" and body.created.year == 2024
        assert out.to_dict()["response"]["body"]["created"] == "2024-04-21T15:35:04+00:00"
        assert out.type_names[0] == "Test.Line"


def test_unique_name_fills_in_the_time_and_four_hex_digits():
    make = make_transform("unique_name")
    names = {make("batch-psopenai_{utc_now}_{random}.jsonl") for _ in range(20)}
    assert all(re.fullmatch(r"batch-psopenai_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d_[0-9a-f]{4}\.jsonl", n) for n in names)
    assert len(names) > 1 and make(None) is None and make("plain") == "plain"

"""Operations of more than one request: polling, server-sent events, steps and derived properties.

Polling runs against a test server of its own that answers each GET with the next status of a script;
its waits go through a recording sleeper and a fake clock.  Event streams are parsed from bytes split
at every possible place, and read from a server that sends them piece by piece.
"""

from __future__ import annotations

import json

import pytest
from echo_server import Answer

import pyopenai_ps as ps
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.runtime.events import read_events, select
from pyopenai_ps.spec.flow import EventsSpec
from pyopenai_ps.spec.load import load_spec_text

KEY = "sk-flows-0123456789abcdef"




def _run(status: str, **extra) -> Answer:
    body = {"id": "run_1", "object": "thread.run", "thread_id": "thread_1", "status": status, **extra}
    return Answer(body=json.dumps(body).encode())


WAIT = """
name: Wait-Thing
parameter_sets: [StatusForWait, StatusForExit]
default_parameter_set: StatusForWait
parameters:
  - {name: InputObject, type: Object, position: 0, mandatory: true, pipeline: [ByValue]}
  - {name: StatusForWait, type: "String[]", sets: [StatusForWait], default: [queued, in_progress]}
  - {name: StatusForExit, type: "String[]", sets: [StatusForExit]}
  - include: _connection
operation:
  output: {type_name: Test.Run}
  sets:
    StatusForWait: &wait
      path: /threads/{thread_id}/runs/{run_id}
      path_values:
        thread_id: {read_id: InputObject, prefix: thread_, keys: [thread_id]}
        run_id: {read_id: InputObject, prefix: run_, keys: [id], strings: false}
      poll:
        status: status
        wait_in: {first: [{parameter: StatusForWait}, {value: [queued, in_progress, requires_action, cancelling]}]}
        except: {parameter: StatusForExit}
        initial: {parameter: InputObject}
        delay: {step: 0.2, max: 1.0, start: 1}
        final: request
        timeout: TimeoutSec
        ended: {statuses: [failed, expired], detail: last_error}
    StatusForExit: *wait
"""


@pytest.fixture
def wait() -> Command:
    return Command(load_spec_text(WAIT))


class TestPolling:
    RUN = {"id": "run_1", "thread_id": "thread_1", "status": "queued"}

    def test_waits_with_growing_delays_then_fetches_once_more(self, echo, wait):
        echo.answer(*(_run("in_progress") for _ in range(6)), _run("completed"), _run("completed"))
        done = wait(dict(self.RUN))
        assert done.status == "completed" and done.type_names[0] == "Test.Run"
        assert echo.clock.slept == [0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0]
        assert len(echo.seen) == 8 and {s.path for s in echo.seen} == {"/v1/threads/thread_1/runs/run_1"}

    def test_a_finished_input_is_not_waited_for(self, echo, wait):
        echo.answer(_run("completed"))
        assert wait({**self.RUN, "status": "completed"}).status == "completed"
        assert echo.clock.slept == [] and len(echo.seen) == 1  # only the final request

    def test_status_for_exit_waits_in_everything_else(self, echo, wait):
        echo.answer(_run("requires_action"), _run("in_progress"), _run("cancelled"), _run("cancelled"))
        assert wait(dict(self.RUN), status_for_exit=["cancelled"]).status == "cancelled"
        assert echo.clock.slept == [0.2, 0.4, 0.6]

    def test_the_time_limit_bounds_the_whole_wait_and_names_the_last_status(self, echo, wait):
        echo.answer(*(_run("in_progress") for _ in range(20)))
        with pytest.raises(ps.WaitTimeoutError) as info:
            wait(dict(self.RUN), timeout_sec=2)
        error = info.value
        assert (error.object_id, error.status) == ("run_1", "in_progress")
        assert str(error) == "The wait for run_1 ended after 2 s; its last status was 'in_progress'."
        assert sum(echo.clock.slept) == pytest.approx(2.0)

    def test_a_failed_run_ends_the_wait_with_its_last_error(self, echo, wait, caplog):
        error = {"code": "rate_limit_exceeded", "message": "Slow down."}
        echo.answer(_run("failed", last_error=error), _run("failed", last_error=error))
        done = wait(dict(self.RUN))
        assert done.status == "failed" and done.last_error.code == "rate_limit_exceeded"
        assert "run_1 ended with status 'failed': rate_limit_exceeded: Slow down." in caplog.text

    def test_errors_of_a_poll_are_the_record_s_own(self, echo, wait):
        echo.answer(Answer(status=404, body=b'{"error": {"message": "No run found."}}'))
        errors: list = []
        assert wait.pipe([dict(self.RUN)], error_action="SilentlyContinue", error_variable=errors) == []
        assert isinstance(errors[0], ps.NotFoundError)


def _chunks(text: str, size: int) -> list[bytes]:
    data = text.encode()
    return [data[i:i + size] for i in range(0, len(data), size)]


STREAM = (
    ": a comment\r\n"
    "event: thread.run.created\r\ndata: {\"id\": \"run_1\"}\r\n\r\n"
    "id: 7\nevent: thread.message.delta\ndata: {\"delta\": {\"content\": [{\"text\": {\"value\": \"Hel\"}}]}}\n\n"
    "event: thread.message.delta\rdata: {\"delta\": {\"content\":\rdata: [{\"text\": {\"value\": \"lo\"}}]}}\r\r"
    "event: done\ndata: [DONE]\n\n"
)
SELECT = EventsSpec(events=("thread.message.delta",), path=("delta", "content", "0", "text", "value"))


class TestEvents:
    @pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
    def test_events_parse_the_same_however_the_bytes_arrive(self, size):
        events = list(read_events(_chunks(STREAM, size)))
        assert [e.event for e in events] == ["thread.run.created", "thread.message.delta", "thread.message.delta",
                                             "done"]
        assert events[1].id == "7" and events[2].data == '{"delta": {"content":\n[{"text": {"value": "lo"}}]}}'
        assert list(select(_chunks(STREAM, size), SELECT)) == ["Hel", "lo"]

    def test_raw_gives_each_data_payload(self):
        assert list(select(_chunks(STREAM, 5), SELECT, raw=True)) == [
            '{"id": "run_1"}', '{"delta": {"content": [{"text": {"value": "Hel"}}]}}',
            '{"delta": {"content":\n[{"text": {"value": "lo"}}]}}']

    def test_an_error_event_raises_after_what_was_yielded(self):
        text = STREAM.split("event: done")[0] + 'event: error\ndata: {"error": {"message": "boom", "code": "x"}}\n\n'
        pieces = select(_chunks(text, 9), SELECT)
        assert next(pieces) == "Hel" and next(pieces) == "lo"
        with pytest.raises(ps.StreamError) as info:
            next(pieces)
        assert info.value.error_code == "x" and "boom" in str(info.value)

    def test_a_cut_stream_raises_after_what_was_yielded(self):
        pieces = select(_chunks(STREAM[:STREAM.index("event: done") - 30], 4), SELECT)
        assert next(pieces) == "Hel"
        with pytest.raises(ps.APIConnectionError):
            next(pieces)

    def test_a_malformed_event_names_its_line(self):
        with pytest.raises(ps.ResponseFormatError) as info:
            list(select([b"event: thread.message.delta\ndata: {not json\n\n"], SELECT))
        assert "line 3" in str(info.value)


STEPS = """
name: Receive-Thing
parameters:
  - {name: InputObject, type: Object, position: 0, mandatory: true}
  - {name: Wait, type: Switch}
  - {name: Remove, type: Switch}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      start: {parameter: InputObject}
      steps:
        - {run: Get-StepThing, with: {Id: {answer: id}, Kind: {value: waited}}, when: Wait, keep: true}
        - {run: Get-StepThing, with: {Id: {answer: thread_id}, Kind: {value: thread}}, keep: true, output: true}
        - {run: Get-StepThing, with: {Id: {answer: id}, Kind: {value: removed}}, when: [Wait, Remove]}
"""
GET_STEP_THING = """
name: Get-StepThing
parameters:
  - {name: Id, type: String, mandatory: true}
  - {name: Kind, type: String}
  - {name: Primitive, type: Switch}
  - include: _connection
operation:
  output:
    type_name: Test.Thing
    derived:
      Parts: {run: List-StepParts, with: {Id: {answer: id}}, unless: Primitive, otherwise: {value: []}}
      Summary: {projection: message_simple_content}
  sets:
    __AllParameterSets:
      path: /things/{id}
      path_values: {id: {parameter: Id}}
      query: {kind: {parameter: Kind}}
"""
LIST_PARTS = """
name: List-StepParts
parameters:
  - {name: Id, type: String, mandatory: true}
  - include: _connection
operation:
  sets:
    __AllParameterSets: {path: "/things/{id}/parts", path_values: {id: {parameter: Id}}, returns: all}
"""


class TestStepsAndDerived:
    @pytest.fixture
    def loaded(self, tmp_path):
        for name, text in (("Get-StepThing", GET_STEP_THING), ("List-StepParts", LIST_PARTS)):
            (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
            ps.load_spec(tmp_path / f"{name}.yaml")
        return Command(load_spec_text(STEPS))

    @staticmethod
    def _thing(thing_id: str, thread_id: str) -> Answer:
        body = {"id": thing_id, "thread_id": thread_id, "role": "user",
                "content": [{"type": "text", "text": {"value": "hi"}}]}
        return Answer(body=json.dumps(body).encode())

    @staticmethod
    def _parts() -> Answer:
        return Answer(body=b'{"object": "list", "data": [{"id": "part_1"}], "has_more": false}')

    def test_steps_run_in_turn_on_the_current_object(self, echo, loaded):
        echo.answer(self._thing("run_1", "thread_9"), self._parts(), self._thing("thread_9", "t0"), self._parts(),
                    self._thing("x", "y"), self._parts())
        got = loaded({"id": "run_1", "thread_id": "thread_0"}, wait=True, remove=True)
        assert [s.path for s in echo.seen] == [
            "/v1/things/run_1?kind=waited", "/v1/things/run_1/parts",
            "/v1/things/thread_9?kind=thread", "/v1/things/thread_9/parts",
            "/v1/things/thread_9?kind=removed", "/v1/things/x/parts"]
        assert got.id == "thread_9"  # only the step marked output
        assert [p.id for p in got.Parts] == ["part_1"]
        assert got.Summary == [{"Role": "user", "Type": "text", "Content": "hi"}]
        assert got.type_names[0] == "Test.Thing"

    def test_steps_whose_condition_fails_are_skipped(self, echo, loaded):
        echo.answer(self._thing("thread_0", "t"), self._parts())
        got = loaded({"id": "run_1", "thread_id": "thread_0"})
        assert [s.path for s in echo.seen] == ["/v1/things/thread_0?kind=thread", "/v1/things/thread_0/parts"]
        assert got.id == "thread_0"

    def test_a_derived_property_takes_its_otherwise_value(self, echo, loaded):
        echo.answer(self._thing("thread_0", "t"))
        got = ps.get_command("Get-StepThing")(id="thread_0", primitive=True)
        assert got.Parts == [] and len(echo.seen) == 1


COLLECT = """
name: Start-Collected
parameters:
  - {name: InputObject, type: "Object[]", position: 0, mandatory: true, pipeline: [ByValue]}
  - {name: Force, type: Switch}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /uploads
      collect: InputObject
      form:
        file: {file: {parameter: InputObject, transform: jsonl}, filename: {value: batch.jsonl}}
"""
REQUIRE = """
name: Stop-Checked
parameters:
  - {name: InputObject, type: Object, position: 0, mandatory: true, pipeline: [ByValue]}
  - {name: Force, type: Switch}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /things/{id}/cancel
      path_values: {id: {read_id: InputObject, keys: [id]}}
      require:
        - of: {parameter: InputObject}
          field: status
          in: [queued, in_progress]
          unless: Force
          message: Cannot cancel {id} with status {status}.
"""
JSONL = """
name: Get-Lines
parameters:
  - include: _connection
operation:
  sets:
    __AllParameterSets: {path: /files/out/content, returns: jsonl, output: {type_name: Test.Line}}
"""


class TestCollectRequireAndJsonLines:
    def test_records_are_collected_into_one_request(self, echo):
        collect = Command(load_spec_text(COLLECT))
        collect.pipe([{"custom_id": "a", "body": {"n": 1}}, {"custom_id": "b"}, "{\"custom_id\": \"c\"}"])
        assert len(echo.seen) == 1
        assert b'{"custom_id":"a","body":{"n":1}}\n{"custom_id":"b"}\n{"custom_id": "c"}\n' in echo.last.body
        assert b'filename="batch.jsonl"' in echo.last.body

    def test_a_requirement_not_met_sends_nothing_for_that_record(self, echo):
        stop = Command(load_spec_text(REQUIRE))
        errors: list = []
        out = stop.pipe([{"id": "b_1", "status": "completed"}, {"id": "b_2", "status": "queued"}, "b_3"],
                        error_action="SilentlyContinue", error_variable=errors)
        assert [s.path for s in echo.seen] == ["/v1/things/b_2/cancel", "/v1/things/b_3/cancel"]
        assert len(out) == 2 and str(errors[0]) == "Cannot cancel b_1 with status completed."
        stop({"id": "b_4", "status": "completed"}, force=True)
        assert echo.last.path == "/v1/things/b_4/cancel"

    def test_json_lines_become_one_object_a_line(self, echo):
        echo.answer(Answer(body=b'{"id": "l1"}\n\n{"id": "l2"}\n', headers={"Content-Type": "application/jsonl"}))
        lines = Command(load_spec_text(JSONL))()
        assert [line.id for line in lines] == ["l1", "l2"] and lines[0].type_names[0] == "Test.Line"

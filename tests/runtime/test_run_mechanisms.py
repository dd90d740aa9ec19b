"""The engine mechanisms the run cmdlets needed, each on a spec of the test's own against a loopback echo server:
the ``prefixed`` validator, requirements written as ``{when, needs}`` or on a dotted field, a follow-up whose
output is kept only under a condition, alternatives of one derived property, a kept step that gives nothing,
nested output objects keeping the date mode, and streamed text marked as pieces.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from echo_server import Answer
from raw_server import CLOSE, RawServer, answer

import pyopenai_ps as ps
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.runtime.events import TextPiece, select
from pyopenai_ps.runtime.output import PSObject
from pyopenai_ps.spec.flow import EventsSpec
from pyopenai_ps.spec.load import load_spec_text

KEY = "sk-mechanisms-0123456789abcdef"



def _json(body: dict) -> Answer:
    return Answer(body=json.dumps(body).encode())


def _command(text: str) -> Command:
    return Command(load_spec_text(text))


RUN_OBJECT = """
name: Touch-Run
parameters:
  - name: InputObject
    type: Object
    position: 0
    mandatory: true
    pipeline: [ByValue]
    validate: {prefixed: {id: run_, thread_id: thread_}}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      path: /threads/{t}/runs/{r}
      path_values: {t: {read_id: InputObject, prefix: thread_, keys: [thread_id]}, r: {read_id: InputObject, prefix: run_}}
"""


class TestPrefixed:
    def test_an_object_with_both_prefixes_binds(self, echo):
        _command(RUN_OBJECT)({"id": "run_1", "thread_id": "thread_1"})
        assert echo.last.path == "/v1/threads/thread_1/runs/run_1"

    @pytest.mark.parametrize("value, shown", [
        ("run_1", "The argument is a string"),
        ({"id": "run_1", "thread_id": "foo"}, 'An object of type "dict" was given'),
        ({"id": "step_1", "thread_id": "thread_1"}, 'An object of type "dict" was given'),
        ({"thread_id": "thread_1"}, 'An object of type "dict" was given'),
    ])
    def test_anything_else_is_refused_before_sending(self, echo, value, shown):
        with pytest.raises(ps.ParameterBindingError) as info:
            _command(RUN_OBJECT)(value)
        assert info.value.error_id == "ParameterArgumentValidationError"
        assert f"{shown}; an object whose 'id' starts with 'run_' and whose 'thread_id' starts with 'thread_' " \
               "is required." in str(info.value)
        assert echo.seen == []

    @pytest.mark.parametrize("args", ["[id, run_]", "{}", "{id: ''}", "{id: 5}"])
    def test_bad_arguments_are_a_spec_error(self, args):
        with pytest.raises(ps.SpecError):
            load_spec_text(RUN_OBJECT.replace("{id: run_, thread_id: thread_}", args))


REQUIRE = """
name: Send-Checked
parameters:
  - {name: InputObject, type: Object, position: 0, mandatory: true, pipeline: [ByValue]}
  - {name: Wait, type: Switch}
  - {name: Remove, type: Switch}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /things/{id}/go
      path_values: {id: {read_id: InputObject}}
      require:
        - {when: Remove, needs: Wait, message: -Remove needs -Wait.}
        - of: {parameter: InputObject}
          field: required_action.type
          in: [submit_tool_outputs]
          message: "{id} is {status} with {required_action.type} ({missing.field}), so it is refused."
      returns: none
"""


class TestRequirements:
    def test_a_condition_that_must_hold_stops_every_record_before_sending(self, echo):
        send = _command(REQUIRE)
        errors: list = []
        out = send.pipe(["a_1", "a_2"], remove=True, error_action="SilentlyContinue", error_variable=errors)
        assert out == [] and echo.seen == []
        assert [str(e) for e in errors] == ["-Remove needs -Wait."] * 2
        assert isinstance(errors[0], ps.MissingValueError) and errors[0].setting == "Wait"
        with pytest.raises(ps.MissingValueError):
            send("a_1", remove=True)
        send("a_1", remove=True, wait=True)
        send("a_2")
        assert [s.path for s in echo.seen] == ["/v1/things/a_1/go", "/v1/things/a_2/go"]

    def test_a_dotted_field_is_checked_and_the_message_reads_dotted_fields(self, echo):
        send = _command(REQUIRE)
        waiting = {"id": "r_1", "status": "requires_action", "required_action": {"type": "submit_tool_outputs"}}
        other = {"id": "r_2", "status": "requires_action", "required_action": {"type": "something_else"}}
        send(waiting)
        with pytest.raises(ps.MissingValueError) as info:
            send(other)
        assert str(info.value) == "r_2 is requires_action with something_else (), so it is refused."
        send({"id": "r_3"})  # nothing to check on: the API decides
        assert [s.path for s in echo.seen] == ["/v1/things/r_1/go", "/v1/things/r_3/go"]

    @pytest.mark.parametrize("item, reason", [
        ("{when: Remove, needs: Wait, field: status, in: [x], of: {parameter: InputObject}, message: m}",
         "not both"),
        ("{when: Remove, needs: Wait}", "needs 'message'"),
        ("{when: Remove, message: m}", "or 'needs'"),
        ("{when: Nope, needs: Wait, message: m}", "no parameter named 'Nope'"),
    ])
    def test_malformed_requirements_are_spec_errors(self, item, reason):
        text = REQUIRE.split("      require:")[0] + f"      require:\n        - {item}\n      returns: none\n"
        with pytest.raises(ps.SpecError) as info:
            load_spec_text(text)
        assert reason in str(info.value)


FOLLOW = """
name: Stop-Thing
parameters:
  - {name: InputObject, type: String, position: 0, mandatory: true}
  - {name: Wait, type: Switch}
  - {name: PassThru, type: Switch}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /things/{id}/stop
      path_values: {id: {parameter: InputObject}}
      returns: none
      variants: [{when: PassThru, returns: object}]
      then: {when: Wait, run: Get-FollowedThing, with: {Id: {answer: id}}, output: PassThru}
"""
FOLLOWED = """
name: Get-FollowedThing
parameters:
  - {name: Id, type: String, mandatory: true}
  - include: _connection
operation:
  sets:
    __AllParameterSets: {path: "/things/{id}", path_values: {id: {parameter: Id}}, output: {type_name: Test.Followed}}
"""


class TestFollowUpOutput:
    @pytest.fixture
    def stop(self, tmp_path):
        (tmp_path / "Get-FollowedThing.yaml").write_text(FOLLOWED, encoding="utf-8")
        ps.load_spec(tmp_path / "Get-FollowedThing.yaml")
        return _command(FOLLOW)

    def test_the_follow_up_runs_but_its_output_is_kept_only_when_asked(self, echo, stop):
        echo.answer(_json({"id": "t_1", "status": "stopping"}), _json({"id": "t_1", "status": "stopped"}))
        assert stop("t_1", wait=True) is None
        assert [s.path for s in echo.seen] == ["/v1/things/t_1/stop", "/v1/things/t_1"]

    def test_pass_thru_outputs_the_follow_up_s_object(self, echo, stop):
        echo.answer(_json({"id": "t_1", "status": "stopping"}), _json({"id": "t_1", "status": "stopped"}))
        done = stop("t_1", wait=True, pass_thru=True)
        assert (done.status, done.type_names[0]) == ("stopped", "Test.Followed")

    def test_without_the_follow_up_pass_thru_outputs_the_answer(self, echo, stop):
        echo.answer(_json({"id": "t_1", "status": "stopping"}))
        assert stop("t_1", pass_thru=True).status == "stopping" and len(echo.seen) == 1


DERIVED = """
name: Get-Part
parameters:
  - {name: Id, type: String, mandatory: true}
  - include: _connection
operation:
  output:
    derived:
      Summary:
        - run: Get-FollowedThing
          with: {Id: {answer: detail.ref}}
          projection: message_simple_content
          when: {given: {answer: detail.ref}}
        - {projection: step_simple_content, when: {given: {answer: step_details}}}
        - {projection: message_simple_content, otherwise: {value: none}, when: {given: {answer: content}}}
  sets:
    __AllParameterSets: {path: "/parts/{id}", path_values: {id: {parameter: Id}}}
"""


class TestDerivedAlternatives:
    @pytest.fixture
    def part(self, tmp_path):
        (tmp_path / "Get-FollowedThing.yaml").write_text(FOLLOWED, encoding="utf-8")
        ps.load_spec(tmp_path / "Get-FollowedThing.yaml")
        return _command(DERIVED)

    def test_the_first_alternative_whose_condition_holds_gives_the_value(self, echo, part):
        message = {"id": "m_1", "role": "assistant", "content": [{"type": "text", "text": {"value": "hi"}}]}
        echo.answer(_json({"id": "p_1", "detail": {"ref": "m_1"}}), _json(message))
        got = part(id="p_1")
        assert got.Summary == [{"Role": "assistant", "Type": "text", "Content": "hi"}]
        assert [s.path for s in echo.seen] == ["/v1/parts/p_1", "/v1/things/m_1"]

    def test_a_later_alternative_and_the_last_one_s_otherwise(self, echo, part):
        calls = {"type": "tool_calls", "step_details": {"tool_calls": [{"type": "file_search", "file_search": {}}]}}
        echo.answer(_json({"id": "p_2", **calls}), _json({"id": "p_3"}))
        assert part(id="p_2").Summary == [{"Role": "tool_calls", "Type": "file_search", "Content": None}]
        assert part(id="p_3").Summary == "none"
        assert len(echo.seen) == 2  # no alternative that runs a cmdlet held

    def test_only_the_last_alternative_may_have_otherwise(self):
        text = DERIVED.replace("        - {projection: step_simple_content, when: {given: {answer: step_details}}}",
                               "        - {projection: step_simple_content, otherwise: {value: 1}}")
        with pytest.raises(ps.SpecError) as info:
            load_spec_text(text)
        assert "only the last alternative may have 'otherwise'" in str(info.value)


STEPS = """
name: Receive-Thing
parameters:
  - {name: InputObject, type: Object, position: 0, mandatory: true, pipeline: [ByValue]}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      start: {parameter: InputObject}
      steps:
        - {run: Get-FollowedThing, with: {Id: {answer: id}}, keep: true}
        - {run: Get-FollowedThing, with: {Id: {answer: next}}, output: true}
"""


class TestKeptStepGivingNothing:
    def test_the_record_ends_and_the_next_record_goes_on(self, echo, tmp_path):
        (tmp_path / "Get-FollowedThing.yaml").write_text(FOLLOWED, encoding="utf-8")
        ps.load_spec(tmp_path / "Get-FollowedThing.yaml")
        echo.answer(Answer(status=404, body=b'{"error": {"message": "gone"}}'),
                    _json({"id": "b", "next": "c"}), _json({"id": "c"}))
        errors: list = []
        out = _command(STEPS).pipe([{"id": "a", "next": "z"}, {"id": "b"}], error_action="SilentlyContinue",
                                   error_variable=errors)
        assert [o.id for o in out] == ["c"] and isinstance(errors[0], ps.NotFoundError)
        # the failed first step of "a" ran nothing after it (no request for the "next" of the piped "a")
        assert [s.path for s in echo.seen] == ["/v1/things/a", "/v1/things/b", "/v1/things/c"]


def test_nested_output_objects_keep_the_date_mode():
    message = PSObject({"id": "m", "created_at": 86400}, "Test.Message", ("created_at",))
    thread = PSObject({"id": "t", "created_at": 86400}, "Test.Thread", ("created_at",)).with_properties(
        {"Messages": [message]})
    iso = thread.to_dict(dates="iso")
    assert iso["created_at"] == iso["Messages"][0]["created_at"] == "1970-01-02T00:00:00+00:00"
    assert thread.to_dict(dates="datetime")["Messages"][0]["created_at"] == datetime(1970, 1, 2, tzinfo=timezone.utc)
    assert thread.to_dict(dates="unix")["Messages"][0]["created_at"] == 86400
    untimed = PSObject({"id": "t"}).with_properties({"Messages": [message]})  # no timestamps of its own
    assert untimed.to_dict(dates="iso")["Messages"][0]["created_at"] == "1970-01-02T00:00:00+00:00"


def test_streamed_text_comes_as_pieces_and_raw_payloads_as_plain_strings():
    stream = [b'event: thread.message.delta\ndata: {"delta": {"content": [{"text": {"value": "Hi"}}]}}\n\n',
              b"event: done\ndata: [DONE]\n\n"]
    spec = EventsSpec(events=("thread.message.delta",), path=("delta", "content", "0", "text", "value"))
    pieces = list(select(stream, spec))
    assert pieces == ["Hi"] and type(pieces[0]) is TextPiece
    raw = list(select(stream, spec, raw=True))
    assert type(raw[0]) is str


@pytest.mark.parametrize("data, expected", [
    (b'{"v": "x"}', "x"), (b' {"v": "x"} ', "x"), (b'{"v": "\\u00e9t\\u00e9"}', "été"), ('{"v": "日本"}'.encode(), "日本"),
])
def test_event_json_reads_as_json_loads_does(data, expected):
    spec = EventsSpec(events=(), path=("v",))
    assert list(select([b"data: " + data + b"\n\n", b"data: [DONE]\n\n"], spec)) == [expected]


@pytest.mark.parametrize("data", [b'{"v": 1} x', b'{"v": 1', b'\xff{"v": 1}', b"nan-ish"])
def test_event_data_that_is_not_json_names_the_event(data):
    with pytest.raises(ps.ResponseFormatError) as info:
        list(select([b"event: thread.message.delta\ndata: " + data + b"\n\n"], EventsSpec(events=(), path=())))
    assert "The event 'thread.message.delta' ending on line 3 of the stream is not JSON" in str(info.value)


VALUED = """
name: Get-Valued
parameters:
  - {name: Id, type: String, mandatory: true}
  - {name: Tag, type: Switch}
  - include: _connection
operation:
  output:
    derived:
      Messages: {value: []}
      Tagged: {value: tagged, when: Tag}
      Echo: {answer: name}
  sets:
    __AllParameterSets: {path: "/valued/{id}", path_values: {id: {parameter: Id}}}
"""


def test_a_derived_property_from_a_value_source(echo):
    echo.answer(_json({"id": "v_1", "name": "first"}), _json({"id": "v_2"}))
    valued = _command(VALUED)
    got = valued(id="v_1", tag=True)
    assert (got.Messages, got.Tagged, got.Echo) == ([], "tagged", "first")
    plain = valued(id="v_2")
    assert plain.Messages == [] and "Tagged" not in plain and "Echo" not in plain  # gives nothing: left out


class TestEventSizes:
    """A line or an event larger than the limit (the transport's maximum answer size) is refused."""

    SPEC = EventsSpec(events=(), path=("v",))

    def test_a_line_that_never_ends_is_refused_once_past_the_limit(self):
        sent: list[int] = []

        def endless():
            while True:  # one byte a chunk, no line end: an endless line
                sent.append(1)
                yield b"x"

        with pytest.raises(ps.ResponseFormatError, match=r"line at line 1 is larger than the maximum answer size \(100"):
            list(select(endless(), self.SPEC, limit=100))
        assert len(sent) == 101  # nothing read past the first byte too many

    def test_an_event_of_many_data_lines_is_refused_once_past_the_limit(self):
        lines = [b"data: " + b"y" * 30 + b"\n"] * 10
        with pytest.raises(ps.ResponseFormatError, match="event at line 4 is larger"):
            list(select(lines, self.SPEC, limit=100))

    def test_pieces_of_a_line_within_the_limit_are_joined(self):
        pieces = [b"da", b"ta: ", b'{"v":', b' "x"}', b"\r", b"\n\r\n", b"data: [DONE]\n\n"]
        assert list(select(pieces, self.SPEC, limit=100)) == ["x"]

    def test_the_transports_maximum_is_the_limit(self, transport_with):
        transport_with(max_answer_bytes=64)
        stream = b'event: thread.message.delta\ndata: {"v": "' + b"z" * 200 + b'"}\n\n'
        with RawServer(lambda n, head: [answer(stream, headers={"Content-Type": "text/event-stream"}), CLOSE]) as server:
            with pytest.raises(ps.ResponseFormatError, match=r"maximum answer size \(64 bytes\)"):
                list(ps.get_command("Start-ThreadRun").stream(thread_id="thread_abc", assistant="asst_abc",
                                                              stream=True, api_key="sk-test", api_base=server.base_url))

    def test_a_line_too_large_is_named_by_its_own_line_number(self):
        with pytest.raises(ps.ResponseFormatError, match="line at line 5 is larger"):
            list(select([b"data: a\n\ndata: b\n\ndata: " + b"x" * 50 + b"\n\n"], self.SPEC, limit=40))

    def test_an_event_within_one_chunk_is_bounded_too(self):
        with pytest.raises(ps.ResponseFormatError, match="event at line 6 is larger"):  # the blank line ending it
            list(select([b"data: 0123456789\n" * 5 + b"\n"], self.SPEC, limit=40))


@pytest.mark.parametrize("chunks", [
    [b'data: {"v": "a"}\r\rdata: [DONE]\r\r'],                 # lone CRs, the stream's last byte a CR
    [b'data: {"v": "a"}\r', b"\r", b"data: [DONE]\r", b"\r"],  # each CR ending its chunk
    [b'data: {"v": "a"}\r', b"\n\r", b"\ndata: [DONE]\r\n\r\n"],  # CR LF split between chunks
    [b'data: {"v": "a"}\r', b"", b"\n\r\n", b"data: [DONE]\n\n"],  # an empty chunk between the halves
])
def test_every_line_ending_completes_events_at_once(chunks):
    assert list(select(chunks, EventsSpec(events=(), path=("v",)))) == ["a"]

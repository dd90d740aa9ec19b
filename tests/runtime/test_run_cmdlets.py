"""Start-ThreadRun, Wait-ThreadRun, Receive-ThreadRun, Stop-ThreadRun and Submit-ToolOutput against the
bundled server, from Python (module functions), ``invoke`` lines and the command line in-process.

Request bodies are asserted byte for byte. The server moves a run one status per GET of it (queued,
in_progress, completed), so a wait's polls and delays are exact; waits sleep through a recorder and, where
a time limit matters, read a fake clock. Streaming has its own file (test_run_streaming.py).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest

from fakes import FakeClock

import pyopenai_ps as ps
from pyopenai_ps.cli.main import main
from pyopenai_ps.server import Outcome

ASST = "asst_abc123"
BETA = "assistants=v2"
RUN_DATES = ("created_at", "expires_at", "started_at", "cancelled_at", "failed_at", "completed_at")
WEATHER = {"name": "get_weather", "description": "The weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}




@pytest.fixture
def clock(api, fake_clock: FakeClock) -> FakeClock:
    return fake_clock  # after `api`, whose transport it replaces


def sent(server, index: int = -1):
    return server.requests[index]


def paths(server) -> list[str]:
    return [f"{r.method} {r.target}" for r in server.requests]


def new_run(**extra):
    """A queued run on the empty seeded thread thread_abc456."""
    return ps.start_thread_run(thread_id="thread_abc456", assistant=ASST, **extra)


def has_command(name: str) -> bool:
    return name in ps.get_commands()


# --- Start-ThreadRun -------------------------------------------------------------------------------


class TestStartThreadRun:
    def test_a_run_on_a_thread(self, api):
        run = new_run()
        request = sent(api)
        assert (request.method, request.target) == ("POST", "/v1/threads/thread_abc456/runs")
        assert request.body == b'{"assistant_id":"asst_abc123"}'
        assert request.headers["content-type"] == "application/json"
        assert request.headers["openai-beta"] == BETA
        assert run.type_names[0] == "PSOpenAI.Thread.Run"
        assert (run.status, run.thread_id, run.assistant_id) == ("queued", "thread_abc456", ASST)
        assert isinstance(run.created_at, datetime) and run.created_at.tzinfo is not None

    def test_every_run_field(self, api):
        new_run(model="GPT-4o", instructions="Be brief.", additional_instructions="Use metric units.",
                metadata={"k": "v"}, temperature=0.5, top_p=0.9, max_prompt_tokens=1000,
                max_completion_tokens=500, truncation_strategy_last_messages=3, use_code_interpreter=True,
                use_file_search=True, functions=[WEATHER], tool_choice="Code_Interpreter", format="json_object",
                additional_messages=["Hello", {"role": "assistant", "content": "Hi", "metadata": {"m": "1"}}])
        assert sent(api).body == (
            b'{"assistant_id":"asst_abc123","model":"gpt-4o","instructions":"Be brief.",'
            b'"additional_instructions":"Use metric units.","metadata":{"k":"v"},"temperature":0.5,"top_p":0.9,'
            b'"max_prompt_tokens":1000,"max_completion_tokens":500,'
            b'"truncation_strategy":{"type":"auto","last_messages":3},'
            b'"tools":[{"type":"code_interpreter"},{"type":"file_search"},{"type":"function","function":'
            b'{"name":"get_weather","description":"The weather in a city.","parameters":{"type":"object",'
            b'"properties":{"city":{"type":"string"}}}}}],'
            b'"tool_choice":{"type":"code_interpreter"},"response_format":{"type":"json_object"},'
            b'"additional_messages":[{"role":"user","content":"Hello"},'
            b'{"role":"assistant","content":"Hi","metadata":{"m":"1"}}]}')

    @pytest.mark.parametrize("arguments, field", [
        ({"truncation_strategy_type": "Last_Messages"}, b'"truncation_strategy":{"type":"last_messages","last_messages":null}'),
        ({"tool_choice": "none"}, b'"tool_choice":"none"'),
        ({"tool_choice": "AUTO"}, b'"tool_choice":"auto"'),
        ({"tool_choice": "function", "tool_choice_function_name": "get_weather", "functions": [WEATHER]},
         b'"tool_choice":{"type":"function","function":{"name":"get_weather"}}'),
        ({"format": "auto"}, b'"response_format":"auto"'),
        ({"format": "text"}, b'"response_format":{"type":"text"}'),
    ])
    def test_one_field_at_a_time(self, api, arguments, field):
        new_run(**arguments)
        assert field in sent(api).body
        assert b'"model"' not in sent(api).body  # -Model's default is never sent

    def test_default_format_and_no_tools_send_nothing_more(self, api):
        new_run(format="default", functions=[], additional_messages=[])
        assert sent(api).body == b'{"assistant_id":"asst_abc123"}'

    def test_tool_choice_function_needs_its_name_before_anything_is_sent(self, api):
        with pytest.raises(ps.MissingValueError) as info:
            new_run(tool_choice="function")
        assert str(info.value) == "When -ToolChoice is function, -ToolChoiceFunctionName must name the function."
        assert api.requests == []

    def test_a_new_thread_and_run(self, api):
        run = ps.start_thread_run(message="What is 2 + 2?", assistant={"id": ASST, "object": "assistant"},
                                  role="User", file_ids_for_code_interpreter=["file-abc123"],
                                  vector_stores_for_file_search=[{"id": "vs_abc123"}])
        request = sent(api)
        assert (request.method, request.target) == ("POST", "/v1/threads/runs")
        assert request.body == (
            b'{"assistant_id":"asst_abc123","tool_resources":{"code_interpreter":{"file_ids":["file-abc123"]},'
            b'"file_search":{"vector_store_ids":["vs_abc123"]}},'
            b'"thread":{"messages":[{"role":"user","content":"What is 2 + 2?"}]}}')
        assert run.thread_id != "thread_abc456" and run.type_names[0] == "PSOpenAI.Thread.Run"

    def test_raw_response_is_the_answer_s_text(self, api):
        text = new_run(format="raw_response")
        assert isinstance(text, str) and json.loads(text)["object"] == "thread.run"
        assert sent(api).body == b'{"assistant_id":"asst_abc123"}'

    def test_invoke_lines_and_pipelines(self, api):
        run = ps.invoke("Start-ThreadRun -Thread thread_abc456 -Assistant asst_abc123 -Instructions 'Hi there'")[0]
        assert sent(api).body == b'{"assistant_id":"asst_abc123","instructions":"Hi there"}'
        # a piped run: its thread, and its assistant by property name; a new run of the same assistant
        ps.wait_thread_run(run)
        again = ps.get_command("Start-ThreadRun").pipe([run])
        assert sent(api).target == "/v1/threads/thread_abc456/runs" and again[0].assistant_id == ASST
        ps.wait_thread_run(again[0])  # one active run per thread
        assert ps.invoke("'thread_abc456' | Start-ThreadRun -Assistant asst_abc122")[0].assistant_id == "asst_abc122"

    def test_input_that_is_no_thread_sends_nothing(self, api):
        with pytest.raises(ps.ParameterBindingError):
            ps.get_command("Start-ThreadRun").pipe([datetime(2024, 1, 1)], assistant=ASST)
        with pytest.raises(ps.ParameterBindingError):
            ps.start_thread_run(thread_id="thread_abc456")  # -Assistant is mandatory
        assert api.requests == []

    def test_the_command_line(self, api, capsys):
        assert main(["Start-ThreadRun", "-Thread", "thread_abc456", "-Assistant", ASST, "-Temperature", "0.5"]) == 0
        run = json.loads(capsys.readouterr().out)
        assert run["status"] == "queued" and run["created_at"].endswith("+00:00")
        assert sent(api).body == b'{"assistant_id":"asst_abc123","temperature":0.5}'
        ps.wait_thread_run(run)
        assert main(["-c", "Start-ThreadRun -Thread thread_abc456 -Assistant asst_abc123 -MetaData @{a='1'}"]) == 0
        assert sent(api).body == b'{"assistant_id":"asst_abc123","metadata":{"a":"1"}}'

    def test_an_api_error_names_the_status_and_sends_once(self, api):
        with pytest.raises(ps.NotFoundError):
            ps.start_thread_run(thread_id="thread_nope", assistant=ASST)
        assert len(api.requests) == 1


# --- Wait-ThreadRun --------------------------------------------------------------------------------


class TestWaitThreadRun:
    def test_waits_with_growing_delays_then_reads_the_run_once_more(self, api, clock):
        run = new_run()
        done = ps.wait_thread_run(run)
        assert done.status == "completed" and done.type_names[0] == "PSOpenAI.Thread.Run"
        assert clock.slept == [0.2, 0.4]
        run_path = f"GET /v1/threads/thread_abc456/runs/{run.id}"
        assert paths(api)[1:] == [run_path] * 3  # two polls (in_progress, completed), then the final read
        assert all(isinstance(done[name], (datetime, type(None))) for name in RUN_DATES)

    def test_the_piped_run_s_own_status_decides_first(self, api, clock):
        done = ps.invoke("Get-ThreadRun -Thread thread_abc123 -RunId run_abc123 | Wait-ThreadRun")[0]
        assert done.status == "completed" and clock.slept == []
        assert paths(api) == ["GET /v1/threads/thread_abc123/runs/run_abc123"] * 2  # the piped one, the final one

    def test_status_for_exit_waits_through_every_other_status(self, api, clock):
        run = new_run()
        ps.wait_thread_run(run, status_for_exit=["COMPLETED"])  # ValidateSet ignores case, so does the wait
        assert clock.slept == [0.2, 0.4]
        ps.wait_thread_run({**run, "status": "in_progress"}, status_for_wait=["queued"])
        assert clock.slept == [0.2, 0.4]  # in_progress is not waited on

    def test_the_time_limit_bounds_the_whole_wait(self, api, clock):
        api.store.progression = type(api.store.progression).manual()  # the run never moves
        run = new_run()
        with pytest.raises(ps.WaitTimeoutError) as info:
            ps.wait_thread_run(run, timeout_sec=2)
        error = info.value
        assert (error.object_id, error.status) == (run.id, "queued")
        assert str(error) == f"The wait for {run.id} ended after 2 s; its last status was 'queued'."
        assert clock.slept == [0.2, 0.4, 0.6, 0.8] and sum(clock.slept) == pytest.approx(2.0)
        assert len(api.requests) == 1 + 3  # no request after the limit

    def test_a_time_out_under_continue_outputs_nothing_and_goes_on(self, api, clock, caplog):
        api.store.progression = type(api.store.progression).manual()
        first, second = new_run(), ps.get_thread_run("thread_abc123", run_id="run_abc123")
        errors: list = []
        out = ps.get_command("Wait-ThreadRun").pipe([first, second], timeout_sec=1, error_action="Continue",
                                                    error_variable=errors)
        assert [r.id for r in out] == ["run_abc123"]
        assert isinstance(errors[0], ps.WaitTimeoutError) and "Wait-ThreadRun:" in caplog.text

    def test_a_run_that_fails_ends_the_wait_with_its_last_error(self, api, clock):
        api.store.push_outcome(Outcome.run("failed", code="rate_limit_exceeded", message="Slow down."))
        warnings: list = []
        done = ps.wait_thread_run(new_run(), warning_variable=warnings)
        assert done.status == "failed" and done.last_error.code == "rate_limit_exceeded"
        assert warnings == [f"{done.id} ended with status 'failed': rate_limit_exceeded: Slow down."]

    def test_a_run_that_expires_ends_the_wait_with_a_warning(self, api, clock):
        api.store.push_outcome(Outcome.run("expired"))
        warnings: list = []
        done = ps.wait_thread_run(new_run(), warning_variable=warnings)
        assert done.status == "expired" and warnings == [f"{done.id} ended with status 'expired'."]

    def test_ctrl_c_ends_the_wait_cleanly(self, api, transport_with):
        run = new_run()
        calls: list[float] = []

        def interrupted(seconds: float) -> None:
            calls.append(seconds)
            raise KeyboardInterrupt

        transport_with(sleeper=interrupted)
        with pytest.raises(KeyboardInterrupt):
            ps.wait_thread_run(run)
        assert calls == [0.2] and len(api.requests) == 1  # nothing was sent after the interrupt
        transport_with(sleeper=lambda seconds: None)
        assert ps.wait_thread_run(run).status == "completed"  # the connection pool still works

    def test_verbose_logs_each_poll(self, api, clock, caplog):
        caplog.set_level(logging.INFO, logger="pyopenai_ps")
        run = new_run()
        ps.wait_thread_run(run, verbose=True)
        lines = [r.getMessage() for r in caplog.records]
        assert f"The status of {run.id} is queued; waiting." in lines
        assert f"The status of {run.id} is in_progress; waiting." in lines
        assert sum(line.startswith("GET ") for line in lines) == 3

    def test_progress_hears_the_status_and_the_time_waited(self, api, clock):
        from pyopenai_ps.runtime.command import REGISTRY
        from pyopenai_ps.runtime.invocation import Invocation

        heard: list = []

        class Hook:
            def __call__(self, *args):  # pages of a listing: none here
                pass

            def waiting(self, command, object_id, status, seconds):
                heard.append((command, object_id, status, round(seconds, 3)))

        run = new_run()
        list(Invocation(REGISTRY.get("Wait-ThreadRun"), (run,), {}, progress=Hook(), lookup=REGISTRY.get))
        assert heard == [("Wait-ThreadRun", run.id, "queued", 0.0), ("Wait-ThreadRun", run.id, "in_progress", 0.2)]

    def test_a_run_id_string_is_refused(self, api):
        with pytest.raises(ps.ParameterBindingError):
            ps.invoke("Wait-ThreadRun run_abc123")
        assert api.requests == []

    def test_invoke_and_the_command_line(self, api, clock, capsys):
        run = new_run()
        assert ps.invoke(f"Get-ThreadRun -Thread thread_abc456 -RunId {run.id} | Wait-ThreadRun")[0].status == \
            "completed"
        line = json.dumps(run.to_dict(dates="iso"))
        assert main(["-c", f"'{line}' | Wait-ThreadRun"]) == 2  # a string is not a run
        assert main(["-c", f"Wait-ThreadRun -Run @{{id='{run.id}'; thread_id='thread_abc456'}}"]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "completed"


# --- Receive-ThreadRun -----------------------------------------------------------------------------


class TestReceiveThreadRun:
    def test_the_thread_of_a_run_with_its_messages(self, api, clock):
        thread = ps.invoke("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123' | Receive-ThreadRun")[0]
        assert thread.type_names[0] == "PSOpenAI.Thread" and thread.id == "thread_abc123"
        assert [m.id for m in thread.Messages] == ["msg_abc121", "msg_abc122", "msg_abc123"]
        assert thread.Messages[0].type_names[0] == "PSOpenAI.Thread.Message"
        assert thread.Messages[-1].SimpleContent[0].Role == "assistant"
        assert paths(api)[1:] == ["GET /v1/threads/thread_abc123",
                                  "GET /v1/threads/thread_abc123/messages?limit=100&order=asc"]
        assert clock.slept == []

    def test_wait_first(self, api, clock):
        run = new_run(additional_messages=["What is 2 + 2?"])
        thread = ps.receive_thread_run(run, wait=True)
        assert clock.slept == [0.2, 0.4]
        simple = [part for message in thread.Messages for part in message.SimpleContent]
        assert [(p.Role, p.Type, p.Content) for p in simple] == [
            ("user", "text", "What is 2 + 2?"), ("assistant", "text", "You said: What is 2 + 2?")]

    def test_a_completed_run_is_not_waited_for(self, api, clock):
        ps.invoke("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123' | Receive-ThreadRun -Wait")
        assert [p for p in paths(api) if "/runs/" in p] == ["GET /v1/threads/thread_abc123/runs/run_abc123"]

    def test_auto_remove_without_wait_is_refused_before_anything_is_sent(self, api):
        run = ps.get_thread_run("thread_abc123", run_id="run_abc123")
        count = len(api.requests)
        with pytest.raises(ps.MissingValueError) as info:
            ps.receive_thread_run(run, auto_remove_thread=True)
        assert str(info.value) == "The -AutoRemoveThread parameter cannot be used without the -Wait parameter."
        assert len(api.requests) == count
        assert main(["-c", "Receive-ThreadRun -Run @{id='run_abc123'; thread_id='thread_abc123'} "
                           "-AutoRemoveThread"]) == 1
        assert len(api.requests) == count

    @pytest.mark.skipif(not has_command("Remove-Thread"), reason="needs Remove-Thread")
    def test_auto_remove_deletes_the_thread_after_it_was_output(self, api, clock):
        run = new_run()
        outputs = ps.get_command("Receive-ThreadRun").stream(run, wait=True, auto_remove_thread=True)
        thread = next(outputs)
        assert thread.id == "thread_abc456" and not any(r.method == "DELETE" for r in api.requests)
        assert list(outputs) == []
        assert paths(api)[-1] == "DELETE /v1/threads/thread_abc456"

    def test_a_wait_that_times_out_ends_that_record(self, api, clock):
        api.store.progression = type(api.store.progression).manual()
        errors: list = []
        out = ps.get_command("Receive-ThreadRun").pipe([new_run()], wait=True, timeout_sec=1,
                                                       error_action="SilentlyContinue", error_variable=errors)
        assert out == [] and isinstance(errors[0], ps.WaitTimeoutError)
        assert not any("/messages" in p for p in paths(api))  # the thread was not read

    def test_the_command_line(self, api, clock, capsys):
        assert main(["-c", "Receive-ThreadRun -Run @{id='run_abc123'; thread_id='thread_abc123'; "
                           "status='completed'} -Wait"]) == 0
        thread = json.loads(capsys.readouterr().out)
        assert thread["id"] == "thread_abc123"
        assert thread["Messages"][0]["created_at"].endswith("+00:00")  # nested objects: ISO dates too
        assert thread["Messages"][0]["SimpleContent"][0]["Role"] == "user"


# --- Stop-ThreadRun --------------------------------------------------------------------------------


class TestStopThreadRun:
    def test_cancel_outputs_nothing(self, api):
        run = new_run()
        assert ps.stop_thread_run(run) is None
        request = sent(api)
        assert (request.method, request.target, request.body) == (
            "POST", f"/v1/threads/thread_abc456/runs/{run.id}/cancel", b"")
        assert request.headers["openai-beta"] == BETA

    def test_pass_thru_outputs_the_cancel_answer(self, api):
        cancelled = ps.stop_thread_run(new_run(), pass_thru=True)
        assert cancelled.status == "cancelling" and cancelled.type_names[0] == "PSOpenAI.Thread.Run"

    def test_wait_waits_until_it_stopped(self, api, clock):
        run = new_run()
        assert ps.stop_thread_run(run, wait=True) is None
        assert clock.slept == [0.2]  # cancelling, then cancelled
        done = ps.stop_thread_run(new_run(), wait=True, pass_thru=True)
        assert done.status == "cancelled" and done.type_names[0] == "PSOpenAI.Thread.Run"

    def test_a_run_that_cannot_be_cancelled_is_refused_unless_forced(self, api):
        finished = ps.get_thread_run("thread_abc123", run_id="run_abc123")
        count = len(api.requests)
        with pytest.raises(ps.MissingValueError) as info:
            ps.stop_thread_run(finished)
        assert str(info.value) == 'Cannot cancel the run run_abc123 with status "completed".'
        assert len(api.requests) == count
        with pytest.raises(ps.BadRequestError) as refused:  # sent; the server says no
            ps.stop_thread_run(finished, force=True)
        assert str(refused.value).endswith("The run run_abc123 was not cancelled.")
        assert len(api.requests) == count + 1

    def test_invoke_and_the_command_line(self, api, capsys):
        run = new_run()
        ps.invoke(f"Get-ThreadRun -Thread thread_abc456 -RunId {run.id} | Stop-ThreadRun")
        assert sent(api).target.endswith("/cancel")
        run = ps.start_thread_run(message="Hi", assistant=ASST)  # on a thread of its own
        assert main(["-c", f"Stop-ThreadRun -Run @{{id='{run.id}'; thread_id='{run.thread_id}'; status='queued'}} "
                           "-PassThru"]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "cancelling"
        assert main(["Stop-ThreadRun", "-Run", "run_abc123"]) == 2


# --- Submit-ToolOutput -----------------------------------------------------------------------------


class TestSubmitToolOutput:
    @pytest.fixture
    def waiting(self, api, clock):
        """A run stopped at requires_action with one call of get_weather."""
        run = ps.wait_thread_run(new_run(functions=[WEATHER]))
        assert run.status == "requires_action"
        return run

    def test_outputs_are_sent_as_text_and_the_run_comes_back(self, api, waiting):
        call = waiting.required_action.submit_tool_outputs.tool_calls[0].id
        run = ps.submit_tool_output(waiting, tool_output=[
            {"tool_call_id": call, "output": 22}, {"tool_call_id": "", "output": "dropped"},
            {"tool_call_id": "call_x", "output": ""}, {"output": "no id"}])
        request = sent(api)
        assert request.target == f"/v1/threads/thread_abc456/runs/{waiting.id}/submit_tool_outputs"
        assert request.body == b'{"tool_outputs":[{"tool_call_id":"%s","output":"22"}]}' % call.encode()
        assert run.type_names[0] == "PSOpenAI.Thread.Run"  # 3.7.0 typed it PSOpenAI.Thread.Run.Step
        assert isinstance(run.started_at, (datetime, type(None))) and run.status == "queued"
        steps = ps.get_thread_run_step(ps.wait_thread_run(run), all=True)
        assert [s.SimpleContent[0].Type for s in steps] == ["function", "text"]
        assert steps[-1].SimpleContent[0].Content == "Tool output: 22"

    def test_an_empty_list_is_still_an_array(self, api, waiting):
        with pytest.raises(ps.BadRequestError):  # the server wants every call answered
            ps.submit_tool_output(waiting, tool_output=[])
        assert sent(api).body == b'{"tool_outputs":[]}'

    def test_a_run_not_waiting_for_outputs_is_refused_before_sending(self, api):
        run = new_run()
        count = len(api.requests)
        with pytest.raises(ps.MissingValueError) as info:
            ps.submit_tool_output(run, tool_output=[{"tool_call_id": "c", "output": "o"}])
        assert str(info.value) == 'Runs in status "queued" do not accept tool outputs.'
        odd = {**run, "status": "requires_action", "required_action": {"type": "other"}}
        with pytest.raises(ps.MissingValueError):
            ps.submit_tool_output(odd, tool_output=[{"tool_call_id": "c", "output": "o"}])
        assert len(api.requests) == count

    def test_invoke_and_the_command_line(self, api, waiting, capsys):
        call = waiting.required_action.submit_tool_outputs.tool_calls[0].id
        record = json.dumps(waiting.to_dict(dates="iso"))
        assert main(["-c", f"Submit-ToolOutput -ToolOutput @{{tool_call_id='{call}'; output='sunny'}} -Run "
                           f"[pscustomobject]@{{id='{waiting.id}'}}"]) == 2  # no thread_id: refused, nothing sent
        assert sent(api).method == "GET"
        import io
        import sys

        stdin = sys.stdin
        sys.stdin = io.StringIO(record + "\n")
        try:
            code = main(["Submit-ToolOutput", f"-ToolOutput:@{{tool_call_id='{call}'; output='sunny'}}"])
        finally:
            sys.stdin = stdin
        assert code == 0 and json.loads(capsys.readouterr().out)["status"] == "queued"
        assert sent(api).body == b'{"tool_outputs":[{"tool_call_id":"%s","output":"sunny"}]}' % call.encode()


class TestDeliberateDifferences:
    """Where the run cmdlets differ from 3.7.0 on purpose (docs/DIFFERENCES.md, section 4)."""

    def test_additional_messages_send_their_v2_attachments(self, api):
        attached = {"role": "user", "content": "See the file.",
                    "attachments": [{"file_id": "file-abc123", "tools": [{"type": "file_search"}]}]}
        new_run(additional_messages=[attached])
        body = json.loads(sent(api).body)
        assert body["additional_messages"] == [attached]  # 3.7.0 sends v1 `file_ids`, which the API refuses
        assert "file_ids" not in json.dumps(body)

    def test_a_run_object_without_a_status_is_cancelled_all_the_same(self, api):
        run = new_run()
        bare = {"id": run.id, "thread_id": "thread_abc456", "object": "thread.run"}  # no status: the API decides
        assert ps.stop_thread_run(bare) is None
        assert sent(api).target == f"/v1/threads/thread_abc456/runs/{run.id}/cancel"

    def test_functions_are_sent_as_given(self, api):
        nameless = {"description": "No name.", "parameters": {"type": "object"}}
        with pytest.raises(ps.BadRequestError, match="function.name"):  # the API refuses it, not we
            new_run(functions=[WEATHER, nameless])  # 3.7.0's name check tests the whole array
        tools = json.loads(sent(api).body)["tools"]
        assert [t["function"] for t in tools] == [WEATHER, nameless]


def test_a_last_error_quoting_the_key_is_redacted_in_the_warning(api, clock):
    key = "sk-proj-WAITkey0123456789abcdefXYZ"
    api.store.push_outcome(Outcome.run("failed", code="invalid_api_key", message=f"Key {key} was revoked."))
    warnings: list = []
    done = ps.wait_thread_run(new_run(), warning_variable=warnings, api_key=key)
    assert done.status == "failed" and len(warnings) == 1
    assert "invalid_api_key: Key sk-pro" in warnings[0] and "WAITkey0123456789" not in warnings[0]

"""New-Assistant, Set-Assistant and Remove-Assistant against the bundled server.

Bodies are compared byte for byte: fields in the order PSOpenAI 3.7.0 builds them (model, name,
description, instructions, tools, tool_resources, metadata, temperature, top_p, response_format).
"""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import datetime, timezone

import pytest
from cli_support import cli, environment, json_lines

import pyopenai_ps as ps
from pyopenai_ps import BadRequestError, NotFoundError, ParameterBindingError
from pyopenai_ps.cli.main import main

ASSISTANTS = "/v1/assistants"
WEATHER = {"name": "get_weather", "description": "The weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}


def sent(server, index: int = -1) -> tuple[str, str, bytes]:
    request = server.requests[index]
    return request.method, request.target, request.body


class TestNewAssistant:
    def test_no_parameters_send_the_default_model(self, api):
        assistant = ps.new_assistant()
        assert sent(api) == ("POST", ASSISTANTS, b'{"model":"gpt-3.5-turbo"}')
        headers = api.requests[-1].headers
        assert headers["content-type"] == "application/json" and headers["openai-beta"] == "assistants=v2"
        assert assistant.type_names[0] == "PSOpenAI.Assistant" and assistant.id.startswith("asst_")
        assert assistant.created_at.tzinfo is timezone.utc

    def test_every_field_in_the_order_of_the_source(self, api):
        assistant = ps.new_assistant(
            name="TEST", model="GPT-4o", description="Math Tutor", instructions="Run code to answer.",
            use_code_interpreter=True, use_file_search=True, functions=[WEATHER],
            file_ids_for_code_interpreter=["file-abc456"], vector_stores_for_file_search="vs_abc123",
            temperature=0.5, top_p=1, metadata={"team": "math"}, format="json_object")
        assert sent(api)[2] == (
            b'{"model":"gpt-4o","name":"TEST","description":"Math Tutor","instructions":"Run code to answer.",'
            b'"tools":[{"type":"code_interpreter"},{"type":"file_search"},{"type":"function","function":'
            b'{"name":"get_weather","description":"The weather in a city.","parameters":{"type":"object",'
            b'"properties":{"city":{"type":"string"}}}}}],"tool_resources":{"code_interpreter":{"file_ids":'
            b'["file-abc456"]},"file_search":{"vector_store_ids":["vs_abc123"]}},"metadata":{"team":"math"},'
            b'"temperature":0.5,"top_p":1.0,"response_format":{"type":"json_object"}}')
        assert assistant.model == "gpt-4o" and len(assistant.tools) == 3

    def test_a_function_with_only_a_name(self, api):
        ps.invoke("New-Assistant -Model gpt-4o -Functions @{name='ping'}")
        assert sent(api)[2] == b'{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"ping"}}]}'

    def test_file_ids_for_file_search_make_a_new_vector_store(self, api):
        ps.new_assistant(file_ids_for_file_search=["file-abc456"], use_file_search=True)
        assert sent(api)[2] == (b'{"model":"gpt-3.5-turbo","tools":[{"type":"file_search"}],'
                                b'"tool_resources":{"file_search":{"vector_stores":[{"file_ids":["file-abc456"]}]}}}')

    @pytest.mark.parametrize("fmt, field", [
        ("default", None), ("auto", '"auto"'), ("text", '{"type":"text"}'), ("JSON_OBJECT", '{"type":"json_object"}')])
    def test_format(self, api, fmt, field):
        ps.new_assistant(model="gpt-4o", format=fmt)
        expected = '{"model":"gpt-4o"' + (f',"response_format":{field}' if field else "") + "}"
        assert sent(api)[2] == expected.encode()

    def test_raw_response_returns_the_answer_as_text(self, api):
        text = ps.new_assistant(model="gpt-4o", name="Raw", format="raw_response")
        assert sent(api)[2] == b'{"model":"gpt-4o","name":"Raw"}'
        assert isinstance(text, str) and json.loads(text)["name"] == "Raw"

    def test_help_example_1_binds_true_to_the_hidden_input(self, api):
        out = ps.invoke('New-Assistant -Model gpt-4 -Instructions "You are a math teacher." -UseCodeInterpreter $true')
        assert sent(api) == ("POST", ASSISTANTS,
                             b'{"model":"gpt-4","instructions":"You are a math teacher.",'
                             b'"tools":[{"type":"code_interpreter"}]}')
        assert out[0].model == "gpt-4"

    def test_a_piped_assistant_is_changed_instead(self, api):
        changed = ps.invoke("'asst_abc123' | New-Assistant -Name 'Renamed'")
        assert sent(api) == ("POST", ASSISTANTS + "/asst_abc123", b'{"model":"gpt-3.5-turbo","name":"Renamed"}')
        assert changed[0].id == "asst_abc123"
        text = ps.get_command("New-Assistant").pipe([{"assistant_id": "asst_abc123"}], format="raw_response")
        assert api.requests[-1].target == ASSISTANTS + "/asst_abc123" and isinstance(text[0], str)

    def test_wrong_shapes_are_binding_errors_and_send_nothing(self, api):
        for line in ("New-Assistant -Functions @{description='no name'}",
                     "New-Assistant -Functions 'not a dictionary'",
                     "New-Assistant -VectorStoresForFileSearch @{id='not_a_store'}",
                     "New-Assistant -Temperature 3",
                     "New-Assistant -TopP -0.1",
                     "New-Assistant -Format yaml",
                     "New-Assistant -Name " + "n" * 257):
            with pytest.raises(ParameterBindingError):
                ps.invoke(line)
        assert api.requests == []

    def test_the_api_refuses_an_unknown_tool(self, api):
        with pytest.raises(BadRequestError):
            ps.new_assistant(model="gpt-4o", additional_body={"tools": [{"type": "unknown_tool"}]})

    def test_additional_body_replaces_a_field(self, api):
        ps.new_assistant(model="gpt-4o", name="A", additional_body='{"name":"B","description":"added"}')
        assert json.loads(sent(api)[2]) == {"model": "gpt-4o", "name": "B", "description": "added"}

    def test_verbose_names_the_assistant(self, api, caplog):
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            made = ps.new_assistant(verbose=True)
            ps.new_assistant(format="raw_response", verbose=True)
        shown = [r.getMessage() for r in caplog.records]
        assert f"The assistant {made.id} is saved." in shown
        assert sum(m.startswith("The assistant asst_") and m.endswith(" is saved.") for m in shown) == 2


class TestSetAssistant:
    def test_sends_only_what_is_given(self, api):
        model = ps.get_assistant("asst_abc123").model
        changed = ps.set_assistant("asst_abc123", instructions="You are a math teacher.", use_code_interpreter=True)
        assert sent(api) == ("POST", ASSISTANTS + "/asst_abc123",
                             b'{"instructions":"You are a math teacher.","tools":[{"type":"code_interpreter"}]}')
        assert changed.type_names[0] == "PSOpenAI.Assistant" and changed.model == model  # the model stays

    def test_model_when_given(self, api):
        ps.invoke("Set-Assistant -Assistant 'asst_abc123' -Model GPT-4o-mini")
        assert sent(api)[2] == b'{"model":"gpt-4o-mini"}'

    def test_nothing_to_change_sends_an_empty_object(self, api):
        ps.set_assistant("asst_abc123")
        assert sent(api)[2] == b"{}"

    def test_pipeline_of_assistants(self, api):
        out = ps.invoke("Get-Assistant -All | Set-Assistant -Temperature 0.2")
        posts = [r for r in api.requests if r.method == "POST"]
        assert [r.path for r in posts] == [f"{ASSISTANTS}/asst_abc12{n}" for n in (1, 2, 3)]
        assert {r.body for r in posts} == {b'{"temperature":0.2}'}
        assert [a.temperature for a in out] == [0.2] * 3

    def test_raw_response(self, api):
        text = ps.set_assistant("asst_abc123", name="Raw", format="raw_response")
        assert isinstance(text, str) and json.loads(text)["id"] == "asst_abc123"
        assert sent(api)[2] == b'{"name":"Raw"}'

    def test_the_help_example_of_3_7_0_does_not_bind(self, api):
        with pytest.raises(ParameterBindingError) as info:
            ps.invoke('Set-Assistant -Assistant "asst_abc123" -Instructions "x" -UseCodeInterpreter $true')
        assert info.value.error_id == "PositionalParameterNotFound" and api.requests == []

    def test_input_without_an_assistant_id_is_a_binding_error(self, api):
        with pytest.raises(ParameterBindingError):
            ps.get_command("Set-Assistant").pipe([datetime.now()])
        with pytest.raises(ParameterBindingError):
            ps.get_command("Set-Assistant").pipe([{"id": "thread_abc123"}])
        assert api.requests == []

    def test_unknown_assistant(self, api):
        with pytest.raises(NotFoundError):
            ps.set_assistant("asst_nope", name="x")


class TestRemoveAssistant:
    def test_deletes_and_outputs_nothing(self, api):
        made = ps.new_assistant()
        assert ps.remove_assistant(made) is None  # an object given positionally binds -InputObject
        request = api.requests[-1]
        assert (request.method, request.target, request.body) == ("DELETE", f"{ASSISTANTS}/{made.id}", b"")
        assert "content-type" not in request.headers and request.headers["openai-beta"] == "assistants=v2"
        with pytest.raises(NotFoundError):
            ps.get_assistant(made.id)

    def test_every_assistant_through_the_pipeline(self, api):
        assert ps.invoke("Get-Assistant -All | Remove-Assistant") == []
        assert [r.target for r in api.requests if r.method == "DELETE"] == [
            f"{ASSISTANTS}/asst_abc12{n}" for n in (1, 2, 3)]
        assert ps.get_assistant(all=True) == []

    def test_a_run_names_its_assistant(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        ps.get_command("Remove-Assistant").pipe([{"assistant_id": run.assistant_id}])
        assert sent(api)[:2] == ("DELETE", f"{ASSISTANTS}/{run.assistant_id}")

    def test_failure_says_what_was_not_removed(self, api):
        with pytest.raises(NotFoundError, match="The assistant asst_nope was not removed.$"):
            ps.invoke("Remove-Assistant -Assistant 'asst_nope'")

    def test_verbose(self, api, caplog):
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            ps.remove_assistant("asst_abc121", verbose=True)
        assert "The assistant asst_abc121 is deleted." in [r.getMessage() for r in caplog.records]

    def test_bad_input_sends_nothing(self, api):
        with pytest.raises(ParameterBindingError):
            ps.get_command("Remove-Assistant").pipe([datetime.now()])
        assert api.requests == []


class TestCommandLine:
    def test_in_process(self, api, capsys):
        assert main(["New-Assistant", "-Name", "CLI", "-UseCodeInterpreter", "-Temperature", "0.5"]) == 0
        made = json.loads(capsys.readouterr().out)
        assert made["name"] == "CLI" and made["tools"] == [{"type": "code_interpreter"}]
        assert sent(api)[2] == (b'{"model":"gpt-3.5-turbo","name":"CLI","tools":[{"type":"code_interpreter"}],'
                                b'"temperature":0.5}')
        assert main(["Set-Assistant", made["id"], "-Format", "raw_response"]) == 0
        assert json.loads(json.loads(capsys.readouterr().out))["id"] == made["id"]  # a JSON string line
        assert main(["New-Assistant", "-Functions:@{description='x'}"]) == 2
        assert "no 'name'" in capsys.readouterr().err
        assert main(["Remove-Assistant", made["id"]]) == 0 and capsys.readouterr().out == ""

    def test_processes_piped(self, srv):
        env = environment(srv.base_url)
        first = subprocess.Popen([*cli(), "Get-Assistant", "-All"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 env=env)
        try:
            second = subprocess.run([*cli(), "Set-Assistant", "-Description", "piped"], stdin=first.stdout,
                                    capture_output=True, text=True, env=env, timeout=60)
        finally:
            first.stdout.close()
            first.wait(timeout=30)
        assert (first.returncode, second.returncode) == (0, 0), second.stderr
        assert [a["description"] for a in json_lines(second.stdout)] == ["piped"] * 3
        posts = [r for r in srv.requests if r.method == "POST"]
        assert [r.body for r in posts] == [b'{"description":"piped"}'] * 3

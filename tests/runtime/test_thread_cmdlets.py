"""New-Thread, Set-Thread, Remove-Thread and Add-ThreadMessage against the bundled server.

Request bodies are compared byte for byte (compact JSON, fields in the order PSOpenAI 3.7.0 builds
them); outputs by type name and converted dates; every way in (module functions, ``invoke`` lines,
the command line in-process and in real processes).
"""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import datetime, timezone

import pytest
from cli_support import cli, environment, json_lines

import pyopenai_ps as ps
from pyopenai_ps import NotFoundError, ParameterBindingError
from pyopenai_ps.cli.main import main

THREADS = "/v1/threads"


def sent(server, index: int = -1) -> tuple[str, str, bytes]:
    request = server.requests[index]
    return request.method, request.target, request.body


def messages_of(server, thread_id: str) -> list[str]:
    store = ps.get_thread_message(thread_id, all=True)
    return [m.content[0]["text"]["value"] for m in store]


class TestNewThread:
    def test_no_parameters_send_an_empty_object(self, api):
        thread = ps.new_thread()
        assert sent(api) == ("POST", THREADS, b"{}")
        headers = api.requests[-1].headers
        assert headers["content-type"] == "application/json"
        assert headers["openai-beta"] == "assistants=v2"
        assert thread.type_names[0] == "PSOpenAI.Thread" and thread.id.startswith("thread_")
        assert thread.created_at.tzinfo is timezone.utc and isinstance(thread.created_at, datetime)

    def test_tool_resources_and_metadata_in_the_order_of_the_source(self, api):
        ps.new_thread(file_ids_for_code_interpreter=["file-abc456"], vector_stores_for_file_search="vs_abc123",
                      metadata={"project": "demo"})
        assert sent(api)[2] == (b'{"tool_resources":{"code_interpreter":{"file_ids":["file-abc456"]},'
                                b'"file_search":{"vector_store_ids":["vs_abc123"]}},"metadata":{"project":"demo"}}')

    def test_file_ids_for_file_search_make_a_new_vector_store(self, api):
        ps.invoke("New-Thread -FileIdsForFileSearch 'file-abc456'")
        assert sent(api)[2] == b'{"tool_resources":{"file_search":{"vector_stores":[{"file_ids":["file-abc456"]}]}}}'

    def test_a_vector_store_object_wins_over_file_ids(self, api):
        store = {"id": "vs_abc123", "object": "vector_store"}
        ps.new_thread(vector_stores_for_file_search=[store], file_ids_for_file_search=["file-abc456"])
        assert sent(api)[2] == b'{"tool_resources":{"file_search":{"vector_store_ids":["vs_abc123"]}}}'

    def test_empty_file_id_lists_send_nothing(self, api):
        ps.new_thread(file_ids_for_code_interpreter=[], file_ids_for_file_search=[])
        assert sent(api)[2] == b"{}"

    def test_hidden_messages_keep_their_role_and_skip_empty_ones(self, api):
        thread = ps.new_thread(messages=[
            "Hello.",
            {"role": "assistant", "content": "Hi there."},
            {"content": "not this", "message": "this one", "metadata": {"n": "3"}},
            {"content": ""},  # no content: left out, as 3.7.0 leaves it out
        ])
        assert sent(api)[2] == (
            b'{"messages":[{"role":"user","content":"Hello."},{"role":"assistant","content":"Hi there."},'
            b'{"role":"user","content":"this one","metadata":{"n":"3"}}]}')
        assert messages_of(api, thread.id) == ["Hello.", "Hi there.", "this one"]

    def test_hidden_input_object_changes_that_thread(self, api):
        thread = ps.invoke("'thread_abc123' | New-Thread -MetaData @{topic='sums'}")[0]
        assert sent(api) == ("POST", THREADS + "/thread_abc123", b'{"metadata":{"topic":"sums"}}')
        assert thread.metadata == {"topic": "sums"}

    def test_an_object_without_a_thread_id_makes_a_new_thread(self, api):
        ps.get_command("New-Thread").pipe([{"name": "not a thread"}])
        assert sent(api)[:2] == ("POST", THREADS)

    @pytest.mark.parametrize("extra", [{"metadata": {"k": "v"}}, '{"metadata":{"k":"v"}}'])
    def test_additional_body_is_merged_over_the_body(self, api, extra):
        ps.new_thread(metadata={"a": "b"}, file_ids_for_code_interpreter=["file-abc456"], additional_body=extra)
        assert sent(api)[2] == (b'{"tool_resources":{"code_interpreter":{"file_ids":["file-abc456"]}},'
                                b'"metadata":{"k":"v"}}')

    def test_wrong_shapes_are_binding_errors_and_send_nothing(self, api):
        for line in ("New-Thread -VectorStoresForFileSearch @{name='x'}",
                     "New-Thread -VectorStoresForFileSearch 'vs_a','vs_b'",
                     "New-Thread -MetaData 'not a dictionary'",
                     "New-Thread -FileIdsForCodeInterpreter " + ",".join(f"f{n}" for n in range(21))):
            with pytest.raises(ParameterBindingError):
                ps.invoke(line)
        assert api.requests == []

    def test_additional_body_that_is_not_json_sends_nothing(self, api):
        with pytest.raises(ps.ConfigurationError, match="AdditionalBody is not valid JSON"):
            ps.new_thread(additional_body="{not json")
        assert api.requests == []

    def test_verbose_names_the_new_thread(self, api, caplog):
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            thread = ps.new_thread(verbose=True)
        assert f"The thread {thread.id} is ready." in [r.getMessage() for r in caplog.records]

    def test_debug_logs_the_body(self, api, caplog):
        with caplog.at_level(logging.DEBUG, logger="pyopenai_ps"):
            ps.new_thread(metadata={"a": "b"}, debug=True)
        assert 'Request body: {"metadata":{"a":"b"}}' in [r.getMessage() for r in caplog.records]


class TestSetThread:
    def test_changes_the_thread_given(self, api):
        thread = ps.set_thread("thread_abc123", metadata={"topic": "sums"})
        assert sent(api) == ("POST", THREADS + "/thread_abc123", b'{"metadata":{"topic":"sums"}}')
        assert api.requests[-1].headers["content-type"] == "application/json"
        assert thread.type_names[0] == "PSOpenAI.Thread" and thread.metadata == {"topic": "sums"}

    def test_nothing_to_change_sends_an_empty_object(self, api):
        ps.invoke("Set-Thread -Thread 'thread_abc123'")
        assert sent(api) == ("POST", THREADS + "/thread_abc123", b"{}")

    def test_piped_thread_message_and_run_objects(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        message = ps.get_thread_message(thread_id="thread_abc123", message_id="msg_abc123")
        out = ps.get_command("Set-Thread").pipe([run, message], file_ids_for_code_interpreter=["file-abc456"])
        posts = [r for r in api.requests if r.method == "POST"]
        assert [r.path for r in posts] == [THREADS + "/thread_abc123"] * 2
        assert posts[0].body == b'{"tool_resources":{"code_interpreter":{"file_ids":["file-abc456"]}}}'
        assert [t.id for t in out] == ["thread_abc123"] * 2

    def test_a_vector_store_for_file_search(self, api):
        ps.invoke("Set-Thread -Thread 'thread_abc123' -VectorStoresForFileSearch 'vs_abc123'")
        assert sent(api)[2] == b'{"tool_resources":{"file_search":{"vector_store_ids":["vs_abc123"]}}}'

    def test_input_without_a_thread_id_is_a_binding_error(self, api):
        with pytest.raises(ParameterBindingError) as info:
            ps.get_command("Set-Thread").pipe([datetime.now()])
        assert info.value.error_id == "ParameterArgumentValidationError"
        with pytest.raises(ParameterBindingError) as info:
            ps.invoke("Set-Thread -MetaData @{a='b'}")
        assert info.value.error_id == "MissingMandatoryParameter"
        assert api.requests == []

    def test_messages_cannot_be_given(self, api):
        with pytest.raises(ParameterBindingError) as info:
            ps.invoke("Set-Thread thread_abc123 -Messages 'hi'")
        assert info.value.error_id == "NamedParameterNotFound" and api.requests == []

    def test_unknown_thread_is_an_api_error(self, api):
        with pytest.raises(NotFoundError):
            ps.set_thread("thread_nope", metadata={"a": "b"})


class TestRemoveThread:
    def test_deletes_and_outputs_nothing(self, api):
        thread = ps.new_thread()
        assert ps.remove_thread(thread.id) is None
        request = api.requests[-1]
        assert (request.method, request.target, request.body) == ("DELETE", f"{THREADS}/{thread.id}", b"")
        assert "content-type" not in request.headers and request.headers["openai-beta"] == "assistants=v2"
        with pytest.raises(NotFoundError):
            ps.get_thread(thread.id)

    def test_from_a_line_and_from_objects(self, api):
        made = [ps.new_thread(), ps.new_thread()]
        assert ps.invoke(f"'{made[0].id}' | Remove-Thread") == []
        ps.get_command("Remove-Thread").pipe([made[1]])
        assert [r.target for r in api.requests if r.method == "DELETE"] == [f"{THREADS}/{t.id}" for t in made]

    def test_a_run_deletes_its_thread(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        ps.get_command("Remove-Thread").pipe([run])
        assert sent(api)[:2] == ("DELETE", THREADS + "/thread_abc123")

    def test_verbose_says_what_was_deleted(self, api, caplog):
        thread = ps.new_thread()
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            ps.remove_thread(thread.id, verbose=True)
        assert f"The thread {thread.id} is deleted." in [r.getMessage() for r in caplog.records]

    def test_a_failure_says_what_was_not_removed(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.remove_thread("thread_nope")
        assert str(info.value).endswith("The thread thread_nope was not removed.")
        assert info.value.status_code == 404

    def test_continue_reports_each_failure_and_removes_the_rest(self, api, caplog):
        good = ps.new_thread()
        errors: list = []
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            out = ps.get_command("Remove-Thread").pipe(["thread_nope", good.id], error_action="Continue",
                                                       error_variable=errors)
        assert out == [] and len(errors) == 1 and "thread_nope was not removed" in str(errors[0])
        assert [r.target for r in api.requests if r.method == "DELETE"][-1] == f"{THREADS}/{good.id}"

    def test_no_thread_is_a_binding_error(self, api):
        with pytest.raises(ParameterBindingError):
            ps.invoke("Remove-Thread -Thread ''")
        assert api.requests == []


class TestAddThreadMessage:
    def test_body_of_a_plain_message_and_no_output(self, api):
        assert ps.add_thread_message(thread_id="thread_abc123", message="How many people live in the world?") is None
        assert sent(api) == ("POST", THREADS + "/thread_abc123/messages",
                             b'{"role":"user","content":"How many people live in the world?"}')
        assert api.requests[-1].headers["content-type"] == "application/json"

    def test_attachments_role_and_metadata(self, api):
        ps.invoke("Add-ThreadMessage 'Read these.' -Thread 'thread_abc123' -Role ASSISTANT -MetaData @{n='1'} "
                  "-FileIdsForCodeInterpreter 'file-abc456' -FileIdsForFileSearch 'file-abc456','file-abc123'")
        assert sent(api)[2] == (
            b'{"role":"assistant","content":"Read these.","attachments":['
            b'{"file_id":"file-abc456","tools":[{"type":"code_interpreter"}]},'
            b'{"file_id":"file-abc456","tools":[{"type":"file_search"}]},'
            b'{"file_id":"file-abc123","tools":[{"type":"file_search"}]}],"metadata":{"n":"1"}}')

    def test_python_aliases(self, api):
        ps.add_thread_message(thread="thread_abc123", text="Hi.")
        ps.add_thread_message(thread_id="thread_abc123", content="Again.")
        assert [json.loads(r.body)["content"] for r in api.requests] == ["Hi.", "Again."]

    def test_pass_thru_reads_the_thread_again(self, api):
        thread = ps.add_thread_message(thread_id="thread_abc123", message="Hello.", pass_thru=True)
        assert [(r.method, r.target) for r in api.requests] == [
            ("POST", THREADS + "/thread_abc123/messages"), ("GET", THREADS + "/thread_abc123"),
            ("GET", THREADS + "/thread_abc123/messages?limit=100&order=asc")]  # Get-Thread's Messages
        assert thread.type_names[0] == "PSOpenAI.Thread" and thread.id == "thread_abc123"
        assert thread.Messages[-1].SimpleContent[0].Content == "Hello."
        assert isinstance(thread.created_at, datetime)

    def test_the_pipeline_of_the_help(self, api):
        threads = ps.invoke("New-Thread | Add-ThreadMessage -Message 'Hello.' -PassThru | "
                            "Add-ThreadMessage -Message ' How' -PassThru | "
                            "Add-ThreadMessage -Message ' are you?' -PassThru")
        assert len(threads) == 1
        assert messages_of(api, threads[0].id) == ["Hello.", " How", " are you?"]

    def test_pass_thru_passes_the_connection_on_but_not_the_extra_body(self, api, caplog):
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            ps.add_thread_message(thread_id="thread_abc123", message="Hi.", pass_thru=True, api_key="sk-given",
                                  additional_body={"metadata": {"k": "v"}}, additional_query={"x": "1"})
        post, get, messages = api.requests  # the thread read again, then its messages (Messages)
        assert json.loads(post.body)["metadata"] == {"k": "v"}
        assert get.headers["authorization"] == "Bearer sk-given" and get.target == THREADS + "/thread_abc123?x=1"
        assert messages.headers["authorization"] == "Bearer sk-given" and messages.target.endswith("&x=1")
        assert caplog.records == []  # no "AdditionalBody has no effect" from the GET

    def test_binding_errors_send_nothing(self, api):
        for line in ("Add-ThreadMessage -Thread 'thread_abc123'",          # no -Message
                     "Add-ThreadMessage 'thread_abc123' 'hello'",          # -InputObject has no position
                     "Add-ThreadMessage -Thread 'thread_abc123' -Message ''",
                     "Add-ThreadMessage -Thread 'thread_abc123' -Message 'x' -MetaData 5"):
            with pytest.raises(ParameterBindingError):
                ps.invoke(line)
        with pytest.raises(ParameterBindingError):
            ps.get_command("Add-ThreadMessage").pipe([{"id": "asst_abc123"}], message="x")
        assert api.requests == []

    def test_a_failure_says_where_the_message_was_not_added(self, api):
        with pytest.raises(NotFoundError, match="The message was not added to the thread thread_nope."):
            ps.add_thread_message(thread_id="thread_nope", message="x", pass_thru=True)
        assert len(api.requests) == 1  # no follow-up after a failure


class TestCommandLine:
    def test_in_process(self, api, capsys):
        assert main(["New-Thread", "-MetaData:@{a='b'}"]) == 0
        thread = json.loads(capsys.readouterr().out)
        assert thread["id"].startswith("thread_") and thread["metadata"] == {"a": "b"}
        assert isinstance(thread["created_at"], str) and thread["created_at"].endswith("+00:00")
        assert main(["Add-ThreadMessage", "-Thread", thread["id"], "-Message", "Hi.", "-PassThru"]) == 0
        assert json.loads(capsys.readouterr().out)["id"] == thread["id"]
        assert main(["Remove-Thread", thread["id"], "-Verbose"]) == 0
        captured = capsys.readouterr()
        assert captured.out == "" and f"VERBOSE: The thread {thread['id']} is deleted." in captured.err
        assert main(["Remove-Thread", thread["id"]]) == 1
        assert "was not removed" in capsys.readouterr().err
        assert main(["Add-ThreadMessage", thread["id"], "hi"]) == 2

    def test_a_line_in_process(self, api, capsys):
        assert main(["-c", "'thread_abc123' | Set-Thread -MetaData @{k='v'}"]) == 0
        assert json.loads(capsys.readouterr().out)["metadata"] == {"k": "v"}
        assert sent(api)[2] == b'{"metadata":{"k":"v"}}'

    def test_processes_piped(self, srv):
        env = environment(srv.base_url)
        first = subprocess.Popen([*cli(), "New-Thread"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
        try:
            second = subprocess.run([*cli(), "Add-ThreadMessage", "-Message", "Hello from a pipe.", "-PassThru"],
                                    stdin=first.stdout, capture_output=True, text=True, env=env, timeout=60)
        finally:
            first.stdout.close()
            first.wait(timeout=30)
        assert (first.returncode, second.returncode) == (0, 0), second.stderr
        (thread,) = json_lines(second.stdout)
        posts = [r for r in srv.requests if r.method == "POST"]
        assert [r.target for r in posts] == ["/v1/threads", f"/v1/threads/{thread['id']}/messages"]
        assert posts[1].body == b'{"role":"user","content":"Hello from a pipe."}'

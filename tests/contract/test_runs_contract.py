"""The run cmdlets against OpenAI's official OpenAPI document, served by Prism (opt-in; see conftest.py).

Prism answers 422 to a body the document refuses, so an answer other than an error shows the request body
fits (field names, types, nesting). Except for create run and create thread and run: their schemas do not
compile in Prism's validator, which then lets every body through, so Start-ThreadRun's bodies are checked
against them here too, with Ajv (schema_check.py). Prism's mock run is always ``queued`` with the id
``string``, so runs here are written literally rather than chained from one cmdlet to the next, and waits
are given runs whose own status ends them at once.
"""

from __future__ import annotations

import json

import logging

import pytest
from prism_env import skip_reason
from schema_check import schema_errors

import pyopenai_ps as ps

pytestmark = pytest.mark.contract

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

RUN = "@{id='run_abc123'; thread_id='thread_abc123'; status='%s'}"
WAITING = ("@{id='run_abc123'; thread_id='thread_abc123'; status='requires_action'; "
           "required_action=@{type='submit_tool_outputs'}}")
FUNCTION = "@{name='get_weather'; description='The weather.'; parameters=@{type='object'; properties=@{city=@{type='string'}}}}"


def requests(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pyopenai_ps"
            and r.getMessage().split(" ")[0] in ("GET", "POST", "DELETE")]


@pytest.mark.parametrize("line, expected", [
    # the help's examples
    ("Start-ThreadRun -Thread 'thread_abc123' -Assistant 'asst_abc123'", "POST /threads/thread_abc123/runs"),
    ("Start-ThreadRun -Message 'What is 2 + 2?' -Assistant 'asst_abc123'", "POST /threads/runs"),
    # typical calls: every field of a run on a thread
    ("Start-ThreadRun -Thread thread_abc123 -Assistant asst_abc123 -Model gpt-4o -Instructions 'Be brief.' "
     "-AdditionalInstructions 'Use metric units.' -AdditionalMessages 'Hello',@{role='assistant'; content='Hi'} "
     "-MetaData @{k='v'} -Temperature 0.5 -TopP 0.9 -MaxPromptTokens 1000 -MaxCompletionTokens 500 "
     "-TruncationStrategyType last_messages -TruncationStrategyLastMessages 3 -UseCodeInterpreter -UseFileSearch "
     f"-Functions {FUNCTION} -ToolChoice function -ToolChoiceFunctionName get_weather -Format json_object",
     "POST /threads/thread_abc123/runs"),
    ("Start-ThreadRun -Thread thread_abc123 -Assistant asst_abc123 -TruncationStrategyType auto -ToolChoice none "
     "-Format auto", "POST /threads/thread_abc123/runs"),
    ("Start-ThreadRun -Thread thread_abc123 -Assistant asst_abc123 -ToolChoice code_interpreter -Format text",
     "POST /threads/thread_abc123/runs"),
    # a new thread and run, with tool resources
    ("Start-ThreadRun -Message 'Plot y = 3x + 14' -Role assistant -Assistant asst_abc123 "
     "-FileIdsForCodeInterpreter file-abc123 -VectorStoresForFileSearch vs_abc123 -UseCodeInterpreter",
     "POST /threads/runs"),
    # waits that end on the run's own status, then read it once more
    (f"Wait-ThreadRun -Run {RUN % 'completed'}", "GET /threads/thread_abc123/runs/run_abc123"),
    (f"Wait-ThreadRun -Run {RUN % 'in_progress'} -StatusForExit queued", "GET /threads/thread_abc123/runs/run_abc123"),
    (f"Stop-ThreadRun -Run {RUN % 'in_progress'} -PassThru", "POST /threads/thread_abc123/runs/run_abc123/cancel"),
    (f"Stop-ThreadRun -Run {RUN % 'completed'} -Force", "POST /threads/thread_abc123/runs/run_abc123/cancel"),
    (f"Submit-ToolOutput -Run {WAITING} -ToolOutput @{{tool_call_id='call_abc123'; output='22C'}},"
     "@{tool_call_id='call_abc456'; output=22}", "POST /threads/thread_abc123/runs/run_abc123/submit_tool_outputs"),
    (f"Receive-ThreadRun -Run {RUN % 'completed'}", "GET /threads/thread_abc123"),
    (f"Receive-ThreadRun -Run {RUN % 'completed'} -Wait", "GET /threads/thread_abc123"),
])
def test_the_document_accepts_each_call(contract, caplog, tmp_path, line, expected):
    caplog.set_level(logging.DEBUG, logger="pyopenai_ps")
    out = ps.invoke(f"{line} -Debug -TimeoutSec 30")
    sent = requests(caplog)
    if line.startswith("Start-ThreadRun"):  # Prism let it through unchecked: check the body here
        schema = "CreateThreadAndRunRequest" if "-Message" in line else "CreateRunRequest"
        assert schema_errors(schema, bodies(caplog), tmp_path) == [[]]
    method, path = expected.split(" ")
    assert f"{method} {contract}{path}" in sent
    assert out or line.startswith("Stop-ThreadRun") and "-PassThru" not in line, sent
    for item in out:
        assert item.type_names[0] in ("PSOpenAI.Thread.Run", "PSOpenAI.Thread")


def bodies(caplog) -> list[object]:
    return [json.loads(r.getMessage()[len("Request body: "):]) for r in caplog.records
            if r.name == "pyopenai_ps" and r.getMessage().startswith("Request body: ")]


def test_receive_reads_the_thread_and_its_messages(contract, caplog):
    thread = ps.invoke(f"Receive-ThreadRun -Run {RUN % 'completed'} -Verbose -TimeoutSec 30")[0]
    assert requests(caplog) == [f"GET {contract}/threads/thread_abc123",
                                f"GET {contract}/threads/string/messages?limit=100&order=asc"]
    assert thread.Messages and thread.Messages[0].SimpleContent is not None


def test_raw_response_is_the_document_s_run(contract):
    text = ps.invoke("Start-ThreadRun -Thread thread_abc123 -Assistant asst_abc123 -Format raw_response "
                     "-TimeoutSec 30")[0]
    assert json.loads(text)["object"] == "thread.run"


@pytest.mark.parametrize("line", [
    "Start-ThreadRun -Thread thread_abc123 -Assistant asst_abc123 -Stream",
    "Start-ThreadRun -Message 'Hi' -Assistant asst_abc123 -Stream -Format raw_response",
    f"Submit-ToolOutput -Run {WAITING} -ToolOutput @{{tool_call_id='call_abc123'; output='22C'}} -Stream",
])
def test_a_streamed_request_s_body_fits(contract, line):
    # The document accepts "stream": true; Prism then answers a JSON mock rather than events, so the reader
    # finds no [DONE]. A refused body would be an API error (422) instead.
    with pytest.raises(ps.APIConnectionError):
        ps.invoke(f"{line} -TimeoutSec 30")


def test_a_body_the_document_refuses_is_an_error(contract):
    # Prism's check is live where it can compile the schema: a field of the wrong type is refused
    with pytest.raises(ps.APIRequestError) as info:
        ps.invoke(f"Submit-ToolOutput -Run {WAITING} -ToolOutput @{{tool_call_id='c'; output='o'}} "
                  "-AdditionalBody @{tool_outputs='none'} -TimeoutSec 30")
    assert info.value.status_code == 422


def test_the_schema_check_of_run_bodies_is_live(contract, tmp_path):
    errors = schema_errors("CreateRunRequest", [{"assistant_id": "a", "temperature": "hot"}, {"model": None},
                                                {"assistant_id": "a", "model": None, "file_ids": []}], tmp_path)
    assert errors[0] == ["/temperature must be number"]
    assert "/ must have required property 'assistant_id'" in errors[1]
    assert errors[2] == ["/ must NOT have additional properties"]  # a field the document does not list

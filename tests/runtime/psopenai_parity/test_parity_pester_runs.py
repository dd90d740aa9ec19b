"""PSOpenAI 3.7.0's Pester tests of Get-ThreadRun and Get-ThreadRunStep, against our recording server.

Sources: Tests/Runs/Get-ThreadRun.tests.ps1, Tests/Runs/Get-ThreadRunStep.tests.ps1 and the two
"Get run step details" Its of Tests/Threads.E2E.tests.ps1.  The Pester tests mock
Invoke-OpenAIAPIRequest and check that it was called, what it returned became, and that invalid
input never reaches it; here the same facts are checked on the requests our server recorded and on
the objects the package returned.  Where an It also checks the derived SimpleContent property, that
part is a separate test (it passes since issue 16 brought the derived properties).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from parity_support import T_CREATED, message_obj, page, run_obj, step_obj

import pyopenai_ps as ps

RUN_PATH = "/threads/thread_abc123/runs/run_abc123"
RUNS_PATH = "/threads/thread_abc123/runs"
STEP_PATH = "/threads/thread_abc123/runs/run_abc123/steps/step_abc123"
STEPS_PATH = "/threads/thread_abc123/runs/run_abc123/steps"
MESSAGE_PATH = "/threads/thread_abc123/messages/msg_abc123"

RUN_ARG = {"id": "run_abc123", "thread_id": "thread_abc123"}  # the Pester tests' [pscustomobject] run


def _today() -> datetime:
    return datetime.combine(datetime.now().date(), datetime.min.time())


# ======================================================================================
# Tests/Runs/Get-ThreadRun.tests.ps1
# ======================================================================================


class TestGetThreadRunPester:
    """Describe 'Get-ThreadRun' / Context 'Unit tests (offline)'."""

    def test_get_single_run_with_run_id(self, rec):
        """Get-ThreadRun.tests.ps1 / Get Single Run / It 'Get a single object with run ID'."""
        rec.object(RUN_PATH, run_obj(file_ids=["file-abc123", "file-abc456"]))
        result = ps.get_thread_run(input_object="thread_abc123", run_id="run_abc123", error_action="Stop")
        sent = rec.only()
        assert (sent.method, sent.path, sent.query) == ("GET", RUN_PATH, {})
        assert sent.header("OpenAI-Beta") == "assistants=v2"
        assert result.type_names[0] == "PSOpenAI.Thread.Run"
        assert result.id == "run_abc123"
        assert result.object == "thread.run"
        for name in ("created_at", "started_at", "completed_at"):
            assert isinstance(result[name], datetime), name
        assert result.created_at.timestamp() == T_CREATED
        assert result.expires_at is None  # a null timestamp stays null

    def test_pipeline_input_with_run_id_and_thread_id(self, rec):
        """Get-ThreadRun.tests.ps1 / Get Single Run / It 'Pipeline input'."""
        rec.object(RUN_PATH, run_obj())
        piped = {"run_id": "run_abc123", "thread_id": "thread_abc123"}
        result = ps.get_command("Get-ThreadRun").pipe([piped], error_action="Stop")
        assert rec.only().path == RUN_PATH
        assert [r.id for r in result] == ["run_abc123"]

    def test_list_runs(self, rec):
        """Get-ThreadRun.tests.ps1 / List Runs / It 'List runs.'."""
        rec.object(RUNS_PATH, page([run_obj()] * 20))
        thread = {"id": "thread_abc123", "object": "thread", "created_at": _today()}
        result = ps.get_command("Get-ThreadRun").pipe([thread], error_action="Stop")
        sent = rec.only()
        assert (sent.method, sent.path) == ("GET", RUNS_PATH)
        assert sent.query == {"limit": "20", "order": "asc"}
        assert len(result) == 20
        assert all(r.type_names[0] == "PSOpenAI.Thread.Run" for r in result)

    def test_get_all_runs(self, rec):
        """Get-ThreadRun.tests.ps1 / List Runs / It 'Get all runs.'."""
        rec.object(RUNS_PATH, page([run_obj()] * 20))
        thread = {"id": "thread_abc123", "object": "thread", "created_at": _today()}
        result = ps.get_command("Get-ThreadRun").pipe([thread], all=True, error_action="Stop")
        sent = rec.only()
        assert (sent.method, sent.path) == ("GET", RUNS_PATH)
        assert sent.query == {"limit": "100", "order": "asc"}
        assert len(result) == 20

    def test_error_on_invalid_input(self, rec):
        """Get-ThreadRun.tests.ps1 / List Runs / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Get-ThreadRun").pipe([_today()], error_action="Stop")
        assert rec.requests == []


# ======================================================================================
# Tests/Runs/Get-ThreadRunStep.tests.ps1
# ======================================================================================


class TestGetThreadRunStepPester:
    """Describe 'Get-ThreadRunStep' / Context 'Unit tests (offline)'.

    The Pester file mocks Get-ThreadMessage, which 3.7.0 calls to build each message_creation
    step's SimpleContent; here the server answers that message, and the derived parts (the
    SimpleContent values, the message request) are the derived halves.
    """

    @pytest.fixture
    def single(self, rec):
        rec.object(STEP_PATH, step_obj())
        rec.object(MESSAGE_PATH, message_obj(role="assistant", text="Hi! How can I help you today?",
                                             assistant_id="asst_abc123", run_id="run_abc123"))
        return rec

    @pytest.fixture
    def listing(self, rec):
        rec.object(STEPS_PATH, page([step_obj()] * 20))
        rec.object(MESSAGE_PATH, message_obj(role="assistant", text="Hi! How can I help you today?"))
        return rec

    def test_get_single_step_with_run_object(self, single):
        """Get-ThreadRunStep.tests.ps1 / Get Single Step / It 'Get a single object with run ID' (request, object, dates)."""
        result = ps.get_thread_run_step(input_object=dict(RUN_ARG), step_id="step_abc123", error_action="Stop")
        first = single.requests[0]
        assert (first.method, first.path, first.query) == ("GET", STEP_PATH, {})
        assert first.header("OpenAI-Beta") == "assistants=v2"
        assert result.type_names[0] == "PSOpenAI.Thread.Run.Step"
        assert result.id == "step_abc123"
        assert result.object == "thread.run.step"
        assert isinstance(result.created_at, datetime)
        assert isinstance(result.completed_at, datetime)

    def test_get_single_step_with_run_object_simplecontent(self, single):
        """Get-ThreadRunStep.tests.ps1 / Get Single Step / It 'Get a single object with run ID' (SimpleContent, Get-ThreadMessage invoked)."""
        result = ps.get_thread_run_step(input_object=dict(RUN_ARG), step_id="step_abc123", error_action="Stop")
        assert any(r.path == MESSAGE_PATH for r in single.requests)
        content = result.SimpleContent
        content = content[0] if isinstance(content, list) else content
        assert content.Role == "assistant"
        assert content.Type == "text"
        assert content.Content == "Hi! How can I help you today?"

    def test_pipeline_input(self, single):
        """Get-ThreadRunStep.tests.ps1 / Get Single Step / It 'Pipeline input' (the step request)."""
        result = ps.get_command("Get-ThreadRunStep").pipe([dict(RUN_ARG)], step_id="step_abc123", error_action="Stop")
        assert single.requests[0].path == STEP_PATH
        assert [r.id for r in result] == ["step_abc123"]

    def test_pipeline_input_reads_the_message(self, single):
        """Get-ThreadRunStep.tests.ps1 / Get Single Step / It 'Pipeline input' (Get-ThreadMessage invoked)."""
        ps.get_command("Get-ThreadRunStep").pipe([dict(RUN_ARG)], step_id="step_abc123", error_action="Stop")
        assert any(r.path == MESSAGE_PATH for r in single.requests)

    def test_list_steps(self, listing):
        """Get-ThreadRunStep.tests.ps1 / List Steps / It 'List steps.' (request, count)."""
        result = ps.get_command("Get-ThreadRunStep").pipe([dict(RUN_ARG)], error_action="Stop")
        first = listing.requests[0]
        assert (first.method, first.path, first.query) == ("GET", STEPS_PATH, {"limit": "20", "order": "asc"})
        assert len(result) == 20
        assert all(s.type_names[0] == "PSOpenAI.Thread.Run.Step" for s in result)

    def test_list_steps_reads_the_messages(self, listing):
        """Get-ThreadRunStep.tests.ps1 / List Steps / It 'List steps.' (Get-ThreadMessage invoked)."""
        ps.get_command("Get-ThreadRunStep").pipe([dict(RUN_ARG)], error_action="Stop")
        assert any(r.path == MESSAGE_PATH for r in listing.requests)

    def test_get_all_steps(self, listing):
        """Get-ThreadRunStep.tests.ps1 / List Steps / It 'Get all steps.' (request, count)."""
        result = ps.get_command("Get-ThreadRunStep").pipe([dict(RUN_ARG)], all=True, error_action="Stop")
        first = listing.requests[0]
        assert (first.method, first.path, first.query) == ("GET", STEPS_PATH, {"limit": "100", "order": "asc"})
        assert len(result) == 20

    def test_get_all_steps_reads_the_messages(self, listing):
        """Get-ThreadRunStep.tests.ps1 / List Steps / It 'Get all steps.' (Get-ThreadMessage invoked)."""
        ps.get_command("Get-ThreadRunStep").pipe([dict(RUN_ARG)], all=True, error_action="Stop")
        assert any(r.path == MESSAGE_PATH for r in listing.requests)

    def test_error_on_invalid_input(self, rec):
        """Get-ThreadRunStep.tests.ps1 / List Steps / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Get-ThreadRunStep").pipe([_today()], error_action="Stop")
        assert rec.requests == []


# ======================================================================================
# Tests/Threads.E2E.tests.ps1: the Its that use only the six cmdlets (online there; served here)
# ======================================================================================


TOOL_CALL = {
    "code_interpreter": {"id": "call_1", "type": "code_interpreter",
                         "code_interpreter": {"input": "print(1+1)", "outputs": [{"type": "logs", "logs": "2"}]}},
    "file_search": {"id": "call_1", "type": "file_search", "file_search": {}},
}


@pytest.mark.parametrize("tool", [
    pytest.param("code_interpreter", id="STEP5-code-interpreter"),
    pytest.param("file_search", id="STEP6-file-search"),
])
class TestThreadsE2EStepDetails:
    """Threads.E2E.tests.ps1 / 'Code Interpreter' It 'STEP5: Get run step details' and 'File Search'
    It 'STEP6: Get run step details' (online there; served here).

    ``$Thread | Get-ThreadRun -All | Get-ThreadRunStep -All``: the thread's runs, then every step of each:
    a tool call step and the step that wrote the assistant's answer.
    """

    @pytest.fixture
    def thread_with_a_run(self, rec, tool):
        rec.object(RUNS_PATH, page([run_obj()]))
        rec.object(STEPS_PATH, page([
            step_obj("step_0001", type="tool_calls",
                     step_details={"type": "tool_calls", "tool_calls": [TOOL_CALL[tool]]}),
            step_obj("step_0002"),
        ]))
        rec.object(MESSAGE_PATH, message_obj(role="assistant", text="The answer is 2."))
        return rec

    def _steps(self):
        thread = {"id": "thread_abc123", "object": "thread", "created_at": 1699014083}
        return ps.invoke("Get-ThreadRun -All -ErrorAction Stop | Get-ThreadRunStep -All -ErrorAction Stop",
                         input=[thread])

    def test_step_details(self, thread_with_a_run):
        """Threads.E2E.tests.ps1 / 'Get run step details' (the pipeline runs, steps come out)."""
        steps = self._steps()
        assert [r.path for r in thread_with_a_run.requests[:2]] == [RUNS_PATH, STEPS_PATH]
        assert thread_with_a_run.requests[1].query == {"limit": "100", "order": "asc"}
        assert len(steps) >= 1
        assert [s.id for s in steps] == ["step_0001", "step_0002"]

    def test_step_details_simplecontent(self, thread_with_a_run, tool):
        """Threads.E2E.tests.ps1 / 'Get run step details' (SimpleContent roles, types, content)."""
        steps = self._steps()
        contents = []
        for step in steps:
            value = step.SimpleContent
            contents.extend(value if isinstance(value, list) else [value])
        assert "assistant" in [c.Role for c in contents]
        assert "text" in [c.Type for c in contents]
        checked = contents[0] if tool == "code_interpreter" else contents[-1]  # STEP5 reads [0], STEP6 [-1]
        assert isinstance(checked.Content, str)

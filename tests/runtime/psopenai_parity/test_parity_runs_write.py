"""PSOpenAI 3.7.0's Pester tests of Start-ThreadRun, Wait-ThreadRun, Receive-ThreadRun and Stop-ThreadRun,
against our recording server.

Sources: Tests/Runs/Start-ThreadRun.tests.ps1, Wait-ThreadRun.tests.ps1, Receive-ThreadRun.tests.ps1,
Stop-ThreadRun.tests.ps1, and the Its of Tests/Threads.E2E.tests.ps1 that start, wait for and receive a
run (STEP3, STEP4 of 'Code interpreter'). The Pester tests mock Invoke-OpenAIAPIRequest (or the inner
cmdlets Get-ThreadRun, Wait-ThreadRun, Get-Thread, Remove-Thread) and count their calls; here the same
facts are counted on the requests the server recorded: a Get-ThreadRun call is a GET of the run, a
Wait-ThreadRun call is its polls, a Get-Thread call a GET of the thread (and of its messages, the derived
Messages property), a Remove-Thread call a DELETE. Waits sleep through a fake clock, never for real.
Submit-ToolOutput has no Pester test in 3.7.0. Online Its run here with the objects the server holds; those
that need cmdlets not yet on this branch (New-Assistant, Add-ThreadMessage, Remove-Thread) are skipped.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from parity_support import message_obj, page, run_obj, thread_obj

from fakes import FakeClock

import pyopenai_ps as ps

RUN_PATH = "/threads/thread_abc123/runs/run_abc123"
RUNS_PATH = "/threads/thread_abc123/runs"
THREAD_PATH = "/threads/thread_abc123"
MESSAGES_PATH = "/threads/thread_abc123/messages"
CANCEL_PATH = "/threads/thread_abc123/runs/run_abc123/cancel"


def _today() -> datetime:
    return datetime.combine(datetime.now().date(), datetime.min.time())


def _run_arg(status: str) -> dict:
    """The Pester tests' [pscustomobject] run."""
    return {"id": "run_abc123", "thread_id": "thread_abc123", "object": "thread.run", "status": status,
            "started_at": _today()}


def _needs(*names: str):
    missing = [n for n in names if n not in ps.get_commands()]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}")




@pytest.fixture
def clock(fake_clock: FakeClock) -> FakeClock:
    return fake_clock


def _count(rec, method: str, path: str) -> int:
    return sum(1 for r in rec.requests if r.method == method and r.path == path)


# ======================================================================================
# Tests/Runs/Start-ThreadRun.tests.ps1
# ======================================================================================

START_ANSWER = run_obj(status="queued", completed_at=1699063291, model="gpt-4")


class TestStartThreadRunPester:
    """Describe 'Start-ThreadRun'."""

    @pytest.fixture
    def started(self, rec):
        rec.route("POST", r"/threads/(runs|[^/]+/runs)", lambda r, m: (200, {}, START_ANSWER))
        return rec

    def test_start_thread_run_with_id(self, started):
        """Start-ThreadRun.tests.ps1 / offline / It 'Start thread run with id'."""
        result = ps.start_thread_run(thread="thread_abc123", assistant="asst_abc123", error_action="Stop")
        sent = started.only()
        assert (sent.method, sent.path) == ("POST", RUNS_PATH)
        assert json.loads(sent.body) == {"assistant_id": "asst_abc123"}
        assert (result.id, result.object) == ("run_abc123", "thread.run")
        for name in ("created_at", "started_at", "completed_at"):
            assert isinstance(result[name], datetime)

    def test_start_thread_run_with_object(self, started):
        """Start-ThreadRun.tests.ps1 / offline / It 'Start thread run with object'."""
        ps.start_thread_run(thread={"id": "thread_abc123", "object": "thread"},
                            assistant={"id": "asst_abc123", "object": "assistant"}, error_action="Stop")
        assert started.only().path == RUNS_PATH

    def test_start_thread_run_without_thread(self, started):
        """Start-ThreadRun.tests.ps1 / offline / It 'Start thread run without thread'."""
        result = ps.start_thread_run(assistant={"id": "asst_abc123", "object": "assistant"}, message="TEST",
                                     error_action="Stop")
        sent = started.only()
        assert sent.path == "/threads/runs"
        assert json.loads(sent.body) == {"assistant_id": "asst_abc123",
                                         "thread": {"messages": [{"role": "user", "content": "TEST"}]}}
        assert (result.id, result.object) == ("run_abc123", "thread.run")
        for name in ("created_at", "started_at", "completed_at"):
            assert isinstance(result[name], datetime)

    def test_raw_response_format(self, started):
        """Start-ThreadRun.tests.ps1 / offline / It 'raw_response format'."""
        result = ps.start_thread_run(thread="thread_abc123", assistant="asst_abc123", format="raw_response",
                                     error_action="Stop")
        started.only()
        assert isinstance(result, str)

    def test_pipeline_input(self, started):
        """Start-ThreadRun.tests.ps1 / offline / It 'Pipeline input'."""
        ps.get_command("Start-ThreadRun").pipe([{"id": "thread_abc123", "object": "thread"}],
                                               assistant={"id": "asst_abc123", "object": "assistant"},
                                               error_action="Stop")
        assert started.only().path == RUNS_PATH

    def test_error_on_invalid_input(self, started):
        """Start-ThreadRun.tests.ps1 / offline / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Start-ThreadRun").pipe([_today()], assistant="asst_abc123", error_action="Stop")
        assert started.requests == []

    @_needs("New-Assistant", "Add-ThreadMessage")
    def test_online_create_thread(self, rec):
        """Start-ThreadRun.tests.ps1 / online / It 'Create thread'."""
        _serve_new_objects(rec)
        assistant = ps.new_assistant(model="gpt-3.5-turbo")
        thread = ps.get_command("Add-ThreadMessage").pipe([ps.new_thread()], message="How many people lives in "
                                                          "Canada?", pass_thru=True)[0]
        result = ps.get_command("Start-ThreadRun").pipe([thread], assistant=assistant, error_action="Stop")[0]
        assert result.id.startswith("run_") and result.thread_id == thread.id
        assert result.assistant_id == assistant.id and result.object == "thread.run"
        assert isinstance(result.created_at, datetime)
        assert result.status in ("queued", "in_progress", "completed")


def _serve_new_objects(rec) -> None:
    """What the online Its create: an assistant, a thread, a message, a run (the real API made them there)."""
    rec.route("POST", "/assistants", lambda r, m: (200, {}, {"id": "asst_abc123", "object": "assistant",
                                                            "created_at": 1699063290, "model": "gpt-3.5-turbo"}))
    rec.route("POST", "/threads", lambda r, m: (200, {}, thread_obj()))
    rec.route("POST", r"/threads/thread_abc123/messages", lambda r, m: (200, {}, message_obj()))
    rec.object(THREAD_PATH, thread_obj())
    rec.object(MESSAGES_PATH, page([message_obj()]))
    rec.route("POST", RUNS_PATH, lambda r, m: (200, {}, run_obj(status="queued")))


# ======================================================================================
# Tests/Runs/Wait-ThreadRun.tests.ps1
# ======================================================================================


class TestWaitThreadRunPester:
    """Describe 'Wait-ThreadRun' / Context 'Unit tests (offline)' (Get-ThreadRun mocked: each call is a GET)."""

    @pytest.fixture
    def completes(self, rec, clock):
        rec.object(RUN_PATH, {"id": "run_abc123", "object": "thread.run", "thread_id": "thread_abc123",
                              "status": "completed"})
        return rec

    def test_wait_run_completes(self, completes):
        """Wait-ThreadRun.tests.ps1 / It 'Wait run completes'."""
        result = ps.wait_thread_run(input_object=_run_arg("in_progress"), error_action="Stop")
        assert _count(completes, "GET", RUN_PATH) == 2
        assert (result.id, result.thread_id, result.object, result.status) == (
            "run_abc123", "thread_abc123", "thread.run", "completed")

    def test_wait_run_completes_already_completed(self, completes):
        """Wait-ThreadRun.tests.ps1 / It 'Wait run completes (already completed)'."""
        ps.wait_thread_run(input_object=_run_arg("completed"), error_action="Stop")
        assert _count(completes, "GET", RUN_PATH) == 1

    def test_custom_wait_status(self, completes):
        """Wait-ThreadRun.tests.ps1 / It 'Custom wait status'."""
        ps.wait_thread_run(input_object=_run_arg("cancelling"), status_for_wait=["cancelling", "requires_action"],
                           error_action="Stop")
        assert _count(completes, "GET", RUN_PATH) == 2

    def test_custom_exit_status(self, completes):
        """Wait-ThreadRun.tests.ps1 / It 'Custom exit status'."""
        ps.wait_thread_run(input_object=_run_arg("in_progress"), status_for_exit=["completed", "in_progress"],
                           error_action="Stop")
        assert _count(completes, "GET", RUN_PATH) == 1

    def test_error_on_timeout(self, rec, clock):
        """Wait-ThreadRun.tests.ps1 / It 'Error on timeout' (each Get-ThreadRun takes 0.1 s; -TimeoutSec 2)."""

        def slow(recorded, match):
            clock.now += 0.1
            return 200, {}, {"id": "run_abc123", "object": "thread.run", "thread_id": "thread_abc123",
                             "status": "in_progress"}

        rec.route("GET", RUN_PATH, slow)
        result = None
        with pytest.raises(ps.WaitTimeoutError):  # 3.7.0: OperationCanceledException
            result = ps.wait_thread_run(input_object=_run_arg("in_progress"), timeout_sec=2, error_action="Stop")
        assert _count(rec, "GET", RUN_PATH) == 3
        assert result is None

    def test_error_on_invalid_input(self, completes):
        """Wait-ThreadRun.tests.ps1 / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Wait-ThreadRun").pipe([_today()], error_action="Stop")
        assert completes.requests == []


# ======================================================================================
# Tests/Runs/Receive-ThreadRun.tests.ps1
# ======================================================================================


class TestReceiveThreadRunPester:
    """Describe 'Receive-ThreadRun' / Context 'Unit tests (offline)' (Wait-ThreadRun, Get-Thread, Remove-Thread
    mocked: a Wait-ThreadRun call is a GET of the run, a Get-Thread call a GET of the thread)."""

    @pytest.fixture
    def served(self, rec, clock):
        rec.object(RUN_PATH, run_obj(status="completed"))
        rec.object(THREAD_PATH, thread_obj())
        rec.route("DELETE", THREAD_PATH, lambda r, m: (200, {}, {"id": "thread_abc123", "object": "thread.deleted",
                                                                 "deleted": True}))
        return rec

    def _calls(self, rec) -> tuple[int, int, int]:
        """(Wait-ThreadRun, Get-Thread, Remove-Thread) calls."""
        return (1 if _count(rec, "GET", RUN_PATH) else 0, _count(rec, "GET", THREAD_PATH),
                _count(rec, "DELETE", THREAD_PATH))

    def test_receive_run_result(self, served):
        """Receive-ThreadRun.tests.ps1 / It 'Receive run result'."""
        result = ps.receive_thread_run(input_object=_run_arg("completed"), error_action="Stop")
        assert self._calls(served) == (0, 1, 0)
        assert (result.id, result.object) == ("thread_abc123", "thread")

    def test_wait_run_completes_then_receive_run_result(self, served):
        """Receive-ThreadRun.tests.ps1 / It 'Wait run completes then Receive run result'."""
        result = ps.receive_thread_run(input_object=_run_arg("in_progress"), wait=True, error_action="Stop")
        assert self._calls(served) == (1, 1, 0)
        assert (result.id, result.object) == ("thread_abc123", "thread")

    @_needs("Remove-Thread")
    def test_wait_receive_then_remove_thread(self, served):
        """Receive-ThreadRun.tests.ps1 / It 'Wait run completes then Receive run result. Finally, Remove thread'."""
        result = ps.receive_thread_run(input_object=_run_arg("in_progress"), wait=True, auto_remove_thread=True,
                                       error_action="Stop")
        assert self._calls(served) == (1, 1, 1)
        assert (result.id, result.object) == ("thread_abc123", "thread")
        assert served.requests[-1].method == "DELETE"  # after the thread was read and output

    def test_auto_remove_thread_should_use_with_wait(self, served):
        """Receive-ThreadRun.tests.ps1 / It '-AutoRemoveThread should use with -Wait'."""
        result = None
        with pytest.raises(ps.PSOpenAIError):
            result = ps.receive_thread_run(input_object=_run_arg("in_progress"), auto_remove_thread=True,
                                           error_action="Stop")
        assert served.requests == [] and result is None

    def test_error_on_invalid_input(self, served):
        """Receive-ThreadRun.tests.ps1 / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Receive-ThreadRun").pipe([_today()], error_action="Stop")
        assert served.requests == []


# ======================================================================================
# Tests/Runs/Stop-ThreadRun.tests.ps1
# ======================================================================================

CANCELLING = run_obj(status="cancelling", completed_at=None, model="gpt-4", tools=[])


class TestStopThreadRunPester:
    """Describe 'Stop-ThreadRun' (Invoke-OpenAIAPIRequest mocked: the cancel POST; Wait-ThreadRun mocked: the
    GETs of the run, which answer it cancelled)."""

    @pytest.fixture
    def served(self, rec, clock):
        rec.route("POST", CANCEL_PATH, lambda r, m: (200, {}, CANCELLING))
        rec.object(RUN_PATH, run_obj(status="cancelled", cancelled_at=1699063300, completed_at=None))
        return rec

    def test_cancel_run(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'Cancel run'."""
        result = ps.stop_thread_run(input_object=_run_arg("in_progress"), error_action="Stop")
        assert (_count(served, "POST", CANCEL_PATH), _count(served, "GET", RUN_PATH)) == (1, 0)
        assert result is None
        assert served.only().body == b""

    def test_cancel_run_pass_thru(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'Cancel run (PassThru)'."""
        result = ps.stop_thread_run(input_object=_run_arg("in_progress"), pass_thru=True, error_action="Stop")
        assert (_count(served, "POST", CANCEL_PATH), _count(served, "GET", RUN_PATH)) == (1, 0)
        assert (result.id, result.thread_id, result.object, result.status) == (
            "run_abc123", "thread_abc123", "thread.run", "cancelling")

    def test_cancel_run_and_wait_cancelled(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'Cancel run and wait cancelled'."""
        result = ps.stop_thread_run(input_object=_run_arg("in_progress"), wait=True, error_action="Stop")
        assert _count(served, "POST", CANCEL_PATH) == 1 and _count(served, "GET", RUN_PATH) >= 1
        assert result is None

    def test_cancel_run_and_wait_cancelled_pass_thru(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'Cancel run and wait cancelled (PassThru)'."""
        result = ps.stop_thread_run(input_object=_run_arg("in_progress"), wait=True, pass_thru=True,
                                    error_action="Stop")
        assert _count(served, "POST", CANCEL_PATH) == 1 and _count(served, "GET", RUN_PATH) >= 1
        assert (result.id, result.thread_id, result.object, result.status) == (
            "run_abc123", "thread_abc123", "thread.run", "cancelled")

    def test_error_when_the_run_status_is_not_valid(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'Error when the run status is not valid'."""
        result = None
        with pytest.raises(ps.PSOpenAIError):
            result = ps.stop_thread_run(input_object=_run_arg("completed"), error_action="Stop")
        assert served.requests == [] and result is None

    def test_force_sends_whatever_the_status(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'When the Force is specified, No error even if the run status is not
        valid'."""
        result = ps.stop_thread_run(input_object=_run_arg("completed"), force=True, pass_thru=True,
                                    error_action="Stop")
        assert (_count(served, "POST", CANCEL_PATH), _count(served, "GET", RUN_PATH)) == (1, 0)
        assert result.id == "run_abc123"

    def test_error_on_invalid_input(self, served):
        """Stop-ThreadRun.tests.ps1 / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Stop-ThreadRun").pipe([_today()], error_action="Stop")
        assert served.requests == []

    @_needs("New-Assistant", "Add-ThreadMessage")
    def test_online_create_thread(self, rec, clock):
        """Stop-ThreadRun.tests.ps1 / online / It 'Create thread'."""
        _serve_new_objects(rec)
        rec.route("POST", CANCEL_PATH, lambda r, m: (200, {}, CANCELLING))
        assistant = ps.new_assistant(model="gpt-3.5-turbo")
        thread = ps.get_command("Add-ThreadMessage").pipe([ps.new_thread()], message="How many people lives in "
                                                          "Canada?", pass_thru=True)[0]
        run = ps.get_command("Start-ThreadRun").pipe([thread], assistant=assistant)[0]
        result = ps.get_command("Stop-ThreadRun").pipe([run], force=True, pass_thru=True, timeout_sec=30,
                                                       error_action="Stop")[0]
        assert result.id == run.id and result.thread_id == thread.id and result.assistant_id == assistant.id
        assert result.object == "thread.run" and result.status in ("cancelling", "cancelled")


# ======================================================================================
# Tests/Threads.E2E.tests.ps1 / 'Code interpreter': STEP3 and STEP4 (online there; served here)
# ======================================================================================

PROMPT = "Create a CSV file with 10 random names and passwords."


class TestThreadsE2EStartWaitReceive:
    """``$Thread | Start-ThreadRun -Assistant $Assistant | Receive-ThreadRun -Wait -TimeoutSec 100``, then the
    thread's messages read as SimpleContent. The server plays the API: the run is queued when made, in
    progress at the first poll, completed at the second, and the thread then holds the answer."""

    @pytest.fixture
    def served(self, rec, clock):
        polls = iter(["in_progress", "completed", "completed"])
        question = message_obj(id="msg_0001", text=PROMPT)
        answer = message_obj(id="msg_0002", role="assistant", assistant_id="asst_abc123", run_id="run_abc123",
                             content=[{"type": "text", "text": {"value": "Here is the file.", "annotations": []}}])
        rec.route("POST", RUNS_PATH, lambda r, m: (200, {}, run_obj(status="queued")))
        rec.route("GET", RUN_PATH, lambda r, m: (200, {}, run_obj(status=next(polls))))
        rec.object(THREAD_PATH, thread_obj())
        rec.object(MESSAGES_PATH, page([question, answer]))
        return rec

    def test_step3_start_then_wait_and_receive(self, served):
        """Threads.E2E.tests.ps1 / It 'STEP3: Start Thread Run, then wait for run completion and get result.'"""
        runs = ps.get_command("Start-ThreadRun").pipe([thread_obj()], assistant={"id": "asst_abc123"},
                                                      error_action="Stop")
        thread = ps.get_command("Receive-ThreadRun").pipe(runs, wait=True, timeout_sec=100, error_action="Stop")[0]
        assert thread.id.startswith("thread_")
        assert len(thread.Messages) >= 2

    def test_step4_messages_read_simply(self, served):
        """Threads.E2E.tests.ps1 / It 'STEP4: Get result messages as simple and read suitable format.'"""
        runs = ps.get_command("Start-ThreadRun").pipe([thread_obj()], assistant={"id": "asst_abc123"})
        thread = ps.get_command("Receive-ThreadRun").pipe(runs, wait=True, timeout_sec=100)[0]
        simple = [part for message in thread.Messages for part in message.SimpleContent]
        assert (simple[0].Role, simple[0].Type, simple[0].Content) == ("user", "text", PROMPT)
        assert (simple[-1].Role, simple[-1].Type) == ("assistant", "text")

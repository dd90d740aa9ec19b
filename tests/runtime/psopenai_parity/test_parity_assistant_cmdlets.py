"""PSOpenAI 3.7.0's Pester tests of New-Assistant, Set-Assistant and Remove-Assistant, against our
recording server.

Sources: Tests/Assistants/New-Assistant.tests.ps1, Set-Assistant.tests.ps1 and
Remove-Assistant.tests.ps1 (offline and online Contexts), and the assistant steps of
Tests/Threads.E2E.tests.ps1.  The offline Its mocked Invoke-OpenAIAPIRequest with a canned answer;
here the server gives that answer and records the request, so each test also checks what was
sent.  The online Its ran against the real API; here the server plays it.

3.7.0's Set-Assistant hands its arguments to New-Assistant (the Pester tests mock New-Assistant);
ours makes the request itself, so the tests check the request New-Assistant would have made.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from parity_support import assistant_obj

import pyopenai_ps as ps

ASSISTANTS = "/assistants"
ASSISTANT = "/assistants/asst_abc123"

#: The answer of New-Assistant.tests.ps1's mock.
MATH_TUTOR = assistant_obj(
    name="Math Tutor", model="gpt-4-turbo", tools=[{"type": "code_interpreter"}],
    instructions="You are a personal math tutor. When asked a question, write and run Python code to answer the "
                 "question.")
DELETED = {"id": "asst_abc123", "object": "assistant.deleted", "deleted": True}


def _today() -> datetime:
    return datetime.combine(datetime.now().date(), datetime.min.time())


def _echo_assistant(rec) -> None:
    """POST /assistants[/{id}] answers the assistant the body describes (as the API would)."""

    def answer(sent, match) -> tuple[int, dict[str, str], Any]:
        body = json.loads(sent.body)
        made = assistant_obj(id=match.group("id") or "asst_new001", name=body.get("name"),
                             description=body.get("description"), model=body.get("model", "gpt-4o"),
                             instructions=body.get("instructions"), tools=body.get("tools", []))
        return 200, {}, made

    rec.route("POST", r"/assistants(?:/(?P<id>[^/]+))?", answer)


# ======================================================================================
# Tests/Assistants/New-Assistant.tests.ps1
# ======================================================================================


class TestNewAssistantPester:
    """Describe 'New-Assistant'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("POST", ASSISTANTS, lambda sent, match: (200, {}, MATH_TUTOR))
        return rec

    def test_create_assistant(self, mocked):
        """New-Assistant.tests.ps1 / offline / It 'Create assistant'."""
        result = ps.new_assistant(error_action="Stop")
        sent = mocked.only()
        assert (sent.method, sent.path, sent.body) == ("POST", ASSISTANTS, b'{"model":"gpt-3.5-turbo"}')
        assert sent.header("OpenAI-Beta") == "assistants=v2" and sent.header("Content-Type") == "application/json"
        assert result.id == "asst_abc123" and result.object == "assistant"
        assert isinstance(result.created_at, datetime)

    def test_create_assistant_full_param(self, mocked):
        """New-Assistant.tests.ps1 / offline / It 'Create assistant (full param)'."""
        result = ps.new_assistant(
            name="TEST", model="gpt-4-turbo", description="Math Tutor",
            instructions="You are a personal math tutor. When asked a question, write and run Python code to answer "
                         "the question.",
            use_code_interpreter=True, use_file_search=False, error_action="Stop")
        assert json.loads(mocked.only().body) == {
            "model": "gpt-4-turbo", "name": "TEST", "description": "Math Tutor",
            "instructions": MATH_TUTOR["instructions"], "tools": [{"type": "code_interpreter"}]}
        assert result.id == "asst_abc123" and result.object == "assistant"
        assert isinstance(result.created_at, datetime)

    def test_online_create_assistant_full_param(self, rec):
        """New-Assistant.tests.ps1 / online / It 'Create assistant (full param)'."""
        _echo_assistant(rec)
        rec.route("DELETE", r"/assistants/[^/]+", lambda sent, match: (200, {}, DELETED))
        result = ps.new_assistant(name="TEST123", model="gpt-3.5-turbo-0125", description="Test assistant",
                                  instructions="Do it", use_code_interpreter=True, use_file_search=True,
                                  error_action="Stop")
        assert result.id.startswith("asst_") and result.object == "assistant"
        assert isinstance(result.created_at, datetime)
        assert (result.name, result.description, result.model, result.instructions) == (
            "TEST123", "Test assistant", "gpt-3.5-turbo-0125", "Do it")
        assert len(result.tools) == 2
        # AfterEach: $script:Result | Remove-Assistant -ea SilentlyContinue
        ps.get_command("Remove-Assistant").pipe([result], error_action="SilentlyContinue")
        assert rec.last.method == "DELETE" and rec.last.path == f"/assistants/{result.id}"


# ======================================================================================
# Tests/Assistants/Set-Assistant.tests.ps1
# ======================================================================================


class TestSetAssistantPester:
    """Describe 'Set-Assistant' / Context 'Unit tests (offline)'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("POST", ASSISTANT, lambda sent, match: (200, {}, assistant_obj()))
        return rec

    def test_set_assistant_with_id(self, mocked):
        """Set-Assistant.tests.ps1 / It 'Set assistant with ID'."""
        result = ps.set_assistant(input_object="asst_abc123", error_action="Stop")
        sent = mocked.only()
        assert (sent.method, sent.path, sent.body) == ("POST", ASSISTANT, b"{}")
        assert result.id == "asst_abc123"

    def test_remove_thread_with_thread_object(self, mocked):
        """Set-Assistant.tests.ps1 / It 'Remove thread with Thread object' (an object whose id is an assistant's)."""
        given = {"id": "asst_abc123", "object": "thread", "created_at": _today()}
        result = ps.set_assistant(input_object=given, error_action="Stop")
        assert mocked.only().path == ASSISTANT and result.id == "asst_abc123"

    def test_pipeline_input_with_id(self, mocked):
        """Set-Assistant.tests.ps1 / It 'Pipeline input with ID'."""
        result = ps.get_command("Set-Assistant").pipe("asst_abc123", error_action="Stop")
        assert mocked.only().path == ASSISTANT and [a.id for a in result] == ["asst_abc123"]

    def test_pipeline_input_with_object(self, mocked):
        """Set-Assistant.tests.ps1 / It 'Pipeline input with Object'."""
        given = {"id": "asst_abc123", "object": "thread", "created_at": _today()}
        result = ps.get_command("Set-Assistant").pipe([given], error_action="Stop")
        assert mocked.only().path == ASSISTANT and [a.id for a in result] == ["asst_abc123"]

    def test_error_on_invalid_input(self, mocked):
        """Set-Assistant.tests.ps1 / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Set-Assistant").pipe([_today()], error_action="Stop")
        assert mocked.requests == []


# ======================================================================================
# Tests/Assistants/Remove-Assistant.tests.ps1
# ======================================================================================


class TestRemoveAssistantPester:
    """Describe 'Remove-Assistant'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("DELETE", ASSISTANT, lambda sent, match: (200, {}, DELETED))
        return rec

    def _deleted(self, rec) -> None:
        sent = rec.only()
        assert (sent.method, sent.path, sent.body) == ("DELETE", ASSISTANT, b"")
        assert sent.header("OpenAI-Beta") == "assistants=v2"

    def test_remove_assistant_with_id(self, mocked):
        """Remove-Assistant.tests.ps1 / offline / It 'Remove assistant with ID'."""
        assert ps.remove_assistant(input_object="asst_abc123", error_action="Stop") is None
        self._deleted(mocked)

    def test_remove_assistant_with_assistant_object(self, mocked):
        """Remove-Assistant.tests.ps1 / offline / It 'Remove assistant with assistant object'."""
        given = {"id": "asst_abc123", "object": "assistant", "created_at": _today()}
        ps.remove_assistant(input_object=given, error_action="Stop")
        self._deleted(mocked)

    def test_pipeline_input_with_id(self, mocked):
        """Remove-Assistant.tests.ps1 / offline / It 'Pipeline input with ID'."""
        assert ps.get_command("Remove-Assistant").pipe("asst_abc123", error_action="Stop") == []
        self._deleted(mocked)

    def test_pipeline_input_with_object(self, mocked):
        """Remove-Assistant.tests.ps1 / offline / It 'Pipeline input with Object'."""
        given = {"id": "asst_abc123", "object": "assistant", "created_at": _today()}
        ps.get_command("Remove-Assistant").pipe([given], error_action="Stop")
        self._deleted(mocked)

    def test_error_on_invalid_input(self, mocked):
        """Remove-Assistant.tests.ps1 / offline / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Remove-Assistant").pipe([_today()], error_action="Stop")
        assert mocked.requests == []

    def test_online_remove_assistant(self, rec):
        """Remove-Assistant.tests.ps1 / online / It 'Remove assistant'."""
        _echo_assistant(rec)
        rec.route("DELETE", r"/assistants/asst_new001", lambda sent, match: (200, {}, {**DELETED, "id": "asst_new001"}))
        rec.error("/assistants/asst_new001", 404, "No assistant found with id 'asst_new001'.")
        assistant = ps.new_assistant()
        ps.get_command("Remove-Assistant").pipe([assistant], error_action="Stop")
        try:
            again = ps.get_command("Get-Assistant").pipe([assistant], error_action="Ignore")
        except ps.PSOpenAIError:
            again = None
        assert not again
        assert [(r.method, r.path) for r in rec.requests] == [
            ("POST", ASSISTANTS), ("DELETE", "/assistants/asst_new001"), ("GET", "/assistants/asst_new001")]

    def test_online_error_on_non_existent_assistant(self, rec):
        """Remove-Assistant.tests.ps1 / online / It 'Error on non existent assistant'."""
        rec.route("DELETE", r"/assistants/asst_notexit",
                  lambda sent, match: (404, {}, {"error": {"message": "No assistant found with id 'asst_notexit'.",
                                                           "type": "invalid_request_error", "param": None,
                                                           "code": None}}))
        with pytest.raises(ps.NotFoundError, match="The assistant asst_notexit was not removed."):
            ps.get_command("Remove-Assistant").pipe("asst_notexit", error_action="Stop")


# ======================================================================================
# Tests/Threads.E2E.tests.ps1: the assistant steps
# ======================================================================================


class TestThreadsE2EAssistants:
    """Describe 'Threads E2E Test' / the Its that make and remove assistants."""

    def test_code_interpreter_step1_create_an_assistant(self, rec):
        """Threads.E2E.tests.ps1 / Code interpreter / It 'STEP1: Create an Assistant'."""
        _echo_assistant(rec)
        assistant = ps.new_assistant(
            name="TEST42", model="gpt-3.5-turbo", description="Test assistant",
            instructions="You are an helpful assistant who is there to fulfill the user's wishes to the fullest.",
            use_code_interpreter=True, use_file_search=False, temperature=0, timeout_sec=30, max_retry_count=5,
            error_action="Stop")
        assert assistant.id.startswith("asst_") and assistant.object == "assistant" and assistant.name == "TEST42"
        body = json.loads(rec.only().body)
        assert body["temperature"] == 0 and body["tools"] == [{"type": "code_interpreter"}]

    def test_file_search_step2_create_an_assistant(self, rec):
        """Threads.E2E.tests.ps1 / File Search / It 'STEP2: Create an Assistant'."""
        _echo_assistant(rec)
        uploaded = [{"id": "file-a01", "object": "file"}, {"id": "file-a02", "object": "file"}]
        assistant = ps.new_assistant(
            name="TEST7", model="gpt-3.5-turbo", description="Test assistant", instructions="Answer from the files.",
            use_code_interpreter=False, use_file_search=True, file_ids_for_file_search=[f["id"] for f in uploaded],
            temperature=0, timeout_sec=30, max_retry_count=5, error_action="Stop")
        assert assistant.id.startswith("asst_") and assistant.object == "assistant" and assistant.name == "TEST7"
        assert json.loads(rec.only().body)["tool_resources"] == {
            "file_search": {"vector_stores": [{"file_ids": ["file-a01", "file-a02"]}]}}

    def test_step7_cleanup_removes_the_assistant(self, rec):
        """Threads.E2E.tests.ps1 / Code interpreter and File Search / It 'STEP7: Cleanup...' (the assistant part)."""
        rec.route("DELETE", ASSISTANT, lambda sent, match: (200, {}, DELETED))
        ps.get_command("Remove-Assistant").pipe([assistant_obj()], error_action="Stop")
        assert (rec.only().method, rec.only().path) == ("DELETE", ASSISTANT)

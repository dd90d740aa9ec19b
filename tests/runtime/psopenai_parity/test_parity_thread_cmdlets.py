"""PSOpenAI 3.7.0's Pester tests of New-Thread, Set-Thread, Remove-Thread and Add-ThreadMessage,
against our recording server.

Sources: Tests/Threads/New-Thread.tests.ps1, Set-Thread.tests.ps1, Remove-Thread.tests.ps1 and
Add-ThreadMessage.tests.ps1 (whose Describe block is titled 'Set-Thread' in 3.7.0), offline and
online Contexts, and the thread steps of Tests/Threads.E2E.tests.ps1.

The ``Messages`` property 3.7.0 adds to every thread it outputs (empty from New-Thread, every
message from Get-Thread, so from Add-ThreadMessage -PassThru) is a derived output: those checks
are separate tests (passing since issue 16 brought derived outputs).  What the messages are is
also checked here through the requests made.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from parity_support import message_obj, page, thread_obj

import pyopenai_ps as ps

THREADS = "/threads"
THREAD = "/threads/thread_abc123"
MESSAGES = "/threads/thread_abc123/messages"
DELETED = {"id": "thread_abc123", "object": "thread.deleted", "deleted": True}
QUESTION = "How does AI work? Explain it in simple terms."


def _today() -> datetime:
    return datetime.combine(datetime.now().date(), datetime.min.time())


def _thread_arg() -> dict[str, Any]:
    return {"id": "thread_abc123", "object": "thread", "created_at": _today()}


class _Threads:
    """A tiny thread store behind the recording server: create, read, add and list messages, delete."""

    def __init__(self, rec) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.count = 0
        rec.route("POST", THREADS, self.create)
        rec.route("GET", r"/threads/(?P<t>[^/]+)", self.read)
        rec.route("POST", r"/threads/(?P<t>[^/]+)/messages", self.add)
        rec.route("GET", r"/threads/(?P<t>[^/]+)/messages", self.listing)
        rec.route("DELETE", r"/threads/(?P<t>[^/]+)", self.delete)

    def create(self, sent, match):
        self.count += 1
        thread_id = f"thread_e2e{self.count:03d}"
        self.messages[thread_id] = []
        return 200, {}, thread_obj(id=thread_id, created_at=1700287185)

    def _missing(self, thread_id):
        return 404, {}, {"error": {"message": f"No thread found with id '{thread_id}'.",
                                   "type": "invalid_request_error", "param": None, "code": None}}

    def read(self, sent, match):
        thread_id = match.group("t")
        return (200, {}, thread_obj(id=thread_id)) if thread_id in self.messages else self._missing(thread_id)

    def add(self, sent, match):
        thread_id = match.group("t")
        if thread_id not in self.messages:
            return self._missing(thread_id)
        body = json.loads(sent.body)
        made = message_obj(id=f"msg_{len(self.messages[thread_id]):03d}", thread_id=thread_id, text=body["content"],
                           role=body["role"])
        self.messages[thread_id].append(made)
        return 200, {}, made

    def listing(self, sent, match):
        return 200, {}, page(self.messages.get(match.group("t"), []))

    def delete(self, sent, match):
        thread_id = match.group("t")
        if self.messages.pop(thread_id, None) is None:
            return self._missing(thread_id)
        return 200, {}, {**DELETED, "id": thread_id}


# ======================================================================================
# Tests/Threads/New-Thread.tests.ps1
# ======================================================================================


class TestNewThreadPester:
    """Describe 'New-Thread'."""

    @pytest.fixture
    def mocked(self, rec):
        answer = {"id": "thread_abc1234", "object": "thread", "created_at": 1700287185, "metadata": {}}
        rec.route("POST", THREADS, lambda sent, match: (200, {}, answer))
        return rec

    def test_create_thread(self, mocked):
        """New-Thread.tests.ps1 / offline / It 'Create thread'."""
        result = ps.new_thread(error_action="Stop")
        sent = mocked.only()
        assert (sent.method, sent.path, sent.body) == ("POST", THREADS, b"{}")
        assert sent.header("OpenAI-Beta") == "assistants=v2"
        assert result.id == "thread_abc1234" and isinstance(result.created_at, datetime)

    def test_create_thread_messages(self, mocked):
        """New-Thread.tests.ps1 / offline / It 'Create thread' (Messages is an empty array)."""
        assert ps.new_thread(error_action="Stop").Messages == []

    def test_online_create_thread(self, rec):
        """New-Thread.tests.ps1 / online / It 'Create thread'."""
        _Threads(rec)
        result = ps.new_thread(error_action="Stop")
        assert result.id.startswith("thread_") and isinstance(result.created_at, datetime)
        ps.get_command("Remove-Thread").pipe([result], error_action="SilentlyContinue")  # AfterEach
        assert [r.method for r in rec.requests] == ["POST", "DELETE"]

    def test_online_create_thread_messages(self, rec):
        """New-Thread.tests.ps1 / online / It 'Create thread' (Messages is an empty array)."""
        _Threads(rec)
        assert ps.new_thread(error_action="Stop").Messages == []


# ======================================================================================
# Tests/Threads/Set-Thread.tests.ps1 (3.7.0 mocks New-Thread: here its request is checked)
# ======================================================================================


class TestSetThreadPester:
    """Describe 'Set-Thread' / Context 'Unit tests (offline)'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("POST", THREAD, lambda sent, match: (200, {}, thread_obj()))
        return rec

    def _sent(self, rec) -> None:
        sent = rec.only()
        assert (sent.method, sent.path, sent.body) == ("POST", THREAD, b"{}")

    def test_set_thread_with_id(self, mocked):
        """Set-Thread.tests.ps1 / It 'Set thread with ID'."""
        assert ps.set_thread(input_object="thread_abc123", error_action="Stop").id == "thread_abc123"
        self._sent(mocked)

    def test_remove_thread_with_thread_object(self, mocked):
        """Set-Thread.tests.ps1 / It 'Remove thread with Thread object'."""
        assert ps.set_thread(input_object=_thread_arg(), error_action="Stop").id == "thread_abc123"
        self._sent(mocked)

    def test_pipeline_input_with_id(self, mocked):
        """Set-Thread.tests.ps1 / It 'Pipeline input with ID'."""
        result = ps.get_command("Set-Thread").pipe("thread_abc123", error_action="Stop")
        assert [t.id for t in result] == ["thread_abc123"]
        self._sent(mocked)

    def test_pipeline_input_with_object(self, mocked):
        """Set-Thread.tests.ps1 / It 'Pipeline input with Object'."""
        result = ps.get_command("Set-Thread").pipe([_thread_arg()], error_action="Stop")
        assert [t.id for t in result] == ["thread_abc123"]
        self._sent(mocked)

    def test_error_on_invalid_input(self, mocked):
        """Set-Thread.tests.ps1 / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Set-Thread").pipe([_today()], error_action="Stop")
        assert mocked.requests == []


# ======================================================================================
# Tests/Threads/Remove-Thread.tests.ps1
# ======================================================================================


class TestRemoveThreadPester:
    """Describe 'Remove-Thread'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("DELETE", THREAD, lambda sent, match: (200, {}, DELETED))
        return rec

    def _deleted(self, rec) -> None:
        sent = rec.only()
        assert (sent.method, sent.path, sent.body) == ("DELETE", THREAD, b"")
        assert sent.header("OpenAI-Beta") == "assistants=v2"

    def test_remove_thread_with_id(self, mocked):
        """Remove-Thread.tests.ps1 / offline / It 'Remove thread with ID'."""
        assert ps.remove_thread(input_object="thread_abc123", error_action="Stop") is None
        self._deleted(mocked)

    def test_remove_thread_with_thread_object(self, mocked):
        """Remove-Thread.tests.ps1 / offline / It 'Remove thread with Thread object'."""
        ps.remove_thread(input_object=_thread_arg(), error_action="Stop")
        self._deleted(mocked)

    def test_pipeline_input_with_id(self, mocked):
        """Remove-Thread.tests.ps1 / offline / It 'Pipeline input with ID'."""
        ps.get_command("Remove-Thread").pipe("thread_abc123", error_action="Stop")
        self._deleted(mocked)

    def test_pipeline_input_with_object(self, mocked):
        """Remove-Thread.tests.ps1 / offline / It 'Pipeline input with Object'."""
        ps.get_command("Remove-Thread").pipe([_thread_arg()], error_action="Stop")
        self._deleted(mocked)

    def test_error_on_invalid_input(self, mocked):
        """Remove-Thread.tests.ps1 / offline / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Remove-Thread").pipe([_today()], error_action="Stop")
        assert mocked.requests == []

    def test_online_remove_thread(self, rec):
        """Remove-Thread.tests.ps1 / online / It 'Remove thread'."""
        _Threads(rec)
        thread = ps.new_thread()
        ps.get_command("Remove-Thread").pipe([thread], error_action="Stop")
        try:
            again = ps.get_command("Get-Thread").pipe([thread], error_action="Ignore")
        except ps.PSOpenAIError:
            again = None
        assert not again

    def test_online_error_on_non_existent_thread(self, rec):
        """Remove-Thread.tests.ps1 / online / It 'Error on non existent thread'."""
        _Threads(rec)
        with pytest.raises(ps.NotFoundError, match="The thread thread_notexit was not removed."):
            ps.get_command("Remove-Thread").pipe("thread_notexit", error_action="Stop")


# ======================================================================================
# Tests/Threads/Add-ThreadMessage.tests.ps1 (its Describe block is titled 'Set-Thread')
# ======================================================================================


class TestAddThreadMessagePester:
    """Describe 'Set-Thread' in Add-ThreadMessage.tests.ps1."""

    @pytest.fixture
    def mocked(self, rec):
        answer = message_obj(text=QUESTION, file_ids=[])
        rec.route("POST", MESSAGES, lambda sent, match: (200, {}, answer))
        rec.object(THREAD, thread_obj())  # what the mocked Get-Thread stands for
        rec.object(MESSAGES, page([]))
        return rec

    def test_add_thread_messages(self, mocked):
        """Add-ThreadMessage.tests.ps1 / offline / It 'Add thread messages'."""
        result = ps.add_thread_message(input_object="thread_abc123", message=QUESTION, error_action="Stop")
        sent = mocked.only()  # no Get-Thread without -PassThru
        assert (sent.method, sent.path) == ("POST", MESSAGES)
        assert sent.body == json.dumps({"role": "user", "content": QUESTION}, separators=(",", ":")).encode()
        assert result is None

    def test_input_from_pipeline_with_thread_object_and_pass_thru(self, mocked):
        """Add-ThreadMessage.tests.ps1 / offline / It 'Input from pipeline with thread object. And PassThru'."""
        thread = {"id": "thread_abc123", "metadata": {}, "created_at": _today(), "Messages": []}
        result = ps.get_command("Add-ThreadMessage").pipe([thread], message=QUESTION, pass_thru=True,
                                                         error_action="Stop")
        # once; Get-Thread reads the thread, then its messages (its Messages property, as 3.7.0's does)
        assert [(r.method, r.path) for r in mocked.requests] == [("POST", MESSAGES), ("GET", THREAD),
                                                                 ("GET", MESSAGES)]
        assert [t.id for t in result] == ["thread_abc123"]

    def test_error_on_invalid_input(self, mocked):
        """Add-ThreadMessage.tests.ps1 / offline / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.add_thread_message(input_object=_today(), message=QUESTION, error_action="Stop")
        assert mocked.requests == []

    def test_online_add_thread_message(self, rec):
        """Add-ThreadMessage.tests.ps1 / online / It 'Add thread message'."""
        threads = _Threads(rec)
        thread = ps.new_thread()
        result = ps.get_command("Add-ThreadMessage").pipe([thread], message=QUESTION, pass_thru=True,
                                                         error_action="Stop")[0]
        assert result.id.startswith("thread_") and isinstance(result.created_at, datetime)
        assert [m["content"][0]["text"]["value"] for m in threads.messages[result.id]] == [QUESTION]

    def test_online_add_thread_message_messages(self, rec):
        """Add-ThreadMessage.tests.ps1 / online / It 'Add thread message' (Messages holds the one message)."""
        _Threads(rec)
        thread = ps.new_thread()
        result = ps.get_command("Add-ThreadMessage").pipe([thread], message=QUESTION, pass_thru=True)[0]
        assert len(result.Messages) == 1 and result.Messages[0]["content"][0]["text"]["value"] == QUESTION

    def test_online_add_3_thread_messages(self, rec):
        """Add-ThreadMessage.tests.ps1 / online / It 'Add 3 thread messages'."""
        threads = _Threads(rec)
        result = ps.invoke("New-Thread | Add-ThreadMessage -Message 'Hello.' -PassThru -ea Stop | "
                           "Add-ThreadMessage -Message ' How' -PassThru -ea Stop | "
                           "Add-ThreadMessage -Message ' are you?' -PassThru -ea Stop")
        assert len(result) == 1 and result[0].id.startswith("thread_")
        assert isinstance(result[0].created_at, datetime)
        assert [m["content"][0]["text"]["value"] for m in threads.messages[result[0].id]] == [
            "Hello.", " How", " are you?"]

    def test_online_add_3_thread_messages_messages(self, rec):
        """Add-ThreadMessage.tests.ps1 / online / It 'Add 3 thread messages' (Messages holds all three)."""
        _Threads(rec)
        result = ps.invoke("New-Thread | Add-ThreadMessage -Message 'Hello.' -PassThru | "
                           "Add-ThreadMessage -Message ' How' -PassThru | "
                           "Add-ThreadMessage -Message ' are you?' -PassThru")
        assert [m["content"][0]["text"]["value"] for m in result[0].Messages] == ["Hello.", " How", " are you?"]


# ======================================================================================
# Tests/Threads.E2E.tests.ps1: the thread steps
# ======================================================================================


class TestThreadsE2EThreads:
    """Describe 'Threads E2E Test' / the Its that make, fill and remove threads."""

    PROMPT = "Create 20 fictitious user account information and list them in a CSV file."

    @pytest.mark.parametrize("step", ["Code interpreter / STEP2", "File Search / STEP3"])
    def test_create_a_thread_and_add_a_message(self, rec, step):
        """Threads.E2E.tests.ps1 / It 'STEP2: Create a Thread and Add a message' (and File Search's STEP3)."""
        threads = _Threads(rec)
        thread = ps.invoke("New-Thread -TimeoutSec 30 -MaxRetryCount 5 -ea Stop | "
                           f"Add-ThreadMessage -Message '{self.PROMPT}' -PassThru -TimeoutSec 30 -MaxRetryCount 5 "
                           "-ea Stop")
        assert len(thread) == 1 and thread[0].id.startswith("thread_")
        assert len(threads.messages[thread[0].id]) == 1

    def test_create_a_thread_and_add_a_message_messages(self, rec):
        """Threads.E2E.tests.ps1 / It 'STEP2: Create a Thread and Add a message' (Messages holds one)."""
        _Threads(rec)
        thread = ps.invoke(f"New-Thread | Add-ThreadMessage -Message '{self.PROMPT}' -PassThru")[0]
        assert len(thread.Messages) == 1

    def test_step7_cleanup_removes_the_thread(self, rec):
        """Threads.E2E.tests.ps1 / It 'STEP7: Cleanup...' (the thread part)."""
        _Threads(rec)
        thread = ps.new_thread()
        ps.get_command("Remove-Thread").pipe([thread], error_action="Stop")
        assert (rec.last.method, rec.last.path) == ("DELETE", f"/threads/{thread.id}")

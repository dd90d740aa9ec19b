"""PSOpenAI 3.7.0's Pester tests of Get-Thread and Get-ThreadMessage, against our recording server.

Sources: Tests/Threads/Get-Thread.tests.ps1 and Tests/Threads/Get-ThreadMessage.tests.ps1, both
the offline (mocked) and the online Contexts: the online Its ran against the real API after
creating a thread; here the server holds such a thread instead.  Get-Thread's derived ``Messages``
property (3.7.0 lists the thread's messages with ``Get-ThreadMessage -All`` for every thread it
outputs) is checked in separate tests (passing since issue 16 brought them).
"""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from parity_support import message_obj, page, thread_obj

import pyopenai_ps as ps

THREAD_PATH = "/threads/thread_abc123"
MESSAGES_PATH = "/threads/thread_abc123/messages"
MESSAGE_PATH = "/threads/thread_abc123/messages/msg_abc123"
MORE = "There is more data that has not been retrieved."


def _today() -> datetime:
    return datetime.combine(datetime.now().date(), datetime.min.time())


def _thread_arg() -> dict:
    """The Pester tests' [pscustomobject] thread (created_at already a date)."""
    return {"id": "thread_abc123", "object": "thread", "created_at": _today()}


# ======================================================================================
# Tests/Threads/Get-Thread.tests.ps1
# ======================================================================================


class TestGetThreadPester:
    """Describe 'Get-Thread'."""

    @pytest.fixture
    def thread(self, rec):
        rec.object(THREAD_PATH, thread_obj(created_at=1699014083))
        rec.object(MESSAGES_PATH, page([]))
        return rec

    # --- Context 'Unit tests (offline)' --------------------------------------------------

    def test_get_thread_with_id(self, thread):
        """Get-Thread.tests.ps1 / offline / It 'Get thread with ID' (request, id, date)."""
        result = ps.get_thread(input_object="thread_abc123", error_action="Stop")
        first = thread.requests[0]
        assert (first.method, first.path, first.query) == ("GET", THREAD_PATH, {})
        assert first.header("OpenAI-Beta") == "assistants=v2"
        assert result.type_names[0] == "PSOpenAI.Thread"
        assert result.id == "thread_abc123"
        assert isinstance(result.created_at, datetime)

    def test_get_thread_with_id_messages(self, thread):
        """Get-Thread.tests.ps1 / offline / It 'Get thread with ID' (Messages is an array)."""
        result = ps.get_thread(input_object="thread_abc123", error_action="Stop")
        assert isinstance(result.Messages, list)

    def test_get_thread_with_thread_object(self, thread):
        """Get-Thread.tests.ps1 / offline / It 'Get thread with Thread object'."""
        ps.get_thread(input_object=_thread_arg(), error_action="Stop")
        assert thread.requests[0].path == THREAD_PATH

    def test_pipeline_input_with_id(self, thread):
        """Get-Thread.tests.ps1 / offline / It 'Pipeline input with ID'."""
        result = ps.get_command("Get-Thread").pipe("thread_abc123", error_action="Stop")
        assert thread.requests[0].path == THREAD_PATH
        assert [t.id for t in result] == ["thread_abc123"]

    def test_pipeline_input_with_object(self, thread):
        """Get-Thread.tests.ps1 / offline / It 'Pipeline input with Object'."""
        ps.get_command("Get-Thread").pipe([_thread_arg()], error_action="Stop")
        assert thread.requests[0].path == THREAD_PATH

    def test_error_on_invalid_input(self, rec):
        """Get-Thread.tests.ps1 / offline / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Get-Thread").pipe([_today()], error_action="Stop")
        assert rec.requests == []

    # --- Context 'Integration tests (online)' --------------------------------------------

    def test_online_get_thread(self, thread):
        """Get-Thread.tests.ps1 / online / It 'Get thread' (request, id, date)."""
        created = thread_obj()  # what New-Thread returned
        result = ps.get_command("Get-Thread").pipe([created], error_action="Stop")[0]
        assert thread.requests[0].path == THREAD_PATH
        assert result.id.startswith("thread_")
        assert isinstance(result.created_at, datetime)

    def test_online_get_thread_messages(self, thread):
        """Get-Thread.tests.ps1 / online / It 'Get thread' (Messages is an empty array)."""
        result = ps.get_command("Get-Thread").pipe([thread_obj()], error_action="Stop")[0]
        assert isinstance(result.Messages, list)
        assert len(result.Messages) == 0
        assert any(r.path == MESSAGES_PATH and r.query.get("limit") == "100" for r in thread.requests)

    def test_online_error_on_non_existent_thread(self, rec):
        """Get-Thread.tests.ps1 / online / It 'Error on non existent thread'."""
        rec.error("/threads/thread_notexit", 404, "No thread found with id 'thread_notexit'.")
        with pytest.raises(ps.NotFoundError) as caught:
            ps.get_command("Get-Thread").pipe("thread_notexit", error_action="Stop")
        assert caught.value.status_code == 404
        assert [r.path for r in rec.requests] == ["/threads/thread_notexit"]


# ======================================================================================
# Tests/Threads/Get-ThreadMessage.tests.ps1
# ======================================================================================


class TestGetThreadMessagePester:
    """Describe 'Get-ThreadMessage'."""

    # --- Context 'Unit tests (offline)' / Context 'Single Message' -----------------------

    def test_get_single_message_with_message_id(self, rec):
        """Get-ThreadMessage.tests.ps1 / Single Message / It 'Get a single thread message with message ID'."""
        rec.object(MESSAGE_PATH, message_obj(text="Explain addition in one line."))
        result = ps.get_thread_message(input_object="thread_abc123", message_id="msg_abc123", error_action="Stop")
        sent = rec.only()
        assert (sent.method, sent.path, sent.query) == ("GET", MESSAGE_PATH, {})
        assert sent.header("OpenAI-Beta") == "assistants=v2"
        assert result.type_names[0] == "PSOpenAI.Thread.Message"
        assert result.id == "msg_abc123"
        assert result.thread_id == "thread_abc123"
        assert isinstance(result.created_at, datetime)
        assert [c.type for c in result.content] == ["text"]

    def test_single_message_pipeline_input(self, rec):
        """Get-ThreadMessage.tests.ps1 / Single Message / It 'Pipeline input'."""
        rec.object(MESSAGE_PATH, message_obj())
        piped = {"thread_id": "thread_abc123", "message_id": "msg_abc123"}
        ps.get_command("Get-ThreadMessage").pipe([piped], error_action="Stop")
        assert rec.only().path == MESSAGE_PATH

    # --- Context 'Unit tests (offline)' / Context 'List Messages' ------------------------

    @pytest.fixture
    def twenty(self, rec):
        rec.object(MESSAGES_PATH, page([message_obj()] * 20))
        return rec

    def test_list_thread_messages(self, twenty):
        """Get-ThreadMessage.tests.ps1 / List Messages / It 'List thread messages.'."""
        result = ps.get_thread_message(input_object="thread_abc123", error_action="Stop")
        sent = twenty.only()
        assert (sent.method, sent.path, sent.query) == ("GET", MESSAGES_PATH, {"limit": "20", "order": "asc"})
        assert len(result) == 20

    def test_get_all_thread_messages(self, twenty):
        """Get-ThreadMessage.tests.ps1 / List Messages / It 'Get all thread messages.'."""
        result = ps.get_thread_message(input_object="thread_abc123", all=True, error_action="Stop")
        sent = twenty.only()
        assert (sent.path, sent.query) == (MESSAGES_PATH, {"limit": "100", "order": "asc"})
        assert len(result) == 20

    def test_list_pipeline_input_with_object(self, twenty):
        """Get-ThreadMessage.tests.ps1 / List Messages / It 'Pipeline input with Object'."""
        ps.get_command("Get-ThreadMessage").pipe([_thread_arg()], error_action="Stop")
        assert twenty.only().path == MESSAGES_PATH

    def test_error_on_invalid_input(self, rec):
        """Get-ThreadMessage.tests.ps1 / List Messages / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Get-ThreadMessage").pipe([_today()], error_action="Stop")
        assert rec.requests == []

    # --- Context 'Integration tests (online)': a thread holding 25 messages -------------

    @pytest.fixture
    def twenty_five(self, rec):
        rec.listing(MESSAGES_PATH, [message_obj(id=f"msg_{n:04d}", text="Hi") for n in range(1, 26)])
        return rec

    def test_online_get_thread_messages(self, twenty_five, caplog):
        """Get-ThreadMessage.tests.ps1 / online / It 'Get thread messages'."""
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            result = ps.get_command("Get-ThreadMessage").pipe([thread_obj()], error_action="Stop")
        assert len(result) == 20
        assert twenty_five.only().query == {"limit": "20", "order": "asc"}
        assert MORE in caplog.text  # has_more on a page without -All

    def test_online_get_thread_messages_with_limit(self, twenty_five):
        """Get-ThreadMessage.tests.ps1 / online / It 'Get thread messages with limit'."""
        result = ps.get_command("Get-ThreadMessage").pipe([thread_obj()], limit=3, error_action="Stop")
        assert len(result) == 3
        assert twenty_five.only().query == {"limit": "3", "order": "asc"}

    def test_online_get_all_thread_messages(self, twenty_five):
        """Get-ThreadMessage.tests.ps1 / online / It 'Get ALL thread messages'."""
        result = ps.get_command("Get-ThreadMessage").pipe([thread_obj()], all=True, error_action="Stop")
        assert len(result) == 25
        assert [m.id for m in result] == [f"msg_{n:04d}" for n in range(1, 26)]

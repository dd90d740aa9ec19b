"""Fixtures of the PSOpenAI 3.7.0 parity tests: a recording server of their own, and the package pointed at it."""

from __future__ import annotations

import pytest
from parity_support import RecordingServer, RunningServer, message_obj, page

import pyopenai_ps as ps

#: A fake key: shaped like an OpenAI key, valid nowhere.
FAKE_KEY = "sk-parity-FAKE0000000000000000000000"


@pytest.fixture(scope="module")
def _running_server():
    with RunningServer() as state:
        yield state


@pytest.fixture
def rec(_running_server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> RecordingServer:
    """The recording server, emptied, with the package's globals pointing at it (like $global:OPENAI_*)."""
    _running_server.reset()
    _answer_derived_requests(_running_server)
    for name in ("OPENAI_API_KEY", "OPENAI_ORGANIZATION", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ps, "OPENAI_API_KEY", FAKE_KEY, raising=False)
    monkeypatch.setattr(ps, "OPENAI_API_BASE", _running_server.base_url, raising=False)
    monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", None, raising=False)
    yield _running_server
    _running_server.reset()


def _answer_derived_requests(state: RecordingServer) -> None:
    """The requests of derived properties, answered unless a test routes them itself (its routes come first):
    a thread's messages (Get-Thread's Messages: an empty listing) and the message a step wrote (a run step's
    SimpleContent). Pester's mock of Invoke-OpenAIAPIRequest answers them too."""
    state.route("GET", r"/threads/[^/]+/messages", lambda rec, m: (200, {}, page([])))
    state.route("GET", r"/threads/([^/]+)/messages/([^/]+)",
                lambda rec, m: (200, {}, message_obj(id=m.group(2), thread_id=m.group(1), role="assistant")))

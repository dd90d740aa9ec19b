"""Fixtures of the runtime tests: an echo server of the test's own, with the package pointed at it."""

from __future__ import annotations

import pytest
from echo_server import EchoServer
from fakes import FakeClock

import pyopenai_ps as ps

DEFAULT_KEY = "sk-runtime-0123456789abcdef"


@pytest.fixture
def echo(request, monkeypatch, transport_with):
    """An :class:`EchoServer` (``.seen``, ``.last``, answers queued per test); the package's key (the test
    module's ``KEY``, when it has one) and base set; ``.clock``, a fake clock the transport sleeps on and
    reads, with ``.slept`` its sleeps, so no retry or poll waits for real."""
    key = getattr(request.module, "KEY", DEFAULT_KEY)
    with EchoServer() as server:
        for variable in ("OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_ORGANIZATION"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setattr(ps, "OPENAI_API_BASE", server.base_url)
        monkeypatch.setattr(ps, "OPENAI_API_KEY", key)
        server.clock = FakeClock()
        server.slept = server.clock.slept
        transport_with(sleeper=server.clock.sleep, clock=server.clock, jitter=lambda: 1.0)
        yield server

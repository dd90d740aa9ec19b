"""Shared fixtures: the bundled command, the test-only spec, bundled servers, the command line's server."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import cli_server, srv  # noqa: F401  (fixtures of the command-line tests)
from fakes import FakeClock

import pyopenai_ps
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.spec.load import load_spec_file

SPECS = Path(__file__).parent / "specs"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory):
    """The spec cache of this run (and of the processes it starts) in a folder of its own, not the user's."""
    import os

    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(scope="session")
def gtr() -> Command:
    return pyopenai_ps.get_command("Get-ThreadRun")


@pytest.fixture(scope="session")
def widget() -> Command:
    return Command(load_spec_file(SPECS / "Set-Widget.yaml"))


KEY = "sk-proj-SECRETKEY0123456789abcdefXYZ"


@pytest.fixture
def server():
    """A fresh, seeded bundled server on an ephemeral loopback port."""
    from pyopenai_ps.server import LocalServer

    with LocalServer() as running:
        yield running


@pytest.fixture
def transport_with(request):
    """``transport_with(**settings)``: a transport configured for this test only, the default one after."""
    made = []

    def configure(**settings):
        made.append(pyopenai_ps.configure(**settings))
        return made[-1]

    yield configure
    if made:
        pyopenai_ps.configure()


@pytest.fixture
def api(server, monkeypatch, transport_with):
    """The package pointed at ``server`` through its globals, with a known key and no real sleeping."""
    for name in ("OPENAI_API_KEY", "OPENAI_ORGANIZATION", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pyopenai_ps, "OPENAI_API_BASE", server.base_url)
    monkeypatch.setattr(pyopenai_ps, "OPENAI_API_KEY", KEY)
    monkeypatch.setattr(pyopenai_ps, "OPENAI_ORGANIZATION", None)
    slept: list[float] = []
    transport_with(sleeper=slept.append)
    pyopenai_ps.variables.clear()
    server.slept = slept
    server.key = KEY
    return server


@pytest.fixture(scope="module")
def module_server():
    """One bundled server for a whole module (starting one costs more than many tests)."""
    from pyopenai_ps.server import LocalServer

    with LocalServer() as running:
        yield running


@pytest.fixture
def reset_server(module_server):
    """The module's server, reset (store, requests, faults) for this test."""
    module_server.reset()
    yield module_server
    module_server.clear_faults()


@pytest.fixture
def recorded_sleeps(transport_with):
    """Every backoff sleep of the transport is recorded instead of slept, with a jitter factor of 1."""
    slept: list[float] = []
    transport_with(sleeper=slept.append, jitter=lambda: 1.0)
    return slept


@pytest.fixture(autouse=True)
def scratch_registry():
    """Specs loaded during a test (``ps.load_spec``) are forgotten after it: the cmdlet list and the
    module functions are as they were (every test, so no test sees another's cmdlets)."""
    from pyopenai_ps.runtime.command import REGISTRY

    REGISTRY.names()  # discover the bundled specs first, so they are part of what is kept
    saved = dict(REGISTRY._commands), dict(REGISTRY._functions), dict(REGISTRY._errors)
    yield REGISTRY
    REGISTRY._commands, REGISTRY._functions, REGISTRY._errors = saved
    for name, value in list(vars(pyopenai_ps).items()):
        if hasattr(value, "command") and callable(value) and name not in saved[1]:
            delattr(pyopenai_ps, name)  # a cached module function of a forgotten cmdlet


@pytest.fixture
def fake_clock(transport_with) -> FakeClock:
    """The transport sleeps on and reads a :class:`fakes.FakeClock` (jitter fixed at 1): waits and retries
    move the clock, nothing waits for real."""
    fake = FakeClock()
    transport_with(sleeper=fake.sleep, clock=fake, jitter=lambda: 1.0)
    return fake

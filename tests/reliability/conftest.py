"""The reliability suite's fixtures (``server`` and ``api`` come from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _shared_local_server():
    from pyopenai_ps.server import LocalServer

    with LocalServer() as srv:
        yield srv


@pytest.fixture
def server(_shared_local_server):
    """The bundled server, reset for each test (stopping and starting one per test costs more than
    most of these tests): fresh seeded store, no requests recorded, no faults queued."""
    _shared_local_server.reset()
    yield _shared_local_server
    _shared_local_server.clear_faults()


@pytest.fixture
def api(api, transport_with):
    """The package's ``api`` fixture, with backoff that has no random factor: delays are exact (2, 4, 8 s ...)."""
    transport_with(sleeper=api.slept.append, jitter=lambda: 1.0)
    return api

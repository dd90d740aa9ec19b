"""Fixtures for the local server's tests (real sockets on loopback, ephemeral ports)."""

from __future__ import annotations

import pytest

from pyopenai_ps.server import LocalServer


@pytest.fixture
def server():
    """A fresh, seeded server per test."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def shared_server():
    """One server per module, for tests that only read (and for hypothesis)."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def api(server):
    """A stdlib client for the per-test server."""
    from server_helpers import Api

    return Api(server)

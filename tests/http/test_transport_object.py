"""The one Transport: configured through pyopenai_ps.configure, swapped whole, reset in a forked child."""

from __future__ import annotations

import os
import sys

import pytest
import urllib3

import pyopenai_ps as ps
from pyopenai_ps.http import Transport
from pyopenai_ps.runtime.settings import current_transport
from pyopenai_ps.server import Fault


def test_configure_installs_a_new_transport_with_the_settings_given(transport_with, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not read until a TLS connection is made\n")
    made = transport_with(ca_bundle=str(bundle), pool_size=3)
    assert current_transport() is made
    options = made.pool_manager.connection_pool_kw
    assert options["ca_certs"] == str(bundle) and options["maxsize"] == 3
    proxied = transport_with(proxy="http://127.0.0.1:3128")
    assert isinstance(proxied.pool_manager, urllib3.ProxyManager)
    assert proxied.pool_manager.proxy.port == 3128


def test_a_pool_manager_of_ones_own_carries_every_request(api, transport_with):
    class Counting(urllib3.PoolManager):
        made = 0

        def connection_from_url(self, url, pool_kwargs=None):  # noqa: ANN001
            Counting.made += 1
            return super().connection_from_url(url, pool_kwargs=pool_kwargs)

    own = Counting()
    transport_with(http_client=own)
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123").id == "run_abc123"
    assert current_transport().pool_manager is own and Counting.made == 1


def test_a_ready_transport_can_be_given(api, transport_with):
    slept: list[float] = []
    ready = Transport(sleeper=slept.append, jitter=lambda: 1.0)
    assert transport_with(transport=ready) is ready
    api.inject(Fault.status(503))
    ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", max_retry_count=1)
    assert slept == [2.0]


@pytest.mark.parametrize("settings, message", [
    ({"http_client": urllib3.PoolManager(), "proxy": "http://p:1"}, "not both"),
    ({"pool_size": 0}, "pool size"),
    ({"pool_size": True}, "pool size"),
    ({"transport": Transport(), "pool_size": 2}, "not both"),
])
def test_contradicting_or_bad_settings_are_refused(settings, message):
    with pytest.raises(ps.ConfigurationError) as info:
        ps.configure(**settings)
    assert message in str(info.value)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_opens_its_own_connections(api):
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123").id == "run_abc123"
    parent_connection = api.requests[-1].connection_id
    assert current_transport()._pools  # the parent holds a pooled connection
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status, never through pytest
        code = 0
        try:
            if current_transport()._pools:
                code = 3
            elif ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc122").id != "run_abc122":
                code = 4
        except BaseException:  # noqa: BLE001
            code = 5
        sys.stdout.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    child_connection = api.requests[-1].connection_id
    assert child_connection != parent_connection
    # The parent's pooled connection still works, and answers the parent's own request.
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc121").id == "run_abc121"
    assert api.requests[-1].connection_id == parent_connection

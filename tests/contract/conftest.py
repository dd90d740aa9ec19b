"""Prism, serving OpenAI's official OpenAPI document, for the opt-in contract tests.

The tests run only when the environment variable ``PYOPENAI_PS_CONTRACT=1`` is set, the document is
found and a Prism binary is found; otherwise they are skipped, with the reason.

* The document: ``$PYOPENAI_PS_OPENAPI``, else ``../shared/reference/openai-openapi/openapi.yaml``
  next to the repository (a user's clone has none).
* Prism (``@stoplight/prism-cli``): ``$PYOPENAI_PS_PRISM``, else the install .ci/run makes with
  ``npm install --prefix "$HOME/.cache/pyopenai-ps-prism" @stoplight/prism-cli@5.16.0``, else
  ``prism`` on the PATH. Nothing is downloaded from here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from prism_env import START_DEADLINE, openapi_document, prism_binary, skip_reason

import pyopenai_ps as ps


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url, headers={"Authorization": "Bearer sk-contract-probe"})
    try:
        with urllib.request.urlopen(request, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means Prism is serving
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def prism(tmp_path_factory):
    """The base URL of a Prism mock of the official document (the document's paths have no /v1)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    port = _free_port()
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [prism_binary(), "mock", "-h", "127.0.0.1", "-p", str(port), str(openapi_document())],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so teardown stops node and its children
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_DEADLINE
        while not _answers(base + "/threads/thread_probe/runs"):
            if process.poll() is not None:
                pytest.fail(f"Prism exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not answer within {START_DEADLINE:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@pytest.fixture
def contract(prism, monkeypatch):
    """The package pointed at Prism; every call logs its requests (-Verbose) so they can be counted."""
    for name in ("OPENAI_API_KEY", "OPENAI_ORGANIZATION", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ps, "OPENAI_API_BASE", prism, raising=False)
    monkeypatch.setattr(ps, "OPENAI_API_KEY", "sk-contract-test-0123456789", raising=False)
    monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", None, raising=False)
    return prism

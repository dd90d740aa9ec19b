"""What an error suggests trying next: a connection failure names the API base and where it came
from (OPENAI_API_BASE, the package global, the parameter or the default); a 429 names the retry
parameter, found through the spec's connection roles.  The key never shows."""

from __future__ import annotations

import socket
import textwrap

import pytest

import pyopenai_ps as ps
from pyopenai_ps import APIConnectionError, QuotaLimitExceededError, RateLimitExceededError
from pyopenai_ps.runtime.sender import _hint
from pyopenai_ps.runtime.settings import ClientSettings
from pyopenai_ps.secure import SecureString
from pyopenai_ps.server import Fault
from pyopenai_ps.spec.operation import Connection

KEY = "sk-proj-HINTkey0123456789abcdefXYZ"


def refused_base() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@pytest.fixture
def no_settings(monkeypatch, transport_with):
    for name in ("OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_ORGANIZATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ps, "OPENAI_API_BASE", None)
    monkeypatch.setattr(ps, "OPENAI_API_KEY", KEY)
    transport_with(sleeper=lambda seconds: None)
    return monkeypatch


def connection_error(**kwargs) -> APIConnectionError:
    with pytest.raises(APIConnectionError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123", **kwargs)
    assert KEY not in str(info.value) and KEY not in repr(info.value.__dict__)
    return info.value


def test_a_base_from_the_environment(no_settings):
    base = refused_base()
    no_settings.setenv("OPENAI_API_BASE", base)
    error = connection_error()
    assert str(error) == (f"The request GET {base}/threads/thread_abc123/runs/run_abc123 could not connect: "
                          f"connection refused (1 attempt). Check the API base {base}: it came from the "
                          "environment variable OPENAI_API_BASE.")
    assert error.url == f"{base}/threads/thread_abc123/runs/run_abc123"


def test_a_base_from_the_package_global(no_settings):
    base = refused_base()
    no_settings.setattr(ps, "OPENAI_API_BASE", base)
    assert str(connection_error()).endswith(f"Check the API base {base}: it came from pyopenai_ps.OPENAI_API_BASE.")


def test_a_base_from_the_parameter_names_it_by_role(no_settings):
    base = refused_base()
    error = connection_error(api_base=base)
    name = ps.get_command("Get-ThreadRun").spec.connection.api_base
    assert str(error).endswith(f"Check the API base {base}: it came from -{name}, which overrides OPENAI_API_BASE.")


def test_the_default_base_says_how_to_change_it():
    settings = ClientSettings(SecureString(KEY), "https://api.openai.com/v1", base_source="default",
                              names=Connection(api_base="Endpoint"))
    error = APIConnectionError("x", url="https://api.openai.com/v1/threads", reason="connection refused",
                               connected=False)
    assert _hint(error, settings) == ("Check the API base https://api.openai.com/v1: it is the default, used when "
                                      "neither -Endpoint nor OPENAI_API_BASE is set.")


def test_an_answer_cut_short_gets_no_base_hint(api):
    api.inject(Fault.drop())
    with pytest.raises(APIConnectionError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
    assert "Check the API base" not in str(info.value)


def test_the_command_line_shows_the_reason_the_url_and_the_hint():
    from cli_support import environment, run_main

    base = refused_base()
    done = run_main(None, "Get-ThreadRun", "thread_abc123", "-Limit", "1", env=environment(base))
    assert done.returncode == 1
    assert done.stderr == (f"Get-ThreadRun: The request GET {base}/threads/thread_abc123/runs?limit=1&order=asc could "
                           f"not connect: connection refused (1 attempt). Check the API base {base}: it came from "
                           "the environment variable OPENAI_API_BASE.\n")


# --- 429 ------------------------------------------------------------------------------------------


def test_a_429_suggests_the_retry_parameter(api):
    api.inject(Fault.status(429))
    with pytest.raises(RateLimitExceededError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
    name = ps.get_command("Get-ThreadRun").spec.connection.max_retries
    assert str(info.value).endswith(f"Rate limits pass: give -{name} N (Python: max_retry_count=N) to retry after "
                                    "the wait the server asks for.")
    assert info.value.hint.startswith("Rate limits pass")
    assert info.value.status_code == 429


def test_a_429_after_retries_says_so(api):
    api.inject(Fault.status(429), times=3)
    with pytest.raises(RateLimitExceededError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123", max_retry_count=2)
    assert str(info.value).endswith("It was retried 2 time(s); a larger -MaxRetryCount N (Python: "
                                    "max_retry_count=N) waits longer.")
    assert len(api.requests) == 3


def test_a_quota_429_is_not_helped_by_retrying(api):
    api.inject(Fault.status(429, code_field="insufficient_quota"))
    with pytest.raises(QuotaLimitExceededError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
    assert "retry" not in str(info.value).split("Error: ", 1)[1].lower().replace("retried", "")


def test_the_hint_follows_a_renamed_retry_parameter(api, tmp_path, scratch_registry):
    spec = tmp_path / "Get-Gadget.yaml"
    spec.write_text(textwrap.dedent("""\
        name: Get-Gadget
        parameters:
          - {name: Id, type: String, position: 0, mandatory: true}
          - {name: Tries, type: Int32, role: max_retries, default: 0}
        operation:
          sets:
            __AllParameterSets:
              method: GET
              path: /threads/{id}
              path_values: {id: {parameter: Id}}
              returns: object
        """), encoding="utf-8")
    command = ps.load_spec(spec)
    api.inject(Fault.status(429))
    with pytest.raises(RateLimitExceededError) as info:
        command("thread_abc123")
    assert "give -Tries N (Python: tries=N)" in str(info.value)


def test_the_command_line_shows_the_429_hint(server):
    from cli_support import environment, run_main

    server.inject(Fault.status(429))
    done = run_main(server, "Get-ThreadRun", "thread_abc123", "-Limit", "1",
                    env=environment(server.base_url))
    assert done.returncode == 1
    assert done.stderr.startswith("Get-ThreadRun: OpenAI API returned an 429 (Too Many Requests) Error: ")
    assert done.stderr.endswith("Rate limits pass: give -MaxRetryCount N (Python: max_retry_count=N) to retry after "
                                "the wait the server asks for.\n")


def test_a_key_in_the_url_tried_is_masked(no_settings):
    base = refused_base()
    error = connection_error(api_base=base, additional_query={"key": KEY})
    assert error.url.startswith(f"{base}/threads/thread_abc123/runs/run_abc123?key=")
    assert KEY not in error.url and KEY not in str(error)


# --- 404 from a base without a path ---------------------------------------------------------------


def test_a_404_from_a_base_without_a_path_suggests_v1(api, monkeypatch):
    bare = api.base_url.removesuffix("/v1")
    monkeypatch.setattr(ps, "OPENAI_API_BASE", bare)
    with pytest.raises(ps.NotFoundError) as info:
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
    assert str(info.value).endswith(f"The API base {bare} has no path (it came from pyopenai_ps.OPENAI_API_BASE); "
                                    f"OpenAI's API answers under /v1: if the address itself was not found, try {bare}/v1.")


def test_a_404_under_v1_gets_no_hint(api):
    with pytest.raises(ps.NotFoundError) as info:
        ps.get_thread_run("thread_nope", run_id="run_abc123")
    assert info.value.hint is None and "has no path" not in str(info.value)

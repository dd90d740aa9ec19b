"""An API base that cannot be meant as it reads (a query, a fragment, an impossible port) is refused
when it is given, from the parameter, the global or the environment, and nothing is sent."""

from __future__ import annotations

import pytest

import pyopenai_ps as ps


def bad_bases(base_url: str) -> list[str]:
    host = base_url.split("//", 1)[1].split(":", 1)[0]
    return [base_url + "#", base_url + "#part", base_url + "?", base_url + "?x=1", base_url + "/?",
            f"http://{host}:abc/v1", f"http://{host}:99999/v1", f"http://{host}:0/v1", f"http://{host}:-1/v1",
            f"http://{host}:+80/v1"]


def test_a_bad_base_given_as_the_parameter_is_a_binding_error(api):
    for base in bad_bases(api.base_url):
        with pytest.raises(ps.ParameterBindingError) as info:
            ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", api_base=base)
        assert info.value.parameter_name == "ApiBase", base
        assert "connection" not in str(info.value).lower()
    with pytest.raises(ps.ParameterBindingError):
        ps.invoke(f"Get-ThreadRun -ApiBase '{api.base_url}#' -Thread thread_abc123")
    assert api.requests == []


@pytest.mark.parametrize("where", ["global", "environment"])
def test_a_bad_base_from_the_global_or_the_environment_is_a_configuration_error(api, monkeypatch, where):
    for base in bad_bases(api.base_url):
        if where == "global":
            monkeypatch.setattr(ps, "OPENAI_API_BASE", base)
        else:
            monkeypatch.setattr(ps, "OPENAI_API_BASE", None)
            monkeypatch.setenv("OPENAI_API_BASE", base)
        with pytest.raises(ps.ConfigurationError) as info:
            ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        assert "OPENAI_API_BASE" in str(info.value), base
    assert api.requests == []


def test_good_bases_still_work(api, monkeypatch):
    host_port = api.base_url.split("//", 1)[1].split("/", 1)[0]
    for base in (api.base_url, api.base_url + "/", f"http://{host_port}/v1/"):
        assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", api_base=base).id == "run_abc123"
    monkeypatch.setattr(ps, "OPENAI_API_BASE", api.base_url + "/")
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123").id == "run_abc123"

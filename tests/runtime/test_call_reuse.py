"""A repeated call reuses its binding, settings and planned request, yet sees every change that matters."""

from __future__ import annotations

import logging

import pyopenai_ps as ps


def call():
    return ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")


def test_a_changed_global_key_is_used_by_the_next_call(api, monkeypatch):
    call()
    monkeypatch.setattr(ps, "OPENAI_API_KEY", "sk-second-key", raising=False)
    call()
    assert [r.headers["authorization"] for r in api.requests] == ["Bearer " + api.key, "Bearer sk-second-key"]


def test_a_changed_environment_is_used_by_the_next_call(api, monkeypatch):
    monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", None, raising=False)
    call()
    monkeypatch.setenv("OPENAI_ORGANIZATION", "org-env")
    call()
    monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", "org-global", raising=False)
    call()
    assert [r.headers.get("openai-organization") for r in api.requests] == [None, "org-env", "org-global"]


def test_a_changed_base_is_used_by_the_next_call(api, monkeypatch):
    from pyopenai_ps.server import LocalServer

    call()
    with LocalServer() as other:
        monkeypatch.setattr(ps, "OPENAI_API_BASE", other.base_url, raising=False)
        call()
        assert len(other.requests) == 1
    assert len(api.requests) == 1


def test_logging_turned_on_between_two_calls_shows_in_the_second(api, caplog):
    call()
    assert not [r for r in caplog.records if r.levelno == logging.INFO]
    with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
        call()
    assert any(r.getMessage().startswith("GET ") for r in caplog.records)


def test_calls_with_unhashable_arguments_still_run(api):
    run = ps.get_thread_run({"id": "thread_abc123"}, run_id="run_abc123", additional_query={"x": "1"})
    again = ps.get_thread_run({"id": "thread_abc123"}, run_id="run_abc123", additional_query={"x": "2"})
    assert run.id == again.id == "run_abc123"
    assert [r.query.get("x") for r in api.requests] == [["1"], ["2"]]


def test_different_arguments_are_different_calls(api):
    assert call().id == "run_abc123"
    assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc122").id == "run_abc122"
    assert [r.path.rsplit("/", 1)[1] for r in api.requests] == ["run_abc123", "run_abc122"]


def test_calls_with_common_parameters_keep_their_own_variables(api):
    first: list = []
    second: list = []
    ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", out_variable=first)
    ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", out_variable=second)
    assert len(first) == 1 and len(second) == 1


def test_an_object_changed_between_two_calls_is_read_again(api):
    class Thread:
        id = "thread_abc123"

    thread = Thread()
    assert len(ps.get_thread_run(thread, all=True)) == 8
    thread.id = "thread_abc456"
    assert ps.get_thread_run(thread, all=True) == []
    assert [r.path for r in api.requests] == ["/v1/threads/thread_abc123/runs", "/v1/threads/thread_abc456/runs"]


def test_equal_values_of_different_types_are_different_calls(api):
    ps.get_thread_run("thread_abc123", run_id=1, error_action="SilentlyContinue")
    ps.get_thread_run("thread_abc123", run_id=True, error_action="SilentlyContinue")
    assert [r.path.rsplit("/", 1)[1] for r in api.requests] == ["1", "True"]

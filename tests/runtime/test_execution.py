"""Get-ThreadRun runs for real against the bundled server: paths, queries, headers, paging, output."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone

import pytest

import pyopenai_ps as ps
from pyopenai_ps import (
    ConfigurationError,
    NotFoundError,
    PaginationError,
    ParameterBindingError,
    PSOpenAIError,
)
from pyopenai_ps.runtime.output import PSObject

RUNS_PATH = "/v1/threads/thread_abc123/runs"


def paths(server):
    return [(r.path.split("?")[0], {k: v[0] for k, v in r.query.items()}) for r in server.requests]


class TestHelpExamples:
    def test_example_1_from_a_line(self, api):
        run = ps.invoke("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'")
        assert [r.id for r in run] == ["run_abc123"]
        assert paths(api) == [(RUNS_PATH + "/run_abc123", {})]

    def test_example_1_from_python(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        assert isinstance(run, PSObject) and run.status == "completed"

    def test_example_2(self, api):
        runs = ps.invoke("Get-ThreadRun -Thread 'thread_abc123' -All")
        assert [r.id for r in runs] == [f"run_abc1{n}" for n in range(16, 24)]
        assert paths(api) == [(RUNS_PATH, {"limit": "100", "order": "asc"})]

    def test_list_page_defaults(self, api):
        runs = ps.get_thread_run("thread_abc123")
        assert isinstance(runs, list) and len(runs) == 8
        assert paths(api) == [(RUNS_PATH, {"limit": "20", "order": "asc"})]

    def test_list_limit_and_order(self, api):
        runs = ps.get_thread_run("thread_abc123", limit=3, order="DESC")
        assert [r.id for r in runs] == ["run_abc123", "run_abc122", "run_abc121"]
        assert paths(api) == [(RUNS_PATH, {"limit": "3", "order": "desc"})]


class TestRequests:
    def test_headers(self, api, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_ORGANIZATION", "org-global", raising=False)
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
        headers = api.requests[0].headers
        assert headers["authorization"] == "Bearer " + api.key
        assert headers["openai-beta"] == "assistants=v2"
        assert headers["openai-organization"] == "org-global"
        assert headers["user-agent"].startswith(f"pyopenai_ps/{ps.__version__}")

    def test_no_organization_header_when_unset(self, api):
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
        assert "openai-organization" not in api.requests[0].headers

    def test_parameters_beat_globals_and_environment(self, api, monkeypatch):
        monkeypatch.setenv("OPENAI_ORGANIZATION", "org-env")
        ps.get_thread_run("thread_abc123", run_id="run_abc123", api_key="sk-param", org_id="org-param")
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
        first, second = api.requests
        assert first.headers["authorization"] == "Bearer sk-param" and first.headers["openai-organization"] == "org-param"
        assert second.headers["authorization"] == "Bearer " + api.key and second.headers["openai-organization"] == "org-env"

    def test_environment_key_and_base(self, api, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_API_KEY", None, raising=False)
        monkeypatch.setattr(ps, "OPENAI_API_BASE", None, raising=False)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
        monkeypatch.setenv("OPENAI_API_BASE", api.base_url)
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
        assert api.requests[0].headers["authorization"] == "Bearer sk-from-env"

    def test_no_key_is_an_error_before_any_request(self, api, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_API_KEY", None, raising=False)
        with pytest.raises(ConfigurationError, match="No API key"):
            ps.get_thread_run("thread_abc123")
        assert api.requests == []

    def test_api_base_parameter(self, api, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_API_BASE", "http://127.0.0.1:9/never", raising=False)
        ps.get_thread_run("thread_abc123", run_id="run_abc123", api_base=api.base_url)
        assert len(api.requests) == 1

    def test_additional_query_and_headers(self, api):
        ps.get_thread_run("thread_abc123", limit=2, additional_query={"extra": "1", "limit": 5},
                          additional_headers={"X-Trace": "t-1", "openai-beta": "assistants=v2"})
        (request,) = api.requests
        assert request.query == {"limit": ["5"], "order": ["asc"], "extra": ["1"]}
        assert request.headers["x-trace"] == "t-1"

    @pytest.mark.parametrize("kwargs", [
        {"organization": "org\r\nX-Injected: 1"},
        {"additional_headers": {"X-Bad": "a\nb"}},
        {"additional_headers": {"X-Bad\r\nX-Injected": "1"}},
    ])
    def test_line_breaks_in_headers_are_refused_before_sending(self, api, kwargs):
        with pytest.raises(PSOpenAIError):
            ps.get_thread_run("thread_abc123", run_id="run_abc123", **kwargs)
        assert api.requests == []

    @pytest.mark.parametrize("thread, encoded", [
        ("thread_a/../b", "thread_a%2F..%2Fb"),
        ("thread_x?limit=1#frag", "thread_x%3Flimit%3D1%23frag"),
        ("thread with space", "thread%20with%20space"),
        ("..", "%2E%2E"),
        ("thread_é", "thread_%C3%A9"),
        ("thread_%2F", "thread_%252F"),
    ])
    def test_ids_are_exactly_one_path_segment(self, api, thread, encoded):
        with pytest.raises(NotFoundError):
            ps.get_thread_run(thread, run_id="run/abc?x")
        assert api.requests[0].path == f"/v1/threads/{encoded}/runs/run%2Fabc%3Fx"

    def test_binding_failure_sends_nothing(self, api):
        with pytest.raises(ParameterBindingError):
            ps.invoke("Get-ThreadRun -Thread thread_abc123 -Limit 0")
        assert api.requests == []

    def test_connection_is_reused(self, api):
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
        ps.invoke("Get-ThreadRun -Thread thread_abc123 -All")
        assert len({r.connection_id for r in api.requests}) == 1


class TestPaging:
    def test_all_follows_the_after_cursor(self, api):
        api.store.add_runs("thread_big", 250)
        runs = ps.invoke("Get-ThreadRun -Thread thread_big -All")
        assert len(runs) == 250 and len({r.id for r in runs}) == 250
        queries = [q for _, q in paths(api)]
        assert [q.get("after") for q in queries] == [None, runs[99].id, runs[199].id]
        assert all(q["limit"] == "100" for q in queries)

    def test_all_descending(self, api):
        api.store.add_runs("thread_big", 120)
        runs = ps.get_thread_run("thread_big", all=True, order="desc")
        assert [r.created_at for r in runs] == sorted((r.created_at for r in runs), reverse=True)

    def test_more_data_warning_without_explicit_limit(self, api, caplog):
        api.store.add_runs("thread_big", 25)
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            runs = ps.get_thread_run("thread_big")
        assert len(runs) == 20
        assert [r.getMessage() for r in caplog.records] == ["There is more data that has not been retrieved."]
        assert caplog.records[0].name == "pyopenai_ps" and caplog.records[0].levelno == logging.WARNING

    def test_no_warning_with_explicit_limit(self, api, caplog):
        api.store.add_runs("thread_big", 25)
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            ps.get_thread_run("thread_big", limit=20)
        assert caplog.records == []

    def test_cursor_that_does_not_advance(self, api):
        page = {"object": "list", "data": [{"id": "run_1", "object": "thread.run"}], "first_id": "run_1",
                "last_id": "run_1", "has_more": True}
        from pyopenai_ps.server import Fault

        api.inject(Fault.status(200, body=page), times=2)
        seen = []
        with pytest.raises(PaginationError):
            for run in ps.get_command("Get-ThreadRun").stream("thread_abc123", all=True):
                seen.append(run.id)
        assert seen == ["run_1"] and len(api.requests) == 2  # the repeated page is refused before it is yielded

    def test_has_more_without_last_id_stops_with_the_warning(self, api, caplog):
        from pyopenai_ps.server import Fault

        page = {"object": "list", "data": [{"id": "run_1"}], "has_more": True, "last_id": None}
        api.inject(Fault.status(200, body=page))
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            runs = ps.get_thread_run("thread_abc123", all=True)
        assert [r.id for r in runs] == ["run_1"] and len(api.requests) == 1
        assert "There is more data" in caplog.text

    def test_stream_fetches_pages_only_when_needed(self, api):
        api.store.add_runs("thread_big", 250)
        stream = ps.get_command("Get-ThreadRun").stream("thread_big", all=True)
        assert api.requests == []  # bound, nothing sent yet
        first = next(stream)
        assert first.id and len(api.requests) == 1
        rest = list(stream)
        assert len(rest) == 249 and len(api.requests) == 3

    def test_stream_binds_at_once(self, api):
        with pytest.raises(ParameterBindingError):
            ps.get_command("Get-ThreadRun").stream("thread_big", limit=0)


class TestPipelines:
    def test_piped_runs_are_refreshed(self, api):
        runs = ps.invoke("Get-ThreadRun -Thread thread_abc123 -All | Get-ThreadRun")
        assert len(runs) == 8
        gets = [p for p, _ in paths(api)[1:]]
        assert gets == [f"{RUNS_PATH}/{r.id}" for r in runs]

    def test_a_run_object_in_python_is_fetched_again(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc121")
        again = ps.get_thread_run(run)
        assert isinstance(again, PSObject) and again.id == "run_abc121"
        assert paths(api)[1][0] == RUNS_PATH + "/run_abc121"

    def test_thread_objects_and_strings_list(self, api):
        runs = ps.get_command("Get-ThreadRun").pipe(["thread_abc123", {"id": "thread_abc456"}], all=True)
        assert len(runs) == 8
        assert [p for p, _ in paths(api)] == [RUNS_PATH, "/v1/threads/thread_abc456/runs"]

    def test_literal_head(self, api):
        runs = ps.invoke("'thread_abc123','thread_abc456' | Get-ThreadRun -All")
        assert len(runs) == 8 and len(api.requests) == 2

    def test_input_records(self, api):
        assert len(ps.invoke("Get-ThreadRun -All", input=["thread_abc123"])) == 8


class TestOutput:
    def test_attribute_item_and_nested_access(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        assert run.status == run["status"] == run["Status"] == run.Status
        assert run.type_names[0] == "PSOpenAI.Thread.Run"
        assert isinstance(run.tools, list)
        if run.usage is not None:
            assert run.usage.total_tokens == run["usage"]["total_tokens"]

    def test_timestamps(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        assert isinstance(run.created_at, datetime) and run.created_at.tzinfo == timezone.utc
        assert run.created_at.timestamp() == run.to_dict(dates="unix")["created_at"]
        assert run.to_dict()["created_at"] == run.created_at.isoformat()  # the default: ISO 8601 text
        assert run.cancelled_at is None  # a completed run was never cancelled

    def test_to_dict_is_json(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        data = json.loads(json.dumps(run.to_dict()))
        assert data["id"] == "run_abc123" and isinstance(data["created_at"], str)
        assert isinstance(run.to_dict(dates="unix")["created_at"], int)
        iso = run.to_dict(dates="iso")
        assert iso["created_at"].endswith("+00:00")
        assert json.loads(run.json()) == data

    def test_repr_and_read_only(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        assert "run_abc123" in repr(run) and "PSOpenAI.Thread.Run" in repr(run)
        with pytest.raises(AttributeError):
            run.status = "x"

    def test_outputs_bind_by_property_name_like_dicts(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        (binding,) = ps.get_command("Get-ThreadRun").bind_pipeline([run])
        assert binding.bound["InputObject"] is run


class TestErrors:
    def test_not_found(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.get_thread_run("thread_abc123", run_id="run_missing")
        error = info.value
        assert str(error).startswith("OpenAI API returned an 404 (Not Found) Error: ")
        assert error.status_code == 404 and error.request_id and error.request_id.startswith("req_")

    def test_broken_body_is_a_package_error(self, api):
        from pyopenai_ps.server import Fault

        api.inject(Fault.invalid_json())
        with pytest.raises(PSOpenAIError) as info:
            ps.get_thread_run("thread_abc123", run_id="run_abc123")
        assert not isinstance(info.value, json.JSONDecodeError)

    def test_retry_through_the_cmdlet(self, api):
        from pyopenai_ps.server import Fault

        api.inject(Fault.status(429, headers={"retry-after-ms": "5"}), Fault.status(503))
        run = ps.invoke("Get-ThreadRun -RunId run_abc123 -Thread thread_abc123 -MaxRetryCount 3")
        assert run[0].id == "run_abc123" and len(api.requests) == 3
        assert api.slept[0] == pytest.approx(0.005)

    def test_no_retry_by_default(self, api):
        from pyopenai_ps import RateLimitExceededError
        from pyopenai_ps.server import Fault

        api.inject(Fault.status(429))
        with pytest.raises(RateLimitExceededError):
            ps.get_thread_run("thread_abc123", run_id="run_abc123")
        assert len(api.requests) == 1

    def test_timeout(self, api, monkeypatch):
        from pyopenai_ps import APITimeoutError
        from pyopenai_ps.server import Fault

        gate = threading.Event()  # the server "sleeps" here until the client has given up
        monkeypatch.setattr(api, "sleep", lambda seconds: gate.wait(seconds))
        api.inject(Fault.delay(60))
        try:
            with pytest.raises(APITimeoutError):
                ps.get_thread_run("thread_abc123", run_id="run_abc123", timeout_sec=1)
        finally:
            gate.set()

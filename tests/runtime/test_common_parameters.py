"""Common parameters at run time: Verbose/Debug logging, ErrorAction, WarningAction, variables; no key leaks."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import pyopenai_ps as ps
from pyopenai_ps import ConfigurationError, NotFoundError, ParameterBindingError


def records_text(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records)


class TestVerboseAndDebug:
    def test_verbose_logs_request_status_request_id_and_timing(self, api, caplog):
        logger = logging.getLogger("pyopenai_ps")
        level_before = logger.level
        # The logger is left at its default (WARNING): -Verbose alone makes the records.
        ps.invoke("Get-ThreadRun -RunId run_abc123 -Thread thread_abc123 -Verbose")
        messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        request_id = api.requests[0].headers.get("x-request-id")  # not sent by the client
        assert request_id is None
        assert messages[0] == f"GET {api.base_url}/threads/thread_abc123/runs/run_abc123"
        assert messages[1].startswith("200 OK (") and "request id req_" in messages[1] and " ms" in messages[1]
        assert logger.level == level_before  # nothing global changed

    def test_verbose_is_for_that_call_only(self, api, caplog):
        ps.get_thread_run("thread_abc123", run_id="run_abc123", verbose=True)
        assert caplog.records
        caplog.clear()
        ps.get_thread_run("thread_abc123", run_id="run_abc123")
        assert caplog.records == []

    def test_debug_adds_headers_and_bodies_with_the_key_masked(self, api, caplog):
        ps.get_thread_run("thread_abc123", run_id="run_abc123", debug=True)
        text = records_text(caplog)
        assert "Request headers:" in text and "Response body:" in text and '"run_abc123"' in text
        assert api.key not in text
        masked = api.key[:6] + "*" * min(len(api.key) - 8, 45) + api.key[-2:]
        assert "Bearer " + masked in text

    def test_without_configured_logging_verbose_goes_to_stderr(self, api):
        code = (
            "import pyopenai_ps as ps\n"
            f"ps.OPENAI_API_BASE = {api.base_url!r}\n"
            f"ps.OPENAI_API_KEY = {api.key!r}\n"
            "ps.invoke('Get-ThreadRun -RunId run_abc123 -Thread thread_abc123 -Verbose -Debug')\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "VERBOSE: GET " in result.stderr and "DEBUG: Request headers:" in result.stderr
        assert api.key not in result.stderr + result.stdout


class TestErrorAction:
    RECORDS = ["thread_abc123", {"thread_id": "thread_abc123", "run_id": "run_missing"}, 42,
               {"thread_id": "thread_abc123", "run_id": "run_abc122"}]

    def test_stop_is_the_default(self, api):
        with pytest.raises(NotFoundError):
            ps.get_command("Get-ThreadRun").pipe(self.RECORDS[1:])

    def test_continue_logs_and_goes_on(self, api, caplog):
        errors: list = []
        with caplog.at_level(logging.WARNING):
            out = ps.get_command("Get-ThreadRun").pipe(self.RECORDS, error_action="Continue", error_variable=errors)
        assert len(out) == 9  # 8 runs listed, then the refreshed run_abc122
        assert [type(e) for e in errors] == [NotFoundError, ParameterBindingError]
        logged = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(logged) == 2 and logged[0].getMessage().startswith("Get-ThreadRun: OpenAI API returned an 404")

    def test_silently_continue(self, api, caplog):
        errors: list = []
        with caplog.at_level(logging.WARNING):
            out = ps.get_command("Get-ThreadRun").pipe(self.RECORDS, ea="SilentlyContinue", ev=errors)
        assert len(out) == 9 and len(errors) == 2 and caplog.records == []

    def test_ignore_keeps_errors_out_of_the_variable(self, api):
        errors: list = []
        out = ps.get_command("Get-ThreadRun").pipe(self.RECORDS, error_action="Ignore", error_variable=errors)
        assert len(out) == 9 and errors == []

    def test_single_call_under_continue_returns_none(self, api):
        assert ps.get_thread_run("thread_abc123", run_id="run_missing", error_action="SilentlyContinue") is None

    def test_configuration_errors_always_stop(self, api, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_API_KEY", None, raising=False)
        with pytest.raises(ConfigurationError):
            ps.get_thread_run("thread_abc123", error_action="SilentlyContinue")

    def test_variables_by_name_from_a_command_line(self, api):
        ps.invoke("Get-ThreadRun -Thread thread_abc123 -RunId run_missing -ErrorAction SilentlyContinue "
                  "-ErrorVariable oops -OutVariable got")
        assert [type(e) for e in ps.variables["oops"]] == [NotFoundError] and ps.variables["got"] == []
        ps.invoke("Get-ThreadRun -Thread thread_abc123 -RunId run_nope -ea SilentlyContinue -ev +oops")
        assert len(ps.variables["oops"]) == 2

    @pytest.mark.parametrize("value", ["Inquire", "Break"])
    def test_interactive_actions_are_refused(self, api, value):
        with pytest.raises(ConfigurationError):
            ps.get_thread_run("thread_abc123", error_action=value)
        assert api.requests == []


class TestWarningsAndOtherCommons:
    def test_warning_action_and_variable(self, api, caplog):
        api.store.add_runs("thread_big", 25)
        warnings: list = []
        with caplog.at_level(logging.WARNING):
            ps.get_thread_run("thread_big", warning_action="SilentlyContinue", warning_variable=warnings)
        assert warnings == ["There is more data that has not been retrieved."] and caplog.records == []

    def test_warning_action_stop(self, api):
        api.store.add_runs("thread_big", 25)
        with pytest.raises(ps.PSOpenAIError, match="There is more data"):
            ps.get_thread_run("thread_big", wa="Stop")

    def test_out_variable(self, api):
        out: list = []
        runs = ps.get_thread_run("thread_abc123", all=True, out_variable=out)
        assert out == runs and len(out) == 8

    @pytest.mark.parametrize("name, value", [("OutBuffer", "5"), ("PipelineVariable", "current")])
    def test_refused_common_parameters(self, api, name, value):
        with pytest.raises(ConfigurationError, match=name):
            ps.invoke(f"Get-ThreadRun thread_abc123 -{name} {value}")
        assert api.requests == []

    def test_information_parameters_are_accepted(self, api):
        info: list = []
        ps.get_thread_run("thread_abc123", information_action="SilentlyContinue", information_variable=info)
        assert info == []


class TestSecrets:
    def test_the_key_never_appears(self, api, caplog):
        from pyopenai_ps.server import Fault

        collected = []
        with caplog.at_level(logging.DEBUG):
            for fault in (Fault.status(401), Fault.status(500), Fault.status(429), Fault.invalid_json()):
                api.inject(fault)
                try:
                    ps.get_thread_run("thread_abc123", run_id="run_abc123", debug=True, verbose=True)
                except ps.PSOpenAIError as error:
                    collected.append(error)
            try:
                ps.get_thread_run("thread_abc123", limit=0, api_key=api.key)
            except ParameterBindingError as error:
                collected.append(error)
            binding = ps.get_command("Get-ThreadRun").bind("thread_abc123", api_key=api.key)
        assert len(collected) == 5
        texts = [caplog.text, repr(binding)]
        for error in collected:
            texts += [str(error), repr(error)] + [repr(v) for v in vars(error).values()]
        assert not [t for t in texts if api.key in t]


def test_an_api_base_with_credentials_is_refused_without_echoing_them(api, monkeypatch):
    base = api.base_url.replace("http://", "http://user:hunter2pass@")
    with pytest.raises(ParameterBindingError) as info:
        ps.get_thread_run("thread_abc123", api_base=base)
    assert "hunter2pass" not in str(info.value)
    monkeypatch.setattr(ps, "OPENAI_API_BASE", base, raising=False)
    with pytest.raises(ConfigurationError) as error:
        ps.get_thread_run("thread_abc123")
    assert "hunter2pass" not in str(error.value) and api.requests == []


def test_verbose_without_logging_follows_a_redirected_stderr(api):
    code = (
        "import io, sys, pyopenai_ps as ps\n"
        f"ps.OPENAI_API_BASE = {api.base_url!r}\n"
        f"ps.OPENAI_API_KEY = {api.key!r}\n"
        "captured = io.StringIO()\n"
        "sys.stderr = captured\n"
        "ps.invoke('Get-ThreadRun -RunId run_abc123 -Thread thread_abc123 -Verbose')\n"
        "sys.stderr = sys.__stderr__\n"
        "print(captured.getvalue())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "VERBOSE: GET " in result.stdout and "VERBOSE" not in result.stderr


def test_a_very_short_key_does_not_mangle_log_lines(api, caplog):
    ps.get_thread_run("thread_abc123", run_id="run_abc123", api_key="t", verbose=True)
    messages = [r.getMessage() for r in caplog.records]
    assert f"GET {api.base_url}/threads/thread_abc123/runs/run_abc123" in messages

"""The command line against hostile input and output: huge or deep JSON on stdin, answers it cannot
write plainly, closed or full streams, empty words, and a bad setting in a later pipeline stage."""

from __future__ import annotations

import io
import json
import os
import subprocess

import pytest
from cli_support import KEY, cli, environment, json_lines, paths, run
from raw_server import RawServer

import pyopenai_ps.cli.streams as streams
from pyopenai_ps.errors import InputFormatError
from pyopenai_ps.runtime.views import json_line

RUN = "/v1/threads/thread_abc123/runs/run_abc123"


# --- item 9: standard input read in linear time; bad JSON is InputFormatError ---------------------


def test_pretty_printed_json_on_stdin_is_read_in_linear_time(monkeypatch):
    """Each record's text is decoded once, not once per line that arrives (which is quadratic)."""
    records = [{"id": f"run_{i}", "thread_id": "thread_abc123", "metadata": {"n": i, "tags": ["a", "b"]}}
               for i in range(300)]
    text = json.dumps(records, indent=2) + "\n" + json.dumps(records[0], indent=2) + "\n"
    scanned = [0]
    original = json.JSONDecoder.raw_decode

    def counting(self, s, idx=0):  # noqa: ANN001
        scanned[0] += len(s) - idx
        return original(self, s, idx)

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", counting)
    got = list(streams.stdin_records(io.StringIO(text)))
    assert [r["id"] for r in got] == [r["id"] for r in records] + ["run_0"]
    assert scanned[0] <= 2 * len(text), (scanned[0], len(text))


@pytest.mark.parametrize("text, what", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("[" * 100_000 + "\n" + "]" * 100_000, "nested too deeply"),  # its first line checked alone too
    ("{\"a\":" * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
    ("[" + "7" * 5000 + "]", "number"),
    ("{\"n\": " + "9" * 5000 + "}\n", "number"),
])
def test_json_that_python_cannot_hold_is_an_input_format_error(text, what):
    with pytest.raises(InputFormatError, match=what):
        list(streams.stdin_records(io.StringIO(text)))


def test_the_command_line_reports_deep_stdin_without_an_internal_error(srv):
    done = run(srv, "Get-ThreadRun", input="[" * 100_000 + "]" * 100_000)
    assert done.returncode == 1 and "internal error" not in done.stderr
    assert "Standard input" in done.stderr and "Traceback" not in done.stderr
    assert paths(srv) == []


# --- item 10: answers that JSON, the terminal or the encoder cannot take plainly ------------------------


def deep(levels: int) -> dict:
    value: dict = {"leaf": True}
    for _ in range(levels):
        value = {"n": value}
    return value


def one_run_server(extra: dict | bytes):
    body = extra if isinstance(extra, bytes) else json.dumps(
        {"id": "run_abc123", "object": "thread.run", "thread_id": "thread_abc123", **extra}).encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body)
    return RawServer(lambda n, head: [answer])


@pytest.mark.parametrize("fmt", ["jsonl", "json", "list"])
def test_an_answer_nested_900_deep_is_written(fmt):
    with one_run_server({"nested": deep(900)}) as server:
        done = run(server, "--format", fmt, "Get-ThreadRun", "-Thread", "thread_abc123", "-RunId", "run_abc123")
    assert done.returncode == 0, done.stderr[-2000:]
    if fmt != "list":
        written = json.loads(done.stdout) if fmt == "json" else json_lines(done.stdout)
        item = written[0]
        depth = 0
        node = item["nested"]
        while "n" in node:
            node, depth = node["n"], depth + 1
        assert depth == 900 and node == {"leaf": True}


def test_to_dict_of_a_deep_answer(api):
    import pyopenai_ps as ps

    with one_run_server({"nested": deep(900)}) as server:
        got = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", api_base=server.base_url)
    plain = got.to_dict()
    assert plain["nested"]["n"]["n"]["n"] is not None
    assert json.loads(json_line(got))["id"] == "run_abc123"


def test_not_a_number_and_infinities_are_written_as_json():
    body = b'{"id": "run_abc123", "object": "thread.run", "a": NaN, "b": Infinity, "c": -Infinity, "d": [NaN]}'
    with one_run_server(body) as server:
        done = run(server, "Get-ThreadRun", "-Thread", "thread_abc123", "-RunId", "run_abc123")
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert json.loads(line, parse_constant=lambda word: pytest.fail(f"bare {word} in the output")) == {
        "id": "run_abc123", "object": "thread.run", "a": "NaN", "b": "Infinity", "c": "-Infinity", "d": ["NaN"]}


@pytest.mark.parametrize("fmt", ["jsonl", "json", "list", "table"])
def test_a_lone_surrogate_neither_fails_nor_ends_a_listing_early(fmt):
    runs = [{"id": f"run_{i}", "object": "thread.run", "name": "\ud800 odd" if i == 1 else "plain"} for i in range(3)]
    body = json.dumps({"object": "list", "data": runs, "has_more": True, "last_id": "run_2"}).encode()
    last = json.dumps({"object": "list", "data": [{"id": "run_3", "object": "thread.run"}], "has_more": False,
                       "last_id": "run_3"}).encode()
    answers = [body, last]

    def script(n, head):
        data = answers[min(n, 1)]
        return [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(data), data)]

    with RawServer(script) as server:
        done = run(server, "--format", fmt, "Get-ThreadRun", "-Thread", "thread_abc123", "-All",
                   env=environment(server.base_url, PYTHONIOENCODING="utf-8"))
    assert done.returncode == 0, done.stderr
    for ident in ("run_0", "run_1", "run_2", "run_3"):
        assert ident in done.stdout
    if fmt == "jsonl":
        assert [r["name"] for r in json_lines(done.stdout)[:3]] == ["plain", "\ud800 odd", "plain"]


# --- item 20: an empty word after a colon ---------------------------------------------------------------


@pytest.mark.parametrize("words", [["-Limit:", ""], ["-Limit:", "", "-All"], ["-Order:", ""]])
def test_an_empty_value_after_a_colon_is_a_usage_error(srv, words):
    done = run(srv, "Get-ThreadRun", "thread_abc123", *words)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "IndexError" not in done.stderr
    assert paths(srv) == []


# --- item 22: closed and full streams; a later stage's settings -------------------------------------------


def test_a_closed_stdout_is_reported_and_nothing_is_sent(srv):
    done = subprocess.run([*cli(), "Get-ThreadRun", "-Thread", "thread_abc123", "-RunId", "run_abc123"],
                          stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60,
                          env=environment(srv.base_url), preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert "standard output" in done.stderr and "internal error" not in done.stderr
    assert paths(srv) == []


def test_a_full_stdout_is_reported_without_an_internal_error(srv):
    with open("/dev/full", "w") as full:
        done = subprocess.run([*cli(), "Get-ThreadRun", "-Thread", "thread_abc123", "-All"],
                              stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                              env=environment(srv.base_url))
    assert done.returncode == 1
    assert "No space left" in done.stderr and "internal error" not in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.parametrize("args, code", [
    (["Get-ThreadRun", "-Bogus", "x"], 2),
    (["Get-ThreadRun", "-Limit:", ""], 2),
    (["Get-ThreadRun", "-Thread", "thread_abc123", "-RunId", "run_missing"], 1),
    (["--format", "nope", "Get-ThreadRun"], 2),
    (["-c", "Get-ThreadRun 'x"], 2),
])
def test_a_closed_stderr_keeps_the_exit_status(srv, args, code):
    done = subprocess.run([*cli(), *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=60,
                          env=environment(srv.base_url), preexec_fn=lambda: os.close(2))
    assert done.returncode == code


@pytest.mark.parametrize("later", [
    "Get-ThreadRun -TimeoutSec -1",
    "Get-ThreadRun -AdditionalHeaders @{Host='elsewhere.example'}",
    "Get-ThreadRun -Organization \"org-1`nX-Injected: 1\"",
    "Get-ThreadRun -AdditionalHeaders @{'Bad Name'='x'}",
])
def test_a_later_stages_bad_setting_is_found_before_the_first_request(srv, later):
    line = f"Get-Thread thread_abc123 | {later}"
    done = run(srv, "-c", line)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
    assert paths(srv) == []  # the first stage sent nothing either


@pytest.mark.parametrize("later", [
    "Get-ThreadRun -TimeoutSec -1",
    "Get-ThreadRun -AdditionalHeaders @{Host='elsewhere.example'}",
    "Get-ThreadRun -Organization \"org-1`nX-Injected: 1\"",
    "Get-ThreadRun -AdditionalHeaders @{'Bad Name'='x'}",
])
def test_a_later_stages_bad_setting_stops_a_python_line_before_the_first_request(api, later):
    import pyopenai_ps as ps
    from pyopenai_ps.runtime.lines import stream_line

    # a negative -TimeoutSec is refused by the parameter's range when the line binds (a binding error)
    expected = ps.ParameterBindingError if "TimeoutSec" in later else ps.ConfigurationError
    with pytest.raises(expected):
        ps.invoke(f"Get-Thread thread_abc123 | {later}")
    with pytest.raises(expected):
        stream_line(f"Get-Thread thread_abc123 | {later}")  # found when the line is bound, not when it runs
    assert api.requests == []


def test_a_later_stage_without_a_key_is_found_before_the_first_request(srv):
    done = run(srv, "-c", f"Get-Thread thread_abc123 -ApiKey '{KEY}' | Get-ThreadRun",
               env=environment(srv.base_url, OPENAI_API_KEY=""))
    assert done.returncode == 1 and "No API key" in done.stderr
    assert paths(srv) == []

"""``pyopenai-ps``'s streams: records from standard input, the output formats, and messages on stderr."""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading

import pytest
from cli_support import (
    EXAMPLE_1,
    EXAMPLE_2,
    KEY,
    SEED_RUNS,
    cli,
    environment,
    json_lines,
    paths,
    read_line,
    run_main,
)

from pyopenai_ps.server import Fault

# --- standard input ----------------------------------------------------------------------------


def test_stdin_plain_lines_are_strings(srv):
    done = run_main(srv, "Get-ThreadRun", "-All", input="thread_abc123\n\nthread_abc456\n")
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == SEED_RUNS
    assert paths(srv) == ["/v1/threads/thread_abc123/runs", "/v1/threads/thread_abc456/runs"]


def test_stdin_json_array(srv):
    records = [{"id": "run_abc120", "thread_id": "thread_abc123"}, {"id": "run_abc121", "thread_id": "thread_abc123"}]
    done = run_main(srv, "Get-ThreadRun", input=json.dumps(records, indent=2))
    assert done.returncode == 0, done.stderr
    assert [(r["id"], r["status"]) for r in json_lines(done.stdout)] == [
        ("run_abc120", "requires_action"), ("run_abc121", "in_progress")]


def test_stdin_json_lines_bind_by_property_name(srv):
    text = '{"thread_id": "thread_abc123", "run_id": "run_abc118"}\n"thread_abc456"\n'
    done = run_main(srv, "Get-ThreadRun", input=text)
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == ["run_abc118"]  # RunId bound ByPropertyName
    assert paths(srv) == ["/v1/threads/thread_abc123/runs/run_abc118", "/v1/threads/thread_abc456/runs"]


def test_stdin_pretty_printed_json_values_one_after_another(srv):
    text = json.dumps({"id": "run_abc119", "thread_id": "thread_abc123"}, indent=2) + "\n" + json.dumps(
        {"id": "run_abc122", "thread_id": "thread_abc123"}, indent=4)
    done = run_main(srv, "Get-ThreadRun", input=text)
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == ["run_abc119", "run_abc122"]


def test_an_empty_pipe_runs_nothing(srv):
    done = run_main(srv, "Get-ThreadRun", input="")  # as when the command upstream output nothing
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert srv.requests == []


def test_stdin_fills_the_pipeline_parameter_a_partial_line_leaves(srv):
    done = run_main(srv, "Get-ThreadRun", "-RunId", "run_abc123", input="thread_abc123\n")
    assert done.returncode == 0, done.stderr
    assert paths(srv) == ["/v1/threads/thread_abc123/runs/run_abc123"]


def test_stdin_feeds_the_first_command_of_a_line(srv):
    done = run_main(srv, "-c", "Get-ThreadRun -All | Get-ThreadRun", input='"thread_abc123"\n')
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == SEED_RUNS
    assert len(srv.requests) == 1 + len(SEED_RUNS)


def test_bad_json_on_stdin_exits_1(srv):
    done = run_main(srv, "Get-ThreadRun", input='{"id": "run_abc123",\n "thread_id" "x"}\n')
    assert done.returncode == 1
    assert done.stderr.startswith("Get-ThreadRun: Standard input is not valid JSON")
    assert done.stderr == ("Get-ThreadRun: Standard input is not valid JSON in the value starting on line 1: "
                           "Expecting ':' delimiter (line 2, column 14).\n")
    assert "at at" not in done.stderr


@pytest.mark.parametrize("text", ["{not json\n", "[thread_abc123\n", "thread_abc123\n{abc}\n"])
def test_a_line_starting_like_json_must_be_json(srv, text):
    done = run_main(srv, "Get-ThreadRun", input=text)
    assert done.returncode == 1
    assert "Standard input is not valid JSON in the value starting on line" in done.stderr
    assert not any("%7B" in p or "%5B" in p for p in paths(srv))  # never sent as a thread id


def test_two_processes_chained_through_a_pipe(srv):
    env = environment(srv.base_url)
    first = subprocess.Popen([*cli(), *EXAMPLE_2], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    try:
        second = subprocess.run([*cli(), "Get-ThreadRun"], stdin=first.stdout, capture_output=True, text=True,
                                env=env, timeout=30)
    finally:
        first.stdout.close()
        first.wait(timeout=30)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert [r["id"] for r in json_lines(second.stdout)] == SEED_RUNS
    assert paths(srv) == ["/v1/threads/thread_abc123/runs"] + [f"/v1/threads/thread_abc123/runs/{r}" for r in SEED_RUNS]


@pytest.mark.parametrize("args", [EXAMPLE_1, ["-c", " ".join(EXAMPLE_2)]], ids=["words", "line"])
def test_a_complete_command_never_waits_on_open_stdin(srv, args):
    # stdin is a pipe that stays open and is never written, as a careless cron job might leave it
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*cli(), *args], stdin=subprocess.PIPE, stdout=out, stderr=err,
                                env=environment(srv.base_url))
        try:
            code = proc.wait(timeout=10)
        finally:
            proc.stdin.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        assert code == 0, err.seek(0) or err.read()
        assert json_lines(out.read().decode())


# --- output formats ----------------------------------------------------------------------------


def test_format_json_is_one_array(srv):
    done = run_main(srv, "--format", "json", *EXAMPLE_2)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [r["id"] for r in data] == SEED_RUNS
    assert data[0]["created_at"] == "2023-11-14T22:14:20+00:00"


def test_format_json_with_nothing_is_an_empty_array(srv):
    done = run_main(srv, "--format=json", "Get-ThreadRun", "thread_abc456", "-All")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_format_jsonl_is_the_default_off_a_terminal(srv):
    assert run_main(srv, *EXAMPLE_2).stdout == run_main(srv, "--format", "jsonl", *EXAMPLE_2).stdout


def test_format_list(srv):
    done = run_main(srv, "--format", "list", *EXAMPLE_1)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["id", ":", "run_abc123"]
    assert any(line.split() == ["status", ":", "completed"] for line in lines)
    assert any(line.startswith("created_at") and line.endswith(": 2023-11-14 22:21:20Z") for line in lines)


def test_format_table(srv):
    done = run_main(srv, "--format", "table", *EXAMPLE_2)
    assert done.returncode == 0, done.stderr
    header, rule, *rows = done.stdout.splitlines()
    assert header.split() == ["id", "status", "created_at", "model"]  # the spec's view: {table: [...]}
    assert set(rule.replace(" ", "")) == {"-"}
    assert [row.split()[0] for row in rows] == SEED_RUNS
    assert max(len(line) for line in done.stdout.splitlines()) <= 120


def test_objects_are_written_as_they_arrive(srv):
    srv.store.add_runs("thread_abc456", 150)
    page = "/v1/threads/thread_abc456/runs"
    gate = threading.Event()  # the server's "sleep" before the second page: held until the test has the first
    srv.inject(Fault.delay(0), path=page)  # the first page at once,
    srv.inject(Fault.delay(60), path=page)  # the second only when the gate opens
    slept, srv.sleep = srv.sleep, lambda seconds: gate.wait(seconds) if seconds else None
    proc = subprocess.Popen([*cli(), "Get-ThreadRun", "thread_abc456", "-All"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment(srv.base_url))
    try:
        first_page = [json.loads(read_line(proc.stdout, 30)) for _ in range(100)]
        assert proc.poll() is None  # these 100 came while the server held the second page back (only we open the gate)
        assert len({r["id"] for r in first_page}) == 100
        gate.set()
        assert len(proc.stdout.read().splitlines()) >= 50  # and the rest followed
    finally:
        gate.set()
        srv.sleep = slept
        proc.kill()
        proc.wait()
        proc.stdout.close()


def test_a_closed_reader_ends_the_listing_quietly(srv):
    srv.store.add_runs("thread_abc456", 250)
    command = " ".join([*cli(), "Get-ThreadRun", "thread_abc456", "-All", "|", "head", "-n", "1"])
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=environment(srv.base_url),
                          timeout=30, stdin=subprocess.DEVNULL)
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


# --- messages ----------------------------------------------------------------------------------


def test_warning_verbose_and_debug_labels(srv):
    srv.store.add_runs("thread_abc456", 25)
    done = run_main(srv, "Get-ThreadRun", "thread_abc456")
    assert done.returncode == 0
    assert done.stderr == "WARNING: There is more data that has not been retrieved.\n"
    done = run_main(srv, *EXAMPLE_1, "-Verbose")
    lines = done.stderr.splitlines()
    assert lines[0] == f"VERBOSE: GET {srv.base_url}/threads/thread_abc123/runs/run_abc123"
    assert all(line.startswith("VERBOSE: ") for line in lines)
    done = run_main(srv, *EXAMPLE_1, "-Debug")
    assert any(line.startswith("DEBUG: Request headers: Authorization: Bearer sk-pro***")
               for line in done.stderr.splitlines())
    assert done.returncode == 0 and json_lines(done.stdout)[0]["id"] == "run_abc123"


def test_a_traceback_only_with_debug(srv):
    done = run_main(srv, "Get-ThreadRun", "-Thread", "thread_nope")
    assert "Traceback" not in done.stderr
    done = run_main(srv, "Get-ThreadRun", "-Thread", "thread_nope", "-Debug")
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "NotFoundError" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("Get-ThreadRun: OpenAI API returned an 404")
    assert KEY not in done.stderr


@pytest.mark.parametrize(
    "args, fault",
    [
        ([*EXAMPLE_1, "-Debug", "-Verbose"], None),
        ([*EXAMPLE_2, "-Debug", "-Verbose"], Fault.status(401)),
        ([*EXAMPLE_2, "-Debug", "-Verbose", "-MaxRetryCount", "1"], Fault.status(500, headers={"retry-after-ms": "5"})),
        (["Get-ThreadRun", "thread_nope", "-Debug", "-Verbose", "-ErrorAction", "Continue"], None),
        (["Get-ThreadRun", "thread_abc123", "-Debug", "-ApiKey", KEY[::-1]], Fault.status(401)),
        (["Get-ThreadRun", "thread_abc123", "-Debug", f"-ApiKey:{KEY[::-1]}", "-ApiBase", "http://127.0.0.1:9/v1"],
         None),
        (["-c", f"Get-ThreadRun thread_abc123 -Debug -Verbose -ApiKey '{KEY[::-1]}' -Limit 0"], None),
        (["Get-ThreadRun", "thread_abc123", "-Debug"], Fault.drop()),
    ],
    ids=["success", "401", "retried-500", "404-continue", "apikey-401", "apikey-no-server", "apikey-bind-error",
         "dropped"],
)
def test_the_key_never_appears(srv, args, fault):
    if fault is not None:
        srv.inject(fault, times=2)
    done = run_main(srv, *args)
    for key in (KEY, KEY[::-1]):
        assert key not in done.stdout
        assert key not in done.stderr
        assert key[6:-2] not in done.stderr  # not even the masked middle


class _ClosedPipe:
    """stdout whose reader has gone away."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("args", [["demo"], ["--list"], ["help", "Get-ThreadRun", "-Full"]])
def test_a_closed_reader_ends_the_tools_own_commands_quietly(monkeypatch, capsys, args):
    from pyopenai_ps.cli import main

    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert main(args) == 1
    assert capsys.readouterr().err == ""  # no traceback

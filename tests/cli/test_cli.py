"""``pyopenai-ps`` as a shell user or a script sees it, against the bundled server.

Most tests call ``main(argv)`` in this process (``run_main``); the console script, ``python -m``,
the foreground server and import timing need real processes (``run``).  Words, exit codes, ``-c``
lines and the tool's own commands here; standard input, output formats and messages in
test_cli_streams.py; choosing output in test_cli_output.py; the terminal in test_cli_terminal.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime

import pytest
from cli_support import (
    EXAMPLE_1,
    EXAMPLE_2,
    KEY,
    SCRIPT,
    SEED_RUNS,
    cli,
    environment,
    json_lines,
    paths,
    run,
    run_main,
)

from pyopenai_ps.server import Fault

# --- the console script and the help's two examples --------------------------------------------


def test_the_installed_console_script_runs():
    if not SCRIPT.exists():
        pytest.skip(f"the console script is not installed next to the interpreter ({SCRIPT}); "
                    "install the package (pip install -e .) to run this test")
    done = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout.startswith("pyopenai-ps ")


def test_python_dash_m_is_the_same_tool(srv):
    done = subprocess.run([sys.executable, "-m", "pyopenai_ps", *EXAMPLE_1], capture_output=True,
                          text=True, env=environment(srv.base_url), timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout)[0]["id"] == "run_abc123"


def test_example_1_fetches_one_run_as_a_json_line(srv):
    done = run_main(srv, *EXAMPLE_1)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [run_] = json_lines(done.stdout)
    assert run_["id"] == "run_abc123" and run_["status"] == "completed"
    assert datetime.fromisoformat(run_["created_at"]).tzinfo is not None  # ISO 8601, not a unix number
    assert paths(srv) == ["/v1/threads/thread_abc123/runs/run_abc123"]
    assert srv.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_example_2_lists_every_run(srv):
    done = run_main(srv, *EXAMPLE_2)
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == SEED_RUNS


# --- argument words ----------------------------------------------------------------------------


def test_colon_values_are_powershell_literals(srv):
    done = run_main(srv, "Get-ThreadRun", "-Thread:thread_abc123", "-Limit:3", "-Order:'desc'")
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == ["run_abc123", "run_abc122", "run_abc121"]
    done = run_main(srv, "Get-ThreadRun", "thread_abc123", "-Verbose:$false", "-Limit:", "2")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # -Verbose:$false
    assert len(json_lines(done.stdout)) == 2
    assert "limit=2" in srv.requests[-1].target


def test_a_lone_negative_number_is_a_value_not_a_parameter(srv):
    done = run_main(srv, "Get-ThreadRun", "-Limit", "-1", "thread_abc123")
    assert done.returncode == 2
    assert done.stderr.startswith("Get-ThreadRun: Cannot validate argument on parameter 'Limit'.")
    assert srv.requests == []


def test_double_dash_ends_the_parameters(srv):
    done = run_main(srv, "Get-ThreadRun", "--", "-All")  # '-All' is now the thread, positionally
    assert done.returncode == 1
    assert paths(srv) == ["/v1/threads/-All/runs"]


# --- exit codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words, message",
    [
        (["-Foo"], "Get-ThreadRun: A parameter cannot be found that matches parameter name 'Foo'."),
        (["-O", "desc", "thread_a"], "Get-ThreadRun: Parameter cannot be processed because the parameter name 'O' "
                                     "is ambiguous. Possible matches include: -Order -Organization."),
        (["thread_a", "-Limit"], "Get-ThreadRun: Missing an argument for parameter 'Limit'."),
        (["thread_a", "-All", "-Limit", "5"], "Get-ThreadRun: Parameter set cannot be resolved"),
        (["thread_a", "extra"], "Get-ThreadRun: A positional parameter cannot be found that accepts argument 'extra'."),
        (["thread_a", "-Limit", "ten"], "Get-ThreadRun: Cannot process argument transformation on parameter 'Limit'."),
        (["-RunId", "run_abc123"], "Get-ThreadRun: Cannot process command because of one or more missing mandatory "
                                   "parameters: InputObject."),
    ],
)
def test_binding_errors_exit_2_and_send_nothing(srv, words, message):
    done = run_main(srv, "Get-ThreadRun", *words)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert srv.requests == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["Get-Nothing", "-Thread", "x"], "Get-Nothing: The term 'Get-Nothing' is not recognized"),
        (["-c", "Get-ThreadRun -Thread $(x)"], "ParserError: At column"),
        (["--format", "xml", *EXAMPLE_1], "pyopenai-ps: unknown format 'xml'"),
        (["--bogus", *EXAMPLE_1], "pyopenai-ps: unknown option '--bogus'"),
        (["-c"], "pyopenai-ps: -c needs a PowerShell line"),
        (["Get-ThreadRun", "-Thread", "thread_abc123", "-All:"], "Get-ThreadRun: Parameter '-All:' has no value"),
        (["help", "Get-Nothing"], "Get-Nothing: The term 'Get-Nothing' is not recognized"),
    ],
)
def test_usage_errors_exit_2_and_send_nothing(srv, args, message):
    done = run_main(srv, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert srv.requests == []


def test_a_negative_timeout_is_a_validation_error_exit_2(srv):
    done = run_main(srv, "Get-ThreadRun", "thread_abc123", "-TimeoutSec", "-1")
    assert done.returncode == 2
    assert done.stderr == ("Get-ThreadRun: Cannot validate argument on parameter 'TimeoutSec'. The -1 argument is less "
                           "than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 "
                           "and then try the command again.\n")
    assert "-1.0" not in done.stderr
    assert srv.requests == []


def test_a_record_that_fails_binding_after_others_were_sent_exits_1(srv):
    done = run_main(srv, "Get-ThreadRun", "-All", input='thread_abc123\n{"id": 5}\n')
    assert done.returncode == 1  # 2 would say nothing was sent
    assert [r["id"] for r in json_lines(done.stdout)] == SEED_RUNS
    assert done.stderr.startswith("Get-ThreadRun: Cannot validate argument on parameter 'InputObject'.")
    assert paths(srv) == ["/v1/threads/thread_abc123/runs"]


def test_a_first_record_that_fails_binding_exits_2(srv):
    done = run_main(srv, "Get-ThreadRun", "-All", input='{"id": 5}\nthread_abc123\n')
    assert done.returncode == 2
    assert srv.requests == []


def test_no_arguments_prints_the_usage_and_exits_2(srv):
    done = run_main(srv)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: pyopenai-ps")


def test_a_tool_option_after_the_cmdlet_gets_a_hint(srv):
    done = run_main(srv, *EXAMPLE_2, "--format", "json")
    assert done.returncode == 2
    assert "tool options such as --format go before the cmdlet name" in done.stderr


def test_a_tool_option_taken_as_a_value_still_gets_the_hint(srv):
    # '--property' binds nowhere, 'id' would be taken as a positional value: the binding error comes with the hint
    done = run_main(srv, "Get-Thread", "--property", "id")
    assert done.returncode == 2
    assert "tool options such as --property go before the cmdlet name" in done.stderr


def test_a_tool_option_after_a_line_is_a_usage_error(srv):
    done = run_main(srv, "-c", "Get-Thread thread_abc123", "--property", "id")
    assert done.returncode == 2 and srv.requests == []
    assert "tool options such as --property go before -c, not after the line" in done.stderr


def test_an_api_error_exits_1_with_one_powershell_style_line(srv):
    done = run_main(srv, "Get-ThreadRun", "-Thread", "thread_nope")
    assert done.returncode == 1
    assert done.stderr == ("Get-ThreadRun: OpenAI API returned an 404 (Not Found) Error: "
                           "No thread found with id 'thread_nope'.\n")
    assert done.stdout == ""


def test_no_key_exits_1(srv):
    env = environment(srv.base_url)
    del env["OPENAI_API_KEY"]
    done = run_main(srv, *EXAMPLE_1, env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("Get-ThreadRun: No API key was found.")
    assert srv.requests == []


def test_error_action_continue_goes_on_and_exits_1(srv):
    done = run_main(srv, "Get-ThreadRun", "-All", "-ErrorAction", "Continue", input="thread_nope\nthread_abc123\n")
    assert done.returncode == 1
    assert [r["id"] for r in json_lines(done.stdout)] == SEED_RUNS
    assert done.stderr.splitlines() == [
        "Get-ThreadRun: OpenAI API returned an 404 (Not Found) Error: No thread found with id 'thread_nope'."
    ]  # the command name once, not twice


def test_error_action_continue_in_a_line(srv):
    done = run_main(srv, "-c", "'thread_nope','thread_abc123' | Get-ThreadRun -All -ea Continue")
    assert done.returncode == 1
    assert len(json_lines(done.stdout)) == 8
    assert done.stderr.count("Get-ThreadRun: ") == 1


def test_error_action_stop_stops_at_the_first_error(srv):
    done = run_main(srv, "Get-ThreadRun", "-All", input="thread_nope\nthread_abc123\n")
    assert done.returncode == 1
    assert done.stdout == ""
    assert paths(srv) == ["/v1/threads/thread_nope/runs"]


# --- -c lines ----------------------------------------------------------------------------------


def test_a_line_with_a_literal_head(srv):
    done = run_main(srv, "-c", "'thread_abc123','thread_abc456' | Get-ThreadRun -All")
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == SEED_RUNS


def test_a_line_piping_runs_into_a_second_command_refreshes_them(srv):
    done = run_main(srv, "-Command", "Get-ThreadRun -Thread thread_abc123 -Limit 3 | Get-ThreadRun")
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json_lines(done.stdout)] == ["run_abc116", "run_abc117", "run_abc118"]
    assert paths(srv) == ["/v1/threads/thread_abc123/runs"] + [
        f"/v1/threads/thread_abc123/runs/{r}" for r in ("run_abc116", "run_abc117", "run_abc118")]


def test_the_words_after_c_make_one_line(srv):
    done = run_main(srv, "-c", "Get-ThreadRun", "-RunId", "run_abc123", "thread_abc123")
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout)[0]["id"] == "run_abc123"


def test_an_error_in_the_second_command_of_a_line_names_it(srv):
    srv.inject(Fault.status(404), path="/v1/threads/thread_abc123/runs/run_abc116")
    done = run_main(srv, "-c", "Get-ThreadRun thread_abc123 -Limit 1 | Get-ThreadRun")
    assert done.returncode == 1
    assert done.stderr.startswith("Get-ThreadRun: OpenAI API returned an 404")


# --- help and the other tool commands ----------------------------------------------------------


def test_help_full_from_the_spec(srv):
    done = run_main(srv, "help", "Get-ThreadRun", "-Full")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for section in ("NAME", "SYNOPSIS", "SYNTAX", "DESCRIPTION", "PARAMETERS", "EXAMPLES"):
        assert f"\n{section}\n" in f"\n{text}"
    assert "    Get-ThreadRun\n        -RunId <String>\n        [-InputObject] <Object>\n" in text
    assert "Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'" in text
    assert "Get-ThreadRun -Thread 'thread_abc123' -All" in text
    assert run_main(srv, "help", "get-threadrun", "-full").stdout == text
    assert srv.requests == []


def test_dash_question_mark_shows_get_helps_default_form(srv):
    done = run_main(srv, "Get-ThreadRun", "-?")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    sections = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert sections == ["NAME", "SYNOPSIS", "SYNTAX", "DESCRIPTION", "RELATED LINKS", "REMARKS"]
    syntax = text.split("\nSYNTAX\n", 1)[1].split("\nDESCRIPTION\n", 1)[0]
    connection = ("[-TimeoutSec <Int32>] [-MaxRetryCount <Int32>] [-ApiType <OpenAIApiType>] [-ApiBase <Uri>] "
                  "[-AuthType <String>] [-ApiKey <SecureString>] [-Organization <String>] "
                  "[-AdditionalQuery <IDictionary>] [-AdditionalHeaders <IDictionary>] [-AdditionalBody <Object>] "
                  "[<CommonParameters>]")
    assert [line.strip() for line in syntax.splitlines() if line.strip()] == [  # one line per set
        f"Get-ThreadRun -RunId <String> [-InputObject] <Object> {connection}",
        f"Get-ThreadRun [-InputObject] <Object> [-Limit <Int32>] [-Order <String>] {connection}",
        f"Get-ThreadRun [-InputObject] <Object> [-All] [-Order <String>] {connection}",
    ]
    assert "pyopenai-ps help Get-ThreadRun -Examples" in text and "pyopenai-ps help Get-ThreadRun -Full" in text
    assert run_main(srv, "help", "Get-ThreadRun").stdout == text
    assert run_main(srv, "help", "get-threadrun").stdout == text
    assert run_main(srv, "-c", "Get-ThreadRun -?").stdout == text
    assert srv.requests == []


def test_help_examples_form(srv):
    done = run_main(srv, "help", "Get-ThreadRun", "-Examples")
    assert done.returncode == 0, done.stderr
    sections = [line for line in done.stdout.splitlines() if line and not line.startswith(" ")]
    assert sections == ["NAME", "SYNOPSIS", "EXAMPLES"]
    assert "    PS > Get-ThreadRun -Thread 'thread_abc123' -All\n" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["help"], "pyopenai-ps: help takes a cmdlet name"),
    (["help", "Get-ThreadRun", "-Online"], "pyopenai-ps: help takes -Full or -Examples after the cmdlet name, not '-Online'."),
    (["help", "Get-ThreadRun", "-Full", "-Examples"], "pyopenai-ps: help takes one of -Full and -Examples."),
])
def test_help_usage_errors(srv, args, message):
    done = run_main(srv, *args)
    assert done.returncode == 2 and done.stderr.startswith(message)


def test_tool_help_list_and_version(srv):
    done = run_main(srv, "--help")
    assert done.returncode == 0 and done.stdout.startswith("usage: pyopenai-ps")
    done = run_main(srv, "--list")
    assert done.returncode == 0
    assert any(re.fullmatch(r"Get-ThreadRun +Gets one run of a thread, or lists the runs of a thread\.", line)
               for line in done.stdout.splitlines())
    done = run_main(srv, "--version")
    assert done.returncode == 0 and done.stdout.startswith("pyopenai-ps ")


def test_demo_needs_no_key_and_no_network():
    env = environment(None, OPENAI_API_BASE="http://127.0.0.1:9/v1")  # a port nothing listens on
    del env["OPENAI_API_KEY"]
    done = run_main(None, "demo", env=env)
    assert done.returncode == 0, done.stderr
    assert "PS> Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'" in done.stdout
    assert "PS> Get-ThreadRun -Thread 'thread_abc123' -All" in done.stdout
    assert all(run_id in done.stdout for run_id in SEED_RUNS)


def test_serve_runs_the_bundled_server_in_the_foreground():
    from cli_support import read_line

    env = environment(None)
    proc = subprocess.Popen([*cli(), "serve", "--port", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = read_line(proc.stdout, 20)
        assert line.startswith("Serving on http://127.0.0.1:")
        base = line.split()[-1]
        assert base.endswith("/v1")
        # printed and flushed with the first line, so it is already read into the pipe's buffer
        assert proc.stdout.readline() == "Set OPENAI_API_BASE to that address; any API key works. Ctrl-C stops it.\n"
        done = run_main(None, *EXAMPLE_1, env=environment(base))
        assert done.returncode == 0, done.stderr
        assert json_lines(done.stdout)[0]["status"] == "completed"
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize("port", ["99999", "-5", "abc", "65536"])
def test_serve_refuses_a_bad_port_in_one_line(port):
    done = run_main(None, "serve", "--port", port)
    assert done.returncode == 2
    assert done.stderr == (f"pyopenai-ps serve: argument --port: a port is a number from 0 to 65535 (0: any free "
                           f"port), not '{port}' (see --help)\n")
    assert done.stdout == ""


def test_serve_help_names_the_command():
    done = run_main(None, "serve", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: pyopenai-ps serve ")
    assert "--seed-runs THREAD=N" in done.stdout


def test_serve_on_a_taken_port_is_one_line_and_exit_1(srv):
    port = srv.base_url.split(":")[-1].split("/")[0]
    done = run_main(None, "serve", "--port", port)
    assert done.returncode == 1
    assert done.stderr.startswith(f"pyopenai-ps serve: cannot listen on 127.0.0.1:{port}: ")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_hot_path_imports_neither_server_nor_argparse(srv):
    done = run(srv, *EXAMPLE_1, env=environment(srv.base_url, PYTHONPROFILEIMPORTTIME="1"))
    assert done.returncode == 0
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "pyopenai_ps.runtime" in imported
    assert not {"argparse", "pyopenai_ps.server", "pyopenai_ps.demo", "pyopenai_ps.syntax"} & imported

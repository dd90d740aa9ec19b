"""``pyopenai-ps`` on a terminal (a pseudo-terminal): the list view, the progress line, colours, the pager."""

from __future__ import annotations

import re
import sys

import pytest
from cli_support import cli, environment, run_on_terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")

PROGRESS = re.compile(r"\rGet-ThreadRun: (\d+) pages?, (\d+) objects?")


def test_a_terminal_gets_the_list_view(srv):
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "-RunID", "run_abc123", "-Thread", "thread_abc123"],
                                   environment(srv.base_url))
    assert code == 0, out
    lines = out.splitlines()
    assert re.fullmatch(r"id\s+: run_abc123", lines[0])
    assert any(re.fullmatch(r"status\s+: completed", line) for line in lines)
    assert any(re.fullmatch(r"created_at\s+: 2023-11-14 22:21:20Z", line) for line in lines)
    assert "{" not in lines[0]  # not JSON


def test_a_long_listing_shows_progress_on_the_terminal_then_clears_it(srv):
    srv.store.add_runs("thread_abc456", 250)
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "-Thread", "thread_abc456", "-All"],
                                   environment(srv.base_url))
    assert code == 0, out[-500:]
    seen = [(int(p), int(o)) for p, o in PROGRESS.findall(out)]
    assert seen == [(1, 100), (2, 200), (3, 250)]
    last = out.rindex("\rGet-ThreadRun: 3 pages, 250 objects")
    width = len("Get-ThreadRun: 3 pages, 250 objects")
    assert "\r" + " " * width + "\r" in out[last:]  # rubbed out at the end
    assert len(re.findall(r"^id\s+: ", out.replace("\r", "\n"), re.MULTILINE)) == 250


def test_progress_action_silently_continue_turns_it_off(srv):
    srv.store.add_runs("thread_abc456", 150)
    code, out, _ = run_on_terminal(
        [*cli(), "Get-ThreadRun", "thread_abc456", "-All", "-ProgressAction", "SilentlyContinue"],
        environment(srv.base_url))
    assert code == 0
    assert "pages" not in out


def test_no_progress_when_stderr_is_not_a_terminal(srv):
    srv.store.add_runs("thread_abc456", 150)
    code, out, err = run_on_terminal([*cli(), "Get-ThreadRun", "thread_abc456", "-All"],
                                     environment(srv.base_url), stderr_pipe=True)
    assert code == 0
    assert "pages" not in out and "pages" not in err
    assert err == ""


def test_messages_on_the_terminal_do_not_mix_with_the_progress_line(srv):
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "thread_nope", "-All"], environment(srv.base_url))
    assert code == 1
    assert out.endswith("Get-ThreadRun: OpenAI API returned an 404 (Not Found) Error: "
                        "No thread found with id 'thread_nope'.\n")
    assert "Traceback" not in out


# --- wrapping, colours and the pager --------------------------------------------------------------


def test_a_long_list_value_wraps_under_the_value_column(srv):
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "-RunID", "run_abc123", "-Thread", "thread_abc123"],
                                   environment(srv.base_url), columns=40)
    assert code == 0, out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("instructions"))
    value_column = lines[at].index(" : ") + 3
    assert value_column == len("max_completion_tokens : ")
    pieces = [lines[at][value_column:]]
    for line in lines[at + 1:]:
        if not line.startswith(" " * value_column):
            break
        pieces.append(line[value_column:])  # under the value, not at column 0
    assert len(pieces) > 1 and " ".join(pieces) == "You are a helpful assistant."
    assert max(len(line) for line in lines) <= 40


ERROR_RED = "\x1b[31;1m"
WARNING_YELLOW = "\x1b[33;1m"


def test_errors_warnings_and_verbose_lines_take_powershell_7_colours(srv):
    srv.store.add_runs("thread_abc456", 25)
    env = environment(srv.base_url)
    env.pop("NO_COLOR", None)
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "thread_nope"], env, term="xterm-256color")
    assert code == 1
    assert ERROR_RED + "Get-ThreadRun: OpenAI API returned an 404 (Not Found) Error: " in out
    assert out.rstrip("\n").endswith("\x1b[0m")
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "thread_abc456", "-Verbose"], env, term="xterm")
    assert code == 0
    assert WARNING_YELLOW + "WARNING: There is more data that has not been retrieved.\x1b[0m" in out
    assert WARNING_YELLOW + "VERBOSE: GET " in out
    objects = [line for line in out.splitlines() if line.startswith(("id ", "status "))]
    assert objects and not any("\x1b[" in line for line in objects)  # the objects themselves are not coloured


def test_usage_errors_are_coloured_too(srv):
    code, out, _ = run_on_terminal([*cli(), "--format", "xml", "Get-ThreadRun"], environment(srv.base_url),
                                   term="xterm")
    assert code == 2
    assert out.startswith(ERROR_RED + "pyopenai-ps: unknown format 'xml': use list, table, json or jsonl.\x1b[0m\n")


@pytest.mark.parametrize("setting", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["NO_COLOR", "TERM=dumb"])
def test_no_colour_when_asked(srv, setting):
    env = {**environment(srv.base_url), **setting}
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "thread_nope"], env,
                                   term=setting.get("TERM", "xterm"))
    assert code == 1 and "\x1b[" not in out


def test_no_colour_when_stderr_is_not_a_terminal(srv):
    env = environment(srv.base_url)
    code, _, err = run_on_terminal([*cli(), "Get-ThreadRun", "thread_nope"], env, stderr_pipe=True, term="xterm")
    assert code == 1
    assert err.startswith("Get-ThreadRun: OpenAI API returned an 404") and "\x1b[" not in err


def test_help_goes_through_the_pager_on_a_terminal(srv, tmp_path):
    env = {**environment(srv.base_url), "PAGER": "sed s/^/PAGED:/"}
    code, out, _ = run_on_terminal([*cli(), "help", "Get-ThreadRun"], env)
    assert code == 0
    lines = [line for line in out.splitlines() if line]
    assert lines[0] == "PAGED:NAME" and all(line.startswith("PAGED:") for line in lines)
    code, out, _ = run_on_terminal([*cli(), "Get-ThreadRun", "-?"], env)
    assert out.splitlines()[0] == "PAGED:NAME"


def test_a_missing_pager_or_an_empty_one_shows_the_help_directly(srv):
    for pager in ("no-such-pager-anywhere", ""):
        env = {**environment(srv.base_url), "PAGER": pager}
        code, out, _ = run_on_terminal([*cli(), "help", "Get-ThreadRun"], env)
        assert code == 0 and out.startswith("NAME\n    Get-ThreadRun\n")

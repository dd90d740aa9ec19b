"""``pyopenai-ps`` on a terminal (a pseudo-terminal): the list view and the progress line."""

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

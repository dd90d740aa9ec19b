"""``pyopenai-ps`` with runs, in real processes: streamed text written as it comes (plain text on a terminal,
JSON lines in a pipe), a wait's status line on a terminal's stderr, -Verbose polls, Ctrl-C, and processes
joined by pipes.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

import pytest
from cli_support import TIMEOUT, cli, environment, read_line, run, run_on_terminal

import pyopenai_ps as ps
from pyopenai_ps.server import Fault, Progression

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes, pipes and pseudo-terminals")

STREAM = ["Start-ThreadRun", "-Thread", "thread_abc456", "-Assistant", "asst_abc123", "-Stream"]
REPLY = ["Hello! H", "ow can I", " help yo", "u today?"]


class Hold:
    """The server's wait of a stream_pause fault: it holds the stream until the test lets go."""

    def __init__(self, server) -> None:
        self.held, self.go_on = threading.Event(), threading.Event()
        server.sleep = self
        server.inject(Fault.stream_pause(5, every=8))  # before the second delta

    def __call__(self, seconds: float) -> None:
        self.held.set()
        self.go_on.wait(TIMEOUT)


@pytest.fixture
def held(srv):
    hold = Hold(srv)
    yield hold
    hold.go_on.set()
    srv.sleep = time.sleep


def _new_run(srv, thread: str = "thread_abc456"):
    """A queued run made in this process (the server's store moves it one status per GET)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ps, "OPENAI_API_BASE", srv.base_url)
        patch.setattr(ps, "OPENAI_API_KEY", "sk-test-runs-0123456789")
        return ps.start_thread_run(thread_id=thread, assistant="asst_abc123")


def test_streamed_text_on_a_terminal_is_plain_text_with_one_line_break(srv):
    code, out, _ = run_on_terminal([*cli(), *STREAM], environment(srv.base_url))
    assert code == 0 and out == "".join(REPLY) + "\n"


def test_each_piece_reaches_a_terminal_as_it_comes(srv, held):
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([*cli(), *STREAM], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env={**environment(srv.base_url), "TERM": "dumb"}, close_fds=True)
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + TIMEOUT
        while REPLY[0].encode() not in seen:
            assert time.monotonic() < deadline, seen
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                seen += os.read(master, 1024)
        assert held.held.wait(TIMEOUT) and seen.decode() == REPLY[0]  # no line break yet, the rest still held
        held.go_on.set()
        while True:
            ready, _, _ = select.select([master], [], [], TIMEOUT)
            try:
                data = os.read(master, 1024) if ready else b""
            except OSError:
                break
            if not data:
                break
            seen += data
        assert proc.wait(TIMEOUT) == 0
        assert seen.decode().replace("\r\n", "\n") == "".join(REPLY) + "\n"
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_each_piece_is_a_json_line_flushed_into_a_pipe(srv, held):
    proc = subprocess.Popen([*cli(), *STREAM], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment(srv.base_url))
    try:
        assert json.loads(read_line(proc.stdout, TIMEOUT)) == REPLY[0]
        assert held.held.wait(TIMEOUT)  # the server holds the rest until the test lets go
        held.go_on.set()
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
        assert [json.loads(line) for line in out.splitlines()] == REPLY[1:]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_error_event_keeps_what_was_written(srv):
    srv.inject(Fault.stream_error(after_events=9, message="The model is overloaded."))
    done = run(srv, *STREAM)
    assert done.returncode == 1
    assert [json.loads(line) for line in done.stdout.splitlines()] == REPLY[:2]
    assert done.stderr == "Start-ThreadRun: The event stream reported an error: The model is overloaded.\n"


def test_a_wait_shows_the_status_on_a_terminal_and_clears_it(srv):
    run_id = _new_run(srv).id
    line = f"Wait-ThreadRun -Run @{{id='{run_id}'; thread_id='thread_abc456'; status='queued'}}"
    code, out, _ = run_on_terminal([*cli(), "-c", line], environment(srv.base_url))
    assert code == 0, out
    shown = re.findall(r"\rWait-ThreadRun: (run_\w+) is (\w+) \((\d+\.\d) s\)", out)
    assert [(r, s) for r, s, _ in shown] == [(run_id, "queued"), (run_id, "in_progress")]
    assert float(shown[0][2]) == 0.0 and float(shown[1][2]) >= 0.2
    last = out.rindex("\rWait-ThreadRun: ")
    width = len(f"Wait-ThreadRun: {run_id} is in_progress ({shown[1][2]} s)")
    assert "\r" + " " * width + "\r" in out[last:]  # rubbed out before the run is shown
    assert re.search(r"^status\s+: completed$", out, re.MULTILINE)


def test_no_status_line_when_stderr_is_not_a_terminal_and_verbose_logs_each_poll(srv):
    run_id = _new_run(srv).id
    done = run(srv, "Wait-ThreadRun", "-Verbose", input=json.dumps({"id": run_id, "thread_id": "thread_abc456",
                                                                   "status": "queued"}))
    assert done.returncode == 0, done.stderr
    assert "Wait-ThreadRun: run_" not in done.stderr
    assert f"VERBOSE: The status of {run_id} is queued; waiting." in done.stderr.splitlines()
    assert f"VERBOSE: The status of {run_id} is in_progress; waiting." in done.stderr.splitlines()
    assert json.loads(done.stdout)["status"] == "completed"


def test_ctrl_c_ends_a_wait_cleanly(srv):
    srv.store.progression = Progression.manual()  # the run never finishes
    run_id = _new_run(srv).id
    proc = subprocess.Popen([*cli(), "-c", f"Get-ThreadRun -Thread thread_abc456 -RunId {run_id} | "
                                           "Wait-ThreadRun -Verbose"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(srv.base_url))
    try:
        while "waiting." not in read_line(proc.stderr, TIMEOUT):
            pass
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 130 and out == ""
        assert "Traceback" not in err and "KeyboardInterrupt" not in err
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_run_started_in_one_process_is_received_in_the_next(srv):
    """``pyopenai-ps Start-ThreadRun -Message hi ... | pyopenai-ps Receive-ThreadRun -Wait``."""
    env = environment(srv.base_url)
    start = subprocess.Popen([*cli(), "Start-ThreadRun", "-Message", "hi", "-Assistant", "asst_abc123"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    receive = subprocess.run([*cli(), "Receive-ThreadRun", "-Wait"], stdin=start.stdout, capture_output=True,
                             text=True, env=env, timeout=TIMEOUT)
    start.stdout.close()
    assert start.wait(TIMEOUT) == 0 and receive.returncode == 0, receive.stderr
    thread = json.loads(receive.stdout)
    simple = [part for message in thread["Messages"] for part in message["SimpleContent"]]
    assert [(p["Role"], p["Content"]) for p in simple] == [("user", "hi"), ("assistant", "You said: hi")]


def test_a_thread_piped_in_picks_the_run_set(srv):
    """``pyopenai-ps New-Thread | pyopenai-ps Start-ThreadRun -Assistant a | pyopenai-ps Receive-ThreadRun -Wait``:
    without the pipe the default set (a new thread and run) would want -Message; a piped thread completes the
    Run set, so standard input is read."""
    env = environment(srv.base_url)
    first = subprocess.Popen([*cli(), "New-Thread"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    second = subprocess.Popen([*cli(), "Start-ThreadRun", "-Assistant", "asst_abc123"], stdin=first.stdout,
                              stdout=subprocess.PIPE, env=env)
    first.stdout.close()
    third = subprocess.run([*cli(), "Receive-ThreadRun", "-Wait"], stdin=second.stdout, capture_output=True,
                           text=True, env=env, timeout=TIMEOUT)
    second.stdout.close()
    assert first.wait(TIMEOUT) == 0 and second.wait(TIMEOUT) == 0 and third.returncode == 0, third.stderr
    thread = json.loads(third.stdout)
    assert [(r.method, r.path) for r in srv.requests][:2] == [("POST", "/v1/threads"),
                                                             ("POST", f"/v1/threads/{thread['id']}/runs")]
    assert [m["role"] for m in thread["Messages"]] == ["assistant"]
    assert run(srv, "Start-ThreadRun", "-Assistant", "asst_abc123").returncode == 2  # no pipe: -Message is missing


NEEDS = [name for name in ("New-Thread", "Add-ThreadMessage") if name not in ps.get_commands()]


@pytest.mark.skipif(bool(NEEDS), reason="needs New-Assistant/Add-ThreadMessage")
def test_the_issue_s_pipe_of_four_processes(srv):
    """``pyopenai-ps New-Thread | pyopenai-ps Add-ThreadMessage -Message hi -PassThru |
    pyopenai-ps Start-ThreadRun -Assistant asst_x | pyopenai-ps Receive-ThreadRun -Wait``."""
    env = environment(srv.base_url)
    words = [["New-Thread"], ["Add-ThreadMessage", "-Message", "hi", "-PassThru"],
             ["Start-ThreadRun", "-Assistant", "asst_abc123"], ["Receive-ThreadRun", "-Wait"]]
    procs: list[subprocess.Popen] = []
    stdin = subprocess.DEVNULL
    for args in words:
        proc = subprocess.Popen([*cli(), *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env)
        if procs:
            procs[-1].stdout.close()  # only the next process reads it now
        procs.append(proc)
        stdin = proc.stdout
    out, err = procs[-1].communicate(timeout=TIMEOUT)
    for proc in procs[:-1]:
        assert proc.wait(TIMEOUT) == 0, proc.stderr.read()
    assert procs[-1].returncode == 0, err
    thread = json.loads(out)
    assert [(m["role"], m["SimpleContent"][0]["Content"]) for m in thread["Messages"]] == [
        ("user", "hi"), ("assistant", "You said: hi")]
    assert [r.method + " " + r.path for r in srv.requests][:2] == ["POST /v1/threads",
                                                                   f"POST /v1/threads/{thread['id']}/messages"]

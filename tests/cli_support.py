"""Helpers for the CLI tests: run ``pyopenai-ps`` in this process, in subprocesses and on a pseudo-terminal.

:func:`run_main` calls ``pyopenai_ps.cli.main(argv)`` in this process with its own environment,
standard input and captured output, and answers like :func:`run` (a ``CompletedProcess``), so a
test moves between the two by changing one name.  Real processes stay for what needs them: pipes
between processes, signals, the terminal, the console script and import timing.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import subprocess
import threading
import sys
import time
from pathlib import Path

import pytest

import pyopenai_ps
from pyopenai_ps.server import LocalServer

SCRIPT = Path(sys.executable).parent / "pyopenai-ps"
KEY = "sk-proj-CLIkeyNEVERshown0123456789abcdefXYZ"
TIMEOUT = 30


EXAMPLE_1 = ["Get-ThreadRun", "-RunID", "run_abc123", "-Thread", "thread_abc123"]
EXAMPLE_2 = ["Get-ThreadRun", "-Thread", "thread_abc123", "-All"]
SEED_RUNS = [f"run_abc{n}" for n in range(116, 124)]


def paths(server) -> list[str]:
    """The paths the server was asked for, in order."""
    return [r.path for r in server.requests]


def cli() -> list[str]:
    """The installed console script, or ``python -m pyopenai_ps`` from a source tree."""
    if SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-m", "pyopenai_ps"]


def environment(base_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PYTHONPROFILE"))}
    if not SCRIPT.exists():
        # `python -m` must import the same package this test process imports
        source = str(Path(pyopenai_ps.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
    if base_url is not None:
        env["OPENAI_API_BASE"] = base_url
    env["OPENAI_API_KEY"] = KEY
    env["COLUMNS"] = "120"
    env.update(extra)
    return env


def run(server, *args: str, input: str | None = None, env: dict[str, str] | None = None,
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """One CLI process with stdout/stderr piped; stdin is /dev/null unless ``input`` is given."""
    return subprocess.run(
        [*cli(), *args],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env or environment(server.base_url if server is not None else None),
        timeout=timeout,
    )


@contextlib.contextmanager
def _environment(env: dict[str, str]):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_main(server, *args: str, input: str | None = None, env: dict[str, str] | None = None,
             timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``pyopenai-ps args...`` run in this process: the same answer as :func:`run`, without a process.

    The environment is exactly ``env`` (as for the subprocess) while it runs; standard input is
    ``input`` (or /dev/null); retry waits are recorded in ``server.slept`` (when there is a
    server), never slept.  ``timeout`` is accepted for symmetry with :func:`run` and not used.
    """
    from pyopenai_ps.cli import main

    env = env or environment(server.base_url if server is not None else None)
    out, err = io.StringIO(), io.StringIO()
    slept: list[float] = []
    stdin = io.StringIO(input) if input is not None else open(os.devnull, encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    pyopenai_ps.configure(sleeper=slept.append)
    try:
        with _environment(env):
            sys.stdin, sys.stdout, sys.stderr = stdin, out, err
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse (serve's options) exits
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        stdin.close()
        pyopenai_ps.configure()
    if server is not None:
        server.slept = slept
    return subprocess.CompletedProcess([*cli(), *args], code, out.getvalue(), err.getvalue())


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run_on_terminal(args: list[str], env: dict[str, str], *, stderr_pipe: bool = False,
                    timeout: float = TIMEOUT, term: str = "dumb", columns: int = 120,
                    cwd: str | os.PathLike | None = None) -> tuple[int, str, str]:
    """Run with stdout (and stderr unless ``stderr_pipe``) on a pseudo-terminal; read it to the end.

    ``TERM`` is ``dumb`` (no colours) unless ``term`` says otherwise; the width is ``columns``.
    """
    import pty

    master, slave = pty.openpty()
    env = {**env, "TERM": term, "COLUMNS": str(columns)}
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE if stderr_pipe else slave, env=env, close_fds=True, cwd=cwd)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no end of output within {timeout} s: {b''.join(chunks)[-500:]!r}")
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal has gone
                break
            if not data:
                break
            chunks.append(data)
        err = proc.stderr.read().decode() if stderr_pipe else ""
        proc.wait(timeout=timeout)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    # the terminal turns "\n" into "\r\n"; lone "\r" (the progress line) stays
    return proc.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), err


def read_line(stream, timeout: float) -> str:
    """One line from a pipe, or an AssertionError after ``timeout`` seconds.

    Read in a helper thread, not after select(): select() sees only the pipe, not lines already
    in the reader's buffer, and would wait for more although a line is at hand."""
    got: list = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not got:
        raise AssertionError(f"no line within {timeout} s")
    return got[0]


@pytest.fixture(scope="module")
def cli_server():
    """One bundled server per module; ``srv`` below resets it for every test."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def srv(cli_server):
    cli_server.reset()
    return cli_server

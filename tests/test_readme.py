"""README, run: every code block is run by a test here, and the results it shows are checked.

* ``pycon`` blocks are one doctest session, in README's order (they start the bundled server and
  point the package at it themselves); ``...`` in an output matches anything.
* ``console`` blocks: each ``$ command`` runs in ``sh`` on a pseudo-terminal, as a reader would
  type it, in a copy of the checkout, and what it prints (stdout and stderr, as the terminal shows
  them) must match the lines under it (``...`` matches anything).  The ``serve`` block starts the
  real server the other blocks talk to; ``8080`` stands for its port and ``/tmp/`` for a temporary
  folder.  ``export`` lines set the environment of the block's later commands.
* The ``yaml`` block is a complete spec: it loads, its examples bind, and the session runs it.
* ``sh`` blocks show commands without output: the two set-up commands run in a fresh copy of the
  checkout (with ``pytest`` asked to collect only, not to run this suite inside itself); each
  ``pytest`` command of "What is tested" must collect tests; the benchmark and contract commands
  are checked for the options, extras and variables they name (the harness itself runs in
  test_bench_smoke.py; the contract needs Node.js and OpenAI's document).

A block no check claims fails :func:`test_every_block_is_checked`.  Skipped when README is not
beside the tests (an installed package's tests).
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

import pyopenai_ps as ps

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
COLUMNS = 100

pytestmark = pytest.mark.skipif(not README.exists() or not (ROOT / "tools").is_dir(),
                                reason="README.md and tools/ are not beside the tests")


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # of the first line inside the fence

    @property
    def where(self) -> str:
        return f"README.md:{self.line}"


def readme_blocks() -> list[Block]:
    if not README.exists():
        return []
    text = README.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```$", text, flags=re.S | re.M):
        found.append(Block(match.group(1), match.group(2), text.count("\n", 0, match.start(2)) + 1))
    return found


BLOCKS = readme_blocks()


def blocks(lang: str) -> list[Block]:
    return [b for b in BLOCKS if b.lang == lang]


# --- checking output ---------------------------------------------------------------------------


def matches(want: str, got: str) -> bool:
    return doctest.OutputChecker().check_output(want.rstrip("\n") + "\n", got.rstrip("\n") + "\n",
                                                doctest.ELLIPSIS)


def on_screen(text: str) -> str:
    """What a terminal shows of ``text``: a carriage return writes over the line from its start."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        cells: list[str] = []
        for piece in raw.split("\r"):
            for i, ch in enumerate(piece):
                if i < len(cells):
                    cells[i] = ch
                else:
                    cells.append(ch)
        lines.append("".join(cells).rstrip())
    return "\n".join(lines).strip("\n")


# --- the pycon session ---------------------------------------------------------------------------


SPEC_FILE = "Get-ThreadRunDemo.yaml"


def test_the_python_session(tmp_path, monkeypatch, transport_with, scratch_registry):
    for name in ("OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_ORGANIZATION"):
        monkeypatch.delenv(name, raising=False)
    for name in ("OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_ORGANIZATION"):
        monkeypatch.setattr(ps, name, None)  # README sets them; they are put back afterwards
    slept: list[float] = []
    transport_with(sleeper=slept.append)  # the retry example's wait is recorded, not slept
    [spec] = spec_blocks()
    (tmp_path / SPEC_FILE).write_text(spec.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sessions = blocks("pycon")
    assert sessions, "README has no Python examples"
    globs: dict[str, object] = {"__name__": "readme"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    try:
        for block in sessions:
            test = parser.get_doctest(block.text, globs, block.where, str(README), block.line - 1)
            runner.run(test, clear_globs=False)
            globs = test.globs  # a DocTest works on a copy: the next block continues from this one
    finally:
        server = globs.get("server")
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} README example(s) failed (see the output above)"
    assert results.attempted > 40
    assert slept == [pytest.approx(0.01)]  # the 429 example waited as retry-after-ms said


def test_the_spec_block_loads_and_its_examples_bind(tmp_path, scratch_registry):
    [spec] = spec_blocks()
    path = tmp_path / SPEC_FILE
    path.write_text(spec.text, encoding="utf-8")
    command = ps.load_spec(path)
    assert command.name == "Get-ThreadRunDemo" and command.spec.view.table == ("id", "status", "created_at")
    assert [ps.bind(example.code).parameter_set for example in command.spec.examples] == ["Get", "List"]


def spec_blocks() -> list[Block]:
    """The yaml block that is a whole spec (the others are parts of an operation, starting with a comment)."""
    return [b for b in blocks("yaml") if not b.text.startswith("#")]


def snippet_blocks() -> list[Block]:
    return [b for b in blocks("yaml") if b.text.startswith("#")]


SNIPPET_SPEC = """
name: Test-Snippet
parameters:
{parameters}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /things/{{thread_id}}
      path_values: {{thread_id: {{parameter: Id}}}}
{operation}
"""


@pytest.mark.parametrize("block", snippet_blocks(), ids=lambda b: b.where)
def test_each_operation_snippet_loads_in_a_spec(block):
    """A snippet of an operation, put in a spec that declares the parameters it names, loads cleanly."""
    import yaml

    from pyopenai_ps.spec.load import load_spec_text

    data = yaml.safe_load(block.text)
    names = set(re.findall(r"\b(?:parameter|each|read_id|when|unless|out_file|include)\W+([A-Z][A-Za-z]+)",
                           block.text))
    names |= set(re.findall(r"\{equals: \{([A-Z][A-Za-z]+):", block.text))
    names |= {"Id", "InputObject"}
    parameters = "\n".join(f"  - {{name: {n}, type: Object}}" for n in sorted(names))
    operation = "\n".join("      " + line for line in yaml.safe_dump(data, sort_keys=False).splitlines())
    if "variants" in data:  # the variant's path needs its own placeholder value
        operation = operation.replace("path: /threads/{thread_id}", "path: /things/{thread_id}")
    spec = load_spec_text(SNIPPET_SPEC.format(parameters=parameters, operation=operation), source=block.where)
    assert spec.operation is not None


# --- console blocks ---------------------------------------------------------------------------


@dataclass
class Step:
    command: str
    want: str


def steps(block: Block) -> list[Step]:
    found: list[Step] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            found.append(Step(line[2:], ""))
        else:
            assert found, f"{block.where}: output before any command"
            found[-1].want += line + "\n"
    return found


def checkout_copy(destination: Path) -> Path:
    """The checkout's files (no virtual environment, caches or builds) under ``destination``."""
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "build", "*.egg-info", ".mypy_cache",
                                    ".pytest_cache", ".hypothesis", "dist")
    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "PYOPENAI_PS_", "NO_COLOR", "PYTHONPROFILE"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # pyopenai-ps and python of this environment
    env["PAGER"] = "cat"  # what a pager shows once it is done
    return env


@pytest.fixture(scope="module")
def readme_world(tmp_path_factory):
    """A copy of the checkout, and the server README's serve block starts (checked on the way)."""
    copy = checkout_copy(tmp_path_factory.mktemp("readme") / "checkout")
    scratch = tmp_path_factory.mktemp("scratch")
    serve = [b for b in blocks("console") if steps(b)[0].command.startswith("pyopenai-ps serve")]
    assert len(serve) == 1, "README shows how to start the server once"
    [step] = steps(serve[0])
    port = free_port()
    command = step.command.replace("8080", str(port))
    proc = subprocess.Popen(command, shell=True, cwd=copy, env=base_environment(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        shown = [proc.stdout.readline() for _ in step.want.splitlines()]
        assert "".join(shown) == step.want.replace("8080", str(port)), f"{serve[0].where}: {shown}"
        yield {"copy": copy, "port": port, "scratch": scratch, "serve": serve[0]}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
        proc.stdout.close()


def reset(port: int) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__control/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10) as answer:
        json.loads(answer.read())


def run_block(block: Block, world: dict) -> list[str]:
    """Run a console block's commands; the mismatches, as messages."""
    from cli_support import run_on_terminal

    port, scratch = str(world["port"]), f"{world['scratch']}/"
    env = {**base_environment(), "OPENAI_API_BASE": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": "sk-readme"}
    problems = []
    for step in steps(block):
        command = step.command.replace("8080", port).replace("/tmp/", scratch)
        want = step.want.replace("8080", port).replace("/tmp/", scratch)
        if command.startswith("export "):
            for word in shlex.split(command)[1:]:
                name, _, value = word.partition("=")
                env[name] = value
            assert not want, f"{block.where}: an export prints nothing"
            continue
        code, out, _ = run_on_terminal(["sh", "-c", command], env, term="dumb", columns=COLUMNS,
                                       cwd=world["copy"])
        got = on_screen(out)
        if not matches(want, got):
            problems.append(f"{block.where}: $ {step.command}\n--- README shows:\n{step.want}--- it printed:\n{got}\n")
    return problems


RUNNABLE = [b for b in blocks("console") if not steps(b)[0].command.startswith("pyopenai-ps serve")]


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")
@pytest.mark.parametrize("block", RUNNABLE, ids=[b.where for b in RUNNABLE])
def test_console_block(block, readme_world):
    if "curl " in block.text and shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    reset(readme_world["port"])
    problems = run_block(block, readme_world)
    assert not problems, "\n".join(problems)


# --- sh blocks: commands shown without output ---------------------------------------------------


def sh_commands() -> list[tuple[Block, str]]:
    return [(b, line.split("  #", 1)[0].strip()) for b in blocks("sh") for line in b.text.splitlines()
            if line.strip()]


SETUP = [(b, c) for b, c in sh_commands() if c.startswith("python3 -m venv")]
PYTEST = [(b, c) for b, c in sh_commands() if c.startswith(".venv/bin/pytest") and not c.startswith("python3")]
BENCH = [(b, c) for b, c in sh_commands() if "tools/bench.py" in c]
CONTRACT = [(b, c) for b, c in sh_commands() if "prism" in c or "PYOPENAI_PS_CONTRACT" in c]


def test_the_two_setup_commands_in_a_fresh_copy(tmp_path):
    """The set-up commands as written, in a new copy of the checkout with its own virtual environment;
    the test command collects the tests instead of running this suite inside itself."""
    assert [c for _, c in SETUP] == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/pyopenai-ps demo",
        "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/pytest -q",
    ]
    copy = checkout_copy(tmp_path / "fresh")
    env = {**base_environment(), "PYTEST_ADDOPTS": "--collect-only -p no:cacheprovider"}
    demo = subprocess.run(SETUP[0][1], shell=True, cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "PS> Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'" in demo.stdout
    assert demo.stdout.rstrip().endswith("# 2 examples, 2 requests, 9 objects")
    tests = subprocess.run(SETUP[1][1], shell=True, cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    assert tests.returncode == 0, (tests.stdout + tests.stderr)[-3000:]
    collected = re.search(r"(\d+) tests? collected", tests.stdout)
    assert collected and int(collected.group(1)) > 500, tests.stdout[-2000:]
    assert (copy / ".venv" / "bin" / "pyopenai-ps").exists()


@pytest.mark.parametrize("command", [c for _, c in PYTEST], ids=[c for _, c in PYTEST])
def test_each_pytest_command_collects_tests(command):
    words = shlex.split(command)
    assert words[:2] == [".venv/bin/pytest", "-q"]
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *words[2:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.search(r"\d+ tests? collected", done.stdout), done.stdout[-500:]


def test_the_benchmark_commands_name_what_exists():
    assert [c for _, c in BENCH] == [
        ".venv/bin/pip install -q '.[bench]' && .venv/bin/python tools/bench.py",
        ".venv/bin/python tools/bench.py --quick",
    ]
    assert re.search(r"^bench =", (ROOT / "setup.cfg").read_text(encoding="utf-8"), flags=re.M)
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "bench.py"), "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "--quick" in done.stdout


def test_the_contract_commands_name_what_exists():
    npm, pytest_line = (c for _, c in CONTRACT)
    version = re.search(r"@stoplight/prism-cli@([\d.]+)", npm).group(1)
    conftest = (ROOT / "tests" / "contract" / "conftest.py").read_text(encoding="utf-8")
    assert f"@stoplight/prism-cli@{version}" in conftest and '"$HOME/.cache/pyopenai-ps-prism"' in npm
    for variable in ("PYOPENAI_PS_CONTRACT", "PYOPENAI_PS_OPENAPI"):
        assert variable in pytest_line and variable in conftest + (ROOT / "tests" / "contract" / "prism_env.py"
                                                                    ).read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-m", "contract", "tests/contract"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    # without PYOPENAI_PS_CONTRACT=1 the modules skip themselves at collection, naming the switch
    assert done.returncode in (0, 5), done.stdout[-500:]
    assert "tests/contract/test_openai_contract.py" in done.stdout and "PYOPENAI_PS_CONTRACT=1" in done.stdout


# --- nothing unchecked ----------------------------------------------------------------------------


def test_every_block_is_checked():
    claimed = {id(b) for b in blocks("pycon") + blocks("yaml") + blocks("console")}
    claimed |= {id(b) for b, _ in SETUP + PYTEST + BENCH + CONTRACT}
    unclaimed = [f"{b.where} ({b.lang or 'no language'})" for b in BLOCKS if id(b) not in claimed]
    assert not unclaimed, f"README blocks no test runs: {unclaimed}"
    every_sh = {(id(b), c) for b, c in sh_commands()}
    checked = {(id(b), c) for b, c in SETUP + PYTEST + BENCH + CONTRACT}
    assert every_sh == checked, f"sh commands no test runs: {sorted(c for _, c in every_sh - checked)}"
    assert len(spec_blocks()) == 1

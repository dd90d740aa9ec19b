#!/usr/bin/env python
"""pyopenai_ps benchmark suite: our cost, side by side with what users would otherwise use.

Usage::

    python tools/bench.py [--quick] [--rounds N] [--json FILE]

What it does, in one run:

1. starts ``tools/bench_server.py`` in its own process (standard library
   only, answers pre-rendered to bytes, so the client's cost dominates);
2. measures every figure interleaved round by round, after a warm-up: within
   a round the contenders of a figure take turns in blocks (bind 200 at a time,
   one GET 30 at a time, ``-All`` and processes one at a time: A B A B ...) and
   who goes first rotates each round, so machine drift hits every side alike.
   Per round each contender does bind x2000, one GET x300, ``-All`` x3 (the
   SDK's, at ~4 s a pass, x1), process x10; results are per operation;
3. prints a table: figure, our median, baseline median, ratio, target,
   pass/fail.  A baseline from an optional package that is not installed
   (``pip install '.[bench]'`` = click and openai) makes its row read
   "skipped: <package> not installed".

Statistics: per round, each contender's time per operation; "ours" and
"baseline" are the medians of those over the rounds; "ratio" is the median of
the per-round ratios ours/baseline (interleaving makes each round's pair see
the same machine state, so the per-round ratio is the drift-free figure).

The garbage collector stays enabled, as it is in users' programs: the
allocation-heavy rows (``-All`` over 10,000 runs) pay for it on every side
alike.  ``gc.collect()`` runs before each round of a figure, and before each
``-All`` pass, so no unit inherits much of another's garbage.

The exit status is 0 whether or not the targets are met (benchmarks are
reports, not tests); it is non-zero only when the harness itself fails.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = REPO / "tools" / "bench_server.py"
KEY = "sk-bench-0123456789abcdef"
THREAD, RUN, BIG = "thread_abc123", "run_abc123", "thread_big"
BIG_RUNS = 10_000
HEADERS = {"Authorization": f"Bearer {KEY}", "OpenAI-Beta": "assistants=v2"}

# Operations per round for each contender, default and --quick.  Within a round the
# contenders of a figure take turns in blocks of BLOCKS[...] operations (A B A B ...).
FULL = {"rounds": 7, "bind": 2000, "get": 300, "all": 3, "all_sdk": 1, "proc": 10, "mem": 3}
QUICK = {"rounds": 3, "bind": 500, "get": 60, "all": 1, "all_sdk": 1, "proc": 3, "mem": 1}
BLOCKS = {"bind": 200, "get": 30, "all": 1, "proc": 1, "mem": 1}

perf = time.perf_counter_ns

#: Optional packages to treat as not installed (--without), to see the skipped rows.
WITHOUT: set[str] = set()

#: Working directory of every child process: an empty folder, so ``python -m`` / ``-c`` do not
#: pick up modules from wherever the benchmark was started (set in main()).
CHILD_CWD: str | None = None


def missing(package: str) -> str | None:
    """"skipped: ..." when an optional package is absent (or --without names it), else None."""
    if package in WITHOUT or importlib.util.find_spec(package) is None:
        return f"skipped: {package} not installed"
    return None


def guarded(name: str, build: Callable[[], Contender]) -> Contender:
    """A baseline whose set-up fails (an SDK that changed, say) becomes a skipped row."""
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - reported in the table, not raised
        return _skip(name, f"skipped: {name} failed: {type(exc).__name__}: {str(exc)[:60]}")


# --- where the package comes from -------------------------------------------------------------


def _package_env() -> dict[str, str]:
    """Import pyopenai_ps; when it is not installed, from the source tree (and tell subprocesses)."""
    env = dict(os.environ)
    if importlib.util.find_spec("pyopenai_ps") is None:
        sys.path.insert(0, str(REPO))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _version(dist: str, module: str) -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version(dist)
    except PackageNotFoundError:
        if importlib.util.find_spec(module) is None:
            return "not installed"
        return "installed (version unknown)"


# --- the fast server ----------------------------------------------------------------------------


class FastServer:
    """``tools/bench_server.py`` in its own process; stops when we close its stdin."""

    def __init__(self, start_timeout: float = 60.0) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: a chatty server never blocks on it
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
        )
        assert self.proc.stdout is not None
        ready = True
        if os.name == "posix":
            import select

            ready = bool(select.select([self.proc.stdout], [], [], start_timeout)[0])
        line = self.proc.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self.proc.kill()
            self.proc.wait()
            self.errors.seek(0)
            err = self.errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"the fast server did not start: {line!r} {err}")
        self.port = int(line)
        self.base = f"http://127.0.0.1:{self.port}/v1"

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.errors.close()


# --- contenders and figures ---------------------------------------------------------------------


@dataclass
class Contender:
    """One side of a figure: ``unit(n)`` does n operations and returns the ns they took."""

    name: str
    unit: Callable[[int], int] | None
    repeat: int  # operations per round
    skipped: str | None = None
    block: int = 1  # operations per turn, when the contenders of a figure take turns
    samples: list[float] = field(default_factory=list)  # ns per operation, one per round

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


@dataclass
class Row:
    figure: str
    ours: Contender
    baseline: Contender
    target: float
    kind: str = "time"  # "time" or "memory"
    note: str = ""

    def skipped(self) -> str | None:
        return self.ours.skipped or self.baseline.skipped

    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours.samples, self.baseline.samples, strict=False) if b > 0]

    def ratio(self) -> float | None:
        if self.kind == "memory":
            if self.ours.median is None or self.baseline.median is None:
                return None
            return self.ours.median - self.baseline.median
        ratios = self.ratios()
        return statistics.median(ratios) if ratios else None

    def passed(self) -> bool | None:
        ratio = self.ratio()
        return None if ratio is None or self.skipped() else ratio <= self.target


def _skip(name: str, reason: str) -> Contender:
    return Contender(name, None, 0, skipped=reason)


# bind ---------------------------------------------------------------------------------------


def bind_contenders(n: int) -> tuple[Contender, Contender]:
    import pyopenai_ps

    command = pyopenai_ps.get_command("Get-ThreadRun")
    check = command.bind(run_id=RUN, thread=THREAD)
    assert check.parameter_set == "Get", check.parameter_set

    def ours(n: int) -> int:
        bind = command.bind
        t0 = perf()
        for _ in range(n):
            bind(run_id="run_abc123", thread="thread_abc123")
        return perf() - t0

    reason = missing("click")
    if reason:
        return Contender("ours", ours, n), _skip("click", reason)
    return Contender("ours", ours, n), guarded("click", lambda: click_contender(n))


def click_contender(n: int) -> Contender:
    import click

    def noop(**_: Any) -> None:
        return None

    options = [
        click.Option(["--run-id", "--runid", "run_id"], type=str),
        click.Option(["--thread", "--input-object", "--thread-id", "thread"], type=str, required=True),
        click.Option(["--limit"], type=click.IntRange(1, 100), default=20, show_default=True),
        click.Option(["--all", "all_"], is_flag=True),
        click.Option(["--after"], type=str, hidden=True),
        click.Option(["--before"], type=str, hidden=True),
        click.Option(["--order"], type=click.Choice(["asc", "desc"], case_sensitive=False), default="asc"),
        click.Option(["--timeout-sec"], type=int, default=0),
        click.Option(["--max-retry-count"], type=click.IntRange(0, 100), default=0),
        click.Option(["--api-base"], type=str),
        click.Option(["--api-key"], type=str),
        click.Option(["--organization", "--org-id", "organization"], type=str),
        click.Option(["--additional-query"], type=(str, str), multiple=True, hidden=True),
        click.Option(["--additional-headers"], type=(str, str), multiple=True, hidden=True),
    ]
    cmd = click.Command("Get-ThreadRun", params=options, callback=noop)
    ctx = cmd.make_context("x", ["--run-id", RUN, "--thread", THREAD])
    assert ctx.params["run_id"] == RUN and ctx.params["thread"] == THREAD, ctx.params

    def clicked(n: int) -> int:
        make = cmd.make_context
        t0 = perf()
        for _ in range(n):
            make("x", ["--run-id", "run_abc123", "--thread", "thread_abc123"])
        return perf() - t0

    return Contender("click", clicked, n)


# one GET ------------------------------------------------------------------------------------


def get_contenders(base: str, n: int) -> tuple[Contender, Contender, Contender]:
    import urllib3

    import pyopenai_ps

    pyopenai_ps.OPENAI_API_BASE = base
    pyopenai_ps.OPENAI_API_KEY = KEY
    check = pyopenai_ps.get_thread_run(thread_id=THREAD, run_id=RUN)
    assert check.id == RUN, check

    def ours(n: int) -> int:
        ps = pyopenai_ps
        t0 = perf()
        for _ in range(n):
            ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        return perf() - t0

    http = urllib3.PoolManager()
    url = f"{base}/threads/{THREAD}/runs/{RUN}"
    assert json.loads(http.request("GET", url, headers=HEADERS).data)["id"] == RUN

    def raw(n: int) -> int:
        request, loads = http.request, json.loads
        t0 = perf()
        for _ in range(n):
            loads(request("GET", url, headers=HEADERS).data)
        return perf() - t0

    return Contender("ours", ours, n), Contender("urllib3", raw, n), sdk_get(base, n)


def _sdk_client(base: str) -> Any:
    import openai

    warnings.simplefilter("ignore", DeprecationWarning)  # beta.threads is deprecated in newer SDKs
    return openai.OpenAI(base_url=base, api_key=KEY, max_retries=0)


def sdk_get(base: str, n: int) -> Contender:
    reason = missing("openai")
    return _skip("openai", reason) if reason else guarded("openai", lambda: _sdk_get(base, n))


def _sdk_get(base: str, n: int) -> Contender:
    client = _sdk_client(base)
    assert client.beta.threads.runs.retrieve(RUN, thread_id=THREAD).id == RUN

    def sdk(n: int) -> int:
        t0 = perf()
        for _ in range(n):
            client.beta.threads.runs.retrieve("run_abc123", thread_id="thread_abc123")
        return perf() - t0

    return Contender("openai", sdk, n)


# -All -----------------------------------------------------------------------------------------


def all_contenders(base: str, n: int, n_sdk: int) -> tuple[Contender, Contender, Contender]:
    import urllib3

    import pyopenai_ps

    first = pyopenai_ps.get_thread_run(BIG, limit=100)
    assert len(first) == 100, len(first)

    def ours(n: int) -> int:
        total = 0
        for _ in range(n):
            gc.collect()
            t0 = perf()
            runs = pyopenai_ps.get_thread_run("thread_big", all=True)
            total += perf() - t0
            assert len(runs) == BIG_RUNS, len(runs)
            del runs
        return total

    http = urllib3.PoolManager()
    list_url = f"{base}/threads/{BIG}/runs?limit=100&order=asc"

    def raw(n: int) -> int:
        total = 0
        for _ in range(n):
            gc.collect()
            t0 = perf()
            out: list[Any] = []
            after = None
            while True:
                url = list_url if after is None else f"{list_url}&after={after}"
                page = json.loads(http.request("GET", url, headers=HEADERS).data)
                out.extend(page["data"])
                if not page["has_more"]:
                    break
                after = page["last_id"]
            total += perf() - t0
            assert len(out) == BIG_RUNS, len(out)
            del out
        return total

    # Warm-up: one whole pass each (the SDK's: one page).  The first pass in a process also
    # grows the heap to hold 10,000 runs; whoever went first in round 1 would pay for that.
    ours(1)
    raw(1)
    return Contender("ours", ours, n), Contender("urllib3", raw, n), sdk_all(base, n_sdk)


def sdk_all(base: str, n: int) -> Contender:
    reason = missing("openai")
    return _skip("openai", reason) if reason else guarded("openai", lambda: _sdk_all(base, n))


def _sdk_all(base: str, n: int) -> Contender:
    client = _sdk_client(base)
    page = client.beta.threads.runs.list(BIG, limit=100, order="asc")  # warm-up: one page
    assert len(page.data) == 100

    def sdk(n: int) -> int:
        total = 0
        for _ in range(n):
            gc.collect()
            t0 = perf()
            runs = list(client.beta.threads.runs.list("thread_big", limit=100, order="asc"))
            total += perf() - t0
            assert len(runs) == BIG_RUNS, len(runs)
            del runs
        return total

    return Contender("openai", sdk, n)


# whole process ----------------------------------------------------------------------------------


def cli_command() -> tuple[list[str] | None, str]:
    """Our command line as a process, and how it was found (or why there is none)."""
    script = Path(sys.executable).parent / ("pyopenai-ps.exe" if os.name == "nt" else "pyopenai-ps")
    args = ["Get-ThreadRun", "-RunId", RUN, "-Thread", THREAD]
    if script.exists():
        return [str(script), *args], f"console script {script}"
    if importlib.util.find_spec("pyopenai_ps.__main__") is not None:
        return [sys.executable, "-m", "pyopenai_ps", *args], f"{Path(sys.executable).name} -m pyopenai_ps"
    if importlib.util.find_spec("pyopenai_ps.cli") is not None:
        code = "import sys; from pyopenai_ps.cli import main; sys.exit(main())"
        return [sys.executable, "-c", code, *args], "pyopenai_ps.cli.main() via python -c"
    return None, "skipped: no command line yet"


def process_contenders(base: str, env: dict[str, str], n: int) -> tuple[Contender, Contender, str]:
    env = dict(env, OPENAI_API_BASE=base, OPENAI_API_KEY=KEY)
    for name in ("OPENAI_ORGANIZATION", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    baseline_argv = [sys.executable, "-c", "import urllib3, yaml, attr"]

    def timed(argv: list[str]) -> int:
        t0 = perf()
        subprocess.run(argv, env=env, cwd=CHILD_CWD, stdin=subprocess.DEVNULL, capture_output=True,
                       check=False)
        return perf() - t0

    def baseline_unit(n: int) -> int:
        return sum(timed(baseline_argv) for _ in range(n))

    argv, how = cli_command()
    if argv is None:
        return _skip("ours", how), Contender("import", baseline_unit, n), how
    done = subprocess.run(argv, env=env, cwd=CHILD_CWD, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if done.returncode != 0 or RUN.encode() not in done.stdout:
        tail = (done.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        reason = f"skipped: command line failed (exit {done.returncode}): {tail[:80]}"
        return _skip("ours", reason), Contender("import", baseline_unit, n), how
    subprocess.run(baseline_argv, env=env, cwd=CHILD_CWD, check=False)  # warm the OS caches for both

    def ours_unit(n: int) -> int:
        return sum(timed(argv) for _ in range(n))

    return Contender("ours", ours_unit, n), Contender("import", baseline_unit, n), how


# peak memory ----------------------------------------------------------------------------------

# Each probe prints its peak resident set in KiB: VmHWM from /proc/self/status where there is
# one (Linux), else ru_maxrss.  ru_maxrss alone misleads on Linux: exec() carries the parent's
# high-water mark into the child's (signal->maxrss), so a child of this big benchmark process
# would report at least the benchmark's own RSS.  VmHWM belongs to the exec'd image only.
_PEAK = """
def _peak_kib():
    import resource, sys
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]), "VmHWM"
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (rss // 1024 if sys.platform == "darwin" else rss), "ru_maxrss"
"""

_IDLE = _PEAK + """
import pyopenai_ps
print(*_peak_kib())
"""

_STREAM = _PEAK + """
import sys
import pyopenai_ps
pyopenai_ps.OPENAI_API_BASE = sys.argv[1]
pyopenai_ps.OPENAI_API_KEY = sys.argv[2]
count = 0
for run in pyopenai_ps.get_command("Get-ThreadRun").stream("thread_big", all=True):
    count += 1
del run
assert count == 10000, count
print(*_peak_kib())
"""

PEAK_SOURCE: list[str] = []  # which measure the probes used


def _peak_mb(code: str, env: dict[str, str], *args: str) -> float:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=CHILD_CWD, capture_output=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory probe failed: {done.stderr.decode(errors='replace')[-500:]}")
    kib, source = done.stdout.split()[-2:]
    if source.decode() not in PEAK_SOURCE:
        PEAK_SOURCE.append(source.decode())
    return int(kib) / 1024


def memory_contenders(base: str, env: dict[str, str]) -> tuple[Contender, Contender]:
    if not Path("/proc/self/status").exists() and importlib.util.find_spec("resource") is None:
        reason = "skipped: no way to read peak memory on this platform"
        return _skip("stream", reason), _skip("idle", reason)
    # Here a "unit" is one fresh process; its sample is the peak RSS in MB (not time).
    stream = Contender("stream", lambda n: _peak_mb(_STREAM, env, base, KEY), 1)
    idle = Contender("idle", lambda n: _peak_mb(_IDLE, env), 1)
    return stream, idle


# --- running --------------------------------------------------------------------------------------


def run_round(group: list[Contender], r: int) -> None:
    """One round of one figure: its contenders take turns, a block of operations each, until
    each has done its ``repeat``; who goes first rotates with the round.  Each contender's
    sample for the round is its time (or, for memory, its value) per operation."""
    live = [c for c in group if c.unit is not None]
    if not live:
        return
    shift = r % len(live)
    live = live[shift:] + live[:shift]
    totals = {id(c): 0.0 for c in live}
    left = {id(c): c.repeat for c in live}
    gc.collect()
    while any(left.values()):
        for c in live:
            n = min(c.block, left[id(c)])
            if n:
                totals[id(c)] += c.unit(n)
                left[id(c)] -= n
    for c in live:
        c.samples.append(totals[id(c)] / c.repeat)


def run_rounds(groups: list[list[Contender]], rounds: int, log: Callable[[str], None], what: str) -> None:
    for r in range(rounds):
        started = time.perf_counter()
        for group in groups:
            run_round(group, r)
        log(f"{what}: round {r + 1}/{rounds} done in {time.perf_counter() - started:.1f} s")


def fmt_time(ns: float | None) -> str:
    if ns is None:
        return "-"
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.1f} us"
    if ns < 1e9:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.3f} s"


def row_cells(row: Row) -> list[str]:
    skipped = row.skipped()
    if row.kind == "memory":
        ours = "-" if row.ours.median is None else f"{row.ours.median:.1f} MB"
        base = "-" if row.baseline.median is None else f"{row.baseline.median:.1f} MB"
        target = f"<= +{row.target:g} MB"
        ratio = row.ratio()
        shown = "-" if ratio is None else f"{ratio:+.1f} MB"
    else:
        ours, base = fmt_time(row.ours.median), fmt_time(row.baseline.median)
        target = f"<= {row.target:g}x"
        ratio = row.ratio()
        shown = "-" if ratio is None else f"{ratio:.2f}x"
    if skipped:
        return [row.figure, ours, base, "-", target, skipped]
    passed = row.passed()
    return [row.figure, ours, base, shown, target, "pass" if passed else "FAIL"]


def table(rows: list[Row]) -> str:
    header = ["figure", "ours (median)", "baseline (median)", "ratio", "target", "result"]
    cells = [header] + [row_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header) - 1)]
    lines = []
    for i, c in enumerate(cells):
        lines.append("  ".join(c[j].ljust(widths[j]) for j in range(len(widths))) + "  " + c[-1])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pyopenai_ps benchmark suite (see the module docstring).")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and repetitions (CI smoke: ~30 s)")
    parser.add_argument("--rounds", type=int, help=f"rounds (default {FULL['rounds']}, --quick {QUICK['rounds']})")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--without", metavar="PKG[,PKG]", default="",
                        help="treat these optional baselines (openai, click) as not installed")
    args = parser.parse_args(argv)
    WITHOUT.update(filter(None, (p.strip() for p in args.without.split(","))))
    settings = dict(QUICK if args.quick else FULL)
    if args.rounds is not None:
        if args.rounds < 1:
            parser.error("--rounds must be at least 1")
        settings["rounds"] = args.rounds
    rounds = settings["rounds"]

    def log(message: str) -> None:
        print(f"  .. {message}", file=sys.stderr, flush=True)

    env = _package_env()
    import pyopenai_ps

    shown_argv = sys.argv[1:] if argv is None else argv
    command = f"cd {shlex.quote(str(REPO))} && {shlex.join([sys.executable, 'tools/bench.py', *shown_argv])}"
    versions = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "pyopenai_ps": f"{pyopenai_ps.__version__} ({Path(pyopenai_ps.__file__).parent})",
        "urllib3": _version("urllib3", "urllib3"),
        "openai": _version("openai", "openai"),
        "click": _version("click", "click"),
        "attrs": _version("attrs", "attr"),
        "pyyaml": _version("PyYAML", "yaml"),
    }
    print(f"Reproduce: {command}")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"Settings: {rounds} round(s) per figure, interleaved; per round: bind x{settings['bind']}, "
          f"one GET x{settings['get']}, -All x{settings['all']} (SDK x{settings['all_sdk']}), "
          f"process x{settings['proc']} each; memory probes: {min(rounds, settings['mem'])} pair(s)")
    print("ratio = median over rounds of (ours / baseline) per operation; gc enabled (see docstring)")
    sys.stdout.flush()

    global CHILD_CWD
    child_dir = tempfile.TemporaryDirectory(prefix="pyopenai-bench-")
    CHILD_CWD = child_dir.name
    if WITHOUT:
        print(f"Treated as not installed (--without): {', '.join(sorted(WITHOUT))}")
    sys.stdout.flush()

    server = FastServer()
    try:
        log(f"fast server on {server.base} (pid {server.proc.pid})")
        t_setup = time.perf_counter()
        bind_ours, bind_click = bind_contenders(settings["bind"])
        get_ours, get_raw, get_sdk = get_contenders(server.base, settings["get"])
        all_ours, all_raw, all_sdk = all_contenders(server.base, settings["all"], settings["all_sdk"])
        proc_ours, proc_base, cli_how = process_contenders(server.base, env, settings["proc"])
        mem_stream, mem_idle = memory_contenders(server.base, env)
        log(f"set-up and warm-up in {time.perf_counter() - t_setup:.1f} s; command line: {cli_how}")

        # the warm-up pass of every timed unit (one operation each), not recorded
        for c in (bind_ours, bind_click, get_ours, get_raw, get_sdk):
            if c.unit is not None:
                c.unit(min(c.repeat, 20))

        for c, kind in ((bind_ours, "bind"), (bind_click, "bind"), (get_ours, "get"), (get_raw, "get"),
                        (get_sdk, "get"), (all_ours, "all"), (all_raw, "all"), (all_sdk, "all"),
                        (proc_ours, "proc"), (proc_base, "proc"), (mem_idle, "mem"), (mem_stream, "mem")):
            c.block = BLOCKS[kind]
        run_rounds([[bind_ours, bind_click], [get_ours, get_raw, get_sdk], [all_ours, all_raw, all_sdk]],
                   rounds, log, "in-process figures")
        run_rounds([[proc_ours, proc_base]], rounds, log, "whole processes")
        run_rounds([[mem_idle, mem_stream]], min(rounds, settings["mem"]), log, "memory probes")
    finally:
        server.close()
        child_dir.cleanup()

    rows = [
        Row("bind Example 1 from keywords vs click", bind_ours, bind_click, 0.15),
        Row("one Get-ThreadRun vs urllib3 + json.loads", get_ours, get_raw, 1.15),
        Row("one Get-ThreadRun vs openai SDK retrieve", get_ours, get_sdk, 0.5),
        Row("-All 10,000 runs vs urllib3 loop", all_ours, all_raw, 1.5),
        Row("-All 10,000 runs vs openai SDK auto-paging", all_ours, all_sdk, 0.2),
        Row("whole process Get-ThreadRun vs python -c import", proc_ours, proc_base, 1.5, note=cli_how),
        Row("peak RSS stream 10,000 runs vs idle import", mem_stream, mem_idle, 30.0, kind="memory"),
    ]
    print()
    print(table(rows))
    print()
    print(f"command line measured: {cli_how}")
    if PEAK_SOURCE:
        print(f"peak memory read from: {', '.join(PEAK_SOURCE)} of each probe process")
    failed = [r.figure for r in rows if r.passed() is False]
    skipped = [r.figure for r in rows if r.skipped()]
    print(f"{len(rows) - len(failed) - len(skipped)} pass, {len(failed)} fail, {len(skipped)} skipped")

    if args.json:
        result = {
            "command": command,
            "versions": versions,
            "settings": settings,
            "command_line": cli_how,
            "peak_memory_source": PEAK_SOURCE,
            "statistics": "ours/baseline = median over rounds of the per-operation time (ns) or peak RSS (MB); "
                          "ratio = median of per-round ratios (time) or ours - baseline (memory, MB)",
            "rows": [
                {
                    "figure": r.figure,
                    "kind": r.kind,
                    "note": r.note,
                    "unit": "MB" if r.kind == "memory" else "ns per operation",
                    "ours": r.ours.median,
                    "baseline": r.baseline.median,
                    "baseline_name": r.baseline.name,
                    "ratio": None if r.skipped() else r.ratio(),
                    "target": r.target,
                    "target_text": row_cells(r)[4],
                    "result": row_cells(r)[5],
                    "passed": r.passed(),
                    "skipped": r.skipped(),
                    "ours_samples": r.ours.samples,
                    "baseline_samples": r.baseline.samples,
                    "repeat_per_round": {"ours": r.ours.repeat, "baseline": r.baseline.repeat},
                }
                for r in rows
            ],
        }
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

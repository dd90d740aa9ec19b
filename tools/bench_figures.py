"""The figures of ``tools/bench.py``: each contender (ours and the baselines) and how it is timed.

Shared settings live here too (the key, the paths, the optional packages to treat as missing, the
folder child processes run in), so the driver sets them in one place.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
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

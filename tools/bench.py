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
   The streaming figures (``tools/bench_stream.py``) follow: 10,000 message deltas
   streamed, the delay from an event's last byte to its piece, and the CPU time a
   real five-second Wait-ThreadRun costs;
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
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bench_figures as figures  # noqa: E402  (tools/ is on sys.path: this script lives there)
import bench_stream  # noqa: E402
import bench_write  # noqa: E402
from bench_figures import (  # noqa: E402
    BLOCKS,
    FULL,
    QUICK,
    REPO,
    SERVER_SCRIPT,
    Contender,
    Row,
    all_contenders,
    bind_contenders,
    get_contenders,
    memory_contenders,
    process_contenders,
)

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

    def __init__(self, start_timeout: float = 60.0, content_mb: int = 1024) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: a chatty server never blocks on it
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "--content-mb", str(content_mb)],
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


def write_guarded(build: Callable[[], tuple[Contender, ...]], count: int) -> tuple[Contender, ...]:
    """The write-side contenders, or skipped rows when the cmdlets they use are not there."""
    try:
        return build()
    except AttributeError as exc:  # a module function the specs do not provide (yet)
        reason = f"skipped: {str(exc)[:70]}"
        return tuple(Contender("ours", None, 0, skipped=reason) for _ in range(count))


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
    parser.add_argument("--small-transfers", action="store_true",
                        help="upload 8 MB and download 32 MB instead of 200 MB and 1 GB (the harness's smoke test)")
    args = parser.parse_args(argv)
    figures.WITHOUT.update(filter(None, (p.strip() for p in args.without.split(","))))
    settings = dict(QUICK if args.quick else FULL)
    if args.rounds is not None:
        if args.rounds < 1:
            parser.error("--rounds must be at least 1")
        settings["rounds"] = args.rounds
    rounds = settings["rounds"]
    upload_mb, download_mb = (8, 32) if args.small_transfers else (200, 1024)

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


    child_dir = tempfile.TemporaryDirectory(prefix="pyopenai-bench-")
    figures.CHILD_CWD = child_dir.name
    if figures.WITHOUT:
        print(f"Treated as not installed (--without): {', '.join(sorted(figures.WITHOUT))}")
    sys.stdout.flush()

    server = FastServer(content_mb=download_mb)
    scratch = bench_write.scratch_folder()
    try:
        log(f"fast server on {server.base} (pid {server.proc.pid})")
        t_setup = time.perf_counter()
        bind_ours, bind_click = bind_contenders(settings["bind"])
        get_ours, get_raw, get_sdk = get_contenders(server.base, settings["get"])
        all_ours, all_raw, all_sdk = all_contenders(server.base, settings["all"], settings["all_sdk"])
        proc_ours, proc_base, cli_how = process_contenders(server.base, env, settings["proc"])
        mem_stream, mem_idle = memory_contenders(server.base, env)
        post_ours, post_raw, post_sdk = write_guarded(lambda: bench_write.post_contenders(server.base, settings["get"]), 3)
        upload_path = bench_write.make_file(scratch.name, upload_mb)
        up_ours, up_raw = write_guarded(lambda: bench_write.upload_contenders(server.base, upload_path), 2)
        down_ours, down_raw = write_guarded(
            lambda: bench_write.download_contenders(server.base, scratch.name, download_mb), 2)
        mem_up, mem_down, mem_idle2 = bench_write.transfer_memory_contenders(server.base, env, upload_path,
                                                                             scratch.name)
        log(f"set-up and warm-up in {time.perf_counter() - t_setup:.1f} s; command line: {cli_how}")

        # the warm-up pass of every timed unit (one operation each), not recorded
        for c in (bind_ours, bind_click, get_ours, get_raw, get_sdk, post_ours, post_raw, post_sdk):
            if c.unit is not None:
                c.unit(min(c.repeat, 20))

        for c, kind in ((bind_ours, "bind"), (bind_click, "bind"), (get_ours, "get"), (get_raw, "get"),
                        (get_sdk, "get"), (all_ours, "all"), (all_raw, "all"), (all_sdk, "all"),
                        (proc_ours, "proc"), (proc_base, "proc"), (mem_idle, "mem"), (mem_stream, "mem"),
                        (post_ours, "get"), (post_raw, "get"), (post_sdk, "get")):
            c.block = BLOCKS[kind]
        run_rounds([[bind_ours, bind_click], [get_ours, get_raw, get_sdk], [all_ours, all_raw, all_sdk],
                    [post_ours, post_raw, post_sdk]], rounds, log, "in-process figures")
        transfer_rounds = min(rounds, settings["mem"])
        run_rounds([[up_ours, up_raw], [down_ours, down_raw]], transfer_rounds, log, "transfers")
        run_rounds([[mem_idle2, mem_up, mem_down]], transfer_rounds, log, "transfer memory probes")
        run_rounds([[proc_ours, proc_base]], rounds, log, "whole processes")
        run_rounds([[mem_idle, mem_stream]], min(rounds, settings["mem"]), log, "memory probes")
        stream_rows = bench_stream.rows(server.base, rounds)  # streams, event delay, a real 5 s wait
    finally:
        server.close()
        child_dir.cleanup()
        scratch.cleanup()

    rows = [
        Row("bind Example 1 from keywords vs click", bind_ours, bind_click, 0.15),
        Row("one Get-ThreadRun vs urllib3 + json.loads", get_ours, get_raw, 1.15),
        Row("one Get-ThreadRun vs openai SDK retrieve", get_ours, get_sdk, 0.5),
        Row("-All 10,000 runs vs urllib3 loop", all_ours, all_raw, 1.5),
        Row("-All 10,000 runs vs openai SDK auto-paging", all_ours, all_sdk, 0.2),
        Row("whole process Get-ThreadRun vs python -c import", proc_ours, proc_base, 1.5, note=cli_how),
        Row("peak RSS stream 10,000 runs vs idle import", mem_stream, mem_idle, 30.0, kind="memory"),
        Row("New-Thread POST vs urllib3 POST + json.loads", post_ours, post_raw, 1.15),
        Row("New-Thread POST vs openai SDK threads.create", post_ours, post_sdk, 0.5),
        Row(f"Register-OpenAIFile {upload_mb} MB: peak RSS vs idle import", mem_up, mem_idle2, 20.0, kind="memory"),
        Row(f"Register-OpenAIFile {upload_mb} MB vs urllib3 streamed upload", up_ours, up_raw, 1.2),
        Row(f"Get-OpenAIFileContent -OutFile {download_mb} MB: peak RSS vs idle import", mem_down, mem_idle2, 20.0,
            kind="memory"),
        Row(f"Get-OpenAIFileContent -OutFile {download_mb} MB vs urllib3 to disk", down_ours, down_raw, 1.1),
        *stream_rows,
    ]
    print()
    print(table(rows))
    print()
    print(f"command line measured: {cli_how}")
    if figures.PEAK_SOURCE:
        print(f"peak memory read from: {', '.join(figures.PEAK_SOURCE)} of each probe process")
    failed = [r.figure for r in rows if r.passed() is False]
    skipped = [r.figure for r in rows if r.skipped()]
    print(f"{len(rows) - len(failed) - len(skipped)} pass, {len(failed)} fail, {len(skipped)} skipped")

    if args.json:
        result = {
            "command": command,
            "versions": versions,
            "settings": settings,
            "command_line": cli_how,
            "peak_memory_source": figures.PEAK_SOURCE,
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

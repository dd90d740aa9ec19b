"""Smoke test of the benchmark harness: it runs and reports every row.

No speed goal is asserted here: benchmarks are reports, not timed tests.  The
harness lives in the source tree (tools/), so this test is
skipped when the tests run from somewhere without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "tools" / "bench.py"

FIGURES = [
    "bind Example 1 from keywords vs click",
    "one Get-ThreadRun vs urllib3 + json.loads",
    "one Get-ThreadRun vs openai SDK retrieve",
    "-All 10,000 runs vs urllib3 loop",
    "-All 10,000 runs vs openai SDK auto-paging",
    "whole process Get-ThreadRun vs python -c import",
    "peak RSS stream 10,000 runs vs idle import",
    "New-Thread POST vs urllib3 POST + json.loads",
    "New-Thread POST vs openai SDK threads.create",
    "Register-OpenAIFile 8 MB: peak RSS vs idle import",
    "Register-OpenAIFile 8 MB vs urllib3 streamed upload",
    "Get-OpenAIFileContent -OutFile 32 MB: peak RSS vs idle import",
    "Get-OpenAIFileContent -OutFile 32 MB vs urllib3 to disk",
    "stream 10,000 deltas vs urllib3 SSE line reader",
    "stream 10,000 deltas vs openai SDK runs.create(stream=True)",
    "delay last byte -> piece (median) vs 1 ms",
    "CPU per second of Wait-ThreadRun (5 s run) vs 1 s",
]

pytestmark = pytest.mark.skipif(
    not BENCH.exists() or not (ROOT / "tools" / "bench_server.py").exists(),
    reason="tools/bench.py is not beside tests/ (not a source checkout)",
)


def run_bench(tmp_path: Path, *extra: str) -> tuple[str, dict]:
    out = tmp_path / "bench.json"
    args = ["--quick", "--rounds", "1", "--small-transfers", *extra, "--json", str(out)]
    done = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=150,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    stdout = done.stdout
    lines = stdout.splitlines()
    assert lines[0].startswith("Reproduce: ") and lines[0].endswith(" ".join(["tools/bench.py", *args])), lines[0]
    for name in ("python", "urllib3", "openai", "click"):
        assert f" {name} " in lines[1], lines[1]
    rows = {line.split("  ")[0]: line for line in lines}
    for figure in FIGURES:
        assert figure in rows, f"row missing: {figure}\n{stdout}"
        row = rows[figure].rstrip()
        # Either a measured ratio and a verdict, or the reason it was skipped; never a speed goal.
        assert "skipped: " in row or (row.endswith(("pass", "FAIL")) and ("x  " in row or " MB  " in row)), row
    result = json.loads(out.read_text())
    assert [r["figure"] for r in result["rows"]] == FIGURES
    for row in result["rows"]:
        if row["skipped"]:
            assert row["skipped"].startswith("skipped: ") and row["ratio"] is None
        else:
            assert isinstance(row["ratio"], float) and row["passed"] in (True, False)
            assert row["ours_samples"] and row["baseline_samples"]
    return stdout, result


def test_quick_benchmark_reports_every_row(tmp_path: Path) -> None:
    run_bench(tmp_path)


def test_missing_optional_baselines_are_skipped_rows(tmp_path: Path) -> None:
    _, result = run_bench(tmp_path, "--without", "openai,click")
    skipped = {r["figure"]: r["skipped"] for r in result["rows"]}
    assert skipped[FIGURES[0]] == "skipped: click not installed"
    for figure in (FIGURES[2], FIGURES[4], FIGURES[8], FIGURES[14]):
        assert skipped[figure] == "skipped: openai not installed"
    for figure in (FIGURES[1], FIGURES[3], FIGURES[6], FIGURES[7]):
        assert skipped[figure] is None

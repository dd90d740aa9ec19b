"""Smoke test of tools/bench_stream.py: each contender runs once against a small fast server (50 deltas, a
run that waits half a second) and gives a number. No speed goal is asserted: benchmarks are reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"

pytestmark = pytest.mark.skipif(not (TOOLS / "bench_stream.py").exists(),
                                reason="tools/ is not beside tests/ (not a source checkout)")


@pytest.fixture
def fast_server():
    proc = subprocess.Popen([sys.executable, str(TOOLS / "bench_server.py"), "--deltas", "50", "--wait-seconds",
                             "0.5", "--runs", "10", "--content-mb", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}/v1"
    proc.stdin.close()
    proc.wait(timeout=10)


def test_every_contender_runs(fast_server, monkeypatch, transport_with):
    monkeypatch.syspath_prepend(str(TOOLS))
    import bench_stream

    ours, raw, sdk = bench_stream.stream_contenders(fast_server, deltas=50)  # each asserts 50 pieces once
    assert ours.unit(1) > 0 and raw.unit(1) > 0
    assert sdk.skipped or sdk.unit(1) > 0
    delay, one_ms = bench_stream.latency_contenders()
    assert 0 < delay.unit(5) and one_ms.unit(1) == 1_000_000
    cpu, second = bench_stream.wait_cpu_contenders(fast_server)
    assert 0 <= cpu.unit(1) < second.unit(1)

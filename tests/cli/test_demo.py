"""The demo: the specs' demo examples against the bundled server."""

from __future__ import annotations

import io

import pyopenai_ps as ps


def test_demo_runs_both_examples():
    out = io.StringIO()
    from pyopenai_ps.cli.demo import run_demo

    assert run_demo(out) == 0
    text = out.getvalue()
    assert "PS> Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'" in text
    assert "id                    : run_abc123" in text
    assert "run_abc116 expired" in text  # the -All example's table view
    assert "# 2 examples, 2 requests, 9 objects" in text
    assert ps.OPENAI_API_KEY is None and ps.OPENAI_API_BASE is None  # the globals are left as they were

"""README's Python examples run as written (skipped when README is not beside the tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    if not README.exists():
        return []
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.skipif(not README.exists(), reason="README.md is not beside the tests")
def test_binding_examples_run():
    blocks = [b for b in python_blocks() if "ps.bind(" in b]
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


@pytest.mark.skipif(not README.exists(), reason="README.md is not beside the tests")
def test_running_examples_run_against_the_bundled_server(api):
    blocks = [b for b in python_blocks() if "ps.get_thread_run(" in b and "ps.bind(" not in b]
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    assert len(api.requests) >= 4

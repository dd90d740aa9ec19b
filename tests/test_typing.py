"""The package type-checks under mypy's strict mode (the configuration is setup.cfg's [mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_is_mypy_strict_clean(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    if not (ROOT / "setup.cfg").is_file() or not (ROOT / "pyopenai_ps").is_dir():
        pytest.skip("needs the source tree")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg"), "--cache-dir",
         str(tmp_path / "cache"), "pyopenai_ps"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout

"""Shared fixtures: the bundled command and the test-only spec."""

from __future__ import annotations

from pathlib import Path

import pytest

import pyopenai_ps
from pyopenai_ps.command import Command
from pyopenai_ps.specload import load_spec_file

SPECS = Path(__file__).parent / "specs"


@pytest.fixture(scope="session")
def gtr() -> Command:
    return pyopenai_ps.get_command("Get-ThreadRun")


@pytest.fixture(scope="session")
def widget() -> Command:
    return Command(load_spec_file(SPECS / "Set-Widget.yaml"))

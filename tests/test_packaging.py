"""What a user installs: the licence in the repository and in a built wheel, the project's metadata,
and a clean ``dir(pyopenai_ps)``."""

from __future__ import annotations

import configparser
import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pyopenai_ps

ROOT = Path(__file__).resolve().parent.parent
in_checkout = pytest.mark.skipif(not (ROOT / "setup.cfg").is_file(), reason="not run from a checkout")


@in_checkout
def test_the_licence_file_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) ")
    assert "pyopenai_ps maintainers" in text.splitlines()[2]
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


@in_checkout
def test_setup_cfg_names_the_project():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    metadata = config["metadata"]
    assert metadata["license"] == "MIT" and metadata["license_files"] == "LICENSE"
    assert metadata["author"] and metadata["url"].startswith("https://")
    assert "Source" in metadata["project_urls"]


@in_checkout
def test_the_wheel_carries_the_licence_and_the_metadata(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("pyopenai_ps-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licences = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
        assert licences, names
        assert archive.read(licences[0]).decode().startswith("MIT License")
        metadata = email.message_from_bytes(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
        assert "pyopenai_ps/py.typed" in names and "pyopenai_ps/__init__.pyi" in names
        assert "pyopenai_ps/specs/_connection.yaml" in names
    assert metadata["License"] == "MIT"
    assert metadata["Author"] and metadata["Home-page"].startswith("https://")
    assert metadata["License-File"] == "LICENSE"
    assert any(url.startswith("Source, https://") for url in metadata.get_all("Project-URL"))


def test_dir_of_the_package_shows_only_its_api():
    names = dir(pyopenai_ps)
    for leaked in ("Any", "TYPE_CHECKING", "annotations", "typing", "Path", "Transport"):
        assert leaked not in names
    assert [n for n in names if n.startswith("_")] == ["__version__"]
    assert set(pyopenai_ps.__all__) <= set(names)
    assert "get_thread_run" in names  # the cmdlet functions, made from specs

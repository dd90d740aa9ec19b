"""Where the contract tests find OpenAI's document and Prism, and whether they run at all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRISM_CACHE = Path.home() / ".cache" / "pyopenai-ps-prism" / "node_modules" / ".bin" / "prism"
START_DEADLINE = 240.0  # the document is about 3 MB: Prism takes tens of seconds to load it


def openapi_document() -> Path | None:
    given = os.environ.get("PYOPENAI_PS_OPENAPI")
    path = Path(given) if given else REPO.parent / "shared" / "reference" / "openai-openapi" / "openapi.yaml"
    return path if path.is_file() else None


def prism_binary() -> str | None:
    given = os.environ.get("PYOPENAI_PS_PRISM")
    if given:
        return given if Path(given).is_file() else None
    if PRISM_CACHE.is_file():
        return str(PRISM_CACHE)
    return shutil.which("prism")


def skip_reason() -> str | None:
    if os.environ.get("PYOPENAI_PS_CONTRACT") != "1":
        return "contract tests are opt-in: set PYOPENAI_PS_CONTRACT=1 (see .ci/run)"
    if openapi_document() is None:
        return "OpenAI's openapi.yaml is not here (../shared/reference/openai-openapi/ or $PYOPENAI_PS_OPENAPI)"
    if prism_binary() is None:
        return ("Prism is not installed: npm install --prefix \"$HOME/.cache/pyopenai-ps-prism\" "
                "@stoplight/prism-cli@5.16.0 (or set $PYOPENAI_PS_PRISM)")
    return None

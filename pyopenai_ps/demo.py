"""The reference help's two examples, run against the bundled local server.

``python -m pyopenai_ps.demo`` needs no API key and no network: it starts the
OpenAI-compatible stand-in on an ephemeral loopback port, points the package
at it through its globals, and runs the examples as PowerShell lines.
"""

from __future__ import annotations

import sys
from typing import TextIO

from .formatting import format_list, format_table

EXAMPLES = (
    "Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'",
    "Get-ThreadRun -Thread 'thread_abc123' -All",
)


def run_demo(out: TextIO = sys.stdout) -> int:
    import pyopenai_ps
    from pyopenai_ps.server import LocalServer

    with LocalServer() as server:
        saved = {name: vars(pyopenai_ps).get(name) for name in ("OPENAI_API_BASE", "OPENAI_API_KEY")}
        pyopenai_ps.OPENAI_API_BASE = server.base_url  # like $global:OPENAI_API_BASE
        pyopenai_ps.OPENAI_API_KEY = "sk-demo-key-for-the-local-server"
        try:
            out.write(f"# bundled server at {server.base_url}\n\n")
            first, second = EXAMPLES
            out.write(f"PS> {first}\n\n")
            out.write(format_list(pyopenai_ps.invoke(first)) + "\n")
            out.write(f"PS> {second}\n\n")
            runs = pyopenai_ps.invoke(second)
            out.write(format_table(runs, ["id", "status", "created_at", "model"]) + "\n")
            out.write(f"# {len(server.requests)} requests, {len(runs)} runs listed\n")
        finally:
            for name, value in saved.items():
                if value is None:
                    vars(pyopenai_ps).pop(name, None)
                else:
                    setattr(pyopenai_ps, name, value)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_demo())

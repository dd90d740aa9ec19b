"""``pyopenai-ps demo``: the examples specs mark ``demo: true``, run against the bundled server.

No API key and no network: the OpenAI-compatible stand-in starts on an ephemeral loopback port
and each example line runs with the base and a throwaway key given to the parameters whose roles
are ``api_base`` and ``api_key`` (unless the line gives them itself).  One object is shown in the
list view; a listing in the table view, with the columns of the cmdlet's ``view:``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ..pslang.parser import ParameterToken, parse_line
from ..runtime.invocation import Invocation
from ..runtime.command import REGISTRY
from ..runtime.views import format_list, format_table
from ..spec.load import bundled_specs_dir

__all__ = ["run_demo", "demo_examples"]

_DEMO_KEY = "sk-demo-key-for-the-local-server"


def demo_examples() -> list[tuple[str, str]]:
    """``(cmdlet, example code)`` of every bundled spec's examples marked for the demo, in name order."""
    bundled = bundled_specs_dir().resolve()
    found: list[tuple[str, str]] = []
    for name in REGISTRY.names():
        spec = REGISTRY.get(name).spec
        if Path(spec.source).resolve().parent != bundled:
            continue  # a spec loaded at run time is not part of the demo
        found.extend((name, example.code) for example in spec.examples if example.demo)
    return found


def _connection_keywords(command: Any, arguments: Iterable[Any], base_url: str) -> dict[str, str]:
    """The base and key for the parameters playing those roles, unless the line binds them already."""
    roles = command.spec.connection
    given = {command.binder.match(a.name).name for a in arguments if isinstance(a, ParameterToken)}
    keywords = {}
    for parameter, value in ((roles.api_base, base_url), (roles.api_key, _DEMO_KEY)):
        if parameter and parameter not in given:
            keywords[parameter] = value
    return keywords


def _run_line(line: str, base_url: str) -> tuple[list[Any], Any]:
    pipeline = parse_line(line)
    stream: Any = list(pipeline.input) if pipeline.input is not None else None
    command = None
    for call in pipeline.commands:
        command = REGISTRY.get(call.name)
        keywords = _connection_keywords(command, call.arguments, base_url)
        stream = Invocation(command, call.arguments, keywords, records=stream, lookup=REGISTRY.get)
    return list(stream), command


def run_demo(out: TextIO = sys.stdout) -> int:
    from ..server import LocalServer

    examples = demo_examples()
    with LocalServer() as server:
        out.write(f"# bundled server at {server.base_url}\n\n")
        objects = 0
        for _, code in examples:
            out.write(f"PS> {code}\n\n")
            items, command = _run_line(code, server.base_url)
            objects += len(items)
            columns = list(command.spec.view.table) or None
            if len(items) == 1:  # one object: the list view shows all of it
                out.write(format_list(items) + "\n")
            else:
                out.write(format_table(items, columns) + "\n")
        out.write(f"# {len(examples)} examples, {len(server.requests)} requests, {objects} objects\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_demo())

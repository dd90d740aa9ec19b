"""PowerShell lines run: every command of a pipeline bound, and its own settings checked, before
anything is sent; then objects flow."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..binding.records import as_records
from ..errors import LineSyntaxError, PSOpenAIError
from ..pslang.parser import parse_line
from .common import ProgressHook
from .invocation import Invocation
from .command import REGISTRY

__all__ = ["invoke_line", "stream_line"]


def invoke_line(line: str, *, input: Any = None) -> list[Any]:
    """Run a PowerShell line: every command binds before anything is sent, then objects flow through."""
    return list(stream_line(line, input=input))


def stream_line(line: str, *, input: Any = None, progress: ProgressHook | None = None) -> Iterator[Any]:
    """Bind every command of a PowerShell line now; yield the last command's objects lazily."""
    if not isinstance(line, str):
        raise LineSyntaxError(f"a command line is a string, not {type(line).__name__}", construct="value", column=1)
    pipeline = parse_line(line)
    if pipeline.input is not None and input is not None:
        raise PSOpenAIError("The line already pipes input into the command; do not also pass input=.")
    records: Iterable[Any] | None = None
    if pipeline.input is not None:
        records = list(pipeline.input)
    elif input is not None:
        records = as_records(input)
    stream: Iterable[Any] | None = records
    invocations = []
    for call in pipeline.commands:
        stream = Invocation(REGISTRY.get(call.name), call.arguments, records=stream, progress=progress,
                            lookup=REGISTRY.get)
        invocations.append(stream)
    for invocation in invocations:  # a bad setting of a later command stops the line before any request
        invocation.check_settings()
    assert stream is not None
    return iter(stream)

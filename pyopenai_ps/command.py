"""A cmdlet: its spec, compiled once, and the ways to bind and run it.

Binding needs no network code; running imports the runtime (and with it
urllib3) only when a command is first called.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .binder import Binder, CommandLineState
from .binding import Binding
from .compiled import CompiledCommand, compile_spec
from .spec import CmdletSpec

__all__ = ["Command", "as_records"]


def as_records(records: Any) -> list[Any]:
    """Pipeline input as a list of records.

    A string, bytes or mapping is one record (not its characters or keys);
    any other iterable is enumerated, as PowerShell enumerates arrays.
    """
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        return [records]
    return list(records)


class Command:
    """One cmdlet, ready to bind (and, from the runtime, to run)."""

    def __init__(self, spec: CmdletSpec) -> None:
        self.spec = spec
        self._compiled: CompiledCommand | None = None
        self._binder: Binder | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def function_name(self) -> str:
        return self.spec.function_name

    @property
    def compiled(self) -> CompiledCommand:
        return self.binder.compiled

    @property
    def binder(self) -> Binder:
        binder = self._binder
        if binder is None:
            with self._lock:
                if self._binder is None:
                    self._binder = Binder(self, compile_spec(self.spec))
                binder = self._binder
        return binder

    def __repr__(self) -> str:
        return f"<Command {self.spec.name}>"

    # --- binding ---------------------------------------------------------------------------

    def bind(self, *args: Any, **kwargs: Any) -> Binding:
        """Bind one call with no pipeline input.

        Positional ``args`` bind like unnamed PowerShell arguments; keywords
        match parameter names and aliases case-insensitively, by unambiguous
        prefix, and with underscores ignored (``max_retry_count=3``).  A
        keyword given ``None`` counts as not given.
        """
        binder = self.binder
        state = binder.bind_command_line(args, kwargs, expect_pipeline=False)
        return binder.finish(state)

    def bind_pipeline(self, records: Any, *args: Any, **kwargs: Any) -> list[Binding]:
        """Bind a call once per pipeline record; raises on the first record that fails."""
        binder = self.binder
        state = binder.bind_command_line(args, kwargs, expect_pipeline=True)
        return [binder.bind_record(state, record) for record in as_records(records)]

    def bind_arguments(
        self, arguments: Any, keywords: Mapping[str, Any] | None = None, *, expect_pipeline: bool = False
    ) -> CommandLineState:
        """Command-line binding only; the runtime then binds records one at a time."""
        return self.binder.bind_command_line(tuple(arguments), keywords or {}, expect_pipeline=expect_pipeline)

    # --- running (the runtime is imported only now) ----------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .runtime import call_command

        return call_command(self, args, kwargs)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Bind now; yield output objects lazily, fetching each page only when needed."""
        from .runtime import stream_command

        return stream_command(self, args, kwargs)

    def pipe(self, records: Any, *args: Any, **kwargs: Any) -> list[Any]:
        """Run with pipeline input, like ``records | Get-ThreadRun ...``; always a list."""
        from .runtime import pipe_command

        return pipe_command(self, records, args, kwargs)

"""A cmdlet: its spec, its binder (compiled once), its module function, and the ways to run it.

Binding needs no network code: the executor (and with it urllib3) is imported only when a
command is first run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..binding.binder import Binder, CommandLineState
from ..binding.compiled import CompiledCommand
from ..binding.result import Binding
from ..spec.model import CmdletSpec
from .functions import make_function
from .registry import Registry

__all__ = ["Command", "REGISTRY"]


class Command:
    """One cmdlet, ready to bind and to run.

    The binder (the spec's lookup tables) and the module function are made on first use and kept
    on the command: a spec loaded again makes a new Command, so nothing stale outlives it.
    """

    def __init__(self, spec: CmdletSpec) -> None:
        self.spec = spec
        self._binder: Binder | None = None
        self._function: Callable[..., Any] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def function_name(self) -> str:
        return self.spec.function_name

    @property
    def binder(self) -> Binder:
        binder = self._binder
        if binder is None:
            with self._lock:
                if self._binder is None:
                    self._binder = Binder(self.spec)
                binder = self._binder
        return binder

    @property
    def compiled(self) -> CompiledCommand:
        return self.binder.compiled

    @property
    def function(self) -> Callable[..., Any]:
        """The module function of this cmdlet (``pyopenai_ps.get_thread_run``)."""
        function = self._function
        if function is None:
            with self._lock:
                if self._function is None:
                    self._function = make_function(self)
                function = self._function
        return function

    def __repr__(self) -> str:
        return f"<Command {self.spec.name}>"

    # --- binding ---------------------------------------------------------------------------

    def bind(self, *args: Any, **kwargs: Any) -> Binding:
        """Bind one call with no pipeline input.

        Positional ``args`` bind like unnamed PowerShell arguments; keywords match parameter
        names and aliases case-insensitively, by unambiguous prefix, and with underscores ignored
        (``max_retry_count=3``).  A keyword given ``None``, or ``False`` for a switch (unless the
        spec says ``false_binds``), counts as not given; a keyword's float with a fractional part
        or bool is refused for a number parameter rather than rounded.
        """
        return self.binder.bind(*args, **kwargs)

    def bind_pipeline(self, records: Any, *args: Any, **kwargs: Any) -> list[Binding]:
        """Bind a call once per pipeline record; raises on the first record that fails."""
        return self.binder.bind_pipeline(records, *args, **kwargs)

    def bind_arguments(
        self, arguments: Any, keywords: Mapping[str, Any] | None = None, *, expect_pipeline: bool = False
    ) -> CommandLineState:
        """Command-line binding only; the runtime then binds records one at a time."""
        return self.binder.bind_command_line(tuple(arguments), keywords or {}, expect_pipeline=expect_pipeline)

    # --- running (the executor is imported only now) ----------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the cmdlet: one object for a set that fetches one, else a list."""
        return _executor().call_command(self, args, kwargs, lookup=REGISTRY.get)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Bind now; yield output objects lazily, fetching each page only when needed."""
        from .invocation import stream_command

        return stream_command(self, args, kwargs, lookup=REGISTRY.get)

    def pipe(self, records: Any, *args: Any, **kwargs: Any) -> list[Any]:
        """Run with pipeline input, like ``records | Get-ThreadRun ...``; always a list."""
        from .invocation import pipe_command

        return pipe_command(self, records, args, kwargs, lookup=REGISTRY.get)


#: The package's cmdlets: the bundled specs, and those loaded with ``pyopenai_ps.load_spec``.
REGISTRY: Registry[Command] = Registry(factory=Command)


_EXECUTOR: Any = None


def _executor() -> Any:
    """The invocation module, imported on the first run (binding alone never loads it); kept, because
    an import statement on every call costs about a microsecond."""
    global _EXECUTOR
    if _EXECUTOR is None:
        from . import invocation

        _EXECUTOR = invocation
    return _EXECUTOR

"""The command runtime: a bound call, its common parameters, and its pipeline.

Common parameters, as pyopenai_ps gives them meaning:

* ``-Verbose`` / ``-Debug``: log each request, status, request id and timing
  (debug adds headers, with the key masked, and bodies) on the logger
  ``pyopenai_ps`` for this call only.  Nothing global changes: the records go
  to the logger's handlers, or to standard error as ``VERBOSE: ...`` when the
  program has configured no logging at all.
* ``-ErrorAction``: ``Stop`` (the default) raises; ``Continue`` logs the error
  and goes on with the next pipeline record; ``SilentlyContinue`` goes on
  quietly; ``Ignore`` also keeps it out of ``-ErrorVariable``.
  ``-WarningAction`` likewise for warnings (``Continue`` is its default).
* ``-ErrorVariable``, ``-WarningVariable``, ``-OutVariable``,
  ``-InformationVariable``: a Python list the call appends to, or a name: then
  the list is ``pyopenai_ps.variables[name]`` (``+name`` appends to it).
* ``-InformationAction``: accepted; these cmdlets write no information
  records, so every value is already satisfied.
* ``-ProgressAction``: ``SilentlyContinue`` or ``Ignore`` turns off the
  command line's progress display.
* ``-OutBuffer`` and ``-PipelineVariable`` are refused: there is no buffered
  pipeline stage or script block for them to act on.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .binding import Binding
from .command import Command, as_records
from .errors import (
    APIConnectionError,
    APIRequestError,
    ConfigurationError,
    MissingValueError,
    PaginationError,
    ParameterBindingError,
    PSOpenAIError,
    ResponseFormatError,
)
from .operations import choose_operation, run_binding, settings_for
from .secure import SecureString

__all__ = [
    "Invocation",
    "call_command",
    "stream_command",
    "pipe_command",
    "invoke_line",
    "stream_line",
    "variables",
    "LOGGER",
    "ProgressHook",
]

LOGGER = logging.getLogger("pyopenai_ps")

#: Session variables for names given to -ErrorVariable and the like from a command line.
variables: dict[str, list[Any]] = {}

#: Errors that concern one record or one request: -ErrorAction decides what they do.
_NON_TERMINATING = (
    APIRequestError,
    APIConnectionError,
    ResponseFormatError,
    PaginationError,
    ParameterBindingError,
    MissingValueError,
)

class _StreamLabels(logging.Formatter):
    """PowerShell's stream labels: VERBOSE: and DEBUG: instead of INFO and DEBUG."""

    def format(self, record: logging.LogRecord) -> str:
        label = "VERBOSE" if record.levelno == logging.INFO else record.levelname
        return f"{label}: {record.getMessage()}"


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (a program may redirect it later)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


# Used only for a call given -Verbose or -Debug when the program has configured no logging.
_FALLBACK = _CurrentStderr()
_FALLBACK.setFormatter(_StreamLabels())

#: Called as ``hook(command_name, pages, objects)`` while a listing follows its pages.
ProgressHook = Callable[[str, int, int], None]


class ActionPreferenceStopError(PSOpenAIError):
    """A warning under ``-WarningAction Stop``."""

    error_id = "ActionPreferenceStop"


def _target_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        name = value.strip()
        if name.startswith("+"):
            return variables.setdefault(name[1:], [])
        variables[name] = []
        return variables[name]
    return value  # a Python list: the call appends to it


class CallOptions:
    """The common parameters of one call."""

    def __init__(self, command: Command, bound: Mapping[str, Any]) -> None:
        for refused in ("OutBuffer", "PipelineVariable"):
            if refused in bound:
                raise ConfigurationError(
                    f"-{refused} is not supported by pyopenai_ps: commands here have no buffered pipeline stage or "
                    "script block for it to act on.",
                    setting=refused,
                )
        self.verbose = bool(bound.get("Verbose", False))
        self.debug = bool(bound.get("Debug", False))
        self.error_action = bound.get("ErrorAction", "Stop")
        self.warning_action = bound.get("WarningAction", "Continue")
        self.progress = bound.get("ProgressAction", "Continue") not in ("SilentlyContinue", "Ignore")
        for name in ("ErrorAction", "WarningAction"):
            if bound.get(name) in ("Inquire", "Break"):
                raise ConfigurationError(
                    f"-{name} {bound[name]} needs an interactive host; use Stop, Continue, SilentlyContinue or Ignore.",
                    setting=name,
                )
        self.error_variable = _target_list(bound.get("ErrorVariable"))
        self.warning_variable = _target_list(bound.get("WarningVariable"))
        self.out_variable = _target_list(bound.get("OutVariable"))
        _target_list(bound.get("InformationVariable"))  # stays empty: no information records are written
        self.command_name = command.name


_PLAIN_OPTIONS: dict[str, CallOptions] = {}


def _plain_options(command: Command) -> CallOptions:
    """The options of a call given no common parameter: the same every time, so made once per command."""
    options = _PLAIN_OPTIONS.get(command.name)
    if options is None:
        options = _PLAIN_OPTIONS[command.name] = CallOptions(command, {})
    return options


class CallReporter:
    """Reports for one call only (see the module docstring)."""

    def __init__(self, options: CallOptions, progress: ProgressHook | None = None) -> None:
        self.options = options
        self.verbose_enabled = options.verbose or options.debug or LOGGER.isEnabledFor(logging.INFO)
        self.debug_enabled = options.debug or LOGGER.isEnabledFor(logging.DEBUG)
        self._progress = progress if options.progress else None

    def progress(self, pages: int, objects: int) -> None:
        """Pages and objects read so far by a listing that follows every page."""
        if self._progress is not None:
            self._progress(self.options.command_name, pages, objects)

    def _emit(self, level: int, message: str, forced: bool) -> None:
        if not forced and not LOGGER.isEnabledFor(level):
            return
        record = LOGGER.makeRecord(LOGGER.name, level, "(pyopenai_ps)", 0, message, None, None)
        if not forced or LOGGER.hasHandlers():
            LOGGER.handle(record)  # a forced record skips the logger's level, not its handlers' levels
        else:
            _FALLBACK.handle(record)

    def verbose(self, message: str) -> None:
        self._emit(logging.INFO, message, self.options.verbose or self.options.debug)

    def debug(self, message: str) -> None:
        self._emit(logging.DEBUG, message, self.options.debug)

    def warning(self, message: str) -> None:
        action = self.options.warning_action
        if action != "Ignore" and self.options.warning_variable is not None:
            self.options.warning_variable.append(message)
        if action == "Stop":
            raise ActionPreferenceStopError(
                "The running command stopped because the preference variable \"WarningPreference\" or common "
                f"parameter is set to Stop: {message}"
            )
        if action == "Continue":
            LOGGER.warning(message)

    def error(self, error: PSOpenAIError) -> None:
        """Record a non-terminating error; raise it under -ErrorAction Stop."""
        action = self.options.error_action
        if action != "Ignore" and self.options.error_variable is not None:
            self.options.error_variable.append(error)
        if action == "Stop":
            raise error
        if action == "Continue":
            LOGGER.error("%s: %s", self.options.command_name, error)


class Invocation:
    """One command in a pipeline: bound on creation, run when iterated."""

    def __init__(
        self,
        command: Command,
        arguments: Iterable[Any] = (),
        keywords: Mapping[str, Any] | None = None,
        records: Iterable[Any] | None = None,
        *,
        progress: ProgressHook | None = None,
    ) -> None:
        self.command = command
        self.state = command.bind_arguments(arguments, keywords or {}, expect_pipeline=records is not None)
        params = command.compiled.parameters
        common = {params[i].name: v for i, v in self.state.bound.items() if params[i].is_common}
        self.options = CallOptions(command, common) if common else _plain_options(command)
        self.reporter = CallReporter(self.options, progress)
        self.records = records
        self.progress = progress
        #: No common parameter given: nothing per call to keep apart, so the binding may be reused.
        self.reusable = not common and records is None
        operation = command.spec.operation
        if operation is None:
            raise ConfigurationError(f"{command.name} has no operation in its spec, so it cannot run.",
                                     setting="operation")
        self.connection = operation.connection

    def again(self) -> Invocation:
        """The same command line, for another run (its own reporter; the binding state is shared, read-only)."""
        twin = object.__new__(Invocation)
        twin.__dict__.update(self.__dict__)
        twin.reporter = CallReporter(self.options, self.progress)
        return twin

    def bindings(self) -> Iterator[Binding]:
        binder = self.command.binder
        if self.records is None:
            yield binder.finish(self.state)
            return
        for record in self.records:
            try:
                binding = binder.bind_record(self.state, record)
            except ParameterBindingError as error:
                self.reporter.error(error)  # PowerShell skips the record and reads the next
                continue
            yield binding

    def execute(self, binding: Binding) -> Iterator[Any]:
        try:
            settings = settings_for(binding, self.connection)
        except ConfigurationError as error:
            if self.options.error_variable is not None and self.options.error_action != "Ignore":
                self.options.error_variable.append(error)
            raise
        out = self.options.out_variable
        try:
            for item in run_binding(binding, settings, self.reporter):
                if out is not None:
                    out.append(item)
                yield item
        except _NON_TERMINATING as error:
            self.reporter.error(error)

    def __iter__(self) -> Iterator[Any]:
        for binding in self.bindings():
            yield from self.execute(binding)


def _returns_one(binding: Binding) -> bool:
    return choose_operation(binding)[0].returns == "object"


#: Bindings of recent calls whose arguments are all hashable (a polling loop repeats its call).
_RECENT: dict[tuple[Any, ...], tuple[Invocation, Binding, bool]] = {}


_SCALARS = (str, int, float, bool, type(None), SecureString)


def _frozen(value: Any) -> Any:
    """A value as a cache key part: its type and itself, for immutable scalars (and tuples of them) only.

    Anything else (an object whose attributes can change, a dict) makes the call uncacheable; the type
    keeps ``1`` and ``True`` apart, which bind differently.
    """
    if type(value) in _SCALARS:
        return (type(value), value)
    if type(value) is tuple:
        parts = tuple(_frozen(v) for v in value)
        return None if None in parts else (tuple, parts)
    return None


def _call_key(command: Command, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
    positional = tuple(_frozen(a) for a in args)
    named = tuple((name, _frozen(v)) for name, v in kwargs.items())
    if None in positional or any(frozen is None for _, frozen in named):
        return None
    return (command, positional, named)


def call_command(command: Command, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``command(...)``: one object for a set that fetches one, else a list."""
    key = _call_key(command, args, kwargs)
    recent = _RECENT.get(key) if key is not None else None
    if recent is not None:
        # Binding is deterministic and its result read-only: reuse it, with a fresh reporter.
        template, binding, returns_one = recent
        invocation = template.again()
    else:
        invocation = Invocation(command, args, kwargs)
        binding = next(invocation.bindings())
        returns_one = _returns_one(binding)
        if key is not None and invocation.reusable:
            if len(_RECENT) >= 256:
                _RECENT.clear()
            _RECENT[key] = (invocation, binding, returns_one)
    results = list(invocation.execute(binding))
    if returns_one:
        return results[0] if results else None
    return results


def stream_command(command: Command, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[Any]:
    """``command.stream(...)``: binds now, then yields objects, fetching each page only when needed."""
    return iter(Invocation(command, args, kwargs))


def pipe_command(command: Command, records: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """``command.pipe(records, ...)``: ``records | Command ...``."""
    return list(Invocation(command, args, kwargs, records=as_records(records)))


def invoke_line(line: str, *, input: Any = None) -> list[Any]:
    """Run a PowerShell line: every command binds before anything is sent, then objects flow through."""
    return list(stream_line(line, input=input))


def stream_line(line: str, *, input: Any = None, progress: ProgressHook | None = None) -> Iterator[Any]:
    """Bind every command of a PowerShell line now; yield the last command's objects lazily."""
    from .errors import LineSyntaxError
    from .psline import parse_line
    from .registry import REGISTRY

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
    for call in pipeline.commands:
        stream = Invocation(REGISTRY.get(call.name), call.arguments, records=stream, progress=progress)
    assert stream is not None
    return iter(stream)

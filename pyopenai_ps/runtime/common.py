"""The common parameters of a call, as pyopenai_ps gives them meaning:

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
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ActionPreferenceStopError, ConfigurationError, PSOpenAIError

__all__ = ["CallOptions", "CallReporter", "PLAIN_OPTIONS", "LOGGER", "ProgressHook", "variables", "labelled"]

LOGGER = logging.getLogger("pyopenai_ps")

#: Session variables for names given to -ErrorVariable and the like from a command line.
variables: dict[str, list[Any]] = {}


def labelled(record: logging.LogRecord) -> str:
    """A record as PowerShell shows its stream: ``VERBOSE: ...``, ``DEBUG: ...``, ``WARNING: ...``;
    an error as it is (the runtime already writes it as ``Command: message``)."""
    message = record.getMessage()
    level = record.levelno
    if level >= logging.ERROR:
        return message
    if level >= logging.WARNING:
        return "WARNING: " + message
    if level >= logging.INFO:
        return "VERBOSE: " + message
    return "DEBUG: " + message


class _StreamLabels(logging.Formatter):
    """PowerShell's stream labels on the fallback handler."""

    def format(self, record: logging.LogRecord) -> str:
        return labelled(record)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (a program may redirect it later)."""

    @property
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


def _target_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        name = value.strip()
        if name.startswith("+"):
            return variables.setdefault(name[1:], [])
        variables[name] = []
        return variables[name]
    return value if isinstance(value, list) else list(value)  # a Python list: the call appends to it


class CallOptions:
    """The common parameters of one call."""

    def __init__(self, bound: Mapping[str, Any]) -> None:
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


#: The options of a call given no common parameter: the same for every call.
PLAIN_OPTIONS = CallOptions({})


class CallReporter:
    """Reports for one call only (see the module docstring)."""

    def __init__(self, command_name: str, options: CallOptions, progress: ProgressHook | None = None) -> None:
        self.command_name = command_name
        self.options = options
        self.verbose_enabled = options.verbose or options.debug or LOGGER.isEnabledFor(logging.INFO)
        self.debug_enabled = options.debug or LOGGER.isEnabledFor(logging.DEBUG)
        #: -Debug was given to this call (not only a debug-level logger).
        self.debug_requested = options.debug
        self._progress = progress if options.progress else None

    def progress(self, pages: int, objects: int) -> None:
        """Pages and objects read so far by a listing that follows every page."""
        if self._progress is not None:
            self._progress(self.command_name, pages, objects)

    def waiting(self, object_id: str, status: str, seconds: float) -> None:
        """A wait's object, its status now, and the seconds waited so far."""
        report = getattr(self._progress, "waiting", None) if self._progress is not None else None
        if report is not None:
            report(self.command_name, object_id, status, seconds)

    def transfer(self, direction: str, done: int, total: int | None) -> None:
        """Bytes uploaded or downloaded so far (``direction``: "upload" or "download")."""
        report = getattr(self._progress, "transfer", None) if self._progress is not None else None
        if report is not None:
            report(self.command_name, direction, done, total)

    def _emit(self, level: int, message: str, forced: bool) -> None:
        if not forced and not LOGGER.isEnabledFor(level):
            return
        record = LOGGER.makeRecord(LOGGER.name, level, "(pyopenai_ps)", 0, message, (), None)
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
            LOGGER.error("%s: %s", self.command_name, error)

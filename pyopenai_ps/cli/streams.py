"""The command line's streams: records from standard input, progress and messages (the output
formats are in :mod:`.writers`).

Everything writes to ``sys.stdout``/``sys.stderr`` as they are at call time, so a test or a caller
that swaps them sees the output.  On a terminal, errors, warnings and VERBOSE/DEBUG lines take
PowerShell 7's colours (bold red, bold yellow); ``NO_COLOR`` (any non-empty value), ``TERM=dumb``
or a stderr that is not a terminal turns colour off.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from ..errors import InputFormatError
from ..runtime.common import labelled
from ..secure import Redactor

__all__ = ["stdin_records", "Progress", "Messages", "Scrubber", "colour_for", "paint", "ERROR_STYLE",
           "WARNING_STYLE", "VERBOSE_STYLE"]


# --- standard input ---------------------------------------------------------------------------


def stdin_records(stream: TextIO) -> Iterator[Any]:
    """Pipeline records read lazily from ``stream``.

    A JSON array yields its items; any other JSON value (one a line, or spread
    over several lines as ``jq`` prints it) is one record; any other non-blank
    line is one string.  A line that starts with ``{`` or ``[`` is JSON: if it
    does not parse, that is an :class:`InputFormatError`, not a string.  Records are yielded as soon as they are complete, so
    ``a | b`` streams instead of waiting for ``a`` to finish.
    """
    import json

    decoder = json.JSONDecoder()
    buffer = ""
    first_line = 0
    for number, line in enumerate(stream, 1):
        if number == 1:
            line = line.lstrip("\ufeff")
        if not buffer:
            text = line.strip()
            if not text:
                continue
            if text[0] not in "{[":
                yield _scalar_line(text, decoder)
                continue
            first_line = number
        buffer += line
        while buffer:
            start = len(buffer) - len(buffer.lstrip())
            if start == len(buffer):
                buffer = ""
                break
            try:
                value, end = decoder.raw_decode(buffer, start)
            except json.JSONDecodeError as exc:
                if exc.pos < len(buffer.rstrip()):  # not merely unfinished: a line that starts with { or [ is JSON
                    line_no = first_line + exc.lineno - 1
                    raise InputFormatError(
                        f"Standard input is not valid JSON in the value starting on line {first_line}: "
                        f"{exc.msg} (line {line_no}, column {exc.colno})."
                    ) from None
                break  # wait for the next line
            buffer = buffer[end:]
            if isinstance(value, list):
                yield from value  # PowerShell enumerates an array sent down a pipeline
            else:
                yield value
            if buffer.strip():
                first_line = number
    if buffer.strip():
        raise InputFormatError(f"Standard input ended inside the JSON value starting on line {first_line}.")


def _scalar_line(text: str, decoder: Any) -> Any:
    """A line that is not an object or array: a JSON scalar if it is one ("x", 5, true), else the text."""
    if text[0] in '"-0123456789tfn':
        try:
            value, end = decoder.raw_decode(text)
        except ValueError:
            return text
        if end == len(text):
            return value
    return text


# --- progress ---------------------------------------------------------------------------------


def _size(count: float) -> str:
    """A byte count as people read it: ``512 B``, ``1.5 MB`` (powers of 1024, as PowerShell's KB/MB)."""
    for unit in ("B", "KB", "MB"):
        if count < 1024:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


class Progress:
    """``\rGet-ThreadRun: 3 pages, 300 objects`` on a terminal's stderr, cleared when done; for an
    upload or a download ``\rRegister-OpenAIFile: uploading 12.0 MB of 200.0 MB (80.0 MB/s)``."""

    #: A transfer's line is redrawn at most this often (seconds), and at its end.
    TRANSFER_EVERY = 0.1

    def __init__(self, clock: Any = None) -> None:
        import time

        self.width = 0
        self.clock = clock or time.monotonic
        self._transfer: tuple[str, float, float, int] | None = None  # (direction, started, drawn at, bytes)

    def __call__(self, command_name: str, pages: int, objects: int) -> None:
        self._draw(f"{command_name}: {pages} page{'' if pages == 1 else 's'}, "
                   f"{objects} object{'' if objects == 1 else 's'}")

    def transfer(self, command_name: str, direction: str, done: int, total: int | None) -> None:
        """Bytes sent or received so far, with the rate since the transfer began."""
        now = self.clock()
        last = self._transfer
        if last is None or last[0] != direction or done < last[3]:  # a new transfer: drawn at once
            started = now
        elif now - last[2] < self.TRANSFER_EVERY and done != total:
            self._transfer = (direction, last[1], last[2], done)
            return
        else:
            started = last[1]
        self._transfer = (direction, started, now, done)
        rate = f" ({_size(done / (now - started))}/s)" if now > started else ""
        of = f" of {_size(total)}" if total is not None else ""
        self._draw(f"{command_name}: {direction}ing {_size(done)}{of}{rate}")

    def waiting(self, command_name: str, object_id: str, status: str, seconds: float) -> None:
        """``\rWait-ThreadRun: run_abc is in_progress (3.2 s)``: a wait's object, its status, the time waited."""
        self._draw(f"{command_name}: {object_id or 'the object'} is {status or 'unknown'} ({seconds:.1f} s)")

    def _draw(self, text: str) -> None:
        pad = " " * max(0, self.width - len(text))  # rub out a longer previous line
        sys.stderr.write("\r" + text + pad)
        sys.stderr.flush()
        self.width = len(text)

    def clear(self) -> None:
        self._transfer = None
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


class _NoProgress:
    width = 0

    def clear(self) -> None:
        pass


NO_PROGRESS = _NoProgress()


# --- messages ---------------------------------------------------------------------------------


class Scrubber:
    """The secrets this run of the tool knows, for everything bound for stderr (one redactor)."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self.redactor = Redactor(secrets or [])

    def add(self, secret: str) -> None:
        self.redactor = self.redactor.with_secrets(secret)

    def __call__(self, text: str) -> str:
        return self.redactor.text(text)


# PowerShell 7's $PSStyle.Formatting defaults for these streams.
ERROR_STYLE = "\x1b[31;1m"
WARNING_STYLE = "\x1b[33;1m"
VERBOSE_STYLE = "\x1b[33;1m"
_RESET = "\x1b[0m"


def colour_for(stream: Any) -> bool:
    """Whether lines written to ``stream`` get colours: a terminal, no NO_COLOR, TERM not dumb."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def paint(text: str, style: str, on: bool) -> str:
    """``text`` in ``style`` when ``on`` (each line on its own, so a pager keeps the colour)."""
    if not on or not text:
        return text
    return "\n".join(f"{style}{line}{_RESET}" if line else line for line in text.split("\n"))


def _style(level: int) -> str:
    if level >= logging.ERROR:
        return ERROR_STYLE
    return WARNING_STYLE if level >= logging.WARNING else VERBOSE_STYLE


class Messages(logging.Handler):
    """The ``pyopenai_ps`` logger's records on stderr with PowerShell's stream labels (and colours).

    The runtime logs -ErrorAction Continue errors already as ``Command: message``,
    so errors are written as they are; they are counted for the exit code.
    """

    def __init__(self, progress: Any, scrub: Scrubber) -> None:
        super().__init__(logging.NOTSET)
        self.progress = progress
        self.scrub = scrub
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.levelno >= logging.ERROR:
                self.errors += 1
            text = self.scrub(labelled(record))
            self.progress.clear()
            sys.stderr.write(paint(text, _style(record.levelno), colour_for(sys.stderr)) + "\n")
            sys.stderr.flush()
        except Exception:  # a broken stderr must not stop the command
            self.handleError(record)

    def install(self) -> None:
        logger = logging.getLogger("pyopenai_ps")
        self._saved = (logger.level, logger.propagate)
        logger.addHandler(self)
        logger.setLevel(logging.WARNING)  # -Verbose/-Debug records are forced through per call
        logger.propagate = False
        _INSTALLED.append(self)

    def uninstall(self) -> None:
        """Give the logger back as it was (main() may run more than once in one process)."""
        logger = logging.getLogger("pyopenai_ps")
        logger.removeHandler(self)
        logger.setLevel(self._saved[0])
        logger.propagate = self._saved[1]


#: Handlers installed by the running main(), removed when it returns.
_INSTALLED: list[Messages] = []


def uninstall_all() -> None:
    while _INSTALLED:
        _INSTALLED.pop().uninstall()

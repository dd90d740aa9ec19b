"""The command line's streams: records from standard input, progress and messages (the output
formats are in :mod:`.writers`).

Everything writes to ``sys.stdout``/``sys.stderr`` as they are at call time, so a test or a caller
that swaps them sees the output.  On a terminal, errors, warnings and VERBOSE/DEBUG lines take
PowerShell 7's colours (bold red, bold yellow); ``NO_COLOR`` (any non-empty value), ``TERM=dumb``
or a stderr that is not a terminal turns colour off.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from ..errors import InputFormatError
from ..runtime.common import labelled
from ..secure import Redactor

__all__ = ["stdin_records", "Progress", "Messages", "Scrubber", "colour_for", "paint", "ERROR_STYLE",
           "WARNING_STYLE", "VERBOSE_STYLE", "write_stderr"]


# --- standard input ---------------------------------------------------------------------------


def stdin_records(stream: TextIO) -> Iterator[Any]:
    """Pipeline records read lazily from ``stream``.

    A JSON array yields its items; any other JSON value (one a line, or spread
    over several lines as ``jq`` prints it) is one record; any other non-blank
    line is one string.  A line that starts with ``{`` or ``[`` is JSON: if it
    does not parse, that is an :class:`InputFormatError`, not a string.  Records
    are yielded as soon as they are complete, so ``a | b`` streams instead of
    waiting for ``a`` to finish.  Reading is linear: the lines of a value are only
    counted (brackets outside strings) until the value closes, then decoded once
    (its first line is also decoded alone, so a value that is wrong from its start
    is refused at once).  JSON that Python cannot hold (nested too deeply, a
    number of thousands of digits) is an :class:`InputFormatError`.
    """
    import json

    decoder = json.JSONDecoder()
    lines: list[str] = []
    depth = 0
    first_line = 0
    for number, line in enumerate(stream, 1):
        if number == 1:
            line = line.lstrip("\ufeff")
        if not lines:
            text = line.strip()
            if not text:
                continue
            if text[0] not in "{[":
                yield _scalar_line(text, decoder)
                continue
            first_line, depth = number, 0
        lines.append(line)
        change = _depth_change(line)
        depth = 0 if change is None else depth + change  # a string left open: not JSON, decode to say so
        if depth > 0:
            if len(lines) == 1:
                _check_start(line, decoder, number)
            continue  # the value is still open: wait for its closing line
        buffer = "".join(lines)
        lines = []
        for value in _decoded(buffer, decoder, first_line):
            if isinstance(value, _Rest):
                lines, first_line = [value.text], value.line  # an unfinished value after a complete one
                depth = _depth_change(value.text) or 0
            elif isinstance(value, list):
                yield from value  # PowerShell enumerates an array sent down a pipeline
            else:
                yield value
    if lines and "".join(lines).strip():
        for _ in _decoded("".join(lines), decoder, first_line):  # says what is wrong, if more than the end
            pass
        raise InputFormatError(f"Standard input ended inside the JSON value starting on line {first_line}.")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SPACES = re.compile(r"\s*")


def _depth_change(line: str) -> int | None:
    """How many more brackets a line opens than it closes, outside strings; None if it leaves a
    string open (JSON strings never span lines)."""
    bare = _STRING.sub("", line) if '"' in line else line
    if '"' in bare:
        return None
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


class _Rest:
    """What follows the last complete value of a buffer, when it is the start of another."""

    __slots__ = ("text", "line")

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line


def _not_json(exc: Any, buffer_line: int, value_line: int) -> InputFormatError:
    return InputFormatError(f"Standard input is not valid JSON in the value starting on line {value_line}: "
                            f"{exc.msg} (line {buffer_line + exc.lineno - 1}, column {exc.colno}).")


def _check_start(line: str, decoder: Any, number: int) -> None:
    """Refuse the first line of an unfinished value when it is wrong already (``{not json``)."""
    import json

    try:
        decoder.raw_decode(line, _SPACES.match(line).end())  # type: ignore[union-attr]
    except json.JSONDecodeError as exc:
        if exc.pos < len(line.rstrip()):  # not merely unfinished
            raise _not_json(exc, number, number) from None
    except (ValueError, RecursionError):
        pass  # too deep or too long: the whole value, decoded later, says so


def _decoded(buffer: str, decoder: Any, first_line: int) -> Iterator[Any]:
    """The values in ``buffer`` (which starts on line ``first_line``), then any unfinished rest."""
    import json

    position = counted = 0
    value_line = first_line
    while True:
        start = _SPACES.match(buffer, position).end()  # type: ignore[union-attr]
        if start >= len(buffer):
            return
        value_line += buffer.count("\n", counted, start)  # counted once: linear however many values
        counted = start
        try:
            value, position = decoder.raw_decode(buffer, start)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(buffer.rstrip()):  # merely unfinished: wait for more lines
                yield _Rest(buffer[start:], value_line)
                return
            raise _not_json(exc, first_line, value_line) from None
        except RecursionError:
            raise InputFormatError(
                f"Standard input holds JSON nested too deeply, in the value starting on line {value_line}."
            ) from None
        except ValueError:  # Python's limit on the digits of an integer
            raise InputFormatError(
                f"Standard input holds a number too long to read, in the value starting on line {value_line}."
            ) from None
        yield value


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


def write_stderr(text: str) -> None:
    """Write to standard error as it is now; a closed or broken stderr is ignored (it must never
    change what the command does or its exit status), a character it cannot encode is escaped."""
    stderr = sys.stderr
    if stderr is None:
        return
    try:
        try:
            stderr.write(text)
        except UnicodeEncodeError:
            encoding = stderr.encoding or "utf-8"
            stderr.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stderr.flush()
    except (OSError, ValueError):
        pass


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
        write_stderr("\r" + text + pad)
        self.width = len(text)

    def clear(self) -> None:
        self._transfer = None
        if self.width:
            write_stderr("\r" + " " * self.width + "\r")
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
            write_stderr(paint(text, _style(record.levelno), colour_for(sys.stderr)) + "\n")
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

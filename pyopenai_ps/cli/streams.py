"""The command line's streams: records from standard input, output views, progress and messages.

Everything writes to ``sys.stdout``/``sys.stderr`` as they are at call time, so a test or a caller
that swaps them sees the output.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from ..errors import InputFormatError
from ..runtime.common import labelled
from ..runtime.events import TextPiece
from ..runtime.views import format_list, format_table, json_line, show_value
from ..secure import Redactor

__all__ = ["stdin_records", "Progress", "Messages", "Scrubber", "make_writer"]


# --- standard input ---------------------------------------------------------------------------


def stdin_records(stream: TextIO) -> Iterator[Any]:
    """Pipeline records read lazily from ``stream``.

    A JSON array yields its items; any other JSON value (one a line, or spread
    over several lines as ``jq`` prints it) is one record; any other non-blank
    line is one string.  Records are yielded as soon as they are complete, so
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
                if exc.pos < len(buffer.rstrip()):  # not merely unfinished
                    if number == first_line:
                        yield buffer.strip()  # a lone line such as '{abc}' is a string, like any other line
                        buffer = ""
                        break
                    raise InputFormatError(
                        f"Standard input is not valid JSON in the value starting on line {first_line}: {exc.msg}."
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


class Progress:
    """``\\rGet-ThreadRun: 3 pages, 300 objects`` on a terminal's stderr, cleared when done."""

    def __init__(self) -> None:
        self.width = 0

    def __call__(self, command_name: str, pages: int, objects: int) -> None:
        text = (f"{command_name}: {pages} page{'' if pages == 1 else 's'}, "
                f"{objects} object{'' if objects == 1 else 's'}")
        pad = " " * max(0, self.width - len(text))  # rub out a longer previous line
        sys.stderr.write("\r" + text + pad)
        sys.stderr.flush()
        self.width = len(text)

    def waiting(self, command_name: str, object_id: str, status: str, seconds: float) -> None:
        """``\rWait-ThreadRun: run_abc is in_progress (3.2 s)``: a wait's object, its status, the time waited."""
        _redraw(self, f"{command_name}: {object_id or 'the object'} is {status or 'unknown'} ({seconds:.1f} s)")

    def clear(self) -> None:
        self._started = None
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


def _redraw(progress: Progress, text: str) -> None:
    """One progress line in place of the last (a longer previous line is rubbed out)."""
    pad = " " * max(0, progress.width - len(text))
    sys.stderr.write("\r" + text + pad)
    sys.stderr.flush()
    progress.width = len(text)


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


class Messages(logging.Handler):
    """The ``pyopenai_ps`` logger's records on stderr with PowerShell's stream labels.

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
            text = labelled(record)
            self.progress.clear()
            sys.stderr.write(self.scrub(text) + "\n")
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


# --- output -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.count = 0

    def _out(self, text: str) -> None:
        if self.progress.width and sys.stdout.isatty():
            self.progress.clear()  # the same screen: do not write over the progress line
        sys.stdout.write(text)
        sys.stdout.flush()

    def write(self, item: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _JsonLines(_Writer):
    def __init__(self, progress: Any) -> None:
        super().__init__(progress)
        self.json_line = json_line

    def write(self, item: Any) -> None:
        self._out(self.json_line(item) + "\n")
        self.count += 1


class _JsonArray(_JsonLines):
    """One JSON array, written as items arrive and closed even when a later item fails."""

    def write(self, item: Any) -> None:
        self._out(("[\n" if self.count == 0 else ",\n") + self.json_line(item))
        self.count += 1

    def close(self) -> None:
        self._out("\n]\n" if self.count else "[]\n")


class _ListView(_Writer):
    def write(self, item: Any) -> None:
        self._out(("\n" if self.count else "") + format_list([item]))
        self.count += 1


class _TableView(_Writer):
    """A table needs every row for its widths, so it is written at the end."""

    def __init__(self, progress: Any) -> None:
        super().__init__(progress)
        self.items: list[Any] = []

    def write(self, item: Any) -> None:
        self.items.append(item)

    def close(self) -> None:
        if not self.items:
            return
        import shutil

        width = shutil.get_terminal_size((120, 24)).columns
        self._out(format_table(self.items, table_columns(self.items, width)))


def table_columns(items: list[Any], width: int, clip: int = 40) -> list[str]:
    """The first object's properties that fit in ``width``, as PowerShell's table view drops the rest."""
    from collections.abc import Mapping

    first = items[0]
    names = [str(k) for k in first] if isinstance(first, Mapping) else ["Value"]
    columns: list[str] = []
    used = 0
    for name in names:
        values = (item.get(name) if isinstance(item, Mapping) else item for item in items)
        column = max(len(name), *(min(len(show_value(v)), clip) for v in values))
        if columns and used + 1 + column > width:
            break
        used += column + (1 if columns else 0)
        columns.append(name)
    return columns


class _TextPieces(_Writer):
    """Streamed text as plain text, each piece written and flushed as it comes, with one line break after the
    last; anything else goes to the view it wraps."""

    def __init__(self, view: _Writer) -> None:
        super().__init__(view.progress)
        self.view = view
        self.open = False  # pieces written since the last line break

    def write(self, item: Any) -> None:
        if isinstance(item, TextPiece):
            if item:
                self._out(item)
                self.open = not item.endswith("\n")
            return
        self._end_line()
        self.view.write(item)

    def _end_line(self) -> None:
        if self.open:
            self._out("\n")
            self.open = False

    def close(self) -> None:
        self._end_line()
        self.view.close()


def make_writer(fmt: str, progress: Any) -> _Writer:
    writer = {"list": _ListView, "table": _TableView, "json": _JsonArray, "jsonl": _JsonLines}[fmt](progress)
    return _TextPieces(writer) if fmt == "list" else writer

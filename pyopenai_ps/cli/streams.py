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
        self.wrote_bytes = False

    def _out(self, text: str) -> None:
        if self.progress.width and sys.stdout.isatty():
            self.progress.clear()  # the same screen: do not write over the progress line
        sys.stdout.write(text)
        sys.stdout.flush()

    def write(self, item: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def write_bytes(self, data: bytes | bytearray) -> None:
        """Bytes (a file's content) go to standard output as they are, in every format."""
        if self.progress.width and sys.stdout.isatty():
            self.progress.clear()
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        self.wrote_bytes = True


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
        if self.count or not self.wrote_bytes:  # only bytes written: no empty array after them
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


def make_writer(fmt: str, progress: Any) -> _Writer:
    return {"list": _ListView, "table": _TableView, "json": _JsonArray, "jsonl": _JsonLines}[fmt](progress)

"""The command line's output formats: each object is written as soon as it arrives.

``list`` (PowerShell's list view; on a terminal a long value wraps under its value column),
``table`` (Format-Table: columns from ``--property``, else the cmdlet's ``view: {table: [...]}``,
else the first object's properties; widths from the first rows, then one line per row, so a long
``-All`` shows rows at once and holds at most a sample of them), ``json`` (one array, written item
by item and closed even when a later item fails) and ``jsonl`` (one object a line).  ``--property``
chooses and orders the properties of every format.

Everything goes to ``sys.stdout`` as it is at call time, so a caller that swaps it sees the output.
A closed or full standard output is :class:`OutputFailed` (the command line reports it); a
character the output cannot encode (a lone surrogate) is escaped, so one odd string never ends a
listing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..runtime.events import TextPiece
from ..runtime.views import SAMPLE_ROWS, TableView, format_list, json_line

__all__ = ["make_writer", "FORMATS", "terminal_width", "TABLE_PATIENCE", "OutputFailed", "check_stdout"]

FORMATS = ("list", "table", "json", "jsonl")
#: Seconds a table waits for its sample of rows before it sizes its columns on what it has.
TABLE_PATIENCE = 0.3


class OutputFailed(Exception):
    """Standard output cannot be written (closed, or the device is full); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_stdout() -> None:
    """Raise :class:`OutputFailed` when there is no standard output to write to at all."""
    if sys.stdout is None:
        raise OutputFailed("standard output is closed")


def terminal_width(stream: Any) -> int | None:
    """The columns of the terminal ``stream`` writes to; None when it is not a terminal."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):
        return None
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


class _Writer:
    def __init__(self, progress: Any, properties: Sequence[str] | None) -> None:
        self.progress = progress
        self.properties = list(properties) if properties else None
        self.count = 0
        self.wrote_bytes = False

    def _out(self, text: str, plain: Callable[[], str] | None = None) -> None:
        """Write ``text``; when the output cannot encode one of its characters, ``plain()`` (or the
        text with such characters escaped) instead, so one odd string never ends the output."""
        if not text:
            return
        stdout = sys.stdout
        if stdout is None:
            raise OutputFailed("standard output is closed")
        try:
            if self.progress.width and stdout.isatty():
                self.progress.clear()  # the same screen: do not write over the progress line
            try:
                stdout.write(text)
            except UnicodeEncodeError:
                encoding = stdout.encoding or "utf-8"
                stdout.write(plain() if plain is not None else
                             text.encode(encoding, "backslashreplace").decode(encoding))
            stdout.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:  # ValueError: a closed file object
            raise OutputFailed(getattr(error, "strerror", None) or str(error)) from None

    def write(self, item: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def write_bytes(self, data: bytes | bytearray) -> None:
        """Bytes (a file's content) go to standard output as they are, whatever the format."""
        stdout = sys.stdout
        if stdout is None:
            raise OutputFailed("standard output is closed")
        try:
            if self.progress.width and stdout.isatty():
                self.progress.clear()
            stdout.flush()
            stdout.buffer.write(data)
            stdout.buffer.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:
            raise OutputFailed(getattr(error, "strerror", None) or str(error)) from None
        self.wrote_bytes = True


class _JsonLines(_Writer):
    def write(self, item: Any) -> None:
        self._out(json_line(item, self.properties) + "\n",
                  lambda: json_line(item, self.properties, ascii_only=True) + "\n")
        self.count += 1


class _JsonArray(_Writer):
    def write(self, item: Any) -> None:
        lead = "[\n" if self.count == 0 else ",\n"
        self._out(lead + json_line(item, self.properties), lambda: lead + json_line(item, self.properties,
                                                                                    ascii_only=True))
        self.count += 1

    def close(self) -> None:
        if self.count or not self.wrote_bytes:  # only bytes written: no empty array after them
            self._out("\n]\n" if self.count else "[]\n")


class _ListView(_Writer):
    def __init__(self, progress: Any, properties: Sequence[str] | None) -> None:
        super().__init__(progress, properties)
        self.width = terminal_width(sys.stdout)

    def write(self, item: Any) -> None:
        self._out(("\n" if self.count else "") + format_list([item], self.properties, width=self.width))
        self.count += 1


class _TableView(_Writer):
    """Rows stream after a short sample (the first rows, or what came within TABLE_PATIENCE)."""

    def __init__(self, progress: Any, properties: Sequence[str] | None, columns: Sequence[str] | None,
                 clock: Any = time.monotonic) -> None:
        super().__init__(progress, properties)
        width = terminal_width(sys.stdout)
        if width is None:
            import shutil

            width = shutil.get_terminal_size((120, 24)).columns  # COLUMNS, else 120
        self.view = TableView(self.properties or columns or None, width=width, sample=SAMPLE_ROWS)
        self.clock = clock
        self.first_at: float | None = None

    def write(self, item: Any) -> None:
        self.count += 1
        text = self.view.add(item)
        if not text and not self.view.started:
            now = self.clock()
            if self.first_at is None:
                self.first_at = now
            elif now - self.first_at >= TABLE_PATIENCE:
                text = self.view.flush()  # rows come slowly: show them rather than wait for more
        self._out(text)

    def close(self) -> None:
        self._out(self.view.finish())


class _TextPieces(_Writer):
    """Streamed text as plain text, each piece written and flushed as it comes, with one line break after the
    last; anything else goes to the view it wraps."""

    def __init__(self, view: _Writer) -> None:
        super().__init__(view.progress, view.properties)
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

    def write_bytes(self, data: bytes | bytearray) -> None:
        self._end_line()
        self.view.write_bytes(data)

    def _end_line(self) -> None:
        if self.open:
            self._out("\n")
            self.open = False

    def close(self) -> None:
        self._end_line()
        self.view.close()


def make_writer(fmt: str, progress: Any, *, properties: Sequence[str] | None = None,
                columns: Sequence[str] | None = None) -> _Writer:
    """The writer of a format; ``columns`` are the table's default columns (a spec's ``view:``). On the list
    view streamed text is plain text (:class:`_TextPieces`)."""
    if fmt == "table":
        return _TableView(progress, properties, columns)
    writer: type[_Writer] = {"list": _ListView, "json": _JsonArray, "jsonl": _JsonLines}[fmt]
    made = writer(progress, properties)
    return _TextPieces(made) if fmt == "list" else made

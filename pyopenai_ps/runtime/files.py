"""Answers written to a file (``out_file``): streamed in chunks, never left partial.

The bytes go to a temporary file in the target's own folder, which replaces the target only when
the whole answer has arrived; on any failure the temporary file is removed and the target is left
as it was.  The folder must exist before anything is sent.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable

from ..errors import MissingValueError

__all__ = ["check_target", "write_atomically"]


def check_target(path: object, parameter: str) -> str:
    """The target file's path; MissingValueError now (nothing sent) when its folder is missing."""
    if not isinstance(path, (str, os.PathLike)):
        raise MissingValueError(f"-{parameter} takes a file path, not {type(path).__name__}.", setting=parameter)
    text = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(text)
    if not os.path.isdir(folder):
        raise MissingValueError(f"-{parameter}: the folder '{folder}' does not exist.", setting=parameter)
    if os.path.isdir(text):
        raise MissingValueError(f"-{parameter}: '{text}' is a folder, not a file.", setting=parameter)
    return text


def _mode_for(path: str) -> int:
    """The permissions the written file gets: those of the file it replaces, else what the umask
    gives a new file (as ``open(path, "wb")`` would)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode) & 0o777  # never setuid, setgid or sticky on downloaded bytes
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux tells it without changing it
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)  # elsewhere reading it means setting it: set it back at once
    os.umask(umask)
    return umask


def write_atomically(path: str, chunks: Iterable[bytes], progress: Callable[[int], None] | None = None) -> int:
    """Write every chunk to ``path`` through a temporary file beside it; the number of bytes written."""
    folder, name = os.path.split(path)
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", suffix=".part", delete=False)  # noqa: SIM115
    written = 0
    try:
        with handle:
            for chunk in chunks:
                handle.write(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(written)
        os.chmod(handle.name, _mode_for(path))  # a temporary file is private (0600); the result must not be
        os.replace(handle.name, path)
    except BaseException:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise
    return written

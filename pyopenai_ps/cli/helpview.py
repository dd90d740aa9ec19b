"""``pyopenai-ps help <Cmdlet> [-Full | -Examples]`` and ``<Cmdlet> -?``: Get-Help's forms, paged on a terminal.

The default form is what ``Get-Help Name`` shows (NAME, SYNOPSIS, one SYNTAX line per parameter
set, DESCRIPTION, RELATED LINKS, REMARKS); ``-Full`` adds every parameter, inputs, outputs, notes
and examples; ``-Examples`` shows the examples.  On a terminal the text goes through ``$PAGER``
(else ``less -FRX``, which quits at once when the text fits the screen); into a pipe or a file it
is written as it is.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from typing import Any

from ..errors import UsageError
from .args import PROG, isatty

__all__ = ["help_form", "show_help", "page", "list_cmdlets", "help_command", "DEFAULT_PAGER"]

DEFAULT_PAGER = "less -FRX"
_SWITCHES = {"-full": "full", "-examples": "examples"}


def help_form(words: list[str]) -> str:
    """The form the words after the cmdlet name ask for: ``default``, ``full`` or ``examples``."""
    forms = set()
    for word in words:
        form = _SWITCHES.get(word.lower())
        if form is None:
            raise UsageError(f"help takes -Full or -Examples after the cmdlet name, not '{word}'.")
        forms.add(form)
    if len(forms) > 1:
        raise UsageError("help takes one of -Full and -Examples.")
    return forms.pop() if forms else "default"


def show_help(command: Any, form: str = "default") -> None:
    """Write a cmdlet's help in that form: through the pager on a terminal, else as it is."""
    from ..spec.syntax import help_text

    text = help_text(command.spec, form, command=f"{PROG} help")
    page(text if text.endswith("\n") else text + "\n")


def _pager_words() -> list[str] | None:
    chosen = os.environ.get("PAGER")
    if chosen is None:
        chosen = DEFAULT_PAGER
    try:
        words = shlex.split(chosen)
    except ValueError:
        return None
    return words or None  # PAGER="" asks for no pager


def page(text: str) -> None:
    """``text`` on stdout, through the pager when stdout is a terminal (nowhere when it is closed)."""
    if sys.stdout is None:
        return
    words = _pager_words() if isatty(sys.stdout) else None
    if words is not None and _through_pager(words, text):
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def _through_pager(words: list[str], text: str) -> bool:
    """Whether the pager showed the text (False when it could not start)."""
    sys.stdout.flush()
    try:
        pager = subprocess.Popen(words, stdin=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    except OSError:
        return False
    # The pager reads keys, Ctrl-C among them; the tool only waits for it to end.
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        try:
            assert pager.stdin is not None
            pager.stdin.write(text)
            pager.stdin.close()
        except BrokenPipeError:  # quit before reading everything: fine
            pass
        pager.wait()
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    return True


def list_cmdlets(fmt: str | None, properties: list[str] | None) -> None:
    """``--list``: the cmdlets with their synopses, in two columns or as objects in ``fmt``."""
    from ..runtime.command import REGISTRY
    from .streams import write_stderr

    entries = []
    for name in REGISTRY.names():
        try:
            synopsis = REGISTRY.get(name).spec.synopsis
        except Exception:  # a broken spec: listed, its error follows below
            synopsis = ""
        entries.append({"Name": name, "Synopsis": synopsis})
    if fmt is None:
        width = max((len(entry["Name"]) for entry in entries), default=0)
        for entry in entries:
            print(f"{entry['Name'].ljust(width)}  {entry['Synopsis']}".rstrip())
    else:
        from .streams import NO_PROGRESS
        from .writers import make_writer

        writer = make_writer(fmt, NO_PROGRESS, properties=properties)
        for entry in entries:
            writer.write(entry)
        writer.close()
    for error in REGISTRY.errors():
        write_stderr(f"WARNING: {error}\n")


def help_command(words: list[str]) -> None:
    """``help <Cmdlet> [-Full | -Examples]``."""
    if not words:
        raise UsageError("help takes a cmdlet name, e.g. help Get-ThreadRun (add -Full or -Examples for more).")
    from ..errors import CommandNotFoundError
    from ..runtime.command import REGISTRY

    form = help_form(words[1:])
    try:
        command = REGISTRY.get(words[0])
    except CommandNotFoundError as error:
        raise UsageError(str(error), where=words[0]) from None
    show_help(command, form)

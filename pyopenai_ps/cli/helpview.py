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

__all__ = ["help_form", "show_help", "page", "DEFAULT_PAGER"]

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
    """``text`` on stdout, through the pager when stdout is a terminal."""
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

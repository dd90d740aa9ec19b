"""The command line layer: ``pyopenai-ps``.

:mod:`.main` reads the tool's options and runs a cmdlet or a PowerShell line; :mod:`.args` turns
shell words into the binder's arguments; :mod:`.streams` reads records from standard input and
writes views, progress and messages; :mod:`.demo` runs the specs' demo examples.  It may import
any layer; only ``pyopenai_ps.__main__`` (and the console script) import it.
"""

from .main import main

__all__ = ["main"]

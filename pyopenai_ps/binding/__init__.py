"""The binding layer: PowerShell's parameter binder over a compiled spec.

:mod:`.compiled` turns a spec into lookup tables once; :mod:`.binder` binds named, positional and
pipeline arguments with PowerShell's rules; :mod:`.result` is the :class:`Binding` it returns,
pure data; :mod:`.records` enumerates pipeline input.  It imports the spec and pslang layers only,
never runtime, http, cli, server or urllib3.
"""

from .binder import Binder, CommandLineState
from .records import as_records
from .result import NO_INPUT, Binding

__all__ = ["Binder", "Binding", "CommandLineState", "NO_INPUT", "as_records"]

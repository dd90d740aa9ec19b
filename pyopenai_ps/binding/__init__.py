"""The binding layer: PowerShell's parameter binder over a compiled spec.

:mod:`.compiled` turns a spec into lookup tables once; :mod:`.binder` binds named and pipeline
arguments with PowerShell's rules, in PowerShell's order; :mod:`.arguments` pairs ``-Name`` tokens
with their values (ReparseUnboundArguments); :mod:`.positional` binds positions, the remaining
arguments and reports what is left; :mod:`.values` converts, validates and checks one value;
:mod:`.messages` words the errors and their hints; :mod:`.state` is what the command line bound;
:mod:`.result` is the :class:`Binding` it returns, pure data; :mod:`.records` enumerates pipeline
input.  It imports the spec and pslang layers only,
never runtime, http, cli, server or urllib3.
"""

from .binder import Binder, CommandLineState
from .records import as_records
from .result import NO_INPUT, Binding

__all__ = ["Binder", "Binding", "CommandLineState", "NO_INPUT", "as_records"]

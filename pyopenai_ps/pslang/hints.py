"""PowerShell's own cmdlets a line may reach for, and what to use here instead.

A line runs this package's cmdlets only; ``Where-Object``, ``ForEach-Object`` and the like need
script blocks, which the line reader refuses.  Naming one is a :class:`LineSyntaxError` that
says what does the job instead: Python for filtering and shaping, piping values straight into
the cmdlet for looping.
"""

from __future__ import annotations

from .lexer import fail

__all__ = ["refuse_shell_cmdlet"]

_FILTER_HINT = (
    "filter the objects in Python instead, for example "
    "[run for run in pyopenai_ps.invoke(\"Get-ThreadRun -Thread thread_abc123 -All\") if run.status == 'completed']."
)
_LOOP_HINT = (
    "pipe the values straight into the cmdlet instead ('thread_a','thread_b' | Get-ThreadRun): it binds each one "
    "as its input; or loop in Python: [pyopenai_ps.get_thread_run(t) for t in ids]."
)
_SHAPE_HINT = "work on the returned objects in Python instead (sorted(), a comprehension, len(), ...)."
#: PowerShell's own cmdlets (and their aliases) a line may try to use, and what to do instead.
_SHELL_CMDLETS = {
    **{name: ("Where-Object", _FILTER_HINT) for name in ("where-object", "where", "?")},
    **{name: ("ForEach-Object", _LOOP_HINT) for name in ("foreach-object", "foreach", "%")},
    **{name: (canonical, _SHAPE_HINT) for canonical, names in (
        ("Select-Object", ("select-object", "select")),
        ("Sort-Object", ("sort-object", "sort")),
        ("Group-Object", ("group-object", "group")),
        ("Measure-Object", ("measure-object", "measure")),
        ("Format-Table", ("format-table", "ft")),
        ("Format-List", ("format-list", "fl")),
        ("Out-File", ("out-file",)),
        ("Select-String", ("select-string", "sls")),
    ) for name in names},
}


def refuse_shell_cmdlet(name: str, index: int) -> None:
    found = _SHELL_CMDLETS.get(name.lower())
    if found is not None:
        canonical, hint = found
        fail(f"{canonical} is PowerShell's, not a cmdlet of this package, and script blocks cannot run here: {hint}",
             f"command {canonical}", index)

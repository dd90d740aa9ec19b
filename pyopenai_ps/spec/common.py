"""PowerShell's common parameters, known to every cmdlet.

They take part in name matching (so ``-v`` can be ambiguous), belong to every
parameter set and never decide one.  This is engine data, not cmdlet data,
so it lives here rather than in each spec.
"""

from __future__ import annotations

__all__ = ["COMMON_PARAMETERS", "COMMON_NAMES"]

#: (name, aliases, type name) in PowerShell's order.
COMMON_PARAMETERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Verbose", ("vb",), "SwitchParameter"),
    ("Debug", ("db",), "SwitchParameter"),
    ("ErrorAction", ("ea",), "ActionPreference"),
    ("WarningAction", ("wa",), "ActionPreference"),
    ("InformationAction", ("infa",), "ActionPreference"),
    ("ProgressAction", ("proga",), "ActionPreference"),
    ("ErrorVariable", ("ev",), "Variable"),
    ("WarningVariable", ("wv",), "Variable"),
    ("InformationVariable", ("iv",), "Variable"),
    ("OutVariable", ("ov",), "Variable"),
    ("OutBuffer", ("ob",), "Int32"),
    ("PipelineVariable", ("pv",), "Variable"),
)

#: Every name and alias of a common parameter, lower-cased.
COMMON_NAMES = frozenset(
    key.lower() for name, aliases, _ in COMMON_PARAMETERS for key in (name, *aliases)
)

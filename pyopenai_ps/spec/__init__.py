"""The spec layer: what a cmdlet is.

The attrs model of a spec file (:mod:`.model`, :mod:`.operation`), safe loading with every check
(:mod:`.load`, :mod:`.build`, :mod:`.parameters`, :mod:`.yamlsafe`), the parsed-spec cache
(:mod:`.cache`), PowerShell's types and conversions (:mod:`.types`, with :mod:`.typebase`,
:mod:`.numbers` for numbers as PowerShell reads and prints them, :mod:`.enums`), the named
validators and transforms (:mod:`.validators`, :mod:`.ranges`), reading properties of values
(:mod:`.properties`), the common parameters (:mod:`.common`) and SYNTAX and help rendering
(:mod:`.syntax`).

It imports nothing of the other layers and no network code.
"""

from .load import bundled_specs_dir, load_spec_file, load_spec_text
from .model import ALL_SETS, NO_DEFAULT, CmdletSpec, ParameterSpec, SetMembership, function_name_for

__all__ = [
    "ALL_SETS",
    "NO_DEFAULT",
    "CmdletSpec",
    "ParameterSpec",
    "SetMembership",
    "bundled_specs_dir",
    "function_name_for",
    "load_spec_file",
    "load_spec_text",
]

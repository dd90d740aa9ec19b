"""The cmdlet spec model: what a ``specs/*.yaml`` file says, as frozen attrs classes.

The model is plain data.  It knows nothing of binding; :mod:`.load` builds it from YAML and
checks it, and the binding layer compiles it into lookup tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from .._sentinel import Sentinel
from .enums import EnumSpec
from .operation import Connection, OperationSpec
from .ranges import range_description
from .types import ParamType, resolve_type

__all__ = [
    "ALL_SETS",
    "NO_DEFAULT",
    "SetMembership",
    "ParameterSpec",
    "Example",
    "Link",
    "CmdletSpec",
    "View",
    "ROLES",
    "function_name_for",
]

#: The set name of a cmdlet that declares no parameter sets (PowerShell's own name).
ALL_SETS = "__AllParameterSets"


#: A parameter's ``default`` when the spec gives none.
NO_DEFAULT: Any = Sentinel("NO_DEFAULT", __name__)


@attrs.frozen
class SetMembership:
    """How a parameter takes part in one parameter set (one ``[Parameter()]`` attribute)."""

    set_name: str
    mandatory: bool = False
    position: int | None = None
    by_value: bool = False
    by_property_name: bool = False
    #: ValueFromRemainingArguments: takes what no other parameter took (and takes no position).
    remaining: bool = False


@attrs.frozen
class ParameterSpec:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    #: One entry per set the parameter belongs to, in the cmdlet's set order.
    membership: tuple[SetMembership, ...] = ()
    #: True when the spec gave no ``sets`` (the parameter is in every set).
    in_all_sets: bool = True
    default: Any = NO_DEFAULT
    #: ``(validator name, arguments)`` pairs in spec order.
    validate: tuple[tuple[str, Any], ...] = ()
    transform: tuple[str, ...] = ()
    help: str = ""
    hidden: bool = False
    #: The value is hidden in reprs and logs (for dictionaries that may carry credentials).
    sensitive: bool = False
    #: What the parameter configures for the runtime (one of :data:`ROLES`), or None.
    role: str | None = None
    #: A switch given False from a Python keyword binds False (default: such a False means "not given").
    false_binds: bool = False
    #: Declared for compatibility, but has no effect here: why (the runtime warns when it is given).
    no_effect: str = ""
    #: ``(value, why)`` pairs: values that bind (as in PSOpenAI) but that this package cannot serve;
    #: the runtime refuses them before anything is sent.
    unsupported: tuple[tuple[str, str], ...] = ()

    def membership_in(self, set_name: str) -> SetMembership | None:
        for member in self.membership:
            if member.set_name == set_name:
                return member
        return None

    @property
    def accepted_values(self) -> tuple[str, ...]:
        """The values of a ``set`` validator, for help and stubs."""
        for name, args in self.validate:
            if name == "set":
                values = args.get("values") if isinstance(args, Mapping) else args
                return tuple(str(v) for v in values or ())
        return ()

    @property
    def range(self) -> tuple[Any, Any] | str | None:
        """The ``range`` validator for help and stubs: ``(min, max)``, or a kind such as ``'Positive'``."""
        for name, args in self.validate:
            if name == "range":
                return range_description(args)
        return None


@attrs.frozen
class Example:
    title: str
    code: str
    remarks: str = ""
    #: ``pyopenai-ps demo`` runs this example against the bundled server.
    demo: bool = False


@attrs.frozen
class View:
    """How output objects of a cmdlet are shown: the table view's columns (empty: every property)."""

    table: tuple[str, ...] = ()


@attrs.frozen
class Link:
    uri: str
    title: str = ""


#: What a parameter can configure for the runtime (``role:``); the connection fragment gives each
#: of them to one of its parameters.
ROLES = ("api_key", "api_base", "organization", "timeout", "max_retries", "extra_query", "extra_headers",
         "extra_body")

#: Names of the package's own API, which no cmdlet's module function may take.
RESERVED_FUNCTION_NAMES = frozenset(
    {"get_command", "get_commands", "load_spec", "spec_errors", "bind", "invoke", "variables", "configure"}
)

#: Brand names kept as one word in function names (``Get-OpenAIFile`` -> ``get_openai_file``).
_WHOLE_WORDS = ("OpenAI", "ChatGPT")


def function_name_for(cmdlet_name: str) -> str:
    """``Get-ThreadRun`` -> ``get_thread_run``: the module function's name."""
    text = cmdlet_name
    for word in _WHOLE_WORDS:
        text = text.replace(word, f"-{word.lower()}-")
    words: list[str] = []
    for part in re.split(r"[-\s]+", text):
        words.extend(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[0-9]+", part))
    return "_".join(word.lower() for word in words if word)


@attrs.frozen
class CmdletSpec:
    name: str
    synopsis: str
    description: str
    parameter_sets: tuple[str, ...]
    parameters: tuple[ParameterSpec, ...]
    default_parameter_set: str | None = None
    examples: tuple[Example, ...] = ()
    #: The HTTP operation of each set (read by the command runtime); None when the spec has none.
    operation: OperationSpec | None = None
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    notes: str = ""
    links: tuple[Link, ...] = ()
    #: Where the spec was read from (a path, or "<string>").
    source: str = "<string>"
    #: The module function's name; derived from ``name`` unless the spec sets it.
    function_name: str = ""
    #: The spec's own enum types: name -> EnumSpec (``OpenAIApiType: [OpenAI, Azure]``).
    enums: Mapping[str, EnumSpec] = attrs.field(factory=dict)
    #: Which parameter plays each connection role (the key, the base, ...).
    connection: Connection = attrs.field(factory=Connection)
    view: View = attrs.field(factory=View)

    def __attrs_post_init__(self) -> None:
        if not self.function_name:
            object.__setattr__(self, "function_name", function_name_for(self.name))

    def type_of(self, parameter: ParameterSpec) -> ParamType:
        """A parameter's type, the spec's own enums included."""
        return resolve_type(parameter.type, self.enums)

    def parameter(self, name: str) -> ParameterSpec:
        wanted = name.lower()
        for parameter in self.parameters:
            if parameter.name.lower() == wanted:
                return parameter
        raise KeyError(name)

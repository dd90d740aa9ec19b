"""A cmdlet's SYNTAX and full help text, rendered from its spec.

:func:`syntax_blocks` gives the SYNTAX form PSOpenAI's platyPS help files
show: one block per parameter set, in the spec's set order, the cmdlet's name
on the first line and each parameter on a line of its own, indented four
spaces, ``[<CommonParameters>]`` last.  Hidden parameters are left out.

The forms of one parameter::

    [-Name] <T>      positional, mandatory        -Name <T>        named, mandatory
    [[-Name] <T>]    positional, optional         [-Name <T>]      named, optional
    -Switch          mandatory switch             [-Switch]        optional switch

The order within a block: mandatory switches first (the switch that selects
its set, like ``-All``), then every other parameter in declaration order.
That is the only rule that fits all 49 of PSOpenAI 3.7.0's help files; their
order is otherwise the author's (a positional parameter may come after a
mandatory named one, or before it), so the spec's parameter order carries it.

:func:`help_text` renders the help in the plain-text layout of PowerShell's
``Get-Help``: the default form (NAME, SYNOPSIS, SYNTAX with one line per set,
DESCRIPTION, RELATED LINKS, REMARKS), ``full`` (``Get-Help -Full``: the syntax
blocks, every parameter with its attributes, inputs, outputs, notes, examples)
and ``examples`` (``Get-Help -Examples``: NAME, SYNOPSIS, EXAMPLES).
:func:`syntax_line` is one set's syntax on one line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

from .model import ALL_SETS, NO_DEFAULT, CmdletSpec, ParameterSpec, SetMembership
from .types import resolve_type

__all__ = [
    "syntax_blocks",
    "syntax_section",
    "parameter_token",
    "display_type",
    "set_parameters",
    "set_heading",
    "help_text",
    "syntax_line",
    "HELP_FORMS",
    "COMMON_PARAMETERS_LINE",
]

#: The forms :func:`help_text` renders, as Get-Help's switches name them.
HELP_FORMS = ("default", "full", "examples")

#: The last entry of every syntax block.
COMMON_PARAMETERS_LINE = "[<CommonParameters>]"
_INDENT = "    "


def display_type(parameter: ParameterSpec, spec: CmdletSpec | None = None) -> str | None:
    """The type as the syntax shows it (``String``, ``Int32[]``, ``Uri``); None for a switch.

    Give the ``spec`` for a parameter whose type is one of the spec's own enums.
    """
    param_type = spec.type_of(parameter) if spec is not None else resolve_type(parameter.type)
    if param_type.is_switch:
        return None
    return param_type.name


def parameter_token(parameter: ParameterSpec, member: SetMembership, spec: CmdletSpec | None = None) -> str:
    """One parameter as a syntax block shows it in one set."""
    name = f"-{parameter.name}"
    shown = display_type(parameter, spec)
    if shown is None:
        return name if member.mandatory else f"[{name}]"
    if member.position is not None:
        return f"[{name}] <{shown}>" if member.mandatory else f"[[{name}] <{shown}>]"
    return f"{name} <{shown}>" if member.mandatory else f"[{name} <{shown}>]"


def set_parameters(spec: CmdletSpec, set_name: str) -> list[tuple[ParameterSpec, SetMembership]]:
    """The visible parameters of one set, in syntax order."""
    members = []
    for parameter in spec.parameters:
        member = parameter.membership_in(set_name)
        if member is not None and not parameter.hidden:
            members.append((parameter, member))

    def leads(pair: tuple[ParameterSpec, SetMembership]) -> bool:
        return pair[1].mandatory and display_type(pair[0], spec) is None

    return [pair for pair in members if leads(pair)] + [pair for pair in members if not leads(pair)]


def syntax_blocks(spec: CmdletSpec) -> list[tuple[str, str]]:
    """``(set name, block text)`` per parameter set, in the spec's set order."""
    blocks = []
    for set_name in spec.parameter_sets:
        lines = [spec.name]
        lines.extend(_INDENT + parameter_token(p, m, spec) for p, m in set_parameters(spec, set_name))
        lines.append(_INDENT + COMMON_PARAMETERS_LINE)
        blocks.append((set_name, "\n".join(lines)))
    return blocks


def syntax_line(spec: CmdletSpec, set_name: str) -> str:
    """One set's syntax on one line, as ``Get-Help`` shows it: name, parameters, common parameters."""
    tokens = [parameter_token(p, m, spec) for p, m in set_parameters(spec, set_name)]
    return " ".join([spec.name, *tokens, COMMON_PARAMETERS_LINE])


def set_heading(spec: CmdletSpec, set_name: str) -> str | None:
    """The ``### Name`` heading of a set's block; None for a cmdlet without named sets.

    ``(Default)`` follows the default set's name when that set is also listed
    first, as PSOpenAI's help marks it (a default listed later, as
    Get-ThreadRun's ``List``, goes unmarked there).
    """
    if spec.parameter_sets == (ALL_SETS,):
        return None
    heading = f"### {set_name}"
    if set_name == spec.default_parameter_set and set_name == spec.parameter_sets[0]:
        heading += " (Default)"
    return heading


def syntax_section(spec: CmdletSpec) -> str:
    """The body of a help file's ``## SYNTAX`` section (without that heading), LF line ends."""
    parts = []
    for set_name, text in syntax_blocks(spec):
        heading = set_heading(spec, set_name)
        block = f"```\n{text}\n```"
        parts.append(f"{heading}\n{block}" if heading else block)
    return "\n\n".join(parts)


# --- Get-Help -Full ------------------------------------------------------------------------

_WIDTH = 100
_COMMON_TEXT = (
    "Every cmdlet also takes PowerShell's common parameters. Here -Verbose and -Debug log the requests, "
    "-ErrorAction and -WarningAction choose between stopping, going on and staying quiet, and "
    "-ErrorVariable, -WarningVariable and -OutVariable collect errors, warnings and output; "
    "-OutBuffer and -PipelineVariable are refused."
)


def _wrap(text: str, indent: str) -> list[str]:
    """Text indented, each of its lines wrapped on its own (the author's line breaks are kept)."""
    lines: list[str] = []
    for line in text.strip("\n").splitlines():
        line = line.rstrip()
        if not line:
            lines.append("")
            continue
        lines.extend(
            textwrap.wrap(
                line,
                width=_WIDTH,
                initial_indent=indent,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [indent]
        )
    return lines


def _accepted(spec: CmdletSpec, parameter: ParameterSpec) -> tuple[str, ...]:
    """A ``set`` validator's values, else the names of the spec's enum the parameter is typed with."""
    enum = spec.enums.get(parameter.type.removesuffix("[]"))
    return parameter.accepted_values or (enum.names if enum is not None else ())


def _syntax_section_lines(spec: CmdletSpec) -> list[str]:
    """SYNTAX as the reference help writes it (each set's heading, then its block, line for line),
    indented like the other sections."""
    lines: list[str] = []
    for set_name, text in syntax_blocks(spec):
        heading = set_heading(spec, set_name)
        if heading:
            lines.append(_INDENT + heading)
        lines.extend(_INDENT + line for line in text.split("\n"))
        lines.append("")
    return lines[:-1]


def _per_set(spec: CmdletSpec, parameter: ParameterSpec, value_of: Callable[[SetMembership], str]) -> str:
    """One value, or ``value (Set, Set), value (Set)`` when the sets differ."""
    groups: dict[str, list[str]] = {}
    for member in parameter.membership:
        groups.setdefault(value_of(member), []).append(member.set_name)
    if len(groups) <= 1 or spec.parameter_sets == (ALL_SETS,):
        return next(iter(groups), "")
    return ", ".join(f"{value} ({', '.join(sets)})" for value, sets in groups.items())


def _pipeline_text(member: SetMembership) -> str:
    modes = [mode for mode, on in (("ByValue", member.by_value), ("ByPropertyName", member.by_property_name)) if on]
    return f"true ({', '.join(modes)})" if modes else "false"


def default_text(parameter: ParameterSpec) -> str:
    """A parameter's default as help shows it; "" when it has none."""
    value = parameter.default
    if value is NO_DEFAULT or value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _parameter_lines(spec: CmdletSpec, parameter: ParameterSpec) -> list[str]:
    shown = display_type(parameter, spec)
    lines = [f"{_INDENT}-{parameter.name}" + (f" <{shown}>" if shown else "")]
    if parameter.help:
        lines.extend(_wrap(parameter.help, _INDENT * 2))
    lines.append("")
    rows = [
        ("Required?", _per_set(spec, parameter, lambda m: "true" if m.mandatory else "false")),
        ("Position?", _per_set(spec, parameter, lambda m: "named" if m.position is None else str(m.position))),
        ("Default value", default_text(parameter)),
        ("Accept pipeline input?", _per_set(spec, parameter, _pipeline_text)),
        ("Aliases", ", ".join(parameter.aliases)),
        ("Accept wildcard characters?", "false"),
    ]
    if _accepted(spec, parameter):
        rows.append(("Accepted values", ", ".join(_accepted(spec, parameter))))
    if spec.parameter_sets != (ALL_SETS,):
        every = len(parameter.membership) == len(spec.parameter_sets)
        rows.append(("Parameter sets", "(All)" if every else ", ".join(m.set_name for m in parameter.membership)))
    for label, value in rows:
        lines.append(f"{_INDENT * 2}{label:<29}{value}".rstrip())
    lines.append("")
    return lines


def _example_lines(index: int, title: str, code: str, remarks: str) -> list[str]:
    label = title.strip() or f"Example {index}"
    dashes = max(10, (62 - len(label)) // 2)
    lines = [f"{_INDENT}{'-' * dashes} {label} {'-' * dashes}", ""]
    code_lines = code.strip("\n").splitlines()
    if code_lines and not code_lines[0].lstrip().startswith("PS"):
        code_lines[0] = "PS > " + code_lines[0]
    lines.extend(f"{_INDENT}{line}".rstrip() for line in code_lines)
    lines.append("")
    if remarks:
        lines.extend(_wrap(remarks, _INDENT))
        lines.append("")
    return lines


def _section(title: str, body: Iterable[str]) -> list[str]:
    return [title, *body, ""]


def _examples_section(spec: CmdletSpec) -> list[str]:
    example_lines: list[str] = []
    for index, example in enumerate(spec.examples, start=1):
        example_lines += _example_lines(index, example.title, example.code, example.remarks)
    return _section("EXAMPLES", example_lines[:-1] if example_lines else [])


def _links_section(spec: CmdletSpec) -> list[str]:
    links = [_INDENT + (f"{link.title}: {link.uri}" if link.title else link.uri) for link in spec.links]
    return _section("RELATED LINKS", links)


def _remarks(spec: CmdletSpec, command: str) -> list[str]:
    ask = f"{command} {spec.name}"
    return _section("REMARKS", [
        f"{_INDENT}For the examples, run: {ask} -Examples",
        f"{_INDENT}For every parameter, the inputs, outputs and notes as well, run: {ask} -Full",
    ])


def _full_text(spec: CmdletSpec) -> list[str]:
    lines: list[str] = []
    lines += _section("SYNTAX", _syntax_section_lines(spec))
    lines += _section("DESCRIPTION", _wrap(spec.description, _INDENT) if spec.description else [])
    parameter_lines: list[str] = []
    for parameter in spec.parameters:
        if not parameter.hidden:
            parameter_lines += _parameter_lines(spec, parameter)
    parameter_lines += [f"{_INDENT}<CommonParameters>", *_wrap(_COMMON_TEXT, _INDENT * 2)]
    lines += _section("PARAMETERS", parameter_lines)
    lines += _section("INPUTS", [_INDENT + item for item in spec.inputs])
    lines += _section("OUTPUTS", [_INDENT + item for item in spec.outputs])
    lines += _section("NOTES", _wrap(spec.notes, _INDENT) if spec.notes else [])
    return lines + _examples_section(spec) + _links_section(spec)


def help_text(spec: CmdletSpec, form: str = "full", *, command: str = "Get-Help") -> str:
    """A cmdlet's help as plain text in one of :data:`HELP_FORMS` (see the module docstring).

    ``command`` is how the reader asks for the other forms, named in the default form's REMARKS.
    """
    if form not in HELP_FORMS:
        raise ValueError(f"help form must be one of {', '.join(HELP_FORMS)}, not {form!r}")
    lines: list[str] = []
    lines += _section("NAME", [_INDENT + spec.name])
    lines += _section("SYNOPSIS", _wrap(spec.synopsis, _INDENT) if spec.synopsis else [])
    if form == "full":
        lines += _full_text(spec)
    elif form == "examples":
        lines += _examples_section(spec)
    else:
        syntax: list[str] = []
        for set_name in spec.parameter_sets:
            syntax += [_INDENT + syntax_line(spec, set_name), ""]
        lines += _section("SYNTAX", syntax[:-1])
        lines += _section("DESCRIPTION", _wrap(spec.description, _INDENT) if spec.description else [])
        lines += _links_section(spec)
        lines += _remarks(spec, command)
    return "\n".join(lines).rstrip() + "\n"

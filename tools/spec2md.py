#!/usr/bin/env python3
"""Write platyPS help files (schema 2.0.0 layout, LF line ends) from cmdlet specs.

    python tools/spec2md.py SPEC.yaml [SPEC.yaml ...] -o DIR

Each spec becomes DIR/<Name>.md.  The SYNTAX section is
``pyopenai_ps.spec.syntax.syntax_section`` (what ``md2spec`` reads back, exactly);
PARAMETERS has one ```yaml block per group of sets in which a parameter is
alike, as platyPS writes it.  Hidden parameters are left out of SYNTAX but
documented under PARAMETERS, so that ``md2spec`` restores them as hidden.
Exit status 1 when a spec does not load (the others are still written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import _common  # noqa: F401  (puts the checkout on sys.path)

from pyopenai_ps.errors import SpecError
from pyopenai_ps.spec import ALL_SETS, CmdletSpec, ParameterSpec, SetMembership
from pyopenai_ps.spec.load import load_spec_file
from pyopenai_ps.spec.syntax import default_text, syntax_section

_COMMON = (
    "Besides the parameters above, every cmdlet takes the common parameters (-Verbose, -Debug, "
    "-ErrorAction, -ErrorVariable, -WarningAction, -WarningVariable, -OutVariable and the rest); see "
    "pyopenai_ps/runtime.py for what each does here."
)


def _default(spec: CmdletSpec, parameter: ParameterSpec) -> str:
    # platyPS writes "None" for no default, and a switch's absent default as False
    shown = default_text(parameter)
    if shown:
        return shown
    return "False" if spec.type_of(parameter).is_switch else "None"


def _pipeline(member: SetMembership) -> str:
    modes = [m for m, on in (("ByPropertyName", member.by_property_name), ("ByValue", member.by_value)) if on]
    return f"True ({', '.join(modes)})" if modes else "False"


def _yaml_blocks(spec: CmdletSpec, parameter: ParameterSpec) -> list[str]:
    groups: dict[tuple[bool, int | None, str], list[str]] = {}
    for member in parameter.membership:
        key = (member.mandatory, member.position, _pipeline(member))
        groups.setdefault(key, []).append(member.set_name)
    if not groups:  # in no set at all: still say what it is
        groups[(False, None, "False")] = []
    blocks = []
    every = [s for s in spec.parameter_sets]
    for (mandatory, position, pipeline), sets in groups.items():
        if spec.parameter_sets == (ALL_SETS,) or sets == every:
            shown_sets = "(All)"
        else:
            shown_sets = ", ".join(sets)
        lines = [
            f"Type: {spec.type_of(parameter).name}",
            f"Parameter Sets: {shown_sets}",
            f"Aliases: {', '.join(parameter.aliases)}".rstrip(),
        ]
        enum = spec.enums.get(parameter.type.removesuffix("[]"))
        accepted = parameter.accepted_values or (enum.names if enum is not None else ())
        if accepted:
            lines.append(f"Accepted values: {', '.join(accepted)}")
        lines += [
            "",
            f"Required: {'True' if mandatory else 'False'}",
            f"Position: {'Named' if position is None else position}",
            f"Default value: {_default(spec, parameter)}",
            f"Accept pipeline input: {pipeline}",
            "Accept wildcard characters: False",
        ]
        blocks.append("```yaml\n" + "\n".join(lines) + "\n```")
    return blocks


def render(spec: CmdletSpec, *, module: str = "PSOpenAI") -> str:
    """The help file of one spec."""
    online = spec.links[0].uri if spec.links else ""
    out = [
        "---",
        f"external help file: {module}-help.xml",
        f"Module Name: {module}",
        f"online version: {online}".rstrip(),
        "schema: 2.0.0",
        "---",
        "",
        f"# {spec.name}",
        "",
        "## SYNOPSIS",
        spec.synopsis or "{{ Fill in the Synopsis }}",
        "",
        "## SYNTAX",
        "",
        syntax_section(spec),
        "",
        "## DESCRIPTION",
        spec.description or "{{ Fill in the Description }}",
        "",
        "## EXAMPLES",
        "",
    ]
    for index, example in enumerate(spec.examples, start=1):
        out += [f"### {example.title or f'Example {index}'}", "```powershell", example.code, "```", ""]
        if example.remarks:
            out += [example.remarks, ""]
    out += ["## PARAMETERS", ""]
    for parameter in spec.parameters:
        out += [f"### -{parameter.name}", parameter.help or "{{ Fill in the Description }}", ""]
        for block in _yaml_blocks(spec, parameter):
            out += [block, ""]
    out += ["### CommonParameters", _COMMON, "", "## INPUTS", ""]
    for item in spec.inputs:
        out += [f"### {item}", ""]
    out += ["## OUTPUTS", ""]
    for item in spec.outputs:
        out += [f"### {item}", ""]
    out += ["## NOTES", ""]
    if spec.notes:
        out += [spec.notes, ""]
    out += ["## RELATED LINKS", ""]
    for link in spec.links:
        out.append(f"[{link.title or link.uri}]({link.uri})")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("specs", nargs="+", type=Path, metavar="SPEC.yaml")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    parser.add_argument("--module", default="PSOpenAI", help="the module named in the front matter (PSOpenAI)")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in args.specs:
        try:
            spec = load_spec_file(path)
        except SpecError as exc:
            failed += 1
            print(f"{path}: error: {exc.reason}" if exc.file else f"{path}: error: {exc}", file=sys.stderr)
            continue
        (args.output / f"{spec.name}.md").write_text(render(spec, module=args.module), encoding="utf-8")
    written = len(args.specs) - failed
    print(f"{written} of {len(args.specs)} written into {args.output}" + (f"; {failed} failed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

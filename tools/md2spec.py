#!/usr/bin/env python3
"""Convert platyPS help files (schema 2.0.0) into cmdlet specs.

    python tools/md2spec.py DOC.md [DOC.md ...] -o DIR

Each DOC.md becomes DIR/<Name>.yaml, a spec that loads with
``pyopenai_ps.spec.load.load_spec_file`` and binds, but has no ``operation``
section: what HTTP request each set makes is left for a person to write.

What decides what:

* SYNTAX decides the parameter sets (``### Name`` headings; blocks without one
  are named from the PARAMETERS section's "Parameter Sets"), each set's
  members, which are mandatory, and which are positional.  ``### Name
  (Default)`` marks the default set; without it no default is written (see the
  comment in the output): the binder then picks the one set whose mandatory
  parameters a call satisfies, as PowerShell does without a
  DefaultParameterSetName.
* PARAMETERS gives the help text, position numbers, aliases, the default, the
  accepted values (``validate: {set: ...}``) and pipeline input; prose such as
  "can range between 1 and 100" becomes ``validate: {range: [1, 100]}`` when
  the help names exactly one range.  A parameter documented there but shown in
  no SYNTAX block is kept as ``hidden: true``.  A type no spec knows becomes an
  enum of the spec when the help lists its accepted values, else the nearest
  type or Object, with a comment.
* The parameter order follows the SYNTAX blocks (so ``spec2md`` renders them
  again exactly) and, where they do not say, the PARAMETERS section.

Problems are printed per file on standard error; a file that cannot be
converted is skipped and the exit status is 1, the others are still written.
"""

from __future__ import annotations

import argparse
import heapq
import re
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from _common import HelpDoc, HelpParameter, SyntaxError_, SyntaxMember, name_sets, parse_syntax_block, read_help
from _common import set_list, spec_yaml, syntax_mismatch

from pyopenai_ps.spec.common import COMMON_NAMES
from pyopenai_ps.errors import SpecError
from pyopenai_ps.spec.load import load_spec_text
from pyopenai_ps.spec.syntax import syntax_section
from pyopenai_ps.errors import ConversionFailure
from pyopenai_ps.spec.enums import EnumSpec
from pyopenai_ps.spec.types import resolve_type

_NUMBER = r"`?(-?\d+(?:\.\d+)?)`?"
_RANGES = (
    re.compile(rf"\bbetween\s+{_NUMBER}\s+and\s+{_NUMBER}", re.I),
    re.compile(rf"\bfrom\s+{_NUMBER}\s+to\s+{_NUMBER}\b", re.I),
)
#: Types the help may name that no spec type has; the nearest one that binds alike.
_NEAREST = {"int16": "Int32", "sbyte": "Int32", "uint32": "Int64", "char": "String", "decimal": "Double"}


class ConversionError(Exception):
    """This file cannot be converted."""



# --- PARAMETERS ----------------------------------------------------------------------------


def map_type(written: str, accepted: list[str] | None = None, enums: dict | None = None) -> tuple[str, str | None]:
    """The spec type for a type the help names, and a comment when it is not the same spelling.

    A type no spec knows becomes an enum of the spec (added to ``enums``) when the
    help lists its accepted values, else the nearest type, else Object.
    """
    text = written.strip()
    array = text.endswith("[]")
    base = text[:-2] if array else text
    suffix = "[]" if array else ""
    if enums is not None and base in enums:
        return text, None
    try:
        found = resolve_type(base)
    except KeyError:
        if accepted and enums is not None and base.replace(".", "").isidentifier():
            enums[base] = list(accepted)
            return text, f"{base}: an enum of the help's accepted values"
        nearest = _NEAREST.get(base.lower().rpartition(".")[2], "Object") + suffix
        return nearest, f"the help's type {written} is not supported; {nearest} takes its place"
    name = ("Switch" if found.is_switch else found.name) + suffix
    shown = found.name + suffix
    return name, None if shown == text or found.is_switch else f"the help writes the type as {written}"


def _parameter_type(name, per_set, block, accepted, hidden, enums, comments, warn) -> str:  # noqa: ANN001
    """The type of one parameter: SYNTAX's, else PARAMETERS' (a switch shows none in SYNTAX)."""
    written = next((m.shown_type for m in per_set.values() if m.shown_type), None)
    if written is None:
        is_switch = not hidden and any(m.shown_type is None for m in per_set.values())
        written = "Switch" if is_switch else block.get("Type", "") or "Object"
    type_name, comment = map_type(written, accepted, enums)
    if comment and "not supported" in comment:
        warn.append(f"-{name}: {comment}")
    elif comment and "writes the type" in comment and not hidden:
        warn.append(f"-{name}: SYNTAX shows <{written}>, which the spec renders <{resolve_type(type_name).name}>")
    documented = block.get("Type", "")
    if not hidden and documented and map_type(documented, accepted, dict(enums))[0].lower() != type_name.lower():
        comment = (comment + "; " if comment else "") + f"PARAMETERS says {documented}"
    if comment:
        comments[(name, "type")] = comment
    return type_name


def _block_for(parameter: HelpParameter | None, set_name: str) -> dict[str, str]:
    if parameter is None or not parameter.blocks:
        return {}
    for block in parameter.blocks:
        if set_name in set_list(block):
            return block
    return parameter.blocks[0]


def _pipeline(block: dict[str, str]) -> list[str]:
    return [mode for mode in ("ByValue", "ByPropertyName") if mode in block.get("Accept pipeline input", "")]


def _range(text: str, type_name: str) -> list[int | float] | None:
    element = type_name.removesuffix("[]").lower()
    if element not in ("int32", "int64", "uint16", "byte", "double", "single"):
        return None
    found = {m.groups() for pattern in _RANGES for m in pattern.finditer(text)}
    if len(found) != 1:
        return None
    low, high = (float(v) if "." in v or element in ("double", "single") and "." in v else int(v) for v in found.pop())
    return [low, high] if low <= high else None


def _default(block: dict[str, str], type_name: str, name: str, enums: dict) -> tuple[object, str | None]:
    text = block.get("Default value", "").strip()
    if not text or text.lower() in ("none", "null", "$null") or type_name in ("Switch", "SecureString"):
        return None, None
    try:
        specs = {enum: EnumSpec.from_names(enum, tuple(values)) for enum, values in enums.items()}
        value = resolve_type(type_name, specs).convert(text, name)
        return (str(value) if isinstance(value, str) else value), None
    except ConversionFailure:
        return None, f"the help's default {text!r} does not convert to {type_name}; left out"


# --- the spec --------------------------------------------------------------------------------


def _order(doc: HelpDoc, names: list[str], blocks: list[list[tuple[str, SyntaxMember]]], warn: list[str]) -> list[str]:
    """Declaration order: every block's order kept, the PARAMETERS order where the blocks do not say."""
    rank = {p.name.lower(): i for i, p in enumerate(doc.parameters)}
    seen: dict[str, int] = {}
    graph: dict[str, set[str]] = {n.lower(): set() for n in names}
    for block in blocks:
        for leads in (True, False):  # mandatory switches lead their block whatever the order
            chain = [n.lower() for n, m in block if (m.mandatory and m.shown_type is None) == leads]
            for earlier, later in zip(chain, chain[1:]):
                graph[later].add(earlier)
        for n, _ in block:
            seen.setdefault(n.lower(), len(seen))
    key = {n: (rank.get(n, len(rank) + seen.get(n, 0)), seen.get(n, 0)) for n in graph}
    sorter = TopologicalSorter(graph)
    order: list[str] = []
    try:
        sorter.prepare()
    except CycleError:
        warn.append("the SYNTAX blocks order the parameters in conflicting ways; PARAMETERS order used")
        order = sorted(graph, key=key.__getitem__)
    else:
        ready: list[tuple[tuple[int, int], str]] = []
        while sorter.is_active():
            for name in sorter.get_ready():
                heapq.heappush(ready, (key[name], name))
            order.append(heapq.heappop(ready)[1])
            sorter.done(order[-1])
    spelled = {n.lower(): n for n in names}
    return [spelled[n] for n in order]


def build_spec(doc: HelpDoc) -> tuple[dict[str, object], dict[tuple[str, str], str], list[str]]:
    """The spec as a mapping, comments keyed by ``(parameter or "", field)``, and warnings."""
    warn: list[str] = []
    comments: dict[tuple[str, str], str] = {}
    if not doc.name:
        raise ConversionError("no '# Name' title")
    if not doc.syntax:
        raise ConversionError("no SYNTAX block")
    blocks: list[list[tuple[str, SyntaxMember]]] = []
    for index, (_, text) in enumerate(doc.syntax):
        try:
            cmdlet, parsed, common = parse_syntax_block(text)
        except SyntaxError_ as exc:
            raise ConversionError(str(exc)) from None
        shown_here = [(m.name, m) for m in parsed]
        if cmdlet.lower() != doc.name.lower():
            warn.append(f"SYNTAX block {index + 1} names {cmdlet}, not {doc.name}")
        if not common:
            warn.append(f"SYNTAX block {index + 1} does not end with [<CommonParameters>]")
        seen: dict[str, SyntaxMember] = {}
        for name, member in shown_here:
            if name.lower() in seen:
                warn.append(f"SYNTAX block {index + 1} shows -{name} twice; the first is kept")
                continue
            seen[name.lower()] = member
        blocks.append([(n, m) for n, m in shown_here if seen.get(n.lower()) is m])
    set_names = name_sets(doc, blocks, warn)
    if len({s.lower() for s in set_names}) != len(set_names):
        raise ConversionError(f"two SYNTAX blocks have one set name: {', '.join(set_names)}")
    named_sets = set_names != ["__AllParameterSets"]
    documented = {p.name.lower(): p for p in doc.parameters}
    shown = {n.lower(): n for block in blocks for n, _ in block}
    names = list(shown.values()) + [p.name for p in doc.parameters if p.name.lower() not in shown]
    members = {n.lower(): {s: m for s, block in zip(set_names, blocks) for bn, m in block if bn.lower() == n.lower()} for n in names}
    _positions(members, documented, set_names, warn)

    parameters = []
    claimed: set[str] = set()
    enums: dict[str, list[str]] = {}
    for name in _order(doc, names, blocks, warn):
        key = name.lower()
        help_doc = documented.get(key)
        entry: dict[str, object] = {"name": name}
        per_set = members[key]
        hidden = not per_set
        if hidden:
            for set_name in set_names:
                block = _block_for(help_doc, set_name)
                if named_sets and set_list(block) and set_name not in set_list(block):
                    continue
                position = block.get("Position", "Named")
                taken = {m.position for by_set in members.values() for s, m in by_set.items() if s == set_name}
                number = int(position) if position.isdigit() and int(position) not in taken else None
                mandatory = block.get("Required", "").lower() == "true"
                per_set[set_name] = SyntaxMember(name, mandatory, number is not None, None, number)
        if help_doc is None:
            warn.append(f"-{name} is in SYNTAX but not in PARAMETERS")
        first_block = help_doc.blocks[0] if help_doc and help_doc.blocks else {}
        accepted = [v.strip() for v in first_block.get("Accepted values", "").split(",") if v.strip()]
        type_name = _parameter_type(name, per_set, first_block, accepted, hidden, enums, comments, warn)
        entry["type"] = type_name
        aliases = []
        for alias in (a.strip() for a in first_block.get("Aliases", "").split(",")):
            if not alias:
                continue
            if alias.lower() in COMMON_NAMES or alias.lower() in shown or alias.lower() in documented or alias.lower() in claimed:
                comments[(name, "aliases")] = f"alias {alias} left out: it clashes with another name"
                warn.append(f"-{name}: alias {alias} clashes with another name; left out")
                continue
            aliases.append(alias)
            claimed.add(alias.lower())
        if aliases:
            entry["aliases"] = aliases
        _membership(entry, per_set, set_names, named_sets, help_doc)
        default, default_comment = _default(first_block, type_name, name, enums)
        if default is not None:
            entry["default"] = default
        if default_comment:
            comments[(name, "default")] = default_comment
        validate: dict[str, object] = {}
        if accepted and type_name.removesuffix("[]") not in enums:
            validate["set"] = accepted
        found_range = _range(help_doc.help if help_doc else "", type_name)
        if found_range:
            validate["range"] = found_range
        if validate:
            entry["validate"] = validate
        if help_doc and help_doc.help:
            entry["help"] = help_doc.help
        if hidden:
            entry["hidden"] = True
        parameters.append(entry)

    spec: dict[str, object] = {"name": doc.name}
    if doc.synopsis:
        spec["synopsis"] = doc.synopsis
    if doc.description:
        spec["description"] = doc.description
    if named_sets:
        marked = [s for (heading, _), s in zip(doc.syntax, set_names) if heading and re.search(r"\(Default\)\s*$", heading, re.I)]
        if marked:
            spec["default_parameter_set"] = marked[0]
        else:
            comments[("", "parameter_sets")] = (
                f"the help does not say which set is the default (the first is {set_names[0]}); none is set, so a "
                "call binds the one set whose mandatory parameters it gives"
            )
        spec["parameter_sets"] = set_names
    if doc.inputs:
        spec["inputs"] = doc.inputs
    if doc.outputs:
        spec["outputs"] = doc.outputs
    if enums:
        spec["enums"] = enums
    spec["parameters"] = parameters
    examples = []
    for example in doc.examples:
        if not example.code.strip():
            warn.append(f"example {example.title!r} has no code; left out")
            continue
        item = {"title": example.title, "code": example.code}
        if example.remarks:
            item["remarks"] = example.remarks
        examples.append(item)
    if examples:
        spec["examples"] = examples
    if doc.notes:
        spec["notes"] = doc.notes
    if doc.links:
        spec["links"] = [{"uri": uri, **({"title": title} if title else {})} for uri, title in doc.links]
    return spec, comments, warn


def _positions(members: dict, documented: dict, set_names: list[str], warn: list[str]) -> None:
    """Position numbers per set: the help's when every positional one has a distinct number, else their order."""
    for set_name in set_names:
        positional = [m for by_set in members.values() for s, m in by_set.items() if s == set_name and m.positional]
        numbers = [_block_for(documented.get(m.name.lower()), set_name).get("Position", "") for m in positional]
        usable = all(n.isdigit() for n in numbers) and len(set(numbers)) == len(numbers)
        if not usable and any(n.isdigit() for n in numbers):
            warn.append(f"set {set_name}: the help's position numbers clash or are missing; the SYNTAX order is used")
        for ordinal, (member, number) in enumerate(zip(positional, numbers)):
            member.position = int(number) if usable else ordinal


def _membership(entry: dict, per_set: dict, set_names: list[str], named_sets: bool, help_doc: HelpParameter | None) -> None:
    """``position``/``mandatory``/``pipeline`` at the top when alike in every set it is in, else per set."""
    pipelines = {s: _pipeline(_block_for(help_doc, s)) for s in per_set}
    facts = {s: (m.mandatory, m.position, tuple(pipelines[s])) for s, m in per_set.items()}
    if len(set(facts.values())) <= 1:
        mandatory, position, pipeline = next(iter(facts.values()), (False, None, ()))
        if named_sets and len(per_set) != len(set_names):
            entry["sets"] = [s for s in set_names if s in per_set]
        if position is not None:
            entry["position"] = position
        if mandatory:
            entry["mandatory"] = True
        if pipeline:
            entry["pipeline"] = list(pipeline)
        return
    sets: dict[str, dict[str, object]] = {}
    for set_name in (s for s in set_names if s in facts):
        mandatory, position, pipeline = facts[set_name]
        extra: dict[str, object] = {}
        if mandatory:
            extra["mandatory"] = True
        if position is not None:
            extra["position"] = position
        if pipeline:
            extra["pipeline"] = list(pipeline)
        sets[set_name] = extra
    entry["sets"] = sets


# --- writing ---------------------------------------------------------------------------------


def convert(path: Path) -> tuple[str, str, list[str]]:
    """(cmdlet name, spec YAML text, warnings); ConversionError when it cannot be done."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConversionError(f"cannot read: {exc}") from None
    doc = read_help(text, fallback_name=path.stem)
    spec, comments, warn = build_spec(doc)
    header = (
        f"# {doc.name}, converted from {path.name} by tools/md2spec.py.\n"
        "# There is no operation section: write what HTTP request each set makes before shipping it.\n"
    )
    yaml_text = header + spec_yaml(spec, comments)
    try:
        loaded = load_spec_text(yaml_text, source=f"{doc.name}.yaml")
    except SpecError as exc:
        raise ConversionError(f"the converted spec does not load: {exc}") from None
    mismatch = syntax_mismatch(doc.syntax_text, syntax_section(loaded))
    if mismatch:
        warn.append(f"SYNTAX does not round-trip exactly: {mismatch}")
    return doc.name, yaml_text, warn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs", nargs="+", type=Path, metavar="DOC.md")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only, not warnings")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in args.docs:
        try:
            name, text, warnings = convert(path)
        except ConversionError as exc:
            failed += 1
            print(f"{path}: error: {exc}", file=sys.stderr)
            continue
        (args.output / f"{name}.yaml").write_text(text, encoding="utf-8")
        if not args.quiet:
            for warning in warnings:
                print(f"{path}: warning: {warning}", file=sys.stderr)
    converted = len(args.docs) - failed
    print(f"{converted} of {len(args.docs)} converted into {args.output}" + (f"; {failed} failed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

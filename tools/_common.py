"""Shared by the tools: the repository's paths, a platyPS help reader, and a YAML writer.

The tools are run from a checkout (``python tools/md2spec.py ...``), so they put
the checkout first on ``sys.path``: they document and convert the source tree's
package, not whichever copy happens to be installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

__all__ = [
    "ROOT",
    "SPECS",
    "HelpDoc",
    "HelpExample",
    "HelpParameter",
    "read_help",
    "split_sections",
    "strip_prompt",
    "name_sets",
    "set_list",
    "syntax_mismatch",
    "SyntaxMember",
    "parse_syntax_block",
    "SyntaxError_",
    "spec_yaml",
]

_FENCE = re.compile(r"^\s*```")
_PROMPT = re.compile(r"^\s*PS(?: [A-Za-z]:)?\\?>\s?")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


@attrs.define
class HelpExample:
    title: str
    code: str
    remarks: str


@attrs.define
class HelpParameter:
    name: str
    help: str
    #: One ``{field: value}`` per ```yaml block (platyPS writes one per group of sets).
    blocks: list[dict[str, str]]


@attrs.define
class HelpDoc:
    name: str
    front: dict[str, str]
    synopsis: str
    #: (heading or None, block text) per ``` block of the SYNTAX section
    syntax: list[tuple[str | None, str]]
    syntax_text: str
    description: str
    examples: list[HelpExample]
    parameters: list[HelpParameter]
    inputs: list[str]
    outputs: list[str]
    notes: str
    links: list[tuple[str, str]]


def split_sections(lines: list[str], marker: str) -> list[tuple[str, list[str]]]:
    """``(heading text, body lines)`` per heading starting with ``marker`` (code fences respected).

    Lines before the first heading come back under the heading ``""``.
    """
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith(marker + " "):
            sections.append((line[len(marker) + 1 :].strip(), []))
            continue
        sections[-1][1].append(line)
    return sections


def _text(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n").strip()


def _fenced(lines: list[str]) -> list[tuple[str | None, list[str], list[str]]]:
    """``(fence info, fence lines, text lines before it)``; a last entry with info None holds the tail."""
    parts: list[tuple[str | None, list[str], list[str]]] = []
    before: list[str] = []
    inside: list[str] | None = None
    info = ""
    for line in lines:
        if _FENCE.match(line):
            if inside is None:
                inside, info = [], line.strip()[3:].strip()
            else:
                parts.append((info, inside, before))
                inside, before = None, []
            continue
        (before if inside is None else inside).append(line)
    if inside is not None:  # an unclosed fence: keep its lines as text
        before += inside
    parts.append((None, [], before))
    return parts


def _syntax(lines: list[str]) -> list[tuple[str | None, str]]:
    blocks = []
    for heading, body in split_sections(lines, "###"):
        for info, inside, _ in _fenced(body):
            if info is None:
                continue
            blocks.append((heading or None, "\n".join(inside)))
            heading = ""  # a second fence under one heading has no name of its own
    return blocks


def _examples(lines: list[str]) -> list[HelpExample]:
    examples = []
    for title, body in split_sections(lines, "###")[1:]:
        parts = _fenced(body)
        if parts[0][0] is None:  # no code at all
            examples.append(HelpExample(title, "", _text(body)))
            continue
        code = "\n".join(strip_prompt(line) for line in parts[0][1])
        after = body[len(parts[0][2]) + len(parts[0][1]) + 2 :]
        examples.append(HelpExample(title, code.strip("\n"), _text(after)))
    return examples


def _yaml_fields(lines: list[str]) -> dict[str, str]:
    fields = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip()] = value.strip()
    return fields


def _parameters(lines: list[str]) -> list[HelpParameter]:
    parameters = []
    for heading, body in split_sections(lines, "###")[1:]:
        if not heading.startswith("-"):
            continue  # ### CommonParameters
        parts = _fenced(body)
        blocks = [_yaml_fields(inside) for info, inside, _ in parts if info is not None and info.lower() == "yaml"]
        parameters.append(HelpParameter(heading[1:].strip(), _text(parts[0][2]), blocks))
    return parameters


def _headings(lines: list[str]) -> list[str]:
    return [heading for heading, _ in split_sections(lines, "###")[1:] if heading]


def _links(lines: list[str]) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for line in lines:
        found = _LINK.findall(line)
        if found:
            links.extend((uri, "" if title == uri else title) for title, uri in found)
        elif re.fullmatch(r"\s*https?://\S+\s*", line):
            links.append((line.strip(), ""))
    return links


# --- SYNTAX blocks ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:"
    r"\[\[-(?P<posopt>\w+)\]\s*<(?P<posopt_t>[^<>]+)>\]"
    r"|\[-(?P<posmand>\w+)\]\s*<(?P<posmand_t>[^<>]+)>"
    r"|\[-(?P<opt>\w+)\s*<(?P<opt_t>[^<>]+)>\]"
    r"|\[-(?P<optsw>\w+)\]"
    r"|-(?P<mand>\w+)\s*<(?P<mand_t>[^<>]+)>"
    r"|-(?P<mandsw>\w+)"
    r"|(?P<common>\[<CommonParameters>\])"
    r")"
)
_KINDS = {"posopt": (False, True), "posmand": (True, True), "opt": (False, False), "mand": (True, False)}


class SyntaxError_(ValueError):
    """A SYNTAX block that cannot be read."""


@attrs.define
class SyntaxMember:
    """A parameter in one SYNTAX block: ``shown_type`` is None for a switch."""

    name: str
    mandatory: bool
    positional: bool
    shown_type: str | None
    position: int | None = None


def parse_syntax_block(text: str) -> tuple[str, list[SyntaxMember], bool]:
    """The cmdlet name, its parameters in order, and whether ``[<CommonParameters>]`` ends the block.

    Reads the one-parameter-a-line layout and platyPS's one-line layout alike.
    """
    words = text.split()
    if not words:
        raise SyntaxError_("an empty SYNTAX block")
    name = words[0]
    rest = text.strip()[len(name) :]
    members: list[SyntaxMember] = []
    common = False
    index = 0
    while rest[index:].strip():
        match = _TOKEN.match(rest, index)
        if not match or match.end() == index:
            raise SyntaxError_(f"cannot read the SYNTAX of {name} at {rest[index:].strip()[:40]!r}")
        index = match.end()
        kind = next(k for k, v in match.groupdict().items() if v and not k.endswith("_t"))
        if kind == "common":
            common = True
            continue
        if common:
            raise SyntaxError_(f"a parameter after [<CommonParameters>] in the SYNTAX of {name}")
        if kind in ("optsw", "mandsw"):
            members.append(SyntaxMember(match.group(kind), kind == "mandsw", False, None))
        else:
            mandatory, positional = _KINDS[kind]
            members.append(SyntaxMember(match.group(kind), mandatory, positional, match.group(kind + "_t").strip()))
    return name, members, common


def read_help(text: str, *, fallback_name: str = "") -> HelpDoc:
    """Read a platyPS help file (schema 2.0.0, CRLF or LF line ends)."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        front = _yaml_fields(lines[1:end])
        lines = lines[end + 1 :]
    titles = split_sections(lines, "#")
    name = titles[1][0] if len(titles) > 1 else fallback_name
    body = [line for _, part in titles[1:] for line in part] if len(titles) > 1 else lines
    sections = {heading.upper(): part for heading, part in split_sections(body, "##")[1:]}
    syntax_lines = sections.get("SYNTAX", [])
    return HelpDoc(
        name=name,
        front=front,
        synopsis=_text(sections.get("SYNOPSIS", [])),
        syntax=_syntax(syntax_lines),
        syntax_text="\n".join(syntax_lines).strip("\n"),
        description=_text(sections.get("DESCRIPTION", [])),
        examples=_examples(sections.get("EXAMPLES", [])),
        parameters=_parameters(sections.get("PARAMETERS", [])),
        inputs=_headings(sections.get("INPUTS", [])),
        outputs=_headings(sections.get("OUTPUTS", [])),
        notes=_text(sections.get("NOTES", [])),
        links=_links(sections.get("RELATED LINKS", [])),
    )


# --- SYNTAX sections ----------------------------------------------------------------------


def name_sets(doc: HelpDoc, blocks: list[list[tuple[str, SyntaxMember]]], warn: list[str]) -> list[str]:
    """Set names for the blocks: their headings, else the PARAMETERS section's set names."""
    headings = [re.sub(r"\s*\(Default\)\s*$", "", h or "", flags=re.I).strip() for h, _ in doc.syntax]
    if all(headings):
        return headings
    if len(blocks) == 1 and not any(headings):
        return ["__AllParameterSets"]
    documented: dict[str, set[str]] = {}
    for parameter in doc.parameters:
        for fields in parameter.blocks:
            for set_name in set_list(fields):
                documented.setdefault(set_name, set()).add(parameter.name.lower())
    shown = [{name.lower() for name, _ in block} for block in blocks]
    names: list[str] = []
    for index, heading in enumerate(headings):
        fits = sorted(
            (s for s, members in documented.items() if members <= shown[index] and s not in names),
            key=lambda s: -len(documented[s]),
        )
        unique = [s for s in fits if not any(documented[s] <= other for j, other in enumerate(shown) if j != index)]
        chosen = heading or (unique[0] if unique else f"Set{index + 1}")
        if not heading and not unique:
            warn.append(f"SYNTAX block {index + 1} has no heading and no set name fits it; named {chosen}")
        names.append(chosen)
    warn.append("SYNTAX blocks without headings were named from PARAMETERS: " + ", ".join(names))
    return names


def set_list(block: dict[str, str]) -> list[str]:
    value = block.get("Parameter Sets", "").strip()
    if not value or value == "(All)":
        return []
    return [s.strip() for s in value.split(",") if s.strip()]


def syntax_mismatch(helps: str, renders: str) -> str | None:
    """Where a help's SYNTAX section and the spec's rendering of it first differ; None when equal."""
    ours, theirs = renders.split("\n"), helps.split("\n")
    for number, (a, b) in enumerate(zip(theirs, ours), start=1):
        if a != b:
            return f"line {number}: the help has {a!r}, the spec renders {b!r}"
    if len(ours) != len(theirs):
        longer, label = (theirs, "the help has") if len(theirs) > len(ours) else (ours, "the spec renders")
        return f"line {min(len(ours), len(theirs)) + 1}: {label} {longer[min(len(ours), len(theirs))]!r} more"
    return None


# --- examples ------------------------------------------------------------------------------


def strip_prompt(line: str) -> str:
    """``PS C:\\> Get-Thread`` -> ``Get-Thread`` (also ``PS>`` and ``PS\\>``)."""
    return _PROMPT.sub("", line, count=1)


# --- YAML with comments ------------------------------------------------------------------------

_TEXT_KEYS = {"synopsis", "description", "help", "remarks", "code", "notes"}


def _flow(value: object) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30, sort_keys=False)
    text = text.strip()
    return text[:-3].rstrip() if text.endswith("\n...") else text


def _text_value(value: str, indent: str) -> str:
    import yaml

    if "\n" not in value and len(value) <= 90:
        return " " + _flow(value)
    body = "\n".join((indent + "  " + line) if line else "" for line in value.split("\n"))
    literal = f" |-\n{body}"
    try:
        if yaml.safe_load("k:" + literal.replace("\n" + indent, "\n")) == {"k": value}:
            return literal
    except yaml.YAMLError:
        pass
    return " " + _flow(value)


def _mapping(data: dict, indent: str, comments: dict, owner: str, out: list[str], first_prefix: str = "") -> None:
    prefix = first_prefix or indent
    for key, value in data.items():
        comment = comments.get((owner, key))
        if comment:
            out.append(f"{prefix}# {comment}")
            prefix = indent
        head = f"{prefix}{_flow(key)}:"
        prefix = indent
        if isinstance(value, str) and key in _TEXT_KEYS:
            out.append(head + _text_value(value, indent))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append(head)
            for item in value:
                _mapping(item, indent + "    ", comments, str(item.get("name", "")), out, indent + "  - ")
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            out.append(head)
            out.extend(f"{indent}  {_flow(k)}: {_flow(v)}" for k, v in value.items())
        else:
            out.append(f"{head} {_flow(value)}")


def spec_yaml(spec: dict, comments: dict[tuple[str, str], str]) -> str:
    """A spec mapping as YAML, each comment above its ``(parameter or "", key)``, a blank line per section."""
    out: list[str] = []
    for key, value in spec.items():
        if key in ("parameters", "examples", "links"):
            out.append("")
        _mapping({key: value}, "", comments, "", out)
    return "\n".join(out) + "\n"

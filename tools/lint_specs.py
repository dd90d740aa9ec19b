#!/usr/bin/env python3
"""Check cmdlet specs: python tools/lint_specs.py [DIR or FILE ...]   (default: specs/)

One line per problem, ``file: parameter: field: severity: message`` (``-``
where no parameter is concerned).

Errors (the exit status is 1 when there is any):
  * anything the spec loader refuses (SpecError: unknown keys, wrong types,
    undeclared sets, clashing names or positions, bad defaults ...);
  * no ``operation`` section: the cmdlet cannot run (``--allow-no-operation``
    makes this a warning, for specs fresh from md2spec);
  * an example that does not bind: an example that is one call of the cmdlet
    with literal arguments only is bound with ``pyopenai_ps.bind``, and must
    bind; other examples (variables, several lines, other commands) are not
    checked;
  * an example that names another cmdlet only, or two examples with one title.

Warnings (reported; they fail the run only with ``--strict``):
  * no synopsis, no description, a visible parameter without help text;
  * no examples.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from _common import SPECS, strip_prompt

from pyopenai_ps.errors import SpecError
from pyopenai_ps.spec import CmdletSpec
from pyopenai_ps.spec.load import load_spec_file

# --- examples ------------------------------------------------------------------------------


def _scan(line: str) -> tuple[list[str], str | None]:
    """Split a line at ``|`` outside quotes; the reason it is not literal, if any."""
    segments, current, quote, index = [], [], "", 0
    while index < len(line):
        char = line[index]
        if quote:
            current.append(char)
            if char == "`" and quote == '"' and index + 1 < len(line):
                current.append(line[index + 1])
                index += 1
            elif char == quote:
                if index + 1 < len(line) and line[index + 1] == quote:  # '' or "" inside the string
                    current.append(char)
                    index += 1
                else:
                    quote = ""
            elif char == "$" and quote == '"':
                rest = line[index + 1 :]
                if rest[:1] == "(" or re.match(r"[A-Za-z_{]", rest):
                    return [], "expands a variable or expression inside a string"
            index += 1
            continue
        if char in "'\"":
            quote = char
        elif char == "$":
            match = re.match(r"\$([A-Za-z_][\w:]*)", line[index:])
            if line[index + 1 : index + 2] == "(":
                return [], "uses a $(...) expression"
            if not match or match.group(1).lower() not in ("true", "false", "null"):
                return [], f"uses the variable {match.group(0) if match else '$'}"
        elif char == "{" and not (index and line[index - 1] == "@"):
            return [], "uses a script block"
        elif char == ";":
            return [], "has more than one statement"
        elif char == "|":
            segments.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    segments.append("".join(current))
    return segments, None


def example_line(code: str, cmdlet: str) -> tuple[str | None, str]:
    """``(line, "")`` when an example is one call of ``cmdlet`` with literal arguments only.

    Otherwise ``(None, why it cannot be checked)``: several lines, variables other
    than ``$true``/``$false``/``$null``, script blocks, or a command that is not
    ``cmdlet`` (``... | Select-Object Answer``).
    """
    lines = [strip_prompt(line).strip() for line in code.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        return None, "has no code"
    if len(lines) > 1:
        return None, "has more than one line"
    segments, reason = _scan(lines[0])
    if reason:
        return None, reason
    own = 0
    for position, segment in enumerate(segments):
        words = segment.split()
        if not words:
            return None, "has an empty pipeline element"
        head = words[0]
        if position == 0 and (head[0] in "'\"@(0123456789-,$" or head.lower() in ("$true", "$false", "$null")):
            continue  # a literal pipeline head
        if head.lower() != cmdlet.lower():
            return None, f"runs {head}, not {cmdlet}"
        own += 1
    if own != 1:
        return None, f"does not run {cmdlet} exactly once"
    return lines[0], ""


def bind_example(line: str) -> str | None:
    """Bind one example line with ``pyopenai_ps.bind``; None when it binds, else why not."""
    import pyopenai_ps

    try:
        pyopenai_ps.bind(line)
    except pyopenai_ps.PSOpenAIError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# --- the checks -----------------------------------------------------------------------------


class Problem:
    def __init__(self, file: str, parameter: str | None, field: str | None, severity: str, message: str) -> None:
        self.file, self.parameter, self.field = file, parameter or "-", field or "-"
        self.severity, self.message = severity, message

    def __str__(self) -> str:
        return f"{self.file}: {self.parameter}: {self.field}: {self.severity}: {self.message}"


def _help_problems(spec: CmdletSpec, file: str) -> list[Problem]:
    problems = []
    for field in ("synopsis", "description"):
        if not getattr(spec, field).strip():
            problems.append(Problem(file, None, field, "warning", f"no {field}"))
    for parameter in spec.parameters:
        if not parameter.hidden and not parameter.help.strip():
            problems.append(Problem(file, parameter.name, "help", "warning", "a visible parameter without help text"))
    return problems


def _example_problems(spec: CmdletSpec, path: Path, file: str) -> list[Problem]:
    import pyopenai_ps

    problems = []
    if not spec.examples:
        return [Problem(file, None, "examples", "warning", "no examples")]
    titles: set[str] = set()
    registered = False
    for index, example in enumerate(spec.examples, start=1):
        where = f"examples[{index}]"
        if example.title in titles:
            problems.append(Problem(file, None, where, "error", f"a second example titled {example.title!r}"))
        titles.add(example.title)
        if spec.name.lower() not in example.code.lower():
            problems.append(Problem(file, None, where, "error", f"the example does not run {spec.name}"))
            continue
        line, _why = example_line(example.code, spec.name)
        if line is None:
            continue  # not literal: not checked
        if not registered:
            pyopenai_ps.load_spec(path)
            registered = True
        failure = bind_example(line)
        if failure:
            problems.append(Problem(file, None, where, "error", f"does not bind: {failure}"))
    return problems


def lint_file(path: Path, *, allow_no_operation: bool = False) -> list[Problem]:
    file = str(path)
    try:
        spec = load_spec_file(path)
    except SpecError as exc:
        return [Problem(file, exc.parameter, exc.field, "error", exc.reason)]
    problems = []
    if spec.operation is None:
        severity = "warning" if allow_no_operation else "error"
        problems.append(Problem(file, None, "operation", severity, "no operation section: the cmdlet cannot run"))
    problems += _help_problems(spec, file)
    problems += _example_problems(spec, path, file)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check cmdlet specs for errors and missing help.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[SPECS], metavar="DIR", help="spec folders or files")
    parser.add_argument("--strict", action="store_true", help="warnings fail the run too")
    parser.add_argument("--allow-no-operation", action="store_true", help="a missing operation is only a warning")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for path in args.paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.glob("*.yaml")) if not p.name.startswith("_"))
        elif path.exists():
            files.append(path)
        else:
            print(f"{path}: -: -: error: no such file or folder")
            return 1
    problems = [problem for path in files for problem in lint_file(path, allow_no_operation=args.allow_no_operation)]
    for problem in problems:
        if not (args.quiet and problem.severity == "warning"):
            print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{len(files)} spec(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


if __name__ == "__main__":
    sys.exit(main())

"""A spec built from its parsed YAML: every key checked, every problem a SpecError.

:func:`spec_from_mapping` takes the data of one spec file (after its ``include:`` items were
replaced by the fragment's parameters, see :mod:`.load`) and returns a :class:`CmdletSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import SpecError
from .model import (
    ALL_SETS,
    RESERVED_FUNCTION_NAMES,
    CmdletSpec,
    Example,
    Link,
    ParameterSpec,
    View,
    function_name_for,
)
from .enums import EnumSpec, enum_from_mapping
from .operation import Connection, parse_operation
from .parameters import check_keys, check_names, parameter_from_mapping, string_list
from .types import resolve_type

__all__ = ["spec_from_mapping"]

_TOP_KEYS = {
    "name": str,
    "synopsis": str,
    "description": str,
    "default_parameter_set": str,
    "parameter_sets": list,
    "parameters": list,
    "examples": list,
    "operation": dict,
    "inputs": list,
    "outputs": list,
    "notes": str,
    "links": list,
    "function_name": str,
    "enums": dict,
    "view": dict,
}
_REQUIRED_TOP = ("name", "parameters")
_EXAMPLE_KEYS = {"title": str, "code": str, "remarks": str, "demo": bool}
_LINK_KEYS = {"uri": str, "title": str}
_VIEW_KEYS = {"table": list}
#: PowerShell's limit (MergedCommandParameterMetadata.MaxParameterSetCount): one bit per set in a uint.
MAX_PARAMETER_SETS = 32


def spec_from_mapping(
    data: Any, *, source: str = "<string>", fallback_names: Mapping[str, str] | None = None
) -> CmdletSpec:
    """Build a :class:`CmdletSpec` from parsed YAML, checking everything.

    ``fallback_names`` (role -> parameter name, from the connection fragment) gives a role to a
    parameter of that name when no ``role:`` or ``operation.connection`` entry gives it to
    another: specs written before roles existed keep working.
    """
    if not isinstance(data, Mapping):
        raise SpecError("a spec is a mapping at the top level", file=source)
    check_keys(data, _TOP_KEYS, parameter=None, what="the spec")
    for key in _REQUIRED_TOP:
        if key not in data:
            raise SpecError("missing required key", field=key)
    name = _cmdlet_name(data["name"])
    declared = _declared_sets(data.get("parameter_sets", []))
    sets = declared or (ALL_SETS,)

    default_set = data.get("default_parameter_set")
    if default_set is not None and default_set not in sets:
        raise SpecError(f"'{default_set}' is not a declared parameter set", field="default_parameter_set")

    enums = _enums(data.get("enums", {}))
    raw_parameters = data["parameters"]
    parameters = tuple(
        parameter_from_mapping(raw, sets, bool(declared), index, enums) for index, raw in enumerate(raw_parameters)
    )
    check_names(parameters)  # two parameters may share a position, as in PowerShell (binding a value then fails)

    operation = None
    if "operation" in data:
        operation = parse_operation(data["operation"], sets=tuple(sets), parameters={p.name for p in parameters})
    written = operation.connection if operation is not None else {}
    connection = _connection(parameters, written, fallback_names)

    return CmdletSpec(
        name=name,
        synopsis=data.get("synopsis", "").strip(),
        description=data.get("description", "").strip(),
        parameter_sets=tuple(sets),
        parameters=parameters,
        default_parameter_set=default_set,
        examples=tuple(_example(raw, i) for i, raw in enumerate(data.get("examples", []))),
        operation=operation,
        inputs=string_list(data.get("inputs", []), parameter=None, field="inputs"),
        outputs=string_list(data.get("outputs", []), parameter=None, field="outputs"),
        notes=data.get("notes", "").strip(),
        links=tuple(_link(raw) for raw in data.get("links", [])),
        source=source,
        function_name=_function_name(data, name),
        enums=enums,
        connection=connection,
        view=_view(data.get("view")),
    )


def _cmdlet_name(raw: str) -> str:
    name = raw.strip()
    if not name or any(ch.isspace() for ch in name):
        raise SpecError("a cmdlet name is one word such as Get-ThreadRun", field="name")
    return name


def _declared_sets(raw: Any) -> tuple[str, ...]:
    """The declared parameter sets: distinct (ignoring case) and no more than PowerShell allows."""
    declared = string_list(raw, parameter=None, field="parameter_sets")
    lowered = [s.lower() for s in declared]
    if len(set(lowered)) != len(lowered):
        raise SpecError("a parameter set is declared twice", field="parameter_sets")
    if len(declared) > MAX_PARAMETER_SETS:
        raise SpecError(
            f"{len(declared)} parameter sets; PowerShell allows at most {MAX_PARAMETER_SETS} (ParsingTooManyParameterSets)",
            field="parameter_sets",
        )
    return tuple(declared)


def _function_name(data: Mapping[str, Any], name: str) -> str:
    """The Python function's name: written in the spec, or made from the cmdlet's name."""
    function_name = data.get("function_name", "") or function_name_for(name)
    if function_name in RESERVED_FUNCTION_NAMES or not function_name.isidentifier() or function_name.startswith("_"):
        raise SpecError(
            f"'{function_name}' cannot be a cmdlet's function name: it is taken by the package or not a Python name",
            field="function_name" if "function_name" in data else "name",
        )
    return function_name


def _connection(
    parameters: tuple[ParameterSpec, ...], written: Mapping[str, str | None], fallback: Mapping[str, str] | None
) -> Connection:
    """Role -> parameter: ``role:`` keys first, then ``operation.connection``, then the fallback names."""
    chosen: dict[str, str | None] = {}
    for parameter in parameters:
        if parameter.role is None:
            continue
        if parameter.role in chosen:
            raise SpecError(
                f"role '{parameter.role}' is also given to '{chosen[parameter.role]}'", parameter=parameter.name,
                field="role",
            )
        chosen[parameter.role] = parameter.name
    for role, name in written.items():
        chosen.setdefault(role, name)
    names = {p.name for p in parameters}
    taken = set(chosen.values())
    for role, name in (fallback or {}).items():
        if role not in chosen and name in names and name not in taken:
            chosen[role] = name
    return Connection(**{role: name for role, name in chosen.items() if role in attrs.fields_dict(Connection)})


def _view(raw: Any) -> View:
    if raw is None:
        return View()
    check_keys(raw, _VIEW_KEYS, parameter=None, what="view")
    return View(table=string_list(raw.get("table", []), parameter=None, field="view.table"))


def _enums(raw: Mapping[str, Any]) -> dict[str, EnumSpec]:
    enums: dict[str, EnumSpec] = {}
    for name, values in raw.items():
        if not isinstance(name, str) or not name.replace(".", "").isidentifier():
            raise SpecError(f"enum name {name!r} is not a type name", field="enums")
        try:
            resolve_type(name)
        except KeyError:
            pass
        else:
            raise SpecError(f"enum '{name}' would hide the built-in type of that name", field="enums")
        try:
            enums[name] = enum_from_mapping(name, values)
        except ValueError as exc:
            raise SpecError(str(exc), field="enums") from None
    return enums


def _example(raw: Any, index: int) -> Example:
    if not isinstance(raw, Mapping):
        raise SpecError(f"example #{index + 1} is not a mapping", field="examples")
    check_keys(raw, _EXAMPLE_KEYS, parameter=None, what=f"example #{index + 1}")
    if "code" not in raw:
        raise SpecError(f"example #{index + 1} has no code", field="examples")
    return Example(
        title=raw.get("title", f"Example {index + 1}"),
        code=raw["code"].strip(),
        remarks=raw.get("remarks", "").strip(),
        demo=raw.get("demo", False),
    )


def _link(raw: Any) -> Link:
    if isinstance(raw, str):
        return Link(uri=raw)
    if not isinstance(raw, Mapping):
        raise SpecError("a link is a string or {uri, title}", field="links")
    check_keys(raw, _LINK_KEYS, parameter=None, what="a link")
    if "uri" not in raw:
        raise SpecError("a link needs 'uri'", field="links")
    return Link(uri=raw["uri"], title=raw.get("title", ""))

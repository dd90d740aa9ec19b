"""Reading and checking spec files.

YAML is read with PyYAML's safe loader only (a tag that would construct a
Python object is an error and never runs), with a cap on anchor references so
an alias bomb fails fast.  Every problem is a :class:`~.errors.SpecError`
naming the file, the parameter and the field.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .common import COMMON_NAMES
from .errors import SpecError
from .opspec import parse_operation
from .spec import (
    ALL_SETS,
    NO_DEFAULT,
    RESERVED_FUNCTION_NAMES,
    CmdletSpec,
    Example,
    Link,
    ParameterSpec,
    SetMembership,
    function_name_for,
)
from .types import ConversionFailure, resolve_type
from .validation import FLAGS, TRANSFORMS, VALIDATORS, make_validator

__all__ = ["load_spec_file", "load_spec_text", "spec_from_mapping", "MAX_ALIAS_REFERENCES"]

#: More anchor references than this in one file is refused (alias bombs).
MAX_ALIAS_REFERENCES = 200
#: More pairs copied by ``<<`` merge keys than this is refused (merge-key bombs).
MAX_MERGED_PAIRS = 10_000
#: A spec larger than this is refused before parsing.
MAX_SPEC_BYTES = 2_000_000

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
}
_REQUIRED_TOP = ("name", "parameters")
_PARAM_KEYS = {
    "name": str,
    "type": str,
    "aliases": list,
    "position": (int, type(None)),
    "mandatory": bool,
    "sets": (list, dict),
    "pipeline": list,
    "default": object,
    "validate": dict,
    "transform": (list, str),
    "help": str,
    "hidden": bool,
    "sensitive": bool,
}
_SET_KEYS = {"mandatory": bool, "position": (int, type(None)), "pipeline": list}
_PIPELINE_MODES = {"byvalue": "ByValue", "bypropertyname": "ByPropertyName"}
_EXAMPLE_KEYS = {"title": str, "code": str, "remarks": str}
_LINK_KEYS = {"uri": str, "title": str}


def _loader_class() -> type:
    import yaml

    class _CountingSafeLoader(yaml.SafeLoader):
        """SafeLoader that stops after too many ``*alias`` references."""

        _alias_references = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self._alias_references += 1
                if self._alias_references > MAX_ALIAS_REFERENCES:
                    raise SpecError(
                        f"more than {MAX_ALIAS_REFERENCES} YAML alias references; refusing to expand them"
                    )
            return super().compose_node(parent, index)

        _merged_pairs = 0

        def flatten_mapping(self, node: Any) -> None:
            # Merge keys copy pairs: nine merges of nine merges grow ninefold per level under few aliases.
            super().flatten_mapping(node)
            self._merged_pairs += len(node.value)
            if self._merged_pairs > MAX_MERGED_PAIRS:
                raise SpecError(f"YAML merge keys expand to more than {MAX_MERGED_PAIRS} entries; refusing them")

    return _CountingSafeLoader


_LOADER: type | None = None


def _parse_yaml(text: str, source: str) -> Any:
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader_class()
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"the file is larger than {MAX_SPEC_BYTES} bytes", file=source)
    try:
        loader = _LOADER(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except SpecError as exc:
        raise exc.located(source) from None
    except yaml.YAMLError as exc:
        # PyYAML's message names the tag and line; it never runs the tag.
        detail = " ".join(str(exc).split())
        raise SpecError(f"not valid safe YAML: {detail}", file=source) from None
    except RecursionError:
        raise SpecError("the YAML is nested too deeply", file=source) from None


def load_spec_file(path: str | Path, *, cache: bool = True) -> CmdletSpec:
    """Read one spec file; :class:`SpecError` if it is missing or malformed.

    With ``cache``, the parsed YAML of a file that loaded cleanly is kept as JSON
    (see :mod:`.speccache`), so a later start skips importing and running YAML.
    """
    source = str(path)
    if cache:
        from .speccache import read_cached

        data = read_cached(Path(path))
        if data is not None:
            try:
                return spec_from_mapping(data, source=source)
            except SpecError as exc:
                raise exc.located(source) from None
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", file=source) from None
    except UnicodeDecodeError:
        raise SpecError("the file is not UTF-8 text", file=source) from None
    data = _parse_yaml(text, source)
    try:
        spec = spec_from_mapping(data, source=source)
    except SpecError as exc:
        raise exc.located(source) from None
    except RecursionError:
        raise SpecError("the spec is nested too deeply", file=source) from None
    if cache:
        from .speccache import write_cached

        write_cached(Path(path), data)
    return spec


def load_spec_text(text: str, *, source: str = "<string>") -> CmdletSpec:
    data = _parse_yaml(text, source)
    try:
        return spec_from_mapping(data, source=source)
    except SpecError as exc:
        raise exc.located(source) from None
    except RecursionError:
        raise SpecError("the spec is nested too deeply", file=source) from None


# --- checking helpers -----------------------------------------------------------------------


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        return " or ".join(_type_name(e) for e in expected if e is not type(None)) + " (or null)"
    return {str: "a string", list: "a list", dict: "a mapping", bool: "true or false", int: "an integer"}.get(
        expected, expected.__name__
    )


def _check_keys(data: Mapping[str, Any], allowed: Mapping[str, Any], *, parameter: str | None, what: str) -> None:
    for key, value in data.items():
        if not isinstance(key, str) or key not in allowed:
            hint = ""
            if isinstance(key, str):
                close = difflib.get_close_matches(key, list(allowed), n=1)
                if close:
                    hint = f" (did you mean '{close[0]}'?)"
            raise SpecError(f"unknown key in {what}{hint}", parameter=parameter, field=str(key))
        expected = allowed[key]
        if expected is object:
            continue
        if expected is int or (isinstance(expected, tuple) and int in expected):
            if isinstance(value, bool):
                raise SpecError(f"expected {_type_name(expected)}, got a boolean", parameter=parameter, field=key)
        if not isinstance(value, expected):
            raise SpecError(
                f"expected {_type_name(expected)}, got {type(value).__name__}", parameter=parameter, field=key
            )


def _string_list(value: list[Any], *, parameter: str | None, field: str) -> tuple[str, ...]:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise SpecError("expected a list of non-empty strings", parameter=parameter, field=field)
    return tuple(value)


def _pipeline_modes(value: list[Any], *, parameter: str, field: str) -> tuple[bool, bool]:
    modes = set()
    for item in value:
        key = str(item).replace("_", "").lower()
        if key not in _PIPELINE_MODES:
            raise SpecError(
                f"unknown pipeline mode {item!r}; use ByValue or ByPropertyName", parameter=parameter, field=field
            )
        modes.add(_PIPELINE_MODES[key])
    return "ByValue" in modes, "ByPropertyName" in modes


def _position(value: Any, *, parameter: str, field: str) -> int | None:
    if value is not None and value < 0:
        raise SpecError("a position is 0 or more (or null for a named parameter)", parameter=parameter, field=field)
    return value


# --- the spec itself ------------------------------------------------------------------------


def spec_from_mapping(data: Any, *, source: str = "<string>") -> CmdletSpec:
    """Build a :class:`CmdletSpec` from parsed YAML, checking everything."""
    if not isinstance(data, Mapping):
        raise SpecError("a spec is a mapping at the top level", file=source)
    _check_keys(data, _TOP_KEYS, parameter=None, what="the spec")
    for key in _REQUIRED_TOP:
        if key not in data:
            raise SpecError("missing required key", field=key)
    name = data["name"].strip()
    if not name or any(ch.isspace() for ch in name):
        raise SpecError("a cmdlet name is one word such as Get-ThreadRun", field="name")

    declared = _string_list(data.get("parameter_sets", []), parameter=None, field="parameter_sets")
    lowered = [s.lower() for s in declared]
    if len(set(lowered)) != len(lowered):
        raise SpecError("a parameter set is declared twice", field="parameter_sets")
    sets = declared or (ALL_SETS,)

    default_set = data.get("default_parameter_set")
    if default_set is not None and default_set not in sets:
        raise SpecError(f"'{default_set}' is not a declared parameter set", field="default_parameter_set")

    enums = _enums(data.get("enums", {}))
    raw_parameters = data["parameters"]
    parameters = tuple(
        _parameter(raw, sets, bool(declared), index, enums) for index, raw in enumerate(raw_parameters)
    )
    _check_names(parameters)
    _check_positions(parameters, sets)

    operation = None
    if "operation" in data:
        operation = parse_operation(data["operation"], sets=tuple(sets), parameters={p.name for p in parameters})

    function_name = data.get("function_name", "") or function_name_for(name)
    if function_name in RESERVED_FUNCTION_NAMES or not function_name.isidentifier() or function_name.startswith("_"):
        raise SpecError(
            f"'{function_name}' cannot be a cmdlet's function name: it is taken by the package or not a Python name",
            field="function_name" if "function_name" in data else "name",
        )
    return CmdletSpec(
        name=name,
        synopsis=data.get("synopsis", "").strip(),
        description=data.get("description", "").strip(),
        parameter_sets=tuple(sets),
        parameters=parameters,
        default_parameter_set=default_set,
        examples=tuple(_example(raw, i) for i, raw in enumerate(data.get("examples", []))),
        operation=operation,
        inputs=_string_list(data.get("inputs", []), parameter=None, field="inputs"),
        outputs=_string_list(data.get("outputs", []), parameter=None, field="outputs"),
        notes=data.get("notes", "").strip(),
        links=tuple(_link(raw) for raw in data.get("links", [])),
        source=source,
        function_name=function_name,
        enums=enums,
    )


def _enums(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    enums: dict[str, tuple[str, ...]] = {}
    for name, values in raw.items():
        if not isinstance(name, str) or not name.replace(".", "").isidentifier():
            raise SpecError(f"enum name {name!r} is not a type name", field="enums")
        try:
            resolve_type(name)
        except KeyError:
            pass
        else:
            raise SpecError(f"enum '{name}' would hide the built-in type of that name", field="enums")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise SpecError(f"enum '{name}' takes a non-empty list of names", field="enums")
        if len({v.lower() for v in values}) != len(values):
            raise SpecError(f"enum '{name}' repeats a name", field="enums")
        enums[name] = tuple(values)
    return enums


def _parameter(
    raw: Any, sets: tuple[str, ...], sets_declared: bool, index: int, enums: Mapping[str, tuple[str, ...]]
) -> ParameterSpec:
    if not isinstance(raw, Mapping):
        raise SpecError(f"parameter #{index + 1} is not a mapping", field="parameters")
    label = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index + 1}"
    _check_keys(raw, _PARAM_KEYS, parameter=label, what="a parameter")
    for key in ("name", "type"):
        if key not in raw:
            raise SpecError("missing required key", parameter=label, field=key)
    name = raw["name"].strip()
    if not name or not all(ch.isalnum() or ch == "_" for ch in name):
        raise SpecError("a parameter name is letters, digits and underscores", parameter=label, field="name")

    try:
        param_type = resolve_type(raw["type"], enums)
    except KeyError:
        raise SpecError(f"unknown type '{raw['type']}'", parameter=name, field="type") from None

    top_mandatory = raw.get("mandatory", False)
    top_position = _position(raw.get("position"), parameter=name, field="position")
    top_by_value, top_by_name = _pipeline_modes(raw.get("pipeline", []), parameter=name, field="pipeline")

    raw_sets = raw.get("sets")
    if raw_sets is None:
        chosen: dict[str, Mapping[str, Any]] = {s: {} for s in sets}
    elif isinstance(raw_sets, list):
        chosen = {s: {} for s in _string_list(raw_sets, parameter=name, field="sets")}
    else:
        chosen = {}
        for set_name, extra in raw_sets.items():
            if extra is None:
                extra = {}
            if not isinstance(extra, Mapping):
                raise SpecError("each set maps to {mandatory, position, pipeline}", parameter=name, field="sets")
            _check_keys(extra, _SET_KEYS, parameter=name, what=f"set '{set_name}'")
            chosen[str(set_name)] = extra
    if raw_sets is not None and not sets_declared:
        raise SpecError("names sets, but the spec declares no parameter_sets", parameter=name, field="sets")
    membership = []
    for set_name in sets:  # keep the cmdlet's set order
        if set_name not in chosen:
            continue
        extra = chosen.pop(set_name)
        by_value, by_name = (
            _pipeline_modes(extra["pipeline"], parameter=name, field="sets")
            if "pipeline" in extra
            else (top_by_value, top_by_name)
        )
        membership.append(
            SetMembership(
                set_name=set_name,
                mandatory=extra.get("mandatory", top_mandatory),
                position=_position(extra.get("position", top_position), parameter=name, field="sets"),
                by_value=by_value,
                by_property_name=by_name,
            )
        )
    if chosen:
        undeclared = next(iter(chosen))
        raise SpecError(f"parameter set '{undeclared}' is not declared", parameter=name, field="sets")

    validate = []
    for validator, args in raw.get("validate", {}).items():
        if validator in FLAGS:
            if not isinstance(args, bool):
                raise SpecError(f"'{validator}' takes true or false", parameter=name, field="validate")
            validate.append((validator, args))
            continue
        if validator not in VALIDATORS:
            raise SpecError(f"unknown validator '{validator}'", parameter=name, field="validate")
        try:
            make_validator(validator, args)
        except ValueError as exc:
            raise SpecError(str(exc), parameter=name, field="validate") from None
        validate.append((validator, args))

    transforms = raw.get("transform", [])
    transforms = [transforms] if isinstance(transforms, str) else transforms
    for transform in transforms:
        if transform not in TRANSFORMS:
            raise SpecError(f"unknown transform '{transform}'", parameter=name, field="transform")

    default = raw.get("default", NO_DEFAULT)
    if default is not NO_DEFAULT and default is not None:
        try:
            default = param_type.convert(default, name)
        except ConversionFailure as exc:
            raise SpecError(f"default does not convert: {exc.detail}", parameter=name, field="default") from None

    return ParameterSpec(
        name=name,
        type=param_type.name,
        aliases=_string_list(raw.get("aliases", []), parameter=name, field="aliases"),
        membership=tuple(membership),
        in_all_sets=raw_sets is None,
        default=default,
        validate=tuple(validate),
        transform=tuple(transforms),
        help=raw.get("help", "").strip(),
        hidden=raw.get("hidden", False),
        sensitive=raw.get("sensitive", False) or param_type.is_secret,
    )


def _check_names(parameters: tuple[ParameterSpec, ...]) -> None:
    owner: dict[str, str] = {}
    for parameter in parameters:
        for key in (parameter.name, *parameter.aliases):
            lowered = key.lower()
            field = "name" if key == parameter.name else "aliases"
            if lowered in COMMON_NAMES:
                raise SpecError(f"'{key}' clashes with a common parameter", parameter=parameter.name, field=field)
            if lowered in owner and owner[lowered] != parameter.name:
                raise SpecError(
                    f"'{key}' clashes with parameter '{owner[lowered]}'", parameter=parameter.name, field=field
                )
            if lowered in owner and field == "aliases":
                raise SpecError(f"alias '{key}' is given twice", parameter=parameter.name, field=field)
            owner[lowered] = parameter.name


def _check_positions(parameters: tuple[ParameterSpec, ...], sets: tuple[str, ...]) -> None:
    for set_name in sets:
        taken: dict[int, str] = {}
        for parameter in parameters:
            member = parameter.membership_in(set_name)
            if member is None or member.position is None:
                continue
            if member.position in taken:
                raise SpecError(
                    f"position {member.position} in set '{set_name}' is also taken by '{taken[member.position]}'",
                    parameter=parameter.name,
                    field="position",
                )
            taken[member.position] = parameter.name


def _example(raw: Any, index: int) -> Example:
    if not isinstance(raw, Mapping):
        raise SpecError(f"example #{index + 1} is not a mapping", field="examples")
    _check_keys(raw, _EXAMPLE_KEYS, parameter=None, what=f"example #{index + 1}")
    if "code" not in raw:
        raise SpecError(f"example #{index + 1} has no code", field="examples")
    return Example(
        title=raw.get("title", f"Example {index + 1}"), code=raw["code"].strip(), remarks=raw.get("remarks", "").strip()
    )


def _link(raw: Any) -> Link:
    if isinstance(raw, str):
        return Link(uri=raw)
    if not isinstance(raw, Mapping):
        raise SpecError("a link is a string or {uri, title}", field="links")
    _check_keys(raw, _LINK_KEYS, parameter=None, what="a link")
    if "uri" not in raw:
        raise SpecError("a link needs 'uri'", field="links")
    return Link(uri=raw["uri"], title=raw.get("title", ""))

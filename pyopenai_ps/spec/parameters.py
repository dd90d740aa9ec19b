"""Parameters of a spec: each entry of ``parameters:`` checked and built into a ParameterSpec.

Also the key checks every part of the loader shares (unknown keys with a "did you mean", types).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..errors import ConversionFailure, SpecError
from .common import COMMON_NAMES
from .enums import EnumSpec
from .model import NO_DEFAULT, ROLES, ParameterSpec, SetMembership
from .types import ParamType, resolve_type
from .transforms import TRANSFORMS
from .validators import FLAGS, VALIDATORS, make_validator

__all__ = ["parameter_from_mapping", "check_names", "check_keys", "string_list"]

PARAM_KEYS = {
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
    "role": str,
    "remaining_arguments": bool,
    "false_binds": bool,
    "no_effect": str,
    "unsupported": dict,
}
_SET_KEYS = {"mandatory": bool, "position": (int, type(None)), "pipeline": list, "remaining_arguments": bool}
_PIPELINE_MODES = {"byvalue": "ByValue", "bypropertyname": "ByPropertyName"}


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        return " or ".join(_type_name(e) for e in expected if e is not type(None)) + " (or null)"
    names: dict[Any, str] = {str: "a string", list: "a list", dict: "a mapping", bool: "true or false",
                             int: "an integer"}
    return names.get(expected, str(expected.__name__))


def check_keys(data: Mapping[str, Any], allowed: Mapping[str, Any], *, parameter: str | None, what: str) -> None:
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


def string_list(value: list[Any], *, parameter: str | None, field: str) -> tuple[str, ...]:
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
    return None if value is None else int(value)


def parameter_from_mapping(
    raw: Any, sets: tuple[str, ...], sets_declared: bool, index: int, enums: Mapping[str, EnumSpec]
) -> ParameterSpec:
    """One entry of ``parameters:``, checked."""
    name = _parameter_name(raw, index)
    try:
        param_type = resolve_type(raw["type"], enums)
    except KeyError:
        raise SpecError(f"unknown type '{raw['type']}'", parameter=name, field="type") from None
    raw_sets = raw.get("sets")
    if raw_sets is not None and not sets_declared:
        raise SpecError("names sets, but the spec declares no parameter_sets", parameter=name, field="sets")
    if raw.get("false_binds", False) and not param_type.is_switch:
        raise SpecError("false_binds applies to a Switch parameter only", parameter=name, field="false_binds")
    return ParameterSpec(
        name=name,
        type=param_type.name,
        aliases=string_list(raw.get("aliases", []), parameter=name, field="aliases"),
        membership=_membership(raw, name, sets),
        in_all_sets=raw_sets is None,
        default=_default(raw, name, param_type),
        validate=_validators(raw.get("validate", {}), name, param_type),
        transform=_transforms(raw.get("transform", []), name),
        help=raw.get("help", "").strip(),
        hidden=raw.get("hidden", False),
        sensitive=raw.get("sensitive", False) or param_type.is_secret,
        role=_role(raw.get("role"), name),
        false_binds=raw.get("false_binds", False),
        no_effect=raw.get("no_effect", "").strip(),
        unsupported=_unsupported(raw.get("unsupported", {}), name),
    )


def _parameter_name(raw: Any, index: int) -> str:
    """The entry's keys checked, and its name."""
    if not isinstance(raw, Mapping):
        raise SpecError(f"parameter #{index + 1} is not a mapping", field="parameters")
    label = raw.get("name") if isinstance(raw.get("name"), str) else f"#{index + 1}"
    check_keys(raw, PARAM_KEYS, parameter=label, what="a parameter")
    for key in ("name", "type"):
        if key not in raw:
            raise SpecError("missing required key", parameter=label, field=key)
    name: str = raw["name"].strip()
    if not name or not all(ch.isalnum() or ch == "_" for ch in name):
        raise SpecError("a parameter name is letters, digits and underscores", parameter=label, field="name")
    return name


def _chosen_sets(raw_sets: Any, name: str, sets: tuple[str, ...]) -> dict[str, Mapping[str, Any]]:
    """Set name -> what the parameter says for that set (``{}``: the top-level keys apply)."""
    if raw_sets is None:
        return {s: {} for s in sets}
    if isinstance(raw_sets, list):
        return {s: {} for s in string_list(raw_sets, parameter=name, field="sets")}
    chosen: dict[str, Mapping[str, Any]] = {}
    for set_name, extra in raw_sets.items():
        extra = {} if extra is None else extra
        if not isinstance(extra, Mapping):
            raise SpecError("each set maps to {mandatory, position, pipeline, remaining_arguments}", parameter=name,
                            field="sets")
        check_keys(extra, _SET_KEYS, parameter=name, what=f"set '{set_name}'")
        chosen[str(set_name)] = extra
    return chosen


def _membership(raw: Mapping[str, Any], name: str, sets: tuple[str, ...]) -> tuple[SetMembership, ...]:
    """The parameter's sets, in the cmdlet's set order; a set's own keys override the top-level ones."""
    top_position = _position(raw.get("position"), parameter=name, field="position")
    top_by_value, top_by_name = _pipeline_modes(raw.get("pipeline", []), parameter=name, field="pipeline")
    chosen = _chosen_sets(raw.get("sets"), name, sets)
    membership = []
    for set_name in sets:
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
                mandatory=extra.get("mandatory", raw.get("mandatory", False)),
                position=_position(extra.get("position", top_position), parameter=name, field="sets"),
                by_value=by_value,
                by_property_name=by_name,
                remaining=extra.get("remaining_arguments", raw.get("remaining_arguments", False)),
            )
        )
    if chosen:
        undeclared = next(iter(chosen))
        raise SpecError(f"parameter set '{undeclared}' is not declared", parameter=name, field="sets")
    return tuple(membership)


def _unsupported(raw: Mapping[Any, Any], name: str) -> tuple[tuple[str, str], ...]:
    """``{value: why}``: each a value the parameter takes and a non-empty reason it is refused."""
    pairs = []
    for value, why in raw.items():
        if not isinstance(why, str) or not why.strip() or isinstance(value, (dict, list)) or value is None:
            raise SpecError("unsupported maps each value to the reason it is refused", parameter=name,
                            field="unsupported")
        pairs.append((str(value), why.strip()))
    return tuple(pairs)


def _transforms(raw: Any, name: str) -> tuple[str, ...]:
    transforms = [raw] if isinstance(raw, str) else raw
    for transform in transforms:
        if transform not in TRANSFORMS:
            raise SpecError(f"unknown transform '{transform}'", parameter=name, field="transform")
    return tuple(transforms)


def _default(raw: Mapping[str, Any], name: str, param_type: ParamType) -> Any:
    """The declared default, converted to the parameter's type when the spec loads."""
    default = raw.get("default", NO_DEFAULT)
    if default is not NO_DEFAULT and default is not None:
        try:
            default = param_type.convert(default, name)
        except ConversionFailure as exc:
            raise SpecError(f"default does not convert: {exc.detail}", parameter=name, field="default") from None
    return default


def _validators(raw: Mapping[str, Any], name: str, param_type: ParamType) -> tuple[tuple[str, Any], ...]:
    validate = []
    for validator, args in raw.items():
        if validator in FLAGS:
            if not isinstance(args, bool):
                raise SpecError(f"'{validator}' takes true or false", parameter=name, field="validate")
            validate.append((validator, args))
            continue
        if validator not in VALIDATORS:
            close = difflib.get_close_matches(str(validator), [*VALIDATORS, *FLAGS], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecError(f"unknown validator '{validator}'{hint}", parameter=name, field="validate")
        try:
            make_validator(validator, args, param_type)
        except ValueError as exc:
            raise SpecError(str(exc), parameter=name, field="validate") from None
        validate.append((validator, args))
    return tuple(validate)


def _role(value: str | None, name: str) -> str | None:
    if value is not None and value not in ROLES:
        raise SpecError(f"unknown role '{value}'; use one of {', '.join(ROLES)}", parameter=name, field="role")
    return value


def check_names(parameters: tuple[ParameterSpec, ...]) -> None:
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

"""A spec compiled once into the lookup tables a bind needs.

Parameter sets become bits; each parameter carries bitmasks of the sets it is in, is mandatory
in, takes pipeline input in, and takes the remaining arguments in.  Names and aliases become a
dict for exact matches and a sorted list for prefix matches; positions a table in position
order; validators their checks.  Nothing here is redone per call.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

import attrs

from ..spec.common import COMMON_PARAMETERS
from ..spec.model import NO_DEFAULT, CmdletSpec, ParameterSpec
from ..spec.types import ParamType, resolve_type
from ..spec.transforms import make_transform
from ..spec.validators import FLAGS, Check, make_validator

__all__ = ["CompiledParameter", "CompiledCommand", "compile_spec", "keyword_form"]


@attrs.frozen(slots=True)
class CompiledParameter:
    index: int
    name: str
    names: tuple[str, ...]  #: name then aliases, as written
    type: ParamType
    is_common: bool
    set_mask: int
    mandatory_mask: int
    by_value_mask: int
    by_property_mask: int
    #: Sets in which the parameter takes the remaining arguments (it has no position there).
    remaining_mask: int
    positions: tuple[tuple[int, int], ...]  #: (set bit, position) pairs
    checks: tuple[Check, ...]
    transforms: tuple[Callable[[Any], Any], ...]
    allow_null: bool
    allow_empty_string: bool
    allow_empty_collection: bool
    default: Any
    secret: bool
    hidden: bool
    #: A Python keyword False binds the switch (else it means "not given").
    false_binds: bool = False
    #: ``type.uncoerced`` as one callable.
    uncoerced: Callable[[Any], Any] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "uncoerced", self.type.uncoerced_function())

    @property
    def is_switch(self) -> bool:
        return self.type.is_switch


@attrs.frozen(slots=True)
class CompiledCommand:
    spec: CmdletSpec
    parameters: tuple[CompiledParameter, ...]
    set_names: tuple[str, ...]
    all_sets: int
    default_set: int  #: the default set's bit, 0 when none
    exact: dict[str, int]  #: lower-case name or alias -> parameter index
    exact_squashed: dict[str, int]  #: the same with underscores removed (Python keywords)
    prefix_keys: tuple[str, ...]  #: sorted lower-case names and aliases
    prefix_owner: tuple[int, ...]  #: parameter index of each key above
    squashed_keys: tuple[str, ...]
    squashed_owner: tuple[int, ...]
    #: Positions in order, each with its (parameter, set bits at that position) pairs in declaration order.
    by_position: tuple[tuple[int, tuple[tuple[CompiledParameter, int], ...]], ...]
    #: Whether two parameters share a position in some set (only then can positional binding be ambiguous).
    shared_positions: bool
    #: Parameters that take pipeline input in some set.
    pipeline_parameters: tuple[int, ...]
    #: Parameters that take the remaining arguments in some set.
    remaining_parameters: tuple[int, ...]

    def set_name(self, bit: int) -> str:
        return self.set_names[bit.bit_length() - 1]

    def set_bits(self, mask: int) -> list[int]:
        return [1 << i for i in range(len(self.set_names)) if mask & (1 << i)]

    def prefix_matches(self, text: str, *, squashed: bool = False) -> list[int]:
        """Indices of the parameters with a name or alias starting with ``text`` (lower-case)."""
        keys, owners = (self.squashed_keys, self.squashed_owner) if squashed else (self.prefix_keys, self.prefix_owner)
        start = bisect.bisect_left(keys, text)
        found: list[int] = []
        for i in range(start, len(keys)):
            if not keys[i].startswith(text):
                break
            if owners[i] not in found:
                found.append(owners[i])
        found.sort()  # declaration order, common parameters last
        return found


def _squash(text: str) -> str:
    return text.replace("_", "").lower()


def keyword_form(name: str) -> str:
    """A parameter name as a Python keyword: ``MaxRetryCount`` -> ``max_retry_count``."""
    out: list[str] = []
    for i, char in enumerate(name):
        upper_start = char.isupper() and i and (name[i - 1].islower() or (i + 1 < len(name) and name[i + 1].islower()))
        if upper_start and out and out[-1] != "_":
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def _membership_masks(parameter: ParameterSpec, bit: dict[str, int]) -> tuple[int, int, int, int, int, list[tuple[int, int]]]:
    set_mask = mandatory = by_value = by_property = remaining = 0
    positions = []
    for member in parameter.membership:
        b = bit[member.set_name]
        set_mask |= b
        mandatory |= b if member.mandatory else 0
        by_value |= b if member.by_value else 0
        by_property |= b if member.by_property_name else 0
        if member.remaining:
            remaining |= b  # ValueFromRemainingArguments: its position is never used
        elif member.position is not None:
            positions.append((b, member.position))
    return set_mask, mandatory, by_value, by_property, remaining, positions


def _declared(parameter: ParameterSpec, spec: CmdletSpec, index: int, bit: dict[str, int]) -> CompiledParameter:
    set_mask, mandatory, by_value, by_property, remaining, positions = _membership_masks(parameter, bit)
    flags = {name: args for name, args in parameter.validate if name in FLAGS}
    param_type = spec.type_of(parameter)
    return CompiledParameter(
        index=index,
        name=parameter.name,
        names=(parameter.name, *parameter.aliases),
        type=param_type,
        is_common=False,
        set_mask=set_mask,
        mandatory_mask=mandatory,
        by_value_mask=by_value,
        by_property_mask=by_property,
        remaining_mask=remaining,
        positions=tuple(positions),
        checks=tuple(make_validator(n, a, param_type) for n, a in parameter.validate if n not in FLAGS),
        transforms=tuple(make_transform(t) for t in parameter.transform),
        allow_null=flags.get("allow_null", False),
        allow_empty_string=flags.get("allow_empty_string", False),
        allow_empty_collection=flags.get("allow_empty_collection", False),
        default=parameter.default,
        secret=parameter.sensitive or param_type.is_secret,
        hidden=parameter.hidden,
        false_binds=parameter.false_binds,
    )


def _common(index: int, name: str, aliases: tuple[str, ...], type_name: str, all_sets: int) -> CompiledParameter:
    return CompiledParameter(
        index=index, name=name, names=(name, *aliases), type=resolve_type(type_name), is_common=True,
        set_mask=all_sets, mandatory_mask=0, by_value_mask=0, by_property_mask=0, remaining_mask=0, positions=(),
        checks=(), transforms=(), allow_null=True, allow_empty_string=True, allow_empty_collection=True,
        default=NO_DEFAULT, secret=False, hidden=False,
    )


def _positions(parameters: list[CompiledParameter]) -> tuple[tuple[tuple[int, tuple[tuple[CompiledParameter, int], ...]], ...], bool]:
    table: dict[int, list[tuple[CompiledParameter, int]]] = {}
    for parameter in parameters:
        for b, position in parameter.positions:
            entries = table.setdefault(position, [])
            for k, (owner, bits) in enumerate(entries):
                if owner is parameter:
                    entries[k] = (owner, bits | b)
                    break
            else:
                entries.append((parameter, b))
    shared = any(
        first[1] & second[1]
        for entries in table.values()
        for i, first in enumerate(entries)
        for second in entries[i + 1:]
    )
    return tuple((position, tuple(table[position])) for position in sorted(table)), shared


def compile_spec(spec: CmdletSpec) -> CompiledCommand:
    set_names = spec.parameter_sets
    bit = {name: 1 << i for i, name in enumerate(set_names)}
    all_sets = (1 << len(set_names)) - 1
    parameters = [_declared(parameter, spec, i, bit) for i, parameter in enumerate(spec.parameters)]
    for name, aliases, type_name in COMMON_PARAMETERS:
        parameters.append(_common(len(parameters), name, aliases, type_name, all_sets))

    exact: dict[str, int] = {}
    squashed_exact: dict[str, int] = {}
    squashed_clash: set[str] = set()
    pairs: list[tuple[str, int]] = []
    squashed_pairs: list[tuple[str, int]] = []
    for compiled in parameters:
        for key in compiled.names:
            exact[key.lower()] = compiled.index
            pairs.append((key.lower(), compiled.index))
            squashed = _squash(key)
            squashed_pairs.append((squashed, compiled.index))
            if squashed_exact.get(squashed, compiled.index) != compiled.index:
                squashed_clash.add(squashed)
            squashed_exact[squashed] = compiled.index
    for key in squashed_clash:  # two parameters squash alike: the raw spelling must decide
        del squashed_exact[key]
    pairs.sort()
    squashed_pairs = sorted(set(squashed_pairs))
    by_position, shared = _positions(parameters)
    return CompiledCommand(
        spec=spec,
        parameters=tuple(parameters),
        set_names=set_names,
        all_sets=all_sets,
        default_set=bit.get(spec.default_parameter_set, 0) if spec.default_parameter_set else 0,
        exact=exact,
        exact_squashed=squashed_exact,
        prefix_keys=tuple(k for k, _ in pairs),
        prefix_owner=tuple(i for _, i in pairs),
        squashed_keys=tuple(k for k, _ in squashed_pairs),
        squashed_owner=tuple(i for _, i in squashed_pairs),
        by_position=by_position,
        shared_positions=shared,
        pipeline_parameters=tuple(p.index for p in parameters if p.by_value_mask or p.by_property_mask),
        remaining_parameters=tuple(p.index for p in parameters if p.remaining_mask),
    )

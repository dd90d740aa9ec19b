"""A spec compiled once into the lookup tables a bind needs.

Parameter sets become bits; each parameter carries bitmasks of the sets it is
in, is mandatory in, and takes pipeline input in.  Names and aliases become a
dict for exact matches and a sorted list for prefix matches.  Nothing here is
redone per call.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

import attrs

from ..spec.common import COMMON_PARAMETERS
from ..spec.model import NO_DEFAULT, CmdletSpec
from ..spec.types import ParamType, resolve_type
from ..spec.transforms import make_transform
from ..spec.validators import FLAGS, Check, make_validator

__all__ = ["CompiledParameter", "CompiledCommand", "compile_spec"]


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
    positions: tuple[tuple[int, int], ...]  #: (set bit, position) pairs
    checks: tuple[Check, ...]
    transforms: tuple[Callable[[Any], Any], ...]
    allow_null: bool
    allow_empty_string: bool
    allow_empty_collection: bool
    default: Any
    secret: bool
    hidden: bool

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
    #: (position, parameter index) in position order, then declaration order.
    positional: tuple[tuple[int, int], ...]
    #: Parameters that take pipeline input in some set.
    pipeline_parameters: tuple[int, ...]

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


def compile_spec(spec: CmdletSpec) -> CompiledCommand:
    set_names = spec.parameter_sets
    bit = {name: 1 << i for i, name in enumerate(set_names)}
    all_sets = (1 << len(set_names)) - 1
    parameters: list[CompiledParameter] = []

    for parameter in spec.parameters:
        set_mask = mandatory = by_value = by_property = 0
        positions = []
        for member in parameter.membership:
            b = bit[member.set_name]
            set_mask |= b
            mandatory |= b if member.mandatory else 0
            by_value |= b if member.by_value else 0
            by_property |= b if member.by_property_name else 0
            if member.position is not None:
                positions.append((b, member.position))
        flags = {name: args for name, args in parameter.validate if name in FLAGS}
        param_type = spec.type_of(parameter)
        parameters.append(
            CompiledParameter(
                index=len(parameters),
                name=parameter.name,
                names=(parameter.name, *parameter.aliases),
                type=param_type,
                is_common=False,
                set_mask=set_mask,
                mandatory_mask=mandatory,
                by_value_mask=by_value,
                by_property_mask=by_property,
                positions=tuple(positions),
                checks=tuple(make_validator(n, a) for n, a in parameter.validate if n not in FLAGS),
                transforms=tuple(make_transform(t) for t in parameter.transform),
                allow_null=flags.get("allow_null", False),
                allow_empty_string=flags.get("allow_empty_string", False),
                allow_empty_collection=flags.get("allow_empty_collection", False),
                default=parameter.default,
                secret=parameter.sensitive or param_type.is_secret,
                hidden=parameter.hidden,
            )
        )
    for name, aliases, type_name in COMMON_PARAMETERS:
        parameters.append(
            CompiledParameter(
                index=len(parameters),
                name=name,
                names=(name, *aliases),
                type=resolve_type(type_name),
                is_common=True,
                set_mask=all_sets,
                mandatory_mask=0,
                by_value_mask=0,
                by_property_mask=0,
                positions=(),
                checks=(),
                transforms=(),
                allow_null=True,
                allow_empty_string=True,
                allow_empty_collection=True,
                default=NO_DEFAULT,
                secret=False,
                hidden=False,
            )
        )

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

    positional = sorted(
        ((position, compiled.index) for compiled in parameters for _, position in compiled.positions),
    )
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
        positional=tuple(dict.fromkeys(positional)),
        pipeline_parameters=tuple(p.index for p in parameters if p.by_value_mask or p.by_property_mask),
    )

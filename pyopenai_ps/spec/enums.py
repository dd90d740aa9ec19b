"""Enum parameter types: names with numbers, and ``[Flags]`` enums whose values combine.

A spec declares its own enums::

    enums:
      Color: [Red, Green]                                  # values 0, 1, ...
      Level: {values: {Low: 1, High: 10}}                  # explicit values
      Access: {flags: true, values: {Read: 1, Write: 2}}   # [Flags]: 'Read,Write' is 3

A bound value is an :class:`EnumValue`: a ``str`` (its .NET text: ``High``, or ``Read, Write`` for
flags) whose ``int()`` is the number.  Conversion follows PowerShell: a name ignoring case or a
unique prefix of one; a number that is defined (or, for flags, a combination of defined flags);
for flags, names separated by commas (a list of names is joined first); for other enums a comma
is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import ConversionFailure
from .typebase import ParamType, cannot_convert, show

__all__ = ["EnumSpec", "EnumValue", "enum_type"]


@attrs.frozen
class EnumSpec:
    """One enum: member names and their numbers, in declaration order."""

    name: str
    members: tuple[tuple[str, int], ...]
    flags: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.members)

    @classmethod
    def from_names(cls, name: str, names: tuple[str, ...]) -> EnumSpec:
        return cls(name, tuple((member, number) for number, member in enumerate(names)))


class EnumValue(str):
    """A value of an enum parameter: its text, and its number through ``int()``."""

    enum_value: int
    enum_name: str

    def __new__(cls, text: str, number: int, enum_name: str) -> EnumValue:
        self = super().__new__(cls, text)
        self.enum_value = number
        self.enum_name = enum_name
        return self

    def __int__(self) -> int:
        return self.enum_value

    def __index__(self) -> int:
        return self.enum_value

    def __getnewargs__(self) -> tuple[str, int, str]:  # type: ignore[override]
        return (str(self), self.enum_value, self.enum_name)


def _text_of(spec: EnumSpec, number: int) -> str:
    """.NET's ``Enum.ToString()``: the name, or for flags the names it is made of (largest first)."""
    for name, value in spec.members:
        if value == number:
            return name
    if not spec.flags or number == 0:
        return str(number)
    remaining, chosen = number, []
    for name, value in sorted(spec.members, key=lambda member: -member[1]):
        if value and value & remaining == value:
            chosen.append((value, name))
            remaining &= ~value
    if remaining:
        return str(number)
    return ", ".join(name for _, name in sorted(chosen))


def _is_defined(spec: EnumSpec, number: int) -> bool:
    values = [value for _, value in spec.members]
    if any(value < 0 for value in values):
        return True  # PowerShell cannot tell for enums with negative values
    if spec.flags:
        every = 0
        for value in values:
            every |= value
        return number >= 0 and number | every == every
    return number in values


class _EnumConversion:
    """PowerShell's conversion of a value to one enum: names (a unique prefix is enough), numbers,
    and for a flags enum comma-separated names or a list of them."""

    def __init__(self, spec: EnumSpec, target: str, reserved: tuple[str, ...]) -> None:
        self.spec, self.target, self.reserved = spec, target, reserved
        self.by_key = {name.lower(): (name, value) for name, value in spec.members}
        self.listed = ", ".join(spec.names)

    def undefined(self, value: Any) -> ConversionFailure:
        return ConversionFailure(
            f'Cannot convert value "{show(value)}" to type "{self.target}" due to enumeration values that are not '
            f'valid. Specify one of the following enumeration values and try again. The possible enumeration values '
            f'are "{self.listed}".'
        )

    def no_match(self, name: str, original: Any) -> ConversionFailure:
        return cannot_convert(
            original, self.target,
            f"Unable to match the identifier name {name} to a valid enumerator name. Specify one of "
            f"the following enumerator names and try again: {self.listed}",
        )

    def one_name(self, text: str, original: Any) -> int:
        key = text.strip().lower()
        found = self.by_key.get(key)
        if found is None:
            matches = [name for lowered, (name, _) in self.by_key.items() if key and lowered.startswith(key)]
            if len(matches) > 1:
                raise cannot_convert(
                    original, self.target,
                    f"The identifier name {text.strip()} cannot be processed because it is either too similar or "
                    f"identical to the following enumerator names: {', '.join(matches)}. Use a more specific "
                    "identifier name.",
                )
            if not matches:
                raise self.no_match(text.strip(), original)
            found = self.by_key[matches[0].lower()]
        if found[0] in self.reserved:
            raise ConversionFailure(
                f"The {found[0]} {self.spec.name} value is reserved for future use and is not supported at this time."
            )
        return found[1]

    def from_text(self, text: str, original: Any) -> int:
        stripped = text.strip()
        if stripped[:1].isdigit() or stripped[:1] in "+-":
            try:
                number = int(stripped)
            except ValueError:
                pass
            else:
                if not _is_defined(self.spec, number):
                    raise self.undefined(original)
                return number
        if "," in stripped and not self.spec.flags:
            raise ConversionFailure(
                f'Cannot convert value "{show(original)}" to type "{self.target}" because no commas are allowed for '
                "this enumeration."
            )
        number = 0
        for part in stripped.split(",") if self.spec.flags else [stripped]:
            number |= self.one_name(part, original)
        return number

    def make(self, number: int) -> EnumValue:
        return EnumValue(_text_of(self.spec, number), number, self.spec.name)

    def convert(self, value: Any, parameter: str) -> EnumValue:
        if isinstance(value, EnumValue) and value.enum_name == self.spec.name:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if not _is_defined(self.spec, int(value)):
                raise self.undefined(value)
            return self.make(int(value))
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if isinstance(value, str) and value.strip():
            return self.make(self.from_text(value, value))
        raise self.no_match(show(value), value)

    def matches(self, value: Any) -> bool:
        return isinstance(value, EnumValue) and value.enum_name == self.spec.name


def enum_type(spec: EnumSpec, *, dotnet_name: str | None = None, reserved: tuple[str, ...] = ()) -> ParamType:
    """The parameter type of an enum."""
    conversion = _EnumConversion(spec, dotnet_name or spec.name, reserved)
    literal = "Literal[" + ", ".join(repr(name) for name in spec.names) + "]"
    return ParamType(spec.name, conversion.target, literal, conversion.matches, conversion.convert, value_type=True)


def enum_from_mapping(name: str, raw: Any) -> EnumSpec:
    """An enum of a spec from its YAML (a list of names, or ``{values: {...}, flags: bool}``); ValueError if bad."""
    if isinstance(raw, list):
        if not raw or not all(isinstance(v, str) and v for v in raw):
            raise ValueError(f"enum '{name}' takes a non-empty list of names")
        members = tuple((member, number) for number, member in enumerate(raw))
        flags = False
    elif isinstance(raw, Mapping):
        unknown = set(raw) - {"values", "flags"}
        if unknown:
            raise ValueError(f"enum '{name}' takes 'values' and 'flags', not {sorted(map(str, unknown))}")
        values, flags = raw.get("values"), raw.get("flags", False)
        if not isinstance(flags, bool):
            raise ValueError(f"enum '{name}': flags takes true or false")
        if not isinstance(values, Mapping) or not values:
            raise ValueError(f"enum '{name}': values maps each name to a number")
        for member, number in values.items():
            if not isinstance(member, str) or not member or isinstance(number, bool) or not isinstance(number, int):
                raise ValueError(f"enum '{name}': values maps each name to a whole number")
            if not -(2**63) <= number < 2**64:
                raise ValueError(f"enum '{name}': the value of {member} does not fit 64 bits")
        members = tuple((member, number) for member, number in values.items())
    else:
        raise ValueError(f"enum '{name}' takes a list of names or {{values: {{Name: number}}, flags: bool}}")
    if len({member.lower() for member, _ in members}) != len(members):
        raise ValueError(f"enum '{name}' repeats a name")
    return EnumSpec(name, members, flags)

"""The result of binding one call: the Python ``$PSBoundParameters``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._sentinel import Sentinel

if TYPE_CHECKING:
    from .command import Command

__all__ = ["Binding", "NO_INPUT"]


#: ``Binding.pipeline_input`` when the call had no pipeline record.
NO_INPUT: Any = Sentinel("NO_INPUT", __name__)


class Binding:
    """A call bound to one parameter set.

    ``bound`` holds only what the call bound (canonical name -> converted value),
    like PowerShell's ``$PSBoundParameters``; ``defaults`` holds the defaults of
    the chosen set's unbound parameters.  ``binding["Limit"]`` looks in both.
    The repr never shows a secret.
    """

    __slots__ = ("command", "parameter_set", "bound", "defaults", "pipeline_input", "from_pipeline", "_secret", "_index", "_plain", "_canonical", "memo")

    def __init__(
        self,
        *,
        command: Command,
        parameter_set: str,
        bound: dict[str, Any],
        defaults: dict[str, Any],
        pipeline_input: Any = NO_INPUT,
        from_pipeline: frozenset[str] = frozenset(),
        secret_names: frozenset[str] = frozenset(),
        canonical_names: frozenset[str] = frozenset(),
    ) -> None:
        self.command = command
        self.parameter_set = parameter_set
        self.bound: Mapping[str, Any] = MappingProxyType(bound)
        self.defaults: Mapping[str, Any] = MappingProxyType(defaults)
        self._plain = (bound, defaults)
        self._canonical = canonical_names
        #: Work the runtime derives from this binding (settings, planned requests), kept for a repeated call.
        self.memo: dict[Any, Any] = {}  # the dicts behind the read-only views, for fast lookups
        self.pipeline_input = pipeline_input
        self.from_pipeline = from_pipeline
        self._secret = secret_names
        self._index: dict[str, str] | None = None

    @property
    def command_name(self) -> str:
        return self.command.name

    @property
    def arguments(self) -> dict[str, Any]:
        """Defaults overlaid with what was bound: every value the call will use."""
        merged = dict(self.defaults)
        merged.update(self.bound)
        return merged

    def _key(self, name: str) -> str | None:
        if name in self.bound or name in self.defaults:
            return name
        index = self._index
        if index is None:  # built on the first miss only: most lookups use canonical names
            index = {key.lower(): key for key in self.defaults}
            index.update((key.lower(), key) for key in self.bound)
            self._index = index
        return index.get(name.lower())

    def __getitem__(self, name: str) -> Any:
        key = self._key(name)
        if key is None:
            raise KeyError(name)
        return self.bound[key] if key in self.bound else self.defaults[key]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        bound, defaults = self._plain
        if name in bound:  # the usual case: a canonical name
            return bound[name]
        if name in defaults:
            return defaults[name]
        if name in self._canonical:  # a canonical name neither bound nor defaulted
            return default
        key = self._key(name)
        if key is None:
            return default
        return self.bound[key] if key in self.bound else self.defaults[key]

    def is_bound(self, name: str) -> bool:
        key = self._key(name)
        return key is not None and key in self.bound

    def __iter__(self) -> Iterator[str]:
        return iter(self.arguments)

    def _shown(self, mapping: Mapping[str, Any]) -> str:
        parts = []
        for key, value in mapping.items():
            parts.append(f"{key!r}: {'<hidden>' if key in self._secret else repr(value)}")
        return "{" + ", ".join(parts) + "}"

    def __repr__(self) -> str:
        return (
            f"Binding(command={self.command.name!r}, parameter_set={self.parameter_set!r}, "
            f"bound={self._shown(self.bound)}, defaults={self._shown(self.defaults)})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Binding):
            return NotImplemented
        return (
            self.command.name == other.command.name
            and self.parameter_set == other.parameter_set
            and dict(self.bound) == dict(other.bound)
            and dict(self.defaults) == dict(other.defaults)
        )

    __hash__ = None  # type: ignore[assignment]

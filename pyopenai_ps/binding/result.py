"""The result of binding one call: the Python ``$PSBoundParameters``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .._sentinel import Sentinel
from ..secure import mask_key_shapes

__all__ = ["Binding", "NO_INPUT"]


#: ``Binding.pipeline_input`` when the call had no pipeline record.
NO_INPUT: Any = Sentinel("NO_INPUT", __name__)


class Binding:
    """A call bound to one parameter set: pure data, read-only.

    ``bound`` holds only what the call bound (canonical name -> converted value),
    like PowerShell's ``$PSBoundParameters``; ``defaults`` holds the defaults of
    the chosen set's unbound parameters.  ``binding["Limit"]`` looks in both.
    The repr never shows a secret.
    """

    __slots__ = ("command_name", "parameter_set", "bound", "defaults", "pipeline_input", "from_pipeline",
                 "secret_names", "_index", "_plain", "_canonical")

    def __init__(
        self,
        *,
        command_name: str,
        parameter_set: str,
        bound: dict[str, Any],
        defaults: dict[str, Any],
        pipeline_input: Any = NO_INPUT,
        from_pipeline: frozenset[str] = frozenset(),
        secret_names: frozenset[str] = frozenset(),
        canonical_names: frozenset[str] = frozenset(),
    ) -> None:
        self.command_name = command_name
        self.parameter_set = parameter_set
        self.bound: Mapping[str, Any] = MappingProxyType(bound)
        self.defaults: Mapping[str, Any] = MappingProxyType(defaults)
        self._plain = (bound, defaults)  # the dicts behind the read-only views, for fast lookups
        self._canonical = canonical_names
        self.pipeline_input = pipeline_input
        self.from_pipeline = from_pipeline
        #: Parameters whose values are secret (never shown).
        self.secret_names = secret_names
        self._index: dict[str, str] | None = None  # lower-case name -> canonical, built on the first miss

    def replacing(self, name: str, value: Any) -> Binding:
        """The same binding with one parameter bound to another value (a new Binding: this one stays)."""
        bound = dict(self._plain[0])
        bound[name] = value
        return Binding(command_name=self.command_name, parameter_set=self.parameter_set, bound=bound,
                       defaults=dict(self._plain[1]), pipeline_input=self.pipeline_input,
                       from_pipeline=self.from_pipeline, secret_names=self.secret_names,
                       canonical_names=self._canonical)

    @property
    def has_secret(self) -> bool:
        """Whether the call bound a value that must never be shown or kept (a key, credential headers)."""
        return any(name in self.secret_names for name in self._plain[0])

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
            parts.append(f"{key!r}: {'<hidden>' if key in self.secret_names else mask_key_shapes(repr(value))}")
        return "{" + ", ".join(parts) + "}"

    def __repr__(self) -> str:
        return (
            f"Binding(command={self.command_name!r}, parameter_set={self.parameter_set!r}, "
            f"bound={self._shown(self.bound)}, defaults={self._shown(self.defaults)})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Binding):
            return NotImplemented
        return (
            self.command_name == other.command_name
            and self.parameter_set == other.parameter_set
            and dict(self.bound) == dict(other.bound)
            and dict(self.defaults) == dict(other.defaults)
        )

    __hash__ = None  # type: ignore[assignment]

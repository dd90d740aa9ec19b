"""Named marker values (``NO_DEFAULT``, ``NO_INPUT``...): distinct from None, which is a real value here."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Sentinel"]


def _restore(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


class Sentinel:
    """A falsy marker that shows its name and stays the same object through copy and pickle.

    Define each as a global of its module with the same name: ``NO_INPUT = Sentinel("NO_INPUT", __name__)``.
    """

    __slots__ = ("_name", "_module")

    def __init__(self, name: str, module: str) -> None:
        self._name = name
        self._module = module

    def __repr__(self) -> str:
        return self._name

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (_restore, (self._module, self._name))

    def __copy__(self) -> Sentinel:
        return self

    def __deepcopy__(self, memo: object) -> Sentinel:
        return self

"""What the command line bound: the state each pipeline record starts from."""

from __future__ import annotations

from typing import Any

__all__ = ["CommandLineState"]


class CommandLineState:
    """Parameter index -> bound value, and the bits of the parameter sets still possible."""

    __slots__ = ("bound", "valid")

    def __init__(self, bound: dict[int, Any], valid: int) -> None:
        self.bound = bound
        self.valid = valid

    def copy(self) -> CommandLineState:
        return CommandLineState(dict(self.bound), self.valid)

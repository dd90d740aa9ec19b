"""Where cmdlets come from: the bundled ``specs/`` and files loaded at run time.

Bundled specs are read on first use, one file at a time: asking for ``Get-ThreadRun`` (or
``get_thread_run``) reads ``Get-ThreadRun.yaml`` only, so a command line pays for its own cmdlet and
not for every spec; listing the cmdlets, or a name no file is named after, reads them all.  A broken spec file does not stop the others: its
:class:`~pyopenai_ps.errors.SpecError` is kept and raised when that cmdlet is asked for, and
:meth:`Registry.errors` lists them all.  A registry makes its entries from specs with the factory it
is given (the package's one registry, ``command.REGISTRY``, makes Commands).
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from ..errors import CommandNotFoundError, SpecError
from ..spec.load import bundled_specs_dir, is_fragment, load_spec_file
from ..spec.model import CmdletSpec, function_name_for

__all__ = ["Registry", "Named", "bundled_specs_dir"]


class Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def function_name(self) -> str: ...


C = TypeVar("C", bound=Named)


def _same(spec: CmdletSpec) -> Any:
    return spec


class Registry(Generic[C]):
    """Cmdlets by name and by module-function name, made from specs by ``factory``."""

    def __init__(self, directories: list[Path] | None = None, *,
                 factory: Callable[[CmdletSpec], C] = _same) -> None:
        self._directories = directories
        self._factory = factory
        self._commands: dict[str, C] = {}
        self._functions: dict[str, C] = {}
        self._errors: dict[str, SpecError] = {}
        self._loaded: set[Path] = set()  # the files read so far (each is read once)
        self._discovered = False
        self._lock = threading.RLock()

    def _discover(self) -> None:
        if self._discovered:
            return
        with self._lock:
            self._load_all()

    def _load_all(self) -> None:
        if not self._discovered:
            for path in self._spec_files():
                self._load_file(path)
            self._discovered = True

    def _spec_files(self) -> list[Path]:
        return [path for directory in self._directories or [bundled_specs_dir()]
                for path in sorted(Path(directory).glob("*.yaml")) if not is_fragment(path)]

    def _load_file(self, path: Path) -> None:
        if path in self._loaded:
            return
        self._loaded.add(path)
        try:
            spec = load_spec_file(path)
        except SpecError as exc:
            self._errors[path.stem.lower()] = exc
            return
        except Exception as exc:  # whatever breaks one file must not hide the others
            self._errors[path.stem.lower()] = SpecError(f"could not be loaded ({type(exc).__name__})", file=str(path))
            return
        self._add(self._factory(spec))

    def _load_named(self, matches: Callable[[str], bool]) -> None:
        """Before discovery: read the files whose name ``matches`` (a cmdlet's file is named after it)."""
        if self._discovered:
            return
        with self._lock:
            for path in self._spec_files():
                if matches(path.stem):
                    self._load_file(path)

    def _add(self, command: C) -> None:
        key = command.name.lower()
        previous = self._commands.get(key)
        if previous is not None:
            self._functions.pop(previous.function_name, None)
        self._commands[key] = command
        self._functions[command.function_name] = command
        self._errors.pop(key, None)

    def get(self, name: str) -> C:
        if not isinstance(name, str):
            raise CommandNotFoundError(repr(name), "a command name is a string")
        key = name.strip().lower()
        self._load_named(lambda stem: stem.lower() == key)
        command = self._commands.get(key)
        if command is not None:
            return command
        if key not in self._errors:
            self._discover()  # a spec whose file is named otherwise
            command = self._commands.get(key)
            if command is not None:
                return command
        error = self._errors.get(key)
        if error is not None:
            raise error
        raise CommandNotFoundError(name, suggestion=self._closest(key))

    def _closest(self, key: str) -> str | None:
        names = {command.name.lower(): command.name for command in self._commands.values()}
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
        return names[close[0]] if close else None

    def by_function_name(self, name: str) -> C | None:
        self._load_named(lambda stem: function_name_for(stem) == name)
        command = self._functions.get(name)
        if command is None:
            self._discover()  # a spec that names its own function
            command = self._functions.get(name)
        return command

    def load(self, path: str | Path) -> C:
        """Load one more spec file and register it, replacing a cmdlet of the same name."""
        return self.load_replacing(path)[0]

    def load_replacing(self, path: str | Path) -> tuple[C, C | None]:
        """Like :meth:`load`, and also the command it replaced (None when the name was new)."""
        if not isinstance(path, (str, os.PathLike)):
            raise SpecError(f"a spec path is a str or path, not {type(path).__name__}")
        self._discover()
        command = self._factory(load_spec_file(Path(path), cache=False))  # a user's file: leave no cache beside it
        with self._lock:
            replaced = self._commands.get(command.name.lower())
            self._add(command)
        return command, replaced

    def names(self) -> list[str]:
        self._discover()
        return sorted((c.name for c in self._commands.values()), key=str.lower)

    def function_names(self) -> list[str]:
        self._discover()
        return sorted(self._functions)

    def errors(self) -> list[SpecError]:
        self._discover()
        return list(self._errors.values())


"""Reading spec files: YAML (or the JSON cache of it), shared fragments, then the checked spec.

A spec's ``parameters:`` list may hold ``{include: <fragment>}`` items (optionally with ``only:
[names]``): each is replaced, in place, by the parameters of the fragment file ``<fragment>.yaml``,
looked up next to the spec and then among the bundled specs; the ``enums:`` a fragment declares for
its parameters' types come with them.  Files whose name starts with ``_``
are fragments, never cmdlets.  The connection parameters (key, base, organization, timeout,
retries, extra query and headers) live in the bundled ``_connection.yaml`` and every bundled spec
includes it, so no Python code names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import SpecError
from .build import spec_from_mapping
from .model import CmdletSpec
from .parameters import check_keys, string_list

__all__ = ["load_spec_file", "load_spec_text", "bundled_specs_dir", "CONNECTION_FRAGMENT", "is_fragment"]

#: The fragment that declares the connection parameters and their roles.
CONNECTION_FRAGMENT = "_connection"
_INCLUDE_KEYS = {"include": str, "only": list}
_FRAGMENT_KEYS = {"parameters": list, "description": str, "enums": dict}


def bundled_specs_dir() -> Path:
    """The installed package's ``specs`` folder, or the source tree's top-level one."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "specs"
    if installed.is_dir() and any(installed.glob("*.yaml")):
        return installed
    return package.parent / "specs"


def is_fragment(path: Path) -> bool:
    """Whether a file in a specs folder is a fragment for others to include (``_name.yaml``)."""
    return path.name.startswith("_")


def _read_data(path: Path, cache: bool) -> tuple[Any, bool]:
    """The parsed YAML of a file, and whether it came from the JSON cache (which holds only files
    that loaded cleanly, see :func:`_remember`)."""
    source = str(path)
    if cache:
        from .cache import read_cached

        data = read_cached(path)
        if data is not None:
            return data, True
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", file=source) from None
    except UnicodeDecodeError:
        raise SpecError("the file is not UTF-8 text", file=source) from None
    from .yamlsafe import parse_yaml  # only now: a warm start never imports YAML

    return parse_yaml(text, source), False


def _remember(path: Path, data: Any, cached: bool, cache: bool) -> None:
    """Cache the parsed data of a file that loaded cleanly (never a broken one: it may be a bomb)."""
    if cache and not cached:
        from .cache import write_cached

        write_cached(path, data)


def _fragment_parameters(name: str, search: Iterable[Path], cache: bool) -> list[Any]:
    return _fragment(name, search, cache)[0]


def _fragment(name: str, search: Iterable[Path], cache: bool) -> tuple[list[Any], Mapping[str, Any]]:
    """A fragment's parameters and the enums they use (an including spec gets both)."""
    for folder in search:
        path = folder / f"{name}.yaml"
        if path.is_file():
            data, cached = _read_data(path, cache)
            if not isinstance(data, Mapping):
                raise SpecError("a fragment is a mapping with 'parameters'", file=str(path))
            try:
                check_keys(data, _FRAGMENT_KEYS, parameter=None, what="a fragment")
            except SpecError as exc:
                raise exc.located(str(path)) from None
            parameters = data.get("parameters", [])
            if any(isinstance(p, Mapping) and "include" in p for p in parameters):
                raise SpecError("a fragment cannot include another fragment", file=str(path), field="parameters")
            _remember(path, data, cached, cache)
            return list(parameters), data.get("enums", {})
    raise SpecError(f"no fragment '{name}.yaml' next to the spec or among the bundled specs", field="parameters")


def _expanded(data: Any, search: list[Path], cache: bool) -> Any:
    """The spec's data with each ``{include: ...}`` item replaced by the fragment's parameters."""
    if not isinstance(data, Mapping) or not isinstance(data.get("parameters"), list):
        return data  # spec_from_mapping reports what is wrong
    items = data["parameters"]
    if not any(isinstance(item, Mapping) and "include" in item for item in items):
        return data
    parameters: list[Any] = []
    declared = data.get("enums") or {}
    enums = dict(declared) if isinstance(declared, Mapping) else declared  # not a mapping: reported later
    for item in items:
        if not (isinstance(item, Mapping) and "include" in item):
            parameters.append(item)
            continue
        check_keys(item, _INCLUDE_KEYS, parameter=None, what="an include")
        name = item["include"].strip()
        if not name.startswith("_") or "/" in name or "\\" in name:
            raise SpecError(f"'{name}' is not a fragment name (a fragment's name starts with '_')", field="include")
        included, fragment_enums = _fragment(name, search, cache)
        if isinstance(enums, dict):
            for enum_name, definition in fragment_enums.items():
                if enums.setdefault(enum_name, definition) != definition:
                    raise SpecError(f"enum '{enum_name}' is declared differently by the spec and by fragment "
                                    f"'{name}'", field="enums")
        only = item.get("only")
        if only is not None:
            wanted = string_list(only, parameter=None, field="only")
            known = {p.get("name") for p in included if isinstance(p, Mapping)}
            unknown = [n for n in wanted if n not in known]
            if unknown:
                raise SpecError(f"fragment '{name}' has no parameter '{unknown[0]}'", field="only")
            included = [p for p in included if isinstance(p, Mapping) and p.get("name") in wanted]
        parameters.extend(included)
    return {**data, "parameters": parameters, **({"enums": enums} if enums else {})}


def _fallback_names(data: Any, cache: bool) -> dict[str, str]:
    """Role -> parameter name, as the bundled connection fragment gives them (for specs without roles)."""
    if not isinstance(data, Mapping) or "operation" not in data:
        return {}
    parameters = data.get("parameters")
    if isinstance(parameters, list) and any(isinstance(p, Mapping) and "role" in p for p in parameters):
        return {}
    fragment = _fragment_parameters(CONNECTION_FRAGMENT, [bundled_specs_dir()], cache)
    return {p["role"]: p["name"] for p in fragment if isinstance(p, Mapping) and "role" in p and "name" in p}


def _build(data: Any, source: str, search: list[Path], cache: bool) -> CmdletSpec:
    try:
        data = _expanded(data, search, cache)
        return spec_from_mapping(data, source=source, fallback_names=_fallback_names(data, cache))
    except SpecError as exc:
        raise exc.located(source) from None
    except RecursionError:
        raise SpecError("the spec is nested too deeply", file=source) from None


def load_spec_file(path: str | Path, *, cache: bool = True) -> CmdletSpec:
    """Read one spec file; :class:`SpecError` if it is missing or malformed.

    With ``cache``, the parsed YAML of a file that loaded cleanly is kept as JSON (see
    :mod:`.cache`), so a later start skips importing and running YAML.
    """
    path = Path(path)
    data, cached = _read_data(path, cache)
    spec = _build(data, str(path), [path.parent, bundled_specs_dir()], cache)
    _remember(path, data, cached, cache)
    return spec


def load_spec_text(text: str, *, source: str = "<string>") -> CmdletSpec:
    """A spec from YAML text; its includes come from the bundled specs."""
    from .yamlsafe import parse_yaml

    return _build(parse_yaml(text, source), source, [bundled_specs_dir()], cache=False)

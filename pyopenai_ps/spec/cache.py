"""A cache of parsed spec files, so a warm start needs no YAML at all.

The cache holds the *parsed data* of a spec that loaded cleanly, as JSON (safe
to read back, unlike pickle), in the user's cache folder (``$XDG_CACHE_HOME/pyopenai_ps``,
else ``~/.cache/pyopenai_ps``), named by the spec's path; only when that folder cannot be
written, next to the spec in ``__pycache__``.  Not beside the spec first: an installed
package's folder is pip's to remove, and a file pip did not write would outlive an uninstall
(leaving a ``pyopenai_ps`` folder that shadows a later editable install).  An entry is used only
while the hash of the spec file's bytes and the package version match;
the spec is still checked in full when it is built from the cached data.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .._version import __version__

__all__ = ["read_cached", "write_cached", "cache_paths"]


def _user_cache_dir() -> Path | None:
    """The user's cache folder, or None when there is none to trust (a relative XDG_CACHE_HOME is
    ignored, as the XDG specification says; no home folder would make ``~`` a folder here)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "pyopenai_ps"


def cache_paths(spec: Path) -> list[Path]:
    """Where the cache entry of a spec may be, in the order they are tried."""
    resolved = spec.resolve()
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:16]
    user = _user_cache_dir()
    beside = resolved.parent / "__pycache__" / f"{resolved.stem}.spec.json"
    return [user / f"{resolved.stem}-{digest}.spec.json", beside] if user is not None else [beside]


def _stamp(spec: Path) -> dict[str, Any] | None:
    # The content's hash, not its mtime: an edit within one clock tick must not hit a stale entry.
    try:
        content = spec.read_bytes()
    except OSError:
        return None
    return {"source": str(spec.resolve()), "sha256": hashlib.sha256(content).hexdigest(), "version": __version__}


def read_cached(spec: Path) -> Any:
    """The cached parsed data of ``spec``, or None when there is no valid entry."""
    stamp = _stamp(spec)
    if stamp is None:
        return None
    for candidate in cache_paths(spec):
        try:
            with open(candidate, encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and entry.get("stamp") == stamp:
            return entry.get("data")
    return None


def write_cached(spec: Path, data: Any) -> None:
    """Remember the parsed data; any failure (read-only folder, data JSON cannot hold) is ignored."""
    stamp = _stamp(spec)
    if stamp is None:
        return
    try:
        text = json.dumps({"stamp": stamp, "data": data}, ensure_ascii=False)
    except (TypeError, ValueError):
        return  # e.g. a YAML date: such a spec is simply not cached
    if json.loads(text)["data"] != data:
        return  # JSON would change it (a number as a mapping key): not cached, so a warm start loads the same spec
    for candidate in cache_paths(spec):
        try:
            candidate.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = candidate.with_name(f"{candidate.name}.{os.getpid()}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, candidate)  # atomic: a reader never sees half a file
            return
        except (OSError, ValueError):  # ValueError: a path the OS cannot name
            continue

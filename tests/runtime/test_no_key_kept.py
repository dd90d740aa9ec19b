"""After a call returns, nothing the package keeps holds the API key.

The test walks everything reachable from the package's module globals and the attributes of its
classes (caches, the transport and its pools, the registry, the recent-call memory) after calls
that carried distinctive keys in every way a key can come: a parameter, the environment, a
credential header, a command line, a failing call.
"""

from __future__ import annotations

import collections
import gc
import io
import sys
import types
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest

import pyopenai_ps as ps
from pyopenai_ps.secure import SecureString
from pyopenai_ps.server import Fault

PARAMETER_KEY = "sk-proj-KEPTNOWHERE-parameter-0123456789"
ENVIRONMENT_KEY = "sk-proj-KEPTNOWHERE-environment-0123456"
HEADER_KEY = "KEPTNOWHERE-header-secret-0123456789"
LINE_KEY = "sk-proj-KEPTNOWHERE-line-0123456789abcd"
MARK = "KEPTNOWHERE"
#: The facade's settings globals hold what the user put there; these tests never set them.
_USER_SETTINGS = {"OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_ORGANIZATION"}


def _finds(value: Any, seen: set[int], path: str, found: list[str], depth: int = 0) -> None:
    if depth > 14 or id(value) in seen or isinstance(value, (types.ModuleType, type)):
        return
    seen.add(id(value))
    if isinstance(value, str):
        if MARK in value:
            found.append(path)
        return
    if isinstance(value, (bytes, bytearray)):
        if MARK.encode() in value:
            found.append(path)
        return
    if isinstance(value, SecureString):
        if MARK in value.reveal():
            found.append(path)
        return
    if isinstance(value, dict):
        for key, item in list(value.items()):
            _finds(key, seen, f"{path}[key]", found, depth + 1)
            _finds(item, seen, f"{path}[{key!r:.40}]", found, depth + 1)
        return
    if isinstance(value, (list, tuple, set, frozenset, collections.deque)):
        for index, item in enumerate(list(value)):
            _finds(item, seen, f"{path}[{index}]", found, depth + 1)
        return
    if isinstance(value, types.FunctionType):
        for index, cell in enumerate(value.__closure__ or ()):
            try:
                _finds(cell.cell_contents, seen, f"{path}.<closure {index}>", found, depth + 1)
            except ValueError:  # an empty cell
                pass
        _finds(value.__defaults__, seen, f"{path}.__defaults__", found, depth + 1)
        return
    state = getattr(value, "__dict__", None)
    if isinstance(state, dict):
        _finds(state, seen, f"{path}.__dict__", found, depth + 1)
    for cls in type(value).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if isinstance(slot, str) and hasattr(value, slot):
                _finds(getattr(value, slot, None), seen, f"{path}.{slot}", found, depth + 1)


def _kept_anywhere() -> list[str]:
    gc.collect()
    found: list[str] = []
    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("pyopenai_ps") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if name == "pyopenai_ps" and attribute in _USER_SETTINGS:
                continue
            if isinstance(value, type) and value.__module__.startswith("pyopenai_ps"):
                for class_attribute, class_value in list(vars(value).items()):
                    _finds(class_value, seen, f"{name}.{attribute}.{class_attribute}", found)
                continue
            _finds(value, seen, f"{name}.{attribute}", found)
    return found


@pytest.fixture
def keyless(api, monkeypatch):
    """The bundled server, with no key in the globals: each test brings its own."""
    monkeypatch.setattr(ps, "OPENAI_API_KEY", None)
    return api


def test_a_key_given_as_a_parameter_is_kept_nowhere(keyless):
    for _ in range(3):  # repeated calls: the recent-call memory must not keep this one
        assert ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", api_key=PARAMETER_KEY).id
    assert len(ps.get_thread_run("thread_abc123", all=True, api_key=SecureString(PARAMETER_KEY))) == 8
    assert _kept_anywhere() == []


def test_a_key_from_the_environment_is_kept_nowhere(keyless, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", ENVIRONMENT_KEY)
    for _ in range(3):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
    list(ps.get_command("Get-ThreadRun").stream("thread_abc123", all=True))
    monkeypatch.delenv("OPENAI_API_KEY")
    assert _kept_anywhere() == []


def test_credential_headers_and_failing_calls_keep_nothing(keyless, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", ENVIRONMENT_KEY)
    headers = {"X-Api-Key": HEADER_KEY}
    for _ in range(2):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", additional_headers=headers)
    keyless.inject(Fault.status(401, body={"error": {"message": f"bad key {ENVIRONMENT_KEY}"}}))
    with pytest.raises(ps.UnauthorizedError):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
    with pytest.raises(ps.NotFoundError):
        ps.get_thread_run(thread_id="thread_abc123", run_id="run_missing", verbose=True, debug=True)
    monkeypatch.delenv("OPENAI_API_KEY")
    assert _kept_anywhere() == []


def test_lines_and_the_command_line_keep_nothing(keyless, monkeypatch):
    ps.invoke(f"Get-ThreadRun -Thread thread_abc123 -All -ApiKey '{LINE_KEY}' | Get-ThreadRun -ApiKey '{LINE_KEY}'")
    from pyopenai_ps.cli import main

    monkeypatch.setenv("OPENAI_API_BASE", keyless.base_url)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["Get-ThreadRun", "thread_abc123", "-RunId", "run_abc123", "-ApiKey", LINE_KEY, "-Debug"]) == 0
        assert main(["Get-ThreadRun", "thread_abc123", "-RunId", "run_missing", f"-ApiKey:{LINE_KEY}"]) == 1
    assert _kept_anywhere() == []


def test_the_walk_does_find_a_kept_key(keyless):
    """The walker itself: a key planted in a module global, or on a pooled connection, is found."""
    from pyopenai_ps.runtime import invocation
    from pyopenai_ps.runtime.settings import current_transport

    invocation._planted = {"deep": [SecureString(PARAMETER_KEY)]}  # type: ignore[attr-defined]
    try:
        assert _kept_anywhere() == ["pyopenai_ps.runtime.invocation._planted['deep'][0]"]
    finally:
        del invocation._planted  # type: ignore[attr-defined]
    ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123", api_key=PARAMETER_KEY)
    (pool,) = current_transport()._pools.values()
    connection = pool.pool.queue[-1]
    connection.planted = PARAMETER_KEY
    try:
        found = _kept_anywhere()
        assert len(found) == 1 and found[0].endswith("['planted']"), found
    finally:
        del connection.planted

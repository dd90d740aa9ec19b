"""The package's layers, as README's Architecture section draws them, checked on the source.

Imports are read with ``ast`` at any depth: inside functions and under ``if TYPE_CHECKING:`` too,
since an import cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import pyopenai_ps

PACKAGE = Path(pyopenai_ps.__file__).resolve().parent
LAYERS = ("spec", "pslang", "binding", "http", "runtime", "cli", "server")
#: layer -> what it may never import (other layers, or a third-party root such as urllib3)
FORBIDDEN = {
    "spec": {"pslang", "binding", "http", "runtime", "cli", "server", "ext:urllib3"},
    "pslang": {"binding", "http", "runtime", "cli", "server", "ext:urllib3"},
    "binding": {"http", "runtime", "cli", "server", "ext:urllib3"},
    "http": {"spec", "pslang", "binding", "runtime", "cli", "server"},
    "runtime": {"cli", "server"},
    "server": {"spec", "pslang", "binding", "http", "runtime", "cli", "<top>"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["pyopenai_ps", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module of the package (or third-party root) this module imports, anywhere in it."""
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(here[: len(here) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                targets.add(candidate if candidate in MODULES else module)
    resolved = set()
    for target in targets:
        if not target.startswith("pyopenai_ps"):
            resolved.add(target.split(".")[0])
            continue
        while target not in MODULES and "." in target:
            target = target.rsplit(".", 1)[0]
        resolved.add(target)
    return resolved - {name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "pyopenai_ps":
        return "ext:" + parts[0]  # the standard library or a third-party package
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "<top>"


def test_every_layer_is_a_package():
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file(), layer


def test_no_import_cycle_between_modules():
    inner = {m: {t for t in targets if t in MODULES} for m, targets in GRAPH.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(inner[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(inner):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_layer_imports_what_the_table_forbids():
    wrong = []
    for module, targets in GRAPH.items():
        source = _layer(module)
        for target in targets:
            target_layer = _layer(target)
            if target_layer == source:
                continue
            if source == "server" and target in ("pyopenai_ps._version",):
                continue  # the version string is the server's one import from the client
            if target_layer in FORBIDDEN.get(source, set()):
                wrong.append(f"{module} -> {target}")
            if target_layer == "cli" and module != "pyopenai_ps.__main__":
                wrong.append(f"{module} -> {target} (nothing imports the command line)")
    assert wrong == []


def test_no_submodule_imports_the_facade():
    assert [m for m, targets in GRAPH.items() if "pyopenai_ps" in targets and m != "pyopenai_ps"] == []


def test_the_facade_holds_no_code_of_its_own_beyond_the_api():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert classes == []
    assert functions <= set(pyopenai_ps.__all__) | {"__getattr__", "__dir__"}


@pytest.mark.parametrize("module", ["pyopenai_ps.binding", "pyopenai_ps.spec", "pyopenai_ps.pslang", "pyopenai_ps"])
def test_importing_a_lower_layer_leaves_urllib3_unloaded(module):
    code = f"import sys, {module}; print('urllib3' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_no_python_code_names_a_connection_parameter():
    """The fragment's parameters are found by role; code and messages use the names the spec gives."""
    fragment = yaml.safe_load((PACKAGE / "specs" / "_connection.yaml").read_text(encoding="utf-8")) \
        if (PACKAGE / "specs" / "_connection.yaml").exists() \
        else yaml.safe_load((PACKAGE.parent / "specs" / "_connection.yaml").read_text(encoding="utf-8"))
    names = re.compile(r"(?<![\w-])(?:" + "|".join(p["name"] for p in fragment["parameters"]) + r")(?!\w)")
    named = []
    for module, path in MODULES.items():
        if _layer(module) == "server":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if names.search(node.value):
                    named.append(f"{module}:{node.lineno}: {node.value[:60]!r}")
    assert named == []

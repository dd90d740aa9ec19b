"""Hostile spec files: object-building tags never run, alias bombs fail fast, and one broken file in a
specs folder leaves the other cmdlets working (tests/test_spec_loading.py has one tag, one bomb and one
broken neighbour; these are the other shapes and placements)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pyopenai_ps as ps
from pyopenai_ps import SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.runtime.registry import Registry, bundled_specs_dir
from pyopenai_ps.spec.load import load_spec_file

GOOD_SPEC = bundled_specs_dir() / "Get-ThreadRun.yaml"

TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/apply:builtins.open ['{marker}', 'w']",
    "!!python/object/new:subprocess.Popen [[touch, '{marker}']]",
    "!!python/object/apply:subprocess.check_call [[touch, '{marker}']]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:types.SimpleNamespace {{a: 1}}",
    "!!python/tuple [a, b]",
    "!!python/bytes 'AAAA'",
    "!Exec 'touch {marker}'",
]

# Where the tag sits: a scalar field, a parameter default, an operation header, a mapping key, a flow list.
PLACES = {
    "description": lambda base, tag: base.replace("description: >-\n", f"description: {tag}\nnotes: >-\n"),
    "parameter default": lambda base, tag: base.replace("    default: asc\n", f"    default: {tag}\n"),
    "operation header": lambda base, tag: base.replace("    OpenAI-Beta: assistants=v2\n",
                                                       f"    OpenAI-Beta: {tag}\n"),
    "mapping key": lambda base, tag: base + f"\n? {tag}\n: value\n",
    "flow list": lambda base, tag: base.replace("inputs: [System.String,", f"inputs: [{tag}, System.String,"),
}


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("tag", TAGS, ids=range(len(TAGS)))
def test_object_building_tags_are_refused_and_never_run(tmp_path, tag, place):
    marker = tmp_path / "ran"
    text = PLACES[place](GOOD_SPEC.read_text(encoding="utf-8"), tag.format(marker=marker))
    assert text != GOOD_SPEC.read_text(encoding="utf-8")
    path = tmp_path / "Get-ThreadRun.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec_file(path, cache=False)
    assert info.value.file == str(path)
    if place == "description":  # the other two ways in, once per tag
        registry = Registry([tmp_path])  # discovery refuses it the same way, and keeps going
        assert registry.names() == [] and len(registry.errors()) == 1
        with pytest.raises(SpecError):
            ps.load_spec(path)
    assert not marker.exists()


_BOMB_PROGRAM = textwrap.dedent("""
    import json, sys
    from pyopenai_ps import SpecError
    from pyopenai_ps.spec.load import load_spec_file
    results = {}
    for path in sys.argv[1:]:
        try:
            load_spec_file(path, cache=False)
            results[path] = "loaded"
        except SpecError as error:
            results[path] = "SpecError: " + str(error)[:300]
    print(json.dumps(results))
""")


def _nested_anchors(levels: int, width: int, leaf: str) -> str:
    """A flow list defining &x0 .. &x{levels-1}, each level ``width`` references to the one before."""
    items = [f"&x0 {leaf}"] + [f"&x{i} [" + ", ".join([f"*x{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "[" + ", ".join(items) + "]"


def _bombs(tmp_path: Path) -> dict[str, Path]:
    base = GOOD_SPEC.read_text(encoding="utf-8")
    texts = {
        # 9 levels of 9: 81 references, under the alias limit, 9**8 leaves if anyone expanded them
        "laughs in notes": base + "\nnotes: " + _nested_anchors(9, 9, "[lol, lol]") + "\n",
        "laughs as a default": base.replace("    default: asc\n",
                                            "    default: " + _nested_anchors(9, 9, "[lol]") + "\n"),
        "laughs as parameter sets": base.replace("parameter_sets: [Get, List, ListAll]",
                                                 "parameter_sets: " + _nested_anchors(9, 9, "[Get]")),
        "laughs as examples": base.split("\nexamples:\n")[0] + "\nexamples: "
        + _nested_anchors(9, 9, "{title: a, code: b}") + "\n",
        # 20 levels of 10: 190 references, just under the limit: 10**19 leaves
        "wide laughs": base + "\nnotes: " + _nested_anchors(20, 10, "[lol]") + "\n",
        # over the limit: refused while reading
        "300 references": base + "\nnotes: [&a lol, " + ", ".join(["*a"] * 300) + "]\n",
        # merge keys copy pairs: 12 levels of nine merges, 99 references, 9**11 pairs if expanded
        "merge keys": "\n".join(["b0: &b0 {k0: v}"] + [f"b{i}: &b{i} {{<<: [" + ", ".join([f"*b{i - 1}"] * 9)
                                                        + f"], k{i}: v}}" for i in range(1, 12)]) + "\n" + base,
        # the laughs as an operation header's value (str() of it would expand every leaf)
        "laughs as a header": base.replace("    OpenAI-Beta: assistants=v2\n",
                                           "    OpenAI-Beta: " + _nested_anchors(9, 9, "[v]") + "\n"),
    }
    paths = {}
    for i, (name, text) in enumerate(texts.items()):
        path = tmp_path / f"Bomb{i}.yaml"
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # a runaway expansion fails, not the machine


def _load_in_a_child(paths: list[Path], timeout: float) -> dict[str, str]:
    """Load each spec in a child process, killed after ``timeout`` seconds; path -> outcome."""
    package_root = str(Path(ps.__file__).resolve().parent.parent)
    try:
        result = subprocess.run([sys.executable, "-c", _BOMB_PROGRAM, *map(str, paths)], capture_output=True, check=False,
                                text=True, timeout=timeout, preexec_fn=_limit_memory,
                                env={"PYTHONPATH": package_root, "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading the specs did not finish within {timeout} s")
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_alias_bombs_fail_fast_with_a_spec_error(tmp_path):
    """Each bomb is refused with SpecError; the whole lot must finish (time-boxed at 20 s, in a child process
    so a runaway expansion is killed rather than hanging the suite)."""
    bombs = _bombs(tmp_path)
    outcome = _load_in_a_child(list(bombs.values()), timeout=20)
    for name, path in bombs.items():
        assert outcome[str(path)].startswith("SpecError: "), (name, outcome[str(path)])
    assert "alias" in outcome[str(bombs["300 references"])]


@pytest.mark.parametrize("value", ["[assistants, v2]", "{assistants: v2}", "[&a [x, x], *a, *a]", "true"])
def test_a_spec_header_value_must_be_text(tmp_path, value):
    """A list or mapping is never turned into header text (str() of a billion-laughs list would expand it)."""
    path = tmp_path / "Get-ThreadRun.yaml"
    text = GOOD_SPEC.read_text(encoding="utf-8").replace("    OpenAI-Beta: assistants=v2\n",
                                                          f"    OpenAI-Beta: {value}\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError):
        load_spec_file(path, cache=False)


# --- one broken file among good ones ---------------------------------------------------------------------

BROKEN = {
    "Broken-Tag.yaml": "name: Broken-Tag\nparameters: []\nnotes: !!python/object/apply:os.system ['true']\n",
    "Broken-Bomb.yaml": "a: &a [x]\nb: [" + ", ".join(["*a"] * 500) + "]\nname: Broken-Bomb\nparameters: []\n",
    "Broken-Syntax.yaml": "name: [unclosed\nparameters: {\n",
    "Broken-Typo.yaml": "name: Broken-Typo\nparameters:\n  - {name: X, type: String, positon: 0}\n",
    "Broken-Empty.yaml": "",
    "Broken-List.yaml": "- a\n- b\n",
    "Broken-Type.yaml": "name: Broken-Type\nparameters:\n  - {name: X, type: NoSuchType}\n",
    "Broken-Operation.yaml": "name: Broken-Operation\nparameters: []\noperation: {sets: {Nope: {path: /x}}}\n",
}


@pytest.fixture
def folder(tmp_path):
    """A specs folder: a copy of Get-ThreadRun.yaml among broken files of every kind."""
    (tmp_path / "Get-ThreadRun.yaml").write_text(GOOD_SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "Broken-Binary.yaml").write_bytes(b"\xff\xfe\x00\x80garbage")
    (tmp_path / "Broken-Dir.yaml").mkdir()
    return tmp_path


def test_a_broken_file_leaves_the_other_cmdlets_working(api, folder):
    registry = Registry([folder], factory=Command)
    assert registry.names() == ["Get-ThreadRun"]
    errors = registry.errors()
    assert len(errors) == len(BROKEN) + 2 and all(isinstance(e, SpecError) for e in errors)
    assert sorted(Path(e.file).name for e in errors) == sorted([*BROKEN, "Broken-Binary.yaml", "Broken-Dir.yaml"])
    for name in ("Broken-Tag", "Broken-Bomb", "Broken-Typo", "Broken-Type"):
        with pytest.raises(SpecError):
            registry.get(name)
    command = registry.get("Get-ThreadRun")
    assert isinstance(command, Command)
    # the help's two examples, run from this registry's command against the server
    run = command(thread_id="thread_abc123", run_id="run_abc123")
    assert run.id == "run_abc123" and run.type_names[0] == "PSOpenAI.Thread.Run"
    runs = command("thread_abc123", all=True)
    assert [r.id for r in runs] == [f"run_abc1{n}" for n in range(16, 24)]
    assert [r.target for r in api.requests] == [
        "/v1/threads/thread_abc123/runs/run_abc123", "/v1/threads/thread_abc123/runs?limit=100&order=asc"]


DEEP = "name: Broken-Deep\nparameters: []\nnotes: " + "[" * 1000 + "]" * 1000 + "\n"
def test_deeply_nested_yaml_is_a_spec_error(tmp_path):
    path = tmp_path / "Broken-Deep.yaml"
    path.write_text(DEEP, encoding="utf-8")
    with pytest.raises(SpecError):
        load_spec_file(path, cache=False)


def test_deeply_nested_yaml_does_not_stop_the_other_cmdlets(folder):
    (folder / "Broken-Deep.yaml").write_text(DEEP, encoding="utf-8")
    registry = Registry([folder], factory=Command)
    assert registry.names() == ["Get-ThreadRun"]
    assert any(Path(e.file).name == "Broken-Deep.yaml" for e in registry.errors())

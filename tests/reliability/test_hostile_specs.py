"""Hostile specs the alias count let through: few aliases that expand to billions of nodes, duplicate
keys, and a plain large spec the merge-key counter refused."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pyopenai_ps as ps
from pyopenai_ps import SpecError
from pyopenai_ps.runtime.registry import bundled_specs_dir
from pyopenai_ps.spec import yamlsafe
from pyopenai_ps.spec.load import load_spec_file

GOOD_SPEC = bundled_specs_dir() / "Get-ThreadRun.yaml"


def doubling(levels: int, leaf: str = "x") -> str:
    """A flow list of anchors, each a list of two references to the one before: 2**levels leaves
    from 2 * levels references."""
    items = [f"&d0 [{leaf}, {leaf}]"] + [f"&d{i} [*d{i - 1}, *d{i - 1}]" for i in range(1, levels)]
    return "[" + ", ".join(items) + "]"


def with_parameter(line: str) -> str:
    """Get-ThreadRun's spec with one more parameter, written as ``line`` (a flow mapping)."""
    base = GOOD_SPEC.read_text(encoding="utf-8")
    marker = "parameters:\n"
    at = base.index(marker) + len(marker)
    return base[:at] + f"  - {line}\n" + base[at:]


_LOAD_PROGRAM = textwrap.dedent("""
    import json, sys
    from pyopenai_ps import SpecError
    from pyopenai_ps.spec.load import load_spec_file
    from pyopenai_ps.spec.syntax import help_text
    results = {}
    for path in sys.argv[1:]:
        try:
            spec = load_spec_file(path, cache=True)  # the cache is written: every value is walked
            repr(spec), help_text(spec)
            results[path] = "loaded"
        except SpecError as error:
            results[path] = "SpecError: " + str(error)[:300]
    print(json.dumps(results))
""")


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def load_in_a_child(paths: list[Path], tmp_path: Path, timeout: float = 20) -> dict[str, str]:
    package_root = str(Path(ps.__file__).resolve().parent.parent)
    env = {"PYTHONPATH": package_root, "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    try:
        done = subprocess.run([sys.executable, "-c", _LOAD_PROGRAM, *map(str, paths)], capture_output=True,
                              text=True, timeout=timeout, preexec_fn=_limit_memory, env=env, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading the specs did not finish within {timeout} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_few_aliases_that_expand_to_a_billion_leaves_are_refused_fast(tmp_path):
    texts = {
        "default of 2**30 (58 references)": with_parameter("{name: Bomb, type: Object, default: " + doubling(30) + "}"),
        "help of 2**25": GOOD_SPEC.read_text(encoding="utf-8") + "\nnotes: " + doubling(25) + "\n",
        "nested mappings": "a: &m0 {k: v, w: v}\n" + "".join(
            f"a{i}: &m{i} {{l: *m{i - 1}, r: *m{i - 1}}}\n" for i in range(1, 28))
        + GOOD_SPEC.read_text(encoding="utf-8"),
    }
    paths = []
    for number, text in enumerate(texts.values()):
        path = tmp_path / f"Bomb{number}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    good = tmp_path / "Get-ThreadRun.yaml"
    good.write_text(GOOD_SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    outcome = load_in_a_child([*paths, good], tmp_path)  # time-boxed and memory-capped
    for name, path in zip(texts, paths):
        assert outcome[str(path)].startswith("SpecError: "), (name, outcome[str(path)])
        assert "expand" in outcome[str(path)], name
    assert outcome[str(good)] == "loaded"  # the specs after the bombs load as ever


def test_sharing_within_the_limit_still_loads(tmp_path):
    path = tmp_path / "Get-ThreadRun.yaml"
    path.write_text(with_parameter("{name: Shared, type: Object, default: " + doubling(8) + "}"), encoding="utf-8")
    spec = load_spec_file(path, cache=False)
    assert len(json.dumps(spec.parameter("Shared").default)) > 256


def test_recursive_aliases_are_refused(tmp_path):
    path = tmp_path / "Get-ThreadRun.yaml"
    path.write_text(GOOD_SPEC.read_text(encoding="utf-8") + "\nnotes: &loop [a, *loop]\n", encoding="utf-8")
    with pytest.raises(SpecError):
        load_spec_file(path, cache=False)


@pytest.mark.parametrize("line, key", [
    ("{name: Twice, type: String, mandatory: true, mandatory: false}", "mandatory"),
    ("{name: Twice, name: Again, type: String}", "name"),
])
def test_duplicate_keys_are_refused(tmp_path, line, key):
    path = tmp_path / "Get-ThreadRun.yaml"
    path.write_text(with_parameter(line), encoding="utf-8")
    with pytest.raises(SpecError, match=f"'{key}'") as info:
        load_spec_file(path, cache=False)
    assert "more than once" in str(info.value) and info.value.file == str(path)


def test_a_duplicate_top_level_key_is_refused(tmp_path):
    path = tmp_path / "Get-ThreadRun.yaml"
    path.write_text(GOOD_SPEC.read_text(encoding="utf-8") + "\nsynopsis: Again.\n", encoding="utf-8")
    with pytest.raises(SpecError, match="'synopsis'"):
        load_spec_file(path, cache=False)


def test_a_merge_key_may_be_overridden_by_the_mapping_itself(tmp_path):
    """Not a duplicate: YAML merge keys give defaults that the mapping's own keys replace."""
    path = tmp_path / "Get-ThreadRun.yaml"
    path.write_text(with_parameter("{<<: {type: String, help: Shared help.}, name: Merged, help: Its own help.}"),
                    encoding="utf-8")
    spec = load_spec_file(path, cache=False)
    assert spec.parameter("Merged").help == "Its own help."


def test_a_plain_spec_with_5000_parameters_loads(tmp_path):
    lines = ["name: Get-Many", "parameters:"] + [f"  - {{name: P{n:04d}, type: String}}" for n in range(5000)]
    path = tmp_path / "Get-Many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = load_spec_file(path, cache=False)
    assert len(spec.parameters) == 5000


def test_merge_keys_are_counted_by_what_they_copy():
    many_merges = "\n".join([f"m{i}: {{<<: {{a: 1, b: 2}}, c: 3}}" for i in range(yamlsafe.MAX_MERGED_PAIRS // 2 + 1)])
    with pytest.raises(SpecError, match="merge"):
        yamlsafe.parse_yaml(many_merges, "merges.yaml")
    yamlsafe.parse_yaml("\n".join(f"k{i}: {{a: 1, b: 2, c: 3}}" for i in range(5000)), "plain.yaml")

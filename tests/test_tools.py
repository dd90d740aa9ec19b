"""The spec tools, run as a developer runs them: ``python tools/<tool>.py ...`` from the checkout."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pyopenai_ps.runtime.command import Command
from pyopenai_ps.pslang.parser import parse_line
from pyopenai_ps.spec import ALL_SETS
from pyopenai_ps.spec.load import load_spec_file

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
FIXTURES = Path(__file__).parent / "fixtures" / "help"
REFERENCE = ROOT.parent / "shared" / "reference" / "psopenai-3.7.0" / "Docs"

pytestmark = pytest.mark.skipif(not (TOOLS / "md2spec.py").is_file(), reason="tools/ is not beside tests/")


def run(tool: str, *args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOLS / tool), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def syntax_of(markdown: str) -> str:
    match = re.search(r"^## SYNTAX\n(.*?)^## ", markdown.replace("\r\n", "\n"), re.S | re.M)
    assert match, "no SYNTAX section"
    return match.group(1).strip("\n")


GOOD_FIXTURES = ["Get-Gadget.md", "New-Gizmo.md", "Test-Layout.md"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("specs")
    result = run("md2spec.py", *(FIXTURES / name for name in GOOD_FIXTURES), "-o", out)
    return out, result


def test_md2spec_converts_the_fixtures(converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, result = converted
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.yaml")) == ["Get-Gadget.yaml", "New-Gizmo.yaml", "Test-Layout.yaml"]
    for path in out.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "operation:" not in text
        load_spec_file(path)


def test_md2spec_reads_sets_membership_and_positions(converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    spec = load_spec_file(converted[0] / "Get-Gadget.yaml")
    assert spec.parameter_sets == ("ById", "List", "ListAll")
    assert spec.default_parameter_set == "ById"  # "### ById (Default)"
    identifier = spec.parameter("Id")
    assert [(m.set_name, m.mandatory, m.position) for m in identifier.membership] == [("ById", True, 0)]
    assert (identifier.membership[0].by_value, identifier.membership[0].by_property_name) == (True, True)
    assert identifier.aliases == ("gadget_id",)
    assert [(m.set_name, m.position) for m in spec.parameter("Filter").membership] == [("List", 0), ("ListAll", 0)]
    assert [(m.set_name, m.mandatory) for m in spec.parameter("Mode").membership] == [("List", True)]
    assert [(m.set_name, m.mandatory) for m in spec.parameter("All").membership] == [("ListAll", True)]
    assert spec.parameter("All").type == "SwitchParameter"
    assert spec.parameter("Tag").type == "String[]" and spec.parameter("Tag").aliases == ("Tags",)
    assert spec.parameter("ApiBase").type == "Uri"
    assert spec.parameter("ApiBase").default == "https://api.example.test/v1"
    assert len(spec.parameter("TimeoutSec").membership) == 3 and spec.parameter("TimeoutSec").in_all_sets


def test_md2spec_keeps_undisplayed_parameters_hidden(converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    cursor = load_spec_file(converted[0] / "Get-Gadget.yaml").parameter("Cursor")
    assert cursor.hidden
    assert [m.set_name for m in cursor.membership] == ["ListAll"]


def test_md2spec_validators_from_the_help(converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    gadget = load_spec_file(converted[0] / "Get-Gadget.yaml")
    assert gadget.parameter("Detail").accepted_values == ("brief", "full")
    assert gadget.parameter("Detail").default == "brief"
    assert gadget.parameter("Limit").range == (1, 100)  # "can range between 1 and 100"
    assert gadget.parameter("TimeoutSec").range == (0, 600)  # "Number between `0` and `600`"
    gizmo = load_spec_file(converted[0] / "New-Gizmo.yaml")
    assert gizmo.parameter("Size").range == (0.5, 10)  # "from 0.5 to 10"
    assert gizmo.parameter("Retries").range is None  # two ranges named: ambiguous, none taken


def test_md2spec_text_examples_and_links(converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    spec = load_spec_file(converted[0] / "Get-Gadget.yaml")
    assert spec.synopsis == "Gets one gadget, or lists gadgets."
    assert spec.description.startswith("Gets a gadget by its id")
    assert spec.parameter("Id").help == "The id of the gadget."
    assert [e.title for e in spec.examples][:2] == ["Example 1: One gadget", "Example 2: A listing"]
    assert spec.examples[0].code == "Get-Gadget -Id 'gdg_123' -Detail full"  # the prompt is dropped
    assert spec.examples[2].code == "Get-Gadget -All -Tag a,b"
    assert "blue one" in spec.examples[1].remarks and "Lists five blue gadgets" in spec.examples[1].remarks
    assert [(link.uri, link.title) for link in spec.links] == [
        ("https://example.test/docs/gadgets", "Gadget docs"),
        ("https://example.test/api", ""),
    ]
    assert spec.inputs == ("System.String",) and spec.outputs == ("Gadgets.Gadget",)
    assert spec.notes == "Gadgets are made up for the tests."


def test_md2spec_reads_the_one_line_layout(converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, result = converted
    spec = load_spec_file(out / "Test-Layout.yaml")
    assert spec.parameter_sets == ("Path", "Literal")
    assert [(m.set_name, m.mandatory, m.position) for m in spec.parameter("Path").membership] == [("Path", True, 0)]
    assert spec.parameter("Payload").type == "Object"  # a type no spec knows
    assert spec.parameter("Flavor").type == "OpenAIApiType"  # one with accepted values: an enum of the spec
    assert spec.enums["OpenAIApiType"].names == ("OpenAI", "Azure")
    assert Command(spec).bind("x", flavor="azure").bound["Flavor"] == "Azure"
    text = (out / "Test-Layout.yaml").read_text(encoding="utf-8")
    assert "# the help's type Custom.Payload is not supported; Object takes its place" in text
    assert "# the help writes the type as System.Uri" in text
    assert "SYNTAX does not round-trip exactly" in result.stderr


def test_md2spec_without_a_default_marker_sets_no_default(tmp_path: Path) -> None:
    source = (FIXTURES / "Get-Gadget.md").read_text(encoding="utf-8").replace("### ById (Default)", "### ById")
    (tmp_path / "Get-Gadget.md").write_text(source, encoding="utf-8")
    assert run("md2spec.py", tmp_path / "Get-Gadget.md", "-o", tmp_path / "out").returncode == 0
    text = (tmp_path / "out" / "Get-Gadget.yaml").read_text(encoding="utf-8")
    assert "# the help does not say which set is the default (the first is ById)" in text
    spec = load_spec_file(tmp_path / "out" / "Get-Gadget.yaml")
    assert spec.default_parameter_set is None
    assert Command(spec).bind("blue", mode="fast").parameter_set == "List"


def test_md2spec_reads_crlf_help_alike(tmp_path: Path, converted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    crlf = (FIXTURES / "Get-Gadget.md").read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "Get-Gadget.md").write_bytes(crlf)
    assert run("md2spec.py", tmp_path / "Get-Gadget.md", "-o", tmp_path / "out").returncode == 0
    lf = (converted[0] / "Get-Gadget.yaml").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "Get-Gadget.yaml").read_text(encoding="utf-8") == lf


def test_md2spec_fails_a_broken_file_but_converts_the_rest(tmp_path: Path) -> None:
    result = run("md2spec.py", FIXTURES / "Broken-Syntax.md", FIXTURES / "New-Gizmo.md", "-o", tmp_path)
    assert result.returncode == 1
    assert "Broken-Syntax.md: error: cannot read the SYNTAX of Broken-Syntax" in result.stderr
    assert [p.name for p in tmp_path.glob("*.yaml")] == ["New-Gizmo.yaml"]
    assert "1 of 2 converted" in result.stdout


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("md2spec.py", FIXTURES / "New-Gizmo.md").returncode == 2  # no -o
    assert run("spec2md.py").returncode == 2
    assert run("lint_specs.py", "--no-such-option").returncode == 2


@pytest.mark.parametrize("fixture", ["Get-Gadget.md", "New-Gizmo.md"])
def test_round_trip_reproduces_the_syntax(
    tmp_path: Path, fixture: str, converted: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    spec_path = converted[0] / fixture.replace(".md", ".yaml")
    result = run("spec2md.py", spec_path, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / fixture).read_text(encoding="utf-8")
    assert "\r" not in written
    assert syntax_of(written) == syntax_of((FIXTURES / fixture).read_text(encoding="utf-8"))


def test_spec2md_then_md2spec_of_the_shipped_spec_binds_the_same(tmp_path: Path) -> None:
    shipped = ROOT / "specs" / "Get-ThreadRun.yaml"
    assert run("spec2md.py", shipped, "-o", tmp_path / "md").returncode == 0
    help_file = tmp_path / "md" / "Get-ThreadRun.md"
    text = help_file.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "schema: 2.0.0" in text
    assert "### -After" in text  # hidden: documented, not in SYNTAX
    assert "-After" not in syntax_of(text)
    result = run("md2spec.py", help_file, "-o", tmp_path / "specs")
    assert result.returncode == 0, result.stderr
    assert "round-trip" not in result.stderr
    original, again = load_spec_file(shipped), load_spec_file(tmp_path / "specs" / "Get-ThreadRun.yaml")
    assert again.parameter("After").hidden and again.parameter("Limit").range == (1, 100)
    lines = [example.code for example in original.examples] + [
        "Get-ThreadRun -Thread thread_a",
        "Get-ThreadRun thread_a -Limit 5 -Order desc",
        "Get-ThreadRun -thread_id thread_a -run_id run_1 -TimeoutSec 3",
        "Get-ThreadRun thread_a -All -Order asc",
    ]
    for line in lines:
        call = parse_line(line).commands[0]
        first, second = Command(original).bind(*call.arguments), Command(again).bind(*call.arguments)
        assert (first.parameter_set, dict(first.bound)) == (second.parameter_set, dict(second.bound)), line
    # and the help made from the converted spec has the same SYNTAX again
    assert run("spec2md.py", tmp_path / "specs" / "Get-ThreadRun.yaml", "-o", tmp_path / "md2").returncode == 0
    assert syntax_of((tmp_path / "md2" / "Get-ThreadRun.md").read_text(encoding="utf-8")) == syntax_of(text)


def test_spec2md_fails_on_a_broken_spec(tmp_path: Path) -> None:
    (tmp_path / "Bad.yaml").write_text("name: Bad-Spec\nparameters:\n  - {name: A, type: Nope}\n", encoding="utf-8")
    result = run("spec2md.py", tmp_path / "Bad.yaml", ROOT / "specs" / "Get-ThreadRun.yaml", "-o", tmp_path / "md")
    assert result.returncode == 1
    assert "unknown type 'Nope'" in result.stderr
    assert (tmp_path / "md" / "Get-ThreadRun.md").is_file()


# --- stubgen ------------------------------------------------------------------------------------


def test_committed_stub_is_up_to_date_with_specs() -> None:
    result = run("stubgen.py", "--check")
    assert result.returncode == 0, result.stderr + "\nRun: python tools/stubgen.py"


def test_stubgen_check_fails_on_a_stale_stub(tmp_path: Path) -> None:
    stale = tmp_path / "__init__.pyi"
    stale.write_text((ROOT / "pyopenai_ps" / "__init__.pyi").read_text(encoding="utf-8") + "# edited\n")
    result = run("stubgen.py", "--check", "-o", stale)
    assert result.returncode == 1
    assert "out of date" in result.stderr


def test_stub_covers_the_api_and_every_spec(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(ROOT / "specs" / "Get-ThreadRun.yaml", specs)
    (specs / "New-Gizmo.yaml").write_text(
        textwrap.dedent(
            """\
            name: New-Gizmo
            parameters:
              - {name: Name, type: String, position: 0, mandatory: true, aliases: [n]}
              - {name: Size, type: Double}
            """
        )
    )
    assert run("stubgen.py", "--specs", specs, "-o", tmp_path / "stub.pyi").returncode == 0
    stub = (tmp_path / "stub.pyi").read_text(encoding="utf-8")
    compile(stub, "stub.pyi", "exec")
    for name in ("get_command", "get_commands", "load_spec", "spec_errors", "bind", "invoke"):
        assert f"\ndef {name}(" in stub
    for name in ("SecureString", "ParameterBindingError", "SpecError", "__version__"):
        assert f"{name} as {name}" in stub
    # the name by position or as a keyword, snake_case or as written, and the alias as a keyword of its own
    assert ("def new_gizmo(\n    name: str | None = ...,\n    *,\n    Name: str | None = ...,\n"
            "    n: str | None = ...,\n    size: float | None = ...,\n    Size: float | None = ...,") in stub
    assert stub.count("def get_thread_run(") >= 3 and "@overload" in stub
    assert "    order: str | None = ...," in stub  # no Literal of accepted values: short messages
    assert "Literal['asc'" not in stub and "Literal['SilentlyContinue'" not in stub
    assert "    run_id: str,\n" in stub and "    RunId: str,\n" in stub  # the set-selecting parameter, required
    assert "    all: bool,\n" in stub and "    all: Literal[False] | None = ...," in stub
    assert ") -> PSObject: ..." in stub and ") -> list[PSObject]: ..." in stub


def test_stub_resolves_overloads_with_mypy(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    sample = tmp_path / "sample.py"
    sample.write_text(
        textwrap.dedent(
            """\
            import pyopenai_ps as ps
            reveal_type(ps.get_thread_run(thread_id="t", run_id="r"))
            reveal_type(ps.get_thread_run("thread_a"))
            reveal_type(ps.get_thread_run("thread_a", all=True, verbose=True))
            ps.get_thread_run("thread_a", limit="5")
            reveal_type(ps.get_thread_run(RunId="r", Thread="t"))
            want_all: bool = True
            reveal_type(ps.get_thread_run("thread_a", all=want_all))
            reveal_type(ps.get_thread_run("thread_a", all=False, limit=1))
            ps.get_thread_run("thread_a", all=True, limit=5)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--python-version", "3.11",
         "--cache-dir", str(tmp_path / "cache"), str(sample)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    out = result.stdout
    assert 'sample.py:2: note: Revealed type is "pyopenai_ps.runtime.output.PSObject"' in out, out
    assert 'sample.py:3: note: Revealed type is "builtins.list[pyopenai_ps.runtime.output.PSObject]"' in out or (
        'sample.py:3: note: Revealed type is "list[pyopenai_ps.runtime.output.PSObject]"' in out
    ), out
    assert re.search(r"sample\.py:4: note: Revealed type is \"(builtins\.)?list\[pyopenai_ps\.runtime\.output\.PSObject\]\"", out)
    assert "sample.py:5: error: No overload variant" in out
    assert "__init__.pyi" not in out
    # the canonical names are keywords too, a bool variable selects a set, a False switch is "not given"
    assert 'sample.py:6: note: Revealed type is "pyopenai_ps.runtime.output.PSObject"' in out, out
    for line in (8, 9):
        assert re.search(rf"sample\.py:{line}: note: Revealed type is \"(builtins\.)?list\[pyopenai_ps\.runtime\.output\.PSObject\]\"", out), out
    assert "sample.py:10: error: No overload variant" in out  # -All and -Limit are in no common set
    # one wrong-typed argument: a short list of overloads without lists of accepted values
    message = [line for line in out.splitlines() if "sample.py:5:" in line]
    variants = [line for line in message if "sample.py:5: note:     def " in line]
    assert 0 < len(variants) <= 8, len(variants)
    assert "Literal['" not in "\n".join(message)
    assert max(len(line) for line in variants) < 2000  # mypy spells out **common: 3.7.0's 11 connection parameters, twice


# --- lint_specs ---------------------------------------------------------------------------------


def test_lint_passes_the_shipped_specs() -> None:
    result = run("lint_specs.py")
    assert result.returncode == 0, result.stdout
    assert "0 error(s)" in result.stderr


def test_lint_names_the_problems_of_a_broken_spec_dir(tmp_path: Path) -> None:
    (tmp_path / "Typo.yaml").write_text(
        "name: Get-Typo\nparameters:\n  - {name: A, type: String, positon: 0}\n", encoding="utf-8"
    )
    shipped = (ROOT / "specs" / "Get-ThreadRun.yaml").read_text(encoding="utf-8")
    bad_example = shipped.replace("code: Get-ThreadRun -Thread 'thread_abc123' -All",
                                  "code: Get-ThreadRun -Thread 'thread_abc123' -All -Limit 5")
    bad_example = re.sub(r"help: How many runs one page holds.*", 'help: ""', bad_example)
    (tmp_path / "Get-ThreadRun.yaml").write_text(bad_example, encoding="utf-8")
    result = run("lint_specs.py", tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    typo = f"{tmp_path / 'Typo.yaml'}: A: positon: error: unknown key in a parameter (did you mean 'position'?)"
    assert typo in lines
    path = tmp_path / "Get-ThreadRun.yaml"
    assert any(line.startswith(f"{path}: -: examples[2]: error: does not bind: ParameterBindingError") for line in lines)
    assert f"{path}: Limit: help: warning: a visible parameter without help text" in lines


def test_lint_missing_operation_and_help(tmp_path: Path) -> None:
    (tmp_path / "Get-Bare.yaml").write_text(
        textwrap.dedent(
            """\
            name: Get-Bare
            parameters:
              - {name: Id, type: String, position: 0}
              - {name: Secret, type: String, hidden: true}
            examples:
              - {code: "Get-Bare 'x'"}
              - {title: Two, code: "$a = 1; Get-Bare $a"}
            """
        ),
        encoding="utf-8",
    )
    path = tmp_path / "Get-Bare.yaml"
    result = run("lint_specs.py", tmp_path)
    assert result.returncode == 1
    assert f"{path}: -: operation: error: no operation section: the cmdlet cannot run" in result.stdout
    assert f"{path}: -: synopsis: warning: no synopsis" in result.stdout
    assert f"{path}: Id: help: warning: a visible parameter without help text" in result.stdout
    assert "Secret" not in result.stdout
    assert run("lint_specs.py", tmp_path, "--allow-no-operation").returncode == 0
    assert run("lint_specs.py", tmp_path, "--allow-no-operation", "--strict").returncode == 1


# --- the reference help of PSOpenAI 3.7.0 ---------------------------------------------------------


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the reference help is not here")
def test_reference_help_converts_and_round_trips(tmp_path: Path) -> None:
    docs = sorted(REFERENCE.glob("*.md"))
    result = run("md2spec.py", *docs, "-o", tmp_path / "specs")
    assert result.returncode == 0, result.stderr
    specs = sorted((tmp_path / "specs").glob("*.yaml"))
    assert len(specs) == len(docs)
    for path in specs:
        load_spec_file(path)
    assert run("spec2md.py", *specs, "-o", tmp_path / "md").returncode == 0
    exact = 0
    for doc in docs:
        original = syntax_of(doc.read_text(encoding="utf-8-sig"))
        again = syntax_of((tmp_path / "md" / doc.name).read_text(encoding="utf-8"))
        warned = f"{doc}: warning: SYNTAX does not round-trip exactly" in result.stderr
        assert (original == again) != warned, doc.name  # md2spec says which ones cannot round-trip
        exact += original == again
    assert exact >= len(docs) // 2
    gtr = load_spec_file(tmp_path / "specs" / "Get-ThreadRun.yaml")
    assert gtr.parameter_sets == ("Get", "List", "ListAll") and gtr.parameter_sets != (ALL_SETS,)

"""Spec files: what loads, what is refused (SpecError naming file, parameter and field), discovery."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import pyopenai_ps
from pyopenai_ps import SpecError
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.runtime.registry import Registry, bundled_specs_dir
from pyopenai_ps.spec import ALL_SETS, function_name_for
from pyopenai_ps.spec.load import load_spec_file, load_spec_text

GOOD = """\
name: Test-Thing
parameter_sets: [A, B]
default_parameter_set: A
parameters:
  - name: First
    type: String
    position: 0
    sets: [A]
  - name: Second
    type: Int32
    sets:
      B: {mandatory: true, position: 0}
"""


def write(tmp_path: Path, text: str, name: str = "Test-Thing.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> SpecError:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec_file(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    return info.value


class TestRefused:
    def test_typo_in_a_parameter_key_is_named(self, tmp_path):
        err = refused(tmp_path, GOOD.replace("    position: 0\n", "    positon: 0\n"))
        assert err.parameter == "First" and err.field == "positon"
        assert "did you mean 'position'" in str(err)

    def test_unknown_top_level_key(self, tmp_path):
        err = refused(tmp_path, GOOD + "synopsys: x\n")
        assert err.field == "synopsys" and err.parameter is None

    def test_wrong_type(self, tmp_path):
        err = refused(tmp_path, GOOD.replace("position: 0\n    sets: [A]", "position: zero\n    sets: [A]"))
        assert err.parameter == "First" and err.field == "position"

    def test_boolean_is_not_an_integer(self, tmp_path):
        err = refused(tmp_path, GOOD.replace("position: 0\n    sets: [A]", "position: true\n    sets: [A]"))
        assert err.field == "position"

    def test_undeclared_set(self, tmp_path):
        err = refused(tmp_path, GOOD.replace("sets: [A]", "sets: [C]"))
        assert err.parameter == "First" and err.field == "sets" and "'C'" in str(err)

    def test_two_parameters_on_one_position_load(self, tmp_path):
        # PowerShell defines such a function without complaint (issue 13 item 11; refused before):
        # only a positional argument that needs the position fails.
        text = GOOD + "  - {name: Third, type: String, position: 0, sets: [A]}\n"
        command = Command(load_spec_file(write(tmp_path, text)))
        assert command.bind(First="x").bound == {"First": "x"}
        assert command.bind(First="x", Third="y").parameter_set == "A"
        with pytest.raises(pyopenai_ps.ParameterBindingError) as info:
            command.bind("x")
        assert info.value.error_id == "AmbiguousPositionalParameterNoName"
        assert set(info.value.parameters) == {"First", "Third"}
        # once one of the two is named, the other holds the position alone
        assert command.bind("y", first="x").bound == {"First": "x", "Third": "y"}

    def test_alias_clashing_with_a_parameter(self, tmp_path):
        err = refused(tmp_path, GOOD + "  - {name: Third, type: String, aliases: [first]}\n")
        assert err.parameter == "Third" and err.field == "aliases"

    def test_alias_clashing_with_a_common_parameter(self, tmp_path):
        err = refused(tmp_path, GOOD + "  - {name: Third, type: String, aliases: [vb]}\n")
        assert "common parameter" in str(err)

    def test_duplicate_parameter(self, tmp_path):
        err = refused(tmp_path, GOOD + "  - {name: first, type: String}\n")
        assert err.parameter == "first"

    @pytest.mark.parametrize("field, text", [
        ("type", "  - {name: Third, type: Int33}\n"),
        ("validate", "  - {name: Third, type: String, validate: {looks_fine: true}}\n"),
        ("transform", "  - {name: Third, type: String, transform: [shout]}\n"),
        ("validate", "  - {name: Third, type: Int32, validate: {range: [5, 1]}}\n"),
        ("validate", "  - {name: Third, type: String, validate: {pattern: '('}}\n"),
        ("default", "  - {name: Third, type: Int32, default: many}\n"),
        ("pipeline", "  - {name: Third, type: Int32, pipeline: [ByMagic]}\n"),
        # what PowerShell's attribute constructors refuse (issue 13 item 12)
        ("validate", "  - {name: Third, type: 'String[]', validate: {count: [-1, 2]}}\n"),
        ("validate", "  - {name: Third, type: 'String[]', validate: {count: [0, 0]}}\n"),
        ("validate", "  - {name: Third, type: String, validate: {length: [-1, 2]}}\n"),
        ("validate", "  - {name: Third, type: Int32, validate: {range: Non}}\n"),
        ("validate", "  - {name: Third, type: Int32, validate: {range: xPositive}}\n"),
        ("validate", "  - {name: Third, type: String, validate: {not_null_or_white_space: 1}}\n"),
        ("remaining_arguments", "  - {name: Third, type: 'Object[]', remaining_arguments: yes please}\n"),
        ("remaining_arguments", "  - {name: Third, type: 'Object[]', sets: {A: {remaining_arguments: 1}}}\n"),
        ("false_binds", "  - {name: Third, type: Int32, false_binds: true}\n"),
    ])
    def test_unknown_names_and_bad_arguments(self, tmp_path, field, text):
        err = refused(tmp_path, GOOD + text)
        assert err.parameter == "Third" and err.field == field

    def test_unknown_validator_suggests_the_closest(self, tmp_path):
        err = refused(tmp_path, GOOD + "  - {name: Third, type: String, validate: {not_null_or_whitespace: true}}\n")
        assert "did you mean 'not_null_or_white_space'" in str(err)

    def test_more_than_32_parameter_sets(self, tmp_path):
        def many(count: int) -> str:
            names = ", ".join(f"S{i}" for i in range(count))
            lines = "".join(f"  - {{name: P{i}, type: String, sets: [S{i}]}}\n" for i in range(count))
            return f"name: Test-Thing\nparameter_sets: [{names}]\nparameters:\n{lines}"

        err = refused(tmp_path, many(33))
        assert err.field == "parameter_sets" and "at most 32" in str(err)
        spec = load_spec_file(write(tmp_path, many(32)))
        assert len(spec.parameter_sets) == 32

    @pytest.mark.parametrize("enums, text", [
        ("{Level: {values: {Low: 1}, flags: maybe}}", "flags takes true or false"),
        ("{Level: {values: [Low, High]}}", "values maps each name"),
        ("{Level: [Low, low]}", "repeats a name"),
        ("{String: [A]}", "would hide the built-in type"),
    ])
    def test_bad_enums(self, tmp_path, enums, text):
        err = refused(tmp_path, GOOD + f"enums: {enums}\n")
        assert err.field == "enums" and text in str(err)

    def test_default_set_must_be_declared(self, tmp_path):
        err = refused(tmp_path, GOOD.replace("default_parameter_set: A", "default_parameter_set: Z"))
        assert err.field == "default_parameter_set"

    def test_operation_for_an_undeclared_set(self, tmp_path):
        err = refused(tmp_path, GOOD + "operation:\n  sets:\n    Z: {method: GET, path: /x}\n")
        assert err.field == "operation.sets" and "'Z'" in str(err)

    @pytest.mark.parametrize("body, field", [
        ("  sets:\n    A: {path: '/x/{missing}'}\n", "operation.sets.A.path"),
        ("  sets:\n    A: {path: x}\n", "operation.sets.A.path"),
        ("  sets:\n    A: {path: /x, returns: many}\n", "operation.sets.A.returns"),
        ("  sets:\n    A: {path: /x, query: {q: {parameter: Nope}}}\n", "operation.sets.A.query.q"),
        ("  sets:\n    A: {path: /x, redirect: {to: B}}\n", "operation.sets.A.redirect"),
        ("  sets:\n    A: {path: /x, methd: GET}\n", "operation.sets.A"),
        ("  headers: {X-Bad: \"a\\r\\nb\"}\n", "operation.headers"),
    ])
    def test_bad_operations(self, tmp_path, body, field):
        err = refused(tmp_path, GOOD + "operation:\n" + body)
        assert err.field == field

    def test_missing_required_keys(self, tmp_path):
        assert refused(tmp_path, "name: Test-Thing\n").field == "parameters"
        assert refused(tmp_path, "parameters: []\n").field == "name"

    def test_not_a_mapping(self, tmp_path):
        refused(tmp_path, "- just\n- a list\n")

    def test_object_constructing_tags_are_refused_and_never_run(self, tmp_path):
        marker = tmp_path / "ran"
        text = (GOOD + "notes: !!python/object/apply:os.system ['touch " + str(marker) + "']\n")
        err = refused(tmp_path, text)
        assert "python/object" in str(err)
        assert not marker.exists()

    def test_alias_bomb_fails_fast(self, tmp_path):
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in range(1, 12):
            lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
        err = refused(tmp_path, "\n".join(lines) + "\nname: Test-Bomb\nparameters: []\n")
        assert "alias" in str(err)

    def test_invalid_yaml(self, tmp_path):
        refused(tmp_path, "name: [unclosed\n")

    def test_missing_file(self, tmp_path):
        with pytest.raises(SpecError) as info:
            load_spec_file(tmp_path / "absent.yaml")
        assert "absent.yaml" in str(info.value)


class TestModel:
    def test_sets_positions_and_membership(self):
        spec = load_spec_text(GOOD)
        assert spec.parameter_sets == ("A", "B")
        second = spec.parameter("second")
        assert [(m.set_name, m.mandatory, m.position) for m in second.membership] == [("B", True, 0)]
        assert spec.function_name == "test_thing"

    def test_new_parameter_keys(self):
        spec = load_spec_text(
            "name: Test-Keys\n"
            "parameter_sets: [A, B]\n"
            "enums: {Level: {values: {Low: 1, High: 10}}, Access: {flags: true, values: {Read: 1, Write: 2}}}\n"
            "parameters:\n"
            "  - {name: Rest, type: 'Object[]', position: 3, sets: {A: {remaining_arguments: true}, B: {}}}\n"
            "  - {name: All, type: 'String[]', remaining_arguments: true}\n"
            "  - {name: Force, type: Switch, false_binds: true}\n"
            "  - {name: Level, type: Level, default: high}\n"
            "  - {name: Access, type: Access, default: 'Read,Write'}\n"
            "  - {name: Size, type: Int32, validate: {range: pos}}\n"
        )
        rest = spec.parameter("Rest")
        assert [(m.set_name, m.remaining, m.position) for m in rest.membership] == [("A", True, 3), ("B", False, 3)]
        assert all(m.remaining for m in spec.parameter("All").membership)
        assert spec.parameter("Force").false_binds
        assert spec.parameter("Level").default == "High" and int(spec.parameter("Level").default) == 10
        assert int(spec.parameter("Access").default) == 3
        assert spec.parameter("Size").range == "Positive"
        assert spec.enums["Access"].flags and spec.enums["Level"].names == ("Low", "High")

    def test_no_sets_means_all_parameter_sets(self):
        spec = load_spec_text("name: Test-Plain\nparameters:\n  - {name: X, type: String, position: 0}\n")
        assert spec.parameter_sets == (ALL_SETS,)

    def test_sets_without_declaration_refused(self):
        with pytest.raises(SpecError):
            load_spec_text("name: Test-Plain\nparameters:\n  - {name: X, type: String, sets: [A]}\n")

    @pytest.mark.parametrize("cmdlet, function", [("Get-ThreadRun", "get_thread_run"),
                                                  ("Get-OpenAIFileContent", "get_openai_file_content"),
                                                  ("Request-AzureChatCompletion", "request_azure_chat_completion"),
                                                  ("Enter-ChatGPT", "enter_chatgpt"), ("Get-HTTPThing", "get_http_thing")])
    def test_function_names(self, cmdlet, function):
        assert function_name_for(cmdlet) == function

    def test_bundled_get_thread_run(self):
        spec = pyopenai_ps.get_command("Get-ThreadRun").spec
        assert spec.default_parameter_set == "List"
        assert spec.parameter_sets == ("Get", "List", "ListAll")
        assert spec.parameter("Order").accepted_values == ("asc", "desc")
        assert spec.parameter("Limit").range == (1, 100)
        assert spec.parameter("After").hidden and spec.parameter("Before").hidden
        assert len(spec.examples) == 2


class TestRegistry:
    def test_lookup_is_case_insensitive(self):
        assert pyopenai_ps.get_command("get-threadrun") is pyopenai_ps.get_command("Get-ThreadRun")

    def test_unknown_command(self):
        with pytest.raises(pyopenai_ps.CommandNotFoundError) as info:
            pyopenai_ps.get_command("Get-Nothing")
        assert "The term 'Get-Nothing' is not recognized" in str(info.value)

    def test_broken_file_does_not_stop_the_others(self, tmp_path):
        write(tmp_path, GOOD, "Test-Thing.yaml")
        write(tmp_path, "name: Test-Broken\nparameters:\n  - {name: X, typo: 1}\n", "Test-Broken.yaml")
        registry = Registry([tmp_path])
        assert registry.names() == ["Test-Thing"]
        assert len(registry.errors()) == 1
        with pytest.raises(SpecError) as info:
            registry.get("Test-Broken")
        assert "typo" in str(info.value)

    def test_a_cmdlet_asked_for_by_name_reads_only_its_own_file(self, tmp_path, monkeypatch):
        from pyopenai_ps.runtime import registry as registry_module

        write(tmp_path, GOOD, "Test-Thing.yaml")
        write(tmp_path, GOOD.replace("Test-Thing", "Test-Other"), "Test-Other.yaml")
        write(tmp_path, GOOD.replace("Test-Thing", "Test-Named"), "Unusual-File-Name.yaml")
        read: list[str] = []
        real = registry_module.load_spec_file
        monkeypatch.setattr(registry_module, "load_spec_file", lambda path: read.append(path.name) or real(path))
        registry = Registry([tmp_path])
        assert registry.get("test-thing").name == "Test-Thing"
        assert registry.by_function_name("test_other").name == "Test-Other"
        assert read == ["Test-Thing.yaml", "Test-Other.yaml"]  # a command line pays for its own cmdlet only
        assert registry.get("Test-Named").name == "Test-Named"  # not named after its file: every file is read
        assert sorted(read) == ["Test-Other.yaml", "Test-Thing.yaml", "Unusual-File-Name.yaml"]
        assert registry.names() == ["Test-Named", "Test-Other", "Test-Thing"]

    def test_load_spec_registers_and_replaces(self, tmp_path):
        registry = Registry([tmp_path])
        first = registry.load(write(tmp_path / ".." / tmp_path.name, GOOD))
        assert registry.get("test-thing") is first
        replaced = registry.load(write(tmp_path, GOOD.replace("type: Int32", "type: Int64")))
        assert registry.get("Test-Thing") is replaced and replaced is not first

    def test_public_load_spec(self, tmp_path):
        path = write(tmp_path, GOOD.replace("Test-Thing", "Test-Loaded"), "Test-Loaded.yaml")
        command = pyopenai_ps.load_spec(path)
        assert pyopenai_ps.get_command("Test-Loaded") is command
        assert command.bind("x").parameter_set == "A"
        assert command.bind(5).parameter_set == "B"

    def test_bundled_specs_all_load(self):
        assert bundled_specs_dir().is_dir()
        assert "Get-ThreadRun" in pyopenai_ps.get_commands()
        assert pyopenai_ps.spec_errors() == []


class TestCache:
    def test_a_warm_load_uses_the_cache_and_an_edit_invalidates_it(self, tmp_path, monkeypatch):
        from pyopenai_ps.spec import cache as speccache

        path = write(tmp_path, GOOD)
        first = load_spec_file(path)
        assert speccache.read_cached(path) is not None
        calls = []
        import pyopenai_ps.spec.yamlsafe as yamlsafe

        original = yamlsafe.parse_yaml
        monkeypatch.setattr(yamlsafe, "parse_yaml", lambda *a: calls.append(a) or original(*a))
        assert load_spec_file(path) == first and calls == []  # no YAML the second time
        path.write_text(GOOD.replace("Int32", "Int64"), encoding="utf-8")  # same length edit
        assert load_spec_file(path).parameter("Second").type == "Int64" and len(calls) == 1

    def test_the_entry_goes_to_the_user_cache_folder_not_beside_the_spec(self, tmp_path, monkeypatch):
        # an installed package's folder is pip's: a file written there would outlive an uninstall
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        specs = tmp_path / "specs"
        specs.mkdir()
        load_spec_file(write(specs, GOOD))
        assert not (specs / "__pycache__").exists()
        entries = [entry.name for entry in (tmp_path / "cache" / "pyopenai_ps").iterdir()]
        assert len(entries) == 1 and entries[0].startswith("Test-Thing-") and entries[0].endswith(".spec.json")

    def test_beside_the_spec_only_when_the_user_cache_cannot_be_written(self, tmp_path, monkeypatch):
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the cache folder would be")
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
        path = write(tmp_path, GOOD)
        load_spec_file(path)
        assert (tmp_path / "__pycache__" / "Test-Thing.spec.json").exists()

    @pytest.mark.parametrize("xdg", ["relative/cache", ""])
    def test_no_cache_folder_is_made_relative_to_the_current_folder(self, tmp_path, monkeypatch, xdg):
        from pyopenai_ps.spec import cache as speccache

        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        monkeypatch.setenv("HOME", "")  # no home folder: expanduser gives "~" back
        monkeypatch.setattr(speccache.os.path, "expanduser", lambda path: path)
        spec = tmp_path / "specs" / "Test-Thing.yaml"
        assert all(path.is_absolute() for path in speccache.cache_paths(spec))
        assert speccache.cache_paths(spec)[0].parent.name == "__pycache__"

    def test_a_broken_spec_is_never_cached(self, tmp_path):
        from pyopenai_ps.spec import cache as speccache

        path = write(tmp_path, GOOD.replace("position: 0\n", "positon: 0\n", 1))
        with pytest.raises(SpecError):
            load_spec_file(path)
        assert speccache.read_cached(path) is None

    def test_unwritable_cache_folders_are_harmless(self, tmp_path, monkeypatch):
        from pyopenai_ps.spec import cache as speccache

        monkeypatch.setattr(speccache, "cache_paths", lambda spec: [tmp_path / "missing" / "\0bad"])
        assert load_spec_file(write(tmp_path, GOOD)).name == "Test-Thing"

    def test_data_json_would_change_is_not_cached(self, tmp_path):
        from pyopenai_ps.spec import cache as speccache

        text = GOOD + "  - {name: Extra, type: IDictionary, default: {1: one}}\n"
        path = write(tmp_path, text)
        first = load_spec_file(path)
        assert speccache.read_cached(path) is None  # a number as a mapping key would come back a string
        assert load_spec_file(path).parameter("Extra").default == first.parameter("Extra").default == {1: "one"}

    def test_load_spec_leaves_no_cache_beside_a_users_file(self, tmp_path):
        path = write(tmp_path, GOOD.replace("Test-Thing", "Test-NoCache"), "Test-NoCache.yaml")
        pyopenai_ps.load_spec(path)
        assert not (tmp_path / "__pycache__").exists()

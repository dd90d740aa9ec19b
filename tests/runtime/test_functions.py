"""Module functions made from specs."""

from __future__ import annotations

import inspect

import pytest

import pyopenai_ps as ps


def test_every_spec_is_a_module_function():
    for name in ps.get_commands():
        command = ps.get_command(name)
        function = getattr(ps, command.function_name)
        assert function.command is command
        assert function.__name__ == command.function_name
        assert command.function_name in dir(ps)


def test_signature_and_docstring_come_from_the_spec():
    signature = inspect.signature(ps.get_thread_run)
    names = list(signature.parameters)
    assert names[0] == "args" and {"run_id", "input_object", "limit", "max_retry_count", "api_key"} <= set(names)
    doc = ps.get_thread_run.__doc__
    assert doc.startswith("Gets one run of a thread") and "aliases: Thread, thread_id" in doc
    assert "after" not in names or "hidden" not in doc  # hidden parameters stay out of the help text


def test_the_same_function_object_each_time():
    assert ps.get_thread_run is ps.get_thread_run


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        ps.get_nothing_at_all  # noqa: B018


def test_function_of_a_spec_loaded_at_run_time(tmp_path, api):
    spec = tmp_path / "Get-RunAgain.yaml"
    source = ps.get_command("Get-ThreadRun").spec.source
    spec.write_text(open(source, encoding="utf-8").read().replace("name: Get-ThreadRun", "name: Get-RunAgain"))
    ps.load_spec(spec)
    run = ps.get_run_again(thread_id="thread_abc123", run_id="run_abc123")
    assert run.id == "run_abc123"


def _spec_text(name: str, extra: str = "") -> str:
    source = ps.get_command("Get-Thread").spec.source
    return open(source, encoding="utf-8").read().replace("name: Get-Thread\n", f"name: {name}\n{extra}", 1)


def test_a_replaced_cmdlet_takes_its_cached_function_with_it(tmp_path, api):
    first = tmp_path / "one.yaml"
    first.write_text(_spec_text("Get-Temporary"), encoding="utf-8")
    ps.load_spec(first)
    assert ps.get_temporary("thread_abc123").id == "thread_abc123"  # now cached on the package
    second = tmp_path / "two.yaml"
    second.write_text(_spec_text("Get-Temporary", "function_name: fetch_temporary\n"), encoding="utf-8")
    ps.load_spec(second)
    assert ps.fetch_temporary("thread_abc123").id == "thread_abc123"
    with pytest.raises(AttributeError):
        ps.get_temporary  # noqa: B018


@pytest.mark.parametrize("name, extra", [("Get-Command", ""), ("Get-Whatever", "function_name: bind\n"),
                                         ("Get-Whatever", "function_name: not-python\n")])
def test_a_spec_cannot_take_a_name_of_the_package_api(tmp_path, name, extra):
    path = tmp_path / "clash.yaml"
    path.write_text(_spec_text(name, extra), encoding="utf-8")
    with pytest.raises(ps.SpecError):
        ps.load_spec(path)
    assert callable(ps.get_command) and ps.get_command("Get-Thread").name == "Get-Thread"


def test_wrong_types_at_the_front_door_are_package_errors():
    with pytest.raises(ps.CommandNotFoundError):
        ps.get_command(None)
    with pytest.raises(ps.LineSyntaxError):
        ps.invoke(123)
    with pytest.raises(ps.LineSyntaxError):
        ps.bind(None)
    with pytest.raises(ps.SpecError):
        ps.load_spec(None)


@pytest.mark.parametrize("typed, meant", [("Get-ThreadRn", "Get-ThreadRun"), ("get-thred", "Get-Thread"),
                                          ("Remove-Everything", None)])
def test_an_unknown_cmdlet_name_suggests_the_closest(typed, meant):
    with pytest.raises(ps.CommandNotFoundError) as info:
        ps.get_command(typed)
    assert info.value.suggestion == meant
    assert str(info.value).endswith(f"Did you mean {meant}?" if meant else "try again.")

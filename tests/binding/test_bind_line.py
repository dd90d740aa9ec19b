"""bind(line): the PowerShell command line through the reader and the binder."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

import pyopenai_ps
from pyopenai_ps import LineSyntaxError, ParameterBindingError, bind


def test_help_example_1():
    b = bind("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'")
    assert b.parameter_set == "Get"
    assert b.bound == {"RunId": "run_abc123", "InputObject": "thread_abc123"}


def test_help_example_2():
    b = bind("Get-ThreadRun -Thread 'thread_abc123' -All")
    assert b.parameter_set == "ListAll"
    assert b.bound == {"InputObject": "thread_abc123", "All": True}
    assert b.defaults == {"Order": "asc", "TimeoutSec": 0, "MaxRetryCount": 0,
                                 "ApiType": "OpenAI", "AuthType": "openai"}


def test_examples_in_the_spec_bind():
    command = pyopenai_ps.get_command("Get-ThreadRun")
    for example in command.spec.examples:
        assert bind(example.code).command_name == command.name


@pytest.mark.parametrize("line, expected", [
    ("get-threadrun thread_abc123", {"InputObject": "thread_abc123"}),
    ("Get-ThreadRun -Limit:5 thread_x", {"Limit": 5, "InputObject": "thread_x"}),
    ("Get-ThreadRun -Limit: 5 thread_x", {"Limit": 5, "InputObject": "thread_x"}),
    ("Get-ThreadRun -Limit 0x10 thread_x", {"Limit": 16, "InputObject": "thread_x"}),
    ('Get-ThreadRun "thread_`$x" -Order DESC', {"InputObject": "thread_$x", "Order": "desc"}),
    ("Get-ThreadRun -All:$false thread_x", {"All": False, "InputObject": "thread_x"}),
    ("Get-ThreadRun @{id='thread_h'}", {"InputObject": {"id": "thread_h"}}),
    ("Get-ThreadRun -AdditionalQuery @{a=1; b='x'} t", {"AdditionalQuery": {"a": 1, "b": "x"}, "InputObject": "t"}),
    ("Get-ThreadRun -- -notaparameter", {"InputObject": "-notaparameter"}),
])
def test_lines(line, expected):
    assert dict(bind(line).bound) == expected


def test_pscustomobject_as_input():
    b = bind("Get-ThreadRun ([pscustomobject]@{thread_id='thread_p'})".replace("(", "").replace(")", ""))
    assert isinstance(b.bound["InputObject"], SimpleNamespace)


def test_env_expansion(monkeypatch):
    monkeypatch.setenv("PS_TEST_THREAD", "thread_env")
    assert bind("Get-ThreadRun $env:PS_TEST_THREAD").bound["InputObject"] == "thread_env"
    assert bind('Get-ThreadRun "x-$env:PS_TEST_THREAD"').bound["InputObject"] == "x-thread_env"


def test_literal_pipeline_gives_one_binding_per_record():
    bindings = bind("'thread_a','thread_b' | Get-ThreadRun -All")
    assert [b.bound["InputObject"] for b in bindings] == ["thread_a", "thread_b"]
    assert {b.parameter_set for b in bindings} == {"ListAll"}


def test_pipeline_of_hashtables_by_property_name():
    # A hashtable written in a line has no properties (issue 13, D09): it binds by value only.
    (b,) = bind("@{thread_id='thread_a'; run_id='run_1'} | Get-ThreadRun")
    assert b.parameter_set == "List" and "RunId" not in b.bound
    assert b.bound["InputObject"] == {"thread_id": "thread_a", "run_id": "run_1"}
    # [pscustomobject]@{...} has one property per key, and so has a Python dict record.
    (b,) = bind("[pscustomobject]@{thread_id='thread_a'; run_id='run_1'} | Get-ThreadRun")
    assert b.parameter_set == "Get" and b.bound["RunId"] == "run_1"
    (b,) = bind("Get-ThreadRun", input=[{"thread_id": "thread_a", "run_id": "run_1"}])
    assert b.parameter_set == "Get" and b.bound["RunId"] == "run_1"


def test_input_records():
    bindings = bind("Get-ThreadRun -All", input=["thread_a", {"thread_id": "thread_b"}])
    assert len(bindings) == 2


def test_input_and_literal_head_conflict():
    with pytest.raises(pyopenai_ps.PSOpenAIError):
        bind("'thread_a' | Get-ThreadRun", input=["thread_b"])


def test_several_commands_need_invoke():
    with pytest.raises(pyopenai_ps.PSOpenAIError, match="invoke"):
        bind("Get-ThreadRun thread_a | Get-ThreadRun")


def test_unknown_command():
    with pytest.raises(pyopenai_ps.CommandNotFoundError):
        bind("Get-Nothing -All")


@pytest.mark.parametrize("line, error_id", [
    ("Get-ThreadRun -O desc t", "AmbiguousParameter"),
    ("Get-ThreadRun -Foo t", "NamedParameterNotFound"),
    ("Get-ThreadRun t -Limit", "MissingArgument"),
    ("Get-ThreadRun -Limit 1 -Limit 2 t", "ParameterAlreadyBound"),
    ("Get-ThreadRun t u", "PositionalParameterNotFound"),
    ("Get-ThreadRun t -All -RunId r", "AmbiguousParameterSet"),
    ("Get-ThreadRun -Limit 5", "MissingMandatoryParameter"),
    ("Get-ThreadRun t -Limit x", "ParameterArgumentTransformationError"),
    ("Get-ThreadRun t -Limit 0", "ParameterArgumentValidationError"),
    ("5 | Get-ThreadRun -After x", "MissingMandatoryParameter"),
    ("5 | Get-ThreadRun -All", "ParameterArgumentValidationError"),
])
def test_errors_from_lines(line, error_id):
    with pytest.raises(ParameterBindingError) as info:
        bind(line)
    assert info.value.error_id == error_id


def test_input_object_not_bound_from_a_line(widget):
    with pytest.raises(ParameterBindingError) as info:
        widget.bind_pipeline([5], name="n")
    assert info.value.error_id == "InputObjectNotBound"


@pytest.mark.parametrize("line", ["Get-ThreadRun $x", "Get-ThreadRun $(1)", "Get-ThreadRun {1}", "Get-ThreadRun 'x' > out"])
def test_unsupported_constructs(line):
    with pytest.raises(LineSyntaxError) as info:
        bind(line)
    assert info.value.column > 0


def test_binding_needs_no_network_code():
    code = (
        "import sys, pyopenai_ps\n"
        "b = pyopenai_ps.bind(\"Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123'\")\n"
        "assert b.parameter_set == 'Get'\n"
        "bad = [m for m in ('urllib3', 'pyopenai_ps.http', 'pyopenai_ps.runtime.invocation', "
            "'pyopenai_ps.runtime.execute', 'http.client', 'ssl') "
        "if m in sys.modules]\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

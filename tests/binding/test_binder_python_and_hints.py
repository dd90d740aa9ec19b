"""Binding from Python, and the hints binding errors carry (issue 14 items 5-7, issue 12 item 19).

* a False switch from a Python keyword means "not given" (``false_binds: true`` in a spec to bind it);
* AmbiguousParameterSet names the parameters whose sets clash, or the sets still possible;
* from Python keywords a bool or a fraction is refused for a number, while a line rounds as PowerShell;
* a misspelled name suggests the closest parameter; an unset ``$env:NAME`` is named; PowerShell's
  Where-Object and friends in a line say what to use instead;
* digit strings beyond Python's int() limit are binding errors, never ValueError.
"""

from __future__ import annotations

import textwrap

import pytest

import pyopenai_ps as ps
from pyopenai_ps import LineSyntaxError, ParameterBindingError, SpecError
from pyopenai_ps.pslang.parser import parse_line
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.spec.load import load_spec_text


def command(text: str) -> Command:
    return Command(load_spec_text(textwrap.dedent(text)))


def refused(call, *args, **kwargs) -> ParameterBindingError:
    with pytest.raises(ParameterBindingError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture(scope="module")
def gtr() -> Command:
    return ps.get_command("Get-ThreadRun")


# --- a False switch from Python ------------------------------------------------------------------


def test_false_switch_keyword_is_not_given(gtr):
    binding = gtr.bind("thread_abc123", all=False, limit=1)  # issue 14 item 5: it failed to resolve a set
    assert binding.parameter_set == "List" and "All" not in binding.bound
    assert gtr.bind("thread_abc123", all=True).parameter_set == "ListAll"
    assert gtr.bind("thread_abc123", all=0).bound["All"] is False  # only False itself means "not given"
    # a line's -All:$false binds False, as in PowerShell
    assert ps.bind("Get-ThreadRun thread_abc123 -All:$false").bound["All"] is False


SWITCHES = """
    name: Set-Mode
    parameter_sets: [Plain, Fast]
    default_parameter_set: Plain
    parameters:
      - {name: Name, type: String, position: 0}
      - {name: Fast, type: Switch, sets: [Fast]}
      - {name: Stream, type: Switch, false_binds: true}
"""


def test_false_binds_makes_a_python_false_bind():
    mode = command(SWITCHES)
    binding = mode.bind("x", stream=False, fast=False)
    assert binding.bound == {"Name": "x", "Stream": False}  # Stream binds False; Fast is not given
    assert binding.parameter_set == "Plain"
    assert mode.spec.parameter("Stream").false_binds and not mode.spec.parameter("Fast").false_binds


def test_false_binds_is_for_switches_only():
    with pytest.raises(SpecError) as caught:
        command(SWITCHES.replace("{name: Name, type: String, position: 0}",
                                 "{name: Name, type: String, position: 0, false_binds: true}"))
    assert caught.value.parameter == "Name" and caught.value.field == "false_binds"
    with pytest.raises(SpecError):
        command(SWITCHES.replace("false_binds: true", "false_binds: 1"))


# --- AmbiguousParameterSet names what clashes ------------------------------------------------------

POWERSHELL_TEXT = ("Parameter set cannot be resolved using the specified named parameters. One or more parameters "
                   "issued cannot be used together or an insufficient number of parameters were provided.")


def test_ambiguous_set_names_the_parameters_that_clash(gtr):
    error = refused(gtr.bind, "thread_abc123", run_id="run_1", all=True)
    assert error.error_id == "AmbiguousParameterSet"
    assert error.parameters == ("RunId", "All")
    assert str(error) == f"{POWERSHELL_TEXT} -All (parameter set ListAll) cannot be used together with -RunId."
    line = refused(ps.bind, "Get-ThreadRun -All -Thread t -RunId r")
    assert line.parameters == ("All", "RunId") and "-RunId (parameter set Get) cannot be used together with -All." in str(line)


def test_ambiguous_set_names_the_sets_still_possible():
    either = command(
        """
        name: Find-Either
        parameter_sets: [ByName, ByTag]
        parameters:
          - {name: Scope, type: String, sets: [ByName, ByTag]}
          - {name: Name, type: String, sets: [ByName]}
          - {name: Tag, type: String, sets: [ByTag]}
        """
    )
    error = refused(either.bind, scope="x")
    assert error.error_id == "AmbiguousParameterSet" and error.parameters == ("Scope",)
    assert str(error).endswith("The parameter sets ByName (-Name), ByTag (-Tag) are all still possible with -Scope; "
                               "add a parameter that picks one.")


# --- numbers from Python ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keywords", "words"),
    [({"limit": 5.5}, "fractional part"), ({"limit": True}, "a bool is not taken"),
     ({"max_retry_count": 2.5}, "fractional part"), ({"timeout_sec": False}, "a bool is not taken")],
)
def test_python_keywords_are_not_rounded(gtr, keywords, words):
    error = refused(gtr.bind, "thread_abc123", **keywords)
    assert error.error_id == "ParameterArgumentTransformationError"
    assert words in str(error)


def test_whole_floats_from_python_and_lines_round_as_powershell(gtr):
    assert gtr.bind("t", limit=5.0).bound["Limit"] == 5
    assert ps.bind("Get-ThreadRun t -Limit 5.5").bound["Limit"] == 6
    assert ps.bind("Get-ThreadRun t -Limit 2.5").bound["Limit"] == 2  # to even, as .NET rounds
    assert ps.bind("Get-ThreadRun t -Limit $true").bound["Limit"] == 1


# --- did you mean --------------------------------------------------------------------------------


def test_misspelled_name_suggests_the_closest_parameter(gtr):
    error = refused(ps.bind, "Get-ThreadRun -Thred thread_abc123")
    assert error.error_id == "NamedParameterNotFound" and error.parameter_name == "Thred"
    assert str(error) == "A parameter cannot be found that matches parameter name 'Thred'. Did you mean -Thread?"
    assert error.suggestion == "Thread"
    keyword = refused(gtr.bind, "t", max_retries=3)
    assert str(keyword).endswith("Did you mean max_retry_count=?") and keyword.suggestion == "max_retry_count"
    nothing = refused(ps.bind, "Get-ThreadRun t -Zzzzzz 1")
    assert str(nothing) == "A parameter cannot be found that matches parameter name 'Zzzzzz'." and nothing.suggestion is None


def test_hidden_parameters_are_never_suggested():
    hidden = command(
        """
        name: Get-Hidden
        parameters:
          - {name: Secretive, type: String, hidden: true}
          - {name: Visible, type: String}
        """
    )
    assert refused(hidden.bind, secretivx="x").suggestion is None
    assert refused(hidden.bind, visibel="x").suggestion == "visible"


# --- an unset environment variable -------------------------------------------------------------------


def test_unset_environment_variable_is_named(monkeypatch):
    monkeypatch.delenv("PYOPENAI_PS_TEST_THREAD", raising=False)
    for line in ("Get-ThreadRun -Thread $env:PYOPENAI_PS_TEST_THREAD", "Get-ThreadRun $env:PYOPENAI_PS_TEST_THREAD",
                 "Get-ThreadRun -Thread:$env:PYOPENAI_PS_TEST_THREAD"):
        error = refused(ps.bind, line)
        assert error.parameter_name == "InputObject"
        assert str(error).endswith("(The environment variable $env:PYOPENAI_PS_TEST_THREAD is not set.)")
    monkeypatch.setenv("PYOPENAI_PS_TEST_THREAD", "thread_env")
    assert ps.bind("Get-ThreadRun $env:PYOPENAI_PS_TEST_THREAD").bound["InputObject"] == "thread_env"


def test_unset_environment_variable_binds_null_where_null_is_fine(monkeypatch):
    monkeypatch.delenv("PYOPENAI_PS_TEST_ORG", raising=False)
    binding = ps.bind("Get-ThreadRun t -Organization $env:PYOPENAI_PS_TEST_ORG")
    assert binding.bound["Organization"] == ""  # [string] takes $null as '', as PowerShell does


# --- PowerShell's own cmdlets in a line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "canonical", "advice"),
    [
        ("Where-Object { $_.status -eq 'completed' }", "Where-Object", "filter the objects in Python"),
        ("? status -eq completed", "Where-Object", "filter the objects in Python"),
        ("ForEach-Object { $_.id }", "ForEach-Object", "pipe the values straight into the cmdlet"),
        ("% id", "ForEach-Object", "pipe the values straight into the cmdlet"),
        ("Select-Object -First 1", "Select-Object", "work on the returned objects in Python"),
        ("sort created_at", "Sort-Object", "work on the returned objects in Python"),
        ("Format-Table", "Format-Table", "work on the returned objects in Python"),
    ],
)
def test_powershell_cmdlets_in_a_line_say_what_to_use(stage, canonical, advice):
    line = f"Get-ThreadRun -Thread thread_abc123 -All | {stage}"
    with pytest.raises(LineSyntaxError) as caught:
        ps.invoke(line)
    assert caught.value.construct == f"command {canonical}"
    assert caught.value.column == line.index(stage) + 1
    assert advice in str(caught.value)


def test_a_value_named_like_a_cmdlet_is_still_a_value():
    assert ps.bind("Get-ThreadRun where").bound["InputObject"] == "where"


# --- digit strings beyond Python's limit (issue 12 item 19) ------------------------------------------------


@pytest.mark.parametrize("digits", [4301, 5000, 20000])
def test_huge_digit_strings_are_binding_errors(gtr, digits):
    nines = "9" * digits
    for call in (lambda: ps.bind(f"Get-ThreadRun t -Limit {nines}"),
                 lambda: gtr.bind("t", timeout_sec=nines),
                 lambda: gtr.bind("t", limit=int("9" * 4000) * 10 ** (digits - 4000)),
                 lambda: ps.bind(f"Get-ThreadRun t -Limit:{nines}")):
        error = refused(call)
        assert error.error_id == "ParameterArgumentTransformationError"
        assert "too large or too small for an Int32" in str(error)
        assert len(str(error)) < 500


# --- numbers written in a line ------------------------------------------------------------------------


def test_line_numbers_keep_their_text_only_for_strings():
    values = command(
        """
        name: Set-Values
        parameters:
          - {name: Text, type: String}
          - {name: Anything, type: Object}
          - {name: Count, type: Int64}
          - {name: Rest, type: 'Object[]', remaining_arguments: true}
          - {name: Words, type: 'String[]'}
        """
    )

    def bound(line: str) -> dict:
        return dict(values.bind(*parse_line(line).commands[0].arguments).bound)

    assert bound("Set-Values -Text 0x10 -Anything 0x10 -Count 0x10") == {"Text": "0x10", "Anything": 16, "Count": 16}
    rest = bound("Set-Values 1 0x10 a")["Rest"]
    assert rest == [1, 16, "a"] and [type(v) for v in rest] == [int, int, str]  # plain numbers for Object[]
    assert type(bound("Set-Values -Anything 1.50")["Anything"]) is float
    assert bound("Set-Values -Words 0x10,1.50")["Words"] == ["16", "1.5"]  # list elements are plain numbers
    assert bound("Set-Values -Words 0x10")["Words"] == ["0x10"]  # a whole argument keeps its text


# --- the error's facts ---------------------------------------------------------------------------------


def test_validation_errors_carry_powershells_inner_id():
    import pickle

    error = refused(ps.bind, "Get-ThreadRun t -Order up")
    assert error.error_id == "ParameterArgumentValidationError" and error.inner_error_id == "ValidateSetFailure"
    assert error.fully_qualified_error_id == "ParameterArgumentValidationError:ValidateSetFailure"
    typo = refused(ps.bind, "Get-ThreadRun -Thred t")
    assert typo.inner_error_id is None and typo.fully_qualified_error_id == "NamedParameterNotFound"
    for original in (error, typo, refused(ps.bind, "Get-ThreadRun -All -Thread t -RunId r")):
        clone = pickle.loads(pickle.dumps(original))
        assert (clone.error_id, clone.inner_error_id, clone.parameters, clone.suggestion, str(clone)) == (
            original.error_id, original.inner_error_id, original.parameters, original.suggestion, str(original))
    with pytest.raises(ValueError):
        ParameterBindingError("ParameterArgumentValidationError", "x", command_name="C", inner_error_id="Bogus")

"""Property tests: whatever a caller sends, binding ends in a Binding or a ParameterBindingError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyopenai_ps
from pyopenai_ps import LineSyntaxError, ParameterBindingError
from pyopenai_ps.binding import Binding
from pyopenai_ps.pslang.parser import ParameterToken

NAMES = ["RunId", "run_id", "InputObject", "Thread", "thread_id", "Limit", "All", "After", "Before", "Order",
         "TimeoutSec", "MaxRetryCount", "ApiBase", "ApiKey", "Organization", "OrgId", "AdditionalQuery",
         "AdditionalHeaders", "Verbose", "Debug", "ErrorAction", "ea", "OutVariable", "ProgressAction"]
name_text = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).flatmap(lambda n: st.integers(1, len(n)).map(lambda k: n[:k])),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_?-", min_size=1, max_size=8),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["thread_abc", "run_1", "asc", "DESC", "0x10", " 5 ", "https://x.test/v1"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
tokens = st.lists(
    st.one_of(
        name_text.map(ParameterToken),
        st.tuples(name_text, values).map(lambda pair: ParameterToken(pair[0], pair[1])),
        values,
    ),
    max_size=7,
)
keywords = st.dictionaries(st.sampled_from(NAMES + ["max_retry_count", "api_key", "colour", "lim"]), values, max_size=4)


def outcome(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ParameterBindingError as error:
        return ("error", error.error_id, error.parameter_name, str(error))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens, keywords)
def test_only_bindings_or_binding_errors_and_always_the_same(arguments, kws):
    command = pyopenai_ps.get_command("Get-ThreadRun")
    first = outcome(command.bind, *arguments, **kws)
    assert isinstance(first, Binding) or first[0] == "error"
    assert outcome(command.bind, *arguments, **kws) == first


@settings(max_examples=200, deadline=None)
@given(tokens, st.lists(values, max_size=4))
def test_pipelines_too(arguments, records):
    command = pyopenai_ps.get_command("Get-ThreadRun")
    result = outcome(command.bind_pipeline, records, *arguments)
    assert isinstance(result, list) or result[0] == "error"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["Get-ThreadRun", "-Thread", "-All", "-RunId", "-Limit", "'x'", "thread_a",
                                           "5", "-1", "$true", "$null", ",", "|", "@{a=1}", "@(", ")", "-O", ":",
                                           "'", '"', "`", "$x", "--"]),
                          st.text(max_size=5)), max_size=10))
def test_lines_end_in_a_binding_or_a_clear_error(parts):
    line = " ".join(parts)
    try:
        result = pyopenai_ps.bind(line)
    except (ParameterBindingError, LineSyntaxError, pyopenai_ps.CommandNotFoundError, pyopenai_ps.PSOpenAIError):
        return
    assert isinstance(result, (Binding, list))

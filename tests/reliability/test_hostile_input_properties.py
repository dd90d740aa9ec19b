"""Property tests with hostile input, beyond tests/test_binder_properties.py and tests/test_psline.py.

Those check that Python-level binding and the line reader end cleanly. These write real PowerShell
lines (names, unambiguous and ambiguous prefixes, dashes, quoting of any text, numbers, lists,
hashtables, literal pipeline heads), run them, and check:

* only a Binding, a ParameterBindingError or a clear parse error (LineSyntaxError,
  CommandNotFoundError) ever comes out of binding, and the same line always gives the same result;
* nothing hangs: every example has a deadline of 500 ms;
* running a line (``pyopenai_ps.invoke``) against the bundled server sends no request when the line
  fails to read or bind, and a record that fails to bind costs no request either;
* any text quoted on a line reaches the server as exactly one path segment.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import pyopenai_ps as ps
from pyopenai_ps import (
    CommandNotFoundError,
    ConfigurationError,
    LineSyntaxError,
    NotFoundError,
    ParameterBindingError,
    PSOpenAIError,
)
from pyopenai_ps.binding import Binding

DEADLINE = timedelta(milliseconds=500)
PROPERTY = settings(deadline=DEADLINE, max_examples=150, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SAFE_NAMES = ["RunId", "run_id", "InputObject", "Thread", "thread_id", "Limit", "All", "After", "Before", "Order",
              "TimeoutSec", "MaxRetryCount", "Organization", "OrgId", "AdditionalQuery", "Verbose", "Debug",
              "ErrorAction", "ea", "WarningAction", "ErrorVariable", "OutVariable", "ProgressAction",
              "InformationAction"]
# -ApiBase and -ApiKey take part in binding; when running, the first would send requests elsewhere.
ALL_NAMES = SAFE_NAMES + ["ApiBase", "ApiKey", "AdditionalHeaders", "OutBuffer", "PipelineVariable"]
DASHES = ["-", "-", "-", "\u2013", "\u2014"]


def single_quoted(text: str) -> str:
    """``text`` as a PowerShell '...' literal: each kind of single quote doubled."""
    return "'" + "".join(c * 2 if c in "'\u2018\u2019\u201a\u201b" else c for c in text) + "'"


def double_quoted(text: str) -> str:
    """``text`` as a PowerShell "..." literal: quotes, backticks and $ escaped with a backtick."""
    return '"' + "".join("`" + c if c in '"\u201c\u201d\u201e`$' else c for c in text) + '"'


any_text = st.text(max_size=20)
ids = st.one_of(st.sampled_from(["thread_abc123", "run_abc123", "thread_abc456", "run_abc118", "asc", "DESC"]),
                any_text)
quoted = st.one_of(ids.map(single_quoted), ids.map(double_quoted))
bareword = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.:]{0,10}", fullmatch=True)
number = st.one_of(st.integers(-(2**40), 2**40).map(str), st.sampled_from(["0x10", "1kb", "1.5", "-1", "1e3", "0"]))
literal = st.one_of(quoted, bareword, number, st.sampled_from(["$true", "$false", "$null"]))
value_text = st.one_of(
    literal,
    st.lists(literal, min_size=2, max_size=3).map(",".join),
    st.lists(literal, max_size=3).map(lambda xs: "@(" + ",".join(xs) + ")"),
    st.dictionaries(bareword, literal, max_size=2).map(
        lambda d: "@{" + "; ".join(f"{k}={v}" for k, v in d.items()) + "}"),
)


def parameter(names: list[str]) -> st.SearchStrategy[str]:
    """-Name, a prefix of it, or a made-up name, with any dash, sometimes as -Name:value."""
    name = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).flatmap(lambda n: st.integers(1, len(n)).map(lambda k: n[:k])),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC_", min_size=1, max_size=8),
    )
    plain = st.tuples(st.sampled_from(DASHES), name).map("".join)
    colon = st.tuples(plain, value_text).map(lambda pair: f"{pair[0]}:{pair[1]}")
    return st.one_of(plain, plain, colon)


# Parameters with values of about the right kind (in and out of range), so that many lines bind and run.
FITTING = {
    "RunId": quoted, "Thread": quoted, "Limit": st.integers(-5, 120).map(str),
    "Order": st.sampled_from(["asc", "desc", "DESC", "Asc", "'desc'", "up"]), "After": quoted, "Before": quoted,
    "TimeoutSec": st.integers(-1, 3).map(str), "MaxRetryCount": st.integers(-1, 3).map(str),
    "ErrorAction": st.sampled_from(["Stop", "Continue", "SilentlyContinue", "Ignore", "Inquire", "Nope"]),
    "WarningAction": st.sampled_from(["Stop", "Continue", "SilentlyContinue", "Ignore"]),
    "Organization": quoted, "ErrorVariable": bareword, "OutVariable": bareword,
    "AdditionalQuery": st.dictionaries(bareword, literal, max_size=2).map(
        lambda d: "@{" + "; ".join(f"{k}={v}" for k, v in d.items()) + "}"),
    "All": st.sampled_from(["", ":$true", ":$false"]), "Verbose": st.just(""), "Debug": st.just(""),
}
fitting_word = st.sampled_from(sorted(FITTING)).flatmap(
    lambda name: st.tuples(st.just(name), FITTING[name], st.booleans())).map(
    lambda t: f"-{t[0]}{t[1]}" if t[1].startswith(":") or not t[1] else (f"-{t[0]}:{t[1]}" if t[2] else f"-{t[0]} {t[1]}"))


def line_of(names: list[str], heads: bool = True) -> st.SearchStrategy[str]:
    """``[head |] Get-ThreadRun [thread] words...``: fitting parameters, odd names, stray values."""
    words = st.lists(st.one_of(fitting_word, fitting_word, parameter(names), value_text), max_size=6)
    first = st.one_of(st.just(""), st.just("thread_abc123"), quoted)
    head = st.one_of(st.none(), st.lists(quoted, min_size=1, max_size=3).map(",".join)) if heads else st.none()
    return st.tuples(head, first, words).map(
        lambda hfw: (f"{hfw[0]} | " if hfw[0] else "") + "Get-ThreadRun " + " ".join([hfw[1], *hfw[2]]))


# Mostly fitting words after a good thread: about half of these run.
fitting_line = st.tuples(st.lists(fitting_word.filter(lambda w: not w.startswith("-Thread")), max_size=4),
                         st.lists(st.one_of(parameter(SAFE_NAMES), value_text), max_size=1)).map(
    lambda ws: "Get-ThreadRun thread_abc123 " + " ".join(ws[0] + ws[1]))


def outcome(function, *args, **kwargs):
    """A comparable summary of what a call gave: its bindings, or its error."""
    try:
        result = function(*args, **kwargs)
    except (ParameterBindingError, LineSyntaxError, CommandNotFoundError) as error:
        return ("error", type(error).__name__, getattr(error, "error_id", None), str(error))
    bindings = result if isinstance(result, list) else [result]
    assert all(isinstance(b, Binding) for b in bindings), result
    return ("ok", [(b.parameter_set, repr(sorted(b.bound.items()))) for b in bindings])


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Imports and compiles once before the deadlines start counting."""
    ps.bind("Get-ThreadRun -Thread thread_abc123 -All")
    ps.get_command("Get-ThreadRun").bind_pipeline(["thread_a"])


@PROPERTY
@given(line_of(ALL_NAMES))
def test_lines_bind_or_fail_cleanly_and_always_the_same(line):
    first = outcome(ps.bind, line)
    event(f"{first[0]} {first[2] or first[1] if first[0] == 'error' else ''}")
    assert outcome(ps.bind, line) == first


@PROPERTY
@given(line_of(ALL_NAMES, heads=False), st.lists(st.one_of(ids, st.dictionaries(
    st.sampled_from(["id", "thread_id", "run_id", "RunId", "Thread", "limit", "ApiKey"]), ids, max_size=3),
    st.integers(), st.none()), max_size=4))
def test_lines_with_input_records_bind_or_fail_cleanly_and_always_the_same(line, records):
    first = outcome(ps.bind, line, input=records)
    assert outcome(ps.bind, line, input=records) == first


def _binds_api_base(line: str) -> bool:
    try:
        bound = ps.bind(line)
    except PSOpenAIError:
        return False
    return any("ApiBase" in b.bound for b in (bound if isinstance(bound, list) else [bound]))


@PROPERTY
@given(line=st.one_of(fitting_line, line_of(SAFE_NAMES, heads=False)))  # (no literal head: with one, the
# records before a failing one do run, as in PowerShell; test_a_record_that_fails_to_bind_costs_no_request)
def test_a_line_that_fails_to_read_or_bind_sends_nothing(api, line):
    assume(not _binds_api_base(line))  # (a prefix like -ApiB is not in SAFE_NAMES, but stay sure)
    before = len(api.requests)
    try:
        ps.invoke(line)
    except (ParameterBindingError, LineSyntaxError, CommandNotFoundError, ConfigurationError) as error:
        event(type(error).__name__)
        assert len(api.requests) == before
    except PSOpenAIError as error:
        event(f"sent, then {type(error).__name__}")  # an answer from the server (404, ...), after binding
    else:
        event("sent")


@PROPERTY
@given(st.lists(st.one_of(
    ids,
    st.dictionaries(st.sampled_from(["id", "thread_id", "run_id", "RunId", "InputObject", "colour"]), ids,
                    max_size=3),
    st.integers(), st.none(), st.lists(ids, max_size=2)), min_size=1, max_size=5))
def test_a_record_that_fails_to_bind_costs_no_request(api, records):
    """Under -ErrorAction SilentlyContinue every record is tried: those that bind cost exactly one request
    each (a page, or one run), those that do not cost none and are reported once each."""
    command = ps.get_command("Get-ThreadRun")
    binds = 0
    for record in records:
        try:
            command.bind_pipeline([record])
            binds += 1
        except ParameterBindingError:
            pass
    before = len(api.requests)
    ps.invoke("Get-ThreadRun -ErrorAction SilentlyContinue -ErrorVariable failed", input=records)
    assert len(api.requests) - before == binds
    binding_errors = [e for e in ps.variables["failed"] if isinstance(e, ParameterBindingError)]
    assert len(binding_errors) == len(records) - binds


def _segment(text: str) -> str:
    encoded = quote(text, safe="")
    return encoded.replace(".", "%2E") if encoded.strip(".") == "" else encoded


@PROPERTY
@given(run_id=st.text(min_size=1, max_size=40), quoting=st.sampled_from([single_quoted, double_quoted]),
       thread=st.text(min_size=1, max_size=20))
def test_any_quoted_text_reaches_the_server_as_one_path_segment(api, run_id, quoting, thread):
    line = f"Get-ThreadRun -Thread {quoting(thread)} -RunId {quoting(run_id)}"
    binding = ps.bind(line)
    assert binding.bound["RunId"] == run_id and binding.bound["InputObject"] == thread
    before = len(api.requests)
    try:
        ps.invoke(line)
    except NotFoundError:
        pass
    (request,) = api.requests[before:]
    assert request.path == f"/v1/threads/{_segment(thread)}/runs/{_segment(run_id)}"
    segments = request.path.split("/")
    assert len(segments) == 6 and unquote(segments[3]) == thread and unquote(segments[5]) == run_id
    assert request.query == {}


@PROPERTY
@given(st.text(max_size=200))
def test_python_keywords_take_any_text_without_hanging(text):
    """The Python side: any text as any string parameter binds or fails with a binding error."""
    command = ps.get_command("Get-ThreadRun")
    for keyword in ("run_id", "thread_id", "order", "after", "organization", "api_base", "error_action"):
        args = () if keyword == "thread_id" else ("thread_abc123",)
        first = outcome(command.bind, *args, **{keyword: text})
        assert first == outcome(command.bind, *args, **{keyword: text})

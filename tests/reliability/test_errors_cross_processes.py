"""Every exception of the package survives pickle, copy and deepcopy with its attributes, crosses a
process pool without hanging it, and never carries the key."""

from __future__ import annotations

import copy
import inspect
import multiprocessing
import pickle

import pytest

import pyopenai_ps as ps
from pyopenai_ps import errors
from pyopenai_ps.server import Fault

KEY = "sk-proj-PICKLEkey0123456789abcdefXYZ"

#: Keyword arguments that fill every attribute of each exception class.
SAMPLES: dict[type[BaseException], tuple[tuple, dict]] = {
    errors.PSOpenAIError: (("something failed",), {}),
    errors.SpecError: (("bad field",), {"file": "x.yaml", "parameter": "Limit", "field": "range"}),
    errors.CommandNotFoundError: (("Get-Nothing", "did you mean Get-Thread?"), {}),
    errors.LineSyntaxError: (("no closing quote",), {"construct": "string", "column": 7}),
    errors.ParameterBindingError: (("AmbiguousParameter", "ambiguous"),
                                   {"command_name": "Get-ThreadRun", "parameter_name": "O",
                                    "missing": ("RunId",)}),
    errors.UsageError: (("bad option", "Get-ThreadRun"), {}),
    errors.InputFormatError: (("not JSON",), {}),
    errors.ActionPreferenceStopError: (("stopped",), {}),
    errors.ConfigurationError: (("no key",), {"setting": "ApiKey"}),
    errors.MissingValueError: (("no thread id",), {"setting": "thread_id"}),
    errors.APIError: (("api",), {}),
    errors.APIConnectionError: (("dropped",), {"url": "http://h/v1", "reason": "connection refused",
                                               "connected": False}),
    errors.APITimeoutError: (("slow",), {"url": "http://h/v1", "timeout": 1.5, "reason": "read timeout"}),
    errors.ResponseFormatError: (("not JSON",), {"status_code": 200, "request_id": "req_1"}),
    errors.PaginationError: (("loop",), {"cursor": "run_3"}),
    errors.StreamError: (("the stream failed",), {"error_code": "server_error", "event": "error"}),
    errors.WaitTimeoutError: (("waited too long",), {"object_id": "run_1", "status": "in_progress", "waited": 2.0}),
    errors.ConversionFailure: (("not a number",), {}),
    errors.ValidationFailure: (("out of range",), {}),
}
for _cls in (errors.APIRequestError, errors.BadRequestError, errors.ContentFilteredError, errors.UnauthorizedError,
             errors.NotFoundError, errors.RateLimitExceededError, errors.QuotaLimitExceededError):
    SAMPLES[_cls] = (("OpenAI API returned an error",),
                     {"status_code": 404, "reason": "Not Found", "error_type": "invalid_request_error",
                      "error_code": "nope", "error_param": "run_id", "error_message": "no such run",
                      "request_id": "req_9", "body": {"error": {"message": "no such run", "nested": [1, {"a": 2}]}}})


def every_exception_class() -> list[type[BaseException]]:
    return [value for value in vars(errors).values()
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == errors.__name__]


def test_every_exception_class_has_a_sample():
    assert set(every_exception_class()) == set(SAMPLES)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
def test_an_exception_round_trips_with_its_attributes(cls, how):
    args, kwargs = SAMPLES[cls]
    error = cls(*args, **kwargs)
    error.__notes__ = ["a note"]
    again = {"pickle": lambda e: pickle.loads(pickle.dumps(e)), "copy": copy.copy, "deepcopy": copy.deepcopy}[how](error)
    assert type(again) is cls
    assert str(again) == str(error) and repr(again) == repr(error)
    assert vars(again) == vars(error)
    assert again.args == error.args or isinstance(error, errors.PSOpenAIError)
    for name, value in kwargs.items():
        assert getattr(again, name) == value


def _fail_in_worker(base_url: str) -> str:
    """Runs in a pool worker: a NotFoundError, raised to the pool."""
    ps.OPENAI_API_KEY = KEY
    return ps.get_thread_run(thread_id="thread_abc123", run_id="run_missing", api_base=base_url).id


def test_a_not_found_error_raised_in_a_pool_worker_reaches_the_parent(server):
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        pending = pool.apply_async(_fail_in_worker, (server.base_url,))
        with pytest.raises(ps.NotFoundError) as info:
            pending.get(timeout=60)
    assert info.value.status_code == 404 and info.value.request_id


def test_no_pickled_error_carries_the_key(api, monkeypatch):
    monkeypatch.setattr(ps, "OPENAI_API_KEY", KEY)
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}", "type": KEY, "code": KEY, "param": KEY}}
    api.inject(Fault.status(401, body=echo), path="/v1/threads/thread_abc123/runs/run_abc123")
    failures: list[BaseException] = []
    for call in (lambda: ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123"),
                 lambda: ps.get_thread_run("thread_abc123", limit=0, api_key=KEY),
                 lambda: ps.invoke(f"Get-ThreadRun -ApiKey '{KEY}"),
                 lambda: ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123",
                                           api_key=KEY + "\n")):
        with pytest.raises(ps.PSOpenAIError) as info:
            call()
        failures.append(info.value)
    hidden = KEY[6:-2]
    for error in failures:
        data = pickle.dumps(error)
        assert KEY.encode() not in data and hidden[:8].encode() not in data, type(error).__name__

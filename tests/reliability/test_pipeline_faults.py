"""Pipelines of 200 records where some fail: every good record's output arrives, each failure is
reported once, nothing comes out twice, and no record costs more than its one request."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

import pyopenai_ps as ps
from pyopenai_ps import APIRequestError, NotFoundError, ParameterBindingError
from pyopenai_ps.server import Fault

THREAD = "thread_pipe"
SMALL = "thread_two"


@dataclass
class Plan:
    """The records, and what each one must give: run ids out, or one error of a known type."""

    records: list[Any] = field(default_factory=list)
    expected_ids: list[str] = field(default_factory=list)
    failures: list[tuple[type, str | None]] = field(default_factory=list)  # (type, path of its request)
    requests: int = 0  # requests the records must cost, exactly


def _plan(api) -> Plan:
    """200 records: thread ids, run dicts, run objects, missing runs, runs that meet a 500, unbindable ones."""
    run_ids = api.store.add_runs(THREAD, 200)
    small_ids = api.store.add_runs(SMALL, 2)
    objects = {r.id: r for r in ps.get_thread_run(THREAD, all=True)}  # PSObjects, to pipe back in
    api.clear_requests()
    plan = Plan()
    unbindable = [42, {"colour": "red"}, None, "", {"thread_id": THREAD, "run_id": ""}, ["thread_a"],
                  {"id": "run_only"}]
    for i in range(200):
        run_id = run_ids[i]
        path = f"/v1/threads/{THREAD}/runs/{run_id}"
        kind = i % 8
        if kind in (0, 4):  # a thread id: one page of its runs (List)
            plan.records.append(SMALL)
            plan.expected_ids += small_ids
            plan.requests += 1
        elif kind in (1, 5):  # a dict with thread_id and run_id: that run (Get, by property name)
            plan.records.append({"thread_id": THREAD, "run_id": run_id})
            plan.expected_ids.append(run_id)
            plan.requests += 1
        elif kind == 2:  # a run object: fetched again (List redirected to Get)
            plan.records.append(objects[run_id])
            plan.expected_ids.append(run_id)
            plan.requests += 1
        elif kind == 3:  # a run that does not exist: 404
            missing = f"run_missing{i:03d}"
            plan.records.append({"thread_id": THREAD, "run_id": missing})
            plan.failures.append((NotFoundError, f"/v1/threads/{THREAD}/runs/{missing}"))
            plan.requests += 1
        elif kind == 6:  # the server fails this one with a 500 (no retries)
            api.inject(Fault.status(500), path=path)
            plan.records.append(objects[run_id] if i % 16 == 6 else {"thread_id": THREAD, "run_id": run_id})
            plan.failures.append((APIRequestError, path))
            plan.requests += 1
        else:  # a record that binds to nothing: no request at all
            plan.records.append(unbindable[(i // 8) % len(unbindable)])
            plan.failures.append((ParameterBindingError, None))
    return plan


def _check(api, plan: Plan, out: list, errors: list) -> None:
    assert [r.id for r in out] == plan.expected_ids  # every good record's output, in order, once
    assert len(api.requests) == plan.requests  # each record one request at most, no retries
    assert api.pending_faults == 0
    request_ids = {r.path: r.request_id for r in api.requests}
    assert len(errors) == len(plan.failures)
    for error, (kind, path) in zip(errors, plan.failures):
        assert type(error) is kind
        if path is not None:
            assert error.request_id == request_ids[path]
        else:
            assert error.error_id == "ParameterArgumentValidationError"
    api_errors = [e.request_id for e in errors if isinstance(e, APIRequestError)]
    assert len(set(api_errors)) == len(api_errors)  # no failure reported twice


@pytest.mark.parametrize("action", ["Continue", "SilentlyContinue"])
def test_pipe_from_python(api, caplog, action):
    plan = _plan(api)
    errors: list = []
    with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
        out = ps.get_command("Get-ThreadRun").pipe(plan.records, max_retry_count=0, error_action=action,
                                                   error_variable=errors)
    _check(api, plan, out, errors)
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    if action == "Continue":
        assert logged == [f"Get-ThreadRun: {e}" for e in errors]  # each failure logged once, in order
    else:
        assert logged == []


@pytest.mark.parametrize("action", ["Continue", "SilentlyContinue"])
def test_invoke_with_input_records(api, caplog, action):
    plan = _plan(api)
    with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
        out = ps.invoke(f"Get-ThreadRun -MaxRetryCount 0 -ErrorAction {action} -ErrorVariable failed "
                        "-OutVariable got", input=plan.records)
    _check(api, plan, out, ps.variables["failed"])
    assert [r.id for r in ps.variables["got"]] == [r.id for r in out]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == (
        len(plan.failures) if action == "Continue" else 0)


def test_ignore_keeps_the_output_and_records_nothing(api):
    plan = _plan(api)
    errors: list = []
    out = ps.get_command("Get-ThreadRun").pipe(plan.records, error_action="Ignore", error_variable=errors)
    assert [r.id for r in out] == plan.expected_ids and errors == []
    assert len(api.requests) == plan.requests


def test_stop_ends_at_the_first_failure_and_sends_nothing_after_it(api):
    plan = _plan(api)
    out: list = []
    with pytest.raises(NotFoundError) as info:
        ps.get_command("Get-ThreadRun").pipe(plan.records, out_variable=out)
    first = next(i for i, r in enumerate(plan.records)
                 if isinstance(r, dict) and str(r.get("run_id", "")).startswith("run_missing"))
    assert first == 3
    assert len(api.requests) == first + 1  # the records before it, and the failing one; nothing after
    assert info.value.request_id == api.requests[-1].request_id
    assert [r.id for r in out] == plan.expected_ids[:len(out)]
    assert len(out) == sum(2 if r == SMALL else 1 for r in plan.records[:first])


class TestTwoCommandPipeline:
    """``Get-ThreadRun -Thread T -All | Get-ThreadRun``: the second stage refreshes 250 runs, some failing."""

    def _setup(self, api):
        ids = api.store.add_runs(THREAD, 250)
        failing = ids[7::25]  # 10 runs, spread over all three pages
        for run_id in failing:
            api.inject(Fault.status(500), path=f"/v1/threads/{THREAD}/runs/{run_id}")
        return ids, failing

    def test_failures_skipped_under_silently_continue(self, api):
        ids, failing = self._setup(api)
        out = ps.invoke(f"Get-ThreadRun -Thread {THREAD} -All | "
                        "Get-ThreadRun -MaxRetryCount 0 -ErrorAction SilentlyContinue -ErrorVariable failed")
        assert [r.id for r in out] == [i for i in ids if i not in failing]
        errors = ps.variables["failed"]
        assert [type(e) for e in errors] == [APIRequestError] * len(failing)
        by_path = {r.path: r.request_id for r in api.requests}
        assert [e.request_id for e in errors] == [by_path[f"/v1/threads/{THREAD}/runs/{i}"] for i in failing]
        assert len(api.requests) == 3 + 250  # three pages, one refresh per run, no retries

    def test_failures_retried_away_with_max_retry_count_1(self, api):
        ids, failing = self._setup(api)
        out = ps.invoke(f"Get-ThreadRun -Thread {THREAD} -All | Get-ThreadRun -MaxRetryCount 1 -ev failed2")
        assert [r.id for r in out] == ids  # every run once, in order
        assert ps.variables["failed2"] == []
        assert len(api.requests) == 3 + 250 + len(failing)
        assert api.slept == [2.0] * len(failing)

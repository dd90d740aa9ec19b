"""Many threads calling cmdlets at once share one connection pool safely.

tests/test_transport.py has 8 threads calling ``send`` directly; these are whole cmdlets (Get, List and
-All over three pages) with per-call reporting, retries and warnings, from 16 threads at once.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

import pytest

import pyopenai_ps as ps
from pyopenai_ps.runtime.settings import current_transport
from pyopenai_ps.server import Fault

THREADS = 16
CALLS = 20
SEEDED = [f"run_abc1{n}" for n in range(16, 24)]


def _work(index: int, big_ids: list[str], results: dict, errors: list, pools: set, barrier: threading.Barrier,
          **common):
    """One thread: 20 calls, a mix of Get, List (one page, with and without -Limit) and -All."""
    barrier.wait()  # start together
    try:
        for call in range(CALLS):
            pools.add(id(current_transport().pool_manager))
            kind = (index + call) % 4
            loud = {"verbose": True} if index % 2 == 0 else {}
            if kind == 0:
                run_id = SEEDED[(index + call) % len(SEEDED)]
                got = ps.get_thread_run(thread_id="thread_abc123", run_id=run_id, **loud, **common)
                results[(index, call)] = ("get", [got.id], [run_id])
            elif kind == 1:
                got = ps.invoke("Get-ThreadRun -Thread thread_abc123 -Limit 3 -Order desc"
                                + (" -Verbose" if loud else "")
                                + "".join(f" -{k} {v}" for k, v in common.items()))
                results[(index, call)] = ("list", [r.id for r in got], SEEDED[::-1][:3])
            elif kind == 2:
                got = ps.get_thread_run("thread_big", all=True, **loud, **common)
                results[(index, call)] = ("all", [r.id for r in got], big_ids)
            else:  # a page of 20 of 250: warns "more data", for this call only
                got = ps.get_thread_run("thread_big", **loud, **common)
                results[(index, call)] = ("page", [r.id for r in got], big_ids[:20])
    except BaseException as error:  # noqa: BLE001 - reported by the test
        errors.append(error)


def _run_threads(api, **common) -> tuple[dict, list, set]:
    big_ids = api.store.add_runs("thread_big", 250)
    results: dict = {}
    errors: list = []
    pools: set = set()
    barrier = threading.Barrier(THREADS)
    threads = [threading.Thread(target=_work, args=(i, big_ids, results, errors, pools, barrier), kwargs=common)
               for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a thread is still running after 60 s"
    return results, errors, pools


def _requests_for(results: dict) -> int:
    return sum({"get": 1, "list": 1, "all": 3, "page": 1}[kind] for kind, _, _ in results.values())


def test_sixteen_threads_share_the_pool(api, caplog):
    # the logger stays at its default level (WARNING): only -Verbose calls may write INFO records
    results, errors, pools = _run_threads(api)
    assert errors == []
    assert len(results) == THREADS * CALLS
    wrong = {k: (kind, got[:3]) for k, (kind, got, expected) in results.items() if got != expected}
    assert wrong == {}
    assert len(api.requests) == _requests_for(results)
    # one pool for the process, and no more connections than threads (so none beyond the pool's size)
    assert len(pools) == 1
    connections = {r.connection_id for r in api.requests}
    assert len(connections) <= min(THREADS, current_transport().pool_size)
    # -Verbose belongs to its call: exactly one "GET ..." line per request of a verbose call
    verbose_requests = sum({"get": 1, "list": 1, "all": 3, "page": 1}[kind]
                           for (index, _), (kind, _, _) in results.items() if index % 2 == 0)
    gets = [r for r in caplog.records if r.levelno == logging.INFO and r.getMessage().startswith("GET ")]
    assert len(gets) == verbose_requests
    # the "more data" warning: once per one-page listing of thread_big, never for the others
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == Counter(kind for kind, _, _ in results.values())["page"]


def test_threads_retrying_through_shared_faults(api):
    """503s land on whichever requests come first; retries absorb them and every result is still exact."""
    api.inject(Fault.status(503), times=40)
    api.inject(Fault.status(429, headers={"retry-after-ms": "1"}), times=20)
    results, errors, pools = _run_threads(api, MaxRetryCount=60)
    assert errors == []
    wrong = {k: kind for k, (kind, got, expected) in results.items() if got != expected}
    assert wrong == {} and len(results) == THREADS * CALLS
    assert api.pending_faults == 0
    assert len(api.requests) == _requests_for(results) + 60
    assert len(api.slept) == 60
    assert len(pools) == 1


def test_the_pool_is_created_once_even_when_threads_race_for_it():
    from pyopenai_ps.http import Transport

    transport = Transport()
    barrier = threading.Barrier(THREADS)
    seen: list = []

    def grab():
        barrier.wait()
        seen.append(transport.pool_manager)

    threads = [threading.Thread(target=grab) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(seen) == THREADS and len({id(p) for p in seen}) == 1
    seen[0].clear()


@pytest.mark.parametrize("kind", ["error_variable", "out_variable"])
def test_call_variables_do_not_mix_between_threads(api, kind):
    """Each thread's -ErrorVariable / -OutVariable list gets that thread's records only."""
    lists = [[] for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    failures: list = []

    def work(index):
        barrier.wait()
        try:
            for call in range(CALLS):
                run_id = f"run_missing_{index}_{call}" if kind == "error_variable" else SEEDED[call % 8]
                ps.get_thread_run("thread_abc123", run_id=run_id, error_action="SilentlyContinue",
                                  **{kind: lists[index]})
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    for index, items in enumerate(lists):
        if kind == "error_variable":
            assert [e.error_message.split("'")[1] for e in items] == [
                f"run_missing_{index}_{call}" for call in range(CALLS)]
        else:
            assert [r.id for r in items] == [SEEDED[call % 8] for call in range(CALLS)]

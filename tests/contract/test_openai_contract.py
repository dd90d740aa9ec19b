"""Our requests against OpenAI's official OpenAPI document, served by Prism (opt-in: see conftest.py).

Prism checks every request against the document and answers 401 (security), 404 (no such path) or 422
(a query parameter of the wrong type or outside its enum) to any the document forbids, so each request
that comes back 200 here proves our path, query and headers fit the contract. The negative controls at
the end show Prism really refuses what the document forbids.

What Prism's mock answers (static mode, from the document's examples): a run object whose ``id`` and
``thread_id`` are the placeholder ``"string"`` and whose timestamps are 0; a list page holding one such
run, ``first_id`` ``run_abc123``, ``last_id`` ``run_abc456`` and ``has_more`` false, so ``-All`` ends
after its first page.

Run: PYOPENAI_PS_CONTRACT=1 pytest -q -m contract tests/contract
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from prism_env import skip_reason

import pyopenai_ps as ps
from pyopenai_ps import APIRequestError, NotFoundError, UnauthorizedError
from pyopenai_ps.runtime.output import PSObject

pytestmark = pytest.mark.contract

if skip_reason():  # one line in the report, not one per test
    pytest.skip(skip_reason(), allow_module_level=True)

RUN_STATUSES = {"queued", "in_progress", "requires_action", "cancelling", "cancelled", "failed", "completed",
                "incomplete", "expired"}


def requests_sent(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pyopenai_ps" and r.getMessage().startswith("GET ")]


def is_run(item) -> bool:
    return (isinstance(item, PSObject) and item.type_names[0] == "PSOpenAI.Thread.Run"
            and item.object == "thread.run" and item.status in RUN_STATUSES
            and is_date(item.created_at))


def is_date(value) -> bool:
    """A timestamp as output: an aware UTC datetime, or 0 left as it is (as PSOpenAI leaves it; Prism's
    generated answers give 0)."""
    return (isinstance(value, datetime) and value.tzinfo == UTC) or value == 0


def test_help_example_1(contract, caplog):
    runs = ps.invoke("Get-ThreadRun -RunID 'run_abc123' -Thread 'thread_abc123' -Verbose -TimeoutSec 30")
    assert len(runs) == 1 and is_run(runs[0])
    assert requests_sent(caplog) == [f"GET {contract}/threads/thread_abc123/runs/run_abc123"]


def test_help_example_2_all_terminates(contract, caplog):
    runs = ps.invoke("Get-ThreadRun -Thread 'thread_abc123' -All -Verbose -TimeoutSec 30")
    assert runs and all(is_run(r) for r in runs)
    # Prism's page says has_more: false, so -All asked once and stopped
    assert requests_sent(caplog) == [f"GET {contract}/threads/thread_abc123/runs?limit=100&order=asc"]


@pytest.mark.parametrize("line, query", [
    ("Get-ThreadRun thread_abc123", "limit=20&order=asc"),
    ("Get-ThreadRun thread_abc123 -Limit 1", "limit=1&order=asc"),
    ("Get-ThreadRun thread_abc123 -Limit 100 -Order desc", "limit=100&order=desc"),
    ("Get-ThreadRun thread_abc123 -Order DESC", "limit=20&order=desc"),  # lower-cased: the enum is lower case
    ("Get-ThreadRun thread_abc123 -All -Order desc", "limit=100&order=desc"),
    ("Get-ThreadRun thread_abc123 -All -After run_abc120", "limit=100&order=asc&after=run_abc120"),
    ("Get-ThreadRun thread_abc123 -All -Before run_abc120", "limit=100&order=asc&before=run_abc120"),
    ("Get-ThreadRun thread_abc123 -All -After run_abc110 -Before run_abc120 -Order desc",
     "limit=100&order=desc&after=run_abc110&before=run_abc120"),
])
def test_list_options(contract, caplog, line, query):
    runs = ps.invoke(line + " -Verbose -TimeoutSec 30")
    assert runs and all(is_run(r) for r in runs)
    assert requests_sent(caplog) == [f"GET {contract}/threads/thread_abc123/runs?{query}"]


def test_list_page_has_no_more_data_warning(contract, caplog):
    with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
        ps.get_thread_run("thread_abc123", timeout_sec=30)
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_piped_records_and_the_organization_header(contract, caplog):
    records = [{"thread_id": "thread_abc123", "run_id": "run_abc123"}, "thread_abc456"]
    runs = ps.invoke("Get-ThreadRun -Organization org-contract -Verbose -TimeoutSec 30", input=records)
    assert len(runs) >= 2 and all(is_run(r) for r in runs)
    assert requests_sent(caplog) == [f"GET {contract}/threads/thread_abc123/runs/run_abc123",
                                     f"GET {contract}/threads/thread_abc456/runs?limit=20&order=asc"]


def test_ids_that_need_encoding_still_fit_the_path(contract):
    run = ps.get_thread_run(thread_id="thread a/b", run_id="run?x#y", timeout_sec=30)
    assert is_run(run)


# --- negative controls: Prism refuses what the document forbids ----------------------------------------


def test_control_a_request_without_a_bearer_key_is_refused(contract):
    with pytest.raises(UnauthorizedError) as info:
        ps.get_thread_run("thread_abc123", additional_headers={"Authorization": "Basic Zm9vOmJhcg=="},
                          timeout_sec=30)
    assert info.value.status_code == 401


def test_control_an_order_outside_the_enum_is_refused(contract):
    with pytest.raises(APIRequestError) as info:
        ps.get_thread_run("thread_abc123", additional_query={"order": "sideways"}, timeout_sec=30)
    assert info.value.status_code == 422


def test_control_a_limit_that_is_not_an_integer_is_refused(contract):
    with pytest.raises(APIRequestError) as info:
        ps.get_thread_run("thread_abc123", additional_query={"limit": "many"}, timeout_sec=30)
    assert info.value.status_code == 422


def test_control_a_path_the_document_lacks_is_refused(contract):
    with pytest.raises(NotFoundError):
        ps.get_thread_run("thread_abc123", api_base=contract + "/v1", timeout_sec=30)  # the document has no /v1

"""The spec-only cmdlets against OpenAI's official OpenAPI document, served by Prism (opt-in; see conftest.py).

A 200 from Prism means the path, query and headers fit the document. Prism's mock fills ids with
placeholders, so cross-cmdlet pipelines cannot be chained here; each cmdlet's own calls are checked.
"""

from __future__ import annotations

import pytest
from prism_env import skip_reason

import pyopenai_ps as ps

pytestmark = pytest.mark.contract

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)


def sent(caplog) -> list[str]:
    return [r.getMessage()[4:] for r in caplog.records if r.name == "pyopenai_ps" and r.getMessage().startswith("GET ")]


@pytest.mark.parametrize("line, path, kind", [
    ("Get-Thread -Thread 'thread_abc123'", "/threads/thread_abc123", "PSOpenAI.Thread"),
    ("Get-ThreadMessage -Thread 'thread_abc123' -MessageId 'msg_abc123'", "/threads/thread_abc123/messages/msg_abc123",
     "PSOpenAI.Thread.Message"),
    ("Get-ThreadMessage -Thread 'thread_abc123' -All", "/threads/thread_abc123/messages?limit=100&order=asc",
     "PSOpenAI.Thread.Message"),
    ("Get-ThreadMessage -Thread 'thread_abc123' -Limit 5 -Order desc -RunId 'run_abc123'",
     "/threads/thread_abc123/messages?limit=5&order=desc&run_id=run_abc123", "PSOpenAI.Thread.Message"),
    ("Get-ThreadRunStep -Run @{id='run_abc123'; thread_id='thread_abc123'} -StepId 'step_abc123'",
     "/threads/thread_abc123/runs/run_abc123/steps/step_abc123", "PSOpenAI.Thread.Run.Step"),
    ("Get-ThreadRunStep -Run @{id='run_abc123'; thread_id='thread_abc123'} -Limit 3 -Order desc",
     "/threads/thread_abc123/runs/run_abc123/steps?limit=3&order=desc", "PSOpenAI.Thread.Run.Step"),
    ("Get-ThreadRunStep -Run @{id='run_abc123'; thread_id='thread_abc123'} -All",
     "/threads/thread_abc123/runs/run_abc123/steps?limit=100&order=asc", "PSOpenAI.Thread.Run.Step"),
    ("Get-Assistant -Limit 5 -Order desc", "/assistants?limit=5&order=desc", "PSOpenAI.Assistant"),
    ("Get-Assistant -All", "/assistants?limit=100&order=asc", "PSOpenAI.Assistant"),
    ("Get-Assistant -Assistant 'asst_abc123'", "/assistants/asst_abc123", "PSOpenAI.Assistant"),
    ("Get-Batch -Limit 5", "/batches?limit=5", "PSOpenAI.Batch"),
    ("Get-Batch -BatchId 'batch_abc123'", "/batches/batch_abc123", "PSOpenAI.Batch"),
])
def test_the_document_accepts_each_call(contract, caplog, line, path, kind):
    out = ps.invoke(f"{line} -Verbose -TimeoutSec 30")
    assert out and all(item.type_names[0] == kind for item in out)
    assert sent(caplog)[0] == contract + path


def test_a_static_page_that_always_has_more_ends_the_listing(contract, caplog):
    # Prism's batch page always says has_more with the same last_id: -All must stop, not loop.
    with pytest.raises(ps.PaginationError):
        ps.invoke("Get-Batch -All -Verbose -TimeoutSec 30")
    assert sent(caplog) == [contract + "/batches?limit=100", contract + "/batches?limit=100&after=batch_abc456"]

"""New-Thread, Set-Thread, Remove-Thread and Add-ThreadMessage against OpenAI's official OpenAPI
document, served by Prism (opt-in; see conftest.py).

Prism checks each request body against the document's schema and answers 422 to one it refuses, so
a call that succeeds here shows the body fits (CreateThreadRequest, ModifyThreadRequest,
CreateMessageRequest).  Prism's answers carry the placeholder id "string", so the help's pipeline
(New-Thread | Add-ThreadMessage) cannot be chained here; each cmdlet's own calls are checked.  The
negative control at the end shows Prism does refuse a bad body.
"""

from __future__ import annotations


import pytest
from prism_env import skip_reason

import pyopenai_ps as ps

pytestmark = pytest.mark.contract

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)


def sent(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "pyopenai_ps" and r.getMessage().split(" ", 1)[0] in ("GET", "POST", "DELETE")]


@pytest.mark.parametrize("line, request_line, kind", [
    ("New-Thread", "POST /threads", "PSOpenAI.Thread"),
    ("New-Thread -FileIdsForCodeInterpreter 'file-abc123' -MetaData @{project='demo'}", "POST /threads",
     "PSOpenAI.Thread"),
    ("New-Thread -VectorStoresForFileSearch 'vs_abc123'", "POST /threads", "PSOpenAI.Thread"),
    ("New-Thread -FileIdsForFileSearch 'file-abc123','file-abc456'", "POST /threads", "PSOpenAI.Thread"),
    ("Set-Thread -Thread 'thread_abc123' -MetaData @{topic='sums'}", "POST /threads/thread_abc123",
     "PSOpenAI.Thread"),
    ("Set-Thread -Thread 'thread_abc123' -VectorStoresForFileSearch 'vs_abc123' -FileIdsForCodeInterpreter 'file-a'",
     "POST /threads/thread_abc123", "PSOpenAI.Thread"),
    ("Set-Thread -Thread 'thread_abc123'", "POST /threads/thread_abc123", "PSOpenAI.Thread"),
])
def test_thread_bodies_fit(contract, caplog, line, request_line, kind):
    out = ps.invoke(f"{line} -Verbose -TimeoutSec 30")
    assert len(out) == 1 and out[0].type_names[0] == kind
    method, path = request_line.split(" ")
    assert sent(caplog)[0] == f"{method} {contract}{path}"


def test_hidden_messages_fit(contract, caplog):
    ps.new_thread(messages=["Hello.", {"role": "assistant", "content": "Hi.", "metadata": {"n": "1"}}],
                  verbose=True, timeout_sec=30)
    assert sent(caplog) == [f"POST {contract}/threads"]


@pytest.mark.parametrize("line", [
    "Add-ThreadMessage -Thread 'thread_abc123' -Message 'How many people live in the world?'",
    "Add-ThreadMessage 'Read these.' -Thread 'thread_abc123' -Role assistant -MetaData @{n='1'} "
    "-FileIdsForCodeInterpreter 'file-abc123' -FileIdsForFileSearch 'file-abc456'",
])
def test_message_bodies_fit(contract, caplog, line):
    assert ps.invoke(f"{line} -Verbose -TimeoutSec 30") == []
    assert sent(caplog) == [f"POST {contract}/threads/thread_abc123/messages"]


def test_add_thread_message_pass_thru(contract, caplog):
    out = ps.invoke("Add-ThreadMessage -Thread 'thread_abc123' -Message 'Hi.' -PassThru -Verbose -TimeoutSec 30")
    assert len(out) == 1 and out[0].type_names[0] == "PSOpenAI.Thread"
    # Get-Thread reads the thread, then its messages (Messages; Prism's mock thread is called "string")
    assert sent(caplog) == [f"POST {contract}/threads/thread_abc123/messages", f"GET {contract}/threads/thread_abc123",
                            f"GET {contract}/threads/string/messages?limit=100&order=asc"]


def test_remove_thread(contract, caplog):
    assert ps.invoke("Remove-Thread -Thread 'thread_abc123' -Verbose -TimeoutSec 30") == []
    assert sent(caplog) == [f"DELETE {contract}/threads/thread_abc123"]


def test_control_a_body_the_schema_refuses(contract):
    with pytest.raises(ps.APIRequestError) as info:
        ps.add_thread_message(thread_id="thread_abc123", message="x", role="narrator", timeout_sec=30)
    assert info.value.status_code == 422

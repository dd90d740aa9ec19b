"""The batch cmdlets (Start-Batch, Wait-Batch, Stop-Batch, Get-BatchOutput) and the file batch waits
(Wait-VectorStoreFileBatch, Stop-VectorStoreFileBatch -Wait) against OpenAI's official OpenAPI
document, served by Prism (opt-in; see conftest.py).

Prism checks each request's path, query, headers and JSON body (and an upload's form) against the
document and answers 422 to a body the schema refuses, so each call that succeeds shows our
requests fit. Its mock answers are made from the schemas: a batch is always ``validating``, a file
batch always ``in_progress``, ids are ``"string"`` and a file's content is the JSON text
``"string"``. So waits here stop at those statuses (or time out on a fake clock, after several
reads that each fit), and the output file, not being JSON Lines, ends Get-BatchOutput with a
ResponseFormatError after both of its requests were answered.
"""

from __future__ import annotations

import pytest
from prism_env import skip_reason


import pyopenai_ps as ps
from pyopenai_ps import APIRequestError

pytestmark = pytest.mark.contract

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

OPTIONS = " -Verbose -TimeoutSec 30"
ENDPOINT = "/v1/chat/completions"


def sent(caplog) -> list[str]:
    """The requests made, as ``METHOD path?query`` below the base (from the -Verbose log)."""
    found = []
    for record in caplog.records:
        method, _, url = record.getMessage().partition(" ")
        if record.name == "pyopenai_ps" and method in ("GET", "POST", "DELETE") and "://" in url:
            found.append(f"{method} /" + url.split("://", 1)[1].split("/", 1)[1])
    return found




def request(custom_id: str) -> dict:
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT,
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello."}]}}


@pytest.mark.parametrize("line", [
    "Start-Batch -FileId 'file-abc123'",
    "Start-Batch -FileId 'file-abc123' -Endpoint '/v1/embeddings' -CompletionWindow '24h' -MetaData @{ job = 'nightly' }",
])
def test_start_from_a_file(contract, caplog, line):
    out = ps.invoke(line + OPTIONS)
    assert sent(caplog) == ["POST /batches"]
    assert out[0].type_names[0] == "PSOpenAI.Batch"


def test_start_from_request_objects_uploads_then_starts(contract, caplog):
    out = ps.get_command("Start-Batch").pipe([request("a"), request("b")], verbose=True, timeout_sec=30)
    assert sent(caplog) == ["POST /files", "POST /batches"]
    assert len(out) == 1 and out[0].type_names[0] == "PSOpenAI.Batch"


def test_the_start_help_example_with_a_literal_request(contract, caplog):
    example = ps.get_command("Start-Batch").spec.examples[2].code
    ps.invoke(example + OPTIONS)
    assert sent(caplog) == ["POST /files", "POST /batches"]


@pytest.mark.parametrize("line", [
    "Wait-Batch 'batch_abc123' -StatusForWait in_progress",
    "Wait-Batch 'batch_abc123' -StatusForExit validating,completed",
])
def test_wait_stops_at_the_status_asked(contract, caplog, line):
    out = ps.invoke(line + OPTIONS)
    assert sent(caplog) == ["GET /batches/batch_abc123"] and out[0].status == "validating"


def test_every_read_of_a_wait_fits(contract, caplog, fake_clock):
    with pytest.raises(ps.WaitTimeoutError) as info:
        ps.invoke("Wait-Batch 'batch_abc123' -TimeoutSec 2 -Verbose")
    assert info.value.status == "validating"
    assert len(sent(caplog)) >= 3 and set(sent(caplog)) == {"GET /batches/batch_abc123"}


@pytest.mark.parametrize("line", ["Stop-Batch 'batch_abc123'", "Stop-Batch 'batch_abc123' -PassThru"])
def test_stop(contract, caplog, line):
    out = ps.invoke(line + OPTIONS)
    assert sent(caplog) == ["POST /batches/batch_abc123/cancel"]
    assert all(item.type_names[0] == "PSOpenAI.Batch" for item in out) and len(out) == ("-PassThru" in line)


def test_stop_a_batch_object_by_force(contract, caplog):
    batch = {"id": "batch_abc123", "object": "batch", "status": "completed"}
    out = ps.get_command("Stop-Batch").pipe([batch], force=True, pass_thru=True, verbose=True, timeout_sec=30)
    assert sent(caplog) == ["POST /batches/batch_abc123/cancel"] and out[0].status == "validating"


def test_get_output_reads_the_batch_then_its_file(contract, caplog):
    with pytest.raises(ps.ResponseFormatError):
        ps.invoke("Get-BatchOutput 'batch_abc123'" + OPTIONS)
    assert sent(caplog) == ["GET /batches/batch_abc123", "GET /files/string/content"]


def test_get_output_of_an_object_naming_its_file(contract, caplog):
    batch = {"id": "batch_abc123", "status": "completed", "output_file_id": "file-abc123"}
    with pytest.raises(ps.ResponseFormatError):
        ps.get_command("Get-BatchOutput").pipe([batch], wait=True, verbose=True, timeout_sec=30)
    assert sent(caplog) == ["GET /files/file-abc123/content"]


@pytest.mark.parametrize("line", [
    "Wait-VectorStoreFileBatch -VectorStore 'vs_abc123' -BatchId 'vsfb_abc123' -StatusForExit in_progress",
    "Wait-VectorStoreFileBatch 'vs_abc123' 'vsfb_abc123' -StatusForWait completed",
])
def test_file_batch_wait(contract, caplog, line):
    out = ps.invoke(line + OPTIONS)
    assert sent(caplog) == ["GET /vector_stores/vs_abc123/file_batches/vsfb_abc123"]
    assert out[0].type_names[0] == "PSOpenAI.VectorStore.FileBatch" and out[0].status == "in_progress"


def test_file_batch_stop_with_wait_reads_the_batch_the_cancel_answered(contract, caplog, fake_clock):
    with pytest.raises(ps.WaitTimeoutError) as info:
        ps.invoke("Stop-VectorStoreFileBatch 'vs_abc123' 'vsfb_abc123' -Wait -PassThru -TimeoutSec 2 -Verbose")
    assert info.value.status == "in_progress"
    requests = sent(caplog)
    assert requests[0] == "POST /vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"
    assert len(requests) >= 3 and set(requests[1:]) == {"GET /vector_stores/string/file_batches/string"}


def test_prism_refuses_a_body_the_schema_refuses(contract):
    """A negative control: the 422 shows that the successes above were checked."""
    with pytest.raises(APIRequestError) as info:
        ps.invoke("Start-Batch -FileId 'file-abc123' -CompletionWindow '1h'" + OPTIONS)
    assert info.value.status_code == 422

"""The vector store cmdlets against OpenAI's official OpenAPI document, served by Prism (opt-in; see conftest.py).

Prism checks each request's path, query, headers and JSON body against the document: a body the
schema refuses (an unknown field, a wrong type, an empty file_ids) is answered 422, so each call
that succeeds here shows our request fits the contract. The help's examples run as written where
they are literal; those that use a variable run with an object in its place. Prism's mock answers
from the document's examples (ids such as ``vs_abc123``), so calls are checked one cmdlet at a time.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from prism_env import skip_reason

import pyopenai_ps as ps
from pyopenai_ps import APIRequestError

pytestmark = pytest.mark.contract

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

OPTIONS = " -Verbose -TimeoutSec 30"
STORE = {"id": "vs_abc123", "object": "vector_store"}
FILE = {"id": "file-abc123", "object": "vector_store.file", "vector_store_id": "vs_abc123"}
BATCH = {"id": "vsfb_abc123", "object": "vector_store.files_batch", "vector_store_id": "vs_abc123"}


def sent(caplog) -> list[str]:
    """The requests made, as ``METHOD path?query`` below the base (from the -Verbose log)."""
    found = []
    for record in caplog.records:
        text = record.getMessage()
        method, _, url = text.partition(" ")
        if record.name == "pyopenai_ps" and method in ("GET", "POST", "DELETE") and "://" in url:
            found.append(f"{method} /" + url.split("://", 1)[1].split("/", 1)[1])
    return found


def typed(items, type_name: str) -> bool:
    return bool(items) and all(i.type_names[0] == type_name and (isinstance(i.created_at, datetime) or i.created_at == 0) for i in items)


def literal_examples():
    """(cmdlet, code) of every help example that runs as written (an assignment's right side); a
    pipeline of two cmdlets is left to the test below, as Prism's ids do not chain."""
    for name in ps.get_commands():
        if "VectorStore" not in name or name.startswith("Wait-"):
            continue  # waits stop only at a status Prism's answers never leave: test_batch_contract.py
        command = ps.get_command(name)
        for example in command.spec.examples:
            code = example.code
            if code.startswith("$") and " = " in code:
                code = code.split(" = ", 1)[1].strip()
            head = code.split("|")[0].strip()
            if "$" not in code and (head == code or head.startswith("'")) and "-Wait" not in code:
                yield pytest.param(command.name, code, id=f"{command.name}-{example.title}")


@pytest.mark.parametrize("name, code", list(literal_examples()))
def test_help_examples(contract, caplog, name, code):
    out = ps.invoke(code + "".join(o for o in (" -Verbose", " -TimeoutSec 30") if o.strip() not in code))
    assert sent(caplog), "no request was made"
    assert all(item.type_names[0].startswith("PSOpenAI.VectorStore") for item in out)


@pytest.mark.parametrize("name, record, arguments, first", [
    ("Set-VectorStore", STORE, {"expires_after_days": 30}, "POST /vector_stores/vs_abc123"),
    ("Remove-VectorStoreFile", FILE, {}, "DELETE /vector_stores/vs_abc123/files/file-abc123"),
    ("Add-VectorStoreFile", STORE, {"file_id": "file-abc456", "pass_thru": True},
     "POST /vector_stores/vs_abc123/files"),
    ("Start-VectorStoreFileBatch", STORE, {"file_id": ["file-abc123", "file-abc456"]},
     "POST /vector_stores/vs_abc123/file_batches"),
    ("Get-VectorStoreFileBatch", BATCH, {}, "GET /vector_stores/vs_abc123/file_batches/vsfb_abc123"),
    ("Get-VectorStoreFileInBatch", BATCH, {"filter": "failed"},
     "GET /vector_stores/vs_abc123/file_batches/vsfb_abc123/files?limit=20&order=asc&filter=failed"),
    ("Stop-VectorStoreFileBatch", BATCH, {"pass_thru": True},
     "POST /vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"),
])
def test_help_examples_with_a_variable(contract, caplog, name, record, arguments, first):
    """The examples that pipe `$VectorStore`, `$FileBatch` or another cmdlet's output, with such an
    object piped."""
    out = ps.get_command(name).pipe([record], verbose=True, timeout_sec=30, **arguments)
    assert sent(caplog)[0] == first
    assert all(item.type_names[0].startswith("PSOpenAI.VectorStore") for item in out)


@pytest.mark.parametrize("line, first, type_name", [
    ("New-VectorStore", "POST /vector_stores", "PSOpenAI.VectorStore"),
    ("New-VectorStore -FileId 'file-abc123','file-abc456' -Name 'manuals' -ExpiresAfterDays 365 "
     "-MetaData @{ team = 'support'; year = '2025' }", "POST /vector_stores", "PSOpenAI.VectorStore"),
    ("New-VectorStore -Name 'chunked' -AdditionalBody @{ chunking_strategy = @{ type = 'static'; "
     "static = @{ max_chunk_size_tokens = 800; chunk_overlap_tokens = 400 } } }",
     "POST /vector_stores", "PSOpenAI.VectorStore"),
    ("Set-VectorStore 'vs_abc123'", "POST /vector_stores/vs_abc123", "PSOpenAI.VectorStore"),
    ("Set-VectorStore 'vs_abc123' -Name 'n' -ExpiresAfterDays 1 -MetaData @{ k = 'v' }",
     "POST /vector_stores/vs_abc123", "PSOpenAI.VectorStore"),
    ("Get-VectorStore -Order desc -Limit 100", "GET /vector_stores?limit=100&order=desc", "PSOpenAI.VectorStore"),
    ("Get-VectorStoreFile 'vs_abc123' -All -Order desc -Filter in_progress",
     "GET /vector_stores/vs_abc123/files?limit=100&order=desc&filter=in_progress", "PSOpenAI.VectorStore.File"),
    ("Start-VectorStoreFileBatch 'vs_abc123' 'file-abc123'", "POST /vector_stores/vs_abc123/file_batches",
     "PSOpenAI.VectorStore.FileBatch"),
])
def test_typical_calls(contract, caplog, line, first, type_name):
    out = ps.invoke(line + OPTIONS)
    assert sent(caplog)[0] == first
    assert typed(out, type_name)


@pytest.mark.parametrize("line, first", [
    ("Remove-VectorStore 'vs_abc123'", "DELETE /vector_stores/vs_abc123"),
    ("Remove-VectorStoreFile 'vs_abc123' 'file-abc123'", "DELETE /vector_stores/vs_abc123/files/file-abc123"),
    ("Add-VectorStoreFile 'vs_abc123' 'file-abc123'", "POST /vector_stores/vs_abc123/files"),
    ("Stop-VectorStoreFileBatch 'vs_abc123' 'vsfb_abc123'", "POST /vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel"),
])
def test_calls_that_output_nothing(contract, caplog, line, first):
    assert ps.invoke(line + OPTIONS) == []
    assert sent(caplog) == [first]


@pytest.mark.parametrize("line", [
    "New-VectorStore -AdditionalBody @{ colour = 'blue' }",          # a field the schema does not know
    "New-VectorStore -AdditionalBody @{ file_ids = 'file-abc123' }",  # a string where an array belongs
    "Start-VectorStoreFileBatch 'vs_abc123' 'file-abc123' -AdditionalBody @{ file_ids = @() }",  # minItems 1
])
def test_prism_refuses_a_body_the_schema_refuses(contract, line):
    """Negative controls: the 422s show that the successes above were checked."""
    with pytest.raises(APIRequestError) as info:
        ps.invoke(line + OPTIONS)
    assert info.value.status_code == 422

"""Get-OpenAIFile, Register-OpenAIFile, Remove-OpenAIFile and Get-OpenAIFileContent against OpenAI's
official OpenAPI document, served by Prism (opt-in; see conftest.py).  The upload's multipart form
is checked against CreateFileRequest (a file part and a purpose from the enum).
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


@pytest.mark.parametrize("line, path", [
    ("Get-OpenAIFile -Id 'file-abc123'", "/files/file-abc123"),
    ("Get-OpenAIFile", "/files"),
    ("Get-OpenAIFile -Purpose 'assistants'", "/files?purpose=assistants"),
])
def test_reading_files(contract, caplog, line, path):
    out = ps.invoke(f"{line} -Verbose -TimeoutSec 30")
    assert out and all(item.type_names[0] == "PSOpenAI.File" for item in out)
    assert sent(caplog) == [f"GET {contract}{path}"]


@pytest.mark.parametrize("purpose", ["assistants", "batch", "fine-tune"])
def test_upload_a_file(contract, caplog, tmp_path, purpose):
    path = tmp_path / "sample.jsonl"
    path.write_text('{"a": 1}\n')
    out = ps.invoke(f"Register-OpenAIFile -File '{path}' -Purpose {purpose} -Verbose -TimeoutSec 30")
    assert len(out) == 1 and out[0].type_names[0] == "PSOpenAI.File"
    assert sent(caplog) == [f"POST {contract}/files"]


def test_upload_bytes_help_example_2(contract, caplog):
    out = ps.invoke("Register-OpenAIFile -Content 104,105 -Name 'hello.txt' -Purpose assistants -TimeoutSec 30")
    assert len(out) == 1 and out[0].type_names[0] == "PSOpenAI.File"


def test_remove(contract, caplog):
    assert ps.invoke("Remove-OpenAIFile -Id 'file-abc123' -Verbose -TimeoutSec 30") == []
    assert sent(caplog) == [f"DELETE {contract}/files/file-abc123"]


def test_content(contract, caplog, tmp_path):
    content = ps.get_openai_file_content("file-abc123", timeout_sec=30)
    assert isinstance(content, bytes)
    target = tmp_path / "file.csv"
    assert ps.invoke(f"Get-OpenAIFileContent -Id 'file-abc123' -OutFile '{target}' -TimeoutSec 30") == []
    assert target.read_bytes() == content


def test_control_a_purpose_outside_the_enum_is_refused(contract, tmp_path):
    path = tmp_path / "sample.txt"
    path.write_text("x")
    with pytest.raises(ps.APIRequestError) as info:
        ps.register_openai_file(file=str(path), purpose="no-such-purpose", timeout_sec=30)
    assert info.value.status_code == 422

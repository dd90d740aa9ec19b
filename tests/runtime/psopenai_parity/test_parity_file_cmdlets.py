"""PSOpenAI 3.7.0's Pester tests of Get-OpenAIFile, Register-OpenAIFile, Remove-OpenAIFile and
Get-OpenAIFileContent, against our recording server.

Sources: Tests/Files/*.tests.ps1 (offline and online Contexts), the file steps of
Tests/Threads.E2E.tests.ps1, the cleanup It of Tests/Batch/Batch.E2E.tests.ps1 and STEP1 of
Tests/VectorStores/VectorSrore.E2E.tests.ps1.  The Pester tests upload Tests/TestData files;
here files of the same names and kinds are made in a temporary folder.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import pyopenai_ps as ps

FILES = "/files"
FILE = "/files/file-abc123"

SINGLE = {"id": "file-abc123", "object": "file", "bytes": 120000, "created_at": 1677610602,
          "filename": "mydata.csv", "purpose": "assistants"}
LISTING = {"data": [
    {"id": "file-abc123", "object": "file", "bytes": 175, "created_at": 1613677385, "filename": "salesOverview.pdf",
     "purpose": "assistants"},
    {"id": "file-def456", "object": "file", "bytes": 140, "created_at": 1613779121, "filename": "puppy.jsonl",
     "purpose": "fine-tune"}], "object": "list"}
DELETED = {"id": "file-abc123", "object": "file", "deleted": True}


@pytest.fixture
def test_data(tmp_path) -> Path:
    """Stand-ins for PSOpenAI's Tests/TestData files."""
    folder = tmp_path / "TestData"
    folder.mkdir()
    (folder / "sweets_donut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    (folder / "my-data.jsonl").write_text('{"prompt": "x", "completion": "y"}\n' * 4)
    (folder / "日本語テキスト.txt").write_text("日本語のテキスト", encoding="utf-8")
    return folder


def _parts(sent) -> list[tuple[str, str | None, bytes]]:
    """The multipart parts of a recorded body: (name, filename, content)."""
    boundary = re.fullmatch(r"multipart/form-data; boundary=(\S+)", sent.header("Content-Type")).group(1)
    found = []
    for chunk in sent.body.split(f"--{boundary}".encode())[1:-1]:
        head, _, content = chunk[2:].partition(b"\r\n\r\n")
        disposition = head.decode().split("\r\n")[0]
        name = re.search(r'name="([^"]*)"', disposition).group(1)
        filename = re.search(r'filename="([^"]*)"', disposition)
        found.append((name, filename.group(1) if filename else None, content[:-2]))
    assert sent.body.endswith(f"--{boundary}--\r\n".encode())
    return found


class _Files:
    """A tiny file store behind the recording server (upload, read, list, content, delete)."""

    def __init__(self, rec) -> None:
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}
        rec.route("POST", FILES, self.upload)
        rec.route("GET", FILES, self.listing)
        rec.route("GET", r"/files/(?P<f>[^/]+)", self.read)
        rec.route("GET", r"/files/(?P<f>[^/]+)/content", self.content)
        rec.route("DELETE", r"/files/(?P<f>[^/]+)", self.delete)

    def add(self, data: bytes, filename: str, purpose: str) -> dict[str, Any]:
        file_id = f"file-up{len(self.files) + 1:03d}"
        obj = {"id": file_id, "object": "file", "bytes": len(data), "created_at": 1700000000,
               "filename": filename, "purpose": purpose}
        self.files[file_id] = (obj, data)
        return obj

    def upload(self, sent, match):
        parts = {name: (filename, content) for name, filename, content in _parts(sent)}
        filename, data = parts["file"]
        return 200, {}, self.add(data, filename, parts["purpose"][1].decode())

    def listing(self, sent, match):
        purpose = sent.query.get("purpose")
        return 200, {}, {"object": "list", "data": [o for o, _ in self.files.values()
                                                     if purpose is None or o["purpose"] == purpose]}

    def _missing(self, file_id):
        return 404, {}, {"error": {"message": f"No such File object: {file_id}", "type": "invalid_request_error",
                                   "param": "id", "code": None}}

    def read(self, sent, match):
        found = self.files.get(match.group("f"))
        return (200, {}, found[0]) if found else self._missing(match.group("f"))

    def content(self, sent, match):
        found = self.files.get(match.group("f"))
        if not found:
            return self._missing(match.group("f"))
        return 200, {"Content-Type": "application/octet-stream"}, found[1]

    def delete(self, sent, match):
        if self.files.pop(match.group("f"), None) is None:
            return self._missing(match.group("f"))
        return 200, {}, {**DELETED, "id": match.group("f")}


# ======================================================================================
# Tests/Files/Get-OpenAIFile.tests.ps1
# ======================================================================================


class TestGetOpenAIFilePester:
    """Describe 'Get-OpenAIFile'."""

    def test_get_a_single_object_with_file_id(self, rec):
        """Get-OpenAIFile.tests.ps1 / offline / Get Single File / It 'Get a single object with file ID'."""
        rec.object(FILE, SINGLE)
        result = ps.invoke("Get-OpenAIFile -ID 'file-abc123' -ea Stop")[0]
        sent = rec.only()
        assert (sent.method, sent.path, sent.query) == ("GET", FILE, {})
        assert sent.header("OpenAI-Beta") is None
        assert result.id == "file-abc123" and result.object == "file" and isinstance(result.created_at, datetime)
        assert result.type_names[0] == "PSOpenAI.File"

    def test_pipeline_input(self, rec):
        """Get-OpenAIFile.tests.ps1 / offline / Get Single File / It 'Pipeline input'."""
        rec.object(FILE, SINGLE)
        ps.get_command("Get-OpenAIFile").pipe([{"file_id": "file-abc123", "object": "file"}], error_action="Stop")
        assert rec.only().path == FILE

    def test_get_all_files(self, rec):
        """Get-OpenAIFile.tests.ps1 / offline / List Files / It 'Get all files.'."""
        rec.object(FILES, LISTING)
        result = ps.get_openai_file(error_action="Stop")
        assert (rec.only().path, rec.only().query) == (FILES, {})
        assert len(result) == 2 and all(f.type_names[0] == "PSOpenAI.File" for f in result)

    @pytest.fixture
    def uploaded(self, rec, test_data):
        """BeforeAll: two files uploaded."""
        store = _Files(rec)
        first = ps.register_openai_file(file=str(test_data / "sweets_donut.png"), purpose="assistants")
        second = ps.register_openai_file(file=str(test_data / "my-data.jsonl"), purpose="fine-tune")
        yield store, first, second
        ps.get_command("Remove-OpenAIFile").pipe([first, second], error_action="SilentlyContinue")  # AfterAll
        assert store.files == {}

    def test_online_get_a_single_object_with_file_id(self, uploaded):
        """Get-OpenAIFile.tests.ps1 / online / It 'Get a single object with file ID'."""
        _, first, _ = uploaded
        result = ps.get_openai_file(id=first.id, error_action="Stop")
        assert (result.id, result.object, result.filename) == (first.id, "file", "sweets_donut.png")

    def test_online_get_all_files(self, uploaded):
        """Get-OpenAIFile.tests.ps1 / online / It 'Get all files.'."""
        assert len(ps.get_openai_file(error_action="Stop")) >= 2

    def test_online_get_specified_purpose_files(self, uploaded, rec):
        """Get-OpenAIFile.tests.ps1 / online / It 'Get specified purpose files.'."""
        _, _, second = uploaded
        result = ps.invoke("Get-OpenAIFile -Purpose fine-tune -ea Stop")
        assert rec.last.query == {"purpose": "fine-tune"}
        assert len(result) >= 1 and second.id in [f.id for f in result]
        assert "my-data.jsonl" in [f.filename for f in result]


# ======================================================================================
# Tests/Files/Get-OpenAIFileContent.tests.ps1
# ======================================================================================


class TestGetOpenAIFileContentPester:
    """Describe 'Get-OpenAIFileContent'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("GET", FILE + "/content", lambda sent, match: (200, {}, b"ABC"))
        return rec

    def test_save_content_to_local_file(self, mocked, tmp_path):
        """Get-OpenAIFileContent.tests.ps1 / offline / It 'Save content to local file'."""
        out_file = tmp_path / "abc.txt"
        result = ps.invoke(f"Get-OpenAIFileContent -ID 'file-abc123' -OutFile '{out_file}' -ea Stop")
        assert (mocked.only().method, mocked.only().path) == ("GET", FILE + "/content")
        assert result == [] and out_file.read_bytes() == b"ABC"

    def test_output_content_as_byte_array(self, mocked):
        """Get-OpenAIFileContent.tests.ps1 / offline / It 'Output content as byte array'."""
        result = ps.get_openai_file_content(id="file-abc123", error_action="Stop")
        assert isinstance(result, bytes) and len(result) == 3 and result[0] == 65

    def test_online_save_content_to_local_file(self, rec, test_data, tmp_path):
        """Get-OpenAIFileContent.tests.ps1 / online / It 'Save content to local file'."""
        _Files(rec)
        uploaded = ps.register_openai_file(file=str(test_data / "my-data.jsonl"), purpose="fine-tune")
        out_file = tmp_path / "my-data.jsonl"
        ps.get_openai_file_content(id=uploaded.id, out_file=str(out_file), error_action="Stop")
        assert out_file.read_bytes() == (test_data / "my-data.jsonl").read_bytes()
        ps.get_command("Remove-OpenAIFile").pipe([uploaded], error_action="SilentlyContinue")  # AfterEach


# ======================================================================================
# Tests/Files/Register-OpenAIFile.tests.ps1
# ======================================================================================


class TestRegisterOpenAIFilePester:
    """Describe 'Register-OpenAIFile'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("POST", FILES, lambda sent, match: (200, {}, SINGLE))
        return rec

    def test_upload_single_file(self, mocked, test_data):
        """Register-OpenAIFile.tests.ps1 / offline / It 'Upload single file'."""
        result = ps.register_openai_file(file=str(test_data / "sweets_donut.png"), purpose="assistants",
                                         error_action="Stop")
        sent = mocked.only()
        assert (sent.method, sent.path) == ("POST", FILES)
        assert _parts(sent) == [("file", "sweets_donut.png", (test_data / "sweets_donut.png").read_bytes()),
                                ("purpose", None, b"assistants")]
        assert result.id == "file-abc123" and result.object == "file" and isinstance(result.created_at, datetime)

    def test_pipeline_input_fileinfo(self, mocked, test_data):
        """Register-OpenAIFile.tests.ps1 / offline / It 'Pipeline input (FileInfo)' (a Path object)."""
        ps.get_command("Register-OpenAIFile").pipe([test_data / "sweets_donut.png"], purpose="assistants",
                                                   error_action="Stop")
        assert _parts(mocked.only())[0][:2] == ("file", "sweets_donut.png")

    def test_upload_from_raw_bytes(self, mocked):
        """Register-OpenAIFile.tests.ps1 / offline / It 'Upload from raw bytes'."""
        result = ps.register_openai_file(content=bytes(range(97, 100)), name="test.txt", purpose="assistants",
                                         error_action="Stop")
        assert _parts(mocked.only()) == [("file", "test.txt", b"abc"), ("purpose", None, b"assistants")]
        assert result.id == "file-abc123" and result.object == "file" and isinstance(result.created_at, datetime)

    def test_error_if_the_file_does_not_exist(self, mocked, test_data):
        """Register-OpenAIFile.tests.ps1 / offline / It 'Error if the file does not exist'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.register_openai_file(file=str(test_data / "notexist.txt"), purpose="assistants", error_action="Stop")
        assert mocked.requests == []

    @pytest.fixture
    def store(self, rec):
        found = _Files(rec)
        yield found
        for obj, _ in list(found.files.values()):  # AfterEach
            ps.get_command("Remove-OpenAIFile").pipe([obj], error_action="SilentlyContinue")

    def test_online_upload_test_file(self, store, test_data):
        """Register-OpenAIFile.tests.ps1 / online / It 'Upload test file'."""
        result = ps.register_openai_file(file=str(test_data / "my-data.jsonl"), purpose="fine-tune",
                                         error_action="Stop")
        assert result.id.startswith("file") and result.object == "file" and result.filename == "my-data.jsonl"

    def test_online_upload_test_content(self, store, test_data):
        """Register-OpenAIFile.tests.ps1 / online / It 'Upload test content'."""
        raw = (test_data / "my-data.jsonl").read_bytes()
        result = ps.register_openai_file(content=raw, name="raw-data.jsonl", purpose="batch", error_action="Stop")
        assert result.id.startswith("file") and result.object == "file" and result.filename == "raw-data.jsonl"
        assert store.files[result.id][1] == raw

    def test_online_upload_test_file_non_latin_file_name(self, store, test_data):
        """Register-OpenAIFile.tests.ps1 / online / It 'Upload test file (non-latin file name)'."""
        result = ps.register_openai_file(file=str(test_data / "日本語テキスト.txt"), purpose="assistants",
                                         error_action="Stop")
        assert result.id.startswith("file") and result.filename == "日本語テキスト.txt"


# ======================================================================================
# Tests/Files/Remove-OpenAIFile.tests.ps1
# ======================================================================================


class TestRemoveOpenAIFilePester:
    """Describe 'Remove-OpenAIFile'."""

    @pytest.fixture
    def mocked(self, rec):
        rec.route("DELETE", FILE, lambda sent, match: (200, {}, DELETED))
        return rec

    def test_remove_file_with_id(self, mocked):
        """Remove-OpenAIFile.tests.ps1 / offline / It 'Remove file with ID'."""
        assert ps.invoke("Remove-OpenAIFile -ID 'file-abc123' -ea Stop") == []
        sent = mocked.only()
        assert (sent.method, sent.path, sent.body) == ("DELETE", FILE, b"")

    def test_pipeline_input(self, mocked):
        """Remove-OpenAIFile.tests.ps1 / offline / It 'Pipeline input'."""
        ps.get_command("Remove-OpenAIFile").pipe([{"file_id": "file-abc123", "object": "file"}], error_action="Stop")
        assert mocked.only().path == FILE

    def test_online_remove_a_file(self, rec, test_data):
        """Remove-OpenAIFile.tests.ps1 / online / It 'Remove a file'."""
        store = _Files(rec)
        uploaded = ps.register_openai_file(file=str(test_data / "my-data.jsonl"), purpose="fine-tune")
        ps.remove_openai_file(id=uploaded.id, error_action="Stop")
        assert store.files == {}


# ======================================================================================
# The file steps of the E2E tests
# ======================================================================================


class TestE2EFiles:
    def test_threads_e2e_step6_download_file_that_has_been_generated(self, rec, tmp_path):
        """Threads.E2E.tests.ps1 / Code interpreter / It 'STEP6: Download file that has been generated.'."""
        store = _Files(rec)
        made = store.add(b"ID,Name,Password\nabc1234,Ann,pw12345678\nxyz9876,Bob,pw87654321\n", "users.csv",
                         "assistants_output")
        out_file = tmp_path / "test.csv"
        ps.get_command("Get-OpenAIFileContent").pipe([made["id"]], out_file=str(out_file), error_action="Stop")
        rows = out_file.read_text().splitlines()[1:]
        assert len(rows) > 1 and all(len(row.split(",")) == 3 and all(row.split(",")) for row in rows)

    def test_threads_e2e_step7_cleanup_removes_the_files(self, rec):
        """Threads.E2E.tests.ps1 / Code interpreter / It 'STEP7: Cleanup Thread and Assistant' (the file part)."""
        store = _Files(rec)
        made = store.add(b"x", "users.csv", "assistants_output")
        ps.get_command("Remove-OpenAIFile").pipe([made["id"]], error_action="Stop")
        assert store.files == {}

    @pytest.mark.parametrize("source", ["Threads.E2E File Search STEP1", "VectorSrore.E2E STEP1"])
    def test_upload_test_data_sets(self, rec, test_data, source):
        """Threads.E2E.tests.ps1 / File Search / It 'STEP1: Uploads test data', and
        VectorStores/VectorSrore.E2E.tests.ps1 / It 'STEP1: Upload test data sets'."""
        store = _Files(rec)
        data_set = sorted(test_data.iterdir())
        uploaded = ps.get_command("Register-OpenAIFile").pipe(data_set, purpose="assistants", timeout_sec=300)
        assert len(uploaded) == len(data_set)
        assert uploaded[0].id.startswith("file") and uploaded[0].object == "file"
        assert uploaded[0].purpose == "assistants"
        # File Search STEP7 / VectorSrore.E2E STEP7: $script:UploadItems | Remove-OpenAIFile
        ps.get_command("Remove-OpenAIFile").pipe(uploaded, error_action="Stop")
        assert store.files == {}

    def test_batch_e2e_cleanup(self, rec):
        """Batch/Batch.E2E.tests.ps1 / It 'Cleanup: Remove batch input/output file from storage'."""
        store = _Files(rec)
        batch = {"input_file_id": store.add(b"{}\n", "in.jsonl", "batch")["id"],
                 "output_file_id": store.add(b"{}\n", "out.jsonl", "batch_output")["id"]}
        ps.get_command("Remove-OpenAIFile").pipe([batch["input_file_id"]], timeout_sec=10, error_action="Stop")
        ps.get_command("Remove-OpenAIFile").pipe([batch["output_file_id"]], timeout_sec=10, error_action="Stop")
        assert store.files == {}


class TestDeliberate:
    def test_a_text_content_type_is_still_written_as_bytes(self, rec, tmp_path):
        """3.7.0 fails -OutFile when the answer is labelled text or JSON (its .Content is then a string):
        the bytes are written whatever the label."""
        rec.route("GET", FILE + "/content", lambda sent, match: (200, {}, b'{"a": 1}\n'))  # served as JSON
        ps.get_openai_file_content("file-abc123", out_file=str(tmp_path / "a.jsonl"))
        assert (tmp_path / "a.jsonl").read_bytes() == b'{"a": 1}\n'

    def test_out_file_into_a_missing_folder_is_refused_before_the_request(self, rec, tmp_path):
        """3.7.0 creates the folder after the download; here a missing folder is an error before anything is sent."""
        with pytest.raises(ps.MissingValueError):
            ps.get_openai_file_content("file-abc123", out_file=str(tmp_path / "new" / "a.txt"))
        assert rec.requests == [] and not (tmp_path / "new").exists()

    def test_the_file_part_content_type_comes_from_the_name(self, rec, test_data):
        """3.7.0 labels every file part application/octet-stream; here the name chooses (a .jsonl stays
        application/octet-stream)."""
        rec.route("POST", FILES, lambda sent, match: (200, {}, SINGLE))
        ps.register_openai_file(file=str(test_data / "sweets_donut.png"), purpose="assistants")
        ps.register_openai_file(file=str(test_data / "my-data.jsonl"), purpose="batch")
        types = [re.search(rb"Content-Type: (\S+)", r.body).group(1) for r in rec.requests]
        assert types == [b"image/png", b"application/octet-stream"]

"""PSOpenAI 3.7.0's Pester tests of Start-Batch, Stop-Batch, Wait-Batch and Get-BatchOutput, and the
Its of Batch.E2E.tests.ps1 that use them, against our recording server.

Sources, under Tests/Batch/: Start-Batch.tests.ps1, Stop-Batch.tests.ps1, Wait-Batch.tests.ps1,
Get-BatchOutput.tests.ps1 (offline Contexts: Invoke-OpenAIAPIRequest, and the inner cmdlets
Register-OpenAIFile, Get-Batch, Wait-Batch and Get-OpenAIFileContent, were mocked; here the server
answers their requests, so "Get-Batch was invoked" reads "GET /batches/{id} was asked") and
Batch.E2E.tests.ps1 (online: here a small stateful set of routes plays the API). Its "STEP1"
builds the request objects with Request-ChatCompletion -AsBatch, which is not ported: the objects
are written out here. Its "STEP4: Get Batch" is in test_parity_pester_assistants_batch.py.

Waits never sleep: the transport's sleeper advances a fake clock.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import count

import pytest
from parity_support import batch_obj, page

from fakes import FakeClock

import pyopenai_ps as ps

ENDPOINT = "/v1/chat/completions"




@pytest.fixture
def clock(fake_clock: FakeClock) -> FakeClock:
    return fake_clock


def answer(rec, method: str, path: str, body) -> None:
    rec.route(method, re.escape(path), lambda request, match: (200, {}, body))


def requests_of(rec) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in rec.requests]


def batch_input(custom_id: str) -> dict:
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": {"model": "gpt-3.5-turbo"}}


# ======================================================================================
# Tests/Batch/Start-Batch.tests.ps1
# ======================================================================================


class TestStartBatchPester:
    """Describe 'Start-Batch' / Context 'Unit tests (offline)'."""

    @pytest.fixture
    def started(self, rec):
        answer(rec, "POST", "/files", {"id": "file-abc123", "object": "file", "purpose": "batch",
                                       "filename": "x.jsonl", "bytes": 1, "created_at": 1711471530})
        answer(rec, "POST", "/batches", batch_obj(endpoint="/v1/completions", status="validating",
                                                  output_file_id=None, input_file_id="file-abc123"))
        return rec

    @staticmethod
    def _check(result) -> None:
        assert result.type_names[0] == "PSOpenAI.Batch" and result.id == "batch_abc123"
        assert isinstance(result.created_at, datetime) and result.status == "validating"

    def test_start_batch_with_file_input_id(self, started):
        """Start-Batch.tests.ps1 / It 'Start batch with file_input_id'."""
        result = ps.start_batch(file_id="file-abc123", error_action="Stop")
        assert requests_of(started) == [("POST", "/batches")]  # no Register-OpenAIFile
        assert json.loads(started.last.body)["input_file_id"] == "file-abc123"
        self._check(result)

    def test_start_batch_with_input_objects(self, started):
        """Start-Batch.tests.ps1 / It 'Start batch with input objects'."""
        result = ps.start_batch(input_object=[batch_input("custom-1"), batch_input("custom-2")], error_action="Stop")
        assert requests_of(started) == [("POST", "/files"), ("POST", "/batches")]  # one upload, one batch
        self._check(result)

    def test_start_batch_with_input_objects_pipeline_input(self, started):
        """Start-Batch.tests.ps1 / It 'Start batch with input objects (pipeline input)'."""
        result = ps.get_command("Start-Batch").pipe([batch_input("custom-1"), batch_input("custom-2")],
                                                    error_action="Stop")
        assert requests_of(started) == [("POST", "/files"), ("POST", "/batches")]
        assert b'"custom_id":"custom-1"' in started.requests[0].body and b'name="purpose"' in started.requests[0].body
        assert len(result) == 1
        self._check(result[0])


# ======================================================================================
# Tests/Batch/Stop-Batch.tests.ps1
# ======================================================================================


class TestStopBatchPester:
    """Describe 'Stop-Batch' / Context 'Unit tests (offline)'."""

    CANCEL = "/batches/batch_abc123/cancel"
    GET = "/batches/batch_abc123"

    @pytest.fixture
    def api(self, rec, clock):
        answer(rec, "POST", self.CANCEL, batch_obj(status="cancelling", output_file_id=None, completed_at=None,
                                                   finalizing_at=None, cancelling_at=1711493163))
        answer(rec, "GET", self.GET, batch_obj(status="cancelled", output_file_id=None, cancelled_at=1711493170))
        return rec

    IN_PROGRESS = {"id": "batch_abc123", "status": "in_progress"}

    def test_cancel_batch(self, api):
        """Stop-Batch.tests.ps1 / It 'Cancel batch'."""
        assert ps.stop_batch(dict(self.IN_PROGRESS), error_action="Stop") is None
        assert requests_of(api) == [("POST", self.CANCEL)]  # Wait-Batch not invoked

    def test_cancel_batch_passthru(self, api):
        """Stop-Batch.tests.ps1 / It 'Cancel batch (PassThru)'."""
        result = ps.stop_batch(dict(self.IN_PROGRESS), pass_thru=True, error_action="Stop")
        assert requests_of(api) == [("POST", self.CANCEL)]
        assert (result.id, result.status) == ("batch_abc123", "cancelling")

    def test_cancel_run_and_wait_cancelled(self, api):
        """Stop-Batch.tests.ps1 / It 'Cancel run and wait cancelled'."""
        assert ps.stop_batch(dict(self.IN_PROGRESS), wait=True, error_action="Stop") is None
        assert requests_of(api) == [("POST", self.CANCEL), ("GET", self.GET)]  # Wait-Batch invoked once

    def test_cancel_run_and_wait_cancelled_passthru(self, api):
        """Stop-Batch.tests.ps1 / It 'Cancel run and wait cancelled (PassThru)'."""
        result = ps.stop_batch(dict(self.IN_PROGRESS), wait=True, pass_thru=True, error_action="Stop")
        assert requests_of(api) == [("POST", self.CANCEL), ("GET", self.GET)]
        assert (result.id, result.status) == ("batch_abc123", "cancelled")

    def test_error_when_the_run_status_is_not_valid(self, api):
        """Stop-Batch.tests.ps1 / It 'Error when the run status is not valid'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.stop_batch({"id": "batch_abc123", "status": "completed"}, error_action="Stop")
        assert api.requests == []

    def test_when_the_force_is_specified_no_error_even_if_the_run_status_is_not_valid(self, api):
        """Stop-Batch.tests.ps1 / It 'When the Force is specified, No error even if the run status is not valid'."""
        result = ps.stop_batch({"id": "batch_abc123", "status": "completed"}, force=True, pass_thru=True,
                               error_action="Stop")
        assert requests_of(api) == [("POST", self.CANCEL)] and result.id == "batch_abc123"

    def test_error_on_invalid_input(self, api):
        """Stop-Batch.tests.ps1 / It 'Error on invalid input'."""
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Stop-Batch").pipe([datetime.today()], error_action="Stop")
        assert api.requests == []


# ======================================================================================
# Tests/Batch/Wait-Batch.tests.ps1
# ======================================================================================


class TestWaitBatchPester:
    """Describe 'Wait-Batch' / Context 'Unit tests (offline)'."""

    GET = "/batches/batch_abc123"

    def _get_answers(self, rec, status: str) -> None:
        answer(rec, "GET", self.GET, {"id": "batch_abc123", "status": status})

    def gets(self, rec) -> int:
        assert {r.path for r in rec.requests} <= {self.GET}
        return len(rec.requests)

    def test_wait_batch_completes(self, rec, clock):
        """Wait-Batch.tests.ps1 / It 'Wait batch completes'."""
        self._get_answers(rec, "completed")
        result = ps.wait_batch({"id": "batch_abc123", "status": "in_progress"}, error_action="Stop")
        assert self.gets(rec) == 1
        assert (result.id, result.status) == ("batch_abc123", "completed")

    def test_wait_batch_completes_already_completed(self, rec, clock):
        """Wait-Batch.tests.ps1 / It 'Wait batch completes (already completed)'."""
        self._get_answers(rec, "completed")
        result = ps.wait_batch({"id": "batch_abc123", "status": "completed"}, error_action="Stop")
        assert self.gets(rec) == 1 and result.status == "completed"

    def test_custom_wait_status(self, rec, clock):
        """Wait-Batch.tests.ps1 / It 'Custom wait status' (it times out: cancelling is waited in)."""
        self._get_answers(rec, "cancelling")
        with pytest.raises(ps.WaitTimeoutError):
            ps.wait_batch({"id": "batch_abc123", "thread_id": "thread_abc123", "status": "in_progress"},
                          status_for_wait=["cancelling", "failed"], timeout_sec=2, error_action="Stop")
        assert self.gets(rec) >= 1

    def test_custom_exit_status(self, rec, clock):
        """Wait-Batch.tests.ps1 / It 'Custom exit status'."""
        self._get_answers(rec, "in_progress")
        ps.wait_batch({"id": "batch_abc123", "status": "validating"}, status_for_exit=["completed", "in_progress"],
                      error_action="Stop")
        assert self.gets(rec) == 1

    def test_error_on_timeout(self, rec, clock):
        """Wait-Batch.tests.ps1 / It 'Error on timeout'."""
        self._get_answers(rec, "in_progress")
        result = None
        with pytest.raises(ps.WaitTimeoutError):
            result = ps.wait_batch({"id": "batch_abc123", "status": "in_progress"}, timeout_sec=2,
                                   error_action="Stop")
        assert self.gets(rec) >= 1 and result is None
        assert sum(clock.slept) == pytest.approx(2.0)

    def test_error_on_invalid_input(self, rec, clock):
        """Wait-Batch.tests.ps1 / It 'Error on invalid input'."""
        self._get_answers(rec, "completed")
        with pytest.raises(ps.PSOpenAIError):
            ps.get_command("Wait-Batch").pipe([datetime.today()], error_action="Stop")
        assert rec.requests == []


# ======================================================================================
# Tests/Batch/Get-BatchOutput.tests.ps1
# ======================================================================================

OUTPUT_LINES = [
    {"id": "batch_req_abc123", "custom_id": "request-3", "response": {"status_code": 200, "request_id": "b9deb0", "body": {
        "id": "chatcmpl-9GTV", "object": "chat.completion", "created": 1713713704, "model": "gpt-3.5-turbo-0125",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "AWS stands for Amazon Web Services."},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 70, "total_tokens": 82}, "system_fingerprint": "fp_123"}},
     "error": None},
    {"id": "batch_req_abc456", "custom_id": "request-1", "response": {"status_code": 200, "request_id": "d4f362", "body": {
        "id": "chatcmpl-mOVq", "object": "chat.completion", "created": 1713713704, "model": "gpt-3.5-turbo-0125",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "はじめまし"},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 28, "completion_tokens": 78, "total_tokens": 106}, "system_fingerprint": "fp_c22"}},
     "error": None},
    {"id": "batch_req_abc789", "custom_id": "request-2", "response": {"status_code": 200, "request_id": "20a0f", "body": {
        "id": "chatcmpl-FQDj", "object": "chat.completion", "created": 1713713704, "model": "gpt-3.5-turbo-0125",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Good night! Have a restful sleep."},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 9, "total_tokens": 19}, "system_fingerprint": "fp_95e7"}},
     "error": None},
]
# As the mock writes it: indented lines, a blank line at the end.
OUTPUT = ("".join("            " + json.dumps(line, ensure_ascii=False) + "\n" for line in OUTPUT_LINES) + "\n").encode()


class TestGetBatchOutputPester:
    """Describe 'Get-BatchOutput' / Context 'Unit tests (offline)'."""

    CONTENT = "/files/file-abc123/content"

    @pytest.fixture
    def api(self, rec, clock):
        answer(rec, "GET", "/batches/batch_incomplete",
               {"id": "batch_incomplete", "output_file_id": None, "status": "in_progress"})
        answer(rec, "GET", "/batches/batch_completed",
               {"id": "batch_completed", "output_file_id": "file-abc123", "status": "completed"})
        rec.route("GET", re.escape(self.CONTENT), lambda request, match: (
            200, {"Content-Type": "application/octet-stream"}, OUTPUT))
        return rec

    @staticmethod
    def _check(result) -> None:
        assert len(result) == 3
        assert result[0].type_names[0] == "PSOpenAI.Batch.Output" and result[0].id.startswith("batch_req_abc")
        assert isinstance(result[0].response.body.created, datetime)

    def test_get_output_from_completed_batch(self, api):
        """Get-BatchOutput.tests.ps1 / It 'Get output from completed batch'."""
        given = {"id": "batch_completed", "output_file_id": "file-abc123", "status": "completed"}
        result = ps.get_batch_output(given, error_action="Stop")
        assert requests_of(api) == [("GET", self.CONTENT)]  # no Get-Batch, no Wait-Batch
        self._check(result)

    def test_get_output_from_completed_batch_pipeline_input(self, api):
        """Get-BatchOutput.tests.ps1 / It 'Get output from completed batch (pipeline input)'."""
        given = {"id": "batch_completed", "output_file_id": "file-abc123", "status": "completed"}
        result = ps.get_command("Get-BatchOutput").pipe([given], error_action="Stop")
        assert requests_of(api) == [("GET", self.CONTENT)]
        self._check(result)

    def test_get_output_from_completed_batch_with_wait(self, api):
        """Get-BatchOutput.tests.ps1 / It 'Get output from completed batch (with -Wait)'."""
        given = {"id": "batch_completed", "output_file_id": "file-abc123", "status": "completed"}
        result = ps.get_batch_output(given, wait=True, error_action="Stop")
        assert requests_of(api) == [("GET", self.CONTENT)]
        self._check(result)

    def test_throw_error_when_the_batch_is_not_completed_without_wait(self, api):
        """Get-BatchOutput.tests.ps1 / It 'Throw Error when the batch is not completed. (Without -Wait)'."""
        result = None
        with pytest.raises(ps.PSOpenAIError):
            result = ps.get_batch_output({"id": "batch_incomplete", "output_file_id": None, "status": "in_progress"},
                                         error_action="Stop")
        assert requests_of(api) == [("GET", "/batches/batch_incomplete")] and result is None  # Get-Batch once

    def test_no_error_when_the_batch_is_done_on_the_server_without_wait(self, api):
        """Get-BatchOutput.tests.ps1 / It 'No Error when the batch is done on the server. (Without -Wait)'."""
        result = ps.get_batch_output({"id": "batch_completed", "output_file_id": None, "status": "in_progress"},
                                     error_action="Stop")
        assert requests_of(api) == [("GET", "/batches/batch_completed"), ("GET", self.CONTENT)]
        self._check(result)

    def test_wait_until_the_batch_completion_with_wait(self, api, clock):
        """Get-BatchOutput.tests.ps1 / It 'Wait until the batch completion. (with -Wait)' (the mocked Wait-Batch
        answered a batch with an output file: here the batch is done at the second read)."""
        reads = count()
        api.route("GET", re.escape("/batches/batch_incomplete"), lambda request, match: (200, {}, {
            "id": "batch_incomplete", "status": "in_progress" if next(reads) == 0 else "completed",
            "output_file_id": "file-abc123"}))
        result = ps.get_batch_output({"id": "batch_incomplete", "output_file_id": None, "status": "in_progress"},
                                     wait=True, error_action="Stop")
        assert requests_of(api) == [("GET", "/batches/batch_incomplete")] * 2 + [("GET", self.CONTENT)]
        assert clock.slept == [0.2]  # Wait-Batch's second read; Get-Batch is not asked besides
        self._check(result)


# ======================================================================================
# Tests/Batch/Batch.E2E.tests.ps1 (Describe 'Batch E2E Test', online)
# ======================================================================================


class FakeBatchAPI:
    """Just enough of the Batch API, kept in memory, for the E2E's steps: a batch is validating when
    made and completed at its second read; its output echoes each request's custom_id."""

    def __init__(self, rec) -> None:
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self.reads: dict[str, int] = {}
        self.numbers = count(1)
        routes = [("POST", r"/files", self.upload), ("POST", r"/batches", self.create),
                  ("GET", r"/batches", self.listing), ("GET", r"/batches/([^/]+)", self.get),
                  ("POST", r"/batches/([^/]+)/cancel", self.cancel), ("GET", r"/files/([^/]+)/content", self.content),
                  ("DELETE", r"/files/([^/]+)", self.delete)]
        for method, path, handler in routes:
            rec.route(method, path, lambda request, match, handler=handler: (200, {}, handler(request, *match.groups())))

    def upload(self, request):
        file_id = f"file-e2e{next(self.numbers)}"
        data = request.body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0]  # the first part: the file
        self.files[file_id] = data
        return {"id": file_id, "object": "file", "purpose": "batch", "bytes": len(data), "created_at": 1711471530,
                "filename": "batch.jsonl"}

    def create(self, request):
        body = json.loads(request.body)
        batch_id = f"batch_e2e{next(self.numbers)}"
        self.batches[batch_id] = batch_obj(batch_id, status="validating", input_file_id=body["input_file_id"],
                                           output_file_id=None, request_counts={"total": 0, "completed": 0,
                                                                                "failed": 0})
        self.reads[batch_id] = 0
        return self.batches[batch_id]

    def get(self, request, batch_id):
        batch = self.batches[batch_id]
        self.reads[batch_id] += 1
        if self.reads[batch_id] >= 2 and batch["status"] == "validating":
            lines = [json.loads(x) for x in self.files[batch["input_file_id"]].splitlines() if x.strip()]
            output = b"".join(json.dumps({"id": f"batch_req_{n}", "custom_id": x["custom_id"], "response": {
                "status_code": 200, "body": {"object": "chat.completion", "created": 1711471600,
                                             "choices": [{"message": {"content": "Hello!"}}]}}, "error": None}
                ).encode() + b"\n" for n, x in enumerate(lines))
            self.files["file-e2eout"] = output
            batch.update(status="completed", output_file_id="file-e2eout",
                         request_counts={"total": len(lines), "completed": len(lines), "failed": 0})
        return batch

    def listing(self, request):
        return page(list(self.batches.values()))

    def cancel(self, request, batch_id):
        self.batches[batch_id]["status"] = "cancelling"
        return self.batches[batch_id]

    def content(self, request, file_id):
        return self.files[file_id]

    def delete(self, request, file_id):
        del self.files[file_id]
        return {"id": file_id, "object": "file", "deleted": True}


class TestBatchE2EPester:
    """The steps share one API, in order, as the Describe block's Its do."""

    INPUTS = [{"custom_id": f"custom-batchtest-{n}", "method": "POST", "url": ENDPOINT,
               "body": {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Hello."}],
                        "max_tokens": 15}} for n in range(1, 5)]  # STEP1's four objects

    @pytest.fixture
    def api(self, rec, clock):
        return FakeBatchAPI(rec)

    def _step2(self):
        return ps.get_command("Start-Batch").pipe(self.INPUTS, timeout_sec=10, error_action="Stop")[0]

    def _step2_wait(self):
        return ps.get_command("Wait-Batch").pipe([self._step2()], timeout_sec=500, error_action="Stop")[0]

    def test_step2_start_batch(self, api):
        """Batch.E2E.tests.ps1 / It 'STEP2: Start batch'."""
        batch = self._step2()
        assert batch.id.startswith("batch_") and batch.status in ("validating", "in_progress")

    def test_step2_wait_for_batch_completion(self, api):
        """Batch.E2E.tests.ps1 / It 'STEP2: Wait for batch completion'."""
        batch = self._step2_wait()
        assert batch.id.startswith("batch_") and batch.status == "completed"
        assert batch.request_counts["completed"] == 4

    def test_step3_get_batch_output(self, api):
        """Batch.E2E.tests.ps1 / It 'STEP3: Get batch output'."""
        outputs = ps.get_command("Get-BatchOutput").pipe([self._step2_wait()], timeout_sec=10, error_action="Stop")
        assert len(outputs) == 4 and all(o.custom_id.startswith("custom-batchtest-") for o in outputs)
        assert outputs[0].response.body.object == "chat.completion"

    def test_step5_start_batch_then_cancel_it(self, api):
        """Batch.E2E.tests.ps1 / It 'STEP5(extra): Start Batch, Then Cancel it'."""
        done = self._step2_wait()
        new = ps.start_batch(file_id=done.input_file_id, timeout_sec=10, error_action="Stop")
        new = ps.get_command("Stop-Batch").pipe([new], force=True, pass_thru=True, timeout_sec=20,
                                                error_action="Stop")[0]
        assert new.status in ("cancelling", "cancelled")

    def test_cleanup_remove_batch_input_output_file_from_storage(self, api):
        """Batch.E2E.tests.ps1 / It 'Cleanup: Remove batch input/output file from storage'."""
        done = self._step2_wait()
        ps.get_command("Remove-OpenAIFile").pipe([done.input_file_id], timeout_sec=10, error_action="Stop")
        ps.get_command("Remove-OpenAIFile").pipe([done.output_file_id], timeout_sec=10, error_action="Stop")
        assert api.files == {}


# ======================================================================================
# Where we differ from 3.7.0 on purpose (docs/DIFFERENCES.md, section 8, lists them)
# ======================================================================================


class TestDeliberate:
    def test_a_bad_request_object_stops_the_upload(self, rec):
        """3.7.0 writes "Invalid batch input." for an element without custom_id, method and url, then
        uploads the others; ours refuses it as a binding error, and under -ErrorAction Stop (the
        default) nothing is uploaded."""
        with pytest.raises(ps.ParameterBindingError):
            ps.get_command("Start-Batch").pipe([batch_input("a"), {"custom_id": "b"}])
        assert rec.requests == []

    def test_stop_batch_takes_an_id_string(self, rec):
        """3.7.0 checks the status of the input without -Force, so a batch id string (which has none)
        always fails with 'Cannot cancel batch with status ""'; ours sends it and the API decides."""
        answer(rec, "POST", "/batches/batch_abc123/cancel", batch_obj(status="cancelling"))
        assert ps.stop_batch("batch_abc123", pass_thru=True).status == "cancelling"

    def test_the_upload_ends_with_a_line_break(self, rec):
        """3.7.0 joins the lines with a line feed and ends without one; ours ends every line with one,
        as JSON Lines files usually do (the API takes both)."""
        answer(rec, "POST", "/files", {"id": "file-1", "object": "file"})
        answer(rec, "POST", "/batches", batch_obj(status="validating"))
        ps.get_command("Start-Batch").pipe([batch_input("a")])
        data = rec.requests[0].body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0]
        assert data == json.dumps(batch_input("a"), separators=(",", ":")).encode() + b"\n"

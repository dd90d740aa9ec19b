"""The Batch API cmdlets (Start-Batch, Wait-Batch, Stop-Batch, Get-BatchOutput) and the file batch
waits (Wait-VectorStoreFileBatch, Stop-VectorStoreFileBatch -Wait) against the bundled server.

Requests are checked as they reached the server (method, target, headers, JSON bodies and multipart
parts byte for byte), outputs by their type names and dates. Waits never sleep: the client's
sleeper advances the server's manual clock, under which the server moves batches on
(``Progression.after_seconds``), so a wait sees the statuses a real one would.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

import pyopenai_ps as ps
from pyopenai_ps import MissingValueError, NotFoundError, ParameterBindingError, WaitTimeoutError
from pyopenai_ps.server import Outcome, Progression

ENDPOINT = "/v1/chat/completions"
FILE_NAME = re.compile(r"batch-psopenai_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d_[0-9a-f]{4}\.jsonl")
STORE = "vs_abc123"


def request(custom_id: str, text: str = "Hello.") -> dict:
    """One batch request object, as Request-ChatCompletion -AsBatch makes them."""
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT,
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}}


def line_of(item: dict) -> bytes:
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode()


def sent(server) -> list[tuple[str, str]]:
    return [(r.method, r.target) for r in server.requests]


@pytest.fixture
def clocked(api, transport_with):
    """The server's manual clock drives the client's waits: each sleep is recorded and advances it."""
    clock = api.store.clock
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        clock.advance(seconds)

    transport_with(sleeper=sleep, clock=clock)
    api.slept = slept
    return api


def a_batch(server, *custom_ids: str) -> ps.PSObject:
    """A batch started from request objects (its status: validating)."""
    return ps.get_command("Start-Batch").pipe([request(c) for c in custom_ids or ("a", "b")])[0]


class TestStartBatch:
    def test_piped_requests_are_uploaded_as_one_file_then_the_batch_starts(self, api):
        items = [request("a", "What is 2 + 2?"), request("b", "Grüß dich")]
        out = ps.get_command("Start-Batch").pipe(items)
        upload, create = api.requests
        assert (upload.method, upload.target, create.method, create.target) == \
            ("POST", "/v1/files", "POST", "/v1/batches")
        assert [p.name for p in upload.parts] == ["file", "purpose"]
        file_part = upload.part("file")
        assert file_part.data == line_of(items[0]) + b"\n" + line_of(items[1]) + b"\n"
        assert FILE_NAME.fullmatch(file_part.filename) and file_part.content_type == "application/octet-stream"
        assert upload.part("purpose").data == b"batch"
        file_id = api.store.ids("file")[-1]
        assert create.body == (b'{"input_file_id":"' + file_id.encode() +
                               b'","endpoint":"/v1/chat/completions","completion_window":"24h"}')
        assert create.headers["content-type"] == "application/json" and "openai-beta" not in create.headers
        (batch,) = out
        assert batch.type_names[0] == "PSOpenAI.Batch" and batch.status == "validating"
        assert batch.input_file_id == file_id and isinstance(batch.created_at, datetime)
        assert batch.expires_at.tzinfo is timezone.utc

    def test_every_record_and_element_goes_into_one_upload(self, api):
        out = ps.invoke("@{custom_id='a'; method='POST'; url='/v1/chat/completions'; body=@{model='m'}}, "
                        "@{custom_id='b'; method='POST'; url='/v1/chat/completions'; body=@{model='m'}} | "
                        "Start-Batch -MetaData @{job='nightly'} -CompletionWindow 24h")
        assert [m for m, _ in sent(api)] == ["POST", "POST"] and len(out) == 1
        lines = [json.loads(x) for x in api.requests[0].part("file").data.splitlines()]
        assert [x["custom_id"] for x in lines] == ["a", "b"]
        assert json.loads(api.requests[1].body)["metadata"] == {"job": "nightly"}

    def test_an_array_argument_is_one_batch_too(self, api):
        ps.start_batch(input_object=[request("a"), request("b"), request("c")])
        assert api.requests[0].part("file").data.count(b"\n") == 3 and len(api.requests) == 2

    def test_from_a_file_id_only_the_batch_is_created(self, api):
        batch = ps.start_batch(file_id="file-abc123", endpoint="/v1/embeddings", meta_data={"k": "v"})
        assert sent(api) == [("POST", "/v1/batches")]
        assert api.requests[0].body == (b'{"input_file_id":"file-abc123","endpoint":"/v1/embeddings",'
                                        b'"completion_window":"24h","metadata":{"k":"v"}}')
        assert batch.endpoint == "/v1/embeddings"

    def test_the_extra_body_reaches_the_batch_not_the_upload(self, api, caplog):
        ps.get_command("Start-Batch").pipe([request("a")], additional_body={"metadata": {"from": "extra"}})
        assert json.loads(api.requests[1].body)["metadata"] == {"from": "extra"}
        assert "has no effect" not in caplog.text

    def test_verbose_tells_of_the_upload_and_the_start(self, api, caplog):
        ps.get_command("Start-Batch").pipe([request("a")], verbose=True)
        assert re.search(r"The file batch-psopenai_\S+\.jsonl is uploaded as file-", caplog.text)
        assert "Started the batch batch_00000001; its status is validating." in caplog.text

    @pytest.mark.parametrize("bad", [
        {"custom_id": "x", "method": "POST"},          # no url
        {"custom_id": "", "method": "POST", "url": ENDPOINT},
        "{\"custom_id\": \"x\"}",                       # text is not a request object
        None,
    ])
    def test_an_element_that_is_not_a_request_object_sends_nothing(self, api, bad):
        with pytest.raises(ParameterBindingError) as info:
            ps.start_batch(input_object=[request("a"), bad])
        assert info.value.parameter_name == "InputObject" and api.requests == []
        with pytest.raises(ParameterBindingError):
            ps.get_command("Start-Batch").pipe([request("a"), bad, request("b")])
        assert api.requests == []  # the records before it were collected, not sent

    def test_under_continue_the_good_requests_still_make_a_batch(self, api):
        errors: list = []
        out = ps.get_command("Start-Batch").pipe([request("a"), {"custom_id": "x"}, request("b")],
                                                 error_action="SilentlyContinue", error_variable=errors)
        assert len(out) == 1 and [type(e).__name__ for e in errors] == ["ParameterBindingError"]
        assert [json.loads(x)["custom_id"] for x in api.requests[0].part("file").data.splitlines()] == ["a", "b"]

    def test_no_records_no_requests(self, api):
        assert ps.get_command("Start-Batch").pipe([]) == [] and api.requests == []

    def test_a_refused_upload_starts_nothing(self, api):
        from pyopenai_ps.server import Fault

        api.inject(Fault.status(500), path="/v1/files")
        with pytest.raises(ps.APIRequestError):
            ps.get_command("Start-Batch").pipe([request("a")])
        assert sent(api) == [("POST", "/v1/files")]


class TestWaitBatch:
    def test_polls_on_the_clock_until_done(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = a_batch(clocked)
        start = len(clocked.requests)
        done = ps.wait_batch(batch)
        polls = clocked.requests[start:]
        assert {(r.method, r.target) for r in polls} == {("GET", f"/v1/batches/{batch.id}")}
        assert all("openai-beta" not in r.headers for r in polls)
        assert clocked.slept == [0.2, 0.4, 0.6, 0.8, 1.0] and len(polls) == 6  # the first read at once
        assert done.status == "completed" and done.type_names[0] == "PSOpenAI.Batch"
        assert done.request_counts["completed"] == 2 and isinstance(done.completed_at, datetime)

    def test_an_id_a_line_and_a_pipe(self, clocked):
        clocked.store.progression = Progression.immediate()
        batch = a_batch(clocked)
        assert ps.wait_batch(batch.id).status == "completed"
        assert [b.status for b in ps.invoke(f"'{batch.id}', 'batch_abc121' | Wait-Batch")] == ["completed"] * 2
        assert ps.get_command("Wait-Batch").pipe([batch])[0].id == batch.id
        assert clocked.slept == []  # every wait ended at its first read

    def test_status_for_exit_and_for_wait(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = a_batch(clocked)
        assert ps.wait_batch(batch, status_for_exit=["in_progress", "completed"]).status == "in_progress"
        assert ps.invoke(f"Wait-Batch {batch.id} -StatusForWait in_progress")[0].status == "finalizing"

    def test_statuses_are_compared_whatever_their_case(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = a_batch(clocked)
        line = f"Wait-Batch {batch.id} -StatusForExit In_Progress,COMPLETED -TimeoutSec 30"
        assert ps.invoke(line)[0].status == "in_progress"
        assert ps.wait_batch(batch, status_for_wait=["In_Progress", "Finalizing"]).status == "completed"

    def test_a_timeout_names_the_batch_and_its_last_status(self, clocked):
        clocked.store.progression = Progression.manual()
        batch = a_batch(clocked)
        with pytest.raises(WaitTimeoutError) as info:
            ps.wait_batch(batch, timeout_sec=3)
        error = info.value
        assert (error.object_id, error.status) == (batch.id, "validating")
        assert str(error) == f"The wait for {batch.id} ended after 3 s; its last status was 'validating'."
        assert sum(clocked.slept) == pytest.approx(3.0)

    def test_a_failed_batch_ends_the_wait_and_is_returned(self, clocked, caplog):
        clocked.store.progression = Progression.after_seconds(1)
        clocked.store.push_outcome(Outcome.batch("failed", code="token_limit_exceeded", message="Too big."))
        done = ps.wait_batch(a_batch(clocked))
        assert done.status == "failed" and done.errors.data[0].code == "token_limit_exceeded"
        assert f"{done.id} ended with status 'failed'" in caplog.text

    def test_bad_input_sends_nothing(self, api):
        with pytest.raises(ParameterBindingError):
            ps.get_command("Wait-Batch").pipe([datetime(2024, 1, 1)])
        with pytest.raises(ParameterBindingError):
            ps.wait_batch("batch_abc121", status_for_wait=["done"])
        assert api.requests == []


class TestStopBatch:
    def test_cancel_outputs_nothing_then_the_answer_with_pass_thru(self, api):
        batch = a_batch(api)
        assert ps.stop_batch(batch) is None
        cancel = api.requests[-1]
        assert (cancel.method, cancel.target, cancel.body) == ("POST", f"/v1/batches/{batch.id}/cancel", b"")
        assert "openai-beta" not in cancel.headers and "content-type" not in cancel.headers
        other = a_batch(api)
        answered = ps.get_command("Stop-Batch").pipe([other], pass_thru=True)[0]
        assert answered.status == "cancelling" and answered.type_names[0] == "PSOpenAI.Batch"
        assert isinstance(answered.cancelling_at, datetime)

    def test_wait_with_pass_thru_returns_the_batch_as_it_ended(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = a_batch(clocked)
        start = len(clocked.requests)
        done = ps.invoke(f"Stop-Batch {batch.id} -Wait -PassThru")
        assert [b.status for b in done] == ["cancelled"] and isinstance(done[0].cancelled_at, datetime)
        assert sent(clocked)[start] == ("POST", f"/v1/batches/{batch.id}/cancel")
        assert set(sent(clocked)[start + 1:]) == {("GET", f"/v1/batches/{batch.id}")}
        assert clocked.slept == [0.2, 0.4, 0.6]

    def test_wait_alone_waits_and_outputs_nothing(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = a_batch(clocked)
        assert ps.stop_batch(batch, wait=True) is None
        assert sent(clocked)[-1] == ("GET", f"/v1/batches/{batch.id}") and clocked.slept
        assert clocked.store.get("batch", batch.id)["status"] == "cancelled"

    def test_a_batch_object_that_cannot_be_cancelled_sends_nothing_unless_forced(self, api):
        done = ps.get_batch(batch_id="batch_abc121")
        count = len(api.requests)
        with pytest.raises(MissingValueError) as info:
            ps.stop_batch(done)
        assert str(info.value) == 'Cannot cancel the batch batch_abc121 with status "completed".'
        assert len(api.requests) == count
        errors: list = []
        assert ps.get_command("Stop-Batch").pipe([done, a_batch(api)], error_action="SilentlyContinue",
                                                 error_variable=errors, pass_thru=True)[0].status == "cancelling"
        assert len(errors) == 1
        with pytest.raises(ps.BadRequestError):  # -Force sends it: the API refuses a completed batch
            ps.stop_batch(done, force=True)
        assert sent(api)[-1] == ("POST", "/v1/batches/batch_abc121/cancel")

    def test_an_id_is_sent_as_it_is(self, api):
        batch = a_batch(api)
        assert ps.invoke(f"Stop-Batch {batch.id} -PassThru")[0].status == "cancelling"

    def test_a_failed_cancel_says_which_batch(self, api):
        with pytest.raises(NotFoundError) as info:
            ps.stop_batch("batch_nope")
        assert str(info.value).endswith("The batch batch_nope was not cancelled.")


class TestGetBatchOutput:
    def test_an_id_reads_the_batch_then_its_output_file(self, api):
        out = ps.get_batch_output("batch_abc121")
        assert sent(api) == [("GET", "/v1/batches/batch_abc121"), ("GET", "/v1/files/file-out123/content")]
        assert [o.custom_id for o in out] == ["request-1", "request-2"]
        first = out[0]
        assert first.type_names[0] == "PSOpenAI.Batch.Output" and first.id.startswith("batch_req_")
        body = first.response.body
        assert body.type_names[0] == "PSOpenAI.Chat.Completion" and body.object == "chat.completion"
        assert isinstance(body.created, datetime) and body.created.tzinfo is timezone.utc
        assert body.Answer == ["You said: What is 2 + 2?"]
        assert first.response.status_code == 200 and first.error is None

    def test_a_batch_object_that_names_its_output_file_is_not_read_again(self, api):
        batch = ps.get_batch(batch_id="batch_abc121")
        start = len(api.requests)
        out = ps.get_command("Get-BatchOutput").pipe([batch], wait=True)
        assert sent(api)[start:] == [("GET", "/v1/files/file-out123/content")] and len(out) == 2

    def test_the_whole_flow_start_wait_output(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = a_batch(clocked, "q1", "q2", "q3")
        out = ps.get_command("Get-BatchOutput").pipe([batch], wait=True)
        assert [o.custom_id for o in out] == ["q1", "q2", "q3"]
        done = clocked.store.get("batch", batch.id)
        assert sent(clocked)[-1] == ("GET", f"/v1/files/{done['output_file_id']}/content")
        assert clocked.slept == [0.2, 0.4, 0.6, 0.8, 1.0]

    def test_an_unfinished_batch_without_wait_is_an_error_and_nothing_is_downloaded(self, api):
        api.store.progression = Progression.manual()
        batch = a_batch(api)
        start = len(api.requests)
        with pytest.raises(MissingValueError) as info:
            ps.get_batch_output(batch)
        assert str(info.value) == (f"The batch {batch.id} has no output file (its status is validating); give "
                                   "-Wait to wait until it is done.")
        assert sent(api)[start:] == [("GET", f"/v1/batches/{batch.id}")]

    def test_a_failed_batch_has_no_output(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        clocked.store.push_outcome(Outcome.batch("failed"))
        errors: list = []
        out = ps.get_command("Get-BatchOutput").pipe([a_batch(clocked), "batch_abc121"], wait=True,
                                                     error_action="SilentlyContinue", error_variable=errors)
        assert [o.custom_id for o in out] == ["request-1", "request-2"]  # the next record goes on
        assert "(its status is failed)" in str(errors[0])

    def test_a_completed_object_without_its_file_is_read_again_even_with_wait(self, api):
        out = ps.get_command("Get-BatchOutput").pipe([{"id": "batch_abc121", "status": "completed"}], wait=True)
        assert sent(api) == [("GET", "/v1/batches/batch_abc121"), ("GET", "/v1/files/file-out123/content")]
        assert len(out) == 2

    def test_lines_that_are_not_chat_completions_are_kept_as_they_are(self, api):
        lines = [{"id": "batch_req_1", "custom_id": "e", "response": None,
                  "error": {"code": "server_error", "message": "Boom."}},
                 {"id": "batch_req_2", "custom_id": "m", "response": {"status_code": 200, "body": {"object": "list"}}}]
        data = b"".join(line_of(x) + b"\n" for x in lines)
        file = api.store.add_file(data, filename="out.jsonl", purpose="batch_output")
        api.store.add_batch("batch_lines", created_at=1_700_000_000, output_file_id=file["id"])
        out = ps.get_batch_output("batch_lines")
        assert out[0].response is None and out[0].error.code == "server_error"
        assert out[1].response.body.to_dict() == {"object": "list"} and "Answer" not in out[1].response.body
        assert [json.loads(o.json()) for o in out] == lines

    def test_a_line_that_is_not_json_is_an_error(self, api):
        file = api.store.add_file(b'{"id": "batch_req_1"}\nnot json\n', filename="o.jsonl", purpose="batch_output")
        api.store.add_batch("batch_broken", created_at=1_700_000_000, output_file_id=file["id"])
        with pytest.raises(ps.ResponseFormatError, match="Line 2 of the JSON Lines answer is not JSON"):
            ps.get_batch_output("batch_broken")

    def test_json_copies_keep_the_dates_readable(self, api):
        first = ps.get_batch_output("batch_abc121")[0]
        created = api.store.get("batch", "batch_abc121")["created_at"] + 100
        plain = json.loads(first.json())
        assert plain["response"]["body"]["created"] == datetime.fromtimestamp(created, timezone.utc).isoformat()
        assert plain["response"]["body"]["Answer"] == ["You said: What is 2 + 2?"]


class TestFileBatchWaits:
    def test_wait_for_a_piped_file_batch_on_the_clock(self, clocked):
        clocked.store.progression = Progression.after_seconds(1.5)
        started = ps.invoke(f"Start-VectorStoreFileBatch {STORE} -FileId file-abc123,file-out123")
        start = len(clocked.requests)
        done = ps.get_command("Wait-VectorStoreFileBatch").pipe(started)[0]
        polls = clocked.requests[start:]
        target = f"/v1/vector_stores/{STORE}/file_batches/{started[0].id}"
        assert {(r.method, r.target) for r in polls} == {("GET", target)}
        assert all(r.headers["openai-beta"] == "assistants=v2" for r in polls)
        assert clocked.slept == [0.2, 0.4, 0.6, 0.8] and len(polls) == 5
        assert done.type_names[0] == "PSOpenAI.VectorStore.FileBatch" and done.status == "completed"
        assert done.file_counts["completed"] == 2 and isinstance(done.created_at, datetime)

    def test_by_ids_and_status_for_exit(self, clocked):
        clocked.store.progression = Progression.immediate()
        batch = ps.start_vector_store_file_batch(STORE, ["file-abc123"])
        assert ps.wait_vector_store_file_batch(STORE, batch.id).status == "completed"
        line = f"Wait-VectorStoreFileBatch -VectorStore {STORE} -BatchId {batch.id} -StatusForExit completed"
        assert ps.invoke(line)[0].status == "completed" and clocked.slept == []

    def test_a_timeout_names_the_file_batch(self, clocked):
        clocked.store.progression = Progression.manual()
        batch = ps.start_vector_store_file_batch(STORE, ["file-abc123"])
        with pytest.raises(WaitTimeoutError) as info:
            ps.wait_vector_store_file_batch(STORE, batch.id, timeout_sec=2)
        assert (info.value.object_id, info.value.status) == (batch.id, "in_progress")

    def test_stop_with_wait_and_pass_thru_returns_the_cancelled_batch(self, clocked):
        clocked.store.progression = Progression.after_seconds(1)
        batch = ps.start_vector_store_file_batch(STORE, ["file-abc123", "file-out123"])
        start = len(clocked.requests)
        done = ps.get_command("Stop-VectorStoreFileBatch").pipe([batch], wait=True, pass_thru=True)
        base = f"/v1/vector_stores/{STORE}/file_batches/{batch.id}"
        assert sent(clocked)[start] == ("POST", f"{base}/cancel")
        assert set(sent(clocked)[start + 1:]) == {("GET", base)} and clocked.slept == [0.2, 0.4, 0.6]
        assert [(b.status, b.file_counts["cancelled"]) for b in done] == [("cancelled", 2)]

    def test_stop_with_wait_alone_outputs_nothing(self, clocked):
        clocked.store.progression = Progression.manual()
        batch = ps.start_vector_store_file_batch(STORE, ["file-abc123"])
        clocked.store.progression = Progression.immediate()  # the cancel is over at once
        assert ps.invoke(f"Stop-VectorStoreFileBatch {STORE} {batch.id} -Wait") == []
        assert sent(clocked)[-1] == ("GET", f"/v1/vector_stores/{STORE}/file_batches/{batch.id}")

    def test_bad_input_sends_nothing(self, api):
        with pytest.raises(ParameterBindingError):
            ps.wait_vector_store_file_batch(STORE, "vsfb_1", status_for_exit=["expired"])  # not a file batch status
        with pytest.raises(ParameterBindingError):
            ps.wait_vector_store_file_batch({"id": "asst_1"}, "vsfb_1")  # not a store
        assert api.requests == []

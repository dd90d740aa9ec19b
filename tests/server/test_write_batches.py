"""Batches made through the API: validation, progression, the output file, cancel."""

from __future__ import annotations

import json

import pytest

from pyopenai_ps.server import Outcome, Progression
from server_helpers import Api, chat_line, jsonl

BATCH_FIELDS = {"id", "object", "endpoint", "errors", "input_file_id", "completion_window",
                "status", "output_file_id", "error_file_id", "created_at", "in_progress_at",
                "expires_at", "finalizing_at", "completed_at", "failed_at", "expired_at",
                "cancelling_at", "cancelled_at", "request_counts", "metadata"}


def upload(api: Api, lines: list, name: str = "requests.jsonl") -> str:
    data = lines if isinstance(lines, bytes) else jsonl(lines)
    reply = api.upload(data, filename=name, purpose="batch")
    assert reply.status == 200, reply.body
    return reply.json()["id"]


def create(api: Api, file_id: str, endpoint: str = "/v1/chat/completions", **body: object) -> dict:
    return api.ok("POST", "/v1/batches", {"input_file_id": file_id, "endpoint": endpoint,
                                          "completion_window": "24h", **body})


def poll(api: Api, batch: dict) -> dict:
    return api.ok("GET", f"/v1/batches/{batch['id']}")


def test_batch_runs_to_completion_with_an_output_file(api):
    file_id = upload(api, [chat_line("a", "What is 2 + 2?"), chat_line("b", "Hi")])
    batch = create(api, file_id, metadata={"job": "nightly"})
    assert set(batch) == BATCH_FIELDS
    assert (batch["id"], batch["status"], batch["output_file_id"], batch["metadata"]) == \
        ("batch_00000001", "validating", None, {"job": "nightly"})
    assert batch["request_counts"] == {"total": 0, "completed": 0, "failed": 0}
    assert api.ok("GET", "/v1/batches?limit=1")["data"][0]["id"] == batch["id"]

    seen = [poll(api, batch) for _ in range(3)]
    assert [b["status"] for b in seen] == ["in_progress", "finalizing", "completed"]
    assert seen[0]["request_counts"] == {"total": 2, "completed": 0, "failed": 0}
    assert seen[1]["request_counts"] == {"total": 2, "completed": 2, "failed": 0}
    done = seen[2]
    assert None not in (done["in_progress_at"], done["finalizing_at"], done["completed_at"])
    output = api.ok("GET", f"/v1/files/{done['output_file_id']}")
    assert (output["purpose"], output["filename"]) == ("batch_output",
                                                       "batch_00000001_output.jsonl")
    lines = [json.loads(line) for line in
             api.get(f"/v1/files/{output['id']}/content").body.splitlines()]
    assert [line["custom_id"] for line in lines] == ["a", "b"]
    first = lines[0]
    assert set(first) == {"id", "custom_id", "response", "error"} and first["error"] is None
    assert first["id"].startswith("batch_req_")
    assert first["response"]["status_code"] == 200
    assert first["response"]["request_id"].startswith("req_")
    body = first["response"]["body"]
    assert (body["object"], body["model"]) == ("chat.completion", "gpt-4o-mini")
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "You said: What is 2 + 2?",
                                             "refusal": None, "annotations": []}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert poll(api, batch) == done  # it stays done


def test_output_is_deterministic(api):
    outputs = []
    for _ in range(2):
        api.control("reset", {})
        batch = create(api, upload(api, [chat_line("x", "same")]))
        api.server.store.advance("batch", batch["id"], steps=3)
        outputs.append(api.get(f"/v1/files/{poll(api, batch)['output_file_id']}/content").body)
    assert outputs[0] == outputs[1]


def test_embeddings_batch(api):
    line = {"custom_id": "e1", "method": "POST", "url": "/v1/embeddings",
            "body": {"model": "text-embedding-3-small", "input": ["a", "b"]}}
    api.server.store.progression = Progression.immediate()
    batch = create(api, upload(api, [line]), endpoint="/v1/embeddings")
    done = poll(api, batch)
    body = json.loads(api.get(f"/v1/files/{done['output_file_id']}/content").body)["response"]["body"]
    assert body["object"] == "list" and len(body["data"]) == 2
    assert len(body["data"][0]["embedding"]) == 8


@pytest.mark.parametrize("content, code, line", [
    (b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {}}\nnot json\n',
     "invalid_json_line", 2),
    (jsonl([{"method": "POST", "url": "/v1/chat/completions", "body": {}}]),
     "missing_required_parameter", 1),
    (jsonl([{**chat_line("a", "q"), "url": "/v1/embeddings"}]), "invalid_url", 1),
    (jsonl([{**chat_line("a", "q"), "method": "GET"}]), "invalid_value", 1),
    (jsonl([chat_line("a", "q"), chat_line("a", "r")]), "duplicate_custom_id", 2),
    (b"\n\n", "empty_file", 0),
])
def test_bad_input_lines_fail_the_batch(api, content, code, line):
    batch = create(api, upload(api, content))
    failed = poll(api, batch)
    assert failed["status"] == "failed" and failed["failed_at"] is not None
    assert failed["errors"]["object"] == "list"
    (error,) = failed["errors"]["data"]
    assert (error["code"], error["line"]) == (code, line)
    assert poll(api, batch)["status"] == "failed"


def test_cancel_a_batch(api):
    batch = create(api, upload(api, [chat_line("a", "q")]))
    cancelling = api.ok("POST", f"/v1/batches/{batch['id']}/cancel")
    assert cancelling["status"] == "cancelling" and cancelling["cancelling_at"] is not None
    cancelled = poll(api, batch)
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"] is not None
    assert api.post(f"/v1/batches/{batch['id']}/cancel").status == 400
    assert api.post("/v1/batches/batch_abc121/cancel").status == 400  # seeded, completed
    assert api.post("/v1/batches/batch_nope/cancel").status == 404


def test_scripted_batch_outcomes(api):
    api.server.store.push_outcome(Outcome.batch("expired"),
                                  Outcome.batch("failed", message="No capacity."))
    expiring = create(api, upload(api, [chat_line("a", "q")]))
    assert [poll(api, expiring)["status"] for _ in range(2)] == ["in_progress", "expired"]
    assert poll(api, expiring)["expired_at"] is not None
    failing = create(api, upload(api, [chat_line("a", "q")]))
    failed = poll(api, failing)
    assert failed["status"] == "failed"
    assert failed["errors"]["data"][0]["message"] == "No capacity."


@pytest.mark.parametrize("body, status, param", [
    ({"endpoint": "/v1/chat/completions", "completion_window": "24h"}, 400, "input_file_id"),
    ({"input_file_id": "file-abc123", "completion_window": "24h"}, 400, "endpoint"),
    ({"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions"}, 400,
     "completion_window"),
    ({"input_file_id": "file-abc123", "endpoint": "/v2/chat", "completion_window": "24h"}, 400,
     "endpoint"),
    ({"input_file_id": "file-abc123", "endpoint": "/v1/chat/completions",
      "completion_window": "1h"}, 400, "completion_window"),
    ({"input_file_id": "file-nope", "endpoint": "/v1/chat/completions",
      "completion_window": "24h"}, 404, "input_file_id"),
    ({"input_file_id": "file-abc456", "endpoint": "/v1/chat/completions",
      "completion_window": "24h"}, 400, "input_file_id"),
])
def test_bad_batch_requests(api, body, status, param):
    reply = api.post("/v1/batches", body)
    assert (reply.status, reply.error["param"]) == (status, param)
    assert api.server.store.counts()["batch"] == 3


def test_seeded_batch_files_exist(api):
    batch = api.ok("GET", "/v1/batches/batch_abc121")
    lines = api.get(f"/v1/files/{batch['output_file_id']}/content").body.splitlines()
    assert [json.loads(line)["custom_id"] for line in lines] == ["request-1", "request-2"]
    assert api.get(f"/v1/files/{batch['input_file_id']}/content").status == 200


def test_batches_move_on_the_manual_clock():
    """Under after_seconds a batch takes one status per period of the store's clock, each stamped
    with the time it was due, however often it is read."""
    from pyopenai_ps.server import LocalServer, ManualClock

    clock = ManualClock(1_800_000_000)
    with LocalServer(clock=clock) as server:
        api = Api(server)
        server.store.progression = Progression.after_seconds(3)
        batch = create(api, upload(api, [chat_line("a", "q")]))
        assert [poll(api, batch)["status"] for _ in range(4)] == ["validating"] * 4
        clock.advance(7)  # two moves are due
        seen = poll(api, batch)
        assert (seen["status"], seen["in_progress_at"], seen["finalizing_at"]) == \
            ("finalizing", 1_800_000_003, 1_800_000_006)
        clock.advance(2)
        done = poll(api, batch)
        assert (done["status"], done["completed_at"]) == ("completed", 1_800_000_009)
        assert done["output_file_id"] is not None

"""Vector stores, their files and file batches: counts, progression, cancel, errors."""

from __future__ import annotations

import pytest

from pyopenai_ps.server import LocalServer, ManualClock, Outcome, Progression
from server_helpers import Api

STORE_FIELDS = {"id", "object", "created_at", "name", "usage_bytes", "file_counts", "status",
                "expires_after", "expires_at", "last_active_at", "metadata"}
FILE_FIELDS = {"id", "object", "usage_bytes", "created_at", "vector_store_id", "status",
               "last_error", "chunking_strategy", "attributes"}


def counts(in_progress=0, completed=0, failed=0, cancelled=0) -> dict:
    return {"in_progress": in_progress, "completed": completed, "failed": failed,
            "cancelled": cancelled, "total": in_progress + completed + failed + cancelled}


def upload(api: Api, text: bytes = b"some text") -> str:
    return api.upload(text, filename="doc.txt", purpose="assistants").json()["id"]


def test_seeded_vector_store(api):
    store = api.ok("GET", "/v1/vector_stores/vs_abc123")
    assert set(store) == STORE_FIELDS
    assert (store["status"], store["file_counts"]) == ("completed", counts(completed=1))
    (entry,) = api.ok("GET", "/v1/vector_stores/vs_abc123/files")["data"]
    assert set(entry) == FILE_FIELDS and entry["id"] == "file-abc456"


def test_create_with_files_then_poll_to_completion(api):
    file_id = upload(api, b"12345")
    store = api.ok("POST", "/v1/vector_stores", {
        "name": "Docs", "file_ids": ["file-abc456", file_id], "metadata": {"k": "v"},
        "expires_after": {"anchor": "last_active_at", "days": 2},
        "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 200,
                                                            "chunk_overlap_tokens": 50}}})
    assert (store["id"], store["name"], store["status"]) == ("vs_00000001", "Docs", "in_progress")
    assert store["file_counts"] == counts(in_progress=2)
    assert store["expires_at"] == store["created_at"] + 2 * 86_400
    files = api.ok("GET", "/v1/vector_stores/vs_00000001/files?filter=in_progress")["data"]
    assert {f["id"] for f in files} == {"file-abc456", file_id}
    assert files[0]["chunking_strategy"] == {"type": "static", "static": {
        "max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50}}

    done = api.ok("GET", "/v1/vector_stores/vs_00000001")  # a poll moves its files
    assert (done["status"], done["file_counts"]) == ("completed", counts(completed=2))
    assert done["usage_bytes"] == 5 + api.ok("GET", "/v1/files/file-abc456")["bytes"]
    assert api.ok("GET", "/v1/vector_stores/vs_00000001/files?filter=in_progress")["data"] == []
    assert [s["id"] for s in api.ok("GET", "/v1/vector_stores")["data"]] == \
        ["vs_00000001", "vs_abc123"]


def test_add_poll_and_remove_one_file(api):
    file_id = upload(api)
    base = "/v1/vector_stores/vs_abc123/files"
    entry = api.ok("POST", base, {"file_id": file_id, "attributes": {"lang": "en", "n": 2}})
    assert (entry["status"], entry["vector_store_id"], entry["usage_bytes"]) == \
        ("in_progress", "vs_abc123", 0)
    assert entry["chunking_strategy"]["type"] == "static"  # what "auto" is reported as
    assert entry["attributes"] == {"lang": "en", "n": 2}
    unpolled = api.server.store.get("vector_store", "vs_abc123")  # a Python read moves nothing
    assert (unpolled["status"], unpolled["file_counts"]) == \
        ("in_progress", counts(in_progress=1, completed=1))
    polled = api.ok("GET", f"{base}/{file_id}")
    assert (polled["status"], polled["usage_bytes"]) == ("completed", 9)
    assert api.ok("POST", f"{base}/{file_id}", {"attributes": {"x": True}})["attributes"] == \
        {"x": True}
    assert api.ok("DELETE", f"{base}/{file_id}") == {
        "id": file_id, "object": "vector_store.file.deleted", "deleted": True}
    assert api.ok("GET", "/v1/vector_stores/vs_abc123")["file_counts"] == counts(completed=1)
    assert api.get(f"/v1/files/{file_id}").status == 200  # the file itself stays


def test_file_batch_lifecycle(api):
    ids = [upload(api, b"a"), upload(api, b"bb")]
    base = "/v1/vector_stores/vs_abc123/file_batches"
    batch = api.ok("POST", base, {"file_ids": ids})
    assert (batch["object"], batch["status"], batch["file_counts"]) == \
        ("vector_store.files_batch", "in_progress", counts(in_progress=2))
    listed = api.ok("GET", f"{base}/{batch['id']}/files")["data"]
    assert sorted(f["id"] for f in listed) == sorted(ids)
    done = api.ok("GET", f"{base}/{batch['id']}")
    assert (done["status"], done["file_counts"]) == ("completed", counts(completed=2))
    assert api.ok("GET", f"{base}/{batch['id']}/files?filter=completed")["data"] != []
    assert api.ok("GET", f"{base}/{batch['id']}/files?filter=failed")["data"] == []
    assert api.get(f"{base}/{batch['id']}/files?filter=done").error["param"] == "filter"
    store = api.ok("GET", "/v1/vector_stores/vs_abc123")
    assert store["file_counts"] == counts(completed=3) and store["usage_bytes"] == 3 + 73
    assert api.post(f"{base}/{batch['id']}/cancel").status == 400


def test_cancel_a_file_batch(api):
    """Cancelling answers ``cancelling`` (the files stop where they are); the next poll finds it
    ``cancelled``, with the files that were not done."""
    ids = [upload(api), upload(api)]
    base = "/v1/vector_stores/vs_abc123/file_batches"
    batch = api.ok("POST", base, {"files": [{"file_id": ids[0]},
                                            {"file_id": ids[1], "attributes": {"a": "b"}}]})
    cancelling = api.ok("POST", f"{base}/{batch['id']}/cancel")
    assert (cancelling["status"], cancelling["file_counts"]) == ("cancelling", counts(in_progress=2))
    assert api.post(f"{base}/{batch['id']}/cancel").status == 400  # once is enough
    cancelled = api.ok("GET", f"{base}/{batch['id']}")
    assert (cancelled["status"], cancelled["file_counts"]) == ("cancelled", counts(cancelled=2))
    store = api.ok("GET", "/v1/vector_stores/vs_abc123")
    assert store["file_counts"] == counts(completed=1, cancelled=2)


def test_file_batches_move_on_the_manual_clock():
    """Under after_seconds a file batch's files, and so the batch, move when the store's clock says so;
    a cancel is over one period later."""
    clock = ManualClock(1_800_000_000)
    with LocalServer(clock=clock) as server:
        api = Api(server)
        server.store.progression = Progression.after_seconds(2)
        base = "/v1/vector_stores/vs_abc123/file_batches"
        first = api.ok("POST", base, {"file_ids": [upload(api), upload(api)]})
        second = api.ok("POST", base, {"file_ids": [upload(api)]})
        assert [api.ok("GET", f"{base}/{first['id']}")["status"] for _ in range(3)] == ["in_progress"] * 3
        clock.advance(1.5)
        assert api.ok("POST", f"{base}/{second['id']}/cancel")["status"] == "cancelling"
        clock.advance(0.6)  # 2.1 s after the first was made, 0.6 s after the cancel
        done = api.ok("GET", f"{base}/{first['id']}")
        assert (done["status"], done["file_counts"]) == ("completed", counts(completed=2))
        assert api.ok("GET", f"{base}/{second['id']}")["status"] == "cancelling"
        clock.advance(1.5)
        stopped = api.ok("GET", f"{base}/{second['id']}")
        assert (stopped["status"], stopped["file_counts"]) == ("cancelled", counts(cancelled=1))


@pytest.mark.parametrize("progression, status", [(Progression.immediate(), "cancelled"),
                                                 (Progression.manual(), "cancelling")])
def test_a_cancel_under_immediate_and_manual_progression(api, progression, status):
    api.server.store.progression = Progression.manual()
    base = "/v1/vector_stores/vs_abc123/file_batches"
    batch = api.ok("POST", base, {"file_ids": [upload(api)]})
    api.server.store.progression = progression
    assert api.ok("POST", f"{base}/{batch['id']}/cancel")["status"] == "cancelling"
    assert api.ok("GET", f"{base}/{batch['id']}")["status"] == status
    assert api.control("advance", {"kind": "vector_store_file_batch", "ids": ["vs_abc123", batch["id"]]}) == \
        {"moves": 1 if status == "cancelling" else 0}
    assert api.ok("GET", f"{base}/{batch['id']}")["status"] == "cancelled"


def test_scripted_file_failure(api):
    api.server.store.push_outcome(Outcome.vector_store_file("failed", code="unsupported_file",
                                                            message="Cannot read it."))
    file_id = upload(api)
    api.ok("POST", "/v1/vector_stores/vs_abc123/files", {"file_id": file_id})
    failed = api.ok("GET", f"/v1/vector_stores/vs_abc123/files/{file_id}")
    assert failed["status"] == "failed"
    assert failed["last_error"] == {"code": "unsupported_file", "message": "Cannot read it."}
    assert api.ok("GET", "/v1/vector_stores/vs_abc123")["file_counts"] == \
        counts(completed=1, failed=1)


def test_modify_and_delete_a_vector_store(api):
    store = api.ok("POST", "/v1/vector_stores", {})
    path = f"/v1/vector_stores/{store['id']}"
    assert (store["status"], store["name"], store["file_counts"]) == ("completed", "", counts())
    changed = api.ok("POST", path, {"name": "New", "metadata": {"a": "1"},
                                    "expires_after": {"anchor": "last_active_at", "days": 1}})
    assert (changed["name"], changed["metadata"]) == ("New", {"a": "1"})
    assert changed["expires_at"] == changed["last_active_at"] + 86_400
    assert api.ok("POST", path, {"expires_after": None})["expires_at"] is None
    assert api.ok("DELETE", path) == {"id": store["id"], "object": "vector_store.deleted",
                                      "deleted": True}
    assert api.get(path).status == 404 and api.get(path + "/files").status == 404


@pytest.mark.parametrize("path, body, status, param", [
    ("/v1/vector_stores", {"file_ids": ["file-nope"]}, 404, "file_ids[0]"),
    ("/v1/vector_stores", {"name": 3}, 400, "name"),
    ("/v1/vector_stores", {"chunking_strategy": {"type": "static"}}, 400,
     "chunking_strategy.static"),
    ("/v1/vector_stores", {"chunking_strategy": {"type": "static", "static": {
        "max_chunk_size_tokens": 50, "chunk_overlap_tokens": 0}}}, 400,
     "chunking_strategy.static.max_chunk_size_tokens"),
    ("/v1/vector_stores", {"expires_after": {"anchor": "created_at", "days": 1}}, 400,
     "expires_after.anchor"),
    ("/v1/vector_stores/vs_abc123/files", {}, 400, "file_id"),
    ("/v1/vector_stores/vs_abc123/files", {"file_id": "file-nope"}, 404, "file_id"),
    ("/v1/vector_stores/vs_abc123/file_batches", {}, 400, "file_ids"),
    ("/v1/vector_stores/vs_abc123/file_batches", {"file_ids": []}, 400, "file_ids"),
    ("/v1/vector_stores/vs_abc123/file_batches", {"file_ids": ["file-abc456"],
                                                  "files": [{"file_id": "file-abc456"}]},
     400, "file_ids"),
    ("/v1/vector_stores/vs_abc123/file_batches", {"file_ids": ["file-abc456", "file-x"]},
     404, "file_ids[1]"),
])
def test_bad_vector_store_requests(api, path, body, status, param):
    reply = api.post(path, body)
    assert (reply.status, reply.error["param"]) == (status, param)
    assert api.server.store.counts()["vector_store"] == 1
    assert api.server.store.counts()["vector_store_file"] == 1


def test_unknown_vector_store_objects_are_404(api):
    for path in ("/v1/vector_stores/vs_nope", "/v1/vector_stores/vs_abc123/files/file-nope",
                 "/v1/vector_stores/vs_abc123/file_batches/vsfb_nope",
                 "/v1/vector_stores/vs_nope/file_batches/vsfb_nope/files"):
        assert api.get(path).status == 404, path

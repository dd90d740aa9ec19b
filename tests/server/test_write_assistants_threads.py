"""The write side for assistants, threads and messages, and request-body validation."""

from __future__ import annotations

import pytest

from server_helpers import HEADERS, KEY

ASSISTANT_FIELDS = {"id", "object", "created_at", "name", "description", "model", "instructions",
                    "tools", "tool_resources", "metadata", "temperature", "top_p",
                    "response_format"}
MESSAGE_FIELDS = {"id", "object", "created_at", "thread_id", "status", "incomplete_details",
                  "completed_at", "incomplete_at", "role", "content", "assistant_id", "run_id",
                  "attachments", "metadata"}
FUNCTION_TOOL = {"type": "function", "function": {
    "name": "lookup", "description": "Look a word up.",
    "parameters": {"type": "object", "properties": {"word": {"type": "string"}}}}}


# --- assistants --------------------------------------------------------------------------------

def test_create_get_modify_delete_assistant(api):
    created = api.ok("POST", "/v1/assistants", {
        "model": "gpt-4o", "name": "Helper", "instructions": "Be brief.",
        "tools": [{"type": "code_interpreter"}, FUNCTION_TOOL], "metadata": {"team": "qa"},
        "temperature": 0.5, "response_format": {"type": "json_object"}})
    assert set(created) == ASSISTANT_FIELDS
    assert created["id"] == "asst_00000001" and created["object"] == "assistant"
    assert (created["name"], created["model"], created["temperature"], created["top_p"]) == \
        ("Helper", "gpt-4o", 0.5, 1.0)
    assert created["response_format"] == {"type": "json_object"}
    assert api.ok("GET", "/v1/assistants/asst_00000001") == created
    assert api.ok("GET", "/v1/assistants?limit=1")["data"] == [created]  # newest first

    modified = api.ok("POST", "/v1/assistants/asst_00000001",
                      {"name": "Renamed", "metadata": {"v": "2"}, "temperature": None})
    assert (modified["name"], modified["metadata"], modified["temperature"]) == \
        ("Renamed", {"v": "2"}, 1.0)
    assert modified["instructions"] == "Be brief." and modified["created_at"] == created["created_at"]

    deleted = api.ok("DELETE", "/v1/assistants/asst_00000001")
    assert deleted == {"id": "asst_00000001", "object": "assistant.deleted", "deleted": True}
    assert api.get("/v1/assistants/asst_00000001").status == 404
    assert api.delete("/v1/assistants/asst_00000001").status == 404


def test_minimal_assistant_has_the_api_defaults(api):
    created = api.ok("POST", "/v1/assistants", {"model": "gpt-4o-mini"})
    assert {k: created[k] for k in ("name", "description", "instructions", "tools",
                                    "tool_resources", "metadata", "response_format")} == {
        "name": None, "description": None, "instructions": None, "tools": [],
        "tool_resources": {}, "metadata": {}, "response_format": "auto"}


def test_assistant_with_new_vector_store_in_tool_resources(api):
    created = api.ok("POST", "/v1/assistants", {
        "model": "gpt-4o", "tools": [{"type": "file_search"}],
        "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["file-abc456"]}]}}})
    (store_id,) = created["tool_resources"]["file_search"]["vector_store_ids"]
    assert api.ok("GET", f"/v1/vector_stores/{store_id}/files")["data"][0]["id"] == "file-abc456"


@pytest.mark.parametrize("body, param, code", [
    ({}, "model", "missing_required_parameter"),
    ({"model": 4}, "model", "invalid_type"),
    ({"model": "m", "colour": "red"}, "colour", "unknown_parameter"),
    ({"model": "m", "temperature": 2.5}, "temperature", "decimal_above_max_value"),
    ({"model": "m", "top_p": -1}, "top_p", "decimal_below_min_value"),
    ({"model": "m", "temperature": "hot"}, "temperature", "invalid_type"),
    ({"model": "m", "name": "x" * 257}, "name", "string_above_max_length"),
    ({"model": "m", "tools": [{"type": "browser"}]}, "tools[0].type", "invalid_value"),
    ({"model": "m", "tools": [{"type": "function"}]}, "tools[0].function",
     "missing_required_parameter"),
    ({"model": "m", "tools": [{"type": "function", "function": {"name": "f", "x": 1}}]},
     "tools[0].function.x", "unknown_parameter"),
    ({"model": "m", "metadata": {"k": 1}}, "metadata.k", "invalid_type"),
    ({"model": "m", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata",
     "object_above_max_properties"),
    ({"model": "m", "response_format": "json"}, "response_format", "invalid_value"),
    ({"model": "m", "tools": {"type": "code_interpreter"}}, "tools", "invalid_type"),
])
def test_bad_assistant_bodies_are_400_naming_the_field(api, body, param, code):
    reply = api.post("/v1/assistants", body)
    assert reply.status == 400, reply.body
    assert reply.error["type"] == "invalid_request_error"
    assert (reply.error["param"], reply.error["code"]) == (param, code)
    assert set(reply.error) == {"message", "type", "param", "code"}
    assert api.server.store.counts()["assistant"] == 3  # nothing was created


def test_non_finite_numbers_are_refused(api):
    reply = api.post("/v1/assistants", b'{"model": "m", "temperature": NaN}')
    assert (reply.status, reply.error["param"], reply.error["code"]) == \
        (400, "temperature", "invalid_value")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(api, raw):
    reply = api.post("/v1/assistants", raw, headers={**HEADERS, "Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["code"] in ("invalid_json", "invalid_type")


def test_auth_and_beta_come_before_body_checks(api):
    assert api.post("/v1/assistants", b"{bad", headers={"OpenAI-Beta": "assistants=v2"}).status == 401
    assert api.post("/v1/assistants", {}, headers={"Authorization": f"Bearer {KEY}"}).status == 400
    reply = api.post("/v1/assistants", {}, headers={"Authorization": f"Bearer {KEY}"})
    assert reply.error["code"] == "invalid_beta"


@pytest.mark.parametrize("method, path, allow", [
    ("PUT", "/v1/assistants", "GET, POST"),
    ("PATCH", "/v1/assistants/asst_abc123", "DELETE, GET, POST"),
    ("DELETE", "/v1/threads", "POST"),
    ("DELETE", "/v1/files/file-abc123/content", "GET"),
])
def test_wrong_method_is_405_with_allow(api, method, path, allow):
    reply = api.request(method, path, b"{}")
    assert reply.status == 405
    assert reply.headers["allow"] == allow


# --- threads and messages ---------------------------------------------------------------------

def test_create_thread_with_messages_and_metadata(api):
    thread = api.ok("POST", "/v1/threads", {
        "messages": [
            {"role": "user", "content": "Hi there", "metadata": {"n": "1"}},
            {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
            {"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                {"type": "image_file", "image_file": {"file_id": "file-abc456", "detail": "low"}},
                {"type": "text", "text": "What is this?"}],
             "attachments": [{"file_id": "file-abc456", "tools": [{"type": "file_search"}]}]}],
        "metadata": {"project": "x"},
        "tool_resources": {"code_interpreter": {"file_ids": ["file-abc456"]}}})
    assert set(thread) == {"id", "object", "created_at", "tool_resources", "metadata"}
    assert thread["metadata"] == {"project": "x"}
    assert thread["tool_resources"] == {"code_interpreter": {"file_ids": ["file-abc456"]}}
    messages = api.ok("GET", f"/v1/threads/{thread['id']}/messages?order=asc")["data"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert all(set(m) == MESSAGE_FIELDS for m in messages)
    assert messages[0]["content"] == [{"type": "text", "text": {"value": "Hi there",
                                                                 "annotations": []}}]
    assert messages[0]["metadata"] == {"n": "1"} and messages[1]["assistant_id"] is None
    assert messages[2]["content"][:2] == [
        {"type": "image_url", "image_url": {"detail": "auto", "url": "https://example.com/a.png"}},
        {"type": "image_file", "image_file": {"detail": "low", "file_id": "file-abc456"}}]
    assert messages[2]["attachments"][0]["file_id"] == "file-abc456"


def test_modify_and_delete_thread_and_messages(api):
    thread = api.ok("POST", "/v1/threads", {})
    path = f"/v1/threads/{thread['id']}"
    assert api.ok("POST", path, {"metadata": {"a": "b"}})["metadata"] == {"a": "b"}
    message = api.ok("POST", path + "/messages", {"role": "user", "content": "one"})
    assert (message["thread_id"], message["status"], message["run_id"]) == \
        (thread["id"], "completed", None)
    changed = api.ok("POST", f"{path}/messages/{message['id']}", {"metadata": {"k": "v"}})
    assert changed["metadata"] == {"k": "v"}
    assert api.ok("GET", f"{path}/messages/{message['id']}") == changed
    assert api.ok("DELETE", f"{path}/messages/{message['id']}") == {
        "id": message["id"], "object": "thread.message.deleted", "deleted": True}
    assert api.get(f"{path}/messages/{message['id']}").status == 404
    assert api.ok("DELETE", path) == {"id": thread["id"], "object": "thread.deleted",
                                      "deleted": True}
    assert api.get(path).status == 404
    assert api.get(path + "/messages").status == 404


def test_deleting_a_thread_removes_its_runs_messages_and_steps(api):
    api.ok("DELETE", "/v1/threads/thread_abc123")
    counts = api.server.store.counts()
    assert (counts["run"], counts["message"], counts["step"]) == (0, 0, 0)


@pytest.mark.parametrize("body, param, code", [
    ({"content": "x"}, "role", "missing_required_parameter"),
    ({"role": "system", "content": "x"}, "role", "invalid_value"),
    ({"role": "user"}, "content", "missing_required_parameter"),
    ({"role": "user", "content": []}, "content", "empty_array"),
    ({"role": "user", "content": 5}, "content", "invalid_type"),
    ({"role": "user", "content": [{"type": "text"}]}, "content[0].text",
     "missing_required_parameter"),
    ({"role": "user", "content": [{"type": "video"}]}, "content[0].type", "invalid_value"),
    ({"role": "user", "content": "x", "attachments": [{"file_id": "file-abc456"}]},
     "attachments[0].tools", "missing_required_parameter"),
    ({"role": "user", "content": "x", "file_ids": []}, "file_ids", "unknown_parameter"),
])
def test_bad_message_bodies(api, body, param, code):
    reply = api.post("/v1/threads/thread_abc456/messages", body)
    assert reply.status == 400
    assert (reply.error["param"], reply.error["code"]) == (param, code)


def test_messages_naming_missing_files_are_404(api):
    reply = api.post("/v1/threads/thread_abc456/messages", {
        "role": "user", "content": "x",
        "attachments": [{"file_id": "file-nope", "tools": [{"type": "code_interpreter"}]}]})
    assert (reply.status, reply.error["param"]) == (404, "attachments[0].file_id")
    reply = api.post("/v1/threads", {"messages": [{"role": "user", "content": [
        {"type": "image_file", "image_file": {"file_id": "file-nope"}}]}]})
    assert (reply.status, reply.error["param"]) == (404, "messages[0].content[0].image_file.file_id")
    assert api.server.store.counts()["thread"] == 2


def test_message_on_a_missing_thread_is_404(api):
    reply = api.post("/v1/threads/thread_nope/messages", {"role": "user", "content": "x"})
    assert reply.status == 404 and "thread_nope" in reply.error["message"]


def test_empty_body_counts_as_an_empty_object(api):
    reply = api.request("POST", "/v1/threads", b"")
    assert reply.status == 200 and reply.json()["object"] == "thread"


def test_every_write_is_recorded_with_its_body(api):
    api.post("/v1/threads", {"metadata": {"x": "1"}})
    (recorded,) = api.server.requests
    assert (recorded.method, recorded.path) == ("POST", "/v1/threads")
    assert recorded.body == b'{"metadata": {"x": "1"}}'
    assert recorded.body_size == len(recorded.body) and recorded.body_complete
    assert recorded.parts is None

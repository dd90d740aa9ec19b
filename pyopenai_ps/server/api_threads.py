"""Routes for threads and their messages."""

from __future__ import annotations

from typing import Any

from .api_assistants import settle_tool_resources
from .api_request import ApiRequest, Route, render
from .objects import make_deleted, make_message, make_thread
from .responses import ApiError
from .run_engine import open_run
from .schemas import CREATE_MESSAGE, CREATE_THREAD, MODIFY_METADATA, MODIFY_THREAD
from .storage import ObjectStore
from .vector_store_engine import resolve_tool_resources

__all__ = ["ROUTES", "new_thread", "new_message"]


def _require_file(store: ObjectStore, file_id: str, param: str) -> None:
    if not store.exists("file", (file_id,)):
        raise ApiError(404, f"No file found with id '{file_id[:200]}'.", param=param)


def _content_part(part: dict[str, Any]) -> dict[str, Any]:
    kind = part["type"]
    if kind == "text":
        return {"type": "text", "text": {"value": part["text"], "annotations": []}}
    return {"type": kind, kind: {"detail": "auto", **part[kind]}}


def check_message(store: ObjectStore, spec: dict[str, Any], param: str) -> None:
    """404 for files a message would refer to but that do not exist."""
    content = spec["content"]
    for i, part in enumerate(content if isinstance(content, list) else []):
        if part["type"] == "image_file":
            _require_file(store, part["image_file"]["file_id"],
                          f"{param}content[{i}].image_file.file_id")
    for i, attachment in enumerate(spec.get("attachments") or []):
        _require_file(store, attachment["file_id"], f"{param}attachments[{i}].file_id")


def new_message(store: ObjectStore, thread_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Store a message made from a CreateMessageRequest (already checked)."""
    content = spec["content"]
    parts = ([{"type": "text", "text": {"value": content, "annotations": []}}]
             if isinstance(content, str) else [_content_part(p) for p in content])
    scope = (thread_id,)
    message = make_message(thread_id, store.new_id("message", scope),
                           store.api_stamp("message", scope), role=spec["role"],
                           content=parts, assistant_id=None,
                           attachments=spec.get("attachments") or [],
                           metadata=spec.get("metadata") or {})
    return store.save("message", scope, message)


def new_thread(store: ObjectStore, body: dict[str, Any], param: str = "") -> dict[str, Any]:
    """Store a thread made from a CreateThreadRequest, with its first messages."""
    for i, spec in enumerate(body.get("messages") or []):
        check_message(store, spec, f"{param}messages[{i}].")
    thread = make_thread(store.new_id("thread"), store.api_stamp("thread"),
                         tool_resources=resolve_tool_resources(store, body.get("tool_resources")),
                         metadata=body.get("metadata") or {})
    store.save("thread", (), thread)
    for spec in body.get("messages") or []:
        new_message(store, thread["id"], spec)
    return thread


def create_thread(request: ApiRequest) -> bytes:
    body = request.json(CREATE_THREAD)
    with request.store.lock:
        thread = new_thread(request.store, body)
        data = render(thread)
    settle_tool_resources(request, thread["tool_resources"])
    return data


def get_thread(request: ApiRequest) -> bytes:
    return request.store.object_bytes("thread", (request.params["thread_id"],))


def modify_thread(request: ApiRequest) -> bytes:
    body = request.json(MODIFY_THREAD)
    store = request.store
    with store.lock:
        thread = store.find("thread", (request.params["thread_id"],))
        if "tool_resources" in body:
            thread["tool_resources"] = body["tool_resources"] or {}
        if "metadata" in body:
            thread["metadata"] = body["metadata"] or {}
        store.save("thread", (), thread)
        return render(thread)


def delete_thread(request: ApiRequest) -> bytes:
    thread_id = request.params["thread_id"]
    with request.store.lock:
        request.store.remove("thread", (thread_id,))
    return render(make_deleted("thread.deleted", thread_id))


# --- messages -------------------------------------------------------------------------------

def list_messages(request: ApiRequest) -> bytes:
    options = request.list_options()
    run_id = request.first("run_id")
    if run_id:
        options["where"] = ("run_id", run_id)
    return request.store.list_bytes("message", (request.params["thread_id"],), **options)


def get_message(request: ApiRequest) -> bytes:
    return request.store.object_bytes("message", (request.params["thread_id"],
                                                  request.params["message_id"]))


def create_message(request: ApiRequest) -> bytes:
    body = request.json(CREATE_MESSAGE)
    store = request.store
    thread_id = request.params["thread_id"]
    with store.lock:
        store.find("thread", (thread_id,))
        active = open_run(store, thread_id)
        if active is not None:
            raise ApiError(400, f"Can't add messages to {thread_id} while a run {active} "
                                "is active.")
        check_message(store, body, "")
        return render(new_message(store, thread_id, body))


def modify_message(request: ApiRequest) -> bytes:
    body = request.json(MODIFY_METADATA)
    store = request.store
    ids = (request.params["thread_id"], request.params["message_id"])
    with store.lock:
        message = store.find("message", ids)
        if "metadata" in body:
            message["metadata"] = body["metadata"] or {}
        store.save("message", ids[:1], message)
        return render(message)


def delete_message(request: ApiRequest) -> bytes:
    ids = (request.params["thread_id"], request.params["message_id"])
    with request.store.lock:
        request.store.remove("message", ids)
    return render(make_deleted("thread.message.deleted", ids[1]))


ROUTES = [
    Route(("threads",), {"POST": create_thread}, beta=True),
    Route(("threads", "{thread_id}"),
          {"GET": get_thread, "POST": modify_thread, "DELETE": delete_thread}, beta=True),
    Route(("threads", "{thread_id}", "messages"),
          {"GET": list_messages, "POST": create_message}, beta=True),
    Route(("threads", "{thread_id}", "messages", "{message_id}"),
          {"GET": get_message, "POST": modify_message, "DELETE": delete_message}, beta=True),
]

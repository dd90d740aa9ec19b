"""Routes for assistants: list, get, create, modify, delete."""

from __future__ import annotations

from typing import Any

from .api_request import ApiRequest, Route, render
from .objects import make_assistant, make_deleted
from .schemas import CREATE_ASSISTANT, MODIFY_ASSISTANT
from .storage import ObjectStore
from .vector_store_engine import resolve_tool_resources

__all__ = ["ROUTES", "settle_tool_resources"]

# What an assistant made through the API has unless the request says otherwise.
_DEFAULTS: dict[str, Any] = {
    "name": None, "description": None, "instructions": None, "tools": [],
    "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0,
    "response_format": "auto",
}
# A null sent for these means "back to the default".
_NULL_MEANS_DEFAULT = ("tools", "tool_resources", "metadata", "temperature", "top_p",
                       "response_format")


def _apply(store: ObjectStore, assistant: dict[str, Any], body: dict[str, Any]) -> None:
    for name, value in body.items():
        if name == "reasoning_effort":
            continue  # accepted, but the assistant object has no such field
        if value is None and name in _NULL_MEANS_DEFAULT:
            value = _DEFAULTS[name]
        if name == "tool_resources":
            value = resolve_tool_resources(store, value)
        assistant[name] = value


def settle_tool_resources(request: ApiRequest, resources: dict[str, Any] | None) -> None:
    """Let vector stores made on the fly finish at once under ``immediate``."""
    search = (resources or {}).get("file_search") or {}
    for store_id in search.get("vector_store_ids") or []:
        request.store.created("vector_store", (store_id,))


def list_assistants(request: ApiRequest) -> bytes:
    return request.store.list_bytes("assistant", (), **request.list_options())


def get_assistant(request: ApiRequest) -> bytes:
    return request.store.object_bytes("assistant", (request.params["assistant_id"],))


def create_assistant(request: ApiRequest) -> bytes:
    body = request.json(CREATE_ASSISTANT)
    store = request.store
    with store.lock:
        assistant = make_assistant(store.new_id("assistant"), store.api_stamp("assistant"),
                                   **_DEFAULTS)
        _apply(store, assistant, body)
        store.save("assistant", (), assistant)
        data = render(assistant)
    settle_tool_resources(request, assistant["tool_resources"])
    return data


def modify_assistant(request: ApiRequest) -> bytes:
    body = request.json(MODIFY_ASSISTANT)
    store = request.store
    with store.lock:
        assistant = store.find("assistant", (request.params["assistant_id"],))
        _apply(store, assistant, body)
        store.save("assistant", (), assistant)
        return render(assistant)


def delete_assistant(request: ApiRequest) -> bytes:
    assistant_id = request.params["assistant_id"]
    with request.store.lock:
        request.store.remove("assistant", (assistant_id,))
    return render(make_deleted("assistant.deleted", assistant_id))


ROUTES = [
    Route(("assistants",), {"GET": list_assistants, "POST": create_assistant}, beta=True),
    Route(("assistants", "{assistant_id}"),
          {"GET": get_assistant, "POST": modify_assistant, "DELETE": delete_assistant},
          beta=True),
]

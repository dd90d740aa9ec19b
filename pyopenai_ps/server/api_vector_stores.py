"""Routes for vector stores, their files and their file batches.

These are not under the Assistants beta: no ``OpenAI-Beta`` header is needed.
A GET of a vector store, a file batch or a vector store file is a poll: under
``per_poll`` the files it holds move on one status.
"""

from __future__ import annotations

from typing import Any

from .api_request import ApiRequest, Route, enum_query, render
from .objects import make_deleted
from .responses import ApiError
from .schemas import (ATTRIBUTES, CREATE_FILE_BATCH, CREATE_VECTOR_STORE,
                      CREATE_VECTOR_STORE_FILE, NO_FIELDS, UPDATE_VECTOR_STORE)
from .validation import Obj
from .vector_store_engine import (attach_file, batch_file_ids, cancel_file_batch, check_files,
                                  create_file_batch, create_vector_store, refresh)

__all__ = ["ROUTES"]

_FILE_STATUSES = ("in_progress", "completed", "failed", "cancelled")
_UPDATE_FILE = Obj({"attributes": ATTRIBUTES}, required=["attributes"])


def _store_id(request: ApiRequest) -> tuple[str]:
    return (request.params["vector_store_id"],)


def list_stores(request: ApiRequest) -> bytes:
    return request.store.list_bytes("vector_store", (), **request.list_options())


def create_store(request: ApiRequest) -> bytes:
    body = request.json(CREATE_VECTOR_STORE)
    with request.store.lock:
        vector_store = create_vector_store(request.store, body)
        data = render(vector_store)
        request.store.created("vector_store", (vector_store["id"],))
        return data


def get_store(request: ApiRequest) -> bytes:
    request.store.poll("vector_store", _store_id(request))
    return request.store.object_bytes("vector_store", _store_id(request))


def modify_store(request: ApiRequest) -> bytes:
    body = request.json(UPDATE_VECTOR_STORE)
    store = request.store
    with store.lock:
        vector_store = store.find("vector_store", _store_id(request))
        if "name" in body:
            vector_store["name"] = body["name"] or ""
        if "metadata" in body:
            vector_store["metadata"] = body["metadata"] or {}
        if "expires_after" in body:
            after = body["expires_after"]
            vector_store["expires_after"] = after
            vector_store["expires_at"] = (vector_store["last_active_at"] + after["days"] * 86_400
                                          if after else None)
        store.save("vector_store", (), vector_store)
        return render(vector_store)


def delete_store(request: ApiRequest) -> bytes:
    with request.store.lock:
        request.store.remove("vector_store", _store_id(request))
    return render(make_deleted("vector_store.deleted", request.params["vector_store_id"]))


# --- files of a vector store -------------------------------------------------------------------

def _filtered(request: ApiRequest, where: list[tuple[str, Any]]) -> dict[str, Any]:
    options = request.list_options()
    status = enum_query(request, "filter", _FILE_STATUSES)
    if status:
        where.append(("status", status))
    if where:
        options["where"] = tuple(where)
    return options


def list_files(request: ApiRequest) -> bytes:
    return request.store.list_bytes("vector_store_file", _store_id(request),
                                    **_filtered(request, []))


def add_file(request: ApiRequest) -> bytes:
    body = request.json(CREATE_VECTOR_STORE_FILE)
    store = request.store
    with store.lock:
        store.find("vector_store", _store_id(request))
        spec = (body["file_id"], body.get("chunking_strategy"), body.get("attributes"))
        check_files(store, [spec], "file_id")
        entry = attach_file(store, request.params["vector_store_id"], spec)
        data = render(entry)
        refresh(store, request.params["vector_store_id"])
        store.created("vector_store_file", (entry["vector_store_id"], entry["id"]))
        return data


def _file_ids(request: ApiRequest) -> tuple[str, str]:
    return (request.params["vector_store_id"], request.params["file_id"])


def get_file(request: ApiRequest) -> bytes:
    request.store.poll("vector_store_file", _file_ids(request))
    return request.store.object_bytes("vector_store_file", _file_ids(request))


def update_file(request: ApiRequest) -> bytes:
    body = request.json(_UPDATE_FILE)
    store = request.store
    with store.lock:
        entry = store.find("vector_store_file", _file_ids(request))
        entry["attributes"] = body["attributes"] or {}
        store.save("vector_store_file", _store_id(request), entry)
        return render(entry)


def remove_file(request: ApiRequest) -> bytes:
    with request.store.lock:
        request.store.remove("vector_store_file", _file_ids(request))
        refresh(request.store, request.params["vector_store_id"])
    return render(make_deleted("vector_store.file.deleted", request.params["file_id"]))


# --- file batches ------------------------------------------------------------------------------

def _batch_ids(request: ApiRequest) -> tuple[str, str]:
    return (request.params["vector_store_id"], request.params["batch_id"])


def create_batch(request: ApiRequest) -> bytes:
    body = request.json(CREATE_FILE_BATCH)
    if ("file_ids" in body) == ("files" in body):
        raise ApiError(400, "Give either 'file_ids' or 'files' (not both).", param="file_ids",
                       code="missing_required_parameter")
    if "files" in body:
        specs = [(f["file_id"], f.get("chunking_strategy", body.get("chunking_strategy")),
                  f.get("attributes", body.get("attributes"))) for f in body["files"]]
    else:
        specs = [(i, body.get("chunking_strategy"), body.get("attributes"))
                 for i in body["file_ids"]]
    store = request.store
    with store.lock:
        store.find("vector_store", _store_id(request))
        check_files(store, specs, "files" if "files" in body else "file_ids")
        batch = create_file_batch(store, request.params["vector_store_id"], specs)
        data = render(batch)
        store.created("vector_store_file_batch", (batch["vector_store_id"], batch["id"]))
        return data


def get_batch(request: ApiRequest) -> bytes:
    request.store.poll("vector_store_file_batch", _batch_ids(request))
    return request.store.object_bytes("vector_store_file_batch", _batch_ids(request))


def cancel_batch(request: ApiRequest) -> bytes:
    request.json(NO_FIELDS)
    with request.store.lock:
        data = render(cancel_file_batch(request.store, _batch_ids(request)))
        request.store.created("vector_store_file_batch", _batch_ids(request))
        return data


def list_batch_files(request: ApiRequest) -> bytes:
    store = request.store
    with store.lock:
        store.find("vector_store_file_batch", _batch_ids(request))
        members = frozenset(batch_file_ids(store, _batch_ids(request)))
        options = _filtered(request, [("id", members)])
        return store.list_bytes("vector_store_file", _store_id(request), **options)


_STORE = ("vector_stores", "{vector_store_id}")
_BATCH = _STORE + ("file_batches", "{batch_id}")
ROUTES = [
    Route(_STORE[:1], {"GET": list_stores, "POST": create_store}),
    Route(_STORE, {"GET": get_store, "POST": modify_store, "DELETE": delete_store}),
    Route(_STORE + ("files",), {"GET": list_files, "POST": add_file}),
    Route(_STORE + ("files", "{file_id}"),
          {"GET": get_file, "POST": update_file, "DELETE": remove_file}),
    Route(_BATCH[:3], {"POST": create_batch}),
    Route(_BATCH, {"GET": get_batch}),
    Route(_BATCH + ("cancel",), {"POST": cancel_batch}),
    Route(_BATCH + ("files",), {"GET": list_batch_files}),
]

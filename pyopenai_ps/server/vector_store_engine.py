"""Vector stores, their files and file batches.

A file added to a vector store starts ``in_progress`` and one step later is
``completed`` (or ``failed`` when scripted so), its ``usage_bytes`` then the
file's size.  A vector store's ``file_counts``, ``usage_bytes`` and ``status``
(``in_progress`` while any file is) are always recomputed from its files, and
so are a file batch's counts; a batch is ``completed`` once none of its files
is in progress.  Cancelling makes it ``cancelling`` (its unfinished files stop
moving), and one step later ``cancelled``, with those files.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any, Iterable

from .answers import StreamItem
from .objects import (AUTO_CHUNKING, file_counts, make_file_batch, make_vector_store,
                      make_vector_store_file)
from .progression import Outcome
from .responses import ApiError
from .storage import Key, ObjectStore

__all__ = ["create_vector_store", "attach_file", "step_file", "refresh",
           "create_file_batch", "cancel_file_batch", "step_file_batch", "batch_file_ids", "check_files",
           "resolve_tool_resources"]

_DAY = 86_400

#: ``(file_id, chunking_strategy, attributes)`` for one file to add.
FileSpec = tuple[str, Any, Any]


def _chunking_view(requested: Any) -> dict[str, Any]:
    if isinstance(requested, dict) and requested.get("type") == "static":
        return {"type": "static", "static": dict(requested["static"])}
    return AUTO_CHUNKING


def create_vector_store(store: ObjectStore, body: dict[str, Any]) -> dict[str, Any]:
    files = [(file_id, body.get("chunking_strategy"), None) for file_id in body.get("file_ids", [])]
    check_files(store, files, "file_ids")
    store_id = store.new_id("vector_store")
    created = store.api_stamp("vector_store")
    expires_after = body.get("expires_after")
    vector_store = make_vector_store(
        store_id, created, name=body.get("name") or "", metadata=body.get("metadata") or {},
        expires_after=expires_after,
        expires_at=created + expires_after["days"] * _DAY if expires_after else None)
    store.save("vector_store", (), vector_store)
    for spec in files:
        attach_file(store, store_id, spec)
    refresh(store, store_id)
    return vector_store


def check_files(store: ObjectStore, files: Iterable[FileSpec], param: str) -> None:
    """404 naming ``param`` when a file does not exist (checked before anything changes)."""
    for i, (file_id, _, _) in enumerate(files):
        if not store.exists("file", (file_id,)):
            where = param if param == "file_id" else f"{param}[{i}]"
            raise ApiError(404, f"No file found with id '{file_id[:200]}'.", param=where)


def attach_file(store: ObjectStore, store_id: str, spec: FileSpec,
                owners: frozenset[Key] = frozenset()) -> dict[str, Any]:
    """Add an existing file to a vector store (replacing an earlier entry of it)."""
    file_id, chunking, attributes = spec
    scope = (store_id,)
    entry = make_vector_store_file(file_id, store_id, store.api_stamp("vector_store_file", scope),
                                   chunking_strategy=_chunking_view(chunking),
                                   attributes=attributes or {})
    store.save("vector_store_file", scope, entry)
    ids = (store_id, file_id)
    store.note("vector_store_file", ids)["outcome"] = store.outcomes.take("vector_store_file")
    store.track("vector_store_file", ids, owners | {("vector_store", scope)})
    store.dirty_vector_stores.add(store_id)
    return entry


def step_file(store: ObjectStore, ids: tuple[str, ...], when: int) -> list[StreamItem]:
    entry = store.find("vector_store_file", ids)
    store.untrack("vector_store_file", ids)
    if entry["status"] != "in_progress":
        return []
    outcome: Outcome | None = store.note("vector_store_file", ids).get("outcome")
    if outcome is not None and outcome.status == "failed":
        entry.update(status="failed", last_error={
            "code": outcome.code, "message": outcome.message or "The file could not be "
                                                                "processed (scripted outcome)."})
    else:
        file = store.collection("file").get(ids[1])
        entry.update(status="completed", usage_bytes=file["bytes"] if file else 0)
    store.save("vector_store_file", ids[:1], entry)
    store.dirty_vector_stores.add(ids[0])
    return []


def batch_file_ids(store: ObjectStore, ids: tuple[str, ...]) -> list[str]:
    file_ids: list[str] = store.note("vector_store_file_batch", ids).get("file_ids", [])
    return file_ids


def refresh(store: ObjectStore, store_id: str) -> None:
    """Recompute a vector store's and its batches' counts from its files."""
    store.dirty_vector_stores.discard(store_id)
    vector_store = store.collection("vector_store").get(store_id)
    if vector_store is None:
        return
    files = {f["id"]: f for f in store.objects("vector_store_file", (store_id,))}
    counts = Counter(f["status"] for f in files.values())
    vector_store.update(file_counts=file_counts(**counts),
                        usage_bytes=sum(f["usage_bytes"] for f in files.values()),
                        status="in_progress" if counts["in_progress"] else "completed")
    store.save("vector_store", (), vector_store)
    for batch in store.objects("vector_store_file_batch", (store_id,)):
        members = batch_file_ids(store, (store_id, batch["id"]))
        in_batch = Counter(files[i]["status"] for i in members if i in files)
        batch["file_counts"] = file_counts(**in_batch)
        if batch["status"] == "in_progress" and not in_batch["in_progress"]:
            batch["status"] = "completed"
        store.save("vector_store_file_batch", (store_id,), batch)


def create_file_batch(store: ObjectStore, store_id: str, files: list[FileSpec]
                      ) -> dict[str, Any]:
    scope = (store_id,)
    store.find("vector_store", scope)
    batch_id = store.new_id("vector_store_file_batch", scope)
    batch = make_file_batch(batch_id, store_id,
                            store.api_stamp("vector_store_file_batch", scope))
    store.save("vector_store_file_batch", scope, batch)
    unique = list(dict.fromkeys(spec[0] for spec in files))
    store.note("vector_store_file_batch", (store_id, batch_id))["file_ids"] = unique
    owner = frozenset({("vector_store_file_batch", (store_id, batch_id))})
    for spec in files:
        attach_file(store, store_id, spec, owner)
    refresh(store, store_id)
    return batch


def cancel_file_batch(store: ObjectStore, ids: tuple[str, ...]) -> dict[str, Any]:
    """The batch goes ``cancelling`` (its unfinished files stop where they are); one step later it is
    ``cancelled``, with those files (see :func:`step_file_batch`)."""
    batch = store.find("vector_store_file_batch", ids)
    if batch["status"] != "in_progress":
        raise ApiError(400, f"Cannot cancel file batch {ids[1]}: its status is "
                            f"'{batch['status']}'.")
    store_id = ids[0]
    for file_id in batch_file_ids(store, ids):
        store.untrack("vector_store_file", (store_id, file_id))
    batch["status"] = "cancelling"
    store.save("vector_store_file_batch", (store_id,), batch)
    store.track("vector_store_file_batch", ids, frozenset({("vector_store", (store_id,))}))
    return batch


def step_file_batch(store: ObjectStore, ids: tuple[str, ...], when: int) -> list[StreamItem]:
    """A cancelling batch becomes ``cancelled``, and so do its files still in progress."""
    store.untrack("vector_store_file_batch", ids)
    batch = store.find("vector_store_file_batch", ids)
    if batch["status"] != "cancelling":
        return []
    store_id = ids[0]
    for file_id in batch_file_ids(store, ids):
        entry = store.collection("vector_store_file", (store_id,)).get(file_id)
        if entry is not None and entry["status"] == "in_progress":
            entry["status"] = "cancelled"
            store.save("vector_store_file", (store_id,), entry)
    batch["status"] = "cancelled"
    store.save("vector_store_file_batch", (store_id,), batch)
    store.dirty_vector_stores.add(store_id)
    return []


def resolve_tool_resources(store: ObjectStore, resources: dict[str, Any] | None
                           ) -> dict[str, Any]:
    """Tool resources as an object shows them: ``file_search.vector_stores`` (stores to
    create on the fly) become the new stores' ids in ``vector_store_ids``."""
    if not resources:
        return {}
    result = copy.deepcopy(resources)
    search = result.get("file_search")
    if isinstance(search, dict) and "vector_stores" in search:
        specs = search.pop("vector_stores") or []
        search["vector_store_ids"] = [create_vector_store(store, spec)["id"] for spec in specs]
    return result

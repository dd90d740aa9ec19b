"""The store's core: collections by kind and scope, ids, time, file bytes, bookkeeping.

Every object lives in a :class:`Collection` named by its kind and its scope
(the ids of its parents: a run's scope is its thread id, a step's the thread
and run ids).  Objects are plain dicts shaped like the API's, rendered to JSON
once; whoever changes one calls :meth:`ObjectStore.save` again so the cached
bytes and pages are dropped.  Private facts the API does not show (a run's
scripted outcome, a file batch's file ids) go in ``notes``; objects that move
on their own are in ``tracked``.

Callers hold ``lock`` (re-entrant) around anything that reads then writes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

from .blobs import Blob
from .collection import BadCursor, Collection, NotFound, Where
from .objects import make_file
from .progression import CLOCK_START, Clock, ManualClock, OutcomeScript, Progression
from .sse import StreamSettings

__all__ = ["ObjectStore", "Kind", "KINDS", "Key", "Tracked", "NotFound", "BadCursor"]


@dataclass(frozen=True)
class Kind:
    noun: str                  # for "No <noun> found with id ..."
    parents: tuple[str, ...]   # kinds of the scope ids, outermost first
    prefix: str | None         # of generated ids; None when the id is given


KINDS: dict[str, Kind] = {
    "thread": Kind("thread", (), "thread_"),
    "run": Kind("run", ("thread",), "run_"),
    "message": Kind("message", ("thread",), "msg_"),
    "step": Kind("run step", ("thread", "run"), "step_"),
    "assistant": Kind("assistant", (), "asst_"),
    "batch": Kind("batch", (), "batch_"),
    "file": Kind("file", (), "file-"),
    "vector_store": Kind("vector store", (), "vs_"),
    "vector_store_file": Kind("vector store file", ("vector_store",), None),
    "vector_store_file_batch": Kind("vector store file batch", ("vector_store",), "vsfb_"),
}

#: ``(kind, ids)``: one object; ids are its scope ids followed by its own id.
Key = tuple[str, tuple[str, ...]]


@dataclass
class Tracked:
    """An object that moves on its own; ``since`` is the clock time of its last move.
    Polling any of ``owners`` (e.g. the vector store holding a file) moves it too."""

    kind: str
    ids: tuple[str, ...]
    since: float
    owners: frozenset[Key] = field(default_factory=frozenset)


class ObjectStore:
    """Collections, ids, the clock and the settings; no API behaviour of its own."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.progression = Progression()
        self.streaming = StreamSettings()
        self.outcomes = OutcomeScript()
        self._reset_state()

    def _reset_state(self) -> None:
        for blob in getattr(self, "_blobs", {}).values():
            blob.close()
        self._colls: dict[tuple[str, tuple[str, ...]], Collection] = {}
        self._counters: dict[str, int] = {}
        self._blobs: dict[str, Blob] = {}
        self.notes: dict[Key, dict[str, Any]] = {}
        self.tracked: dict[Key, Tracked] = {}
        self.dirty_vector_stores: set[str] = set()  # file counts to recompute
        # Objects added by add_* without created_at get increasing stamps after the seed world.
        self._next_stamp = CLOCK_START

    def reset_settings(self) -> None:
        self.progression = Progression()
        self.streaming = StreamSettings()
        self.outcomes.clear()

    # --- time and ids -----------------------------------------------------------------------

    def now(self) -> int:
        """The clock's time in whole unix seconds."""
        return int(self.clock())

    def api_stamp(self, kind: str, scope: tuple[str, ...] = ()) -> int:
        """``created_at`` for an object made through the API: now, but never before the
        newest object of its collection, so lists keep creation order."""
        return max(self.now(), self.collection(kind, scope).max_created)

    def counter_stamp(self, coll: Collection, fields: dict[str, Any]) -> int:
        """``created_at`` for ``add_*``: the given one, else one past everything so far."""
        if "created_at" in fields:
            return int(fields.pop("created_at"))
        stamp = max(self._next_stamp, coll.max_created + 1)
        self._next_stamp = stamp + 1
        return stamp

    def new_id(self, kind: str, scope: tuple[str, ...] = (), *,
               taken: Collection | None = None) -> str:
        """A fresh id: the kind's prefix and an 8-digit counter (so ids sort by creation)."""
        prefix = KINDS[kind].prefix
        assert prefix is not None, f"{kind} ids are not generated"
        if taken is None:
            taken = self.collection(kind, scope)
        n = self._counters.get(prefix, 0)
        while True:
            n += 1
            ident = f"{prefix}{n:08d}"
            if ident not in taken:
                self._counters[prefix] = n
                return ident

    def next_number(self, name: str) -> int:
        """A counter of its own for ids that live outside collections (tool calls, ...)."""
        self._counters[name] = self._counters.get(name, 0) + 1
        return self._counters[name]

    # --- collections ---------------------------------------------------------------------------

    def collection(self, kind: str, scope: tuple[str, ...] = ()) -> Collection:
        """The collection of ``kind`` in ``scope``; raises NotFound for a missing parent."""
        spec = KINDS.get(kind)
        if spec is None or len(scope) != len(spec.parents):
            raise ValueError(f"bad kind/scope: {kind} {scope!r}")
        for depth, parent in enumerate(spec.parents):
            if scope[depth] not in self.collection(parent, scope[:depth]):
                raise NotFound(KINDS[parent].noun, scope[depth])
        coll = self._colls.get((kind, scope))
        if coll is None:
            coll = self._colls[(kind, scope)] = Collection(spec.noun)
        return coll

    def find(self, kind: str, ids: tuple[str, ...]) -> dict[str, Any]:
        """The stored object (not a copy); raises NotFound."""
        coll = self.collection(kind, ids[:-1])
        obj = coll.get(ids[-1])
        if obj is None:
            raise NotFound(coll.noun, ids[-1])
        return obj

    def exists(self, kind: str, ids: tuple[str, ...]) -> bool:
        try:
            self.find(kind, ids)
        except NotFound:
            return False
        return True

    def save(self, kind: str, scope: tuple[str, ...], obj: dict[str, Any]) -> dict[str, Any]:
        """Store ``obj`` (new or changed) under its ``id``; returns it."""
        self.collection(kind, scope).put(obj)
        return obj

    def remove(self, kind: str, ids: tuple[str, ...]) -> dict[str, Any]:
        """Delete an object and everything scoped under it; raises NotFound."""
        coll = self.collection(kind, ids[:-1])
        obj = coll.remove(ids[-1])
        if obj is None:
            raise NotFound(coll.noun, ids[-1])
        self._forget((kind, ids))
        for (child_kind, scope) in list(self._colls):
            parents = KINDS[child_kind].parents
            if len(scope) >= len(ids) and scope[:len(ids)] == ids \
                    and parents[len(ids) - 1] == kind:
                for child in self._colls.pop((child_kind, scope)).ids():
                    self._forget((child_kind, scope + (child,)))
        return obj

    def _forget(self, key: Key) -> None:
        self.notes.pop(key, None)
        self.tracked.pop(key, None)
        if key[0] == "file":
            blob = self._blobs.pop(key[1][-1], None)
            if blob is not None:
                blob.close()

    def objects(self, kind: str, scope: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The stored objects of a collection in creation order (not copies)."""
        return self.collection(kind, scope).values()

    def render(self, kind: str, ids: tuple[str, ...]) -> bytes:
        data = self.collection(kind, ids[:-1]).rendered(ids[-1])
        if data is None:
            raise NotFound(KINDS[kind].noun, ids[-1])
        return data

    def page(self, kind: str, scope: tuple[str, ...], *, limit: int = 20, order: str = "desc",
             after: str | None = None, before: str | None = None, where: Where = None) -> bytes:
        return self.collection(kind, scope).page(limit, order, after, before, where)

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(KINDS, 0)
        for (kind, _), coll in self._colls.items():
            result[kind] += len(coll)
        return result

    # --- file bytes and bookkeeping ------------------------------------------------------------

    def put_blob(self, file_id: str, blob: Blob) -> None:
        old = self._blobs.pop(file_id, None)
        if old is not None and old is not blob:
            old.close()
        self._blobs[file_id] = blob

    def store_file(self, blob: Blob, *, filename: str, purpose: str, file_id: str | None = None,
                 created_at: int | None = None, **fields: Any) -> dict[str, Any]:
        """Store a file object and its bytes; returns the object."""
        file_id = file_id or self.new_id("file")
        created = created_at if created_at is not None else self.api_stamp("file")
        obj = make_file(file_id, created, filename=filename, size=blob.size, purpose=purpose,
                        **fields)
        self.put_blob(file_id, blob)
        return self.save("file", (), obj)

    def blob(self, file_id: str) -> Blob:
        blob = self._blobs.get(file_id)
        if blob is None:
            raise NotFound("file", file_id)
        return blob

    def note(self, kind: str, ids: tuple[str, ...]) -> dict[str, Any]:
        """The private notes of an object (created empty on first use)."""
        return self.notes.setdefault((kind, ids), {})

    def track(self, kind: str, ids: tuple[str, ...], owners: frozenset[Key] = frozenset()) -> None:
        self.tracked[(kind, ids)] = Tracked(kind, ids, self.clock(), owners)

    def untrack(self, kind: str, ids: tuple[str, ...]) -> None:
        self.tracked.pop((kind, ids), None)

    def tracked_under(self, key: Key) -> Iterator[Tracked]:
        """Tracked objects that are ``key`` or are owned by it (a snapshot)."""
        for item in list(self.tracked.values()):
            if (item.kind, item.ids) == key or key in item.owners:
                yield item

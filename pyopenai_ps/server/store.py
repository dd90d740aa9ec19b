"""The in-memory object store behind the local server.

Objects live in ordered collections (runs per thread, messages per thread,
steps per run, and flat collections of threads, assistants and batches).  The
server only ever needs bytes, so every object is rendered to JSON once and
every list page is cached per query; any write to a collection drops its
cached pages.  A lookup by id is a dict lookup.

All public methods are thread-safe (one re-entrant lock per store).
"""

from __future__ import annotations

import copy
import threading
from typing import Any, Iterable

from . import objects
from .collection import BadCursor, Collection, NotFound

__all__ = ["Store", "NotFound", "BadCursor", "KINDS"]

#: The object kinds the store knows, with the scope ids each one needs.
KINDS = {
    "thread": (), "run": ("thread",), "message": ("thread",),
    "step": ("thread", "run"), "assistant": (), "batch": (),
}


class Store:
    """Threads, runs, messages, run steps, assistants and batches, in memory.

    ``Store(seed=True)`` starts with the seed world of :mod:`.objects`
    (``thread_abc123`` with runs ``run_abc116`` … ``run_abc123``, and so on).

    The ``add_*`` methods take an optional id (generated when omitted: the
    prefix and an 8-digit counter, so generated ids sort in creation order) and
    keyword fields that override the defaults of the object factory, including
    ``created_at`` (default: later than everything added before).  They store a
    copy and return a copy.  Adding an object whose id exists replaces it.
    """

    def __init__(self, seed: bool = True) -> None:
        self._lock = threading.RLock()
        self._reset_state()
        if seed:
            self.seed()

    # --- lifecycle -----------------------------------------------------------------

    def _reset_state(self) -> None:
        self._threads = Collection("thread")
        self._runs: dict[str, Collection] = {}
        self._messages: dict[str, Collection] = {}
        self._steps: dict[tuple[str, str], Collection] = {}
        self._assistants = Collection("assistant")
        self._batches = Collection("batch")
        self._counters: dict[str, int] = {}
        # Objects added without created_at get times after the whole seed world.
        self._clock = objects.EPOCH + 86_400

    def clear(self) -> None:
        """Remove every object (and restart generated ids)."""
        with self._lock:
            self._reset_state()

    def seed(self) -> None:
        """Add the seed world (replacing seed objects that were changed)."""
        with self._lock:
            objects.seed_store(self)

    def reset(self, seed: bool = True) -> None:
        """``clear()`` then, when ``seed``, ``seed()``."""
        with self._lock:
            self._reset_state()
            if seed:
                objects.seed_store(self)

    # --- helpers ------------------------------------------------------------------

    def _new_id(self, prefix: str, taken: Collection) -> str:
        n = self._counters.get(prefix, 0)
        while True:
            n += 1
            ident = f"{prefix}{n:08d}"
            if ident not in taken:
                self._counters[prefix] = n
                return ident

    def _created_at(self, coll: Collection, fields: dict[str, Any]) -> int:
        if "created_at" in fields:
            return fields.pop("created_at")
        stamp = max(self._clock, coll.max_created + 1)
        self._clock = stamp + 1
        return stamp

    def _put(self, coll: Collection, obj: dict[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(obj)
        coll.put(stored)
        return copy.deepcopy(stored)

    def _ensure_thread(self, thread_id: str) -> None:
        if thread_id not in self._threads:
            self.add_thread(thread_id)

    # --- writes -------------------------------------------------------------------

    def add_thread(self, thread_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            thread_id = thread_id or self._new_id("thread_", self._threads)
            created = self._created_at(self._threads, fields)
            self._runs.setdefault(thread_id, Collection("run"))
            self._messages.setdefault(thread_id, Collection("message"))
            return self._put(self._threads, objects.make_thread(thread_id, created, **fields))

    def add_run(self, thread_id: str, run_id: str | None = None, *,
                status: str = "completed", **fields: Any) -> dict[str, Any]:
        """Add one run (the thread is created when missing)."""
        with self._lock:
            self._ensure_thread(thread_id)
            runs = self._runs[thread_id]
            run_id = run_id or self._new_id("run_", runs)
            created = self._created_at(runs, fields)
            return self._put(runs, objects.make_run(thread_id, run_id, created, status, **fields))

    def add_runs(self, thread_id: str, count: int, *, status: str | Iterable[str] = "completed",
                 **fields: Any) -> list[str]:
        """Add ``count`` generated runs with increasing ``created_at``; returns their ids.

        ``status`` may be a sequence, used round-robin.  ``fields`` apply to every run
        (except ``created_at``, which is always generated here).
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        statuses = [status] if isinstance(status, str) else list(status)
        if not statuses:
            raise ValueError("status must not be empty")
        bad = [s for s in statuses if s not in objects.RUN_STATUSES]
        if bad:  # checked up front so a bad call adds nothing
            raise ValueError(f"unknown run status {bad[0]!r}")
        fields.pop("created_at", None)
        with self._lock:
            self._ensure_thread(thread_id)
            runs = self._runs[thread_id]
            ids = []
            for i in range(count):
                run_id = self._new_id("run_", runs)
                created = self._created_at(runs, {})
                run = objects.make_run(thread_id, run_id, created,
                                       statuses[i % len(statuses)], **fields)
                runs.put(run)  # freshly built, no copy needed
                ids.append(run_id)
            return ids

    def add_message(self, thread_id: str, message_id: str | None = None,
                    **fields: Any) -> dict[str, Any]:
        """Add a message (the thread is created when missing); ``role``, ``text``
        and ``run_id`` shape the default content."""
        with self._lock:
            self._ensure_thread(thread_id)
            messages = self._messages[thread_id]
            message_id = message_id or self._new_id("msg_", messages)
            created = self._created_at(messages, fields)
            return self._put(messages,
                             objects.make_message(thread_id, message_id, created, **fields))

    def add_step(self, thread_id: str, run_id: str, step_id: str | None = None,
                 **fields: Any) -> dict[str, Any]:
        """Add a run step; the run must exist (KeyError otherwise)."""
        with self._lock:
            runs = self._runs.get(thread_id)
            if runs is None or run_id not in runs:
                raise KeyError(f"no run {run_id!r} in thread {thread_id!r}")
            steps = self._steps.setdefault((thread_id, run_id), Collection("run step"))
            step_id = step_id or self._new_id("step_", steps)
            created = self._created_at(steps, fields)
            return self._put(steps,
                             objects.make_step(thread_id, run_id, step_id, created, **fields))

    def add_assistant(self, assistant_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            assistant_id = assistant_id or self._new_id("asst_", self._assistants)
            created = self._created_at(self._assistants, fields)
            return self._put(self._assistants,
                             objects.make_assistant(assistant_id, created, **fields))

    def add_batch(self, batch_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            batch_id = batch_id or self._new_id("batch_", self._batches)
            created = self._created_at(self._batches, fields)
            return self._put(self._batches, objects.make_batch(batch_id, created, **fields))

    # --- reads for tests ------------------------------------------------------------

    def get(self, kind: str, *ids: str) -> dict[str, Any] | None:
        """A copy of one object, e.g. ``get("run", "thread_abc123", "run_abc123")``; None if absent."""
        with self._lock:
            try:
                obj = self._collection(kind, ids[:-1]).get(ids[-1])
            except NotFound:
                return None
            return copy.deepcopy(obj)

    def get_run(self, thread_id: str, run_id: str) -> dict[str, Any] | None:
        return self.get("run", thread_id, run_id)

    def ids(self, kind: str, *scope: str, order: str = "asc") -> list[str]:
        """Ids of a collection in creation order, e.g. ``ids("run", "thread_abc123")``."""
        with self._lock:
            result = list(self._collection(kind, scope).ids())
        return result if order == "asc" else result[::-1]

    def run_ids(self, thread_id: str, order: str = "asc") -> list[str]:
        return self.ids("run", thread_id, order=order)

    # --- reads for the server -----------------------------------------------------

    def _collection(self, kind: str, scope: tuple[str, ...]) -> Collection:
        if kind not in KINDS or len(scope) != len(KINDS[kind]):
            raise ValueError(f"bad kind/scope: {kind} {scope!r}")
        if kind == "thread":
            return self._threads
        if kind == "assistant":
            return self._assistants
        if kind == "batch":
            return self._batches
        thread_id = scope[0]
        if thread_id not in self._threads:
            raise NotFound("thread", thread_id)
        if kind == "run":
            return self._runs[thread_id]
        if kind == "message":
            return self._messages[thread_id]
        run_id = scope[1]
        if run_id not in self._runs[thread_id]:
            raise NotFound("run", run_id)
        return self._steps.get((thread_id, run_id)) or Collection("run step")

    def object_bytes(self, kind: str, ids: tuple[str, ...]) -> bytes:
        """The rendered object ``ids[-1]`` in scope ``ids[:-1]``; raises NotFound."""
        with self._lock:
            coll = self._collection(kind, ids[:-1])
            data = coll.rendered(ids[-1])
            if data is None:
                raise NotFound(coll.noun, ids[-1])
            return data

    def list_bytes(self, kind: str, scope: tuple[str, ...], *, limit: int = 20,
                   order: str = "desc", after: str | None = None, before: str | None = None,
                   where: tuple[str, Any] | None = None) -> bytes:
        """One rendered list page.

        The collection is taken in ``order`` of creation.  ``after`` keeps what
        comes after that id, ``before`` what comes before it (both: what lies
        between).  The page holds the first ``limit`` of those, except with only
        ``before``, where it holds the ``limit`` nearest the cursor; ``has_more``
        says whether more remain on the far side.  A cursor that is not in the
        collection raises BadCursor; a missing parent raises NotFound.
        ``where=(field, value)`` keeps only objects whose field equals value.
        """
        with self._lock:
            return self._collection(kind, scope).page(limit, order, after, before, where)

    def counts(self) -> dict[str, int]:
        """Number of objects of each kind (for tests and the control API)."""
        with self._lock:
            return {
                "thread": len(self._threads),
                "run": sum(map(len, self._runs.values())),
                "message": sum(map(len, self._messages.values())),
                "step": sum(map(len, self._steps.values())),
                "assistant": len(self._assistants),
                "batch": len(self._batches),
            }

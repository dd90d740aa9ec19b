"""The in-memory object store behind the local server, and its Python API.

Objects live in ordered collections (see :mod:`.storage`); the server only
ever needs bytes, so every object is rendered to JSON once and every list page
is cached per query until the next write.  A lookup by id is a dict lookup.

Besides the ``add_*`` methods tests use to build odd worlds, the store holds
the knobs of progression (see :mod:`.progression`): ``clock``,
``progression``, ``streaming`` (:class:`~.sse.StreamSettings`) and scripted
outcomes (``push_outcome``), and ``advance()`` to move objects by hand.

All public methods are thread-safe (one re-entrant lock per store).
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Iterable

from . import batch_engine, run_engine, vector_store_engine
from .answers import StreamItem
from .blobs import Blob
from .collection import BadCursor, NotFound
from .objects import (RUN_STATUSES, make_assistant, make_batch, make_message,
                      make_run, make_step, make_thread, make_vector_store,
                      make_vector_store_file)
from .progression import Clock, Outcome
from .seed import seed_store
from .storage import KINDS, Key, ObjectStore, Tracked

__all__ = ["Store", "NotFound", "BadCursor", "KINDS"]

Stepper = Callable[[ObjectStore, tuple[str, ...], int], list[StreamItem]]
_STEPPERS: dict[str, Stepper] = {
    "run": run_engine.step_run,
    "batch": batch_engine.step_batch,
    "vector_store_file": vector_store_engine.step_file,
    "vector_store_file_batch": vector_store_engine.step_file_batch,
}
_MAX_MOVES = 16  # more moves than any object has statuses: a guard against loops


class Store(ObjectStore):
    """Threads, runs, messages, steps, assistants, batches, files and vector stores.

    ``Store(seed=True, *, clock=None)`` starts with the seed world of
    :mod:`.seed` (``thread_abc123`` with runs ``run_abc116`` ... ``run_abc123``,
    and so on); ``clock`` defaults to a :class:`~.progression.ManualClock`.

    The ``add_*`` methods take an optional id (generated when omitted: the
    prefix and an 8-digit counter, so generated ids sort in creation order) and
    keyword fields that override the defaults of the object factory, including
    ``created_at`` (default: later than everything added before).  They store a
    copy and return a copy.  Adding an object whose id exists replaces it.
    Objects added this way never move on their own.
    """

    def __init__(self, seed: bool = True, *, clock: Clock | None = None) -> None:
        super().__init__(clock)
        if seed:
            self.seed()

    # --- lifecycle -----------------------------------------------------------------

    def clear(self) -> None:
        """Remove every object (and restart generated ids); settings stay."""
        with self.lock:
            self._reset_state()

    def seed(self) -> None:
        """Add the seed world (replacing seed objects that were changed)."""
        with self.lock:
            seed_store(self)

    def reset(self, seed: bool = True) -> None:
        """``clear()``, back to the default progression, streaming and no scripted
        outcomes (the clock is left alone), then, when ``seed``, ``seed()``."""
        with self.lock:
            self._reset_state()
            self.reset_settings()
            if seed:
                seed_store(self)

    # --- writes -------------------------------------------------------------------

    def _add(self, kind: str, scope: tuple[str, ...], ident: str | None,
             make: Callable[[str, int], dict[str, Any]], fields: dict[str, Any]) -> dict[str, Any]:
        coll = self.collection(kind, scope)
        ident = ident or self.new_id(kind, scope)
        # counter_stamp pops created_at from fields before make() reads them
        obj = make(ident, self.counter_stamp(coll, fields))
        coll.put(copy.deepcopy(obj))
        return obj

    def _ensure_thread(self, thread_id: str) -> None:
        if thread_id not in self.collection("thread"):
            self.add_thread(thread_id)

    def add_thread(self, thread_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self.lock:
            return self._add("thread", (), thread_id,
                             lambda i, t: make_thread(i, t, **fields), fields)

    def add_run(self, thread_id: str, run_id: str | None = None, *,
                status: str = "completed", **fields: Any) -> dict[str, Any]:
        """Add one run (the thread is created when missing)."""
        with self.lock:
            self._ensure_thread(thread_id)
            return self._add("run", (thread_id,), run_id,
                             lambda i, t: make_run(thread_id, i, t, status, **fields), fields)

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
        bad = [s for s in statuses if s not in RUN_STATUSES]
        if bad:  # checked up front so a bad call adds nothing
            raise ValueError(f"unknown run status {bad[0]!r}")
        fields.pop("created_at", None)
        with self.lock:
            self._ensure_thread(thread_id)
            runs = self.collection("run", (thread_id,))
            ids = []
            for i in range(count):
                run_id = self.new_id("run", taken=runs)
                run = make_run(thread_id, run_id, self.counter_stamp(runs, {}),
                               statuses[i % len(statuses)], **fields)
                runs.put(run)  # freshly built, no copy needed
                ids.append(run_id)
            return ids

    def add_message(self, thread_id: str, message_id: str | None = None,
                    **fields: Any) -> dict[str, Any]:
        """Add a message (the thread is created when missing); ``role``, ``text``
        and ``run_id`` shape the default content."""
        with self.lock:
            self._ensure_thread(thread_id)
            return self._add("message", (thread_id,), message_id,
                             lambda i, t: make_message(thread_id, i, t, **fields), fields)

    def add_step(self, thread_id: str, run_id: str, step_id: str | None = None,
                 **fields: Any) -> dict[str, Any]:
        """Add a run step; the run must exist (KeyError otherwise)."""
        with self.lock:
            if not self.exists("run", (thread_id, run_id)):
                raise KeyError(f"no run {run_id!r} in thread {thread_id!r}")
            return self._add("step", (thread_id, run_id), step_id,
                             lambda i, t: make_step(thread_id, run_id, i, t, **fields), fields)

    def add_assistant(self, assistant_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self.lock:
            return self._add("assistant", (), assistant_id,
                             lambda i, t: make_assistant(i, t, **fields), fields)

    def add_batch(self, batch_id: str | None = None, **fields: Any) -> dict[str, Any]:
        with self.lock:
            return self._add("batch", (), batch_id,
                             lambda i, t: make_batch(i, t, **fields), fields)

    def add_file(self, content: bytes | Blob, *, filename: str, purpose: str,
                 file_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add a file with its bytes (``fields`` override the file object's, e.g.
        ``created_at``)."""
        blob = content if isinstance(content, Blob) else Blob.from_bytes(content)
        with self.lock:
            stamp = self.counter_stamp(self.collection("file"), fields)
            return copy.deepcopy(self.store_file(blob, filename=filename, purpose=purpose,
                                                 file_id=file_id, created_at=stamp, **fields))

    def add_vector_store(self, store_id: str | None = None, *, file_ids: Iterable[str] = (),
                         **fields: Any) -> dict[str, Any]:
        """Add a vector store holding the given (existing) files, all ``completed``."""
        with self.lock:
            made = self._add("vector_store", (), store_id,
                             lambda i, t: make_vector_store(i, t, **fields), fields)
            for file_id in file_ids:
                size = self.find("file", (file_id,))["bytes"]
                self.save("vector_store_file", (made["id"],), make_vector_store_file(
                    file_id, made["id"], made["created_at"], status="completed",
                    usage_bytes=size))
            vector_store_engine.refresh(self, made["id"])
            return copy.deepcopy(self.find("vector_store", (made["id"],)))

    # --- reads for tests ------------------------------------------------------------

    def get(self, kind: str, *ids: str) -> dict[str, Any] | None:
        """A copy of one object, e.g. ``get("run", "thread_abc123", "run_abc123")``; None if absent."""
        with self.lock:
            try:
                return copy.deepcopy(self.find(kind, tuple(ids)))
            except NotFound:
                return None

    def get_run(self, thread_id: str, run_id: str) -> dict[str, Any] | None:
        return self.get("run", thread_id, run_id)

    def ids(self, kind: str, *scope: str, order: str = "asc") -> list[str]:
        """Ids of a collection in creation order, e.g. ``ids("run", "thread_abc123")``."""
        with self.lock:
            result = list(self.collection(kind, tuple(scope)).ids())
        return result if order == "asc" else result[::-1]

    def run_ids(self, thread_id: str, order: str = "asc") -> list[str]:
        return self.ids("run", thread_id, order=order)

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a stored file (KeyError when there is none)."""
        with self.lock:
            try:
                return self.blob(file_id).read_all()
            except NotFound:
                raise KeyError(file_id) from None

    # --- reads for the server -----------------------------------------------------

    def object_bytes(self, kind: str, ids: tuple[str, ...]) -> bytes:
        """The rendered object ``ids[-1]`` in scope ``ids[:-1]``; raises NotFound."""
        with self.lock:
            return self.render(kind, ids)

    def list_bytes(self, kind: str, scope: tuple[str, ...], *, limit: int = 20,
                   order: str = "desc", after: str | None = None, before: str | None = None,
                   where: Any = None) -> bytes:
        """One rendered list page.

        The collection is taken in ``order`` of creation.  ``after`` keeps what
        comes after that id, ``before`` what comes before it (both: what lies
        between).  The page holds the first ``limit`` of those, except with only
        ``before``, where it holds the ``limit`` nearest the cursor; ``has_more``
        says whether more remain on the far side.  A cursor that is not in the
        collection raises BadCursor; a missing parent raises NotFound.
        ``where=(field, value)`` (or a tuple of such pairs) keeps only objects whose
        fields equal the values (a frozenset value: is one of them).
        """
        with self.lock:
            return self.page(kind, scope, limit=limit, order=order, after=after,
                             before=before, where=where)

    def counts(self) -> dict[str, int]:
        """Number of objects of each kind (for tests and the control API)."""
        with self.lock:
            return super().counts()

    # --- progression ------------------------------------------------------------------

    def push_outcome(self, *outcomes: Outcome, times: int = 1) -> None:
        """Script how the next objects end: each outcome, in order, for ``times``
        objects of its kind (taken when an object is created)."""
        if not all(isinstance(o, Outcome) for o in outcomes):
            raise TypeError("push_outcome() takes Outcome objects")
        for outcome in outcomes:
            self.outcomes.push(outcome, times)

    def clear_outcomes(self) -> None:
        self.outcomes.clear()

    @property
    def pending_outcomes(self) -> dict[str, int]:
        """Scripted outcomes not yet taken, per kind."""
        return self.outcomes.pending()

    def _move(self, item: Tracked, when: int) -> list[StreamItem]:
        return _STEPPERS[item.kind](self, item.ids, when)

    def _flush(self) -> None:
        for store_id in list(self.dirty_vector_stores):
            vector_store_engine.refresh(self, store_id)

    def advance(self, kind: str | None = None, *ids: str, steps: int = 1) -> int:
        """Move API-made objects ``steps`` statuses on, whatever the progression: all
        of them, or those of ``kind``/``ids`` (e.g. ``advance("run", thread_id,
        run_id)``, ``advance("vector_store", store_id)`` for its files).  Returns
        how many moves were made."""
        moves = 0
        with self.lock:
            for _ in range(steps):
                if kind is None:
                    chosen = list(self.tracked.values())
                else:
                    chosen = list(self.tracked_under((kind, tuple(ids))))
                for item in chosen:
                    self._move(item, self.now())
                    item.since = self.clock()
                    moves += 1
            self._flush()
        return moves

    def poll(self, kind: str, ids: tuple[str, ...]) -> None:
        """A GET of one object: under ``per_poll`` it (and what it holds) moves one status."""
        if self.progression.mode != "per_poll":
            return
        with self.lock:
            for item in self.tracked_under((kind, ids)):
                self._move(item, self.now())
            self._flush()

    def catch_up(self) -> None:
        """Under ``after_seconds``: make every move whose time has come (each one
        stamped with the time it was due)."""
        if self.progression.mode != "after_seconds" or not self.tracked:
            return
        period = self.progression.seconds
        with self.lock:
            now = self.clock()
            for item in list(self.tracked.values()):
                for _ in range(_MAX_MOVES):
                    key: Key = (item.kind, item.ids)
                    if self.tracked.get(key) is not item or now - item.since < period:
                        break
                    item.since += period
                    self._move(item, int(item.since))
            self._flush()

    def settle(self, kind: str, ids: tuple[str, ...]) -> list[StreamItem]:
        """Move an object until it stops (ends, or waits for the client); returns
        the events of the moves.  Streams use this whatever the progression."""
        items: list[StreamItem] = []
        with self.lock:
            for _ in range(_MAX_MOVES):
                item = self.tracked.get((kind, ids))
                if item is None:
                    break
                items += self._move(item, self.now())
            self._flush()
        return items

    def created(self, kind: str, ids: tuple[str, ...]) -> None:
        """After an API write: under ``immediate`` everything it started runs to rest."""
        if self.progression.mode != "immediate":
            return
        with self.lock:
            for item in list(self.tracked_under((kind, ids))):
                self.settle(item.kind, item.ids)


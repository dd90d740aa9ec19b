"""Time and progress: the store's clock, how objects move on, and scripted outcomes.

Objects created through the API (runs, batches, vector store files and file
batches) move through their statuses on their own; seeded objects and those
added with ``Store.add_*`` never move.  How they move is the store's
:class:`Progression`:

- ``Progression.per_poll()`` (default): each GET of the object itself (or of
  the vector store / file batch holding it) moves it one status on.
  Deterministic: a test knows exactly what the n-th poll returns.
- ``Progression.after_seconds(n)``: one status every ``n`` seconds of the
  store's clock, caught up at the start of every API request.
- ``Progression.immediate()``: an object runs to its end (or to
  ``requires_action``) as soon as it is created; the create answer still shows
  its first status.
- ``Progression.manual()``: nothing moves until ``Store.advance()`` (or
  ``POST /__control/advance``) says so.

The clock is any zero-argument callable returning unix seconds.  The default,
:class:`ManualClock`, stands still until told to move, so nothing in a test
waits on real time.  ``time.time`` gives the real clock.

An :class:`Outcome` decides how the next object of a kind ends (a run that
fails with a given ``last_error``, a batch that expires, ...).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["Clock", "ManualClock", "Progression", "Outcome", "OutcomeScript", "CLOCK_START"]

#: Where the default clock starts: one day after the seed world's EPOCH.
CLOCK_START = 1_700_000_000 + 86_400

Clock = Callable[[], float]


class ManualClock:
    """A clock that moves only when told to (thread-safe)."""

    def __init__(self, start: float = CLOCK_START) -> None:
        self._lock = threading.Lock()
        self._now = float(start)

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (>= 0); returns the new time."""
        if not seconds >= 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += float(seconds)
            return self._now

    def set(self, when: float) -> float:
        """Jump to ``when`` (not earlier than now); returns it."""
        with self._lock:
            if when < self._now:
                raise ValueError("a clock only moves forward")
            self._now = float(when)
            return self._now


@dataclass(frozen=True)
class Progression:
    """How API-created objects move through their statuses (see the module doc)."""

    mode: str = "per_poll"
    seconds: float = 1.0

    MODES = ("per_poll", "after_seconds", "immediate", "manual")

    def __post_init__(self) -> None:
        if self.mode not in self.MODES:
            raise ValueError(f"unknown progression mode {self.mode!r}; "
                             f"expected one of {', '.join(self.MODES)}")
        if not self.seconds > 0:
            raise ValueError("seconds must be > 0")

    @classmethod
    def per_poll(cls) -> "Progression":
        return cls("per_poll")

    @classmethod
    def after_seconds(cls, seconds: float) -> "Progression":
        return cls("after_seconds", float(seconds))

    @classmethod
    def immediate(cls) -> "Progression":
        return cls("immediate")

    @classmethod
    def manual(cls) -> "Progression":
        return cls("manual")

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "Progression":
        unknown = set(spec) - {"mode", "seconds"}
        if unknown:
            raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
        seconds = spec.get("seconds", 1.0)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ValueError("'seconds' must be a number")
        return cls(str(spec.get("mode", "per_poll")), float(seconds))

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "seconds": self.seconds}


# The statuses each kind may be told to end in, and the error code used when none is given.
_OUTCOMES = {
    "run": (("completed", "failed", "expired", "incomplete"), "server_error"),
    "batch": (("completed", "failed", "expired"), "batch_failed"),
    "vector_store_file": (("completed", "failed"), "server_error"),
}


@dataclass(frozen=True)
class Outcome:
    """How the next object of ``kind`` ends: ``status``, with ``code`` and
    ``message`` for failures (a run's ``last_error``, a batch's ``errors``, a
    vector store file's ``last_error``).

    Build it with ``Outcome.run("failed", code="rate_limit_exceeded",
    message="...")``, ``Outcome.run("expired")``, ``Outcome.run("incomplete")``,
    ``Outcome.batch("failed")``, ``Outcome.vector_store_file("failed")``.
    """

    kind: str
    status: str
    code: str | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _OUTCOMES:
            raise ValueError(f"unknown outcome kind {self.kind!r}; "
                             f"expected one of {', '.join(_OUTCOMES)}")
        statuses, default_code = _OUTCOMES[self.kind]
        if self.status not in statuses:
            raise ValueError(f"a {self.kind} cannot end as {self.status!r}; "
                             f"expected one of {', '.join(statuses)}")
        if self.status == "failed" and self.code is None:
            object.__setattr__(self, "code", default_code)

    @classmethod
    def run(cls, status: str, *, code: str | None = None,
            message: str | None = None) -> "Outcome":
        return cls("run", status, code, message)

    @classmethod
    def batch(cls, status: str, *, code: str | None = None,
              message: str | None = None) -> "Outcome":
        return cls("batch", status, code, message)

    @classmethod
    def vector_store_file(cls, status: str, *, code: str | None = None,
                          message: str | None = None) -> "Outcome":
        return cls("vector_store_file", status, code, message)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "Outcome":
        unknown = set(spec) - {"kind", "status", "code", "message", "times"}
        if unknown:
            raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
        for name in ("kind", "status"):
            if not isinstance(spec.get(name), str):
                raise ValueError(f"'{name}' must be a string")
        for name in ("code", "message"):
            if spec.get(name) is not None and not isinstance(spec[name], str):
                raise ValueError(f"'{name}' must be a string")
        return cls(spec["kind"], spec["status"], spec.get("code"), spec.get("message"))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "status": self.status, "code": self.code,
                "message": self.message}


class OutcomeScript:
    """FIFO queues of outcomes per kind; an object takes one when it is created."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, list[list[Any]]] = {}

    def push(self, outcome: Outcome, times: int = 1) -> None:
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be an int >= 1")
        with self._lock:
            self._queues.setdefault(outcome.kind, []).append([outcome, times])

    def take(self, kind: str) -> Outcome | None:
        with self._lock:
            queue = self._queues.get(kind)
            if not queue:
                return None
            entry = queue[0]
            entry[1] -= 1
            if entry[1] == 0:
                queue.pop(0)
            outcome: Outcome = entry[0]
            return outcome

    def pending(self) -> dict[str, int]:
        """Uses left per kind (kinds with none are left out)."""
        with self._lock:
            return {kind: sum(e[1] for e in queue)
                    for kind, queue in self._queues.items() if queue}

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()

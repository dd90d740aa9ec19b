"""The HTTP control API, for driving a server that runs in another process.

No auth, not under ``/v1``, never recorded and never subject to faults:

- ``POST /__control/faults`` — body: one fault dict or a list of them, each
  ``{"kind": ..., <constructor args>, "path": <filter>, "times": N}`` (see
  :meth:`Fault.from_dict`); answers ``{"queued": <uses added>, "pending": <total>}``.
- ``GET /__control/faults`` — ``{"pending": <uses left>}``;
  ``DELETE /__control/faults`` clears the queue.
- ``POST /__control/reset`` — clears requests and faults and resets the store
  (re-seeded unless the server was made with ``seed=False`` or the body is
  ``{"seed": false}``).
- ``POST /__control/seed`` — ``{"thread_id": "thread_big", "runs": 10000,
  "status": "completed"}`` adds generated runs (creating the thread);
  answers ``{"thread_id", "count", "first_id", "last_id"}``.
- ``GET /__control/requests`` — ``{"object": "list", "data": [...]}`` of the
  recorded requests (Authorization masked); ``DELETE`` clears them.
- ``GET /__control/store`` — object counts per kind.

Progression, streaming and scripted outcomes (see :mod:`.progression`):

- ``GET /__control/clock`` — ``{"now": <unix seconds>, "manual": <bool>}``;
  ``POST`` ``{"advance": seconds}`` or ``{"set": unix_seconds}`` moves a
  manual clock (400 for a real one) and answers the same shape.
- ``GET /__control/progression`` — ``{"mode", "seconds"}``; ``POST`` sets it
  (``{"mode": "per_poll" | "after_seconds" | "immediate" | "manual",
  "seconds": 2}``) and answers the new one.
- ``POST /__control/advance`` — ``{"kind": "run", "ids": ["thread_..", "run_.."],
  "steps": 1}`` (all fields optional: without ``kind``, everything that moves)
  moves objects on by hand; answers ``{"moves": n}``.
- ``POST /__control/outcomes`` — one or a list of ``{"kind": "run" | "batch" |
  "vector_store_file", "status": ..., "code": ..., "message": ..., "times": N}``;
  answers ``{"queued": n, "pending": {kind: n}}``; ``GET`` gives ``pending``,
  ``DELETE`` clears.
- ``GET /__control/stream`` — the stream settings; ``POST`` replaces them (fields
  not given take their defaults) and answers the new ones.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .context import ServerContext
from .faults import Fault
from .progression import ManualClock, Outcome, Progression
from .responses import ApiError, json_bytes
from .sse import StreamSettings

__all__ = ["PREFIX", "handle_control"]

PREFIX = "/__control/"


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise ApiError(400, f"The request body is not valid JSON ({detail}).") from None


def _faults(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    if method == "POST":
        return _queue_faults(server, _json_body(body))
    if method == "DELETE":
        server.clear_faults()
    return {"pending": server.pending_faults}


def _queue_faults(server: ServerContext, spec: Any) -> dict[str, Any]:
    specs = spec if isinstance(spec, list) else [spec]
    built = []
    for item in specs:
        if not isinstance(item, dict):
            raise ApiError(400, "Each fault must be a JSON object with a 'kind'.")
        try:
            fault = Fault.from_dict(item)
            path = item.get("path")
            times = item.get("times", 1)
            if not isinstance(times, int) or isinstance(times, bool) or times < 1:
                raise ValueError("'times' must be an integer >= 1")
            if path is not None and (not isinstance(path, str) or not path.startswith("/")):
                raise ValueError("'path' must be a string starting with '/'")
        except (KeyError, TypeError, ValueError) as exc:
            raise ApiError(400, f"Invalid fault {json.dumps(item)[:200]}: {exc}") from None
        built.append((fault, path, times))
    # Validate everything before queueing anything, so a bad list changes nothing.
    for fault, path, times in built:
        server.inject(fault, path=path, times=times)
    return {"queued": sum(t for _, _, t in built), "pending": server.pending_faults}


def _seed(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    spec = _json_body(body)
    if not isinstance(spec, dict) or not isinstance(spec.get("thread_id"), str) \
            or not spec["thread_id"]:
        raise ApiError(400, "Expected {\"thread_id\": \"...\", \"runs\": N}.", param="thread_id")
    count = spec.get("runs", 0)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 1_000_000:
        raise ApiError(400, "'runs' must be an integer from 0 to 1000000.", param="runs")
    status = spec.get("status", "completed")
    try:
        ids = server.store.add_runs(spec["thread_id"], count, status=status)
    except ValueError as exc:
        raise ApiError(400, f"Cannot seed: {exc}.", param="status") from None
    return {"thread_id": spec["thread_id"], "count": len(ids),
            "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


def _reset(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    spec = _json_body(body)
    seed = spec.get("seed") if isinstance(spec, dict) else None
    server.reset(seed=None if seed is None else bool(seed))
    return {"reset": True, "counts": server.store.counts()}


def _requests(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    if method == "DELETE":
        server.clear_requests()
    return {"object": "list", "data": [r.to_json() for r in server.requests]}


def _store(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    return {"counts": server.store.counts()}


def _object(body: bytes) -> dict[str, Any]:
    spec = _json_body(body)
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise ApiError(400, "Expected a JSON object.")
    return spec


def _number(spec: dict[str, Any], name: str) -> float:
    value = spec[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(400, f"'{name}' must be a number.", param=name)
    return float(value)


def _clock(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    clock = server.store.clock
    manual = isinstance(clock, ManualClock)
    if method == "POST":
        spec = _object(body)
        if not manual:
            raise ApiError(400, "This server runs on a real clock, which cannot be moved.")
        assert isinstance(clock, ManualClock)
        try:
            if "advance" in spec:
                clock.advance(_number(spec, "advance"))
            elif "set" in spec:
                clock.set(_number(spec, "set"))
            else:
                raise ApiError(400, "Expected {\"advance\": seconds} or {\"set\": time}.")
        except ValueError as exc:
            raise ApiError(400, f"Cannot move the clock: {exc}.") from None
    return {"now": clock(), "manual": manual}


def _progression(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    if method == "POST":
        try:
            server.store.progression = Progression.from_dict(_object(body))
        except ValueError as exc:
            raise ApiError(400, f"Invalid progression: {exc}.") from None
    return server.store.progression.to_dict()


def _advance(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    spec = _object(body)
    kind, ids, steps = spec.get("kind"), spec.get("ids", []), spec.get("steps", 1)
    if kind is not None and not isinstance(kind, str):
        raise ApiError(400, "'kind' must be a string.", param="kind")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "'ids' must be a list of strings.", param="ids")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 100:
        raise ApiError(400, "'steps' must be an integer from 1 to 100.", param="steps")
    return {"moves": server.store.advance(kind, *ids, steps=steps)}


def _outcomes(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    store = server.store
    if method == "DELETE":
        store.clear_outcomes()
    if method != "POST":
        return {"pending": store.pending_outcomes}
    spec = _json_body(body)
    built = []
    for item in spec if isinstance(spec, list) else [spec]:
        try:
            if not isinstance(item, dict):
                raise ValueError("each outcome must be a JSON object")
            times = item.get("times", 1)
            if isinstance(times, bool) or not isinstance(times, int) or times < 1:
                raise ValueError("'times' must be an integer >= 1")
            built.append((Outcome.from_dict(item), times))
        except ValueError as exc:
            raise ApiError(400, f"Invalid outcome {json.dumps(item)[:200]}: {exc}") from None
    for outcome, times in built:  # all checked before any is queued
        store.push_outcome(outcome, times=times)
    return {"queued": sum(t for _, t in built), "pending": store.pending_outcomes}


def _stream(server: ServerContext, method: str, body: bytes) -> dict[str, Any]:
    if method == "POST":
        try:
            server.store.streaming = StreamSettings.from_dict(_object(body))
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"Invalid stream settings: {exc}.") from None
    return server.store.streaming.to_dict()


Endpoint = Callable[[ServerContext, str, bytes], dict[str, Any]]
_ENDPOINTS: dict[str, tuple[tuple[str, ...], Endpoint]] = {
    "faults": (("GET", "POST", "DELETE"), _faults),
    "reset": (("POST",), _reset),
    "seed": (("POST",), _seed),
    "requests": (("GET", "DELETE"), _requests),
    "store": (("GET",), _store),
    "clock": (("GET", "POST"), _clock),
    "progression": (("GET", "POST"), _progression),
    "advance": (("POST",), _advance),
    "outcomes": (("GET", "POST", "DELETE"), _outcomes),
    "stream": (("GET", "POST"), _stream),
}


def handle_control(server: ServerContext, method: str, path: str, body: bytes) -> bytes:
    """The 200 body of a control request, or raises :class:`ApiError`."""
    endpoint = _ENDPOINTS.get(path[len(PREFIX):])
    if endpoint is None:
        raise ApiError(404, f"Unknown control endpoint: {path[:200]}.")
    allowed, run = endpoint
    if method not in allowed:
        raise ApiError(405, f"{path} accepts {', '.join(allowed)}, not {method}.",
                       headers={"Allow": ", ".join(allowed)})
    return json_bytes(run(server, method, body))

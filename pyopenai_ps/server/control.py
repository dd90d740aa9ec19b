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
"""

from __future__ import annotations

import json
from typing import Any

from .context import ServerContext
from .faults import Fault
from .responses import ApiError, json_bytes

__all__ = ["PREFIX", "handle_control"]

PREFIX = "/__control/"

_METHODS = {
    "faults": ("GET", "POST", "DELETE"),
    "reset": ("POST",),
    "seed": ("POST",),
    "requests": ("GET", "DELETE"),
    "store": ("GET",),
}


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ApiError(400, f"The request body is not valid JSON ({exc.msg}).") from None


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


def _seed(server: ServerContext, spec: Any) -> dict[str, Any]:
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


def handle_control(server: ServerContext, method: str, path: str, body: bytes) -> bytes:
    """The 200 body of a control request, or raises :class:`ApiError`."""
    name = path[len(PREFIX):]
    allowed = _METHODS.get(name)
    if allowed is None:
        raise ApiError(404, f"Unknown control endpoint: {path[:200]}.")
    if method not in allowed:
        raise ApiError(405, f"{path} accepts {', '.join(allowed)}, not {method}.",
                       headers={"Allow": ", ".join(allowed)})
    result: Any
    if name == "faults":
        if method == "POST":
            result = _queue_faults(server, _json_body(body))
        else:
            if method == "DELETE":
                server.clear_faults()
            result = {"pending": server.pending_faults}
    elif name == "reset":
        spec = _json_body(body)
        seed = spec.get("seed") if isinstance(spec, dict) else None
        server.reset(seed=None if seed is None else bool(seed))
        result = {"reset": True, "counts": server.store.counts()}
    elif name == "seed":
        result = _seed(server, _json_body(body))
    elif name == "requests":
        if method == "DELETE":
            server.clear_requests()
        result = {"object": "list", "data": [r.to_json() for r in server.requests]}
    else:
        result = {"counts": server.store.counts()}
    return json_bytes(result)

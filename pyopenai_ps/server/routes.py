"""The API proper: routing, auth, the beta header, query checks, lookups.

Checks run in this order, the first failure answering: authentication (401),
the path (404), the method (405, only GET is served), the ``OpenAI-Beta``
header on Assistants-family paths (400), query parameters (400), then the
objects named by the path (404) and any cursor (400).

List query rules (as the real API documents them): ``limit`` is an integer in
1..100 (default 20); ``order`` is ``asc`` or ``desc`` exactly (default
``desc``); ``after``/``before`` are object ids of the same list.  When a
parameter is repeated the first value counts, and an empty ``after=``/
``before=`` means no cursor.  A cursor naming no object of the list is a 400
with ``param`` set to the cursor's name: failing loudly beats silently
restarting a listing from the top.  ``/v1/batches`` takes only ``limit`` and
``after`` and is always newest first, like the real endpoint (``order`` and
``before`` are ignored there).  ``GET .../messages`` also filters on ``run_id``.
"""

from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import unquote

from .responses import ApiError, mask_key
from .store import BadCursor, NotFound, Store

__all__ = ["split_path", "match_route", "handle_api"]

# Kinds served under the Assistants beta, which need "OpenAI-Beta: assistants=v2".
_BETA_KINDS = frozenset({"thread", "run", "message", "step", "assistant"})
_INT = re.compile(r"[+-]?[0-9]+")


def split_path(path: str) -> list[str]:
    """Path segments, each percent-decoded on its own (so an encoded '/' stays inside one)."""
    return [unquote(segment) for segment in path.split("/")[1:]]


def match_route(segments: list[str]) -> tuple[str, tuple[str, ...], bool] | None:
    """``(kind, ids, is_list)`` for an API path, or None.

    For a list, ``ids`` is the scope (e.g. the thread id); for one object it is
    the scope plus the object id.
    """
    if len(segments) < 2 or segments[0] != "v1" or "" in segments:
        return None
    rest = segments[1:]
    n = len(rest)
    head = rest[0]
    if head in ("assistants", "batches") and n <= 2:
        kind = "assistant" if head == "assistants" else "batch"
        return (kind, (), True) if n == 1 else (kind, (rest[1],), False)
    if head != "threads" or n < 2:
        return None
    thread_id = rest[1]
    if n == 2:
        return ("thread", (thread_id,), False)
    sub = rest[2]
    if sub == "messages" and n <= 4:
        return ("message", (thread_id,), True) if n == 3 else ("message", (thread_id, rest[3]), False)
    if sub != "runs":
        return None
    if n == 3:
        return ("run", (thread_id,), True)
    if n == 4:
        return ("run", (thread_id, rest[3]), False)
    if rest[4] == "steps" and n <= 6:
        run_id = rest[3]
        return ("step", (thread_id, run_id), True) if n == 5 else ("step", (thread_id, run_id, rest[5]), False)
    return None


def _short(value: str, limit: int = 64) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def check_auth(headers: Mapping[str, str], api_keys: frozenset[str] | None) -> None:
    value = headers.get("authorization")
    if value is None:
        raise ApiError(401, "No API key was sent. Put it in the Authorization header, "
                            "as 'Authorization: Bearer <your key>'.")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "The Authorization header must read 'Bearer <your key>'; "
                            "this one does not.")
    if api_keys is not None and token not in api_keys:
        raise ApiError(401, f"Incorrect API key provided: {mask_key(token)}. "
                            "This server accepts only the keys it was started with.",
                       code="invalid_api_key")


def check_beta(headers: Mapping[str, str]) -> None:
    features = [part.strip() for part in headers.get("openai-beta", "").split(",")]
    if "assistants=v2" in features:
        return
    if "assistants=v1" in features:
        raise ApiError(400, "Version 1 of the Assistants API is not served here; "
                            "send the header 'OpenAI-Beta: assistants=v2' instead.",
                       code="invalid_beta")
    raise ApiError(400, "This endpoint belongs to the Assistants API beta: send the "
                        "header 'OpenAI-Beta: assistants=v2' with the request.",
                   code="invalid_beta")


def _first(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def parse_list_query(query: Mapping[str, list[str]], *, kind: str) -> dict[str, Any]:
    raw = _first(query, "limit")
    if raw is None:
        limit = 20
    elif not _INT.fullmatch(raw):
        raise ApiError(400, f"Invalid 'limit': expected an integer, got '{_short(raw)}'.",
                       param="limit", code="invalid_type")
    else:
        limit = int(raw)
        if limit < 1:
            raise ApiError(400, f"Invalid 'limit': {limit} is below the minimum of 1.",
                           param="limit", code="integer_below_min_value")
        if limit > 100:
            raise ApiError(400, f"Invalid 'limit': {limit} is above the maximum of 100.",
                           param="limit", code="integer_above_max_value")
    after = _first(query, "after") or None
    if kind == "batch":
        return {"limit": limit, "order": "desc", "after": after, "before": None}
    order = _first(query, "order")
    if order is None:
        order = "desc"
    elif order not in ("asc", "desc"):
        raise ApiError(400, f"Invalid 'order': expected 'asc' or 'desc', got '{_short(order)}'.",
                       param="order", code="invalid_value")
    before = _first(query, "before") or None
    options: dict[str, Any] = {"limit": limit, "order": order, "after": after, "before": before}
    if kind == "message":
        run_id = _first(query, "run_id")
        if run_id:
            options["where"] = ("run_id", run_id)
    return options


def handle_api(store: Store, api_keys: frozenset[str] | None, method: str, path: str,
               query: Mapping[str, list[str]], headers: Mapping[str, str]) -> bytes:
    """The 200 body for a request, or raises :class:`ApiError`."""
    check_auth(headers, api_keys)
    route = match_route(split_path(path))
    if route is None:
        raise ApiError(404, f"Unknown request URL: {method} {_short(path, 200)}. "
                            "Check the path and the method.")
    if method != "GET":
        raise ApiError(405, f"Method {method} is not supported for {_short(path, 200)}; "
                            "this local server only answers GET.", headers={"Allow": "GET"})
    kind, ids, is_list = route
    if kind in _BETA_KINDS:
        check_beta(headers)
    try:
        if is_list:
            return store.list_bytes(kind, ids, **parse_list_query(query, kind=kind))
        return store.object_bytes(kind, ids)
    except NotFound as exc:
        raise ApiError(404, f"No {exc.noun} found with id '{_short(exc.ident, 200)}'.") from None
    except BadCursor as exc:
        raise ApiError(400, f"Invalid '{exc.param}': there is no {exc.noun} with id "
                            f"'{_short(exc.ident, 200)}' in this list.",
                       param=exc.param) from None

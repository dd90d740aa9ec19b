"""The API proper: routing, auth, the beta header, then the route function.

Checks run in this order, the first failure answering: authentication (401),
the path (404), the method (405 with ``Allow``; a GET of a path that only
takes POST is a 404, as there is nothing to read there), the ``OpenAI-Beta:
assistants=v2`` header on Assistants paths (threads, runs, messages, steps,
assistants: 400), then the route's own checks: query parameters and the body
(400), the objects named by the path (404) and any cursor (400).

Before a route runs, objects whose time has come move on (``after_seconds``
progression).  See :mod:`.api_request` for the list query rules.
"""

from __future__ import annotations

from typing import Mapping
from urllib.parse import unquote

from . import api_assistants, api_files, api_runs, api_threads, api_vector_stores
from .answers import Answer
from .api_request import ApiRequest, Route, short
from .request_body import RequestBody
from .responses import ApiError, mask_key
from .store import BadCursor, NotFound, Store

__all__ = ["split_path", "match_route", "handle_api", "ROUTES"]

ROUTES: list[Route] = (api_assistants.ROUTES + api_threads.ROUTES + api_runs.ROUTES
                       + api_files.ROUTES + api_vector_stores.ROUTES)


def split_path(path: str) -> list[str]:
    """Path segments, each percent-decoded on its own (so an encoded '/' stays inside one)."""
    return [unquote(segment) for segment in path.split("/")[1:]]


def _bind(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params = {}
    for want, got in zip(pattern, segments):
        if want.startswith("{"):
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


def match_route(segments: list[str]) -> tuple[Route, dict[str, str]] | None:
    """The route for an API path and its ids; a literal segment beats an id
    (``/v1/threads/runs`` is thread-and-run, not the thread ``runs``)."""
    if len(segments) < 2 or segments[0] != "v1" or "" in segments:
        return None
    best: tuple[int, Route, dict[str, str]] | None = None
    for route in ROUTES:
        params = _bind(route.pattern, segments[1:])
        if params is not None and (best is None or len(params) < best[0]):
            best = (len(params), route, params)
    return None if best is None else best[1:]


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


def _unknown(method: str, path: str) -> ApiError:
    return ApiError(404, f"Unknown request URL: {method} {short(path, 200)}. "
                         "Check the path and the method.")


def handle_api(store: Store, api_keys: frozenset[str] | None, method: str, path: str,
               query: Mapping[str, list[str]], headers: Mapping[str, str],
               body: RequestBody | None = None) -> Answer:
    """The 200 answer for a request, or raises :class:`ApiError`."""
    check_auth(headers, api_keys)
    matched = match_route(split_path(path))
    if matched is None:
        raise _unknown(method, path)
    route, params = matched
    handler = route.methods.get(method)
    if handler is None:
        if method == "GET":
            raise _unknown(method, path)
        allowed = ", ".join(sorted(route.methods))
        raise ApiError(405, f"Method {method} is not supported for {short(path, 200)}; "
                            f"use {allowed}.", headers={"Allow": allowed})
    if route.beta:
        check_beta(headers)
    store.catch_up()
    request = ApiRequest(store, method, path, params, query, headers, body or RequestBody())
    try:
        return handler(request)
    except NotFound as exc:
        raise ApiError(404, f"No {exc.noun} found with id '{short(exc.ident, 200)}'.") from None
    except BadCursor as exc:
        raise ApiError(400, f"Invalid '{exc.param}': there is no {exc.noun} with id "
                            f"'{short(exc.ident, 200)}' in this list.",
                       param=exc.param) from None

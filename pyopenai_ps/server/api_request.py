"""One API request as route functions see it, and the helpers they share.

List query rules (as the real API documents them): ``limit`` is an integer in
1..100 (default 20; files: 1..10000, default 10000); ``order`` is ``asc`` or
``desc`` exactly (default ``desc``); ``after``/``before`` are object ids of
the same list.  When a parameter is repeated the first value counts, and an
empty ``after=``/``before=`` means no cursor.  A cursor naming no object of
the list is a 400 with ``param`` set to the cursor's name: failing loudly
beats silently restarting a listing from the top.  ``/v1/batches`` takes only
``limit`` and ``after`` and is always newest first, like the real endpoint
(``order`` and ``before`` are ignored there), and ``/v1/files`` ignores
``before``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from .answers import Answer
from .request_body import RequestBody
from .responses import ApiError, json_bytes
from .store import Store
from .validation import Obj, parse_json_object

__all__ = ["ApiRequest", "Route", "Handler", "ListRules", "render", "short", "enum_query", "snapshot"]

_INT = re.compile(r"[+-]?[0-9]+")


def short(value: str, limit: int = 64) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def render(obj: Mapping[str, Any]) -> bytes:
    return json_bytes(obj)


@dataclass(frozen=True)
class ListRules:
    default_limit: int = 20
    max_limit: int = 100
    orderable: bool = True
    before: bool = True


@dataclass
class ApiRequest:
    store: Store
    method: str
    path: str
    params: dict[str, str]
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: RequestBody

    def json(self, schema: Obj) -> dict[str, Any]:
        """The body, decoded and checked against ``schema`` (400 otherwise)."""
        if self.body.is_multipart:
            raise ApiError(400, "This endpoint takes a JSON body, not multipart/form-data.",
                           code="invalid_content_type")
        return parse_json_object(self.body.raw, schema)

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def list_options(self, rules: ListRules = ListRules()) -> dict[str, Any]:
        """``limit``, ``order``, ``after``, ``before`` from the query (400 when invalid)."""
        limit = self._limit(rules)
        after = self.first("after") or None
        if not rules.orderable:
            return {"limit": limit, "order": "desc", "after": after, "before": None}
        order = self.first("order")
        if order is None:
            order = "desc"
        elif order not in ("asc", "desc"):
            raise ApiError(400, f"Invalid 'order': expected 'asc' or 'desc', got "
                                f"'{short(order)}'.", param="order", code="invalid_value")
        before = (self.first("before") or None) if rules.before else None
        return {"limit": limit, "order": order, "after": after, "before": before}

    def _limit(self, rules: ListRules) -> int:
        raw = self.first("limit")
        if raw is None:
            return rules.default_limit
        if not _INT.fullmatch(raw):
            raise ApiError(400, f"Invalid 'limit': expected an integer, got '{short(raw)}'.",
                           param="limit", code="invalid_type")
        limit = int(raw)
        if limit < 1:
            raise ApiError(400, f"Invalid 'limit': {limit} is below the minimum of 1.",
                           param="limit", code="integer_below_min_value")
        if limit > rules.max_limit:
            raise ApiError(400, f"Invalid 'limit': {limit} is above the maximum of "
                                f"{rules.max_limit}.", param="limit",
                           code="integer_above_max_value")
        return limit


def enum_query(request: ApiRequest, name: str, allowed: Iterable[str]) -> str | None:
    """A query parameter that must be one of ``allowed`` when present (and not empty)."""
    value = request.first(name)
    if not value:
        return None
    allowed = tuple(allowed)
    if value not in allowed:
        raise ApiError(400, f"Invalid '{name}': expected one of "
                            f"{', '.join(repr(a) for a in allowed)}, got '{short(value)}'.",
                       param=name, code="invalid_value")
    return value


def snapshot(obj: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(obj))


Handler = Callable[[ApiRequest], Answer]


@dataclass(frozen=True)
class Route:
    """A path pattern (``{name}`` segments capture ids), its handlers per method,
    and whether it belongs to the Assistants beta (needs ``OpenAI-Beta``)."""

    pattern: tuple[str, ...]
    methods: Mapping[str, Handler]
    beta: bool = False

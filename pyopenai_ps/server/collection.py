"""One ordered collection of API objects, with rendered-bytes and page caches.

Objects are ordered by ``(created_at, insertion order)``.  Each object is
rendered to JSON once; each list page is cached per query until the next write.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["Collection", "NotFound", "BadCursor"]

_PAGE_CACHE_MAX = 4096  # pages kept per collection; dropped wholesale when full


class NotFound(LookupError):
    """No object of kind ``noun`` has id ``ident`` (in the given scope)."""

    def __init__(self, noun: str, ident: str) -> None:
        super().__init__(f"{noun} {ident!r} not found")
        self.noun = noun
        self.ident = ident


class BadCursor(ValueError):
    """A pagination cursor (``after``/``before``) names no object of the listed collection."""

    def __init__(self, param: str, noun: str, ident: str) -> None:
        super().__init__(f"{param}: {noun} {ident!r} not found")
        self.param = param
        self.noun = noun
        self.ident = ident


#: A list filter: one ``(field, value)`` pair or a tuple of them, all of which
#: must hold; a ``frozenset`` value means "the field is one of these".
Where = tuple[Any, ...] | None


def _conditions(where: Where) -> tuple[tuple[str, Any], ...]:
    if not where:
        return ()
    if len(where) == 2 and isinstance(where[0], str):
        return (where,)  # a single pair
    return tuple(where)


def _matches(obj: dict[str, Any], conditions: tuple[tuple[str, Any], ...]) -> bool:
    for field, value in conditions:
        actual = obj.get(field)
        if isinstance(value, frozenset):
            if actual not in value:
                return False
        elif actual != value:
            return False
    return True


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Collection:
    """Objects of one kind in one scope, ordered by ``(created_at, insertion order)``."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self._objs: dict[str, dict[str, Any]] = {}
        self._rendered: dict[str, bytes] = {}
        self._keys: dict[str, tuple[int, int]] = {}
        self._asc: list[str] | None = None
        self._pos: dict[str, int] | None = None
        self._pages: dict[tuple[Any, ...], bytes] = {}
        self._seq = 0
        self.max_created = -1

    def __len__(self) -> int:
        return len(self._objs)

    def __contains__(self, ident: object) -> bool:
        return ident in self._objs

    def put(self, obj: dict[str, Any]) -> None:
        ident = obj["id"]
        old = self._keys.get(ident)
        seq = old[1] if old else self._seq
        if old is None:
            self._seq += 1
        created = obj.get("created_at")
        created = created if isinstance(created, int) else 0
        self._keys[ident] = (created, seq)
        self._objs[ident] = obj
        self._rendered.pop(ident, None)
        self.max_created = max(self.max_created, created)
        if old != (created, seq):  # an update in place keeps the order
            self._asc = self._pos = None
        self._pages.clear()

    def remove(self, ident: str) -> dict[str, Any] | None:
        """Take an object out; returns it, or None when it was not there."""
        obj = self._objs.pop(ident, None)
        if obj is not None:
            del self._keys[ident]
            self._rendered.pop(ident, None)
            self._asc = self._pos = None
            self._pages.clear()
        return obj

    def values(self) -> list[dict[str, Any]]:
        """The stored objects in creation order (the store's own dicts: do not mutate)."""
        return [self._objs[i] for i in self.ids()]

    def get(self, ident: str) -> dict[str, Any] | None:
        return self._objs.get(ident)

    def rendered(self, ident: str) -> bytes | None:
        data = self._rendered.get(ident)
        if data is None:
            obj = self._objs.get(ident)
            if obj is None:
                return None
            data = self._rendered[ident] = _dumps(obj)
        return data

    def ids(self) -> list[str]:
        """Ids in ascending creation order (do not mutate the result)."""
        if self._asc is None:
            self._asc = sorted(self._keys, key=self._keys.__getitem__)
            self._pos = {ident: i for i, ident in enumerate(self._asc)}
        return self._asc

    def page(self, limit: int, order: str, after: str | None, before: str | None,
             where: Where = None) -> bytes:
        """One list page as JSON bytes; see ``Store.list_bytes`` for the rules."""
        key = (limit, order, after, before, where)
        cached = self._pages.get(key)
        if cached is not None:
            return cached
        ids = self.ids()
        pos = self._pos
        assert pos is not None
        conditions = _conditions(where)
        if conditions:
            ids = [i for i in ids if _matches(self._objs[i], conditions)]
            pos = {ident: i for i, ident in enumerate(ids)}
        n = len(ids)

        def index(cursor: str, param: str) -> int:
            # Position of the cursor in the requested order.
            p = pos.get(cursor)
            if p is None:
                raise BadCursor(param, self.noun, cursor)
            return p if order == "asc" else n - 1 - p

        start = index(after, "after") + 1 if after is not None else 0
        end = index(before, "before") if before is not None else n
        end = max(end, start)
        if before is not None and after is None:
            # Only 'before': the items nearest the cursor, still in the requested order.
            lo, hi = max(start, end - limit), end
            has_more = lo > start
        else:
            lo, hi = start, min(end, start + limit)
            has_more = hi < end
        if order == "asc":
            chosen = ids[lo:hi]
        else:
            chosen = ids[n - hi:n - lo][::-1]
        body = b"".join((
            b'{"object":"list","data":[',
            b",".join(self.rendered(i) or b"null" for i in chosen),
            b'],"first_id":', _dumps(chosen[0] if chosen else None),
            b',"last_id":', _dumps(chosen[-1] if chosen else None),
            b',"has_more":', b"true" if has_more else b"false", b"}",
        ))
        if len(self._pages) >= _PAGE_CACHE_MAX:
            self._pages.clear()
        self._pages[key] = body
        return body

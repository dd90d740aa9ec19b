"""What keeps an ``-All`` listing honest: nothing yielded twice, memory flat in the page count.

A page whose cursor came back within the last :data:`CURSOR_WINDOW` pages, or that repeats an
object (``id``) of the page before, is refused with ``PaginationError`` before any of it is
yielded.  The listing brake (the transport's ``max_listing_pages``) is applied by the executor.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..errors import PaginationError

__all__ = ["RecentCursors", "check_new", "CURSOR_WINDOW"]

#: An -All listing remembers the cursors of this many recent pages (as hashes) to see it loop.
CURSOR_WINDOW = 1024


class RecentCursors:
    """The cursors of the last :data:`CURSOR_WINDOW` pages, as hashes: memory stays flat however many
    pages a listing has and however long its cursors are.  A cycle longer than the window ends at
    the listing brake instead."""

    __slots__ = ("_order", "_known")

    def __init__(self) -> None:
        self._order: deque[int] = deque()
        self._known: set[int] = set()

    def seen(self, cursor: str) -> bool:
        return hash(cursor) in self._known

    def add(self, cursor: str) -> None:
        digest = hash(cursor)
        self._order.append(digest)
        self._known.add(digest)
        if len(self._order) > CURSOR_WINDOW:
            self._known.discard(self._order.popleft())


def _item_ids(items: list[Any]) -> dict[int, str]:
    """Each item's ``id`` by its hash (items without a text id are not compared)."""
    found: dict[int, str] = {}
    for item in items:
        ident = item.get("id") if type(item) is dict else None
        if type(ident) is str:
            found[hash(ident)] = ident
    return found


def check_new(items: list[Any], previous: dict[int, str], following: Any, seen: RecentCursors) -> dict[int, str]:
    """Refuse a page that repeats a recent cursor or an item of the page before; its item ids."""
    if isinstance(following, str) and following and seen.seen(following):
        raise PaginationError(
            f"The listing did not advance: the server returned the cursor '{following}' again.", cursor=following)
    current = _item_ids(items)
    repeated = next((ident for digest, ident in current.items() if digest in previous), None)
    if repeated is not None:
        raise PaginationError(
            f"The listing did not advance: the object '{repeated}' came again on the next page.",
            cursor=following if isinstance(following, str) else None)
    return current

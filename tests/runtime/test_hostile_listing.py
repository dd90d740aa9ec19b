"""-All against servers that page wrongly: repeated pages, endless listings, huge cursors.

Nothing already yielded is yielded again; a runaway listing stops at the documented brake; the
memory a listing keeps does not grow with its page count.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from urllib.parse import unquote

from raw_server import RawServer, json_answer, page

import pyopenai_ps as ps
from pyopenai_ps.errors import PaginationError
from pyopenai_ps.http import transport as transport_module

KEY = "sk-listing-test-0123456789abcdefgh"


def after_of(head: bytes) -> str | None:
    found = re.search(rb"[?&]after=([^& ]*)", head)
    return unquote(found.group(1).decode()) if found else None


def listing(server: RawServer):
    return ps.get_command("Get-ThreadRun").stream("thread_abc123", all=True, api_base=server.base_url, api_key=KEY)


def collect(stream) -> tuple[list[str], BaseException | None]:
    ids: list[str] = []
    try:
        for item in stream:
            ids.append(item.id)
    except PaginationError as error:
        return ids, error
    return ids, None


# --- item 3: nothing yielded twice ---------------------------------------------------------------


def test_a_server_that_ignores_the_cursor_gets_no_page_yielded_twice():
    with RawServer(lambda n, head: [json_answer(page(["run_1", "run_2", "run_3"], has_more=True))]) as server:
        ids, error = collect(listing(server))
    assert ids == ["run_1", "run_2", "run_3"]
    assert isinstance(error, PaginationError) and error.cursor == "run_3"
    assert len(server.requests) == 2


def test_a_page_that_overlaps_the_previous_one_is_refused_before_any_of_it_is_yielded():
    pages = [page(["run_1", "run_2", "run_3"], True), page(["run_3", "run_4", "run_5"], True, last_id="run_5")]
    with RawServer(lambda n, head: [json_answer(pages[min(n, 1)])]) as server:
        ids, error = collect(listing(server))
    assert ids == ["run_1", "run_2", "run_3"]
    assert isinstance(error, PaginationError) and "run_3" in str(error)


def test_a_final_page_that_repeats_the_previous_one_is_refused():
    pages = [page(["run_1", "run_2"], True), page(["run_1", "run_2"], False, last_id="other")]
    with RawServer(lambda n, head: [json_answer(pages[min(n, 1)])]) as server:
        ids, error = collect(listing(server))
    assert ids == ["run_1", "run_2"] and isinstance(error, PaginationError)


def test_a_cycle_of_pages_is_caught_when_it_comes_back():
    cycle = [page([f"run_{i}a", f"run_{i}b"], True) for i in range(5)]
    with RawServer(lambda n, head: [json_answer(cycle[n % 5])]) as server:
        ids, error = collect(listing(server))
    assert len(ids) == len(set(ids)) == 10
    assert isinstance(error, PaginationError)


# --- item 7: the brake, and memory flat in the page count -------------------------------------


def endless(n: int, head: bytes, cursor_length: int = 20) -> list:
    """A server whose listing never ends: every page has more and a new cursor (200 pages here)."""
    last = f"cursor_{n:06d}_" + "c" * cursor_length
    return [json_answer(page([f"run_{n}"], has_more=n < 200, last_id=last))]


def test_a_runaway_listing_stops_at_the_brake_with_a_clear_error(transport_with):
    transport_with(max_listing_pages=50)
    with RawServer(endless) as server:
        ids, error = collect(listing(server))
    assert len(ids) == 50 and len(server.requests) == 50  # the 50 pages read are all yielded
    assert isinstance(error, PaginationError)
    assert "50 pages" in str(error) and "max_listing_pages" in str(error)


def test_the_brake_is_documented_and_can_be_lifted(transport_with):
    assert transport_module.MAX_LISTING_PAGES == ps.configure().max_listing_pages == 10_000
    transport_with(max_listing_pages=None)
    with RawServer(endless) as server:
        ids, error = collect(listing(server))
    assert error is None and len(ids) == 201


def client_memory() -> int:
    """Bytes held now, leaving out what the test's own server keeps (its record of requests)."""
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, "*raw_server.py")])
    return sum(stat.size for stat in snapshot.statistics("filename"))


def test_memory_stays_flat_however_many_pages_and_however_long_the_cursors(transport_with):
    transport_with(max_listing_pages=None)
    pages = 2400

    def script(n: int, head: bytes) -> list:
        return [json_answer(page([f"run_{n}"], has_more=n < pages - 1, last_id=f"{n:08d}" + "x" * 4000))]

    held: dict[int, int] = {}
    with RawServer(script) as server:
        tracemalloc.start()
        try:
            for number, _ in enumerate(listing(server)):
                if number in (400, pages - 1):
                    held[number] = client_memory()
        finally:
            tracemalloc.stop()
    assert len(held) == 2
    # 2,000 more pages with 4 KB cursors would be 8 MB more if every cursor were kept
    assert held[pages - 1] - held[400] < 1_000_000, held


def test_a_single_page_is_not_braked(transport_with):
    transport_with(max_listing_pages=1)
    with RawServer(lambda n, head: [json_answer(page(["run_1"], has_more=True))]) as server:
        runs = ps.get_thread_run("thread_abc123", api_base=server.base_url, api_key=KEY, limit=1)
    assert [r.id for r in runs] == ["run_1"]
    assert json.loads(json.dumps([r.to_dict() for r in runs]))[0]["id"] == "run_1"

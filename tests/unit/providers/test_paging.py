"""The one paging loop: every way a server can misbehave ends the listing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from runtui.model import Run, Status
from runtui.providers.paging import OffsetPager, Page, Want


def runs(*ids: str, status: Status = Status.RUNNING, workflow: str = "wf") -> list[Run]:
    return [Run(profile="p", provider="x", id=i, status=status, workflow_id=workflow) for i in ids]


class Server:
    """Answers `pages` in turn and records the offsets asked."""

    def __init__(self, pages: Sequence[Page]) -> None:
        self.pages = list(pages)
        self.offsets: list[int] = []

    async def read(self, offset: int) -> Page:
        self.offsets.append(offset)
        return self.pages[min(len(self.offsets) - 1, len(self.pages) - 1)]


async def listed(pager: OffsetPager, server: Server) -> list[str]:
    return [r.id for page in [p async for p in pager.pages(server.read)] for r in page]


async def test_pages_until_a_short_page() -> None:
    server = Server([Page(runs("a", "b"), 2), Page(runs("c", "d"), 2), Page(runs("e"), 1)])
    assert await listed(OffsetPager(Want(), 2), server) == ["a", "b", "c", "d", "e"]
    assert server.offsets == [0, 2, 4]


async def test_a_server_that_ignores_the_offset_is_read_twice_not_forever() -> None:
    server = Server([Page(runs("a", "b"), 2)])
    assert await listed(OffsetPager(Want(), 2), server) == ["a", "b"]
    assert server.offsets == [0, 2]


async def test_the_servers_has_more_wins_over_a_full_page() -> None:
    server = Server([Page(runs("a", "b"), 2, more=False), Page(runs("c"), 1)])
    assert await listed(OffsetPager(Want(), 2), server) == ["a", "b"]


async def test_limit_statuses_and_workflow_are_kept_client_side() -> None:
    mixed = runs("a") + runs("b", status=Status.FAILED) + runs("c", workflow="other") + runs("d")
    server = Server([Page(mixed, 4), Page(runs("e", "f"), 2)])
    pager = OffsetPager(Want(frozenset({Status.RUNNING}), "wf", limit=3), 4)
    assert await listed(pager, server) == ["a", "d", "e"]
    assert pager.limited and server.offsets == [0, 4]


async def test_a_page_that_overlaps_the_last_yields_only_what_is_new() -> None:
    # A run created between two reads shifts the list: the next page starts with the
    # last one's end. Each run is yielded once, wanted or not as the caller asked.
    shifted = [Page(runs("a", "b", "c"), 3), Page(runs("c", "d") + runs("e", status=Status.FAILED), 3),
               Page(runs("f"), 1)]
    assert await listed(OffsetPager(Want(), 3), Server(shifted)) == ["a", "b", "c", "d", "e", "f"]
    running = OffsetPager(Want(frozenset({Status.RUNNING})), 3)
    assert await listed(running, Server(shifted)) == ["a", "b", "c", "d", "f"]


async def test_ids_of_items_a_prefilter_left_out_still_count_as_seen() -> None:
    # B3OS parses only the items it wants; a page of only unwanted, new items goes on.
    server = Server([Page([], 2, ids=["x", "y"]), Page(runs("a"), 1)])
    pager = OffsetPager(Want(), 2)
    assert await listed(pager, server) == ["a"]
    assert pager.seen == {"x", "y", "a"}


class Overlapping(Server):
    """A server that notes, as each answer leaves, which reads had started by then."""

    def __init__(self, pages: Sequence[Page]) -> None:
        super().__init__(pages)
        self.started_before_answer: dict[int, list[int]] = {}
        self.cancelled: list[int] = []

    async def read(self, offset: int) -> Page:
        index = len(self.offsets)
        self.offsets.append(offset)
        try:
            for _ in range(3):  # the round trip: other tasks run meanwhile
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.cancelled.append(offset)
            raise
        self.started_before_answer[offset] = list(self.offsets)
        return self.pages[min(index, len(self.pages) - 1)]


FOUR_PAGES = [Page(runs("a", "b"), 2), Page(runs("c", "d"), 2), Page(runs("e", "f"), 2), Page(runs("g"), 1)]


async def test_reading_ahead_asks_for_the_next_page_while_this_one_is_read() -> None:
    server = Overlapping(FOUR_PAGES)
    assert await listed(OffsetPager(Want(), 2, read_ahead=True), server) == list("abcdefg")
    assert server.started_before_answer[0] == [0]  # the first page alone: most lists are one page
    assert 4 in server.started_before_answer[2]  # asked for while the second page was read
    assert server.offsets == [0, 2, 4, 6, 8]  # one past the end, and no more


async def test_without_read_ahead_one_page_at_a_time() -> None:
    server = Overlapping(FOUR_PAGES)
    assert await listed(OffsetPager(Want(), 2), server) == list("abcdefg")
    assert server.started_before_answer[2] == [0, 2] and server.offsets == [0, 2, 4, 6]


async def test_reading_ahead_a_one_page_list_costs_no_extra_request() -> None:
    server = Overlapping([Page(runs("a"), 1)])
    assert await listed(OffsetPager(Want(), 2, read_ahead=True), server) == ["a"]
    assert server.offsets == [0]


async def test_a_caller_that_stops_early_cancels_the_page_read_ahead() -> None:
    server = Overlapping(FOUR_PAGES)
    pages = OffsetPager(Want(), 2, read_ahead=True).pages(server.read)
    got = [await anext(pages), await anext(pages)]
    await pages.aclose()
    for _ in range(5):
        await asyncio.sleep(0)
    assert [r.id for page in got for r in page] == list("abcd")
    assert server.cancelled == [4]


async def test_a_short_page_with_more_to_come_drops_the_wrong_guess() -> None:
    # B3OS says hasMore itself: a page shorter than asked may not be the last.
    server = Overlapping([Page(runs("a", "b"), 2), Page(runs("c"), 1, more=True),
                          Page(runs("x", "y"), 2), Page(runs("d"), 1, more=False), Page(runs("e"), 1)])
    listing = await listed(OffsetPager(Want(), 2, read_ahead=True), server)
    assert server.offsets[:3] == [0, 2, 4] and 3 in server.offsets and 4 in server.cancelled
    assert listing[:3] == ["a", "b", "c"]


async def test_no_read_ahead_past_the_limit() -> None:
    server = Overlapping(FOUR_PAGES)
    assert await listed(OffsetPager(Want(limit=3), 2, read_ahead=True), server) == ["a", "b", "c"]
    assert server.offsets == [0, 2]

"""The one paging loop: every way a server can misbehave ends the listing."""

from __future__ import annotations

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


async def test_ids_of_items_a_prefilter_left_out_still_count_as_seen() -> None:
    # B3OS parses only the items it wants; a page of only unwanted, new items goes on.
    server = Server([Page([], 2, ids=["x", "y"]), Page(runs("a"), 1)])
    pager = OffsetPager(Want(), 2)
    assert await listed(pager, server) == ["a"]
    assert pager.seen == {"x", "y", "a"}

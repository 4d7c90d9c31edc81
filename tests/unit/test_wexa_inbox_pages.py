"""The Wexa inbox read page by page (`after_id`) and merged between reads.

Over a fake inbox (the route's paging, newest first), to place items the simulator
never gives: one of a type runtui cannot answer, skipped by the parser, as the last
item of a page, whose id is still the next page's cursor.
"""

from __future__ import annotations

from typing import Any

import pytest

from runtui.providers import wexa_inbox
from runtui.providers.wexa_inbox import InboxPages


def _item(n: int, kind: str = "runtime_input") -> dict[str, Any]:
    return {"_id": f"item-{n:03d}", "type": kind, "execution_id": f"exec-{n:03d}", "status": "pending"}


class FakeInbox:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items  # newest first
        self.reads = 0

    async def fetch(self, after: str | None) -> list[dict[str, Any]]:
        self.reads += 1
        ids = [i["_id"] for i in self.items]
        start = ids.index(after) + 1 if after is not None else 0
        return self.items[start:start + wexa_inbox.INBOX_PAGE]

    def runs(self) -> set[str]:
        return {i["execution_id"] for i in self.items if i["type"] in wexa_inbox.TYPES}


async def test_an_answered_item_leaves_after_a_page_that_ends_on_an_unanswerable_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    items = [_item(n, "something_else" if n == 99 else "runtime_input") for n in range(250)]
    inbox, pages = FakeInbox(items), InboxPages("wexa")
    assert {r.run_id for r in await pages.read(inbox.fetch, 0.0)} == inbox.runs()
    del inbox.items[150]  # answered elsewhere, on the page after the unanswerable item
    monkeypatch.setattr(wexa_inbox, "FULL_EVERY", 0.0)
    assert {r.run_id for r in await pages.read(inbox.fetch, 1.0)} == inbox.runs()


async def test_new_items_come_in_at_the_top_between_deep_reads() -> None:
    inbox, pages = FakeInbox([_item(n) for n in range(10, 260)]), InboxPages("wexa")
    await pages.read(inbox.fetch, 0.0)
    inbox.items[:0] = [_item(n) for n in range(10)]  # ten new questions, newest first
    reads = inbox.reads
    read = [r.run_id for r in await pages.read(inbox.fetch, 1.0)]
    assert inbox.reads == reads + 1, "one page between deep reads"
    assert read == [i["execution_id"] for i in inbox.items], "all of them, newest first"

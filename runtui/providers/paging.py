"""One offset/limit paging loop for every adapter.

Each platform pages its run list by offset (or skip) and limit, and each can
misbehave the same ways: ignore the offset and answer the same page again, ignore
the limit and answer everything, or never end. The loop stops on a short page, on
a page with nothing new, on the server's own "no more", and at `query.limit`, so a
server cannot make a listing loop forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

import msgspec

from runtui.model import Run

T = TypeVar("T")


class Page(msgspec.Struct, frozen=True):
    """One list answer, parsed."""

    runs: Sequence[Run]
    count: int
    """Items the server sent (what the offset moves by), parsed or not."""
    ids: Sequence[str] | None = None
    """Ids of every item sent, when `runs` leaves some out (a status prefilter); else the runs' ids."""
    more: bool | None = None
    """The server's own "there is more" (has_more); None: a full page means more."""


class Want(msgspec.Struct, frozen=True):
    """What the caller asked for that the server may not have filtered."""

    statuses: frozenset[object] | None = None
    workflow_id: str | None = None
    limit: int | None = None

    def keeps(self, run: Run) -> bool:
        return ((self.statuses is None or run.status in self.statuses)
                and (self.workflow_id is None or run.workflow_id == self.workflow_id))


class OffsetPager:
    """Pages from offset 0 until the list ends; what it saw is kept for the caller.

    `read_ahead`: from the second page on, the next page (as if this one is full) is
    asked for while this one is read and parsed, so the server's time and the round trip
    overlap our parsing. For listings of every page (a first load: 500 pages at 50,000
    runs, each a round trip): at most one request past the end, none for a list of one
    page, and an early stop cancels the one ahead.
    """

    def __init__(self, want: Want, size: int, *, read_ahead: bool = False) -> None:
        self.want = want
        self.size = max(1, size)
        self.read_ahead = read_ahead
        self.seen: set[str] = set()
        self.yielded = 0

    @property
    def limited(self) -> bool:
        """Whether the listing stopped because `limit` runs were yielded."""
        return self.want.limit is not None and self.yielded >= self.want.limit

    async def pages(self, fetch: Callable[[int], Awaitable[Page]]) -> AsyncIterator[list[Run]]:
        """Yield each page's new, wanted runs; `fetch(offset)` reads and parses one answer."""
        offset = 0
        want = self.want
        keeps = want.keeps if want.statuses is not None or want.workflow_id is not None else None
        current: Awaitable[Page] = fetch(offset)
        ahead: asyncio.Task[Page] | None = None
        ahead_at = 0
        try:
            while True:
                limit = want.limit
                # From the second page on: a list of one page (most) costs no extra request.
                if self.read_ahead and offset and (limit is None or self.yielded + self.size < limit):
                    ahead_at = offset + self.size
                    ahead = asyncio.ensure_future(fetch(ahead_at))
                answer = await current
                ids = answer.ids if answer.ids is not None else [r.id for r in answer.runs]
                # The usual page: every id new and none twice (told by set operations, in C),
                # and nothing to filter when the caller wants every run.
                fresh = set(ids)
                if len(fresh) == len(ids) and self.seen.isdisjoint(fresh):
                    page = [r for r in answer.runs if keeps(r)] if keeps else list(answer.runs)
                else:
                    fresh.difference_update(self.seen)
                    page = _first_of_each(answer.runs, fresh, want)
                self.seen.update(fresh)
                if limit is not None:
                    page = page[: max(0, limit - self.yielded)]
                if page:
                    self.yielded += len(page)
                    yield page
                more = answer.more if answer.more is not None else answer.count >= self.size
                # A page of nothing new (a repeat, junk) would loop forever.
                if not more or answer.count == 0 or not fresh or self.limited:
                    return
                offset += answer.count
                if ahead is not None and ahead_at == offset:
                    current, ahead = ahead, None
                else:  # a short page with more to come: the read ahead guessed wrong
                    _drop(ahead)
                    ahead = None
                    current = fetch(offset)
        finally:
            _drop(ahead)  # the caller stopped, or the list ended


def _first_of_each(runs: Sequence[Run], fresh: set[str], want: Want) -> list[Run]:
    """The wanted runs among `fresh`, each once: a page may name a run twice (offset paging
    while runs start shifts the list), and `runs list` would print it twice."""
    taken: set[str] = set()
    page: list[Run] = []
    for run in runs:
        if run.id in fresh and run.id not in taken and want.keeps(run):
            taken.add(run.id)
            page.append(run)
    return page


def _drop(task: asyncio.Future[Page] | None) -> None:
    """Cancel a page read no longer wanted; its outcome (an error too) is not reported."""
    if task is None:
        return
    task.cancel()
    task.add_done_callback(lambda done: done.cancelled() or done.exception())


async def offset_items(fetch: Callable[[int], Awaitable[tuple[Sequence[T], Sequence[str], bool | None]]],
                          size: int, cap: int) -> list[T]:
    """Every item of a small offset-paged list (schedules, workflows, deployments), with
    the run pager's stops: a short page, the server's "no more", a page of nothing new,
    and `cap` items. `fetch(offset)` answers (items, ids of all sent, more or None)."""
    items: list[T] = []
    seen: set[str] = set()
    offset = 0
    while len(items) < cap:
        page, ids, more = await fetch(offset)
        fresh = [i for i in ids if i not in seen]
        seen.update(ids)
        if not fresh:
            break  # the same page again (an ignored offset): nothing new, and no end
        items.extend(page)
        if not (more if more is not None else len(ids) >= size):
            break
        offset += len(ids)
    return items[:cap]

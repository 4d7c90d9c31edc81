"""Compact run records and the per-provider store that advances them lazily.

A run only changes when its scheduled `next_at` passes; the store keeps those
times in a heap so a request advances just the runs that are due, whatever the
total count. Runs are kept oldest-first (creation order), so newest-first pages
are slices from the end.
"""

from __future__ import annotations

import heapq
import json
import math
import operator
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import orjson

if TYPE_CHECKING:
    from .state import SimClock

INF = math.inf

# flag bits
HELD = 1  # Wexa: created but not started until /execute
STUCK = 2  # parks (paused / BLOCKED / waiting) until someone resumes it
BLOCK_ONCE = 4  # Edges: blocked for a while, then continues on its own
SCHEDULED = 8  # Edges: came from a schedule
FORCED = 16  # status set through /_sim


@dataclass(slots=True, eq=False)
class SimRun:
    """One run; JSON is built from it on demand by the provider module."""

    id: str
    num: int
    flow: int
    created: float
    seed: int
    nsteps: int
    step_dur: float
    outcome: str
    stop_step: int
    status: str | None
    flags: int = 0
    step: int = 0
    started: float | None = None
    finished: float | None = None
    updated: float = 0.0
    next_at: float = INF
    left: float = 0.0
    version: int = 0
    task: str = ""
    parent: str = ""
    extra: dict[str, Any] | None = None

    def fingerprint(self) -> tuple[str | None, int, float]:
        return (self.status, self.step, self.updated)


class Lifecycle(Protocol):
    """A provider's state machine over SimRun."""

    terminal: frozenset[str | None]

    def step(self, run: SimRun, t: float) -> None:
        """Apply the event due at `t == run.next_at` and set the next one."""

    def force(self, run: SimRun, status: str | None, t: float) -> None:
        """Put a run into a raw status on request of a test."""


def new_run(rng: random.Random, run_id: str, flow: int, created: float, nsteps: int, *,
            outcome: str, status: str, **fields: Any) -> SimRun:
    """A fresh run of `flow`: 20-120 s of work over its steps, a random failure point.

    The draws happen in one order for every provider, so a seed gives the same world.
    """
    return SimRun(id=run_id, num=0, flow=flow, created=created, seed=rng.getrandbits(64),
                  nsteps=nsteps, step_dur=rng.uniform(20.0, 120.0) / nsteps, outcome=outcome,
                  stop_step=rng.randrange(nsteps), status=status, updated=created, **fields)


def finish(run: SimRun, status: str, t: float) -> None:
    """End a run: its status, its finish time, no further event."""
    run.status = status
    run.finished = t
    run.next_at = INF


def force_status(run: SimRun, status: str | None, t: float, *, clear: int, outcome: str,
                 terminal: frozenset[str | None]) -> bool:
    """The part of every provider's `force` that is the same; True when `status` is terminal.

    The run stops following its plan (FORCED, no outcome step) and keeps a finish
    time only when the forced status is terminal.
    """
    run.flags = (run.flags | FORCED) & ~clear
    run.outcome = outcome
    run.stop_step = -1
    run.status = status
    run.updated = t
    run.next_at = INF
    if status in terminal:
        run.finished = run.finished if run.finished is not None else t
        return True
    run.finished = None
    return False


class RunStore:
    """All runs of one provider: id index, creation order, and a due-time heap."""

    def __init__(self, life: Lifecycle) -> None:
        self.life = life
        self.runs: list[SimRun] = []
        self.by_id: dict[str, SimRun] = {}
        self._heap: list[tuple[float, int, int, SimRun]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self.runs)

    def get(self, run_id: str) -> SimRun | None:
        return self.by_id.get(run_id)

    def add(self, run: SimRun, now: float) -> SimRun:
        """Append a run (created at or before now) and bring it up to now."""
        self.runs.append(run)
        self.by_id[run.id] = run
        self.catch_up(run, now)
        return run

    def catch_up(self, run: SimRun, now: float) -> None:
        while run.next_at <= now:
            self.life.step(run, run.next_at)
        self.reschedule(run)

    def reschedule(self, run: SimRun) -> None:
        """Call after changing `next_at` outside the heap (actions, forcing)."""
        run.version += 1
        if run.next_at < INF:
            self._seq += 1
            heapq.heappush(self._heap, (run.next_at, self._seq, run.version, run))

    def advance(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, _, version, run = heapq.heappop(heap)
            if version != run.version:
                continue
            while run.next_at <= now:
                self.life.step(run, run.next_at)
            self.reschedule(run)

    def page(
        self,
        offset: int,
        limit: int,
        pred: Callable[[SimRun], bool] | None = None,
        newest_first: bool = True,
    ) -> tuple[list[SimRun], bool]:
        """One page of runs and whether more match after it."""
        runs = self.runs
        if pred is None:
            total = len(runs)
            if newest_first:
                hi = total - offset
                lo = max(0, hi - limit)
                items = runs[lo:hi][::-1] if hi > 0 else []
                return items, lo > 0
            items = runs[offset : offset + limit]
            return items, offset + limit < total
        found: list[SimRun] = []
        skipped = 0
        for run in self._iter(newest_first):
            if not pred(run):
                continue
            if skipped < offset:
                skipped += 1
                continue
            if len(found) == limit:
                return found, True
            found.append(run)
        return found, False

    def _iter(self, newest_first: bool) -> Iterator[SimRun]:
        return reversed(self.runs) if newest_first else iter(self.runs)


# What a run's list item is built from besides its seed and the catalog: when none of
# these changed, neither did the item. (`next_at` and `version` only schedule it.)
_ITEM_STATE = operator.attrgetter("status", "step", "started", "finished", "updated", "created", "flags",
                                  "left", "outcome", "stop_step", "task", "parent", "extra")


class ItemTexts:
    """Each run's list item as JSON text, built again only when the run changed.

    Building an item from a run's seed takes ~30 us (times formatted, details mixed
    from the seed, a Wexa item's agents): serving a 50,000-run listing kept the
    simulator busy 1.5 s, on the second of the benchmark machine's two cores, and the
    app waited on it. A real platform reads stored documents; so does this once each
    run's item is written. `fill` writes them ahead (the benchmark, before its clock).
    """

    def __init__(self, build: Callable[[SimRun], dict[str, Any]], clock: SimClock) -> None:
        self._build = build
        self._clock = clock  # times are written from its epoch: a moved epoch drops every text
        self._epoch = clock.base_epoch
        self._texts: dict[str, tuple[tuple[Any, ...], bytes]] = {}

    def text(self, run: SimRun) -> bytes:
        if self._clock.base_epoch != self._epoch:
            self._texts.clear()
            self._epoch = self._clock.base_epoch
        state = _ITEM_STATE(run)
        kept = self._texts.get(run.id)
        if kept is not None and kept[0] == state:
            return kept[1]
        item = self._build(run)
        try:
            text = orjson.dumps(item)
        except TypeError:  # what orjson refuses (an integer past 64 bits), the stdlib writes
            text = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
        self._texts[run.id] = (state, text)
        return text

    def array(self, runs: Iterable[SimRun]) -> orjson.Fragment:
        """A JSON array of the runs' items, for an answer orjson writes (`JSONResponse`)."""
        return orjson.Fragment(b"[" + b",".join(map(self.text, runs)) + b"]")

    def fill(self, runs: Iterable[SimRun]) -> None:
        for run in runs:
            self.text(run)

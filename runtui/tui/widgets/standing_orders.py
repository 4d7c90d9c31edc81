"""Orders kept ready for the table's columns: a digit shows one at once.

Sorting 50,000 runs by a column costs 10-40 ms (reading every run's value, cold in
memory, then Timsort), on top of the frame: more than one frame at 60 Hz. So each
column's order is kept sorted as runs come and go, for a few hundred KB each, and
pressing its digit only copies one.

* Built one column at a time once changes stop coming (the owner calls
  `build_next` until it returns None): after a listing loads, ~15 ms a step at
  50,000 runs, off the keys' path.
* Kept on small deltas: a run that leaves, arrives, or whose value for a column
  changes, is taken out of that column's order (before the rows change) and put
  back (after) by bisection.
* An order a big delta would move many rows of (a listing's pages, a bulk
  change) is dropped instead, and built again.
* Status, update time and duration move with every status change. When runs change
  by the hundred at every refresh (a big backfill), rebuilding those orders after
  each refresh would cost more than the digits they speed up: an order of those
  that a big change dropped is built again only after `UNSTEADY_QUIET` seconds
  without another (until then its digit sorts on the spot, as before), and
  twice as long each time it was built for nothing (`UNSTEADY_QUIET_MAX`).
* A duration grows with the clock while its run goes on, so that order is kept as
  two: runs whose duration is fixed (by duration) and runs still going (by start:
  the earliest has the longest); a digit merges the two at the time it is pressed.

Each order is what `RunView._sorted` gives for the column's natural direction:
sorted by the column's sort value, ties in arrival order (`Row.seq`).
No Textual here.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import compress
from operator import attrgetter
from typing import Any, Protocol

from runtui.model import Run
from runtui.tui.widgets.columns import as_utc
from runtui.tui.widgets.run_rows import Row
from runtui.tui.widgets.sort_values import TERMINAL_IDS, durations, elapsed_seconds, sort_key_fn

STANDING: dict[str, bool] = {"workflow": False, "id": False, "profile": False, "provider": False,
                             "created": True, "cost": True, "error": False,
                             "status": False, "updated": True, "duration": True}
"""The columns kept, each with its natural direction (True: descending), as the digits sort."""

UNSTEADY = frozenset({"status", "updated", "duration"})
"""Columns whose values move with every status change (see `UNSTEADY_QUIET`)."""

UNSTEADY_QUIET = 10.0
"""Seconds without a big change before an unsteady order a big change dropped is built
again: longer than a refresh, so a backfill changing hundreds of runs at every refresh
does not pay for a rebuild each time."""

UNSTEADY_QUIET_MAX = 320.0
"""An unsteady order built again and dropped by the next big change before any sort used
it waits twice as long the next time, up to this: in a storm (a hundred runs changing
status every refresh, the sweeps bringing them in hundreds) the three orders were rebuilt
after every sweep for no digit (~0.3 ms of CPU a refresh at 10,000 runs). A sort that uses
it brings the wait back to `UNSTEADY_QUIET`."""

_INPUT_FIELDS: dict[str, tuple[str, ...]] = {
    "workflow": ("workflow_name", "workflow_id"),
    "created": ("created_at", "started_at"),
    "cost": ("cost",),
    "error": ("last_error",),
    "status": ("status",),
    "updated": ("updated_at",),
    "duration": ("started_at", "created_at", "finished_at", "status"),
}
"""The run fields each column's sort value is made of; id, profile and provider never
change for a row (they make its key, or come with its profile)."""
_INPUTS = {column: attrgetter(*fields) for column, fields in _INPUT_FIELDS.items()}
_ANY_INPUT = attrgetter(*dict.fromkeys(field for fields in _INPUT_FIELDS.values() for field in fields))

SMALL_DELTA = 64
"""A delta moving more rows than this drops the orders (built again later) rather than
moving rows one by one (a bisection and a memmove of the list each, per column)."""

Sorter = Callable[[str, bool], list[Row]]
"""Sorts every row by a column in a direction, as `RunView._sorted` does."""


class _Kept(Protocol):
    """One column's kept order."""

    def remove(self, rec: Row) -> bool:
        """Take `rec` out, found by its run's values as the order has them (False: not
        where they say; the order no longer holds)."""

    def insert(self, rec: Row) -> None:
        """Put `rec` in its place for its run's values."""

    def rows(self, now: datetime) -> list[Row]:
        """The order, as a list the caller may keep and change."""


class StandingOrders:
    """The kept orders; `None` for a column not built (or dropped) yet."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._orders: dict[str, _Kept | None] = dict.fromkeys(STANDING)
        self._clock = clock
        self._unsteady_since: dict[str, float] = {}  # column: when a big change last dropped it
        self._quiet_for: dict[str, float] = {}  # column: how long it waits (UNSTEADY_QUIET if not here)
        self._unused: set[str] = set()  # unsteady orders built again and not used since

    def has(self, column: str, reverse: bool) -> bool:
        """Is an order for `column` in direction `reverse` kept ready?"""
        return STANDING.get(column) is reverse and self._orders.get(column) is not None

    def ready(self, column: str, reverse: bool, now: datetime) -> list[Row] | None:
        """The kept order for `column` in direction `reverse` at time `now`, if there is one."""
        if STANDING.get(column) is not reverse:
            return None
        self._unused.discard(column)  # wanted: built again soon once dropped
        self._quiet_for.pop(column, None)
        order = self._orders.get(column)
        return None if order is None else order.rows(now)

    @property
    def complete(self) -> bool:
        return all(order is not None for order in self._orders.values())

    def drop(self) -> None:
        """Drop every order (the runs were replaced): all are built again soon."""
        self._orders = dict.fromkeys(STANDING)
        self._unsteady_since.clear()
        self._quiet_for.clear()
        self._unused.clear()

    def build_next(self, rows: Iterable[Row], sort: Sorter, now: datetime) -> float | None:
        """Build one missing order from `rows` (arrival order; `sort` sorts them by a column).

        None: none is missing. 0.0: call again for the next. Otherwise the seconds until an
        order kept waiting (`UNSTEADY_QUIET`) may be built."""
        wait: float | None = None
        for column, order in self._orders.items():
            if order is not None:
                continue
            since = self._unsteady_since.get(column)
            if since is not None:
                left = since + self._quiet_for.get(column, UNSTEADY_QUIET) - self._clock()
                if left > 0:
                    wait = left if wait is None else min(wait, left)
                    continue
                del self._unsteady_since[column]
                self._unused.add(column)
            if column == "duration":
                self._orders[column] = _Durations(rows, now)
            else:
                self._orders[column] = _Sorted(sort_key_fn(column, now), STANDING[column],
                                               sort(column, STANDING[column]))
            return 0.0 if not self.complete else None
        return wait

    # ---- a delta -------------------------------------------------------------------------

    def take_out(self, rows: dict[tuple[str, str], Row], removed: Iterable[Run],
                 changed: Iterable[tuple[Run, Run]]) -> dict[str, list[Row]]:
        """Before the rows change: take the rows that leave, or will sort elsewhere, out of
        each order. Returns, per order, the rows to put back once changed (`put_back`).
        An order with too many to move is dropped instead."""
        if not any(order is not None for order in self._orders.values()):
            return {}
        leaving = [rec for run in removed if (rec := rows.get(run.key)) is not None]
        touched = [(old, new) for old, new in changed if _ANY_INPUT(old) != _ANY_INPUT(new)]
        moves: dict[str, list[Row]] = {}
        for column, order in self._orders.items():
            if order is None:
                continue
            inputs = _INPUTS.get(column)
            moving = [] if inputs is None else [
                rec for old, new in touched
                if inputs(old) != inputs(new) and (rec := rows.get(new.key)) is not None]
            if len(leaving) + len(moving) > SMALL_DELTA:
                self._drop(column, changing=len(moving) > SMALL_DELTA)
                continue
            if not all(map(order.remove, (*leaving, *moving))):
                self._drop(column)  # not where its values say: built again later
                continue
            moves[column] = moving
        return moves

    def put_back(self, moves: dict[str, list[Row]], arrivals: list[Row]) -> None:
        """After the rows changed: put the moved rows and the arrivals in their places."""
        for column, moving in moves.items():
            order = self._orders[column]
            if order is None:
                continue
            if len(moving) + len(arrivals) > SMALL_DELTA:
                self._drop(column)
                continue
            for rec in (*moving, *arrivals):
                order.insert(rec)

    def _drop(self, column: str, *, changing: bool = False) -> None:
        """Drop one order; `changing`: because many runs' values for it changed."""
        self._orders[column] = None
        if changing and column in UNSTEADY:
            self._unsteady_since[column] = self._clock()
            if column in self._unused:  # built again for nothing: wait longer next time
                self._quiet_for[column] = min(UNSTEADY_QUIET_MAX,
                                              2 * self._quiet_for.get(column, UNSTEADY_QUIET))


class _Sorted:
    """Rows sorted by a sort value in a direction, ties in arrival order."""

    __slots__ = ("key_fn", "order", "reverse")

    def __init__(self, key_fn: Callable[[Run], Any], reverse: bool, order: list[Row]) -> None:
        self.key_fn = key_fn
        self.reverse = reverse
        self.order = order

    def remove(self, rec: Row) -> bool:
        order = self.order
        i = self._place(self.key_fn(rec.run), rec.seq)
        if i < len(order) and order[i] is rec:
            del order[i]
            return True
        return False

    def insert(self, rec: Row) -> None:
        self.order.insert(self._place(self.key_fn(rec.run), rec.seq), rec)

    def rows(self, now: datetime) -> list[Row]:
        return list(self.order)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.order)

    def _place(self, value: Any, seq: int) -> int:
        """Where the row of sort value `value` and arrival `seq` is, or goes: values in
        the direction, equal values in arrival order (no two rows share a `seq`)."""
        order, key_fn, reverse = self.order, self.key_fn, self.reverse
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            other = order[mid]
            other_value = key_fn(other.run)
            if other_value == value:
                before = other.seq < seq
            else:
                before = other_value > value if reverse else other_value < value
            if before:
                lo = mid + 1
            else:
                hi = mid
        return lo


def _going(run: Run) -> bool:
    """Does the run's duration grow with the clock (`sort_values.elapsed_seconds`)?"""
    return (run.finished_at is None and id(run.status) not in TERMINAL_IDS
            and (run.started_at or run.created_at) is not None)


def _start(run: Run) -> datetime:
    """When a going run started (aware): the earlier, the longer its duration."""
    start = run.started_at or run.created_at
    assert start is not None  # (a going run has one)
    return as_utc(start)


_SEQ = attrgetter("seq")


class _Durations:
    """The duration order (longest first), kept as the runs whose durations are fixed,
    with those durations (negated, so that they ascend), and the runs still going, by start.

    `rows(now)` merges the two: each going run's duration at `now` is bisected into the
    fixed ones (at C speed), and the fixed runs between go over in slices. Equal durations
    in arrival order, as the sort gives them.
    """

    __slots__ = ("fixed", "going", "values")

    def __init__(self, rows: Iterable[Row], now: datetime) -> None:
        # At C speed where it can (a loop calling `elapsed_seconds` per row took ~0.3 s
        # at 100,000 runs): every duration at once, then the rows sorted by index.
        rows = list(rows)  # arrival order: a stable sort keeps ties in it
        runs = list(map(_RUN, rows))
        values = durations(runs, now)
        if values is None:  # some time naive
            values = [elapsed_seconds(run, now) for run in runs]
        going = list(map(_going, runs))
        fixed = [i for i, on in enumerate(going) if not on]
        fixed.sort(key=values.__getitem__, reverse=True)  # (stable in both directions)
        self.values = array("d", [-values[i] for i in fixed])
        self.fixed = list(map(rows.__getitem__, fixed))
        moving = list(compress(rows, going))
        self.going = _Sorted(_start, False, sorted(moving, key=lambda rec: _start(rec.run)))

    def _place(self, value: float, seq: int) -> int:
        values = self.values
        lo = bisect_left(values, value)
        hi = bisect_right(values, value, lo)
        return lo if lo == hi else bisect_left(self.fixed, seq, lo, hi, key=_SEQ)

    def remove(self, rec: Row) -> bool:
        run = rec.run
        if _going(run):
            return self.going.remove(rec)
        i = self._place(-elapsed_seconds(run, _NEVER), rec.seq)
        if i < len(self.fixed) and self.fixed[i] is rec:
            del self.fixed[i]
            del self.values[i]
            return True
        return False

    def insert(self, rec: Row) -> None:
        run = rec.run
        if _going(run):
            self.going.insert(rec)
            return
        value = -elapsed_seconds(run, _NEVER)
        i = self._place(value, rec.seq)
        self.fixed.insert(i, rec)
        self.values.insert(i, value)

    def rows(self, now: datetime) -> list[Row]:
        fixed, values = self.fixed, self.values
        going = self.going.order
        if not going:
            return list(fixed)
        out: list[Row] = []
        lo, end = 0, len(values)
        for rec in going:  # longest first: their places only move on
            value = -elapsed_seconds(rec.run, now)
            place = bisect_left(values, value, lo)
            if place < end and values[place] == value:  # equal durations: in arrival order
                place = bisect_left(fixed, rec.seq, place, bisect_right(values, value, place), key=_SEQ)
            out += fixed[lo:place]
            out.append(rec)
            lo = place
        out += fixed[lo:]
        return out


_RUN = attrgetter("run")
_NEVER = datetime.min.replace(tzinfo=UTC)
"""Any time: a fixed duration does not read the clock."""

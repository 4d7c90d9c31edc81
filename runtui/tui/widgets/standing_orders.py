"""Orders kept ready for the columns whose sort values a run keeps: a digit shows one at once.

Sorting 50,000 runs by a column costs 10-20 ms (reading every run's value, cold in
memory, then Timsort), on top of the frame: more than one frame at 60 Hz. A run's
id, profile, provider, workflow, creation time, cost and last error change seldom
or never while it is watched, so those columns' orders can be kept sorted as runs
come and go, for a few hundred KB each, and pressing their digit only copies one.
(Status, update time and duration change with every status change, or every
second: kept, they would be rebuilt on every refresh.)

* Built one column at a time once changes stop coming (the owner calls
  `build_next` while it returns True): after a listing loads, ~15 ms a step at
  50,000 runs, off the keys' path.
* Kept on small deltas: a run that leaves, arrives, or whose value for a column
  changes, is taken out of that column's order (before the rows change) and put
  back (after) by bisection. A status change, the usual delta, costs one tuple
  comparison.
* An order a big delta would move many rows of (a listing's pages, a bulk
  change) is dropped instead, and built again.

Each order is what `RunView._sorted` gives for the column's natural direction:
sorted by the column's sort value, ties in arrival order (`Row.seq`).
No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from operator import attrgetter
from typing import Any

from runtui.model import Run
from runtui.tui.widgets.run_rows import Row
from runtui.tui.widgets.sort_values import sort_key_fn

STANDING: dict[str, bool] = {"workflow": False, "id": False, "profile": False, "provider": False,
                             "created": True, "cost": True, "error": False}
"""The columns kept, each with its natural direction (True: descending), as the digits sort."""

_INPUT_FIELDS: dict[str, tuple[str, ...]] = {
    "workflow": ("workflow_name", "workflow_id"),
    "created": ("created_at", "started_at"),
    "cost": ("cost",),
    "error": ("last_error",),
}
"""The run fields each column's sort value is made of; id, profile and provider never
change for a row (they make its key, or come with its profile)."""
_INPUTS = {column: attrgetter(*fields) for column, fields in _INPUT_FIELDS.items()}
_ANY_INPUT = attrgetter(*(field for fields in _INPUT_FIELDS.values() for field in fields))

SMALL_DELTA = 64
"""A delta moving more rows than this drops the orders (built again later) rather than
moving rows one by one (a bisection and a memmove of the list each, per column)."""

Builder = Callable[[str, bool], list[Row]]
"""Sorts every row by a column in a direction, as `RunView._sorted` does."""


class StandingOrders:
    """The kept orders; `None` for a column not built (or dropped) yet."""

    def __init__(self) -> None:
        self._orders: dict[str, list[Row] | None] = dict.fromkeys(STANDING)
        self._key_fns: dict[str, Callable[[Run], Any]] = {}

    def ready(self, column: str, reverse: bool) -> list[Row] | None:
        """The kept order for `column` in direction `reverse`, if there is one (do not change it)."""
        if STANDING.get(column) is not reverse:
            return None
        return self._orders.get(column)

    @property
    def complete(self) -> bool:
        return all(order is not None for order in self._orders.values())

    def drop(self) -> None:
        self._orders = dict.fromkeys(STANDING)

    def build_next(self, build: Builder, now: datetime) -> bool:
        """Build one missing order; True while some are still missing."""
        for column, order in self._orders.items():
            if order is None:
                self._key_fns[column] = sort_key_fn(column, now)  # (none of them reads `now`)
                self._orders[column] = build(column, STANDING[column])
                break
        return not self.complete

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
                self._orders[column] = None
                continue
            for rec in (*leaving, *moving):
                self._remove(column, order, rec)
            moves[column] = moving
        return moves

    def put_back(self, moves: dict[str, list[Row]], arrivals: list[Row]) -> None:
        """After the rows changed: put the moved rows and the arrivals in their places."""
        for column, moving in moves.items():
            order = self._orders[column]
            if order is None:
                continue
            if len(moving) + len(arrivals) > SMALL_DELTA:
                self._orders[column] = None
                continue
            key_fn, reverse = self._key_fns[column], STANDING[column]
            for rec in (*moving, *arrivals):
                order.insert(_place(order, key_fn(rec.run), rec.seq, key_fn, reverse), rec)

    def _remove(self, column: str, order: list[Row], rec: Row) -> None:
        """Take `rec` out of `order`, found by its sort value as the order has it."""
        key_fn = self._key_fns[column]
        i = _place(order, key_fn(rec.run), rec.seq, key_fn, STANDING[column])
        if i < len(order) and order[i] is rec:
            del order[i]
        else:  # not where its value says: the order no longer holds; built again later
            self._orders[column] = None


def _place(order: list[Row], value: Any, seq: int, key_fn: Callable[[Run], Any], reverse: bool) -> int:
    """Where the row of sort value `value` and arrival `seq` is, or goes, in `order`: values
    in the direction, equal values in arrival order (no two rows share a `seq`)."""
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

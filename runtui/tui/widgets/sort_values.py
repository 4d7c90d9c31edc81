"""What the run table sorts by: each column's sort value of a run.

`sort_key_fn` gives one run's value (a run placed on its own, after a change);
`every_sort_value` gives every run's at once, as a re-sort needs them, reading
them at C speed where it can. Both must give the same value for a run: a run
placed later by `sort_key_fn` among rows sorted by `every_sort_value` would
otherwise land in the wrong place. Pure functions over `Run`, no Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from runtui.model import Run, Status
from runtui.tui.widgets.columns import as_utc

_MIN_DT = datetime.min.replace(tzinfo=UTC)
_NO_TIME = -86_400.0


def sort_key_fn(key: str, now: datetime) -> Callable[[Run], Any]:
    """A function giving a run's primary sort value for a column (never None).

    These run once per run on every re-sort, so they stay small (C-level
    attrgetters where possible). Datetimes from the providers are always aware
    (`parse_time` makes them UTC); a naive one is taken as UTC.
    """
    if key == "status":
        return lambda r: _STATUS_RANK_BY_ID[id(r.status)]
    if key == "workflow":
        return lambda r: (r.workflow_name or r.workflow_id or "").casefold()
    if key in ("id", "profile", "provider"):
        return attrgetter(key)
    if key == "created":
        return lambda r: d if (d := r.created_at or r.started_at or _MIN_DT).tzinfo is not None else as_utc(d)
    if key == "duration":
        return lambda r: elapsed_seconds(r, now)
    if key == "cost":
        return lambda r: -1.0 if r.cost is None else r.cost.amount
    if key == "updated":
        return lambda r: d if (d := r.updated_at or _MIN_DT).tzinfo is not None else as_utc(d)
    if key == "error":
        return lambda r: (r.last_error or "").casefold()
    raise KeyError(key)


_STATUS_RANK_BY_ID = {id(status): rank for rank, status in enumerate(Status)}

SORT_ATTRIBUTE = {"created": "created_at", "updated": "updated_at"}
"""Columns whose sort value is simply this run attribute whenever it is set and aware
(what `parse_time` always gives): a re-sort can read it at C speed and fall back to
`sort_key_fn` when some run lacks it (comparing None or a naive time raises TypeError)."""
SORT_FLOOR: dict[str, datetime] = {"updated": _MIN_DT}
"""What those columns' key gives a run without the attribute: a re-sort fills it in
(most runs of some platforms have no update time) instead of falling back to
`sort_key_fn` for every run."""


def elapsed_seconds(run: Run, now: datetime) -> float:
    """Seconds, as the duration sort compares them: floats sort twice as fast as
    timedeltas and take half the memory (100,000 of them are kept while that sort is on)."""
    start = run.started_at or run.created_at
    if start is None:
        return _NO_TIME
    end = run.finished_at
    if end is None:
        if run.status.terminal:
            return _NO_TIME
        end = now
    try:
        return (end - start).total_seconds()
    except TypeError:  # one of them naive
        return (as_utc(end) - as_utc(start)).total_seconds()


def every_sort_value(column: str, each_run: Callable[[], Iterable[Run]], now: datetime,
                     key_fn: Callable[[Run], Any]) -> list[Any]:
    """`key_fn` (the column's `sort_key_fn`) of every run in `each_run()`, in order, the
    fast way where there is one. Values of a time attribute may come back None or naive:
    sorting them raises TypeError, and the caller then asks `key_fn` of every run.

    One pass over the runs where possible (`each_run` gives a fresh one): at 50,000 runs
    the runs are not in the CPU's caches, and each pass over them costs 2-4 ms.
    """
    attribute = SORT_ATTRIBUTE.get(column)
    if attribute is not None:
        floor = SORT_FLOOR.get(column)
        first = next(iter(each_run()), None)
        # All naive would sort without an error, but not as `key_fn` (aware) compares.
        if first is not None and _is_aware(getattr(first, attribute) or floor):
            values = map(attrgetter(attribute), each_run())
            # (a time is never false: `or` only fills in a missing one)
            return list(values) if floor is None else [value or floor for value in values]
    if column == "duration":
        found = durations(each_run(), now)
        return list(map(key_fn, each_run())) if found is None else found
    fast = _FAST.get(column)
    found = None if fast is None else fast(each_run())
    return list(map(key_fn, each_run())) if found is None else found


def comparable_sort_values(column: str, each_run: Callable[[], Iterable[Run]], now: datetime,
                           key_fn: Callable[[Run], Any]) -> list[Any]:
    """`every_sort_value`, but never a missing or naive time among them (values a row keeps,
    found later by bisection: those would not compare). No sort needed to find out."""
    values = every_sort_value(column, each_run, now, key_fn)
    if column in SORT_ATTRIBUTE and not _all_aware(values):
        return list(map(key_fn, each_run()))
    return values


def _all_aware(values: list[Any]) -> bool:
    try:
        return None not in set(map(_TZINFO, values))
    except AttributeError:  # a missing time (None)
        return False


_TZINFO = attrgetter("tzinfo")


def _is_aware(value: object) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


def _folded_workflows(runs: Iterable[Run]) -> list[str] | None:
    """Every run has a workflow name: each distinct one casefolded once, and shared (the
    names are few; casefolding each run's made as many new strings as runs)."""
    names = list(map(_WORKFLOW_NAME, runs))
    distinct = set(names)
    if None in distinct or "" in distinct:  # some run falls back to its workflow id
        return None
    folded = {name: name.casefold() for name in distinct}
    return list(map(folded.__getitem__, names))


def durations(runs: Iterable[Run], now: datetime) -> list[float] | None:
    """`elapsed_seconds` of every run, in one comprehension: a function call per run (and the
    status's `terminal` property) made the duration sort's values cost twice as much
    (~25 ms at 50,000 runs against ~12). None when some time is naive (then `elapsed_seconds`,
    which takes it as UTC, for every run)."""
    ended = TERMINAL_IDS
    try:
        return [((end - start).total_seconds() if (end := run.finished_at) is not None
                 else _NO_TIME if id(run.status) in ended else (now - start).total_seconds())
                if (start := run.started_at or run.created_at) is not None else _NO_TIME
                for run in runs]
    except TypeError:  # a naive time among aware ones
        return None


TERMINAL_IDS = frozenset(id(status) for status in Status if status.terminal)
"""`id()` of each terminal status: a set lookup is cheaper than the enum's `terminal` property."""


def _folded_errors(runs: Iterable[Run]) -> list[str]:
    """Each distinct error casefolded once (most runs have none, many the same one)."""
    errors = list(map(_LAST_ERROR, runs))
    folded = {error: (error or "").casefold() for error in set(errors)}
    return list(map(folded.__getitem__, errors))


_WORKFLOW_NAME = attrgetter("workflow_name")
_LAST_ERROR = attrgetter("last_error")
_FAST: dict[str, Callable[[Iterable[Run]], list[Any] | None]] = {
    "workflow": _folded_workflows,
    "error": _folded_errors,
}

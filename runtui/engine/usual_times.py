"""How long each workflow's runs usually take, and wait in their queue: the p95s a running
run is judged stuck against, and a queued one late (`attention`).

Each workflow's samples are kept sorted, in compact arrays, as runs arrive, change
and leave: a p95 is then one index, current at every moment. (Reading every run
again, once a minute, cost ~60 ms at 50,000 runs; sorting a workflow's samples for
each running run it judged froze the app for 1.6 s.) No UI here.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from operator import attrgetter

from runtui.model import Run

MIN_SAMPLES = 5  # finished runs of a workflow before its p95 means anything

WorkflowKey = tuple[str, str]  # (profile, workflow id or name)


def p95(values: list[float]) -> float | None:
    """The nearest-rank 95th percentile, or None with fewer than MIN_SAMPLES values."""
    return _p95_of_sorted(sorted(values))


def nearest_rank(ordered: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile `q` (0-1] of an ascending sequence."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _p95_of_sorted(ordered: Sequence[float]) -> float | None:
    return None if len(ordered) < MIN_SAMPLES else nearest_rank(ordered, 0.95)


def workflow_key(run: Run) -> WorkflowKey:
    return (run.profile, run.workflow_id or run.workflow_name or "")


_SAMPLED = attrgetter("profile", "workflow_id", "workflow_name", "created_at", "started_at", "finished_at")
"""What a run's samples are made of (with whether its status is terminal)."""


class WorkflowTimes:
    """Per (profile, workflow): finished runs' durations and started runs' queue waits,
    in seconds, each kept sorted."""

    def __init__(self) -> None:
        self._durations: dict[WorkflowKey, array[float]] = {}
        self._waits: dict[WorkflowKey, array[float]] = {}

    @classmethod
    def of(cls, runs: Iterable[Run]) -> WorkflowTimes:
        """The times of these runs (a one-shot listing)."""
        durations: dict[WorkflowKey, list[float]] = {}
        waits: dict[WorkflowKey, list[float]] = {}
        for run in runs:
            key, duration, wait = _samples(run)
            if duration is not None:
                durations.setdefault(key, []).append(duration)
            if wait is not None:
                waits.setdefault(key, []).append(wait)
        times = cls()
        times._durations = {key: array("d", sorted(values)) for key, values in durations.items()}
        times._waits = {key: array("d", sorted(values)) for key, values in waits.items()}
        return times

    def usual_duration(self, key: WorkflowKey) -> float | None:
        """The workflow's p95 duration (None: too few finished runs)."""
        return _p95_of_sorted(self._durations.get(key, _NONE))

    def usual_wait(self, key: WorkflowKey) -> float | None:
        """The workflow's p95 wait in the queue (None: too few started runs)."""
        return _p95_of_sorted(self._waits.get(key, _NONE))

    def put(self, old: Run | None, new: Run | None) -> None:
        """A run arrived (`old` None), changed, or left (`new` None)."""
        if (old is not None and new is not None and _SAMPLED(old) == _SAMPLED(new)
                and old.status.terminal is new.status.terminal):
            return  # the usual change: a status, a run still going
        if old is not None:
            key, duration, wait = _samples(old)
            _take(self._durations, key, duration)
            _take(self._waits, key, wait)
        if new is not None:
            key, duration, wait = _samples(new)
            if duration is not None:
                insort(self._durations.setdefault(key, array("d")), duration)
            if wait is not None:
                insort(self._waits.setdefault(key, array("d")), wait)


_NONE: array[float] = array("d")


def _samples(run: Run) -> tuple[WorkflowKey, float | None, float | None]:
    """A finished run's duration and a started run's wait in the queue, in seconds."""
    started, finished, created = run.started_at, run.finished_at, run.created_at
    duration = None
    if run.status.terminal and started is not None and finished is not None:
        duration = (finished - started).total_seconds()
    wait = None
    if started is not None and created is not None:
        wait = max(0.0, (started - created).total_seconds())
    return workflow_key(run), duration, wait


def _take(by_workflow: dict[WorkflowKey, array[float]], key: WorkflowKey, value: float | None) -> None:
    """Take one sample `value` out of a workflow's (it was put in by the same run)."""
    if value is None:
        return
    values = by_workflow.get(key)
    if values is None:
        return
    i = bisect_left(values, value)
    if i < len(values) and values[i] == value:
        del values[i]

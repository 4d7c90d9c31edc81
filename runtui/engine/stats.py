"""Per-workflow figures over a time window, kept up to date from the store's deltas.

Each run is reduced once, when the store says it was added or changed, to a small
sample (when it started, its outcome, its duration). A workflow's figures are
recomputed only when one of its runs changed or when time moves a run out of the
window (or an active run past the p95): asking again with nothing changed reads a
cache. Runs without any time cannot be placed in a window: they are counted apart
(`untimed`), never in a window.

Definitions (the tests compute them by hand):
* a run is in the window when its start (else its creation) is at or after now - window;
* success rate = succeeded / (succeeded + failed + cancelled), None when none finished;
* p50 and p95 are nearest-rank percentiles of the finished runs' durations in the window;
* a failure streak counts the newest finished runs that failed, in a row;
* a run is slow when it took (or, still going, has taken) longer than the p95, once the
  window holds at least `MIN_FOR_P95` finished runs with a duration.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import msgspec

from runtui.engine.store import Delta, RunStore
from runtui.engine.usual_times import nearest_rank
from runtui.model import Run, Status

WorkflowKey = tuple[str, str]  # (profile, workflow id)
WINDOWS: tuple[tuple[str, float], ...] = (("1h", 3600.0), ("24h", 86400.0), ("7d", 7 * 86400.0))
SPARK_RUNS = 20  # durations drawn in a workflow's sparkline
MIN_FOR_P95 = 5
STREAK_FLAG = 2
GOING = frozenset({Status.RUNNING, Status.QUEUED})  # waiting or paused runs wait on a person, not slow


class Sample(msgspec.Struct, frozen=True):
    """What the figures need of one run, reduced once per change."""

    run_id: str
    at: float | None  # start, else creation (epoch seconds)
    status: Status
    duration: float | None  # finished runs only


def sample_of(run: Run) -> Sample:
    start = run.started_at or run.created_at
    duration = run.duration() if run.status.terminal else None
    return Sample(run.id, None if start is None else start.timestamp(), run.status, duration)


class WorkflowFigures(msgspec.Struct, frozen=True):
    profile: str
    provider: str
    workflow_id: str
    workflow_name: str | None = None
    runs: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    active: int = 0
    untimed: int = 0
    p50_s: float | None = None
    p95_s: float | None = None
    last_status: Status | None = None
    last_run_at: datetime | None = None
    recent: tuple[tuple[float, Status], ...] = ()  # (duration, outcome), oldest first
    failure_streak: int = 0
    slow: tuple[str, ...] = ()  # run ids over the p95
    counted_on_server: bool = False

    @property
    def key(self) -> WorkflowKey:
        return (self.profile, self.workflow_id)

    @property
    def success_rate(self) -> float | None:
        finished = self.succeeded + self.failed + self.cancelled
        return None if finished == 0 else self.succeeded / finished

    @property
    def flags(self) -> tuple[str, ...]:
        """What an operator should look at, in words."""
        found: list[str] = []
        if self.failure_streak >= STREAK_FLAG:
            found.append(f"{self.failure_streak} failed in a row")
        if self.slow:
            found.append(f"{len(self.slow)} over p95")
        return tuple(found)

    def to_json(self) -> dict[str, Any]:
        rate = self.success_rate
        return {
            "profile": self.profile, "provider": self.provider,
            "workflow_id": self.workflow_id, "workflow_name": self.workflow_name,
            "runs": self.runs, "succeeded": self.succeeded, "failed": self.failed,
            "cancelled": self.cancelled, "active": self.active, "untimed": self.untimed,
            "success_rate": None if rate is None else round(rate, 4),
            "p50_s": _round(self.p50_s), "p95_s": _round(self.p95_s),
            "last_status": None if self.last_status is None else self.last_status.value,
            "last_run_at": None if self.last_run_at is None else self.last_run_at.isoformat(),
            "failure_streak": self.failure_streak, "slow_runs": list(self.slow),
            "counted_on_server": self.counted_on_server,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def compute(profile: str, provider: str, workflow_id: str, name: str | None,
            samples: Iterable[Sample], window: float, now: float) -> tuple[WorkflowFigures, float]:
    """One workflow's figures and the time until which they stay true with no run changing."""
    start = now - window
    counts = {Status.SUCCEEDED: 0, Status.FAILED: 0, Status.CANCELLED: 0}
    inside: list[Sample] = []
    untimed = active = 0
    last: Sample | None = None
    for s in samples:
        if s.at is None:
            untimed += 1
            continue
        if last is None or s.at > last.at:  # type: ignore[operator]
            last = s
        if s.at < start:
            continue
        inside.append(s)
        if s.status in counts:
            counts[s.status] += 1
        elif s.status.active:
            active += 1
    inside.sort(key=lambda s: s.at or 0.0)
    finished = [s for s in inside if s.status.terminal]
    durations = sorted(s.duration for s in finished if s.duration is not None)
    p95 = nearest_rank(durations, 0.95)
    valid_until = (inside[0].at or now) + window if inside else math.inf
    slow: list[str] = []
    if p95 is not None and len(durations) >= MIN_FOR_P95:
        for s in inside:
            if s.duration is not None and s.duration > p95:
                slow.append(s.run_id)
            elif s.status in GOING and s.at is not None:
                if now - s.at > p95:
                    slow.append(s.run_id)
                else:
                    valid_until = min(valid_until, s.at + p95)
    streak = 0
    for s in reversed(finished):
        if s.status is not Status.FAILED:
            break
        streak += 1
    recent = tuple((s.duration, s.status) for s in finished if s.duration is not None)[-SPARK_RUNS:]
    figures = WorkflowFigures(
        profile=profile, provider=provider, workflow_id=workflow_id, workflow_name=name,
        runs=len(inside), succeeded=counts[Status.SUCCEEDED], failed=counts[Status.FAILED],
        cancelled=counts[Status.CANCELLED], active=active, untimed=untimed,
        p50_s=nearest_rank(durations, 0.5), p95_s=p95,
        last_status=None if last is None else last.status,
        last_run_at=None if last is None or last.at is None else datetime.fromtimestamp(last.at, UTC),
        recent=recent, failure_streak=streak, slow=tuple(slow))
    return figures, valid_until


class _Workflow(msgspec.Struct):
    provider: str
    name: str | None
    samples: dict[str, Sample]
    version: int = 0


class WorkflowStats:
    """Figures per (profile, workflow id), fed by the store, cached per window."""

    def __init__(self, store: RunStore | None = None) -> None:
        self._workflows: dict[WorkflowKey, _Workflow] = {}
        self._cache: dict[float, dict[WorkflowKey, tuple[int, float, WorkflowFigures]]] = {}
        self.recomputed = 0  # workflows recomputed since start: what the tests and bench watch
        self._unsubscribe: Callable[[], None] | None = None
        if store is not None:
            self.feed(store.runs.values())
            self._unsubscribe = store.subscribe(self.apply)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def feed(self, runs: Iterable[Run]) -> None:
        for run in runs:
            self._put(run)

    def apply(self, delta: Delta) -> None:
        for run in delta.added:
            self._put(run)
        for old, new in delta.changed:
            if old.workflow_id != new.workflow_id:
                self._drop(old)
            self._put(new)
        for run in delta.removed:
            self._drop(run)

    def _put(self, run: Run) -> None:
        if not run.workflow_id:
            return  # a run with no workflow cannot be placed in one
        key = (run.profile, run.workflow_id)
        entry = self._workflows.get(key)
        if entry is None:
            entry = self._workflows[key] = _Workflow(run.provider, run.workflow_name, {})
        sample = sample_of(run)
        if entry.samples.get(run.id) != sample or (run.workflow_name and entry.name != run.workflow_name):
            entry.samples[run.id] = sample
            entry.name = run.workflow_name or entry.name
            entry.version += 1

    def _drop(self, run: Run) -> None:
        entry = self._workflows.get((run.profile, run.workflow_id or ""))
        if entry is not None and entry.samples.pop(run.id, None) is not None:
            entry.version += 1

    def forget(self) -> None:
        """Drop every cached figure (the benchmark's "recompute all")."""
        self._cache.clear()

    def figures(self, window: float, now: float | None = None) -> list[WorkflowFigures]:
        """Every workflow's figures for `window` seconds back from `now`."""
        at = datetime.now(UTC).timestamp() if now is None else now
        cache = self._cache.setdefault(window, {})
        found: list[WorkflowFigures] = []
        for key, entry in self._workflows.items():
            cached = cache.get(key)
            if cached is not None and cached[0] == entry.version and at < cached[1]:
                found.append(cached[2])
                continue
            figures, valid_until = compute(key[0], entry.provider, key[1], entry.name,
                                           entry.samples.values(), window, at)
            self.recomputed += 1
            cache[key] = (entry.version, valid_until, figures)
            found.append(figures)
        return found

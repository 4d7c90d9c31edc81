"""Per-workflow figures against a hand computation, and the cache that makes them cheap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runtui.engine.stats import WorkflowStats, compute, nearest_rank, sample_of
from runtui.engine.store import RunStore
from runtui.model import Run, Status

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def run(i: int, status: Status, *, ago_min: float | None, took: float | None = None,
        wf: str = "wf_a", profile: str = "p", name: str | None = "A") -> Run:
    start = None if ago_min is None else NOW - timedelta(minutes=ago_min)
    end = start + timedelta(seconds=took) if start is not None and took is not None else None
    return Run(profile=profile, provider="edges", id=f"r{i}", workflow_id=wf, workflow_name=name,
               status=status, raw_status=status.value.upper(), created_at=start, started_at=start,
               finished_at=end)


def figures_of(runs: list[Run], window: float = 24 * HOUR) -> dict[str, object]:
    stats = WorkflowStats()
    stats.feed(runs)
    (found,) = stats.figures(window, NOW.timestamp())
    return found.to_json()


def test_nearest_rank_by_hand() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    assert nearest_rank(values, 0.5) == 50.0  # ceil(5) = 5th
    assert nearest_rank(values, 0.95) == 100.0  # ceil(9.5) = 10th
    assert nearest_rank([7.0], 0.95) == 7.0
    assert nearest_rank([], 0.5) is None


def test_counts_rate_percentiles_and_window_by_hand() -> None:
    runs = [run(i, Status.SUCCEEDED, ago_min=10 * i + 1, took=10.0 * (i + 1)) for i in range(8)]  # 10..80 s
    runs += [run(8, Status.FAILED, ago_min=200, took=5.0), run(9, Status.CANCELLED, ago_min=300, took=1.0)]
    runs += [run(10, Status.RUNNING, ago_min=2), run(11, Status.SUCCEEDED, ago_min=25 * 60, took=999.0)]
    f = figures_of(runs)
    # in the window: 8 ok, 1 failed, 1 cancelled, 1 running; the 25 h old run is outside
    assert (f["runs"], f["succeeded"], f["failed"], f["cancelled"], f["active"]) == (11, 8, 1, 1, 1)
    assert f["success_rate"] == round(8 / 10, 4)
    # finished durations sorted: 1 5 10 20 30 40 50 60 70 80 -> p50 = 5th = 30, p95 = 10th = 80
    assert (f["p50_s"], f["p95_s"]) == (30.0, 80.0)
    assert f["last_status"] == "succeeded"  # r0 started 1 minute ago: the newest
    assert f["failure_streak"] == 0  # the newest finished run succeeded
    # the running run has run 120 s, longer than the p95 (80 s): flagged slow
    assert f["slow_runs"] == ["r10"]


def test_one_hour_window_and_an_empty_window() -> None:
    runs = [run(1, Status.SUCCEEDED, ago_min=30, took=12.0), run(2, Status.FAILED, ago_min=90, took=3.0)]
    one_hour = figures_of(runs, HOUR)
    assert (one_hour["runs"], one_hour["succeeded"], one_hour["failed"]) == (1, 1, 0)
    stats = WorkflowStats()
    stats.feed(runs)
    (empty,) = stats.figures(HOUR, (NOW + timedelta(days=2)).timestamp())
    assert (empty.runs, empty.success_rate, empty.p50_s, empty.p95_s) == (0, None, None, None)
    assert empty.last_status is Status.SUCCEEDED  # the last run is still known outside the window


def test_all_failed_and_a_streak() -> None:
    runs = [run(i, Status.FAILED, ago_min=5 * i + 1, took=4.0) for i in range(4)]
    f = figures_of(runs)
    assert (f["succeeded"], f["failed"], f["success_rate"], f["failure_streak"]) == (0, 4, 0.0, 4)


def test_streak_counts_only_the_newest_failures_in_a_row() -> None:
    runs = [run(1, Status.FAILED, ago_min=1, took=1.0), run(2, Status.FAILED, ago_min=2, took=1.0),
            run(3, Status.SUCCEEDED, ago_min=3, took=1.0), run(4, Status.FAILED, ago_min=4, took=1.0)]
    assert figures_of(runs)["failure_streak"] == 2


def test_runs_without_times_are_counted_apart() -> None:
    runs = [run(1, Status.SUCCEEDED, ago_min=None), run(2, Status.FAILED, ago_min=None),
            run(3, Status.SUCCEEDED, ago_min=3, took=2.0)]
    f = figures_of(runs)
    assert (f["runs"], f["untimed"], f["succeeded"], f["failed"]) == (1, 2, 1, 0)


def test_no_slow_flag_before_enough_finished_runs() -> None:
    runs = [run(i, Status.SUCCEEDED, ago_min=i + 1, took=10.0) for i in range(4)]
    runs.append(run(9, Status.RUNNING, ago_min=30))
    assert figures_of(runs)["slow_runs"] == []


def test_waiting_runs_are_not_slow_they_wait_on_a_person() -> None:
    runs = [run(i, Status.SUCCEEDED, ago_min=i + 1, took=10.0) for i in range(6)]
    runs.append(run(9, Status.WAITING, ago_min=30))
    assert figures_of(runs)["slow_runs"] == []


def test_runs_without_a_workflow_are_left_out() -> None:
    stats = WorkflowStats()
    stats.feed([run(1, Status.SUCCEEDED, ago_min=1, took=1.0, wf="")])
    assert stats.figures(HOUR, NOW.timestamp()) == []


def test_nothing_is_recomputed_when_no_run_changed() -> None:
    store = RunStore()
    store.upsert([run(i, Status.SUCCEEDED, ago_min=i + 1, took=5.0, wf=f"wf_{i % 3}") for i in range(30)])
    stats = WorkflowStats(store)
    at = NOW.timestamp()
    stats.figures(24 * HOUR, at)
    assert stats.recomputed == 3
    stats.figures(24 * HOUR, at + 1)
    store.upsert([run(i, Status.SUCCEEDED, ago_min=i + 1, took=5.0, wf=f"wf_{i % 3}") for i in range(30)])
    stats.figures(24 * HOUR, at + 2)
    assert stats.recomputed == 3  # equal runs are no delta: no workflow recomputed
    store.upsert([run(4, Status.FAILED, ago_min=5, took=5.0, wf="wf_1")])
    (changed,) = [f for f in stats.figures(24 * HOUR, at + 3) if f.workflow_id == "wf_1"]
    assert stats.recomputed == 4 and changed.failed == 1  # only wf_1
    store.remove([store.runs[("p", "r4")]])
    (after,) = [f for f in stats.figures(24 * HOUR, at + 4) if f.workflow_id == "wf_1"]
    assert stats.recomputed == 5 and after.failed == 0 and after.runs == 9


def test_figures_expire_when_a_run_leaves_the_window() -> None:
    stats = WorkflowStats()
    stats.feed([run(1, Status.SUCCEEDED, ago_min=50, took=5.0),
                run(2, Status.SUCCEEDED, ago_min=5, took=5.0)])
    (first,) = stats.figures(HOUR, NOW.timestamp())
    assert first.runs == 2
    (same,) = stats.figures(HOUR, NOW.timestamp() + 60)
    assert stats.recomputed == 1 and same.runs == 2
    (later,) = stats.figures(HOUR, NOW.timestamp() + 11 * 60)  # r1 is now 61 minutes old
    assert stats.recomputed == 2 and later.runs == 1


def test_a_run_moving_to_another_workflow_leaves_the_first() -> None:
    store = RunStore()
    store.upsert([run(1, Status.SUCCEEDED, ago_min=1, took=1.0, wf="wf_a")])
    stats = WorkflowStats(store)
    store.upsert([run(1, Status.SUCCEEDED, ago_min=1, took=1.0, wf="wf_b")])
    by_id = {f.workflow_id: f.runs for f in stats.figures(HOUR, NOW.timestamp())}
    assert by_id == {"wf_a": 0, "wf_b": 1}
    stats.close()


@pytest.mark.parametrize("status", [Status.SUCCEEDED, Status.FAILED, Status.CANCELLED])
def test_sample_keeps_a_finished_duration(status: Status) -> None:
    sample = sample_of(run(1, status, ago_min=1, took=42.0))
    assert sample.duration == 42.0 and sample.status is status


def test_compute_is_pure_and_names_the_workflow() -> None:
    samples = [sample_of(run(1, Status.SUCCEEDED, ago_min=1, took=3.0))]
    figures, valid_until = compute("p", "edges", "wf_a", "A", samples, HOUR, NOW.timestamp())
    assert (figures.workflow_name, figures.runs) == ("A", 1)
    assert valid_until == pytest.approx(NOW.timestamp() - 60 + HOUR)

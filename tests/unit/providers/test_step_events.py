"""The log lines derived from a run's steps (for platforms without a log API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from runtui.model import Run, RunDetail, Status, Step
from runtui.providers.events import in_time_order, status_events, step_events

START = datetime(2026, 12, 7, 3, 9, 34, tzinfo=UTC)
END = START + timedelta(seconds=40)


def failed_run(step: Step) -> RunDetail:
    run = Run(profile="p", provider="edges", id="r1", status=Status.FAILED, created_at=START,
              started_at=START, finished_at=END, last_error="LinkedIn returned an unexpected page")
    return RunDetail(run=run, steps=(step,))


def test_an_end_the_server_gave_no_time_for_is_not_dated_at_the_start() -> None:
    """A failed step with a start and no end time: its "failed" line has no time, and
    sits after the step's start and before the run's end, not 40 s before the run failed."""
    detail = failed_run(Step(id="s1", name="email-finder", status=Status.FAILED, started_at=START))
    lines = {e.id: e for e in step_events(detail)}
    assert lines["step:s1:started"].time == START
    assert lines["step:s1:failed"].time is None
    order = [e.id for e in in_time_order([*step_events(detail), *status_events(detail)])]
    assert order.index("step:s1:started") < order.index("step:s1:failed") < order.index("run:end:failed")


def test_an_end_with_its_own_time_keeps_it() -> None:
    ended = START + timedelta(seconds=12)
    detail = failed_run(Step(id="s1", name="email-finder", status=Status.FAILED, started_at=START,
                             finished_at=ended))
    assert {e.id: e.time for e in step_events(detail)}["step:s1:failed"] == ended


def test_a_step_that_waits_is_dated_from_its_start() -> None:
    """Waiting and paused are states since the step started: that time is theirs."""
    for status, suffix in ((Status.WAITING, "waiting"), (Status.PAUSED, "paused")):
        detail = failed_run(Step(id="s1", name="approve", status=status, started_at=START))
        assert {e.id: e.time for e in step_events(detail)}[f"step:s1:{suffix}"] == START

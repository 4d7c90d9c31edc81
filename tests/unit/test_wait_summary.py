"""`runs wait`'s text summary: counts on one line, then one line per run that did not succeed.

A wait on 300 runs ended in one 9 KB line naming every id still active."""

from __future__ import annotations

from runtui.cli_run_watch import _wait_summary
from runtui.engine.waiter import WaitOutcome
from runtui.model import Run, Status


def _runs(status: Status, count: int, prefix: str) -> list[Run]:
    return [Run(profile="p", provider="b3os", id=f"{prefix}{i:03d}", status=status) for i in range(count)]


def test_a_big_wait_says_counts_first_then_one_id_a_line() -> None:
    runs = (_runs(Status.SUCCEEDED, 89, "ok") + _runs(Status.RUNNING, 190, "run")
            + _runs(Status.FAILED, 21, "bad"))
    lines = _wait_summary(WaitOutcome(runs={r.key: r for r in runs}, timed_out=True), 300).splitlines()
    assert lines[0] == "89 of 300 runs succeeded; timed out, 190 still active; 21 failed"
    assert lines[1:191] == [f"still active: run{i:03d} (running)" for i in range(190)]
    assert lines[191:] == [f"failed: bad{i:03d}" for i in range(21)]
    assert max(len(line) for line in lines) < 80


def test_all_succeeded_is_one_line() -> None:
    runs = _runs(Status.SUCCEEDED, 3, "ok")
    assert _wait_summary(WaitOutcome(runs={r.key: r for r in runs}), 3) == "3 of 3 runs succeeded"

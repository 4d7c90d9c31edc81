"""`runs wait`'s text summary: counts on one line, then one line per run that did not succeed.

A wait on 300 runs ended in one 9 KB line naming every id still active."""

from __future__ import annotations

from runtui.cli_run_watch import _wait_summary
from runtui.engine.waiter import RunWaiter, WaitOutcome
from runtui.errors import ProviderError
from runtui.model import Kind, Run, RunDetail, Status, Step
from tests.fakes import FakeProvider


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


class _StepsOfFailures(FakeProvider):
    """Each failed run's detail names its failed step, except the runs in `unreadable`,
    whose detail read fails (a run deleted once the wait was over)."""

    def __init__(self, runs: list[Run], unreadable: set[str]) -> None:
        super().__init__(runs)
        self.unreadable = unreadable
        self.steps_read: list[str] = []

    async def get_steps(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        self.steps_read.append(run_id)
        if run_id in self.unreadable:
            raise ProviderError("not found", provider="edges", status=404)
        step = Step(id="s1", name="Send", status=Status.FAILED, error=f"no gas for {run_id}")
        return RunDetail(run=self.runs[run_id], steps=(step,))


async def test_a_wait_says_why_from_the_listing_else_the_detail_and_a_failed_read_says_nothing() -> None:
    listed = Run(profile="p", provider="edges", id="listed", status=Status.FAILED, last_error="from the list")
    quiet = Run(profile="p", provider="edges", id="quiet", status=Status.FAILED)
    gone = Run(profile="p", provider="edges", id="gone", status=Status.FAILED)
    fine = Run(profile="p", provider="edges", id="fine", status=Status.SUCCEEDED)
    provider = _StepsOfFailures([listed, quiet, gone, fine], unreadable={"gone"})
    keys = [r.key for r in (listed, quiet, gone, fine)]
    waiter = RunWaiter({"p": provider}, keys, interval=lambda _n: 0.05)
    outcome = await waiter.wait(10)
    assert outcome.why_failed == {listed.key: "from the list", quiet.key: "Send: no gas for quiet"}
    assert sorted(provider.steps_read) == ["gone", "quiet"]  # the listed error needs no read
    lines = _wait_summary(outcome, 4).splitlines()
    assert "failed: quiet: Send: no gas for quiet" in lines and "failed: gone" in lines


async def test_no_time_left_no_detail_read() -> None:
    quiet = Run(profile="p", provider="edges", id="quiet", status=Status.FAILED)
    provider = _StepsOfFailures([quiet], unreadable=set())
    outcome = await RunWaiter({"p": provider}, [quiet.key], interval=lambda _n: 0.05).wait(0)
    assert outcome.why_failed == {} and provider.steps_read == []

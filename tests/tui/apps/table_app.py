"""Snapshot app: the run table with 30 deterministic runs at 120x36.

The table reads the time from `runtui.tui.clock`; the snapshot test freezes it
at `NOW` (run standalone, this module freezes it itself).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult

from runtui.model import Cost, Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui.widgets.run_table import RunTable

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)

_STATUSES = (
    Status.RUNNING,
    Status.SUCCEEDED,
    Status.QUEUED,
    Status.FAILED,
    Status.PAUSED,
    Status.SUCCEEDED,
    Status.WAITING,
    Status.CANCELLED,
    Status.SUCCEEDED,
    Status.UNKNOWN,
)
_PROFILES = (("wexa-prod", "wexa"), ("b3-prod", "b3os"), ("edges-dev", "edges"))
_WORKFLOWS = ("nightly sync", "invoice export", "lead scoring", "embeddings rebuild", "daily report")


def sample_runs(count: int = 30) -> list[Run]:
    runs = []
    for i in range(count):
        status = _STATUSES[i % len(_STATUSES)]
        profile, provider = _PROFILES[i % len(_PROFILES)]
        started = NOW - timedelta(minutes=7 * i + 1, seconds=13 * i)
        finished = (
            None if status.active or status is Status.UNKNOWN else started + timedelta(seconds=95 + 17 * i)
        )
        runs.append(
            Run(
                profile=profile,
                provider=provider,
                id=f"run_{i:02d}a7f3c9e1",
                workflow_name=_WORKFLOWS[i % len(_WORKFLOWS)] + (f" #{i}" if i % 4 == 0 else ""),
                workflow_id=f"wf_{i % 5}",
                status=status,
                raw_status="STALE" if status is Status.UNKNOWN else None,
                created_at=started,
                started_at=None if status is Status.QUEUED else started,
                finished_at=finished,
                updated_at=finished or started,
                cost=Cost(amount=1.5 * i, unit="credits") if i % 3 else None,
            )
        )
    return runs


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RunTable(id="runs")

    def on_mount(self) -> None:
        table = self.query_one(RunTable)
        table.set_runs(sample_runs())
        table.focus()
        table.toggle_mark()  # the first row is marked
        table.action_cursor_down()
        table.action_cursor_down()
        table.set_pending(sample_runs()[4].key, True)


app = TableApp()

if __name__ == "__main__":
    tui_clock.now = lambda: NOW
    app.run()

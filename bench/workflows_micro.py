"""Micro-benchmark of the workflows view (`W`) over many workflows (prints figures, asserts nothing).

    python bench/workflows_micro.py [--workflows 2000] [--runs-each 12] [--rounds 5]

Runs headless (`App.run_test(size=(200, 50))`) over a workspace holding `workflows`
workflows of `runs-each` finished runs each (in three profiles, no network: the reads
of schedules and counts answer at once with nothing). Each figure is the median
(min-max) over `rounds` rounds: wall ms of the operation and the screen update it
causes, and the table's lines it repainted (a repaint of the whole table counts its
height), which is what goes over SSH:

* open: `W` pushed until its first frame is out
* j: one `j` press
* tick, one change: one workflow on screen gets a run (a store delta), then the 1 s refresh
* read, nothing changed: what each read of the schedules ends with (every minute,
  ctrl+r, after an action)
* idle tick: the refresh when nothing changed
* (pilot.pause, baseline): what every figure includes for the headless frame
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from runtui import config as config_mod
from runtui.config import Profile
from runtui.engine.health import Health, HealthState
from runtui.engine.workflows import WorkflowBook
from runtui.engine.workspace import Workspace
from runtui.model import Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui.screens.workflows import WorkflowsScreen, WorkflowTable
from runtui.workflow_model import Trigger

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PROFILES = {"wexa-sim": "wexa", "edges-sim": "edges", "b3os-sim": "b3os"}


def make_runs(workflows: int, each: int) -> list[Run]:
    names = list(PROFILES)
    runs = []
    for w in range(workflows):
        profile = names[w % len(names)]
        for i in range(each):
            status = Status.FAILED if (w + i) % 7 == 0 else Status.SUCCEEDED
            started = NOW - timedelta(minutes=30 * i + w % 60 + 5)
            runs.append(run_of(profile, w, i, status, started))
    return runs


def run_of(profile: str, w: int, i: int, status: Status, started: datetime) -> Run:
    return Run(profile=profile, provider=PROFILES[profile], id=f"wf{w:05d}-{i:04d}", workflow_id=f"wf{w:05d}",
               workflow_name=f"workflow {w:05d}", status=status, raw_status=status.value,
               created_at=started, started_at=started, finished_at=started + timedelta(seconds=40 + w % 50))


class QuietBook(WorkflowBook):
    """The schedules and counts read at once, with nothing in them (no network)."""

    async def load_triggers(self, names: Iterable[str]) -> list[Trigger]:
        return []

    async def load_counts(self, names: Iterable[str], known: Iterable[tuple[str, str]], window: float,
                          now: datetime | None = None) -> None:
        return None


def workspace(runs: list[Run]) -> Workspace:
    cfg = config_mod.Config(path=Path("bench-config.toml"))
    for name, provider in PROFILES.items():
        cfg.profiles[name] = Profile(name=name, provider=provider, api_key_env="RUNTUI_BENCH_KEY")
    ws = Workspace(cfg)
    ws.store.upsert(runs)
    for name in PROFILES:
        ws._set_health(Health(profile=name, state=HealthState.OK, since=NOW, last_ok=NOW))
    return ws


class RepaintedLines:
    """The table's lines asked to be repainted (a repaint of the whole widget: its height)."""

    def __init__(self) -> None:
        self.lines = 0

    def watch(self, widget: Widget) -> None:
        original = widget.refresh

        def counted(*regions: Region, **kwargs: Any) -> Widget:
            self.lines += sum(r.height for r in regions) if regions else widget.size.height
            return original(*regions, **kwargs)

        widget.refresh = counted  # type: ignore[method-assign]


async def timed(pilot: Pilot[None], action: Callable[[], Awaitable[Any] | Any]) -> float:
    """Wall ms of `action` and the screen update it causes."""
    await pilot.pause()
    t0 = time.perf_counter()
    result = action()
    if isinstance(result, Awaitable):
        await result
    await pilot.pause()
    return (time.perf_counter() - t0) * 1000


async def one_round(pilot: Pilot[None], ws: Workspace, number: int,
                    figures: dict[str, list[float]]) -> None:
    app = pilot.app
    screen = WorkflowsScreen(ws, QuietBook(ws))

    def note(name: str, ms: float, lines: RepaintedLines) -> None:
        figures.setdefault(name, []).append(ms)
        figures.setdefault(f"{name} (lines)", []).append(float(lines.lines))

    lines = RepaintedLines()
    figures.setdefault("open", []).append(await timed(pilot, lambda: app.push_screen(screen)))
    await timed(pilot, lambda: None)  # the first read's refresh
    lines.watch(screen.query_one(WorkflowTable))
    for name, action in (("j", lambda: pilot.press("j")),
                         ("tick, one change", lambda: one_change(ws, screen, number)),
                         ("read, nothing changed", lambda: read_again(screen)),
                         ("idle tick", screen._fill)):
        lines.lines = 0
        note(name, await timed(pilot, action), lines)
    await timed(pilot, app.pop_screen)


def one_change(ws: Workspace, screen: WorkflowsScreen, number: int) -> None:
    """A run more for the workflow of the third row on screen."""
    row = screen.rows[2].figures
    started = NOW - timedelta(hours=3)
    ws.store.upsert([run_of(row.profile, int(row.workflow_id[2:]), 9000 + number, Status.SUCCEEDED, started)])
    screen._fill()


def read_again(screen: WorkflowsScreen) -> None:
    """How each read of the schedules ends (`WorkflowsScreen._load`)."""
    screen._shown = None
    screen._fill()


async def bench(args: argparse.Namespace) -> dict[str, list[float]]:
    runs = make_runs(args.workflows, args.runs_each)
    tui_clock.now = lambda: NOW + timedelta(seconds=1)
    ws = workspace(runs)
    figures: dict[str, list[float]] = {}
    app: App[None] = App()
    print(f"{args.workflows} workflows, {len(runs)} runs")
    async with app.run_test(size=(200, 50)) as pilot:
        figures["(pilot.pause, baseline)"] = [await timed(pilot, lambda: None) for _ in range(args.rounds)]
        for number in range(args.rounds):
            await one_round(pilot, ws, number, figures)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workflows", type=int, default=2000)
    parser.add_argument("--runs-each", type=int, default=12)  # TREND full: its width stays
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    figures = asyncio.run(bench(args))
    for name, values in figures.items():
        unit = "" if "(lines)" in name else " ms"
        print(f"{name:34} median {statistics.median(values):8.1f}{unit}"
              f"   ({min(values):.1f}-{max(values):.1f})")


if __name__ == "__main__":
    main()

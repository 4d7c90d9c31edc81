"""Micro-benchmark of the attention screen (`!`) over a big queue (prints figures, asserts nothing).

    python bench/attention_micro.py [--runs 100000] [--failed 15000] [--rounds 5]

Runs headless (`App.run_test(size=(200, 50))`) over a live `AttentionQueue` fed the
runs as a first listing would (the same queue the app keeps, `runtui.tui.alerts`), with
`runs` runs of which `failed` failed and are not seen, ~5% waiting. Each figure is the
median (min-max) over `rounds` rounds, wall time for the operation and the screen
update it causes:

* open: `!` pushed until its first frame is out
* j: one `j` press (compare with the press of a key bound to nothing: Pilot's own cost)
* tick, one change: one run fails (a store delta) and the screen's 1 s refresh runs
* app tick, a second / a minute later: the app's tick while the screen shows (every
  waiting item's "waits …, 3m" text judged again; a minute later every one reads
  differently), then the refresh
* idle tick: the refresh when nothing changed
* (pilot.pause, baseline): what every figure includes for the headless frame
* peak while open, kept after leaving: the process's traced memory at its peak while
  the screen was open, and after it is popped and collected, against before it opened
  (tracemalloc, MB; slows every other figure: `--no-memory` for the times)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from runtui.engine.attention import AttentionQueue
from runtui.engine.store import Key
from runtui.model import Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui.screens.attention import AttentionScreen

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PROFILES = {"wexa-sim": "wexa", "edges-sim": "edges", "b3os-sim": "b3os"}
WORKFLOWS = [f"{verb} {noun}" for verb in ("sync", "ingest", "score", "export")
             for noun in ("customers", "orders", "invoices", "leads", "events")]


def make_runs(n: int, failed: int, seed: int = 1) -> list[Run]:
    rnd = random.Random(seed)
    failing = set(rnd.sample(range(n), failed))
    runs = []
    for i in range(n):
        profile = rnd.choice(list(PROFILES))
        if i in failing:
            status = Status.FAILED
        else:
            status = rnd.choices([Status.SUCCEEDED, Status.WAITING, Status.RUNNING, Status.CANCELLED],
                                 weights=[80, 5, 5, 10])[0]
        started = NOW - timedelta(seconds=rnd.randrange(20 * 86400))
        finished = None if status.active else started + timedelta(seconds=rnd.randrange(5, 400))
        run_id = f"run_{i:07d}{rnd.randrange(16**6):06x}"
        runs.append(Run(profile=profile, provider=PROFILES[profile], id=run_id,
                        workflow_name=rnd.choice(WORKFLOWS), workflow_id=f"wf_{rnd.randrange(50):03d}",
                        status=status, raw_status=status.value, started_at=started, created_at=started,
                        finished_at=finished, updated_at=finished or started,
                        last_error=f"step {rnd.randrange(9)} failed: HTTP 500" if status is Status.FAILED
                        else None))
    return runs


class FakeAlerts:
    """What the attention screen reads of the app's `Alerts`: the queue, its version,
    and `show` (which re-words the queue's minutes when the screen opens, as the app's)."""

    def __init__(self, queue: AttentionQueue) -> None:
        self.queue = queue
        self.version = 0
        self.workspace: Any = None
        self.on_screen: Callable[[], Collection[Key]] | None = None  # set by the screen, as in the app

    def tick(self, now: datetime) -> None:
        """The app's tick while the screen shows (`Alerts.tick`)."""
        on_screen = self.on_screen
        self.queue.tick(now, reword=True if on_screen is None else on_screen())
        self.version += 1

    def show(self, shown: bool) -> None:
        if shown:
            self.queue.reword(tui_clock.now())
            self.version += 1

    @property
    def count(self) -> int:
        return len(self.queue)


async def timed(pilot: Pilot[None], action: Callable[[], Awaitable[Any] | Any]) -> float:
    """Wall ms of `action` and the screen update it causes."""
    await pilot.pause()
    t0 = time.perf_counter()
    result = action()
    if isinstance(result, Awaitable):
        await result
    await pilot.pause()
    return (time.perf_counter() - t0) * 1000


def traced_mb() -> float:
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 1e6


async def one_round(pilot: Pilot[None], screen: AttentionScreen, alerts: FakeAlerts, fine: list[Run],
                    rnd: random.Random, figures: dict[str, list[float]]) -> None:
    app, queue = pilot.app, alerts.queue
    figures.setdefault("open", []).append(await timed(pilot, lambda: app.push_screen(screen)))
    figures.setdefault("(press of an unbound key, baseline)", []).append(
        await timed(pilot, lambda: pilot.press("f12")))
    figures.setdefault("j", []).append(await timed(pilot, lambda: pilot.press("j")))

    def one_failure() -> None:
        old = fine.pop(rnd.randrange(len(fine)))
        new = old.model_copy(update={"status": Status.FAILED, "raw_status": "failed", "last_error": "boom"})
        queue.apply([], [new], [], now=NOW)
        alerts.version += 1
        screen._fill()

    figures.setdefault("tick, one change", []).append(await timed(pilot, one_failure))

    def app_tick(seconds: int) -> Callable[[], None]:
        def tick() -> None:
            alerts.tick(NOW + timedelta(seconds=seconds))
            screen._fill()
        return tick

    figures.setdefault("app tick, a second later", []).append(await timed(pilot, app_tick(2)))
    figures.setdefault("app tick, a minute later", []).append(await timed(pilot, app_tick(62)))
    await timed(pilot, app_tick(1))  # (the next round starts where this one did)
    figures.setdefault("idle tick", []).append(await timed(pilot, screen._fill))
    await timed(pilot, app.pop_screen)


async def bench(args: argparse.Namespace) -> dict[str, list[float]]:
    runs = make_runs(args.runs, args.failed)
    tui_clock.now = lambda: NOW + timedelta(seconds=1)
    queue = AttentionQueue()
    queue.apply(runs, [], [], live=False, now=NOW)
    queue.catch_up(NOW)
    alerts = FakeAlerts(queue)
    figures: dict[str, list[float]] = {}
    app: App[None] = App()
    rnd = random.Random(3)
    fine = [r for r in runs if r.status is Status.SUCCEEDED]
    print(f"{args.runs} runs, {len(queue)} items in the queue")
    if args.memory:
        tracemalloc.start()
    async with app.run_test(size=(200, 50)) as pilot:
        figures["(pilot.pause, baseline)"] = [await timed(pilot, lambda: None) for _ in range(args.rounds)]
        for _ in range(args.rounds):
            before = traced_mb() if args.memory else 0.0
            if args.memory:
                tracemalloc.reset_peak()
            await one_round(pilot, AttentionScreen(alerts), alerts, fine, rnd, figures)  # type: ignore[arg-type]
            if args.memory:
                peak = tracemalloc.get_traced_memory()[1] / 1e6
                figures.setdefault("peak while open (MB)", []).append(peak - before)
                figures.setdefault("kept after leaving (MB)", []).append(traced_mb() - before)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--failed", type=int, default=15_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    args = parser.parse_args()
    figures = asyncio.run(bench(args))
    for name, values in figures.items():
        unit = "" if "MB" in name else " ms"
        print(f"{name:28} median {statistics.median(values):8.1f}{unit}"
              f"   ({min(values):.1f}-{max(values):.1f})")


if __name__ == "__main__":
    main()

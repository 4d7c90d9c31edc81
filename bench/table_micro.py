"""Micro-benchmark of the run table (prints figures, asserts nothing).

    python bench/table_micro.py [--sizes 10000,50000]

Runs headless (`App.run_test(size=(200, 50))`). Each figure is wall time
(`perf_counter`) and CPU time (`process_time`) for the operation *and* the
screen update it causes (the compositor renders the update to the ANSI text a
terminal would receive; "bytes" is its length), i.e. what a user waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from runtui.engine.store import Delta
from runtui.model import Cost, Run, Status
from runtui.tui.widgets import run_table
from runtui.tui.widgets.run_table import RunTable

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
STATUSES = list(Status)
PROFILES = ["prod", "staging", "dev-eu", "dev-us", "b3os-main", "prefect-local", "edges"]
PROVIDERS = {"prod": "wexa", "staging": "wexa", "dev-eu": "edges", "dev-us": "edges",
             "b3os-main": "b3os", "prefect-local": "prefect", "edges": "edges"}
WORKFLOWS = [f"{verb} {noun}" for verb in ("sync", "ingest", "score", "export", "train", "clean")
             for noun in ("customers", "orders", "invoices", "leads", "events", "embeddings", "reports")]


def make_runs(n: int, seed: int = 1) -> list[Run]:
    rnd = random.Random(seed)
    runs = []
    for i in range(n):
        profile = rnd.choice(PROFILES)
        status = rnd.choices(STATUSES, weights=[3, 5, 1, 1, 60, 15, 10, 1])[0]
        started = NOW - timedelta(seconds=rnd.randrange(30 * 86400))
        finished = None if status.active else started + timedelta(seconds=rnd.randrange(5, 4000))
        runs.append(
            Run(
                profile=profile,
                provider=PROVIDERS[profile],
                id=f"run_{i:06d}{rnd.randrange(16**6):06x}",
                workflow_name=rnd.choice(WORKFLOWS),
                workflow_id=f"wf_{rnd.randrange(1000):04d}",
                status=status,
                started_at=started,
                created_at=started,
                finished_at=finished,
                updated_at=finished or started,
                cost=Cost(amount=round(rnd.random() * 50, 2), unit="credits") if rnd.random() < 0.7 else None,
            )
        )
    return runs


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RunTable(id="table")


class Meter:
    """Counts what the app would write to a terminal."""

    def __init__(self, app: App[Any]) -> None:
        self.bytes = 0
        self.frames = 0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if isinstance(renderable, CompositorUpdate):
                self.bytes += len(renderable.render_segments(app.console).encode())
                self.frames += 1
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]


async def measure(
    pilot: Pilot[None], meter: Meter, action: Callable[[], Awaitable[None] | None], repeat: int = 1
) -> tuple[float, float, float]:
    """(wall ms, cpu ms, bytes) per repetition, screen update included."""
    await pilot.pause()
    b0 = meter.bytes
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        result = action()
        if inspect.isawaitable(result):
            await result
        await pilot.pause()
    wall = (time.perf_counter() - w0) * 1000 / repeat
    cpu = (time.process_time() - c0) * 1000 / repeat
    return wall, cpu, (meter.bytes - b0) / repeat


def changed(runs: list[Run], fraction: float, rnd: random.Random, now: datetime) -> list[tuple[Run, Run]]:
    """Status/updated changes of a fraction of the runs (the sort key, started, stays)."""
    picked = rnd.sample(runs, max(1, int(len(runs) * fraction)))
    out = []
    for old in picked:
        new_status = Status.SUCCEEDED if old.status is not Status.SUCCEEDED else Status.FAILED
        new = old.model_copy(update={"status": new_status, "updated_at": now, "finished_at": now})
        out.append((old, new))
    return out


async def bench(n: int) -> list[tuple[str, float, float, float]]:
    runs = make_runs(n)
    app = TableApp()
    rows: list[tuple[str, float, float, float]] = []
    clock_now = [NOW]
    run_table.clock = lambda: clock_now[0]
    async with app.run_test(size=(200, 50)) as pilot:
        meter = Meter(app)
        table = app.query_one(RunTable)
        table.focus()
        await pilot.pause()

        rows.append(("set_runs + first paint", *await measure(pilot, meter, lambda: table.set_runs(runs))))

        rnd = random.Random(7)
        current = {r.key: r for r in runs}

        def delta_of(fraction: float) -> Delta:
            pairs = changed(list(current.values()), fraction, rnd, clock_now[0])
            for _, new in pairs:
                current[new.key] = new
            return Delta(changed=tuple(pairs))

        d1 = delta_of(0.01)
        rows.append(("apply_delta 1% changed", *await measure(pilot, meter, lambda: table.apply_delta(d1))))

        # A change to one run that is not on screen.
        visible = {r.key for r in table.visible_runs()[: 60]}
        off = next(r for r in current.values() if r.key not in visible)
        new_off = off.model_copy(update={"raw_status": "x"})
        current[off.key] = new_off
        d_off = Delta(changed=((off, new_off),))
        rows.append(("apply_delta 1 off-screen", *await measure(pilot, meter, lambda: table.apply_delta(d_off))))

        d100 = delta_of(1.0)
        rows.append(("apply_delta 100% changed", *await measure(pilot, meter, lambda: table.apply_delta(d100))))

        added = make_runs(max(1, n // 100), seed=99)
        added = [r.model_copy(update={"id": "new_" + r.id, "started_at": NOW + timedelta(seconds=1)})
                 for r in added]
        d_add = Delta(added=tuple(added))
        rows.append(("apply_delta 1% added (top)", *await measure(pilot, meter, lambda: table.apply_delta(d_add))))

        rows.append(("cursor down (per key)",
                     *await measure(pilot, meter, lambda: pilot.press("down"), repeat=100)))
        rows.append(("page down (per key)",
                     *await measure(pilot, meter, lambda: pilot.press("pagedown"), repeat=20)))
        rows.append(("cursor up in page (per key)",
                     *await measure(pilot, meter, lambda: pilot.press("up"), repeat=20)))

        rows.append(("sort by workflow", *await measure(pilot, meter, lambda: table.sort_by("workflow"))))
        rows.append(("sort by duration", *await measure(pilot, meter, lambda: table.sort_by("duration"))))
        rows.append(("sort by started (back)", *await measure(pilot, meter, lambda: table.sort_by("started"))))

        text = ""
        steps = ["s", "sc", "sco", "scor", "score", "score ", "score l"]

        def keystroke() -> None:
            nonlocal text
            text = steps.pop(0)
            table.set_filter(text)

        rows.append(("filter 1st keystroke", *await measure(pilot, meter, keystroke)))
        rows.append(("filter keystroke (avg 6)", *await measure(pilot, meter, keystroke, repeat=6)))
        rows.append(("filter cleared", *await measure(pilot, meter, lambda: table.set_filter(""))))
        rows.append(("active-only on", *await measure(pilot, meter, lambda: table.set_active_only(True))))
        rows.append(("active-only off", *await measure(pilot, meter, lambda: table.set_active_only(False))))

        def tick() -> None:
            clock_now[0] += timedelta(seconds=1)
            table.tick()

        await pilot.press("home")
        rows.append(("tick (1 s later)", *await measure(pilot, meter, tick)))
        rows.append(("tick, frozen clock", *await measure(pilot, meter, table.tick)))
        rows.append(("counts()", *await measure(pilot, meter, lambda: None if table.counts() else None)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000")
    args = parser.parse_args()
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        results[n] = asyncio.run(bench(n))
    sizes = list(results)
    names = [name for name, *_ in results[sizes[0]]]
    header = f"{'operation':28s}" + "".join(f" | {f'{n} wall ms':>12s} {'cpu ms':>8s} {'bytes':>8s}" for n in sizes)
    print(header)
    print("-" * len(header))
    for i, name in enumerate(names):
        line = f"{name:28s}"
        for n in sizes:
            _, wall, cpu, size = results[n][i]
            line += f" | {wall:12.1f} {cpu:8.1f} {size:8.0f}"
        print(line)


if __name__ == "__main__":
    main()

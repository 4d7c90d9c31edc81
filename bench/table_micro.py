"""Micro-benchmark of the run table (prints figures, asserts nothing).

    python bench/table_micro.py [--sizes 10000,50000] [--no-memory]

Runs headless (`App.run_test(size=(200, 50))`). Each figure is wall time
(`perf_counter`) and CPU time (`process_time`) for the operation *and* the
screen update it causes (the compositor renders the update to the ANSI text a
terminal would receive; "bytes" is its length), i.e. what a user waits for.

Then, unless `--no-memory`, what the table keeps per row, from `tracemalloc`
in a separate run (the runs themselves are made before and not counted): after
`set_runs` and the first screen, once the search index is built, after paging
through 20 screens (cached strips), and the peak while `set_runs` works.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import random
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from runtui.engine.store import Delta
from runtui.model import Cost, Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui.widgets.run_table import RunTable

FREEZE = "--no-freeze" not in sys.argv
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
STATUSES = list(Status)
PROFILES = ["prod", "staging", "dev-eu", "dev-us", "b3os-main", "prefect-local", "edges"]
PROVIDERS = {
    "prod": "wexa",
    "staging": "wexa",
    "dev-eu": "edges",
    "dev-us": "edges",
    "b3os-main": "b3os",
    "prefect-local": "prefect",
    "edges": "edges",
}
WORKFLOWS = [
    f"{verb} {noun}"
    for verb in ("sync", "ingest", "score", "export", "train", "clean")
    for noun in ("customers", "orders", "invoices", "leads", "events", "embeddings", "reports")
]


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


GC_MS = [0.0]
_gc_start = [0.0]


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_start[0] = time.perf_counter()
    else:
        GC_MS[0] += (time.perf_counter() - _gc_start[0]) * 1000


gc.callbacks.append(_gc_callback)


def _collect_and_freeze() -> None:
    gc.collect()
    gc.freeze()


async def measure(
    pilot: Pilot[None], meter: Meter, action: Callable[[], Awaitable[None] | None], repeat: int = 1
) -> tuple[float, float, float, float]:
    """(wall ms, cpu ms, of which gc ms, bytes) per repetition, screen update included."""
    await pilot.pause()
    b0 = meter.bytes
    g0 = GC_MS[0]
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        result = action()
        if inspect.isawaitable(result):
            await result
        await pilot.pause()
    wall = (time.perf_counter() - w0) * 1000 / repeat
    cpu = (time.process_time() - c0) * 1000 / repeat
    return wall, cpu, (GC_MS[0] - g0) / repeat, (meter.bytes - b0) / repeat


def changed(runs: list[Run], fraction: float, rnd: random.Random, now: datetime) -> list[tuple[Run, Run]]:
    """Status/updated changes of a fraction of the runs (the sort key, started, stays)."""
    picked = rnd.sample(runs, max(1, int(len(runs) * fraction)))
    out = []
    for old in picked:
        new_status = Status.SUCCEEDED if old.status is not Status.SUCCEEDED else Status.FAILED
        new = old.model_copy(update={"status": new_status, "updated_at": now, "finished_at": now})
        out.append((old, new))
    return out


async def bench(n: int) -> list[tuple[str, float, float, float, float]]:
    runs = make_runs(n)
    app = TableApp()
    rows: list[tuple[str, float, float, float, float]] = []
    clock_now = [NOW]
    tui_clock.now = lambda: clock_now[0]

    async def add(name: str, action: Callable[[], Any], repeat: int = 1) -> None:
        rows.append((name, *await measure(pilot, meter, action, repeat)))

    gc.unfreeze()
    async with app.run_test(size=(200, 50)) as pilot:
        meter = Meter(app)
        table = app.query_one(RunTable)
        table.focus()
        await pilot.pause()
        await add("(idle pilot.pause, baseline)", lambda: None, repeat=5)
        await add("set_runs + first paint", lambda: table.set_runs(runs))
        if FREEZE:
            # What the app should do after its first load: one full collection now, then
            # the runs are out of the cyclic GC's way (else a full collection, ~0.5 s at
            # 50k runs here, lands on some later keystroke).
            await add("(app: gc.collect + gc.freeze)", _collect_and_freeze)

        rnd = random.Random(7)
        current = {r.key: r for r in runs}

        def delta_of(fraction: float) -> Delta:
            pairs = changed(list(current.values()), fraction, rnd, clock_now[0])
            for _, new in pairs:
                current[new.key] = new
            return Delta(changed=tuple(pairs))

        d1 = [delta_of(0.01) for _ in range(5)]
        await add("apply_delta 1% changed", lambda: table.apply_delta(d1.pop()), repeat=5)

        # A change to one run that is not on screen.
        visible = {r.key for r in table.visible_runs()[:60]}
        off = next(r for r in current.values() if r.key not in visible)
        new_off = off.model_copy(update={"raw_status": "x"})
        current[off.key] = new_off
        d_off = Delta(changed=((off, new_off),))
        await add("apply_delta 1 off-screen", lambda: table.apply_delta(d_off))

        d100 = delta_of(1.0)
        await add("apply_delta 100% changed", lambda: table.apply_delta(d100))

        added = [
            r.model_copy(update={"id": "new_" + r.id, "started_at": NOW - timedelta(seconds=1)})
            for r in make_runs(max(1, n // 100), seed=99)
        ]
        d_add = Delta(added=tuple(added))
        await add("apply_delta 1% added at top", lambda: table.apply_delta(d_add))

        await pilot.press("home")
        await add("cursor down, in page", lambda: pilot.press("down"), repeat=40)
        await add("cursor down, scrolling", lambda: pilot.press("down"), repeat=40)
        await add("cursor up, in page", lambda: pilot.press("up"), repeat=20)
        await add("page down", lambda: pilot.press("pagedown"), repeat=20)
        await add("page up", lambda: pilot.press("pageup"), repeat=10)

        await add("sort by workflow (1st)", lambda: table.sort_by("workflow"))
        await add("sort by duration (1st)", lambda: table.sort_by("duration"))
        await add("sort by created", lambda: table.sort_by("created"))
        toggles = ["workflow", "created"] * 3
        await add("sort toggles (avg 6)", lambda: table.sort_by(toggles.pop()), repeat=6)

        # A user opens the filter box ("/") before typing: the table's search index,
        # dropped by the re-sorts above, is rebuilt by then (see the rebuild figure below).
        await pilot.pause(1.0)
        steps = ["s", "sc", "sco", "scor", "score", "score ", "score l"]
        await add("filter 1st keystroke", lambda: table.set_filter(steps.pop(0)))
        await add("filter keystroke (avg 6)", lambda: table.set_filter(steps.pop(0)), repeat=6)
        await add("filter cleared", lambda: table.set_filter(""))
        letters = list("eaoiu")
        await add("filter letter, after clear (avg 5)", lambda: table.set_filter(letters.pop()), repeat=5)
        await add("filter cleared again", lambda: table.set_filter(""))
        ids = ["0", "00", "001", "0012"]  # found mostly in run ids, not in the other fields
        await add("filter, id digits (avg 4)", lambda: table.set_filter(ids.pop(0)), repeat=4)
        table.set_filter("")

        def rebuild_index() -> None:
            table._index.invalidate()
            table._build_index()

        await add("(search index rebuild, idle)", rebuild_index)
        await add("active-only on", lambda: table.set_active_only(True))
        await add("active-only off", lambda: table.set_active_only(False))

        def tick() -> None:
            clock_now[0] += timedelta(seconds=1)
            table.tick()

        await pilot.press("home")
        await add("tick, 1 s later (avg 5)", tick, repeat=5)
        await add("tick, frozen clock", table.tick)
        await add("counts()", table.counts)
    return rows


async def memory(n: int) -> dict[str, float]:
    """Bytes per row the table keeps (tracemalloc), see the module docstring."""
    runs = make_runs(n)
    tui_clock.now = lambda: NOW
    app = TableApp()
    out: dict[str, float] = {}
    gc.collect()
    tracemalloc.start()
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            table = app.query_one(RunTable)
            table.focus()
            await pilot.pause()
            gc.collect()
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            table.set_runs(runs)
            await pilot.pause()
            peak = tracemalloc.get_traced_memory()[1]
            gc.collect()
            out["table bytes/row, loaded"] = (tracemalloc.get_traced_memory()[0] - base) / n
            out["set_runs peak bytes/row"] = (peak - base) / n
            await pilot.pause(1.0)  # the search index is built once things are quiet
            gc.collect()
            out["  + search index"] = (tracemalloc.get_traced_memory()[0] - base) / n
            for _ in range(20):
                await pilot.press("pagedown")
            await pilot.pause()
            gc.collect()
            out["  + 20 pages scrolled"] = (tracemalloc.get_traced_memory()[0] - base) / n
    finally:
        tracemalloc.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--no-freeze", action="store_true", help="no gc.freeze() after the first load")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args()
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        results[n] = asyncio.run(bench(n))
    sizes = list(results)
    names = [name for name, *_ in results[sizes[0]]]
    header = f"{'operation':30s}" + "".join(
        f" | {f'{n} runs: wall ms':>18s} {'cpu ms':>7s} {'(gc)':>6s} {'bytes':>6s}" for n in sizes
    )
    print(header)
    print("-" * len(header))
    for i, name in enumerate(names):
        line = f"{name:30s}"
        for n in sizes:
            _, wall, cpu, gc_ms, size = results[n][i]
            line += f" | {wall:18.1f} {cpu:7.1f} {gc_ms:6.1f} {size:6.0f}"
        print(line)
    if args.no_memory:
        return
    print()
    mem = {n: asyncio.run(memory(n)) for n in sizes}
    print(f"{'memory (tracemalloc)':30s}" + "".join(f" | {f'{n} runs: bytes/row':>38s}" for n in sizes))
    for name in mem[sizes[0]]:
        print(f"{name:30s}" + "".join(f" | {mem[n][name]:38.0f}" for n in sizes))


if __name__ == "__main__":
    main()

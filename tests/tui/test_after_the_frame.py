"""Between a change to the run table and the frame that shows it, no cyclic collection,
and no work the frame does not need (the next `s` sort is done after it).

At 50,000 runs a sort builds 50,000-row lists, and the collections the repaint then
triggered walked them inside the key's frame. The table holds the collector from the
change to its next drawing (runtui.tui.frames); it never turns on a collector someone
else paused, and never holds it for good.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from runtui import startup
from runtui.tui import frames
from runtui.tui.widgets.run_table import RunTable
from runtui.tui.widgets.run_view import RunView
from tests.tui.conftest import wait_for
from tests.tui.test_run_table import make_run


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RunTable([make_run(i) for i in range(40)], id="table")


@pytest.fixture(autouse=True)
def collector_on_afterwards() -> Iterator[None]:
    yield
    frames.release_collector()
    startup.resume_gc()
    gc.enable()


async def test_a_sort_holds_the_collector_until_the_table_is_drawn() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        assert gc.isenabled()
        drawn: list[int] = []
        render_lines = table.render_lines

        def recording(crop: Region) -> list[Strip]:
            drawn.append(gc.isenabled())
            return render_lines(crop)

        table.render_lines = recording  # type: ignore[method-assign]
        table.sort_by("status")
        assert not gc.isenabled()  # from the change ...
        await wait_for(pilot, gc.isenabled, what="collector back on")
        assert drawn and drawn[0] is False  # ... through the drawing, and on again after it


async def test_a_change_with_nothing_to_draw_lets_the_collector_go_at_once() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        table.clear_marks()  # no marks: nothing changes, nothing is drawn
        assert gc.isenabled()


async def test_a_hold_with_no_frame_ends_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frames, "COLLECTOR_HOLD_LIMIT", 0.05)
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        frames.hold_collector(table)
        assert not gc.isenabled()
        await wait_for(pilot, gc.isenabled, timeout=2, what="the hold limit")


async def test_a_collector_paused_by_start_up_stays_paused() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        startup.pause_gc()
        table.sort_by("status")
        await pilot.pause()
        await pilot.pause(0.1)
        assert not gc.isenabled()
        assert not frames.collector_held()


async def test_s_sorts_the_next_column_ahead_of_time_and_the_next_press_uses_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After `s`, the column the next `s` goes to is sorted once the frame is out; the
    next press shows that order (no sort in its frame), and its work waits for its frame."""
    ahead: list[str] = []
    prefetch = RunView.prefetch_sort

    def recording(self: RunView, column: str, now: datetime) -> None:
        ahead.append(column)
        prefetch(self, column, now)

    monkeypatch.setattr(RunView, "prefetch_sort", recording)
    app = TableApp()
    async with app.run_test(size=(160, 20)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        table.cycle_sort()
        await wait_for(pilot, lambda: bool(ahead), what="the next column sorted ahead")
        sorted_now = RunView._sorted
        in_frame: list[str] = []

        def spy(self: RunView, *args: Any) -> Any:
            in_frame.append(args[0])
            return sorted_now(self, *args)

        monkeypatch.setattr(RunView, "_sorted", spy)
        table.cycle_sort()
        assert table.sort_column == ahead[0]
        assert in_frame == []  # shown from the order sorted ahead of time
        await wait_for(pilot, lambda: len(ahead) == 2, what="the one after sorted ahead")
        assert ahead[1] != ahead[0]


async def test_the_filter_prefetch_waits_until_the_frame_has_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work straight after a frame kept Textual's writer thread from the GIL, and the frame
    from the terminal: the prefetch for the next letter starts WRITE_GRACE after the drawing."""
    monkeypatch.setattr(frames, "WRITE_GRACE", 0.05)
    app = TableApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(RunTable)
        await pilot.pause()
        loop = asyncio.get_running_loop()
        drawn: list[float] = []
        prefetched: list[float] = []
        render_lines = table.render_lines

        def recording(crop: Region) -> list[Strip]:
            drawn.append(loop.time())
            return render_lines(crop)

        prefetch = RunView.prefetch_filter

        def recording_prefetch(view: RunView) -> None:
            prefetched.append(loop.time())
            prefetch(view)

        table.render_lines = recording  # type: ignore[method-assign]
        monkeypatch.setattr(RunView, "prefetch_filter", recording_prefetch)
        table.set_filter("_001")  # rows 10-19 of 40: the table is drawn again
        await wait_for(pilot, lambda: bool(prefetched), what="the prefetch")
        assert drawn and prefetched[0] - drawn[0] >= 0.045

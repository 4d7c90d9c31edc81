"""The run table widget: rendering, sorting, filtering, deltas, cursor, marks, repaint economy."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget

from runtui.engine.store import Delta, RunStore
from runtui.model import ACTIVE, Cost, Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui import switch
from runtui.tui.widgets import run_table
from runtui.tui.widgets.columns import BY_KEY, COLUMNS
from runtui.tui.widgets.run_table import RunTable
from tests.tui.conftest import wait_for

APPS = Path(__file__).parent / "apps"
NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(tui_clock, "now", c)
    return c


def make_run(
    i: int,
    status: Status = Status.SUCCEEDED,
    *,
    profile: str = "prod",
    provider: str = "wexa",
    workflow: str | None = None,
    age: float | None = None,
    **extra: Any,
) -> Run:
    """Run i started `age` seconds ago (default: i hours ago, so i=0 is the newest)."""
    started = NOW - timedelta(seconds=3600 * i + 60 if age is None else age)
    finished = None if status in ACTIVE else started + timedelta(seconds=90)
    fields: dict[str, Any] = {
        "profile": profile,
        "provider": provider,
        "id": f"run_{i:04d}",
        "workflow_name": workflow or f"flow {i:04d}",
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "updated_at": finished or started,
    }
    fields.update(extra)
    return Run(**fields)


class TableApp(App[None]):
    def __init__(self, runs: list[Run] | None = None) -> None:
        super().__init__()
        self.initial = runs or []
        self.selected: list[Run] = []
        self.moved: list[Run | None] = []

    def compose(self) -> ComposeResult:
        yield RunTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(RunTable)
        table.set_runs(self.initial)
        table.focus()

    def on_run_table_selected(self, event: RunTable.Selected) -> None:
        self.selected.append(event.run)

    def on_run_table_cursor_moved(self, event: RunTable.CursorMoved) -> None:
        self.moved.append(event.run)


def lines(table: RunTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def row_ids(table: RunTable) -> list[str]:
    return [r.id for r in table.visible_runs()]


class RefreshSpy:
    """Records the regions a widget asks to repaint (None = the whole widget)."""

    def __init__(self, table: RunTable) -> None:
        self.calls: list[tuple[Region, ...] | None] = []
        original = table.refresh

        def spy(*regions: Region, **kwargs: Any) -> Any:
            self.calls.append(regions if regions else None)
            return original(*regions, **kwargs)

        table.refresh = spy  # type: ignore[method-assign]

    def lines(self) -> set[int] | None:
        """Screen lines asked for, or None if the whole widget was."""
        out: set[int] = set()
        for regions in self.calls:
            if regions is None:
                return None
            for region in regions:
                out.update(range(region.y, region.y + region.height))
        return out

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def spied() -> Iterator[Callable[[RunTable], RefreshSpy]]:
    yield RefreshSpy


# --------------------------------------------------------------------------- rendering


async def test_rows_render_under_a_header_newest_first() -> None:
    runs = [make_run(i, Status.RUNNING if i == 1 else Status.SUCCEEDED) for i in range(5)]
    app = TableApp(list(reversed(runs)))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        text = lines(table)
        header = text[0]
        for title in ("STATUS", "WORKFLOW", "ID", "PROFILE", "CREATED ▼", "DURATION", "COST", "PROVIDER"):
            assert title in header
        assert "flow 0000" in text[1] and "✔ succeeded" in text[1]
        assert "flow 0001" in text[2] and "▶ running" in text[2]
        assert "1h01m ago" in text[2]  # started
        assert text[2].count("1h01m") == 3  # started, duration of the running run, updated
        assert "1m30s" in text[1]  # duration of a finished run
        assert row_ids(table) == [f"run_{i:04d}" for i in range(5)]
        assert text[6].strip() == ""
        # the screenshot (what a terminal gets) shows the same
        screen = app.export_screenshot()
        assert "run_0004" in screen and "STATUS" in screen


async def test_empty_table_says_so_at_80x24() -> None:
    app = TableApp([])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        text = lines(table)
        assert "STATUS" in text[0]
        assert text[1].strip() == "no runs"
        assert table.cursor_run is None and table.visible_count == 0
        await pilot.press("down", "enter", "end")
        assert app.selected == []
        table.set_runs([make_run(1)])
        table.set_filter("nothing matches this")
        await pilot.pause()
        assert lines(table)[1].strip() == "no runs match the filter"


async def test_columns_collapse_in_priority_order() -> None:
    runs = [make_run(i, cost=Cost(amount=12.5, unit="credits")) for i in range(3)]
    by_priority = [c.key for c in sorted(COLUMNS, key=lambda c: c.priority)]
    seen: dict[int, tuple[str, ...]] = {}
    for width in (40, 60, 80, 100, 120, 160):
        app = TableApp(runs)
        async with app.run_test(size=(width, 20)) as pilot:
            await pilot.pause()
            table = app.query_one(RunTable)
            shown = table.visible_columns
            seen[width] = shown
            # whatever is shown is the highest-priority prefix, in display order
            assert set(shown) == set(by_priority[: len(shown)])
            assert list(shown) == [c.key for c in COLUMNS if c.key in shown]
            assert all(len(line) <= width for line in lines(table))
    assert {"status", "workflow", "id", "profile", "duration"} <= set(seen[80])
    assert "cost" not in seen[80]
    assert "error" not in seen[80]  # the last error is the first to go
    assert seen[160] == tuple(c.key for c in COLUMNS)
    assert len(seen[40]) < len(seen[60]) <= len(seen[80]) < len(seen[120]) <= len(seen[160])


async def test_the_last_error_shows_when_there_is_room() -> None:
    failed = make_run(0, status=Status.FAILED, last_error="Accounting API timeout after 30s")
    app = TableApp([failed, make_run(1)])
    async with app.run_test(size=(200, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        shown = lines(table)
        assert "LAST ERROR" in shown[0]
        assert any("Accounting API timeout after 30s" in line for line in shown)


async def test_header_stays_on_top_when_scrolled() -> None:
    app = TableApp([make_run(i) for i in range(200)])
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert table.scroll_offset.y > 0
        text = lines(table)
        assert "STATUS" in text[0]
        first = table.scroll_offset.y
        assert f"flow {first:04d}" in text[1]
        await pilot.press("end")
        await pilot.pause()
        text = lines(table)
        assert "STATUS" in text[0]
        assert "flow 0199" in text[-1]
        assert table.cursor_run is not None and table.cursor_run.id == "run_0199"


# --------------------------------------------------------------------------- sort


async def test_sort_changes_order_and_header_arrow() -> None:
    runs = [make_run(i, workflow=w) for i, w in enumerate(["delta", "Alpha", "charlie", "bravo"])]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        assert [r.workflow_name for r in table.visible_runs()] == ["delta", "Alpha", "charlie", "bravo"]
        table.sort_by("workflow", reverse=False)
        await pilot.pause()
        assert [r.workflow_name for r in table.visible_runs()] == ["Alpha", "bravo", "charlie", "delta"]
        assert "WORKFLOW ▲" in lines(table)[0]
        assert "CREATED ▼" not in lines(table)[0]
        assert "Alpha" in lines(table)[1]
        table.sort_by("workflow", reverse=True)
        await pilot.pause()
        assert [r.workflow_name for r in table.visible_runs()] == ["delta", "charlie", "bravo", "Alpha"]
        assert "WORKFLOW ▼" in lines(table)[0]
        table.cycle_sort()  # workflow -> id
        assert table.sort_column == "id"
        with pytest.raises(ValueError):
            table.sort_by("nope")


async def test_cycle_sort_visits_every_shown_column_and_only_those() -> None:
    app = TableApp([make_run(i) for i in range(3)])
    async with app.run_test(size=(80, 30)):
        table = app.query_one(RunTable)
        shown = table.visible_columns
        assert len(shown) < len(COLUMNS)  # at 80 columns some are off screen
        seen = []
        for _ in range(len(shown)):
            table.cycle_sort()
            seen.append(table.sort_column)
            assert "▲" in lines(table)[0] or "▼" in lines(table)[0]  # the key is always visible
        assert sorted(seen) == sorted(shown)


async def test_digits_pick_the_sort_column_the_same_digit_reverses_and_the_cursor_goes_top() -> None:
    runs = [make_run(i, workflow=name) for i, name in enumerate(["delta", "Alpha", "charlie", "bravo"])]
    app = TableApp(runs)
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.query_one(RunTable)
        table.focus()
        await pilot.press("end")  # the cursor at the bottom
        assert table.sort_by_position(2)  # WORKFLOW is the 2nd column shown
        await pilot.pause()
        assert table.sort_column == "workflow" and not table.sort_reverse
        assert table.cursor_run is not None and table.cursor_run.workflow_name == "Alpha"
        assert lines(table)[1].strip().startswith("✔ succeeded") and "Alpha" in lines(table)[1]
        assert table.sort_by_position(2)
        assert table.sort_reverse
        table.reverse_sort()
        assert not table.sort_reverse
        assert not table.sort_by_position(9)  # no 9th column at 80: nothing changes
        assert table.sort_column == "workflow"


async def test_at_80_columns_the_status_gives_its_width_to_the_workflow() -> None:
    runs = [make_run(0, Status.SUCCEEDED, partial=True, workflow="Sales Navigator search export"),
            make_run(1, Status.UNKNOWN, raw_status="RETRYING_AFTER_FAILURE")]
    app = TableApp(runs)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        widths = {p.column.key: p.width for p in table._placed}
        assert widths["status"] == 13  # not 22 for "✔ succeeded (partial)"
        assert widths["workflow"] >= 15
        # Their qualifiers, not the cut words: "✔ succeeded …" read as a plain success.
        shown = lines(table)
        assert any("✔ partial " in line for line in shown), shown
        assert any("? RETRYING_A…" in line for line in shown), "\n".join(shown)
    app = TableApp(runs)
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.pause()
        assert any("succeeded (partial)" in line for line in lines(app.query_one(RunTable)))


async def test_provider_shows_only_when_a_profile_name_does_not_say_it() -> None:
    said = [make_run(0, profile="b3os-prod", provider="b3os"), make_run(1, profile="wexa-dev")]
    app = TableApp(said)
    async with app.run_test(size=(200, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        assert "provider" not in table.visible_columns  # it would repeat PROFILE
        table.apply_delta(Delta(added=(make_run(2, profile="prod", provider="edges"),)))
        await pilot.pause()
        assert "provider" in table.visible_columns  # "prod" does not say edges


async def test_a_narrow_sorted_header_keeps_its_arrow_without_an_ellipsis() -> None:
    app = TableApp([make_run(i) for i in range(3)])
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.query_one(RunTable)
        table.sort_by("duration", reverse=True)
        await pilot.pause()
        header = lines(table)[0]
        assert "DURATIO▼" in header and "…" not in header


async def test_a_wide_table_shows_every_sorted_title_whole_with_its_arrow() -> None:
    """At 200 columns the header still read `DURATIO▼`: the room was there, given to WORKFLOW."""
    app = TableApp([make_run(i) for i in range(3)])
    async with app.run_test(size=(200, 30)) as pilot:
        table = app.query_one(RunTable)
        for key in table.visible_columns:
            table.sort_by(key, reverse=True)
            await pilot.pause()
            title = BY_KEY[key].title
            assert f"{title} ▼" in lines(table)[0], key


# --------------------------------------------------------------------------- filters


async def test_filter_narrows_keystroke_by_keystroke() -> None:
    runs = [
        make_run(0, workflow="Invoice export", profile="prod"),
        make_run(1, workflow="invoice import", profile="staging"),
        make_run(2, workflow="lead scoring", profile="prod", provider="b3os"),
        make_run(3, Status.FAILED, workflow="nightly", profile="dev"),
        make_run(4, Status.UNKNOWN, workflow="odd", raw_status="WEIRD_STATE"),
    ]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        counts = []
        for text in ["i", "in", "inv", "invo", "invoice", "invoice exp"]:  # words are AND-ed
            table.set_filter(text)
            counts.append(table.visible_count)
        # "i" is in all five (staging, scoring, nightly, weird_state); "in": invoice x2, scoring
        assert counts == [5, 3, 2, 2, 2, 1]
        assert row_ids(table) == ["run_0000"]
        # backspacing widens again
        table.set_filter("invoice")
        assert row_ids(table) == ["run_0000", "run_0001"]
        assert table.filter_text == "invoice"
        for text, expected in [
            ("STAGING", ["run_0001"]),  # profile, case-insensitive
            ("b3os", ["run_0002"]),  # provider
            ("run_0003", ["run_0003"]),  # id
            ("failed", ["run_0003"]),  # status word
            ("weird_state", ["run_0004"]),  # raw status
            ("  ", [f"run_{i:04d}" for i in range(5)]),  # blank = no filter
        ]:
            table.set_filter(text)
            assert row_ids(table) == expected, text
        table.set_filter("lead")
        await pilot.pause()
        assert "lead scoring" in lines(table)[1]
        assert lines(table)[2].strip() == ""
        assert table.total_count == 5


async def test_active_only_profile_filter_and_counts() -> None:
    statuses = [Status.RUNNING, Status.QUEUED, Status.SUCCEEDED, Status.FAILED, Status.PAUSED, Status.WAITING]
    runs = [make_run(i, s, profile="a" if i % 2 else "b") for i, s in enumerate(statuses)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        assert table.counts() == {s: 1 for s in statuses}
        table.set_active_only(True)
        assert table.active_only
        assert {r.status for r in table.visible_runs()} == {
            Status.RUNNING,
            Status.QUEUED,
            Status.PAUSED,
            Status.WAITING,
        }
        assert table.counts() == {Status.RUNNING: 1, Status.QUEUED: 1, Status.PAUSED: 1, Status.WAITING: 1}
        table.set_profile_filter("a")  # runs 1, 3, 5: queued, failed, waiting -> active: 1, 5
        assert row_ids(table) == ["run_0001", "run_0005"]
        assert table.counts() == {Status.QUEUED: 1, Status.WAITING: 1}
        table.set_active_only(False)
        assert row_ids(table) == ["run_0001", "run_0003", "run_0005"]
        table.set_profile_filter(None)
        assert table.visible_count == 6 and table.profile_filter is None
        # counts follow deltas
        old = runs[0]
        new = old.model_copy(update={"status": Status.SUCCEEDED, "finished_at": NOW})
        table.apply_delta(Delta(changed=((old, new),)))
        assert table.counts()[Status.SUCCEEDED] == 2 and Status.RUNNING not in table.counts()
        table.set_active_only(True)
        assert "run_0000" not in row_ids(table)
        table.apply_delta(Delta(changed=((new, old),)))  # running again: back in the active view
        assert row_ids(table)[0] == "run_0000"
        assert table.counts()[Status.RUNNING] == 1


# --------------------------------------------------------------------------- cursor, deltas, marks


async def test_cursor_keys_and_messages() -> None:
    app = TableApp([make_run(i) for i in range(100)])
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        assert table.cursor_key == ("prod", "run_0000")
        await pilot.press("j", "down")
        assert table.cursor_key == ("prod", "run_0002")
        await pilot.press("k")
        assert table.cursor_key == ("prod", "run_0001")
        await pilot.press("G")
        assert table.cursor_key == ("prod", "run_0099")
        await pilot.press("g")
        assert table.cursor_key == ("prod", "run_0000")
        await pilot.press("pagedown")
        page = table.size.height - 1
        assert table.cursor_key == ("prod", f"run_{page:04d}")
        await pilot.press("pageup")
        assert table.cursor_key == ("prod", "run_0000")
        await pilot.press("up")  # already at the top: no move, no message
        await pilot.press("end", "enter")
        await pilot.pause()
        assert [r.id for r in app.selected] == ["run_0099"]
        moved = [r.id if r else None for r in app.moved]
        # the first load puts the cursor on the first run; "up" at the top posts nothing
        assert moved[:4] == ["run_0000", "run_0001", "run_0002", "run_0001"]
        assert moved[-1] == "run_0099"
        assert len(moved) == 9


async def test_click_moves_the_cursor_and_header_click_sorts() -> None:
    app = TableApp([make_run(i) for i in range(10)])
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        await pilot.click(RunTable, offset=(20, 4))  # line 4 = row 3
        assert table.cursor_key == ("prod", "run_0003")
        await pilot.click(RunTable, offset=(20, 4), times=2)
        assert [r.id for r in app.selected] == ["run_0003"]
        header = lines(table)[0]
        await pilot.click(RunTable, offset=(header.index("WORKFLOW") + 1, 0))
        assert table.sort_column == "workflow"


async def test_until_the_user_places_it_the_cursor_keeps_to_the_top_row() -> None:
    """The first listing's pages come from several profiles in any order: a table that just
    opened is read from its newest run, not from whichever run came first."""
    app = TableApp([make_run(5)])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        table.apply_delta(Delta(added=(make_run(3), make_run(7))))  # run 3 is newer: above
        assert table.keeps_top and table.cursor_key == ("prod", "run_0003")
        assert table.scroll_offset.y == 0
        await pilot.press("down", "up")  # the user places it: from now on it stays on its run
        assert not table.keeps_top
        table.apply_delta(Delta(added=(make_run(1),)))
        assert row_ids(table)[0] == "run_0001" and table.cursor_key == ("prod", "run_0003")


async def test_once_told_the_first_listing_is_in_the_cursor_stays_on_its_run() -> None:
    app = TableApp([make_run(5)])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        table.stop_keeping_top()
        table.apply_delta(Delta(added=(make_run(3),)))
        assert row_ids(table) == ["run_0003", "run_0005"] and table.cursor_key == ("prod", "run_0005")
        table.set_filter("run")  # a filter, a sort, a scope: the user's placing too
        assert not table.keeps_top


async def test_cursor_stays_on_its_run_across_inserts_above_and_resort() -> None:
    runs = [make_run(i, workflow=f"w{9 - i}") for i in range(10)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        await pilot.press("down", "down", "down")
        key = table.cursor_key
        assert key == ("prod", "run_0003")
        newer = [make_run(100 + i, age=10 + i) for i in range(5)]  # newest: sorted above
        table.apply_delta(Delta(added=tuple(newer)))
        assert row_ids(table)[:5] == [f"run_{100 + i:04d}" for i in range(5)]
        assert table.cursor_key == key
        await pilot.pause()
        cursor_line = next(i for i, line in enumerate(lines(table)) if "flow" not in line and "w6" in line)
        assert cursor_line == 3 + 5 + 1
        table.sort_by("workflow", reverse=False)
        # A new order is read from its top: the cursor goes to the first row, in view.
        assert table.cursor_key == ("prod", row_ids(table)[0])
        assert row_ids(table)[5] == "run_0009"  # "flow 0100".."flow 0104", then w0
        table.move_cursor_to(key)
        table.set_filter("w6")
        assert row_ids(table) == ["run_0003"]
        assert table.cursor_key == key
        table.set_filter("w1")  # filters the cursor run out: the cursor goes to the first row
        assert table.cursor_key == ("prod", "run_0008")


async def test_move_cursor_to_scrolls_into_view() -> None:
    app = TableApp([make_run(i) for i in range(300)])
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        table.move_cursor_to(("prod", "run_0250"))
        await pilot.pause()
        assert table.cursor_key == ("prod", "run_0250")
        assert any("flow 0250" in line for line in lines(table)[1:])
        table.move_cursor_to(("prod", "missing"))
        assert table.cursor_key == ("prod", "run_0250")


async def test_marks_survive_deltas_and_go_with_their_runs() -> None:
    runs = [make_run(i) for i in range(6)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        table.toggle_mark()
        await pilot.press("down", "down")
        table.toggle_mark()
        table.set_pending(runs[4].key, True)
        assert table.marks == {runs[0].key, runs[2].key}
        await pilot.pause()
        text = lines(table)
        assert text[1].startswith("*") and text[3].startswith("*") and not text[2].startswith("*")
        assert text[5][1] == "…"
        # a delta that changes, adds and removes other runs keeps the marks
        changed = runs[2].model_copy(update={"status": Status.FAILED})
        table.apply_delta(Delta(added=(make_run(50, age=5),), changed=((runs[2], changed),)))
        assert table.marks == {runs[0].key, runs[2].key}
        assert [r.id for r in table.marked_runs()] == ["run_0000", "run_0002"]
        assert table.marked_runs()[1].status is Status.FAILED
        # removing a marked run (and a pending one) drops its mark
        table.apply_delta(Delta(removed=(runs[0], runs[4])))
        assert table.marks == {runs[2].key}
        assert table.pending == set()
        table.set_filter("run_0003")
        assert [r.id for r in table.marked_runs()] == ["run_0002"]  # hidden by the filter, still marked
        assert table.marked_runs(visible_only=True) == []
        table.clear_marks()
        assert table.marks == set() and table.marked_runs() == []


async def test_cursor_on_a_removed_run_stays_on_the_same_row_number() -> None:
    runs = [make_run(i) for i in range(5)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        await pilot.press("down", "down")
        table.apply_delta(Delta(removed=(runs[2],)))
        assert table.cursor_key == runs[3].key
        await pilot.pause()
        assert app.moved[-1] == runs[3]
        table.apply_delta(Delta(removed=tuple(runs)))
        assert table.cursor_run is None
        await pilot.pause()
        assert lines(table)[1].strip() == "no runs"


# --------------------------------------------------------------------------- repaint economy


async def test_offscreen_change_repaints_nothing_visible_change_one_line(spied: Any) -> None:
    runs = [make_run(i) for i in range(200)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        spy = spied(table)
        # run 150 is far below the window
        far = runs[150].model_copy(update={"status": Status.FAILED})
        table.apply_delta(Delta(changed=((runs[150], far),)))
        await pilot.pause()
        assert spy.lines() == set()
        # run 4 is on screen line 5 (header is line 0)
        near = runs[4].model_copy(update={"status": Status.FAILED})
        table.apply_delta(Delta(changed=((runs[4], near),)))
        assert spy.lines() == {5}
        await pilot.pause()
        assert "✘ failed" in lines(table)[5]
        assert "✔ succeeded" in lines(table)[4] and "✔ succeeded" in lines(table)[6]
        # an unchanged-looking delta of the same run objects repaints nothing
        spy.clear()
        table.apply_delta(Delta(changed=((near, near),)))
        assert spy.lines() == set()


async def test_a_change_the_table_does_not_show_repaints_nothing(spied: Any) -> None:
    """A run can change in a way no column shows (a field the table has no column for,
    or a status that changed and changed back between two reads): its line draws as
    before, and is not sent again. The cursor row is compared as the cursor draws it."""
    runs = [make_run(i) for i in range(50)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        spy = spied(table)
        for i in (4, 0):  # line 5, then the cursor row
            unseen = runs[i].model_copy(update={"parent_id": "elsewhere", "task_id": "t-1"})
            table.apply_delta(Delta(changed=((runs[i], unseen),)))
            assert spy.lines() == set(), i
            seen = unseen.model_copy(update={"status": Status.FAILED})
            table.apply_delta(Delta(changed=((unseen, seen),)))
            assert spy.lines() == {i + 1}
            await pilot.pause()
            assert "✘ failed" in lines(table)[i + 1]
            spy.clear()


@pytest.mark.skipif(not switch.private(), reason="a saving of the private paths; stock mode repaints")
async def test_runs_added_above_a_scrolled_window_move_nothing(spied: Any) -> None:
    runs = [make_run(i) for i in range(200)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        table.move_cursor_to(runs[100].key)
        await pilot.pause()
        before = lines(table)
        top = table.scroll_offset.y
        assert top > 0
        spy = spied(table)
        table.apply_delta(Delta(added=tuple(make_run(500 + i, age=1 + i) for i in range(3))))
        await pilot.pause()
        assert spy.lines() == set()
        assert table.scroll_offset.y == top + 3
        assert lines(table) == before
        assert table.cursor_key == runs[100].key
        # at the top, new runs show up (and the rows under them move)
        await pilot.press("home")
        await pilot.pause()
        spy.clear()
        table.apply_delta(Delta(added=(make_run(600, age=0.5),)))
        await pilot.pause()
        assert table.scroll_offset.y == 0
        assert "flow 0600" in lines(table)[1]
        assert spy.lines() is not None and len(spy.lines() or ()) == table.size.height - 1


async def test_cursor_move_repaints_two_lines(spied: Any) -> None:
    app = TableApp([make_run(i) for i in range(50)])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        spy = spied(table)
        await pilot.press("down")
        assert spy.lines() == {1, 2}
        spy.clear()
        table.toggle_mark()
        assert spy.lines() == {2}


async def test_tick_repaints_only_visible_active_rows(clock: Clock, spied: Any) -> None:
    # newest first; ages stay clear of minute boundaries
    runs = [
        make_run(0, Status.SUCCEEDED, age=200),  # line 1: "3m ago", updated "1m ago"
        make_run(1, Status.RUNNING, age=330),  # line 2: duration 5m30s, ticking
        make_run(2, Status.FAILED, age=400),  # line 3
        make_run(3, Status.WAITING, age=500),  # line 4: duration 8m20s, ticking
        *(make_run(10 + i, Status.SUCCEEDED, age=620 + 60 * i) for i in range(60)),
        make_run(99, Status.RUNNING, age=20_000),  # active but far below the window
    ]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        # active runs past their first minute show minutes: a second later nothing changed
        assert " 5m " in lines(table)[2] + " " and " 8m " in lines(table)[4] + " "
        spy = spied(table)
        clock.advance(1)
        table.tick()
        assert spy.lines() == set()
        clock.advance(30)  # run 1 crosses 6 minutes (some "started"  texts cross a minute too)
        table.tick()
        assert 2 in (spy.lines() or set())
        # only the clock cells are asked for, not the whole line
        assert all(r.width < table.size.width // 2 for call in spy.calls if call for r in call)
        await pilot.pause()
        assert " 6m " in lines(table)[2] + " " and " 8m " in lines(table)[4] + " "
        assert "3m ago" in lines(table)[1]
        spy.clear()
        table.tick()  # the same second: nothing changed
        assert spy.lines() == set()
        # all finished (and older than a minute): nothing to repaint while the clock moves
        table.set_runs([make_run(i, age=7230 + 60 * i) for i in range(40)])
        await pilot.pause()
        spy.clear()
        for _ in range(5):
            clock.advance(1)
            table.tick()
        assert spy.lines() == set()
        # ...until a relative time crosses a minute
        clock.advance(60)
        table.tick()
        assert spy.lines() == set(range(1, table.size.height))


async def test_tick_repaints_young_active_runs_in_5_second_steps(clock: Clock, spied: Any) -> None:
    runs = [make_run(0, Status.RUNNING, age=30), make_run(1, age=7200), make_run(2, Status.QUEUED, age=7300)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        assert "30s" in lines(table)[1]
        spy = spied(table)
        for _ in range(4):  # 31 s .. 34 s: the cell still says 30s, nothing is sent
            clock.advance(1)
            table.tick()
        assert spy.lines() == set()
        clock.advance(1)
        table.tick()
        assert spy.lines() == {1}
        await pilot.pause()
        assert "35s" in lines(table)[1]


# --------------------------------------------------------------------------- consistency


@pytest.mark.parametrize("seed", range(int(os.environ.get("RUN_TABLE_SEEDS", "6"))))
async def test_incremental_updates_match_a_full_rebuild(seed: int) -> None:
    """Random deltas, sorts and filters: the view always equals sort+filter from scratch."""
    rnd = random.Random(seed)
    statuses = list(Status)
    store = RunStore()
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        store.subscribe(table.apply_delta)
        next_id = 0

        def fresh() -> Run:
            nonlocal next_id
            next_id += 1
            return make_run(
                next_id,
                rnd.choice(statuses),
                profile=rnd.choice(["a", "b", "c"]),
                workflow=rnd.choice(["x", "y", "zz", None]),
                age=rnd.choice([10, 100, 1000, 5000]),  # ties on purpose
                cost=rnd.choice([None, Cost(amount=rnd.choice([1, 2, 3]), unit="credits")]),
            )

        store.upsert(fresh() for _ in range(300))
        sorts = [c.key for c in COLUMNS]
        for step in range(60):
            op = rnd.random()
            current = list(store.runs.values())
            if op < 0.35:
                picked = rnd.sample(current, min(len(current), rnd.choice([1, 3, 20, 150])))
                store.upsert(
                    r.model_copy(
                        update={
                            "status": rnd.choice(statuses),
                            "workflow_name": rnd.choice(["x", "y", "zz", None]),
                            "started_at": rnd.choice(
                                [r.started_at, NOW - timedelta(seconds=rnd.randrange(9000))]
                            ),
                        }
                    )
                    for r in picked
                )
            elif op < 0.5:
                store.upsert(fresh() for _ in range(rnd.choice([1, 5, 120])))
            elif op < 0.6:
                store.remove(rnd.sample(current, min(len(current), rnd.choice([1, 4, 100]))))
            elif op < 0.7:
                table.sort_by(rnd.choice(sorts), rnd.choice([True, False]))
            elif op < 0.8:
                table.set_filter(rnd.choice(["", "a", "x", "zz", "run_00", "fail", "run_01"]))
            elif op < 0.9:
                table.set_active_only(rnd.random() < 0.5)
            elif op < 0.97:
                table.set_profile_filter(rnd.choice([None, "a", "b"]))
            else:
                table.set_runs(list(store.runs.values()))
            if step % 7 == 0:
                await pilot.press(rnd.choice(["down", "pagedown", "up", "end", "home"]))
            await pilot.pause()
            # What the screen shows (Textual's per-line cache, repainted only where the table
            # asked) must be what a fresh render gives: no missed repaint.
            assert on_screen(table) == rendered(table), f"screen at step {step}"
            assert row_ids(table) == expected_ids(table, store), f"step {step}"
            assert table.counts() == dict(Counter(r.status for r in table.visible_runs())), (
                f"counts at step {step}"
            )
            cursor = table.cursor_run
            assert (cursor is None) == (table.visible_count == 0)
            assert cursor is None or cursor in table.visible_runs()
            assert table.total_count == len(store.runs)


def on_screen(table: RunTable) -> list[str]:
    """The lines as Textual will composite them: from its line cache where not repainted."""
    strips = table._styles_cache.render_widget(table, table.size.region)
    return [strip.text.rstrip() for strip in strips]


def rendered(table: RunTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def expected_ids(table: RunTable, store: RunStore) -> list[str]:
    from runtui.tui.widgets.sort_values import sort_key_fn

    key_fn = sort_key_fn(table.sort_column, tui_clock.now())
    needle = table.filter_text.strip().lower()

    def passes(r: Run) -> bool:
        if table.profile_filter is not None and r.profile != table.profile_filter:
            return False
        if table.active_only and r.status not in ACTIVE:
            return False
        hay = " ".join(
            str(v or "")
            for v in (
                r.profile,
                r.provider,
                r.id,
                r.workflow_name,
                r.workflow_id,
                r.status.value,
                r.raw_status,
            )
        ).lower()
        return needle in hay

    runs = list(store.runs.values())  # arrival order breaks ties, as in the table
    runs.sort(key=key_fn, reverse=table.sort_reverse)
    return [r.id for r in runs if passes(r)]


# --------------------------------------------------------------------------- snapshot


def test_run_table_snapshot(snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.tui.apps.table_app import NOW as APP_NOW

    monkeypatch.setattr(tui_clock, "now", lambda: APP_NOW)
    assert snap_compare(APPS / "table_app.py", terminal_size=(120, 36))


async def test_pages_still_coming_hold_the_kept_orders_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page of a listing drops the kept orders. Built between pages they were built
    again and again until the load ended (one quiet moment in a 50,000-run load, and the
    columns were re-sorted every 20 ms to its end): they wait for the quiet, as the index does."""
    app = TableApp([make_run(i) for i in range(300)])
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(RunTable)
        await wait_for(pilot, lambda: table._model.standing.complete, what="the kept orders built")
        sorts: list[int] = []
        build = table._model.build_standing

        def counted() -> float | None:
            sorts.append(1)
            return build()

        monkeypatch.setattr(table._model, "build_standing", counted)
        first = 300

        def page() -> None:
            nonlocal first
            table.apply_delta(Delta(added=tuple(make_run(i) for i in range(first, first + 100))))
            first += 100

        # Steps far enough apart that the ten orders cannot all be built again before the
        # next page comes, however the test's own pauses fall.
        monkeypatch.setattr(run_table, "STANDING_STEP", 0.1)
        page()  # a listing's page drops them; after a quiet moment the table builds them again
        await wait_for(pilot, lambda: sorts, what="the kept orders being built again")
        monkeypatch.setattr(run_table, "INDEX_DELAY", 30.0)  # no quiet from here on
        for _ in range(6):  # the listing's next pages, each more than two STANDING_STEPs apart
            page()
            sorts.clear()
            await pilot.pause(3 * run_table.STANDING_STEP)
            assert sorts == []
        assert not table._model.standing.complete  # still owed: built once the pages stop


def count_refreshes(widget: Widget) -> list[int]:
    """A list that gets an entry on each `refresh` of `widget` (which still refreshes)."""
    calls: list[int] = []
    original = widget.refresh

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    widget.refresh = spy  # type: ignore[method-assign]
    return calls


@pytest.mark.skipif(not switch.private(), reason="the stock path repaints the scrollbar as Textual does")
async def test_growing_repaints_the_scrollbar_only_when_it_looks_different() -> None:
    """A scrollbar repaint re-renders every table line beside it: a 50,000-run load grew the
    table ~30 times with the thumb already one cell at the top."""
    app = TableApp([make_run(i) for i in range(40)])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        bar = table.vertical_scrollbar
        repaints = count_refreshes(bar)
        table.apply_delta(Delta(added=tuple(make_run(i) for i in range(40, 80))))
        assert repaints, "a thumb that shrinks is repainted"
        assert bar.window_virtual_size == 81
        table.apply_delta(Delta(added=tuple(make_run(i) for i in range(80, 1500))))
        repaints.clear()
        for first in range(1500, 2000, 100):  # the thumb is one cell at the top now
            table.apply_delta(Delta(added=tuple(make_run(i) for i in range(first, first + 100))))
        assert repaints == []
        assert bar.window_virtual_size == 2001  # what a drag of the thumb scrolls by
        table.scroll_to(y=500, animate=False)
        await wait_for(pilot, lambda: bar.position == 500, what="the table scrolled mid-way")
        repaints.clear()
        table.apply_delta(Delta(added=tuple(make_run(i) for i in range(2000, 4000))))
        assert repaints, "mid-way, growing moves the thumb up"


@pytest.mark.skipif(not switch.private(), reason="the stock path repaints the scrollbar as Textual does")
async def test_a_narrowing_filter_repaints_the_scrollbar_only_when_it_looks_different() -> None:
    """Each filter keystroke at 50,000 runs shrank the table with the thumb one cell at the
    top: the bar's render was 2.5 ms of the key for the same picture."""
    runs = [make_run(i, profile="prod" if i % 4 else "dev") for i in range(4000)]
    app = TableApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(RunTable)
        bar = table.vertical_scrollbar
        repaints = count_refreshes(bar)
        table.set_filter("prod")  # 3,000 of 4,000: the thumb stays one cell at the top
        assert repaints == []
        assert bar.window_virtual_size == 3001
        table.set_filter("")
        table.scroll_to(y=3900, animate=False)
        await wait_for(pilot, lambda: bar.position > 3800, what="the table scrolled near its end")
        repaints.clear()
        table.set_profile_filter("dev")  # 1,000 rows: the old position is past the end
        assert repaints, "a clamped scroll position moves the thumb"
        assert table.scroll_offset.y <= 1001 - table.scrollable_content_region.height
        table.set_profile_filter(None)
        repaints.clear()
        table.set_filter("no such run")  # the rows fit the window: the bar changes
        assert repaints

"""The workflows view (`W`) repaints only what changed: over fixed runs of many workflows
(no simulator, no network), with the table's repaints counted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from runtui.model import Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.screens.workflows import WorkflowsScreen, WorkflowTable
from tests.tui.apps.runs_support import snapshot_workspace
from tests.tui.apps.workflows_support import NOW, SnapProvider
from tests.tui.conftest import screen_text, wait_for
from tests.tui.repaints import Repaints

PROFILE = "edges-dev"
SIZE = (100, 14)  # 9 rows on screen of 60


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui_clock, "now", lambda: NOW)


def run(workflow: str, name: str, n: int, *, hours_ago: float = 2.0) -> Run:
    """A run of 65 s that succeeded `hours_ago` hours before `NOW`: every row's cells are
    as wide as every other's, so a changed figure changes no column's width."""
    started = NOW - timedelta(hours=hours_ago)
    return Run(profile=PROFILE, provider="edges", id=f"{workflow}-{n:02d}", workflow_id=workflow,
               workflow_name=name, status=Status.SUCCEEDED, raw_status="SUCCEEDED", created_at=started,
               started_at=started, finished_at=started + timedelta(seconds=65))


def flow(i: int) -> tuple[str, str]:
    return f"flow-{i:03d}", f"Flow {i:03d}"


def many_workflows_app(count: int = 60) -> RuntuiApp:
    runs = [run(*flow(i), n) for i in range(count) for n in range(2)]
    ws = snapshot_workspace({PROFILE: "edges"}, runs, NOW)
    ws.providers[PROFILE] = SnapProvider(PROFILE, runs)
    return RuntuiApp(ws, watch=False)


async def open_workflows(pilot: Pilot[Any]) -> tuple[WorkflowsScreen, WorkflowTable]:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the runs")
    await pilot.press("W")
    await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen) and not app.screen.reading,
                   what="the workflows read")
    screen = app.screen
    assert isinstance(screen, WorkflowsScreen)
    await pilot.pause()
    return screen, screen.query_one(WorkflowTable)


def table_lines(app: RuntuiApp) -> list[str]:
    """The table's lines on screen (under the title, over the line under the table), without
    the scrollbar (its thumb says where the first row is among all)."""
    return [line[:SIZE[0] - 2] for line in screen_text(app).splitlines()[1:SIZE[1] - 4]]


def keys_shown(screen: WorkflowsScreen, table: WorkflowTable) -> tuple[tuple[str, str], tuple[str, str]]:
    """The workflow of the first row on screen, and the cursor's."""
    return screen.rows[table.scroll_offset.y].key, screen.rows[table.cursor_row].key


async def test_a_read_that_changed_nothing_repaints_nothing() -> None:
    """Each read of the schedules (every minute, ctrl+r, after an action) cleared the table
    and added every row again: the whole table written over SSH though nothing changed."""
    app = many_workflows_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_workflows(pilot)
        before = table_lines(app)
        repaints = Repaints(table)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.reading, what="read again")
        await pilot.pause()
        assert "reading schedules" not in screen_text(app)
        assert repaints.calls == []
        assert table_lines(app) == before


async def test_a_changed_workflow_repaints_its_line_only() -> None:
    app = many_workflows_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_workflows(pilot)
        third = screen.rows[2].key
        repaints = Repaints(table)
        app.workspace.store.upsert([run(third[1], flow(2)[1], 2, hours_ago=3)])  # older: LAST stays
        await wait_for(pilot, lambda: screen.rows[2].figures.runs == 3, what="its third run counted")
        await pilot.pause()
        assert screen.rows[2].key == third and table.cursor_row == 0
        assert repaints.calls == [(Region(0, 3, table.size.width, 1),)]  # line 0 is the header
        assert table_lines(app)[3].split()[:4] == ["Flow", "002", "3", "3"]


async def test_workflows_coming_and_going_above_move_neither_the_cursor_nor_the_view() -> None:
    """Scrolled down, a workflow new at the top (or one gone from it) moved the rows on
    screen under the cursor: the rebuild scrolled back to the top, then to the cursor."""
    app = many_workflows_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_workflows(pilot)
        await pilot.press("G", "k", "k")
        assert table.scroll_offset.y > 0
        shown, before = keys_shown(screen, table), table_lines(app)
        repaints = Repaints(table)

        app.workspace.store.upsert([run("flow--01", "Flow -01", 0)])  # first, as wide as the others
        await wait_for(pilot, lambda: len(screen.rows) == 61, what="the new workflow listed")
        await pilot.pause()
        assert screen.rows[0].key == (PROFILE, "flow--01")
        assert keys_shown(screen, table) == shown and table_lines(app) == before

        # (a workflow stays listed with no run: one goes from above by moving below the view)
        renamed = [run("flow-000", "Flow 999", n) for n in range(2)]
        app.workspace.store.upsert(renamed)
        await wait_for(pilot, lambda: screen.rows[-1].key == (PROFILE, "flow-000"), what="gone below")
        await pilot.pause()
        assert keys_shown(screen, table) == shown and table_lines(app) == before
        assert repaints.calls == []


async def test_sorting_and_the_window_still_reorder_the_rows() -> None:
    """Sorting repaints the rows in their new order, the cursor on its workflow."""
    app = many_workflows_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_workflows(pilot)
        await pilot.press("j", "j")
        chosen = screen.rows[table.cursor_row].key
        await pilot.press("1")  # WORKFLOW, A to Z
        await wait_for(pilot, lambda: "sort WORKFLOW ↑" in screen_text(app), what="sorted by name")
        await pilot.press("1")  # Z to A
        await wait_for(pilot, lambda: "sort WORKFLOW ↓" in screen_text(app), what="reversed")
        assert [r.figures.workflow_name for r in screen.rows[:2]] == ["Flow 059", "Flow 058"]
        assert screen.rows[table.cursor_row].key == chosen
        numbers = [line.split()[1] for line in table_lines(app)[1:]]
        assert numbers == sorted(numbers, reverse=True) and chosen[1][-3:] in numbers  # the cursor in view
        await pilot.press("g")
        await wait_for(pilot, lambda: table_lines(app)[1].split()[:2] == ["Flow", "059"], what="the top")
        await pilot.press("end")  # Home and End move the cursor, as DataTable's did
        assert table.cursor_row == len(screen.rows) - 1
        assert table_lines(app)[-1].split()[:2] == ["Flow", "000"]
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("left_square_bracket")  # the last hour: no run in it
        await wait_for(pilot, lambda: "last 1h" in screen_text(app), what="the 1 h window")
        assert screen.rows and all(r.figures.runs == 0 for r in screen.rows)
        assert all(line.split()[2:4] == ["0", "0"] for line in table_lines(app)[1:])

"""Enter on a row of the comparison (`d`) shows both values whole: at 80x24 a long error
was cut to `Process exited with st…` and nothing showed the rest."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from runtui.model import Run, RunDetail, Status
from runtui.safe_text import DANGEROUS
from runtui.tui.screens.diff import DiffScreen, ValuesScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.runs import RunsScreen
from tests.tui.apps import workflows_support
from tests.tui.conftest import screen_text, wait_for

LONG_ERROR = ("Process exited with status code: 1. Process exited with a general error. "
              "\x1b]52;c;Zm9v\x07 " + "the worker said more; " * 80 + "and the last words: boom at the end")


@pytest.fixture
def long_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed run whose error is long and carries an escape sequence (a server wrote it)."""
    plain = workflows_support.detail_of

    def detail_of(run: Run) -> RunDetail:
        detail = plain(run)
        if run.status is not Status.FAILED:
            return detail
        return detail.model_copy(update={"run": detail.run.model_copy(update={"last_error": LONG_ERROR})})

    monkeypatch.setattr(workflows_support, "detail_of", detail_of)


async def open_diff(pilot: Pilot[Any]) -> DiffScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen), what="runs")
    runs = pilot.app.screen
    assert isinstance(runs, RunsScreen)
    payroll = sorted((r for r in runs.table.visible_runs() if r.workflow_id == "wf_payroll"),
                     key=lambda r: r.id)
    for run in (payroll[-4], payroll[-1]):  # a success, then the newest failure
        runs.table.move_cursor_to(run.key)
        await pilot.press("space")
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DiffScreen)
                   and pilot.app.screen.fields is not None, what="both runs read")
    diff = pilot.app.screen
    assert isinstance(diff, DiffScreen)
    return diff


async def test_enter_shows_both_values_whole_at_80x24(long_error: None) -> None:
    app = workflows_support.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        diff = await open_diff(pilot)
        row = next(i for i, f in enumerate(diff.shown) if f.field == "last_error")
        await pilot.press(*["j"] * row)
        assert "Process exited with" in screen_text(app)
        assert "boom at the end" not in screen_text(app)  # the cell keeps only the start

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ValuesScreen), what="the values")
        values = sorted(str(app.screen.query_one(f"#values-{side}").render()) for side in "ab")
        assert values[0] == "-"  # the success had no error
        shown_b = values[1]
        assert shown_b.startswith("Process exited with status code: 1.")
        assert shown_b.endswith("and the last words: boom at the end")
        assert "␛]52;c;Zm9v␇" in shown_b and not DANGEROUS & set(shown_b)
        assert "last_error (differs)" in screen_text(app)

        assert "boom at the end" not in screen_text(app)  # taller than the screen at 80x24
        await pilot.press("end")  # the box scrolls by keyboard: the end of the error is reached
        await pilot.pause()
        assert "boom at the end" in screen_text(app)

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is diff, what="back to the comparison")
        assert diff.query_one("DataTable").cursor_row == row  # type: ignore[attr-defined]


async def test_the_footer_and_the_help_name_the_key() -> None:
    app = workflows_support.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_diff(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Whole values" in footer and "All fields" in footer
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert [(what, ident) for _keys, what, ident in help_screen.key_rows() if ident == "diff.values"] \
            == [("Whole values", "diff.values")]

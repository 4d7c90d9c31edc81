"""Enter on a row of the comparison (`d`) shows both values whole: at 80x24 a long error
was cut to `Process exited with st…` and nothing showed the rest."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from runtui.model import Run, RunDetail, Status
from runtui.safe_text import DANGEROUS, cells
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


COMPANY = "スターク・インダストリーズ"  # 13 characters, 26 cells
WIDE_ERROR = "; ".join(f"error {i} エラーが発生しました" for i in range(6))


@pytest.fixture
def wide_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs whose step names, an input and the error are CJK and emoji: twice as wide as
    they are long, which the comparison cut by characters (no `…`, a path's end lost)."""
    plain = workflows_support.detail_of

    def detail_of(run: Run) -> RunDetail:
        detail = plain(run)
        steps = tuple(step.model_copy(update={"name": name}) for step, name in
                      zip(detail.steps, ("見込み客リサーチャー🔎", "ICP採点者"), strict=True))
        error = WIDE_ERROR if run.status is Status.FAILED else None
        return detail.model_copy(update={
            "steps": steps, "inputs": {**detail.inputs, "company": COMPANY if error else "ACME Corp"},
            "run": detail.run.model_copy(update={"last_error": error})})

    monkeypatch.setattr(workflows_support, "detail_of", detail_of)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_wide_text_is_cut_by_cells_and_every_cut_says_so(wide_text: None,
                                                                size: tuple[int, int]) -> None:
    app = workflows_support.build_app()
    async with app.run_test(size=size) as pilot:
        diff = await open_diff(pilot)
        await pilot.press("a")  # every field, the same ones too
        await pilot.pause()
        table = diff.query_one(DataTable)
        widths = [column.width for column in table.columns.values()]
        rows = {f.field: [cell.plain for cell in table.get_row_at(i)] for i, f in enumerate(diff.shown)}
        for field, (_mark, name, a, b) in rows.items():
            assert cells(name) <= widths[1] and cells(a) <= widths[2] and cells(b) <= widths[3], field
            if name != field:  # cut: from the left, the path's last segment kept
                assert name.startswith("…") and name.endswith("." + field.rsplit(".", 1)[-1]), name
        shown_values = {v for _m, _n, a, b in rows.values() for v in (a, b)}
        assert any(v.startswith("スターク") for v in shown_values)
        for f in diff.shown:
            for value, shown in ((f.a, rows[f.field][2]), (f.b, rows[f.field][3])):
                whole = "-" if value is None else str(value)
                assert shown == whole or shown.endswith("…"), (f.field, shown)
        error = max(rows["last_error"][2:], key=len)  # the failed run's side
        assert error.startswith("error 0 エラー") and error.endswith("…")
        step_duration = next(f for f in rows if "見込み客" in f and f.endswith(".duration_s"))
        assert rows[step_duration][1].endswith(".duration_s")
        screen = screen_text(app)
        assert all(cells(line) <= size[0] for line in screen.splitlines())

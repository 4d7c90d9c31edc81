"""The attention screen (`!`): on the real simulator, and as a picture at 80x24 and 120x36."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from runtui import display
from runtui.actions import decide
from runtui.engine.attention import AttentionQueue, Reason
from runtui.engine.usual_times import WorkflowTimes, workflow_key
from runtui.model import Action, Run, Status
from runtui.tui import alerts
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.answer import AnswerScreen
from runtui.tui.screens.attention import AttentionScreen, QueueTable
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.runs import RunsScreen
from tests.tui.apps.runs_support import NOW
from tests.tui.conftest import TuiSim, notifications, runs_loaded, screen_text, type_in_one_burst, wait_for
from tests.tui.repaints import Repaints
from tests.tui.test_actions_pilot import select, tui, type_filter

APPS = Path(__file__).parent / "apps"


async def open_attention(pilot: Pilot[Any]) -> AttentionScreen:
    await pilot.press("exclamation_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AttentionScreen), what="attention")
    screen = pilot.app.screen
    assert isinstance(screen, AttentionScreen)
    return screen


async def queue_with_failures(app: RuntuiApp, pilot: Pilot[Any],
                              more_than: int) -> tuple[AttentionQueue, AttentionScreen]:
    """The app's queue once it holds more than `more_than` failures, and `!` opened on it."""
    assert app.alerts is not None
    queue = app.alerts.queue
    await wait_for(pilot, lambda: queue.failure_count() > more_than, what="failures")
    return queue, await open_attention(pilot)


async def test_the_help_lists_enter_that_the_title_names(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await open_attention(pilot)
        assert "⏎ detail" in screen_text(app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("⏎", "Open the run's detail", "attention.open") in help_screen.key_rows()


async def test_waiting_runs_are_listed_and_the_header_counts_them(tui_sim: TuiSim) -> None:
    waiting = {r["id"] for r in tui_sim.runs("b3os", "waiting")}
    assert waiting
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        await wait_for(pilot, lambda: alerts_.count > 0, what="a queue")
        await wait_for(pilot, lambda: f"{alerts_.count} need attention (!)" in screen_text(app),
                       what="the runs header's count")
        screen = await open_attention(pilot)
        listed = {i.run.id for i in screen._rows if i.run is not None and i.reason is Reason.WAITING}
        assert waiting <= listed
        b3os = [("b3os-sim", run_id) for run_id in waiting]
        await wait_for(pilot, lambda: all(alerts_.queue.items[k].detail.startswith("waits at Wait for ")
                                          for k in b3os), what="where each waits")
        assert f"{app.alerts.count} need attention" in screen_text(app)


async def test_failures_whose_listing_says_nothing_say_why_once_the_queue_opens(tui_sim: TuiSim) -> None:
    """B3OS lists failed runs with no node states: the queue reads their detail (a few a
    poll, once each) and says the failed node and its error instead of "failed"."""
    failed = {("b3os-sim", r["id"]) for r in tui_sim.runs("b3os", "failure")}
    assert failed
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        await wait_for(pilot, lambda: failed <= set(alerts_.queue.items), what="the failures queued")
        assert all(alerts_.queue.items[k].detail == "failed" for k in failed)  # the listing says no more
        await open_attention(pilot)
        await wait_for(pilot, lambda: all(": " in alerts_.queue.items[k].detail for k in failed),
                       what="why each failed")
        assert all(alerts_.queue.failed_why_known(k) for k in failed)


async def test_once_the_listings_are_in_runs_are_judged_against_every_listed_run(tui_sim: TuiSim) -> None:
    """The first listing comes page by page; the workflows' usual times are read from all
    of it once it is in, not from the first page until a minute has gone by."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_, store = app.alerts, app.workspace.store

        def judged_against_all() -> bool:
            runs = list(store.runs.values())
            every = WorkflowTimes.of(runs)
            workflows = {workflow_key(r) for r in runs}
            return len(workflows) > 3 and len(alerts_._loaded) == len(app.workspace.profile_names) and all(
                alerts_.queue.times.usual_duration(w) == every.usual_duration(w)
                and alerts_.queue.times.usual_wait(w) == every.usual_wait(w) for w in workflows)

        await wait_for(pilot, judged_against_all, what="usual times of every listed run")


async def test_a_run_failing_while_watched_is_announced_once(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        short = display.short_id(run_id)
        tui_sim.force("edges", run_id, "FAILED")
        await wait_for(pilot, lambda: ("edges-sim", run_id) in app.alerts.queue.items, what="failure")
        def said() -> list[str]:
            return [n for n in notifications(app) if short in n and "needs attention: failed" in n]

        await wait_for(pilot, lambda: said(), what="the toast")  # gathered for a moment first
        assert len(said()) == 1
        app.workspace.refresh_now()  # the same failure read again is not news
        await pilot.pause(0.3)
        assert len([n for n in notifications(app) if short in n and "needs attention" in n]) == 1
        screen = await open_attention(pilot)
        row = [i for i in screen._rows if i.run is not None and i.run.id == run_id]
        assert row and row[0].reason is Reason.FAILED
        screen.query_one(QueueTable).move_cursor(row=screen._rows.index(row[0]))
        await pilot.press("a")
        await wait_for(pilot, lambda: ("edges-sim", run_id) not in app.alerts.queue.items, what="seen")


async def test_the_news_of_a_failure_says_why_once_its_detail_is_read(tui_sim: TuiSim) -> None:
    """A B3OS listing says no more than "failed": the news waits (a moment at most) for the
    failure's detail and says its failed node and error."""
    run_id = tui_sim.take("b3os", "running")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        short = display.short_id(run_id)
        await wait_for(pilot, lambda: ("b3os-sim", run_id) in app.workspace.store.runs, what="the run")
        tui_sim.force("b3os", run_id, "failure")
        app.workspace.refresh_now()

        def said() -> list[str]:
            return [n for n in notifications(app) if short in n and "needs attention: failed" in n]

        await wait_for(pilot, said, what="the toast")
        why = alerts_.queue.items[("b3os-sim", run_id)].detail
        assert why != "failed" and ": " in why, why
        assert len(said()) == 1 and f"{short}: {why}" in said()[0], said()


async def test_a_failure_s_error_read_from_its_detail_fills_its_last_error_cell(tui_sim: TuiSim) -> None:
    """The runs table's LAST ERROR cell of a B3OS failure says the failed node's error once
    the failure's detail is read (its listing says no more than "failed"), and the next
    listings, which say nothing of it, leave it there."""
    run_id = tui_sim.take("b3os", "running")
    key = ("b3os-sim", run_id)
    async with runs_loaded(tui_sim.config_path, size=(200, 50)) as (app, pilot, screen):  # LAST ERROR's room
        store = app.workspace.store
        await select(pilot, screen, "b3os", run_id)
        tui_sim.force("b3os", run_id, "failure")
        app.workspace.refresh_now()

        def error() -> str | None:
            run = store.get(key)
            return run.last_error if run is not None and run.status is Status.FAILED else None

        await wait_for(pilot, error, what="the failure's error on its row")
        text = error()
        assert text and text != "failed", text

        def row() -> str:
            return next(line for line in screen_text(app).splitlines() if display.short_id(run_id) in line)

        await wait_for(pilot, lambda: text[:8] in row(), what="the error in the row")
        assert "LAST ERROR" in screen_text(app) and "failed" in row(), screen_text(app)
        asked = sum(tui_sim.routes().values())
        app.workspace.refresh_now()
        await wait_for(pilot, lambda: sum(tui_sim.routes().values()) > asked, what="another listing")
        await pilot.pause()
        assert error() == text


async def test_an_old_failure_s_error_fills_its_cell_once_its_detail_is_opened(tui_sim: TuiSim) -> None:
    """A failure from before the session is not news and nobody reads it unasked: opening
    its detail reads it, and its row keeps the error the detail said."""
    run_id = tui_sim.take("b3os", "failure", seeded=True)
    async with runs_loaded(tui_sim.config_path, size=(200, 50)) as (app, pilot, screen):
        run = await select(pilot, screen, "b3os", run_id)
        assert run.last_error is None
        await pilot.press("enter")
        await wait_for(pilot, lambda: (read := app.workspace.store.get(run.key)) is not None
                       and bool(read.last_error), what="the error on its row")


def told(app: RuntuiApp, run_id: str) -> list[str]:
    """The toasts that name `run_id` (by its short id, as toasts do)."""
    return [n for n in notifications(app) if display.short_id(run_id) in n]


def held_back(app: RuntuiApp, *run_ids: str) -> bool:
    """Each of `run_ids` is news waiting for the next toast."""
    assert app.alerts is not None
    said = " ".join(pending.event.message for pending in app.alerts._pending_toasts)
    return all(display.short_id(run_id) in said for run_id in run_ids)


def end_off_screen(app: RuntuiApp, tui_sim: TuiSim, run_id: str, status: str) -> None:
    """An Edges run taken by `take` (off screen) ends; a sweep reads it now, not in 30 s."""
    tui_sim.force("edges", run_id, status)
    app.workspace.refresh_now()


async def test_news_coming_while_a_toast_is_recent_waits_and_is_told_in_one_toast(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """A storm is one toast at a time: news within TOAST_SPACING_SECONDS of the last toast
    is gathered, and told together once that spacing has passed."""
    monkeypatch.setattr(alerts, "TOAST_SPACING_SECONDS", 5.0)
    first, second, third = (tui_sim.take("edges", "RUNNING") for _ in range(3))
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        end_off_screen(app, tui_sim, first, "FAILED")
        await wait_for(pilot, lambda: told(app, first), what="the first toast")
        toasted = time.monotonic()
        end_off_screen(app, tui_sim, second, "FAILED")
        await wait_for(pilot, lambda: held_back(app, second), what="the second failure gathered")
        end_off_screen(app, tui_sim, third, "FAILED")
        await wait_for(pilot, lambda: held_back(app, second, third), what="the third failure gathered")
        assert not told(app, second) and not told(app, third)
        await wait_for(pilot, lambda: told(app, second), what="the gathered toast")
        assert time.monotonic() - toasted >= 5.0 - alerts.TOAST_GATHER_SECONDS
        assert told(app, second) == told(app, third)  # one toast says both
        assert told(app, second)[0].startswith("2 new")


async def test_the_end_of_a_watched_run_is_told_at_once_and_first(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spacing holds news back, not what the user asked to hear: a watched run's end
    comes after the usual gather, on the toast's first line, with the news held so far."""
    monkeypatch.setattr(alerts, "TOAST_SPACING_SECONDS", 60.0)  # longer than any wait below
    first, held, watched = (tui_sim.take("edges", "RUNNING") for _ in range(3))
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        end_off_screen(app, tui_sim, first, "FAILED")
        await wait_for(pilot, lambda: told(app, first), what="the first toast")
        end_off_screen(app, tui_sim, held, "FAILED")
        await wait_for(pilot, lambda: held_back(app, held), what="news held by the spacing")
        app.watched.add(("edges-sim", watched))
        end_off_screen(app, tui_sim, watched, "SUCCEEDED")
        await wait_for(pilot, lambda: told(app, watched), what="the watched run's end")
        toast = told(app, watched)[0]
        asked, news = display.short_id(watched), display.short_id(held)
        assert news in toast and toast.index(asked) < toast.index(news)


async def test_cancel_from_the_queue_confirms_then_cancels_on_the_server(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("b3os", "waiting")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        await wait_for(pilot, lambda: ("b3os-sim", run_id) in app.alerts.queue.items, what="queued")
        screen = await open_attention(pilot)
        index = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
        screen.query_one(QueueTable).move_cursor(row=index)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        run = app.workspace.store.get(("b3os-sim", run_id))
        assert run is not None and run.workflow
        # the run by its short id, its workflow and its profile, as in the run table's question
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question.startswith(f"Cancel run {run_id[:12]} of {run.workflow} on b3os-sim?")
        assert f"Cancel run {run_id[:12]}" in screen_text(app)  # (the rest wraps with the name's length)
        await pilot.press("y")
        await wait_for(pilot, lambda: tui_sim.status("b3os", run_id) == "cancelled", what="cancelled")


async def test_the_cursor_stays_where_a_seen_item_was_and_g_G_go_to_the_ends(tui_sim: TuiSim) -> None:
    """After `a` the cursor jumped to the top: working down a queue meant walking back each
    time. It stays at the same index, on the item that took the seen one's place; `g`/`Home`
    and `G`/`End` go to the first and last row (`End` scrolled the table sideways)."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        def failures() -> int:
            return sum(i.reason is Reason.FAILED for i in alerts_.queue.items.values())

        await wait_for(pilot, lambda: failures() > 2, what="failures")
        screen = await open_attention(pilot)
        table = screen.query_one("#attention-table", QueueTable)
        await wait_for(pilot, lambda: len(screen._rows) == alerts_.count, what="the rows")
        index = next(i for i, item in enumerate(screen._rows[1:-1], 1) if item.reason is Reason.FAILED)
        seen, after = screen._rows[index], screen._rows[index + 1]
        table.move_cursor(row=index)
        await pilot.press("a")
        await wait_for(pilot, lambda: seen not in screen._rows, what="the seen failure gone")
        assert table.cursor_row == index and screen._rows[index] == after
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1 and table.scroll_x == 0
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_all_seen_asks_with_the_count_and_says_what_it_did(tui_sim: TuiSim) -> None:
    """`A` took every failure out of the queue at once, unasked and unrecorded."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        queue, screen = await queue_with_failures(app, pilot, more_than=1)
        count = queue.failure_count()
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question.startswith(f"Mark {count} failures as seen?")
        await pilot.press("enter")  # No is the default
        await wait_for(pilot, lambda: app.screen is screen, what="the queue again")
        assert queue.failure_count() == count
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: queue.failure_count() == 0, what="all seen")
        said = f"marked {count} failures as seen"
        await wait_for(pilot, lambda: any(said in n for n in notifications(app)), what="the toast")
        assert any(said in m.text for m in app.messages)  # `M` lists it
        assert not [i for i in screen._rows if i.reason is Reason.FAILED]


async def test_seen_that_cannot_be_stored_is_said_not_a_crash(tui_sim: TuiSim) -> None:
    """A link planted in place of `acknowledged.json` is refused (the file's writer
    follows links to their target), and the refusal is a toast; the app stays up, the
    failure is seen for this session only and the link's target is untouched."""
    state = Path(os.environ["RUNTUI_STATE_DIR"])
    state.mkdir(parents=True, exist_ok=True)
    victim = state.parent / "victim.rc"
    victim.write_text("# mine\n", encoding="utf-8")
    (state / "acknowledged.json").symlink_to(victim)
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        queue, screen = await queue_with_failures(app, pilot, more_than=0)
        count = queue.failure_count()
        table = screen.query_one("#attention-table", QueueTable)
        await wait_for(pilot, lambda: len(screen._rows) == app.alerts.count, what="the rows")
        table.move_cursor(row=next(i for i, item in enumerate(screen._rows) if item.reason is Reason.FAILED))
        await pilot.press("a")
        await wait_for(pilot, lambda: any("is a symbolic link" in n for n in notifications(app)),
                       what="the toast")
        assert app.is_running and app.screen is screen and queue.failure_count() == count - 1
    assert victim.read_text(encoding="utf-8") == "# mine\n"


async def test_seen_on_a_state_dir_that_cannot_be_written_applies_and_says_why(
        tui_sim: TuiSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`a` and `A` with a read-only or full state directory ended the app with a traceback."""
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state directory goes", encoding="utf-8")
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(blocker))
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        queue, screen = await queue_with_failures(app, pilot, more_than=2)
        await wait_for(pilot, lambda: len(screen._rows) == len(queue), what="the rows")
        table = screen.query_one("#attention-table", QueueTable)
        index = next(i for i, item in enumerate(screen._rows) if item.reason is Reason.FAILED)
        seen = screen._rows[index]
        table.move_cursor(row=index)
        count = queue.failure_count()
        await pilot.press("a")
        await wait_for(pilot, lambda: seen not in screen._rows, what="the seen failure gone")
        said = f"seen for this session only: cannot write {blocker / 'acknowledged.json'}: "
        await wait_for(pilot, lambda: any(said in n for n in notifications(app)), what="the toast")
        assert queue.failure_count() == count - 1
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: queue.failure_count() == 0, what="all seen")
        await wait_for(pilot, lambda: any(f"marked {count - 1} failures" in n for n in notifications(app)),
                       what="the count")
        assert app.is_running


async def test_a_damaged_acknowledgements_file_is_said_and_hides_nothing(
        tui_sim: TuiSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`{"before": 5}` stopped the app from starting; a time without an offset hid every
    item of its profile (its waiting runs too) without a word."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "acknowledged.json").write_text(
        '{"before": {"b3os-sim": "2000-01-01T00:00:00", "edges-sim": "garbage"}, "runs": 5}',
        encoding="utf-8")
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(state))
    waiting = {r["id"] for r in tui_sim.runs("b3os", "waiting")}
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        queue = app.alerts.queue
        said = "`before` of edges-sim: not a time; `runs`: not an object"
        await wait_for(pilot, lambda: any(said in n for n in notifications(app)), what="the warning")
        listed = lambda: {i.run.id for i in queue.items.values()  # noqa: E731
                          if i.run is not None and i.profile == "b3os-sim"}
        await wait_for(pilot, lambda: waiting <= listed(), what="b3os's waiting runs")
        assert any(i.reason is Reason.FAILED and i.profile == "b3os-sim" for i in queue.items.values())


async def test_what_another_runtui_marks_seen_leaves_this_ones_queue(tui_sim: TuiSim) -> None:
    """Two TUIs on one state directory never saw each other's acknowledgements."""
    from runtui.engine.attention import Acknowledgements

    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        queue = alerts_.queue
        await wait_for(pilot, lambda: queue.failure_count() > 1, what="failures")
        failed = [i.run for i in queue.items.values() if i.reason is Reason.FAILED and i.run is not None]
        one, two = failed[:2]
        other = Acknowledgements.load()  # the other process
        other.acknowledge([one])
        other.save()
        alerts_.tick()
        assert one.key not in queue.items and two.key in queue.items
        queue.acknowledge([two])  # this one's save keeps the other's
        on_disk = Acknowledgements.load()
        assert one.id in on_disk.runs[one.profile] and two.id in on_disk.runs[two.profile]


async def test_escape_goes_back_to_the_runs(tui_sim: TuiSim) -> None:
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await open_attention(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")


async def test_a_long_queue_scrolls_in_its_table_not_the_screen(tui_sim: TuiSim) -> None:
    """Sized to its rows, the table made a queue longer than the terminal scroll the whole
    screen: a scrollbar over the footer, and a wheel turn took the title away."""
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await pilot.resize_terminal(80, 10)
        assert app.alerts is not None
        alerts_ = app.alerts
        await wait_for(pilot, lambda: alerts_.count > 8, what="a queue longer than the screen")
        screen = await open_attention(pilot)
        await wait_for(pilot, lambda: len(screen._rows) > 8, what="the rows")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert "need attention" in lines[0]
        assert "Help" in lines[-1]  # the footer, whole, on the last line
        assert screen.max_scroll_y == 0
        table = screen.query_one("#attention-table")
        assert table.region.bottom <= 9 and table.max_scroll_y > 0  # it scrolls, inside


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(tui_clock, "now", lambda: NOW)


async def _attention(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunsScreen))
    await pilot.press("exclamation_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AttentionScreen))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_snapshot_attention(snap_compare: Callable[..., bool], frozen: None, size: tuple[int, int]) -> None:
    assert snap_compare(APPS / "attention_app.py", terminal_size=size, run_before=_attention)


def own_config(tui_sim: TuiSim, tmp_path: Path) -> Path:
    """A copy of the simulator's config for a test that edits its profiles."""
    config = tmp_path / "config.toml"
    config.write_text(tui_sim.config_path.read_text(encoding="utf-8"), encoding="utf-8")
    config.chmod(0o600)
    return config


def _park(tui_sim: TuiSim, kind: str) -> str:
    """A running Wexa execution, parked on a new inbox item of `kind`."""
    run_id = tui_sim.take("wexa", "running")
    tui_sim.control("POST", "/wexa/inbox", json={"execution_id": run_id, "type": kind})
    return run_id


async def _answer_form(pilot: Pilot[Any], run_id: str) -> AnswerScreen:
    app = pilot.app
    await _queued_as_asking(pilot, run_id)
    screen = await open_attention(pilot)
    await wait_for(pilot, lambda: any(i.run and i.run.id == run_id for i in screen._rows), what="row")
    index = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
    screen.query_one(QueueTable).move_cursor(row=index)
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="answer form")
    form = app.screen
    assert isinstance(form, AnswerScreen)
    return form


async def test_an_inbox_input_is_answered_from_the_form(tui_sim: TuiSim) -> None:
    run_id = _park(tui_sim, "runtime_input")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        form = await _answer_form(pilot, run_id)
        assert "The agent needs the account's region" in screen_text(app)
        region = form.query_one("#field-region", Input)
        assert region.has_focus and form.query_one("#field-cap", Input).value == "100"
        await pilot.press("f2")  # region is required: the form stays, the field is marked
        assert isinstance(app.screen, AnswerScreen) and region.has_class("invalid")
        assert "region: required" in screen_text(app)
        await pilot.press("e", "u", "f2")
        await wait_for(pilot, lambda: tui_sim.status("wexa", run_id) == "running", what="answered")
        assert app.alerts is not None
        await wait_for(pilot, lambda: ("wexa-sim", run_id) not in app.alerts.queue.items
                       or app.alerts.queue.items[("wexa-sim", run_id)].reason is not Reason.WAITING,
                       what="left the queue")


async def test_keys_typed_while_r_reads_the_question_are_not_the_queues(tui_sim: TuiSim) -> None:
    """`r` reads what the run asks from the server before the form opens: an answer typed
    fast after it ran the queue's keys meanwhile (its c asked to cancel the run)."""
    run_id = _park(tui_sim, "runtime_input")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        form = await _answer_form(pilot, run_id)
        form.dismiss(None)
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen), what="the queue again")
        shown: list[type[Screen[Any]]] = []
        app.screen_change_signal.subscribe(app, lambda s: shown.append(type(s)), immediate=True)
        type_in_one_burst(app, "r", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="the form")
        assert shown == [AnswerScreen]


async def test_an_anomaly_is_rejected_from_the_form_once_asked(tui_sim: TuiSim) -> None:
    """Wexa cancels an execution whose anomaly is rejected: F3 (next to F2) asked nothing,
    and the run's work was gone. It asks as `c` does, naming the run, No the default."""
    run_id = _park(tui_sim, "anomaly_detection")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        form = await _answer_form(pilot, run_id)
        assert app.alerts is not None
        run = app.alerts.queue.items[("wexa-sim", run_id)].run
        assert run is not None and run.workflow
        assert "Reject (f3)" in screen_text(app)
        await pilot.press("f3")
        await wait_for(pilot, lambda: "This cannot be undone" in screen_text(app), what="the question")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)  # the whole question (the dialog may wrap it)
        named = f"Reject run {display.short_id(run_id)} of {run.workflow} on wexa-sim?"
        assert confirm.question.startswith(named)
        await pilot.press("enter")  # No is the default
        await wait_for(pilot, lambda: app.screen is form, what="the form again")
        assert tui_sim.status("wexa", run_id) == "paused"  # the form is still open: nothing sent
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: tui_sim.status("wexa", run_id) == "cancelled", what="rejected")


async def test_a_b3os_node_takes_json_data_from_the_form(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("b3os", "waiting", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        await wait_for(pilot, lambda: ("b3os-sim", run_id) in app.alerts.queue.items, what="queued")
        screen = await open_attention(pilot)
        index = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
        screen.query_one(QueueTable).move_cursor(row=index)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="answer form")
        data = app.screen.query_one("#answer-data", TextArea)
        data.text = "[1, 2]"
        await pilot.press("f2")
        assert isinstance(app.screen, AnswerScreen) and "expected a JSON object" in screen_text(app)
        data.text = '{"approved": true}'
        await pilot.press("f2")
        await wait_for(pilot, lambda: tui_sim.status("b3os", run_id) != "waiting", what="resumed")


def test_snapshot_answer_form(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(APPS / "answer_app.py", terminal_size=(80, 24))


def test_server_text_in_a_row_is_never_read_as_markup() -> None:
    from runtui.engine.attention import AttentionItem
    from runtui.model import Run, Status
    from runtui.tui.screens.attention import row_texts

    run = Run(profile="p", provider="edges", id="r1", status=Status.FAILED,
              workflow_name="[bold]wf[/bold]")
    item = AttentionItem(Reason.FAILED, "p", "edges", "[link=https://evil.example]click[/link]", run)
    cells = row_texts(item)  # drawn as plain text segments: never parsed as markup
    assert list(cells[3:]) == ["[link=https://evil.example]click[/link]", "[bold]wf[/bold]"]



def test_a_long_detail_ends_in_an_ellipsis_where_the_screen_ends() -> None:
    """At 80 columns a detail was cut by the screen's edge with no "…" to say there was more."""
    from runtui.engine.attention import AttentionItem
    from runtui.model import Run, Status
    from runtui.tui.screens.attention import DETAIL_WIDTH, fitted_detail_width, row_texts

    run = Run(profile="edges-sim", provider="edges", id="e54b014c-0683-418e-84da-14e2dd6cc0e4",
              status=Status.FAILED)
    item = AttentionItem(Reason.FAILED, "edges-sim", "edges", "x" * 70 + " the end", run)
    for width in (80, 100):
        cells = row_texts(item, fitted_detail_width([item], width))
        shown = "".join(f" {c} " for c in cells[:4])  # a table cell: one space each side
        assert len(shown) <= width and shown.rstrip().endswith("…"), (width, shown)
    assert fitted_detail_width([item], 200) == DETAIL_WIDTH  # wide: the usual cut
    assert fitted_detail_width([item], 40) == 24  # narrow: the table scrolls sideways instead

def test_a_wide_question_is_cut_by_cells_with_its_ellipsis() -> None:
    """At 80x24 an inbox question in Japanese was cut hard at the screen's edge, no "…":
    the detail was cut at a number of characters that took twice as many columns."""
    from runtui.engine.attention import AttentionItem
    from runtui.model import Run, Status
    from runtui.safe_text import cells
    from runtui.tui.screens.attention import fitted_detail_width, row_texts

    run = Run(profile="wexa-sim", provider="wexa", id="7fa89438-0683-418e-84da-14e2dd6cc0e4",
              status=Status.WAITING, workflow_name="リード選別エージェント")
    question = "エージェントにはアカウントの地域と支出上限の確認が必要です。承認しますか？"
    item = AttentionItem(Reason.WAITING, "wexa-sim", "wexa", question, run)
    for width in (80, 100):
        cells_shown = row_texts(item, fitted_detail_width([item], width))
        shown = "".join(f" {c} " for c in cells_shown[:4])
        assert cells(shown) <= width and shown.rstrip().endswith("…"), (width, shown)
        assert cells_shown[3].startswith("エージェントには")


async def test_a_blocked_edges_run_is_resumed_from_the_queue(tui_sim: TuiSim) -> None:
    """Edges asks for nothing: r resumes a BLOCKED run straight away (no form)."""
    run_id = tui_sim.take("edges", "BLOCKED")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        await wait_for(pilot, lambda: ("edges-sim", run_id) in alerts_.queue.items, what="queued")
        screen = await open_attention(pilot)
        index = next(i for i, item in enumerate(screen._rows) if item.run and item.run.id == run_id)
        screen.query_one(QueueTable).move_cursor(row=index)
        await pilot.press("r")
        await wait_for(pilot, lambda: tui_sim.status("edges", run_id) == "RUNNING", what="resumed")
        assert not isinstance(app.screen, AnswerScreen)
        await wait_for(pilot, lambda: ("edges-sim", run_id) not in alerts_.queue.items, what="left")


async def test_a_profile_in_trouble_is_an_item(tui_sim: TuiSim, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(tui_sim.config_path.read_text(encoding="utf-8")
                      + '\n[profiles.broken]\nprovider = "wexa"\napi_key_env = "RUNTUI_TEST_UNSET_KEY"\n'
                      + f'project_id = "{"a" * 24}"\n',
                      encoding="utf-8")
    config.chmod(0o600)
    from runtui.engine.workspace import Workspace

    app = RuntuiApp(Workspace.load(config))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.alerts is not None, what="the runs screen")
        alerts_ = app.alerts
        assert alerts_ is not None
        await wait_for(pilot, lambda: ("broken", "") in alerts_.queue.items, what="profile trouble")
        item = alerts_.queue.items[("broken", "")]
        assert item.reason is Reason.PROFILE and "RUNTUI_TEST_UNSET_KEY" in item.detail
        screen = await open_attention(pilot)
        # First, above the run items: the profile's trouble explains them.
        await wait_for(pilot, lambda: any(i.run is not None for i in screen._rows), what="run items")
        first = screen._rows[0]
        assert first.reason is Reason.PROFILE and first.profile == "broken"
        assert screen.query_one(QueueTable).cursor_row == 0


async def test_a_profile_renamed_then_removed_leaves_the_queue(tui_sim: TuiSim, tmp_path: Path) -> None:
    """A profile added with a key nobody set is a config-error item; renamed, then removed
    in the profiles screen, its items stayed (`! profile test1`, `! profile 2`) in the queue
    and its count for good: nothing would ever resolve them."""
    from runtui.engine.workspace import Workspace
    from tests.tui.test_profiles import fill_form, open_profiles, select_row

    app = RuntuiApp(Workspace.load(own_config(tui_sim, tmp_path)))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.alerts is not None, what="the runs screen")
        alerts_ = app.alerts
        assert alerts_ is not None

        def troubled() -> set[str]:
            return {p for p, run_id in alerts_.queue.items if not run_id}

        async def saved(name: str) -> None:
            await pilot.press("f2")
            await wait_for(pilot, lambda: name in app.workspace.config.profiles, what=f"{name} saved")

        profiles = await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(pilot, name="test1", provider="wexa", key_value="RUNTUI_TEST_UNSET_KEY",
                        project_id="a" * 24, user_id="u1")
        await saved("test1")
        await wait_for(pilot, lambda: troubled() == {"test1"}, what="test1's config error")
        await select_row(pilot, profiles, "test1")
        await pilot.press("e")
        await pilot.pause()
        await fill_form(pilot, name="2")
        await saved("2")
        await wait_for(pilot, lambda: troubled() == {"2"}, what="only the renamed profile's error")
        await select_row(pilot, profiles, "2")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="remove asks")
        await pilot.press("y")
        await wait_for(pilot, lambda: "2" not in app.workspace.config.profiles, what="2 removed")
        await wait_for(pilot, lambda: not troubled(), what="no profile trouble left")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the runs")
        screen = await open_attention(pilot)
        await wait_for(pilot, lambda: len(screen._rows) == alerts_.count, what="the rows")
        assert not [i for i in screen._rows if i.profile in ("test1", "2")]


async def test_an_edited_profiles_listing_again_is_not_news(tui_sim: TuiSim, tmp_path: Path) -> None:
    """An edited profile's adapter is rebuilt and its runs are listed again from scratch:
    the failures it already had are the backlog again, not news for a toast each."""
    from runtui import config as config_mod
    from runtui.engine.health import HealthState
    from runtui.engine.workspace import Workspace
    from runtui.tui.screens.profiles import apply_change

    config = own_config(tui_sim, tmp_path)
    app = RuntuiApp(Workspace.load(config))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.alerts is not None, what="the runs screen")
        alerts_, ws = app.alerts, app.workspace
        assert alerts_ is not None

        def failed() -> set[tuple[str, str]]:
            items = alerts_.queue.items.items()
            return {k for k, i in items if i.reason is Reason.FAILED and k[0] == "edges-sim"}

        await wait_for(pilot, lambda: "edges-sim" in alerts_._loaded and bool(failed()),
                       what="edges failures")
        before = failed()
        values = config_mod.profile_values(ws.config.profiles["edges-sim"])
        config_mod.save_profile(config, "edges-sim", {**values, "refresh_seconds": 3.0}, replace=True)
        await apply_change(app)
        await wait_for(pilot, lambda: ws.health["edges-sim"].state is HealthState.OK and failed() >= before,
                       what="edges listed again")
        news = [p.event.message for p in alerts_._pending_toasts] + notifications(app)
        assert not [m for m in news if any(display.short_id(run_id) in m for _p, run_id in before)]


async def test_a_waiting_run_is_news_once_it_stays_waiting(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edges runs flip RUNNING/BLOCKED under throttling: only a wait that lasts is told."""
    from datetime import timedelta

    stays, flaps = tui_sim.take("edges", "RUNNING"), tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        tui_sim.force("edges", stays, "BLOCKED")
        tui_sim.force("edges", flaps, "BLOCKED")
        await wait_for(pilot, lambda: ("edges-sim", flaps) in alerts_.queue.items
                       and ("edges-sim", stays) in alerts_.queue.items, what="both waiting")
        tui_sim.force("edges", flaps, "RUNNING")
        await wait_for(pilot, lambda: ("edges-sim", flaps) not in alerts_.queue.items, what="flapped")
        assert not [n for n in notifications(app) if "needs attention: waiting" in n]
        later = tui_clock.now() + timedelta(seconds=alerts.WAITING_SETTLE + 1)
        monkeypatch.setattr(tui_clock, "now", lambda: later)
        alerts_._settle()
        await wait_for(pilot, lambda: any(display.short_id(stays) in n for n in notifications(app)),
                       what="the news")
        assert not any(display.short_id(flaps) in n for n in notifications(app))


async def test_the_minutes_a_run_has_waited_are_said_again_when_the_queue_shows(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tick leaves the items' text alone while no list shows it (at 50,000 runs
    re-wording ~8,000 waiting runs took 15-25 ms of every tick); opening the queue says
    how long each has waited as of now."""
    from datetime import timedelta

    from runtui import display

    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        await wait_for(pilot, lambda: any(i.reason is Reason.WAITING and i.run is not None
                                          for i in alerts_.queue.items.values()), what="a waiting run")
        key = next(k for k, i in alerts_.queue.items.items()
                   if i.reason is Reason.WAITING and i.run is not None)
        alerts_.queue.set_waiting_at(key, ["Approve"], now=tui_clock.now())  # no read of it when shown
        item = alerts_.queue.items[key]
        assert item.run is not None and item.detail.startswith("waits at Approve")
        since = item.run.updated_at or item.run.started_at or item.run.created_at
        later = tui_clock.now() + timedelta(hours=3)
        monkeypatch.setattr(tui_clock, "now", lambda: later)
        alerts_.tick()
        assert alerts_.queue.items[key].detail == item.detail  # nobody looks: left as it was
        await open_attention(pilot)
        assert alerts_.queue.items[key].detail.endswith(display.relative(since, later))
        assert alerts_.queue.items[key].detail != item.detail


async def test_while_the_queue_is_hidden_only_the_runs_told_as_news_are_read(
        tui_sim: TuiSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a run waits costs a detail read. With the queue hidden, a poll reads where the
    runs announced as waiting wait (a few a poll, ready when the queue opens), not the
    backlog the first listing found; opening the queue reads the rest."""
    from datetime import timedelta

    # Waiting before the app starts: the first listing's backlog (the module's sim is
    # shared, so the test makes its own rather than count on the seeded ones).
    backlog = [("b3os-sim", tui_sim.take("b3os", "waiting")) for _ in range(2)]
    stays = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        assert app.alerts is not None
        alerts_ = app.alerts
        await wait_for(pilot, lambda: all(k in alerts_.queue.items for k in backlog), what="the backlog")
        tui_sim.force("edges", stays, "BLOCKED")
        told = ("edges-sim", stays)
        await wait_for(pilot, lambda: told in alerts_.queue.items, what="the run waiting")
        later = tui_clock.now() + timedelta(seconds=alerts.WAITING_SETTLE + 1)
        monkeypatch.setattr(tui_clock, "now", lambda: later)
        alerts_._settle()
        assert not alerts_.queue.waiting_at_known(told)  # told first, read by the poll
        await wait_for(pilot, lambda: not alerts_._polling, what="the start's poll over")
        alerts_.poll()
        await wait_for(pilot, lambda: alerts_.queue.waiting_at_known(told), what="where it waits")
        await wait_for(pilot, lambda: not alerts_._polling, what="the poll's end")
        assert not any(alerts_.queue.waiting_at_known(k) for k in backlog)
        await open_attention(pilot)
        await wait_for(pilot, lambda: all(alerts_.queue.waiting_at_known(k) for k in backlog),
                       what="the backlog read once the queue shows")


async def _queued_as_asking(pilot: Pilot[Any], run_id: str) -> None:
    app = pilot.app
    assert isinstance(app, RuntuiApp) and app.alerts is not None
    alerts_ = app.alerts
    await wait_for(pilot, lambda: alerts_.queue.items.get(("wexa-sim", run_id)) is not None
                   and alerts_.queue.items[("wexa-sim", run_id)].reason is Reason.WAITING, what="asked")


async def _select_asking(pilot: Pilot[Any], screen: RunsScreen, run_id: str) -> None:
    """The runs list's cursor on the Wexa run `run_id`, once the queue holds it as asking."""
    await _queued_as_asking(pilot, run_id)
    await select(pilot, screen, "wexa", run_id)


async def test_a_run_asking_a_person_reads_as_waiting_in_the_list_its_counts_and_detail(
        tui_sim: TuiSim) -> None:
    """Wexa parks an execution that asks a person as `paused`, the word a plain pause gives:
    it showed as "⏸ paused", `st:waiting` missed it and the counts put it under paused.
    Its inbox item (read by the queue's poll) makes it waiting; its raw status and the
    actions that depend on it stay the platform's."""
    run_id = _park(tui_sim, "preview")
    key = ("wexa-sim", run_id)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        store = screen.ws.store
        await wait_for(pilot, lambda: (r := store.get(key)) is not None and r.status is Status.WAITING,
                       what="read as waiting")
        asking = store.get(key)
        assert asking is not None and asking.raw_status == "paused"
        assert decide(asking, Action.RESUME) and decide(asking, Action.CANCEL)
        await type_filter(pilot, screen, "st:waiting")
        assert key in {r.key for r in screen.table.visible_runs()}
        assert {status for status, n in screen.table.counts().items() if n} == {Status.WAITING}
        screen.table.move_cursor_to(key)
        await pilot.pause()
        row = next(x for x in screen_text(app).splitlines() if display.short_id(run_id) in x)
        assert "◔ waiting" in row and "paused" not in row
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await wait_for(pilot, lambda: detail.pane.detail is not None, what="the detail read")
        assert detail.run.status is Status.WAITING and detail.run.raw_status == "paused"
        status = next(x for x in screen_text(app).splitlines() if x.split()[:1] == ["status"])
        assert "◔ waiting" in status and "raw: paused" in status


async def test_r_in_the_runs_list_answers_a_waiting_run(tui_sim: TuiSim) -> None:
    """The list's r on a run that waits for an answer opens the same form as the queue's
    (a plain resume is refused by Wexa: "waits for an answer in the inbox")."""
    run_id = _park(tui_sim, "runtime_input")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await _select_asking(pilot, screen, run_id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="answer form")
        assert "The agent needs the account's region" in screen_text(app)
        await pilot.press("e", "u", "f2")
        await wait_for(pilot, lambda: tui_sim.status("wexa", run_id) == "running", what="answered")
        assert isinstance(app.screen, RunsScreen)
        assert not any("waits for an answer" in n for n in notifications(app))


async def test_keys_typed_after_r_in_the_list_are_not_the_lists(tui_sim: TuiSim) -> None:
    run_id = _park(tui_sim, "runtime_input")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await _select_asking(pilot, screen, run_id)
        shown: list[type[Screen[Any]]] = []
        app.screen_change_signal.subscribe(app, lambda s: shown.append(type(s)), immediate=True)
        type_in_one_burst(app, "r", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="the form")
        assert shown == [AnswerScreen]  # no "Cancel run …?" under it


async def test_the_detail_says_what_a_waiting_run_waits_for_and_r_answers_it(tui_sim: TuiSim) -> None:
    run_id = _park(tui_sim, "anomaly_detection")
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await _select_asking(pilot, screen, run_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await wait_for(pilot, lambda: "r: answer" in screen_text(app), what="the waits row")
        line = next(x for x in screen_text(app).splitlines() if "r: answer" in x)
        assert line.split()[0] == "waits" and len(line.split()) > 3
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="answer form")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked first")
        await pilot.press("y")
        await wait_for(pilot, lambda: tui_sim.status("wexa", run_id) == "cancelled", what="rejected")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="back on the detail")


async def test_the_split_detail_names_the_lists_answer_key_as_the_keymap_left_it(
        tui_sim: TuiSim, tmp_path: Path) -> None:
    """The pane beside the table shows the list's resume key, not the detail screen's: it
    asks the screen it is on (a list remapped to A showed "r: answer", or nothing)."""
    run_id = _park(tui_sim, "anomaly_detection")
    config = tmp_path / "config.toml"
    config.write_text(tui_sim.config_path.read_text() + '\n[keymap]\n"runs.resume" = "A"\n')
    config.chmod(0o600)
    async with runs_loaded(config, size=(200, 50)) as (app, pilot, screen):
        await _select_asking(pilot, screen, run_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "A: answer" in screen_text(app), what="the waits row")
        assert isinstance(app.screen, RunsScreen) and "r: answer" not in screen_text(app)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerScreen), what="answer form")


async def test_a_resume_of_marks_skips_the_runs_that_wait_for_an_answer_and_says_so(
        tui_sim: TuiSim) -> None:
    """A bulk resume cannot answer questions: a plain resume of an asking run is refused by
    the platform, so such a run is skipped, said in the question, and left as it was."""
    asking = _park(tui_sim, "runtime_input")
    paused = tui_sim.take("wexa", "paused")  # asks nothing: a plain resume
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await _select_asking(pilot, screen, asking)
        await pilot.press("space")
        await select(pilot, screen, "wexa", paused, "paused")
        await pilot.press("space")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        question = str(app.screen.question)  # type: ignore[attr-defined]
        assert "Resume 1 run(s)?" in question
        skipped = "\n".join(app.screen.skipped)  # type: ignore[attr-defined]
        assert "1 marked run(s) will be skipped: waits for an answer" in skipped
        await pilot.press("y")
        await wait_for(pilot, lambda: tui_sim.status("wexa", paused) == "running", what="resumed")
        assert tui_sim.status("wexa", asking) == "paused"
        assert not any("waits for an answer in the inbox" in n for n in notifications(app))


def _failures_app(count: int) -> RuntuiApp:
    """The app over `count` failed runs (not watching, no network), a minute apart, the
    newest a minute before `NOW`: a queue far longer than the screen."""
    from tests.tui.apps.runs_support import snapshot_workspace

    runs = [Run(profile="edges-dev", provider="edges", id=f"e{i:05d}-7e0c-41aa-8d3b-000000000000",
                workflow_name="Bulk email finder", status=Status.FAILED, raw_status="FAILED",
                created_at=NOW - timedelta(minutes=i + 2), started_at=NOW - timedelta(minutes=i + 2),
                finished_at=NOW - timedelta(minutes=i + 1), last_error=f"error {i}")
            for i in range(count)]
    return RuntuiApp(snapshot_workspace({"edges-dev": "edges"}, runs, NOW), watch=False)


async def _big_queue(pilot: Pilot[Any], count: int) -> tuple[AttentionScreen, QueueTable]:
    app = pilot.app
    assert isinstance(app, RuntuiApp)
    await wait_for(pilot, lambda: app.alerts is not None and app.alerts.count == count, what="the queue")
    screen = await open_attention(pilot)
    table = screen.query_one(QueueTable)
    await wait_for(pilot, lambda: table.row_count == count, what="the rows")
    await pilot.pause()
    return screen, table


async def test_a_change_off_screen_repaints_nothing_and_moves_nothing(frozen: None) -> None:
    """At 100,000 runs the queue holds thousands of items and changes every second: the
    table was cleared and every item added again each time (most of a core, keys late by
    seconds). A new item is put in at its place: above the rows on screen, those rows stay
    where they are, the cursor on its item, and nothing is repainted."""
    app = _failures_app(300)
    async with app.run_test(size=(100, 14)) as pilot:
        screen, table = await _big_queue(pilot, 300)
        await pilot.press("G")
        await pilot.press("k", "k")
        top, cursor = screen._rows[table.scroll_offset.y], screen._rows[table.cursor_row]
        before = screen_text(app).splitlines()[1:]
        repaints = Repaints(table)
        fresh = Run(profile="edges-dev", provider="edges", id="f0000000-7e0c-41aa-8d3b-000000000000",
                    workflow_name="Bulk email finder", status=Status.FAILED, raw_status="FAILED",
                    created_at=NOW, started_at=NOW, finished_at=NOW, last_error="new")
        app.workspace.store.upsert([fresh])
        await wait_for(pilot, lambda: table.row_count == 301, what="the new failure listed")
        await pilot.pause()
        assert screen._rows[0].run is not None and screen._rows[0].run.id == fresh.id
        assert screen._rows[table.scroll_offset.y] == top and screen._rows[table.cursor_row] == cursor
        assert screen_text(app).splitlines()[1:] == before
        assert repaints.calls == []


async def test_enter_opens_the_detail_of_the_cursor_items_run(frozen: None) -> None:
    app = _failures_app(30)
    async with app.run_test(size=(100, 14)) as pilot:
        screen, _table = await _big_queue(pilot, 30)
        await pilot.press("j", "j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        detail = app.screen
        assert isinstance(detail, DetailScreen) and screen._rows[2].run is not None
        assert detail.run.key == screen._rows[2].run.key


async def test_a_change_on_screen_repaints_its_line_only(frozen: None) -> None:
    """One item whose text changed is one line written, not the whole table."""
    app = _failures_app(300)
    async with app.run_test(size=(100, 14)) as pilot:
        screen, table = await _big_queue(pilot, 300)
        third = screen._rows[2].run
        assert third is not None
        repaints = Repaints(table)
        # (no longer than the other details: the columns keep their widths)
        app.workspace.store.upsert([msgspec.structs.replace(third, last_error="changed")])
        await wait_for(pilot, lambda: "changed" in screen_text(app), what="the new text")
        assert repaints.calls == [(Region(0, 3, table.size.width, 1),)]  # line 0 is the header
        assert table.cursor_row == 0 and screen._rows[2].detail == "changed"


async def test_each_second_only_the_rows_on_screen_are_worded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """"waits …, 4m05s" is said again each second while the queue shows, for the rows on
    screen: saying it again for every waiting run (thousands at 100,000 runs) took 40-60 ms
    of every second. A row scrolled into view has its words at the next tick."""
    now = [NOW]
    monkeypatch.setattr(tui_clock, "now", lambda: now[0])
    from tests.tui.apps.runs_support import snapshot_workspace

    runs = [Run(profile="edges-dev", provider="edges", id=f"w{i:05d}-7e0c-41aa-8d3b-000000000000",
                workflow_name="Company employees extract", status=Status.WAITING, raw_status="BLOCKED",
                created_at=NOW - timedelta(minutes=i + 2), started_at=NOW - timedelta(minutes=i + 2),
                updated_at=NOW - timedelta(minutes=i + 1))
            for i in range(100)]
    app = RuntuiApp(snapshot_workspace({"edges-dev": "edges"}, runs, NOW), watch=False)
    async with app.run_test(size=(100, 14)) as pilot:
        screen, table = await _big_queue(pilot, 100)
        assert app.alerts is not None
        items = app.alerts.queue.items
        top, far = screen._rows[0], screen._rows[50]
        assert top.detail == "BLOCKED, 1m00s ago" and far.detail == "BLOCKED, 51m00s ago"
        now[0] = NOW + timedelta(seconds=1)
        app.alerts.tick()
        assert items[_key(top)].detail == "BLOCKED, 1m01s ago"  # on screen
        assert items[_key(far)] is far  # off screen: not judged again
        table.move_cursor(row=50)
        app.alerts.tick()
        assert items[_key(far)].detail == "BLOCKED, 51m01s ago"
        await wait_for(pilot, lambda: "51m01s ago" in screen_text(app), what="the row's new words shown")


def _key(item: Any) -> tuple[str, str]:
    return item.profile, item.run.id

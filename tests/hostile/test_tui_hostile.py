"""The real app against a hostile server: the table, the detail and the toasts show every
escape as a visible stand-in, and an action goes to the row on screen only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from runtui import display
from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.errors import LONGEST_RETRY_AFTER
from runtui.model import Kind, RunDetail
from runtui.providers.edges import EdgesProvider
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.diff import DiffScreen
from runtui.tui.screens.logs import LogScreen
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.screens.workflows import WorkflowsScreen
from tests.hostile.conftest import KEY, write_b3os_config, write_config
from tests.hostile.server import B3_RUN, TITLE, HostileServer
from tests.hostile.test_cli_hostile import (
    LOG_LINE,
    OTHER_KEY,
    assert_harmless,
    forged_lines,
    key_bearing,
    spellings_of_other_key,
    write_leaking_pair,
)
from tests.tui.conftest import notifications, screen_text, wait_for


@asynccontextmanager
async def runs_screen(server: HostileServer, tmp_path: Path
                      ) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], RunsScreen]]:
    """The real app on one profile ("evil") of `server`, at its runs screen."""
    app = RuntuiApp(Workspace.load(write_config(tmp_path / "c.toml", {"evil": server})))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        yield app, pilot, screen


async def test_table_detail_and_toasts_are_harmless(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("inject")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="the two runs")
        await pilot.pause()
        table_text = screen_text(app)
        assert_harmless(table_text)
        assert "␛]52;c;" in table_text and "␛]0;pwne" in table_text

        screen.table.move_cursor_to(("evil", "my-own-run"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await wait_for(pilot, lambda: "␛[2J" in screen_text(app), what="the error shown")
        assert_harmless(screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="back")

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert_harmless(screen_text(app))
        await pilot.press("y")
        await wait_for(pilot, lambda: any("run is busy" in n for n in notifications(app)), what="toast")
        await pilot.pause()
        assert_harmless("\n".join(notifications(app)))
        assert_harmless(screen_text(app))
        assert server.posts == ["/v1/flows/runs/my-own-run/cancel"]


async def test_a_tui_action_goes_to_the_row_whatever_the_server_answers(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("swap")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="rows")
        screen.table.move_cursor_to(("evil", "my-own-run"))
        await pilot.pause()
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(server.posts), what="the POST")
        await wait_for(pilot, lambda: any(f"cancel {display.short_id('my-own-run')}" in n  # as the table
                                          for n in notifications(app)), what="the outcome")
        assert server.posts == ["/v1/flows/runs/my-own-run/cancel"]
        assert "victim-run" not in {r.id for r in screen.table.visible_runs()}


async def test_another_profiles_key_echoed_in_any_spelling_is_shown_nowhere(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another profile's key was masked only plain: a run's error holding it in base64, hex
    or percent-encoded showed it in the detail."""
    monkeypatch.setenv("RUNTUI_OTHER_KEY", OTHER_KEY)
    config = write_leaking_pair(tmp_path / "c.toml", hostile("leak"), hostile("plain"))
    app = RuntuiApp(Workspace.load(config))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        await wait_for(pilot, lambda: screen.table.total_count == 4, what="both profiles' runs")
        shown = screen_text(app)
        screen.table.move_cursor_to(("a", "my-own-run"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await wait_for(pilot, lambda: "failed, env ***" in screen_text(app), what="the error shown")
        shown += screen_text(app)
        for spelling in spellings_of_other_key():
            assert key_bearing(spelling).lower() not in shown.lower(), spelling


async def test_a_retry_after_no_clock_can_hold_leaves_the_profile_watched(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """`Retry-After: 1e30` overflowed the health's retry time and ended the profile's
    watcher for good (nothing more was read, and nothing said so). The wait is bounded,
    shown, and ctrl+r reads at once."""
    server = hostile("wait_forever")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        watcher = app.workspace.watchers["evil"]
        await wait_for(pilot, lambda: watcher.health.state is HealthState.RATE_LIMITED, what="429 seen")
        said = watcher.health.describe()
        wait = int(said.rsplit("retry in ", 1)[1].rstrip("s"))
        assert 0 < wait <= LONGEST_RETRY_AFTER, said
        await wait_for(pilot, lambda: "rate-limited" in screen_text(app), what="shown")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="read again at once")
        assert watcher.health.state is HealthState.OK and server.lists == 2


async def test_a_saved_log_holds_no_line_a_step_name_forged(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file `s` writes had the server's own log lines at column 0, after a newline in a
    step's name: the name is one line there too."""
    monkeypatch.chdir(tmp_path)
    server = hostile("forge")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="the runs")
        screen.table.move_cursor_to(("evil", "my-own-run"))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="the log")
        log_screen = app.screen
        assert isinstance(log_screen, LogScreen)
        panel = log_screen.panel
        await wait_for(pilot, lambda: panel.follower is not None and any(
            "FORGED" in (line.source or "") for line in panel.follower.buffer.lines), what="the action run")
        await pilot.press("s")
        await wait_for(pilot, lambda: list(tmp_path.glob("runtui-evil-*.log")), what="the saved file")
        text = next(tmp_path.glob("runtui-evil-*.log")).read_text(encoding="utf-8")
        assert "Prospect Researcher␊2026-12-06 15:59:59 INFO    - run succeeded (FORGED)␊" in text
        assert forged_lines(text) == []
        assert all(LOG_LINE.match(line) or line.startswith("    ") for line in text.splitlines())


async def test_y_never_copies_an_id_holding_controls(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copied text is pasted raw into a shell: an id holding ESC [201~, ^U and CR ended
    bracketed paste, wiped the typed line and ran a command. Such an id is not copied, and
    the toast says why; a plain id still is."""
    monkeypatch.delenv("TMUX", raising=False)  # the terminal's clipboard only, never a real tmux
    server = hostile("inject")
    hostile_id = f"{TITLE}ab"
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="the two runs")
        screen.table.move_cursor_to(("evil", hostile_id))
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: any("not copied" in n for n in notifications(app)), what="refused")
        assert app.clipboard == ""
        (said,) = [n for n in notifications(app) if "not copied" in n]
        assert_harmless(said)
        assert "control, bidi or invisible character (␛)" in said
        screen.table.move_cursor_to(("evil", "my-own-run"))
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: app.clipboard == "my-own-run", what="the plain id copied")
        # A selection of several lines (raw JSON, a text area) is still copied; escapes never.
        app.copy_to_clipboard('{\n\t"id": 1\n}')
        assert app.clipboard == '{\n\t"id": 1\n}'
        app.copy_to_clipboard(f"x{hostile_id}")
        assert app.clipboard == '{\n\t"id": 1\n}'


async def test_a_read_answered_with_another_run_is_said_in_the_detail(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """The answer was dropped as not this run's, and the detail said "loading…" for good."""
    server = hostile("swap")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="rows")
        screen.table.move_cursor_to(("evil", "my-own-run"))
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await wait_for(pilot, lambda: "with another run, 'victim-run'" in screen_text(app), what="said")
        shown = screen_text(app)
        assert "⚠ edges mismatch: the server answered the read of 'my-own-run'" in shown
        assert "no detail read yet" in shown and "loading…" not in shown
        assert "victim-run" not in shown.replace("another run, 'victim-run'", "")


async def test_ctrl_r_in_the_detail_reads_a_run_whose_stream_went_quiet(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """The detail said "▶ running · streaming" for ever, ctrl+r or not, while the stream
    sent only keep-alives and the run had ended."""
    server = hostile("sse_stall")
    config = write_b3os_config(tmp_path / "c.toml", {"b3": server}, defaults="refresh_seconds = 600")
    app = RuntuiApp(Workspace.load(config))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        await wait_for(pilot, lambda: screen.table.total_count == 1, what="the run")
        screen.table.move_cursor_to(("b3", B3_RUN))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        await wait_for(pilot, lambda: "running" in screen_text(app), what="the run shown running")
        server.b3_status = "success"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "succeeded" in screen_text(app), timeout=5.0,
                       what="the run read again")


BAD_LOCATION = "http://[::1"  # httpx cannot parse it: InvalidURL


async def mark_both(pilot: Pilot[Any], screen: RunsScreen) -> None:
    await wait_for(pilot, lambda: screen.table.total_count == 2, what="the two runs")
    for run in list(screen.table.visible_runs()):
        screen.table.move_cursor_to(run.key)
        await pilot.press("space")
    await wait_for(pilot, lambda: len(screen.table.marked_runs()) == 2, what="both marked")


async def test_a_diff_whose_reads_meet_a_bad_redirect_says_so_and_the_app_lives(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """`d` read both runs, the server answered 302 to `http://[::1`: the app died, its
    crash report printing the request's headers (the key). The read is the server's
    error, said in the diff's summary line."""
    server = hostile("plain")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await mark_both(pilot, screen)
        server.location = BAD_LOCATION
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), what="the diff")
        await wait_for(pilot, lambda: "not followed: a redirect to a Location" in screen_text(app),
                       what="the error in the summary")
        assert app.is_running and app.return_code is None
        assert KEY not in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="back to the runs")


async def test_the_workflows_view_whose_reads_meet_a_bad_redirect_says_so_and_the_app_lives(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("plain")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="the two runs")
        server.location = BAD_LOCATION
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen), what="the workflows")
        await wait_for(pilot, lambda: "not read: evil down" in screen_text(app), what="the profile unread")
        await wait_for(pilot, lambda: "not followed: a redirect to a Location" in screen_text(app),
                       what="why, under the table")
        assert app.is_running and app.return_code is None
        assert KEY not in screen_text(app)


def said_in_messages(app: RuntuiApp, text: str) -> bool:
    return any(text in said.text for said in app.messages)


async def said_masked_and_the_app_lives(pilot: Pilot[Any], app: RuntuiApp, said: str, where: str) -> None:
    """An unexpected error under a read: `said` (its key masked as `***`) shows `where`,
    is kept in Messages, the app still runs, and the key is nowhere on screen or in a toast."""
    await wait_for(pilot, lambda: said in screen_text(app), what=where)
    assert said_in_messages(app, said), "kept in Messages"
    assert app.is_running and app.return_code is None
    assert KEY not in screen_text(app) and KEY not in "\n".join(notifications(app))


async def test_an_unexpected_error_of_the_diffs_read_is_said_in_it_and_the_app_lives(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not every failure under a read is a ProviderError (a parser's slip, an httpx corner):
    one ended the app, its crash report printing the locals. It is the diff's error, the
    key masked in its words."""
    async def slipped(self: EdgesProvider, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        raise RuntimeError(f"parser slipped on {KEY}")

    server = hostile("plain")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await mark_both(pilot, screen)
        monkeypatch.setattr(EdgesProvider, "read_run", slipped)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), what="the diff")
        said = "reading both runs failed: RuntimeError: parser slipped on ***"
        await said_masked_and_the_app_lives(pilot, app, said, "the error in the summary")


async def test_an_unexpected_error_of_the_workflows_read_is_said_in_its_title_and_the_app_lives(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def slipped(self: EdgesProvider) -> list[object]:
        raise RuntimeError(f"schedules slipped on {KEY}")

    server = hostile("plain")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="the two runs")
        monkeypatch.setattr(EdgesProvider, "list_triggers", slipped)
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen), what="the workflows")
        said = "reading the workflows failed: RuntimeError: schedules slipped on ***"
        await said_masked_and_the_app_lives(pilot, app, said, "the error in the title")
        assert "reading schedules…" not in screen_text(app), "no longer said to be reading"


async def test_an_unexpected_error_following_a_run_is_said_in_the_detail_without_the_key(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The detail said a follower's unexpected error with the exception's words as they
    were: a key in them was on screen. Now masked, and kept in Messages."""
    async def slipped(self: EdgesProvider, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        raise RuntimeError(f"detail slipped on {KEY}")

    server = hostile("plain")
    async with runs_screen(server, tmp_path) as (app, pilot, screen):
        await wait_for(pilot, lambda: screen.table.total_count == 2, what="the two runs")
        monkeypatch.setattr(EdgesProvider, "get_run", slipped)
        screen.table.move_cursor_to(("evil", "my-own-run"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="detail")
        said = "following the run failed: RuntimeError: detail slipped on ***"
        await said_masked_and_the_app_lives(pilot, app, said, "the error in the detail")

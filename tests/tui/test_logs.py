"""The log view: follow, pause, find, filters, wrap, save, a lost stream, harmless text, and
snapshots at 80x24 and 200x50."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from runtui.model import Status
from runtui.safe_text import DANGEROUS
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.logs import LogScreen
from runtui.tui.widgets.log_panel import LogPanel
from tests.tui.apps.logs_app import LogsSnapApp
from tests.tui.apps.logs_support import SCRIPT, logging_workspace
from tests.tui.conftest import notifications

APPS = Path(__file__).parent / "apps"


async def until(pilot: Any, check: Callable[[], Any], what: str, tries: int = 200) -> Any:
    for _ in range(tries):
        found = check()
        if found:
            return found
        await pilot.pause(0.02)
    raise AssertionError(f"not reached: {what}")


def texts(panel: LogPanel) -> list[str]:
    rows = panel.view.rows
    return [rows.row(i)[2] for i in range(len(rows))]


def screen_text(panel: LogPanel) -> list[str]:
    view = panel.view
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


async def open_log(pilot: Any) -> LogPanel:
    screen = await until(pilot, lambda: isinstance(pilot.app.screen, LogScreen) and pilot.app.screen,
                         "the log screen")
    panel: LogPanel = screen.panel
    await until(pilot, lambda: "ended" in panel.status_words(), "the whole log read")
    return panel


async def test_the_whole_log_shows_once_with_level_words_and_an_end_marker() -> None:
    ws, provider, run = logging_workspace()
    provider.page = 4  # several pages: nothing lost or doubled between them
    app = LogsSnapApp(ws, run)
    async with app.run_test(size=(100, 30)) as pilot:
        panel = await open_log(pilot)
        assert panel.follower is not None
        messages = [line.message for line in panel.follower.buffer.lines if line.marker is None]
        assert messages == [message for _at, _level, _source, message in SCRIPT]
        shown = "\n".join(screen_text(panel))
        for word in ("INFO", "WARN", "ERROR", "DEBUG"):
            assert word in shown  # a level is a word, never only a colour
        assert "end of log" in shown
        assert "■ ended" in panel.status_words() and "13 lines" not in panel.status_words()


async def test_the_help_lists_end_as_well_as_G_for_follow() -> None:
    """README says `G` / `End` follow; the help listed only G."""
    ws, _provider, run = logging_workspace()
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, LogScreen) and pilot.app.screen,
                             "the log screen")
        help_screen = HelpScreen(screen)
        await pilot.app.push_screen(help_screen)
        await until(pilot, lambda: pilot.app.screen is help_screen, "the help")
        assert ("end, G", "Follow", "logs.follow") in help_screen.key_rows()


async def test_scrolling_up_pauses_following_and_G_resumes() -> None:
    ws, provider, run = logging_workspace(Status.RUNNING)
    provider.final = None  # still running: the log stays live
    async with LogsSnapApp(ws, run).run_test(size=(80, 12)) as pilot:
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, LogScreen) and pilot.app.screen,
                             "the log screen")
        panel: LogPanel = screen.panel
        await until(pilot, lambda: len(panel.view.rows) >= len(SCRIPT), "every line")
        assert "● live" in panel.status_words()
        view = panel.view
        assert view.following and view.scroll_offset.y == view.max_scroll_y
        await pilot.press("k")
        assert not view.following and "paused: G follows" in panel.status_words()
        await pilot.press("g")
        assert view.scroll_offset.y == 0
        await pilot.press("G")
        assert view.following and view.scroll_offset.y == view.max_scroll_y
        assert "following" in panel.status_words()


async def test_find_jumps_between_matches_and_says_where_it_is() -> None:
    ws, _provider, run = logging_workspace()
    async with LogsSnapApp(ws, run).run_test(size=(100, 12)) as pilot:
        panel = await open_log(pilot)
        await pilot.press("g", "slash")
        await until(pilot, lambda: panel.query_one("#log-search").has_focus, "the find box")
        await pilot.press(*"batch 4", "enter")
        assert "/batch 4 1/3" in panel.status_words()
        view = panel.view
        on_screen = view.match_row - int(view.scroll_offset.y)
        assert "batch 4" in view.render_line(on_screen).text.lower()  # the match is on screen
        await pilot.press("n")
        assert "/batch 4 2/3" in panel.status_words()
        await pilot.press("N", "N")
        assert "/batch 4 3/3" in panel.status_words()  # wrapped around backwards


async def test_level_and_source_filters_and_wrap_are_visible_in_the_status() -> None:
    ws, _provider, run = logging_workspace()
    async with LogsSnapApp(ws, run).run_test(size=(90, 20)) as pilot:
        panel = await open_log(pilot)
        await pilot.press("v", "v")
        assert "level ≥ warning" in panel.status_words()
        assert all("Fetching" not in t for t in texts(panel))
        await pilot.press("v", "v")  # error → debug: everything again
        assert "level" not in panel.status_words()
        await pilot.press("o")
        assert "source flow" in panel.status_words()
        assert {panel.view.rows.row(i)[0].source for i in range(len(panel.view.rows))} <= {"flow", "runtui"}
        await pilot.press("o", "o", "o", "o", "o")  # through every source, then all again
        assert "source" not in panel.status_words()
        before = len(panel.view.rows)
        await pilot.press("W")
        assert "wrap" in panel.status_words() and len(panel.view.rows) > before
        await pilot.press("T")
        assert "relative times" in panel.status_words()
        assert any("+2m01s" in line for line in screen_text(panel))


async def test_every_state_stays_on_the_status_line_at_80_columns() -> None:
    """Level, source, wrap, relative times and a search at once did not fit 80 columns: the
    line wrapped inside its one row and the search's count and the rest were on no line."""
    ws, _provider, run = logging_workspace()
    async with LogsSnapApp(ws, run).run_test(size=(80, 20)) as pilot:
        panel = await open_log(pilot)
        await pilot.press("v", "o", "W", "T", "g", "slash", *"batch 4", "enter")
        await until(pilot, lambda: "/batch 4" in panel.status_words(), "the search")
        status = panel.query_one("#log-status")
        await until(pilot, lambda: "/batch 4" in str(status.render()), "the search on the status line")
        shown = str(status.render())
        assert len(shown) <= status.content_region.width, shown
        for word in ("≥ info", "src flow", "wrap", "relative", "0/0 /batch 4"):  # none from flow
            assert word in shown, (word, shown)
        await pilot.resize_terminal(200, 20)  # wide: the fullest words again
        await until(pilot, lambda: "level ≥ info" in str(status.render()), "the full wording")
        assert "relative times" in str(status.render())


async def test_server_escapes_are_shown_never_sent_to_the_terminal() -> None:
    ws, _provider, run = logging_workspace()
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        panel = await open_log(pilot)
        shown = "\n".join(screen_text(panel))
        assert "␛]52;c;Zm9v␇" in shown
        assert not DANGEROUS.intersection(shown.replace("\n", ""))


async def test_a_lost_stream_is_marked_and_resumes_without_repeats() -> None:
    ws, provider, run = logging_workspace(Status.SUCCEEDED)
    provider.page = 3
    provider.fail_reads = {2, 3}
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, LogScreen) and pilot.app.screen,
                             "the log screen")
        panel: LogPanel = screen.panel
        await until(pilot, lambda: "stream lost, reconnecting" in panel.status_words(), "the lost state")
        await until(pilot, lambda: "ended" in panel.status_words(), "the log read after all")
        joined = "\n".join(texts(panel))
        assert joined.count("stream lost, reconnecting") == 1
        assert "stream resumed" in joined
        assert panel.follower is not None
        messages = [line.message for line in panel.follower.buffer.lines if line.marker is None]
        assert messages == [message for _at, _level, _source, message in SCRIPT]


async def test_save_writes_every_line_and_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ws, _provider, run = logging_workspace()
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        await open_log(pilot)
        await pilot.press("v", "v", "v")  # filters do not shorten the saved log
        await pilot.press("s")
        saved = await until(pilot, lambda: list(tmp_path.glob("runtui-b3-prod-*.log")), "the saved file")
        text = saved[0].read_text()
        assert "Beginning flow run" in text and "httpx.ReadTimeout" in text
        assert "\x1b" not in text and "␛]52" in text
        assert all(line.split()[2] in {"DEBUG", "INFO", "WARNING", "ERROR"} for line in text.splitlines()
                   if line[:4].isdigit())


async def test_a_saved_log_is_readable_by_its_owner_only(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """It holds a run's outputs and errors: 0600 like the journal and the configs, whatever
    the umask (it was 0644 under the usual 022)."""
    monkeypatch.chdir(tmp_path)
    ws, _provider, run = logging_workspace()
    old = os.umask(0o022)
    try:
        async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
            await open_log(pilot)
            await pilot.press("s")
            saved = await until(pilot, lambda: list(tmp_path.glob("runtui-b3-prod-*.log")),
                                "the saved file")
    finally:
        os.umask(old)
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600
    assert "Beginning flow run" in saved[0].read_text()


async def test_save_in_a_deleted_current_directory_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`s` ended the app (FileNotFoundError from Path.cwd()) once the directory runtui was
    started in had been removed."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    monkeypatch.setenv("PWD", str(gone))
    gone.rmdir()
    ws, _provider, run = logging_workspace()
    app = LogsSnapApp(ws, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_log(pilot)
        await pilot.press("s")
        said = f"cannot save the log: the current directory ({gone}) no longer exists"
        await until(pilot, lambda: any(said in n for n in notifications(app)), "the toast")
        assert app.is_running


async def test_a_save_that_fails_midway_leaves_no_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a full disk the save said so, but left an empty file that looked like a saved log."""
    from runtui.tui.widgets import log_panel

    monkeypatch.chdir(tmp_path)
    lines = 0

    def full_disk(text: str) -> str:
        nonlocal lines
        lines += 1
        if lines > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return text

    monkeypatch.setattr(log_panel, "multi_line", full_disk)
    ws, _provider, run = logging_workspace()
    app = LogsSnapApp(ws, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_log(pilot)
        await pilot.press("s")
        await until(pilot, lambda: any("No space left" in n for n in notifications(app)), "the toast")
        said = next(n for n in notifications(app) if "No space left" in n)
        assert f"cannot save the log to {tmp_path}/runtui-" in said
        assert list(tmp_path.iterdir()) == []


async def test_leaving_the_log_stops_reading_it() -> None:
    ws, provider, run = logging_workspace(Status.RUNNING)
    provider.final = None  # the run stays running: the log never ends by itself
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: provider.log_reads >= 2, "a few reads")
        await pilot.press("escape")
        await until(pilot, lambda: not ws.logs.followers, "the follower let go")
        reads = provider.log_reads
        await pilot.pause(0.3)
        assert provider.log_reads <= reads + 1  # at most the read that was in flight


def _read_to_end(pilot: Any) -> Any:
    async def run_before(pilot: Any) -> None:
        await open_log(pilot)
    return run_before


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_snapshot_log_view(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        panel = await open_log(pilot)
        if size[0] >= 200:
            await pilot.press("slash", *"batch", "enter", "G")
        await pilot.pause()
        assert panel.view.tz is UTC

    assert snap_compare(APPS / "logs_app.py", terminal_size=size, run_before=run_before)


async def test_an_error_line_stays_readable_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error level's colour was the theme's `$error`, a dark red: under NO_COLOR a grey
    well under half as far from the background as an info line's."""
    from tests.tui.conftest import grey_contrast, styles_holding

    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
    ws, _provider, run = logging_workspace()
    app = LogsSnapApp(ws, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_log(pilot)
        info = styles_holding(app, "Matching 1,284 invoices")
        error = styles_holding(app, "Accounting API timeout after 30s")
        assert info and error
        plain = grey_contrast(info[0])
        for style in error:
            assert grey_contrast(style) >= plain * 0.5, (style, plain)
            assert style.bold


async def test_a_stopped_run_whose_log_still_grows_is_not_shown_as_plain_live(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that reads as cancelled while new lines keep coming: the status line and the
    note under it say so (its process may still run), never a bare "● live"."""
    from runtui.model import LogEvent, LogLevel

    monkeypatch.setattr("runtui.engine.logs.STOPPED_GRACE", 0.0)  # no late-shipping wait here
    ws, provider, run = logging_workspace(Status.CANCELLED)
    serve = provider.read_events

    async def growing(run: Any, cursor: Any, query: Any) -> Any:
        provider.lines.append(LogEvent(id=f"late-{len(provider.lines)}", time=None, level=LogLevel.INFO,
                                       message=f"tick {len(provider.lines)}", run_id=run.id))
        return await serve(run, cursor, query)

    provider.read_events = growing  # type: ignore[method-assign]
    async with LogsSnapApp(ws, run).run_test(size=(100, 30)) as pilot:
        screen = await until(pilot, lambda: isinstance(pilot.app.screen, LogScreen) and pilot.app.screen,
                             "the log screen")
        panel: LogPanel = screen.panel
        await until(pilot, lambda: "log still grows" in panel.status_words(), "the growth said")
        assert "● live" not in panel.status_words()
        note = str(panel.query_one("#log-note").render())
        assert "but its log still grows: its process may still be running" in note
        assert sum("its log still grows" in text for text in texts(panel)) == 1  # one marker line

"""A run's log with its state in words: the view, a status line and the search box.

The full-screen log (`l`) and the detail's Logs tab are both a `LogPanel`. It
follows its run through the workspace's `LogHub` while it is mounted (one reader
per run however many panels show it) and lets go when it is removed. The status
line says everything that is on: live / following / paused / stream lost /
ended (or a stopped run whose log still grows), the level and source filters, the
search and its position, wrap, times, and what the platform offers when it has no
log API.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TextIO, cast

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from runtui import logtext
from runtui.display import gone_words
from runtui.engine.log_store import LogLines
from runtui.engine.logs import LogFollower, LogSubscription, StreamState
from runtui.errors import RuntuiError
from runtui.model import LogEvent, LogLevel, Run
from runtui.safe_text import multi_line, one_line
from runtui.tui.keymap import BACK_KEYS, key_named
from runtui.tui.widgets.fitted_line import Said, fitted
from runtui.tui.widgets.log_rows import LogRows
from runtui.tui.widgets.log_view import LogView

if TYPE_CHECKING:
    from runtui.tui.host import AppHost

STATE_WORDS: dict[StreamState, str] = {
    StreamState.CONNECTING: "… connecting",
    StreamState.LIVE: "● live",
    StreamState.RECONNECTING: "⚠ stream lost, reconnecting…",
    StreamState.ENDED: "■ ended",
}
SHORT_STATE_WORDS: dict[StreamState, str] = {**STATE_WORDS, StreamState.RECONNECTING: "⚠ reconnecting…"}


def log_file_name(run: Run, now: datetime | None = None) -> str:
    """`runtui-<profile>-<run id>-<UTC time>.log`, with only filename-safe characters."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    raw = f"runtui-{run.profile}-{run.id}-{stamp}.log"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", raw)[:200]


def _current_dir() -> Path | None:
    """The current directory, or None when it was deleted under runtui (a cleaned-up
    release or temporary directory): `Path.cwd()` raised, and `s` ended the app."""
    try:
        return Path.cwd()
    except OSError:
        return None


def _write_new(path: Path, lines: Iterable[str]) -> None:
    """Write a new file, or none: a write that failed (a full disk) left an empty or cut
    file behind that looked like a saved log."""
    created = False
    try:
        with _new_private_file(path) as out:
            created = True
            out.writelines(lines)
    except OSError:
        if created:
            with contextlib.suppress(OSError):
                path.unlink()
        raise


class LogPanel(Vertical):
    """One run's log, followed while mounted."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Find", key_display="/", id="logs.search"),
        Binding("s", "save", "Save", id="logs.save"),
        Binding(BACK_KEYS, "close_search", "Back", id="logs.close_search"),
    ]

    DEFAULT_CSS = """
    LogPanel { height: 1fr; }
    LogPanel > #log-status { height: 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    LogPanel > #log-note { height: auto; color: $text-muted; }
    LogPanel > LogView { height: 1fr; }
    LogPanel > #log-search { display: none; height: 3; }
    LogPanel > #log-search.-open { display: block; }
    """

    def __init__(self, run: Run, *, id: str | None = None, save_dir: Path | None = None,
                 tz: tzinfo | None = None) -> None:
        super().__init__(id=id)
        self.run = run
        self.tz = tz  # None: the local zone
        self.save_dir = save_dir
        self.follower: LogFollower | None = None
        self._subscription: LogSubscription | None = None
        self._problem: str | None = None
        self._rows = LogRows(LogLines())
        self._status_text = ""
        self._note_text = ""  # what the line under the status says (a platform's note, a warning)
        self._behind = False  # lines arrived that the view has not placed yet

    def compose(self) -> ComposeResult:
        yield Static("", id="log-status", markup=False)
        yield Static("", id="log-note", markup=False)
        view = LogView(self._rows, id="log-view")
        view.tz = self.tz
        yield view
        close = key_named(self, "logs.close_search")
        yield Input(placeholder=f"find in the messages (enter: search, {close}: close)", id="log-search")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.query_one("#log-note", Static).display = False
        self._start()
        self._show_status()
        self.set_interval(0.5, self._check_shown)

    def on_unmount(self) -> None:
        self.stop()

    def _start(self) -> None:
        try:
            hub = cast("AppHost", self.app).workspace.logs
            self._subscription = hub.follow(self.run, self._on_lines)
        except RuntuiError as exc:
            self._problem = f"no log: {exc}"
            return
        self.follower = self._subscription.follower
        self._rows.lines = self.follower.buffer.lines
        self.view.lines_changed(self.follower.buffer.dropped)

    def stop(self) -> None:
        """Let go of the run (the hub stops reading it when no panel shows it)."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def _on_lines(self, follower: LogFollower, added: list[LogEvent]) -> None:
        if not self.is_attached:
            return
        self._rows.lines = follower.buffer.lines
        if added:
            self._behind = True
        if not self.screen.is_active:
            return  # covered by another screen: nothing is drawn until it shows again
        self._catch_up()

    def _catch_up(self) -> None:
        """Show what arrived while the panel could not be seen (or just now)."""
        if self._behind and self.follower is not None:
            self._behind = False
            self.view.lines_changed(self.follower.buffer.dropped)
        self._show_status()

    def _check_shown(self) -> None:
        if self._behind and self.screen.is_active:
            self._catch_up()

    # ---- the status line -----------------------------------------------------------------

    def status_words(self) -> str:
        """Everything that is on, in words (what a wide status line shows; tests read it)."""
        return fitted(self._status_pieces(), None)

    def _status_pieces(self) -> list[Said]:
        """The status line's pieces, each with a shorter wording for a narrow terminal; the
        search (typed text, maybe long) last, its count before it when short."""
        view, rows = self.view, self._rows
        parts: list[Said] = []
        follower = self.follower
        if self._problem is not None:
            parts.append(Said((self._problem,)))
        elif follower is not None and follower.gone is not None:
            since = follower.gone.astimezone(self.tz).strftime("%H:%M")
            gone = f"✘ {gone_words(one_line(follower.run.profile))}"
            parts.append(Said((f"{gone} (404 since {since})", gone)))
        elif follower is not None and follower.grows is not None and follower.state is StreamState.LIVE:
            # not "live" without a word: the run reads as stopped (the note line says more)
            parts.append(Said(("⚠ the run stopped, its log still grows", "⚠ log still grows")))
        elif follower is not None:
            parts.append(Said((STATE_WORDS[follower.state], SHORT_STATE_WORDS[follower.state])))
            if follower.state is not StreamState.ENDED:
                follow = key_named(self, "logs.follow", LogView)
                parts.append(Said(("following",) if view.following else (f"paused: {follow} follows",
                                                                         f"paused ({follow})")))
        parts.append(Said((f"{len(rows.lines) if follower else 0:,} lines",)))
        if follower is not None and follower.buffer.dropped:
            # the gap at the top, said
            dropped = f"{follower.buffer.dropped:,}"
            parts.append(Said((f"{dropped} older let go", f"{dropped} let go")))
        if rows.filter.min_level > LogLevel.DEBUG:
            parts.append(Said((f"level ≥ {rows.filter.min_level.word}", f"≥ {rows.filter.min_level.word}")))
        if rows.filter.source is not None:
            source = one_line(rows.filter.source)
            parts.append(Said((f"source {source}", f"src {source}")))
        if view.wrap:
            parts.append(Said(("wrap",)))
        times = ("relative times", "relative") if view.relative_times else ("local times", "local")
        parts.append(Said(times))
        if rows.query:
            rank = rows.match_rank(view.match_row) if rows.match_count and view.match_row >= 0 else 0
            query = one_line(rows.query)
            parts.append(Said((f"/{query} {rank}/{rows.match_count}", f"{rank}/{rows.match_count} /{query}")))
        return parts

    def _show_status(self) -> None:
        status = self.query_one("#log-status", Static)
        text = fitted(self._status_pieces(), status.content_region.width or None)
        if text != self._status_text:
            self._status_text = text
            status.update(Text(text))
        follower = self.follower
        note_widget = self.query_one("#log-note", Static)
        note = follower.note if follower is not None and follower.real_logs is False else None
        if follower is not None and follower.grows is not None:
            note = f"⚠ {follower.grows}"
        if (note or "") != self._note_text:
            self._note_text = note or ""
            note_widget.update(Text(one_line(note or "")))
            note_widget.display = bool(note)

    def on_resize(self, _event: events.Resize) -> None:
        """A new width fits more of the status's words, or fewer: after the layout."""
        self.call_after_refresh(self._show_status)

    @on(LogView.Changed)
    def _view_changed(self) -> None:
        self._show_status()

    # ---- search and save -----------------------------------------------------------------

    def action_search(self) -> None:
        """Open the search box, focused now (not by focus(), a turn of the loop later):
        the words typed in one burst with `/` come back to the app after it and are
        typed into the box (RuntuiApp.on_key), not lost on the log view."""
        box = self.query_one("#log-search", Input)
        box.add_class("-open")
        box.value = self._rows.query
        self.screen.set_focus(box)

    @on(Input.Submitted, "#log-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.query_one("#log-search", Input)
        box.remove_class("-open")
        found = self.view.search(event.value)
        self.view.focus()
        if event.value and not found:
            self.notify(f"no line matches {event.value!r}", severity="warning", timeout=3)

    def action_close_search(self) -> None:
        """Esc (or `q` outside the box) closes an open search box; otherwise it is the screen's (back)."""
        box = self.query_one("#log-search", Input)
        if not box.has_class("-open"):
            raise SkipAction()
        box.remove_class("-open")
        self.view.focus()

    def action_save(self) -> None:
        """Write every line read so far (not only the filtered ones) to a file; say where."""
        follower = self.follower
        if follower is None:
            self.notify("nothing to save: no log was read", severity="warning")
            return
        folder = self.save_dir or _current_dir()
        if folder is None:
            where = os.environ.get("PWD") or "the directory runtui was started in"
            self.notify(f"cannot save the log: the current directory ({where}) no longer exists; "
                        "nothing written", severity="error")
            return
        path = folder / log_file_name(self.run)
        try:
            _write_new(path, (multi_line(logtext.format_line(line)) + "\n" for line in follower.buffer.lines))
        except OSError as exc:
            self.notify(f"cannot save the log to {path}: {exc.strerror or exc}; nothing written",
                        severity="error")
            return
        dropped = follower.buffer.dropped
        more = f" ({dropped} older lines were already let go)" if dropped else ""
        self.notify(f"saved {len(follower.buffer.lines)} lines to {path}{more}", title="log saved")


def _new_private_file(path: Path) -> TextIO:
    """A new file only its owner can read, like every other file runtui writes: a log holds
    a run's outputs and errors (customer data, whatever a server echoed). Never an existing
    file, nor one a planted symlink points to (O_EXCL)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")

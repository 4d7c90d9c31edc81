"""One run's log over the whole terminal (`l` on a row or in the detail)."""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from runtui import display
from runtui.model import Run
from runtui.safe_text import one_line
from runtui.tui.keymap import BACK_KEYS
from runtui.tui.widgets.keys_footer import keys_footer
from runtui.tui.widgets.log_panel import LogPanel
from runtui.tui.widgets.log_view import LogView


class LogScreen(Screen[None]):
    """A `LogPanel` under a one-line title naming the run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(BACK_KEYS, "back", "Back", id="logs.back"),
    ]

    DEFAULT_CSS = """
    LogScreen > #log-title { height: 1; background: $primary; color: $text; }
    """

    def __init__(self, run: Run, *, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.run = run
        self.tz = tz

    def compose(self) -> ComposeResult:
        run = self.run
        workflow = run.workflow_name or run.workflow_id or ""
        title = f" Log · {run.profile} · {display.short_id(run.id)} · {workflow}"
        yield Static(Text(one_line(title)), id="log-title")
        yield LogPanel(run, id="log-panel", tz=self.tz)
        yield keys_footer()

    def on_mount(self) -> None:
        """The view is focused now, not by focus() (a turn of the loop later, when a `/`
        typed with the `l` had already found no search key, or opened the search and
        lost the focus to the view): the app reads no key until the screen has mounted."""
        self.set_focus(self.query_one(LogView), scroll_visible=False)

    @property
    def panel(self) -> LogPanel:
        return self.query_one(LogPanel)

    def action_back(self) -> None:
        self.dismiss(None)

"""The detail of one run over the whole terminal, for terminals too narrow for the split."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Tabs

from runtui.actions import decide
from runtui.model import Action, Run
from runtui.tui.widgets.detail_pane import DetailPane

if TYPE_CHECKING:
    from runtui.tui.screens.runs import RunsScreen


class DetailScreen(Screen[None]):
    """A `DetailPane` for `run`; run control keys act through the runs screen underneath."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("e", "control('execute')", "Execute", id="detail.execute"),
        Binding("p", "control('pause')", "Pause", id="detail.pause"),
        Binding("r", "control('resume')", "Resume", id="detail.resume"),
        Binding("c", "control('cancel')", "Cancel", id="detail.cancel"),
        Binding("y", "copy_id", "Copy id", id="detail.copy"),
        Binding("ctrl+r", "refresh", "Refresh", id="detail.refresh"),
    ]

    def __init__(self, run: Run, *, clock: Callable[[], datetime] | None = None,
                 tz: tzinfo | None = None) -> None:
        super().__init__()
        self.initial_run = run
        self.pane = DetailPane(id="detail-full", clock=clock, tz=tz)
        self.pane.show_run(run)

    @property
    def run(self) -> Run:
        return self.pane.run or self.initial_run

    def compose(self) -> ComposeResult:
        yield self.pane
        yield Footer()

    def on_mount(self) -> None:
        self.pane.query_one(Tabs).focus()
        self.set_interval(1.0, self.refresh_bindings)

    # ---- keys --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.run.id)
        self.notify(f"copied {self.run.id}", timeout=2)

    def action_refresh(self) -> None:
        self.pane.refresh_now()
        ws = getattr(self.app, "workspace", None)
        if ws is not None:
            ws.refresh_now()
        self.notify("refreshing", timeout=1)

    def _runs_screen(self) -> RunsScreen | None:
        from runtui.tui.screens.runs import RunsScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, RunsScreen):
                return screen
        return None

    def _read_only(self) -> bool:
        ws = getattr(self.app, "workspace", None)
        if ws is None:
            return True
        return bool(ws.read_only(self.run.profile))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Greys out control keys the run's state does not allow (same table as the list)."""
        if action != "control" or not parameters:
            return True
        name = str(parameters[0])
        if self._runs_screen() is None:
            return None
        if name == "execute":
            return None if self._read_only() else True
        ws = getattr(self.app, "workspace", None)
        busy = bool(ws is not None and ws.controller.is_busy(self.run))
        return True if decide(self.run, Action(name), read_only=self._read_only(), busy=busy) else None

    def action_control(self, name: str) -> None:
        """Do what the runs screen does for this key, with its cursor on this run."""
        screen = self._runs_screen()
        if screen is None:
            self.notify("run control needs the runs list", severity="warning")
            return
        run = self.run
        if name == "execute":
            screen.table.move_cursor_to(run.key)
            screen.action_execute()
        else:
            # Only this run: marks on the list underneath must not widen the action.
            latest = screen.ws.store.get(run.key) or run
            screen.request_action(Action(name), [latest])

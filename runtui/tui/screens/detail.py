"""The detail of one run over the whole terminal, for terminals too narrow for the split."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Tabs

from runtui.actions import decide, on_kind
from runtui.model import Action, Run
from runtui.tui.answering import asking
from runtui.tui.keymap import BACK_KEYS, key_named
from runtui.tui.widgets.detail_pane import DetailPane
from runtui.tui.widgets.keys_footer import keys_footer

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace
    from runtui.tui.host import AppHost


class DetailScreen(Screen[None]):
    """A `DetailPane` for `run`. Its run keys ask the app (`AppHost.control_run`), which
    acts through the runs screen: this screen never reaches into another one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(BACK_KEYS, "back", "Back", id="detail.back"),
        Binding("e", "control('execute')", "Execute", id="detail.execute"),
        Binding("p", "control('pause')", "Pause", id="detail.pause"),
        Binding("r", "control('resume')", "Resume", id="detail.resume"),
        Binding("c", "control('cancel')", "Cancel", id="detail.cancel"),
        Binding("t", "control('retry')", "Retry", id="detail.retry", show=False),
        Binding("R", "control('again')", "Run again", id="detail.again", show=False),
        Binding("w", "control('watch')", "Notify when done", id="detail.watch", show=False),
        Binding("l", "logs", "Logs", id="detail.logs"),
        Binding("y", "copy_id", "Copy id", id="detail.copy"),
        Binding("ctrl+r", "refresh", "Refresh", id="detail.refresh"),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = """
    DetailScreen #detail-full {
        width: 100%;
        height: 1fr;
    }
    """

    def __init__(self, run: Run, *, clock: Callable[[], datetime] | None = None,
                 tz: tzinfo | None = None) -> None:
        super().__init__()
        self.initial_run = run
        self.pane = DetailPane(id="detail-full", clock=clock, tz=tz)
        self.pane.show_run(run)

    @property
    def run(self) -> Run:
        return self.pane.run or self.initial_run

    @property
    def ws(self) -> Workspace:
        return cast("AppHost", self.app).workspace

    def compose(self) -> ComposeResult:
        yield self.pane
        yield keys_footer()

    def on_mount(self) -> None:
        self.pane.query_one(Tabs).focus()
        self.set_interval(1.0, self.refresh_bindings)

    # ---- keys --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_logs(self) -> None:
        from runtui.tui.screens.logs import LogScreen

        self.app.push_screen(LogScreen(self.run, tz=self.pane.tz))

    def action_copy_id(self) -> None:
        self.notify(cast("AppHost", self.app).copy_id(self.run.id), timeout=4)

    def action_refresh(self) -> None:
        self.pane.refresh_now()
        self.ws.refresh_now(self.run.profile)
        self.notify("refreshing", timeout=1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Greys out control keys the run's state does not allow (same table as the list),
        and all but Back while `r` reads what the run asks: what is typed next is the answer."""
        if asking(self.app) and action != "back":
            return None
        if action != "control" or not parameters:
            return True
        name = str(parameters[0])
        read_only = self.ws.read_only(self.run.profile)
        if name in ("execute", "again"):
            return None if read_only else True
        if name == "watch":
            return True
        busy = self.ws.controller.is_busy(self.run)
        action = on_kind(Action(name), self.run)
        return True if decide(self.run, action, read_only=read_only, busy=busy) else None

    def key_description(self, binding: Binding) -> str | None:
        """The footer's words (runtui.tui.widgets.keys_footer): a task's `c` stops it."""
        if binding.action == "control('cancel')" and on_kind(Action.CANCEL, self.run) is Action.STOP:
            return "Stop"
        return None

    def answer_greyed(self, name: str, params: tuple[object, ...]) -> bool:
        """A greyed-out run key still answers: the runs screen says why nothing is sent
        (Textual skips a binding whose check_action is falsy, so it did nothing at all;
        asked by the app, runtui.tui.greyed_keys)."""
        if name == "control" and params and not asking(self.app):
            self.action_control(str(params[0]))
            return True
        return False

    def answer_key(self) -> str | None:
        """`r` (or its [keymap] key): the pane shows it by a waiting run."""
        return key_named(self, "detail.resume")

    def refresh_key(self) -> str:
        """The key that reads the run again, for the pane's "^r reads"."""
        return key_named(self, "detail.refresh")

    def action_control(self, name: str) -> None:
        """Only this run: marks on the list underneath must not widen the action. `name` is
        an Action value, "execute", "again" (run again with the same inputs) or "watch"."""
        run = self.ws.store.get(self.run.key) or self.run
        cast("AppHost", self.app).control_run(name, run)

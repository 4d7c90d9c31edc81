"""First start: no profile yet. Offer the demo, a first profile, or quitting.

The demo runs the simulator in this process on a free loopback port with its own
temporary config, so nothing is written to the user's file. It is `runtui.demo.start`,
the same entry as `runtui demo`; it is kept on the app (`app.demo`) and stopped when
this screen unmounts, which is when the app exits: the runs screen is pushed on top of
this one, never in its place.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from runtui import config as config_mod
from runtui.engine.workspace import Workspace
from runtui.errors import RuntuiError
from runtui.providers import registry
from runtui.safe_text import one_line
from runtui.tui.guard import guard, guarded
from runtui.tui.key_order import later
from runtui.tui.keymap import key_named
from runtui.tui.screens.profile_form import FormResult, ProfileFormScreen
from runtui.tui.screens.profiles import show_path, workspace_of
from runtui.tui.widgets.keys_footer import keys_footer

if TYPE_CHECKING:
    from runtui.tui.host import AppHost

INTRO = ("runtui watches and controls workflow runs on Wexa AI, Edges, B3OS and "
         "Prefect (and any provider plugin), from one keyboard-driven table that works "
         "over SSH.")


class WelcomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Demo", id="welcome.demo"),
        Binding("a", "add", "Add profile", id="welcome.add"),
        Binding("o", "open_runs", "Open runs", id="welcome.open", show=False),
        Binding("q", "quit", "Quit", id="welcome.quit"),
        # priority: the scrolling box would otherwise take the arrows for scrolling
        Binding("down,right", "next", "Next", id="welcome.next", show=False, priority=True),
        Binding("up,left", "previous", "Previous", id="welcome.previous", show=False, priority=True),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = """
    WelcomeScreen {
        align: center middle;
    }
    WelcomeScreen #welcome-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        padding: 0 2;
    }
    WelcomeScreen #welcome-title {
        text-style: bold;
    }
    WelcomeScreen #welcome-config {
        margin: 1 0;
    }
    WelcomeScreen Button {
        width: 100%;
    }
    WelcomeScreen .welcome-help {
        color: $text-muted;
        margin-bottom: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def ws(self) -> Workspace:
        return workspace_of(self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome-box"):
            yield Static("Welcome to runtui", id="welcome-title", markup=False)
            yield Static(INTRO, id="welcome-intro", markup=False)
            yield Static("", id="welcome-config", markup=False)
            yield Button(f"Start the demo ({key_named(self, 'welcome.demo')})", id="demo", variant="primary")
            yield Static("A local simulator of the hosted platforms (Wexa AI, Edges, B3OS) "
                         "with made-up runs; nothing is written to your config (same as "
                         "`runtui demo`).",
                         classes="welcome-help", markup=False)
            yield Button(f"Add a profile ({key_named(self, 'welcome.add')})", id="add")
            yield Static("One account on one platform; the key stays in an env var, "
                         "a command or the keyring.", classes="welcome-help", markup=False)
            yield Button(f"Open the runs ({key_named(self, 'welcome.open')})", id="open")
            yield Button(f"Quit ({key_named(self, 'welcome.quit')})", id="quit")
        yield keys_footer()

    def on_mount(self) -> None:
        self._update()
        self.query_one("#demo", Button).focus()

    def on_screen_resume(self) -> None:
        self._update()

    def _update(self) -> None:
        cfg = self.ws.config
        n = len(cfg.profiles)
        unreadable = [e for e in cfg.errors if not e.profile]
        if unreadable:
            # The file holds something, maybe profiles: "no profile yet" would be wrong.
            text = (f"The config file cannot be read, so its profiles are not shown: "
                    f"{one_line(str(unreadable[0]))}. Fix it and start again; nothing is written "
                    "to it meanwhile.")
        elif n:
            text = f"{n} profile{'s' if n != 1 else ''} in {show_path(cfg.path)}."
        elif broken := [e for e in cfg.errors if e.profile]:
            # Profiles the file holds but runtui cannot use: "no profile yet" would be wrong.
            names = sorted({e.profile for e in broken if e.profile})
            text = (f"{len(names)} profile{'s' if len(names) != 1 else ''} in {show_path(cfg.path)} "
                    f"cannot be used yet: {one_line(str(broken[0]))}. Fix "
                    f"{'them' if len(names) != 1 else 'it'} in the profiles screen "
                    f"({key_named(self, 'app.profiles')}) or the file.")
        else:
            text = f"No profile yet. A new one is written to {show_path(cfg.path)} (mode 0600)."
        self.query_one("#welcome-config", Static).update(text)
        self.query_one("#open", Button).display = n > 0

    # ---- keys ---------------------------------------------------------------------------

    def action_next(self) -> None:
        """An arrow, a priority key: after the keys typed before it (`a` then `down` moved
        this screen's focus before the form opened, and the form never got the arrow)."""
        if not later(self.app):
            self.focus_next()

    def action_previous(self) -> None:
        if not later(self.app):
            self.focus_previous()

    # ---- buttons ----------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "demo":
            self.action_demo()
        elif button == "add":
            self.action_add()
        elif button == "open":
            self.action_open_runs()
        elif button == "quit":
            self.action_quit()

    def action_quit(self) -> None:
        self.app.exit()

    def action_open_runs(self) -> None:
        if self.ws.config.profiles:
            self._open_runs()

    def _open_runs(self) -> None:
        open_runs = getattr(self.app, "open_runs", None)
        if callable(open_runs):
            open_runs()

    def action_add(self) -> None:
        """The form is pushed while `a` is handled: from a worker it came a step later,
        and a name typed fast ran this screen's keys (a "q" quit the app)."""
        def answered(result: FormResult | None) -> None:
            self.run_worker(guard(self, self._add(result), "adding the profile"), group="welcome-add",
                            exclusive=True)

        self.app.push_screen(ProfileFormScreen(existing=self.ws.config.names_taken(), save=self._save_new),
                             answered)

    def _save_new(self, result: FormResult) -> None:
        """The first profile: a missing file is created here."""
        name, values = result
        config_mod.save_profile(self.ws.config.path, name, values, check=registry.check_settings)

    async def _add(self, result: FormResult | None) -> None:
        if result is None:
            return
        cfg = self.ws.config
        name, _values = result
        try:
            await self.ws.reload()
        except (RuntuiError, ValueError) as exc:
            self.notify(str(exc), title="saved, reload failed", severity="error")
            return
        self.notify(f"added profile {name} to {show_path(cfg.path)}", title="profiles")
        self._update()
        if self.ws.config.profiles:
            self._open_runs()

    @work(group="welcome-demo", exclusive=True)
    @guarded("starting the demo")
    async def action_demo(self) -> None:
        app = cast("AppHost", self.app)
        if app.demo is not None:
            self._open_runs()
            return
        from runtui import demo

        self.notify("starting the simulator…", title="demo", timeout=3)
        try:
            session = await asyncio.to_thread(demo.start)
        except ImportError as exc:
            self.notify(f"the simulator is not available: {exc}", title="demo", severity="error")
            return
        except Exception as exc:  # port trouble, a simulator bug: say so, keep the app
            self.notify(f"the simulator did not start: {exc}", title="demo", severity="error")
            return
        app.demo = session  # stopped by the app on exit
        try:
            await self.ws.reload(session.config_path)
        except (RuntuiError, OSError) as exc:
            self.notify(f"demo config failed: {exc}", title="demo", severity="error")
            return
        if isinstance(self.app.title, str) and "demo" not in self.app.title:
            self.app.sub_title = "demo"
        self._update()
        self._open_runs()

    async def on_unmount(self) -> None:
        app = cast("AppHost", self.app)
        session, app.demo = app.demo, None
        if session is not None:
            with contextlib.suppress(Exception):  # a dead server must not break the exit
                await asyncio.to_thread(session.stop)

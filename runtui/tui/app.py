"""RuntuiApp: owns the workspace, the keymap and the screens; the screens do the work."""

from __future__ import annotations

import base64
import os
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeGuard

from rich.text import Text
from textual import events
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from runtui import startup
from runtui.engine.health import Health
from runtui.engine.workspace import Workspace
from runtui.safe_text import clipped, copy_refusal, multi_line, one_line
from runtui.tui import clipboard, crash, ending, looks, switch, toasts
from runtui.tui import clock as tui_clock
from runtui.tui import keymap as keymap_rules
from runtui.tui.alerts import Alerts
from runtui.tui.answering import Answers
from runtui.tui.frames import after_frame
from runtui.tui.greyed_keys import answer_greyed_key
from runtui.tui.key_order import KeyOrder, KeyRoundTrip

GC_LOAD_PAUSE = 30.0  # seconds the collector may stay paused for a first load that does not end
COPY_SHOWN = 40  # characters of an id a refused copy's toast shows
SHORT_BELOW = 40  # terminal rows: fewer is a "-short" screen (compact toasts)
FREEZE_AFTER_LOAD = 0.2  # seconds between the first load's last frame and the collection

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from runtui.demo import Demo
    from runtui.model import Run
    from runtui.tui.host import AppHost


# The app's screens in the command palette: what each holds, said beside its key.
PALETTE_HELP = {
    "profiles": "Manage profiles (add, edit, test, remove)",
    "workflows": "Per-workflow runs, success rate, p95, trend; pause schedules",
    "attention": "What needs you: waiting, failed, stuck runs, profile trouble",
    "messages": "What every toast said, newest first",
}
PALETTE_ENTRIES = {action: (action.capitalize(), about) for action, about in PALETTE_HELP.items()}

# ctrl+z suspends to the shell as vim and less do (`fg` brings the screen back). POSIX
# only: Textual's suspend is a no-op on Windows, and a key that does nothing is not listed.
SUSPEND_BINDINGS: list[BindingType] = [] if sys.platform == "win32" else [
    Binding("ctrl+z", "suspend_process", "Suspend", id="app.suspend", show=False),
]


class RuntuiApp(App[int]):
    CSS_PATH = Path(__file__).with_name("runtui.tcss")
    TITLE = "runtui"
    ENABLE_COMMAND_PALETTE = True
    # A covered screen keeps its toasts hidden (runtui.tcss): the screen on top shows the
    # same ones, and at 80x24 the copies showed through around a dialog.
    SUSPENDED_SCREEN_CLASS = "-covered"
    # "-short" (80x24 and the like): toasts without blank lines (runtui.tcss) that take
    # at most a share of the height (runtui.tui.toasts).
    # (not annotated ClassVar: Textual's own annotation makes mypy read it as an instance variable)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_BELOW, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("P", "profiles", "Profiles", id="app.profiles", show=False),
        Binding("W", "workflows", "Workflows", id="app.workflows", show=False),
        Binding("exclamation_mark", "attention", "Attention", id="app.attention", key_display="!",
                show=False),
        Binding("M", "messages", "Messages", id="app.messages", show=False),
        *SUSPEND_BINDINGS,
    ]

    def __init__(self, workspace: Workspace, *, title_suffix: str | None = None,
                 watch: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.watch_enabled = watch
        if title_suffix:
            self.title = f"runtui {title_suffix}"
        self.watched: set[tuple[str, str]] = set()
        self.demo: Demo | None = None  # the welcome screen's in-process simulator, if started
        self.alerts: Alerts | None = None  # the attention queue and notifications, once runs show
        self.answers = Answers(self, lambda: self.alerts)  # `r` on a run that waits for a person
        self._toasts_up: dict[tuple[str, str, str], float] = {}  # what is showing, until when
        self.key_order = KeyOrder()  # priority keys in the order typed (runtui.tui.key_order)
        # every toast's words, newest last: a toast goes, is put away or waits behind a dialog
        self.messages: deque[toasts.Said] = deque(maxlen=toasts.KEPT)
        # the [keymap] entries given to Textual, twins included (runtui.tui.keymap)
        self.bound_keymap: dict[str, str] = {}
        self._held_toasts: list[toasts.Held] = []  # said while the command palette was open
        if not switch.private():
            # Textual's crash report (every frame's locals, keys among them) must not reach
            # the terminal: in stock mode it goes to a console that drops it (runtui.tui.crash).
            self.error_console = crash.QuietConsole()

    # ---- lifecycle --------------------------------------------------------------------

    def get_css_variables(self) -> dict[str, str]:
        """The theme's colours, but a terminal of 16 colours gets its own for what carries
        meaning (runtui.tui.looks): the theme's came out there as the same grey."""
        variables = super().get_css_variables()
        theme = self.current_theme
        own = looks.sixteen_colour_variables(self.console.color_system, dark=theme.dark,
                                            ansi=theme.ansi, no_color=self.no_color)
        if own:
            variables = {**variables, **own}
            self.theme_variables = variables  # what `looks.themed` reads
        return variables

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, its Linux driver swapped for the quiet one (runtui.tui.switch)."""
        return switch.driver_class(super().get_driver_class())

    def on_mount(self) -> None:
        if not self.is_headless:  # a real terminal: SIGTERM/SIGHUP end as q does
            ending.end_on_signals(lambda code: self.exit(return_code=code))
        toasts.watch(self)
        self.screen_change_signal.subscribe(self, self._show_held_toasts)
        if startup.gc_paused():
            after_frame(self, self._gc_after_first_frame, name="gc-after-first-frame")
        keymap = self.workspace.config.keymap
        if keymap:
            self.bound_keymap = keymap_rules.with_twins(keymap_rules.pressable(keymap))
            self.set_keymap(self.bound_keymap)
            # reading every screen's bindings imports them all: after the first frame
            after_frame(self, self._check_keymap, name="keymap-check")
        for err in self.workspace.config.errors:
            if not err.profile:
                self.notify(str(err), title="config", severity="error", timeout=15)
        self._watch_the_journal()
        if warnings := self.workspace.config.warnings:
            more = (f" (and {len(warnings) - 1} more: see the profiles screen, "
                    f"{keymap_rules.key_named(self, 'app.profiles')})") if len(warnings) > 1 else ""
            self.notify(f"{warnings[0]}{more}", title="config", severity="warning", timeout=15)
        if not self.workspace.config.profiles:
            from runtui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())
            return
        # The first requests go out now, before the runs screen is built: the servers
        # answer while it is composed and laid out, rather than after (a page arrives
        # into the store, which the screen reads as it mounts).
        self._start_watching()
        # After Textual's start-up batch, not inside it: a screen pushed here is awaited
        # by the batch, which draws its first layout (~13 ms at 200x50) and throws it away
        # (nothing is displayed while a batch is open), then draws it again.
        self.call_later(self.open_runs)

    def _watch_the_journal(self) -> None:
        """A journal that cannot be written refuses every action (nothing is sent unrecorded):
        said at start, not found out at the first action in an incident; an outcome it could
        not record is said beside the outcome's own toast."""
        journal = self.workspace.journal
        journal.on_unrecorded = lambda message: self.notify(
            message, title="journal", severity="warning", timeout=15)
        if (problem := journal.unusable()) is not None:
            self.notify(f"no action can be sent: {problem}", title="journal", severity="error",
                        timeout=20)

    def open_runs(self) -> None:
        from runtui.tui.screens.runs import RunsScreen

        self.push_screen(RunsScreen())
        self._start_watching()
        self.alerts = Alerts(self, self.workspace, self._followed)
        self.alerts.start()

    def _start_watching(self) -> None:
        """Every profile's watcher (one already watching is left as it is)."""
        if not self.watch_enabled:
            return
        self.workspace.start_watching()
        if self._freeze_after_first_load not in self.workspace.health_listeners:
            self.workspace.health_listeners.append(self._freeze_after_first_load)

    def _gc_after_first_frame(self) -> None:
        """The `runtui` command starts with the cyclic GC paused (runtui.startup).

        What start-up built (modules, Textual, the first screen) lives as long as the
        app: collected once and frozen. While the first listing loads, every run read
        lives on too, and collections would walk them again and again (10-15% of
        loading 50,000 runs): the collector stays paused until that load ends, and the
        one collection waits for it too (`_freeze_after_first_load`), or for
        GC_LOAD_PAUSE at most. Done here, it held the loop ~10 ms between the first
        frame (an empty table) and the first rows, whose pages were waiting.
        """
        if self.watch_enabled and bool(self.workspace.config.profiles):
            self.set_timer(GC_LOAD_PAUSE, _freeze_gc_if_paused, name="gc-load-pause")
        else:
            _freeze_gc()

    def _freeze_after_first_load(self, _health: Health) -> None:
        """Once every profile has loaded, move what is alive out of the GC's sight.

        With tens of thousands of runs a full collection takes hundreds of ms and
        lands on a random keystroke; the loaded runs live for the whole session.
        The one collection here (~40 ms at 50,000 runs) waits a moment: it holds the
        GIL, and Textual's writer thread must first send the frame with the last rows.
        """
        if self.workspace.first_listings_in:
            self.workspace.health_listeners.remove(self._freeze_after_first_load)
            self.set_timer(FREEZE_AFTER_LOAD, _freeze_gc, name="gc-freeze")

    async def on_unmount(self) -> None:
        startup.resume_gc()
        await self.workspace.aclose()
        if self.demo is not None:
            self.demo.stop()
            self.demo = None

    def _fatal_error(self) -> None:
        """An unhandled exception ends the app: Textual's report of it, a traceback with
        every frame's locals (request headers, the key among them), is replaced by one
        masked line and a private file without locals (runtui.tui.crash). A private
        method of Textual: replaced only while runtui.tui.switch is on."""
        if not switch.private():
            super()._fatal_error()  # its report goes to the quiet error console
            return
        self.bell()
        line = crash.report_exception(sys.exc_info(), self.workspace.redact)
        # One line, not cut at the terminal's width: the file's path is copied whole.
        self.error_console.soft_wrap = True
        self.panic(Text(line, no_wrap=True, overflow="ignore"))

    # ---- keys -------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """A key or paste read from the terminal while a priority key typed before it is on
        its way round goes round behind it (runtui.tui.key_order); any other is read now,
        its priority bindings told which key they run for."""
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self.key_order.goes_round(event):
                return
            with self.key_order.reading(event):
                await super().on_event(event)
            return
        await super().on_event(event)

    async def on_key_round_trip(self, trip: KeyRoundTrip) -> None:
        """A key back from its round, after the keys typed before it: read it now."""
        event = self.key_order.back(trip)
        with self.key_order.reading(event, again=True):
            await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A key that bubbles up here goes where the user would have typed it: a greyed-out
        key of the screen shown is answered by it (runtui.tui.greyed_keys), and a printable
        key while a text box has focus is typed into it.

        Textual queues each key on the widget focused when the key is read, and looks up
        its binding only when it has bubbled back up here. Keys read in one burst with the
        key that moves focus to a text box or opens a form (fast typing over SSH, a paste)
        were queued on the old widget and come back here unbound, after that key's action
        ran: they go to the text box focused now (the forms focus their first field as
        they mount, not a turn later). "/" avoids this by being a priority key, and waits
        for the keys read before it by going round behind them (runtui.tui.key_order).
        (Textual calls App's own key handler after this one unless the default is prevented.)
        """
        if answer_greyed_key(self.screen, event):
            event.stop()
            event.prevent_default()
            return
        focused = self.focused
        if event.is_printable and takes_typing(focused):
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))

    # ---- notifications ----------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast, from any screen or widget: plain text, server text made harmless.

        Toasts carry server messages, ids and what the user typed. Textual reads a toast
        as markup unless told otherwise ("[link=…]" from a server would become a link,
        "[/]" an error that ends the app) and keeps ESC and bidi controls, so neither is
        left to it. `markup` is ignored: Widget.notify always passes True.
        """
        del markup
        text, heading = multi_line(message), one_line(title)
        # A key pressed again (d with nothing marked, ctrl+r) says the same again: while
        # that toast still shows, a second one would only cover more of the table.
        now = time.monotonic()
        self._toasts_up = {k: until for k, until in self._toasts_up.items() if until > now}
        key = (heading, text, severity)
        if key in self._toasts_up:
            return
        seconds = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self._toasts_up[key] = now + seconds
        self.messages.append(toasts.Said(tui_clock.now(), severity, heading, text))
        if self._palette_open():
            self._held_toasts.append(toasts.Held(text, heading, severity, seconds))
            return
        super().notify(text, title=heading, severity=severity, timeout=seconds, markup=False)

    def _palette_open(self) -> bool:
        """The screen shown holds new toasts back (the command palette); not while there is
        no screen (a worker's toast as the app closes)."""
        try:
            return toasts.holds_toasts(self.screen)
        except ScreenStackError:
            return False

    def _show_held_toasts(self, screen: Screen[object]) -> None:
        """The command palette closed: what was said meanwhile shows now, for its whole time."""
        if not self._held_toasts or toasts.holds_toasts(screen):
            return
        held, self._held_toasts = self._held_toasts, []
        for toast in held:
            super().notify(toast.text, title=toast.title, severity=toast.severity, timeout=toast.seconds,
                           markup=False)

    def _check_keymap(self) -> None:
        """Say which [keymap] entries cannot work, and take back those that Textual, given
        them at start-up, would apply anyway at the cost of another binding's key."""
        from runtui.tui import key_chains  # every screen, read after the first frame

        chains = key_chains.screen_chains(type(self))
        checked = keymap_rules.check_keymap(self.workspace.config.keymap, chains)
        if checked.applied != self.bound_keymap:
            self.bound_keymap = checked.applied
            self.set_keymap(checked.applied)
        if checked.problems:
            self.notify("\n".join(checked.problems), title="keymap", severity="warning", timeout=20)

    async def action_quit(self) -> None:
        """`q`, Textual's ctrl+q and the palette's Quit: at once, unless watched runs (`w`) are
        still going, whose ends would never be told: then it asks first, No the default."""
        from runtui.tui.screens.confirm import QuitQuestion

        if isinstance(self.screen, QuitQuestion):
            return  # asked already: y or n answers it
        going = self._watched_going()
        if not going:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(QuitQuestion(going), answered)

    def _watched_going(self) -> list[Run]:
        """The watched runs (or tasks) not ended yet, by profile and id; a run no longer
        listed has nothing left to tell."""
        stores = (self.workspace.store, self.workspace.task_store)
        found = (next((run for store in stores if (run := store.get(key)) is not None), None)
                 for key in sorted(self.watched))
        return [run for run in found if run is not None and not run.status.terminal]

    def action_help_quit(self) -> None:
        """Ctrl+C: Textual's hint, in words (its own text is markup, and toasts are plain)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    def _as_host(self) -> AppHost:
        """Checked by mypy: the app is what screens take it for (runtui.tui.host)."""
        return self

    def control_run(self, name: str, run: Run) -> None:
        """The detail screen's run keys act through the runs screen, the one place that
        confirms, sends and reports actions (the detail never reaches into it).

        Called while the key is handled, not by a message: a confirmation opens before
        the next key is read, so `c` then `n` typed fast answers it (by a message, the `n`
        reached the detail first, and the question stayed open)."""
        from runtui.tui.screens.runs import RunsScreen

        runs = next((s for s in reversed(self.screen_stack) if isinstance(s, RunsScreen)), None)
        if runs is None:
            self.notify("run control needs the runs list", severity="warning")
            return
        runs.on_detail_control(name, run)

    # ---- app-wide actions -------------------------------------------------------------

    def action_help(self) -> None:
        from runtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_attention(self) -> None:
        from runtui.tui.screens.attention import AttentionScreen

        if self.alerts is None:
            self.notify("the attention queue starts with the runs list", severity="warning")
        elif not isinstance(self.screen, AttentionScreen):
            self.push_screen(AttentionScreen(self.alerts))

    def action_workflows(self) -> None:
        """Workflow trends and pause; `enter` there filters the run table to one workflow."""
        from runtui.tui.screens.runs import RunsScreen
        from runtui.tui.screens.workflows import WorkflowsScreen

        if isinstance(self.screen, WorkflowsScreen):
            return
        runs = next((s for s in reversed(self.screen_stack) if isinstance(s, RunsScreen)), None)
        if runs is None:
            self.notify("the workflows view starts with the runs list", severity="warning")
            return

        def filtered(text: str | None) -> None:
            if text:
                runs.show_filter(text, history=True)

        self.push_screen(WorkflowsScreen(self.workspace), filtered)

    def action_messages(self) -> None:
        """What the toasts said, newest first: one that went by too fast is read here."""
        from runtui.tui.screens.messages import MessagesScreen

        if not isinstance(self.screen, MessagesScreen):
            self.push_screen(MessagesScreen(self.messages))

    def action_profiles(self) -> None:
        from runtui.tui.screens.profiles import ProfilesScreen

        if not isinstance(self.screen, ProfilesScreen):
            self.push_screen(ProfilesScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own, then every binding of the screen shown (the app's among them):
        one entry an action, the app's screens with a line that says what they hold."""
        textuals = list(super().get_system_commands(screen))
        yield from textuals
        titles = {command.title for command in textuals}  # its Quit, Keys...: once
        seen: set[str] = set()
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if (binding.description and binding.action not in seen and binding.action != "command_palette"
                    and binding.description not in titles):
                seen.add(binding.action)
                key = f"key: {self.get_key_display(binding)}"
                about = PALETTE_HELP.get(binding.action)
                yield SystemCommand(binding.description, f"{about} ({key})" if about else key,
                                    _runner(active.node, binding.action))
        for action, (title, about) in PALETTE_ENTRIES.items():
            if action not in seen:  # a screen whose bindings hide the app's (a modal's)
                yield SystemCommand(title, about, getattr(self, f"action_{action}"))

    # ---- terminal helpers -------------------------------------------------------------

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52, wrapped in a DCS passthrough inside tmux so it reaches the outer terminal.

        Writing the wrapped sequence needs the driver, which Textual keeps private: in
        stock mode (runtui.tui.switch) Textual's own OSC 52 goes out, which tmux passes
        on when its `set-clipboard` option allows it. Text a paste could turn into a
        command (`safe_text.copy_refusal`) is never written, whoever asks (a selection
        on screen, of several lines, too).
        """
        if copy_refusal(text, lines=True) is not None:
            return
        if not (os.environ.get("TMUX") and switch.private()):
            super().copy_to_clipboard(text)
            return
        self._clipboard = text
        if self._driver is None:
            return
        payload = base64.b64encode(text.encode()).decode()
        seq = f"\x1b]52;c;{payload}\a"
        self._driver.write("\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\")

    def copy_id(self, text: str) -> str:
        """Copy a run id where it can go and say where (the toast's words). An id the server
        filled with controls is not copied at all: pasted into a shell it runs commands."""
        refusal = copy_refusal(text)
        if refusal is not None:
            return f"not copied: {clipped(text, COPY_SHOWN)}: {refusal}"
        set_clipboard = clipboard.tmux_set_clipboard() if clipboard.in_tmux() else None
        osc52 = set_clipboard != "off"
        if osc52:
            self.copy_to_clipboard(text)
        in_buffer = clipboard.in_tmux() and clipboard.tmux_load_buffer(text)
        return f"copied {text} " + clipboard.where_copied(in_buffer, set_clipboard, osc52)

    def _followed(self, key: tuple[str, str]) -> bool:
        """Watched (`w`) or marked: its end is worth a notification; a watch ends with it."""
        if key in self.watched:
            self.watched.discard(key)
            return True
        return key in self._marks()

    def _marks(self) -> set[tuple[str, str]]:
        from runtui.tui.screens.runs import RunsScreen

        for screen in self.screen_stack:
            if isinstance(screen, RunsScreen):
                return screen.table.marks
        return set()


def takes_typing(widget: Widget | None) -> TypeGuard[Widget]:
    """An Input or a TextArea: the widgets whose keys are text. TextArea is recognised by
    its class, not imported for the check: its document, syntax and theme modules cost
    ~5 ms of the time to the first rows, and only the forms that use one import it."""
    if isinstance(widget, Input):
        return True
    return widget is not None and any(
        cls.__name__ == "TextArea" and cls.__module__.startswith("textual.") for cls in type(widget).__mro__
    )


def _freeze_gc(*, resume: bool = True) -> None:
    """Collect once, freeze what lives, and (`resume`) let the collector run again if
    start-up paused it (a no-op otherwise)."""
    import gc

    gc.collect()
    gc.freeze()
    if resume:
        startup.resume_gc()


def _freeze_gc_if_paused() -> None:
    """`_freeze_gc` for a first load still under way after GC_LOAD_PAUSE (nothing to do
    when it ended: its own collection has run and let the collector go)."""
    if startup.gc_paused():
        _freeze_gc()


def _runner(node: object, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        from textual.message_pump import MessagePump

        if isinstance(node, MessagePump):
            await node.run_action(action)  # type: ignore[attr-defined]

    return run

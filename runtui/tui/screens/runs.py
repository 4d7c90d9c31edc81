"""The main screen: the live run table, the filter, the detail split, and run control."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from runtui import display
from runtui.actions import decide, on_kind
from runtui.engine.health import Health, HealthState
from runtui.engine.store import Delta, Key
from runtui.errors import RuntuiError
from runtui.model import Action, Run, Status
from runtui.safe_text import one_line
from runtui.tui import clock
from runtui.tui.answering import asking
from runtui.tui.frames import after_frame, repaint_now
from runtui.tui.key_order import later
from runtui.tui.keymap import key_named
from runtui.tui.run_control import RunControl
from runtui.tui.switch import use_cropping_compositor
from runtui.tui.view_memory import ViewMemory, load_view, save_view
from runtui.tui.widgets.fitted_line import Said, summary_text
from runtui.tui.widgets.health_bar import HealthBar
from runtui.tui.widgets.keys_footer import KeysFooter, keys_footer
from runtui.tui.widgets.run_table import RunTable

if TYPE_CHECKING:  # imported when first shown: rich.syntax and pygments are not needed before
    from runtui.engine.workspace import Workspace
    from runtui.tui.host import AppHost
    from runtui.tui.widgets.detail_pane import DetailPane

WIDE = 150  # columns from which the detail opens beside the table instead of over it


class FilterInput(Input):
    """The filter box: applies each keystroke while the key is handled.

    Input.Changed arrives a message later, after the echo of the key has already
    been painted, so the filtered rows came one frame (17-33 ms) behind the key.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """Widget's own, without its layout: Input sets its virtual size to the text's width on
    every keystroke (for scrolling long text), and Widget's reactive lays the whole screen
    out for it, which then renders every widget again. The box's own size never depends
    on its text (one line, its width from the CSS), and the scroll offset is clamped
    against the attribute, not the layout. (Alone it measured within the noise of a 50,000
    run key; it is work the key never needed.)"""

    def __init__(self, on_value: Callable[[str], None], *, placeholder: str, id: str) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self._on_value = on_value

    def watch_value(self, value: str) -> None:
        self._on_value(value)


# The footer's keys that the selected run can grey out, as check_action sees them.
FOOTER_ACTIONS: tuple[tuple[str, tuple[object, ...]], ...] = (
    ("execute", ()), ("run_action", ("pause",)), ("run_action", ("resume",)),
    ("run_action", ("cancel",)),
)


# Store changes within this of the first are applied together (one frame for a beat).
GATHER_SECONDS = 0.05


class RunsScreen(Screen[None]):
    AUTO_FOCUS = "#runs"
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's own, without its repaint of the whole screen on every focus change: the
    widgets that gain and lose focus restyle and repaint themselves. Escape out of the
    filter box drew the screen twice (34 KB), once for the box's layout, once for this."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "execute", "Execute", id="runs.execute"),
        Binding("p", "run_action('pause')", "Pause", id="runs.pause"),
        Binding("r", "run_action('resume')", "Resume", id="runs.resume"),
        Binding("c", "run_action('cancel')", "Cancel", id="runs.cancel"),
        Binding("t", "run_action('retry')", "Retry", id="runs.retry", show=False),
        Binding("space", "mark", "Mark", id="runs.mark", show=False),
        # Priority: the app handles "/" as it reads it, so the keys read right after it
        # (fast typing over SSH, a paste) already go to the filter box, not the table;
        # after the keys read before it, though (runtui.tui.key_order: `l/` is the log's).
        Binding("slash", "filter", "Filter", id="runs.filter", key_display="/", priority=True),
        # ... and Enter closes the box as it is read, so the keys after it (Enter then c,
        # typed fast) go to the table, not into the box. Anywhere else Enter is the table's:
        # the help lists this row while the box is closed (`?` in the box is text), so it
        # says when it applies (it said "Close filter box" with no box open).
        Binding("enter", "filter_done", "Filter box: back to the table",
                id="runs.filter_done", show=False, priority=True),
        Binding("a", "active_only", "Active", id="runs.active"),
        Binding("s", "sort", "Sort", id="runs.sort", show=False),
        Binding("S", "reverse_sort", "Reverse sort", id="runs.reverse_sort", show=False),
        *(Binding(str(n), f"sort_column({n})", f"Sort by column {n}", id=f"runs.sort_{n}", show=False)
          for n in range(1, 10)),
        Binding("o", "next_profile", "Profile", id="runs.profile", show=False),
        Binding("ctrl+r", "refresh", "Refresh", id="runs.refresh", show=False),
        Binding("f", "freeze", "Pause refresh", id="runs.freeze", show=False),
        Binding("y", "copy_id", "Copy id", id="runs.copy", show=False),
        Binding("w", "watch_run", "Notify when done", id="runs.watch", show=False),
        Binding("R", "run_again", "Run again", id="runs.again", show=False),
        Binding("l", "logs", "Logs", id="runs.logs"),
        Binding("d", "diff", "Compare two marked", id="runs.diff", show=False),
        Binding("T", "toggle_tasks", "Tasks", id="runs.tasks", show=False),
        Binding("n", "next_failed(1)", "Next failed", id="runs.next_failed", show=False),
        Binding("N", "next_failed(-1)", "Previous failed", id="runs.previous_failed", show=False),
        Binding("escape", "back", "Back", id="runs.back", show=False),
        # The split's detail closes on `q` as the full-screen one does (and leaves the filter
        # and marks that escape would clear first); with no split open `q` is the app's quit.
        Binding("q", "close_detail", "Close the detail", id="runs.close_detail"),
        # The split's tabs from the table, as full screen: `[` `]` did nothing until Tab
        # moved the focus into the detail, and the footer did not say so.
        Binding("right_square_bracket", "detail_tab(1)", "Detail tab", id="runs.detail_next_tab",
                key_display="]"),
        Binding("left_square_bracket", "detail_tab(-1)", "Previous detail tab", id="runs.detail_prev_tab",
                key_display="[", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        use_cropping_compositor(self)  # ticking cells cost their own bytes, not the line's
        self.table = RunTable(id="runs")
        self.frozen = False
        self.profile_filter: str | None = None
        self._clock_said: dict[str, timedelta] = {}  # the server clock offsets said, by profile
        self._detail_open = False
        self._bindings_for: object = ()  # what the footer last greyed out
        # what the watchers were last told is on screen (and watched), and marked
        self._focus: tuple[set[Key], set[Key]] = (set(), set())
        self._pane: DetailPane | None = None  # the split detail, once shown
        self.tasks_scope = False  # the table shows tasks (T), not runs
        self._view_saved = ViewMemory()  # the sort and scope in the state dir (`view_memory`)
        self._view_writing = asyncio.Lock()
        self._gathered: list[Delta] = []  # store changes waiting for `_apply_gathered`
        self.control = RunControl(self, self.table, apply_gathered=self._apply_gathered,
                                  marks_cleared=self._update_summary,
                                  progress_changed=self._bulk_progressed)

    def compose(self) -> ComposeResult:
        yield Static("", id="summary", markup=False)  # it shows the filter as typed: "[/]" is no markup
        with Horizontal(id="body"):
            yield self.table
        # The filter box takes the health line's place while it is open (`/` to enter or
        # escape): the table keeps its size, so opening and closing it is not a new
        # layout of the whole screen (that was three full frames, ~49 KB at 200x50).
        # The filter itself shows in the summary line while it applies.
        yield FilterInput(self._filter_to, id="filter",
                          placeholder="filter: text; words AND-ed, status:failed p:prod wf:x since:2h")
        yield HealthBar(id="health")
        yield keys_footer()

    @property
    def ws(self) -> Workspace:
        return cast("AppHost", self.app).workspace

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.table.cursor_listener = self._keys_for_cursor
        self.table.select_listener = self.show_detail
        self.table.watch_runs(cast("AppHost", self.app).watched)
        self._open_as_left()
        self.table.set_runs(self.ws.store.runs.values())
        self._unsubscribe = self.ws.store.subscribe(self._on_delta)
        self.ws.health_listeners.append(self._on_health)
        self._show_read_only()
        self.query_one(HealthBar).update_all(self.ws.health)
        self._stop_keeping_top_once_loaded()
        self._update_summary()
        # The one-second tick falls just after the watchers' beats (whole seconds of the
        # loop clock, `ProfileWatcher.next_beat`) and takes the gathered changes with it:
        # the durations that tick and the rows that changed share one frame.
        now = asyncio.get_running_loop().time()
        self.set_timer(math.ceil(now) + GATHER_SECONDS - now, self._start_ticking)

    def _open_as_left(self) -> None:
        """The sort, "active only" and profile scope of the last session (a profile no
        longer in the config: all profiles). The summary line and the header's arrow say
        them, as when they are chosen by key."""
        memory = load_view()
        profile = memory.profile if memory.profile in self.ws.profile_names else None
        self.profile_filter = profile
        self.table.start_as(sort=memory.sort, reverse=memory.reverse,
                            active_only=memory.active_only, profile=profile)
        self._view_saved = memory

    def _remember_view(self) -> None:
        """Keep the view for the next start, once the frame of the key that changed it is
        out (only when it did change: nothing is written for a key that changed nothing)."""
        after_frame(self, self._save_view, name="remember-view")

    def _save_view(self) -> None:
        self.run_worker(self._write_view(), group="remember-view", name="remember-view")

    async def _write_view(self) -> None:
        """In a thread: the write is fsynced, and on a slow disk that froze the keys. One
        at a time, each of the view as it is when its turn comes: the last one is the latest."""
        async with self._view_writing:
            table = self.table
            now = ViewMemory(sort=table.sort_column, reverse=table.sort_reverse,
                             active_only=table.active_only, profile=self.profile_filter)
            if now != self._view_saved and await asyncio.to_thread(save_view, now):
                self._view_saved = now

    def _start_ticking(self) -> None:
        self._tick()
        self.set_interval(1.0, self._tick)

    def on_unmount(self) -> None:
        self._unsubscribe()
        if self._on_health in self.ws.health_listeners:
            self.ws.health_listeners.remove(self._on_health)

    # ---- live updates -----------------------------------------------------------------

    def _on_delta(self, delta: Delta) -> None:
        """Once the first listings are in, the changes of one beat are gathered.

        Every profile polls on the same beat (`ProfileWatcher.next_beat`) and their
        answers land within a few tens of milliseconds: applied together they cost one
        frame, not one per profile. Until then (the first rows) a change shows at once.
        """
        if not self.ws.first_listings_in:
            self._apply_deltas([delta])
            return
        if not self._gathered:
            asyncio.get_running_loop().call_later(GATHER_SECONDS, self._apply_gathered_when_due)
        self._gathered.append(delta)

    def _apply_gathered_when_due(self) -> None:
        """The end of a gathering, called by the event loop rather than by a Textual handler:
        a failure is said in a toast (as a poll's failure is said in the health bar), not
        lost in asyncio's log while the table silently stops changing."""
        try:
            self._apply_gathered()
        except Exception as exc:
            # The type only: the message may quote a run's fields, which are server text.
            self.notify(f"the table could not take the latest changes ({type(exc).__name__})",
                        severity="error", timeout=10)

    def _apply_gathered(self) -> None:
        gathered, self._gathered = self._gathered, []
        if gathered:  # empty when applied early (an action's end, a tick)
            self._apply_deltas(gathered)

    def _apply_deltas(self, deltas: list[Delta]) -> None:
        if not self.table.is_attached:
            return  # shutting down: the widgets went before the watchers stopped
        detail = self._detail()
        shown = detail.run.key if detail is not None and detail.run is not None else None
        for delta in deltas:
            self.table.apply_delta(delta)
            if detail is not None and shown is not None:
                for _old, new in delta.changed:
                    if new.key == shown:
                        detail.note_run(new)
        self._update_summary()

    def _on_health(self, health: Health) -> None:
        bars = self.query(HealthBar)
        if bars:  # none while shutting down
            bars.first().update_one(health)
        self._stop_keeping_top_once_loaded()

    def _stop_keeping_top_once_loaded(self) -> None:
        """The first listing of every profile is in (or failed), or none is watched: new runs
        no longer move the cursor to the top (`RunTable.stop_keeping_top`)."""
        if not self.ws.health or self.ws.first_listings_in:
            self.table.stop_keeping_top()

    def on_screen_resume(self) -> None:
        """Back from another screen (the profiles screen may have removed or added one):
        the health bar shows the profiles there are now."""
        bars = self.query(HealthBar)
        if bars:
            self._show_read_only()
            bars.first().update_all(self.ws.health)

    def _show_read_only(self) -> None:
        """The health bar marks the read-only profiles (the profiles screen may change them)."""
        names = frozenset(n for n in self.ws.profile_names if self.ws.read_only(n))
        self.query_one(HealthBar).set_read_only(names)

    def on_resize(self, _event: events.Resize) -> None:
        """A new width fits more of the summary's words, or fewer: after the layout."""
        self.call_after_refresh(self._update_summary)

    def _tick(self) -> None:
        self._apply_gathered()
        self.table.tick()
        self.query_one(HealthBar).tick()
        self._update_focus()
        self._update_summary()  # the attention count changes without a run delta (inbox polls)
        self._check_clocks()

    def _check_clocks(self) -> None:
        """Count the times of a profile's runs on its server's clock when that is a minute or
        more off ours, and say so once. A server clock ahead showed its new runs created
        "in 14m50s" and its running ones at a DURATION of 0s for as long as it lasted."""
        if not clock.set_offsets(self.ws.clock_offsets()):
            return
        self.table.clock_moved()  # (the attention queue takes the same offsets at its tick)
        news: dict[str, list[str]] = {}  # what to say -> the profiles it is said of (one server: one toast)
        for name, offset in sorted(clock.offsets.items()):
            if self._clock_said.get(name) == offset:
                continue
            self._clock_said[name] = offset
            seconds = offset.total_seconds()
            how = "ahead of" if seconds > 0 else "behind"
            news.setdefault(f"{_amount(abs(seconds))} {how} this machine's", []).append(one_line(name))
        for said, names in news.items():
            whose, its = (f"{names[0]}'s clock is", "its") if len(names) == 1 else \
                (f"{', '.join(names)}: their clocks are", "their")
            self.notify(f"{its} runs' CREATED, UPDATED and DURATION are counted on {its} clock",
                        title=f"{whose} {said}", severity="warning", timeout=10)

    def _update_focus(self) -> None:
        """Tell the watchers what is on screen (and watched or marked): read those first."""
        if self.tasks_scope:
            return  # the rows are tasks: the run watchers keep what they had
        keys = {*self.table.on_screen_keys(), *cast("AppHost", self.app).watched}
        marks = set(self.table.marks)
        if (keys, marks) != self._focus:
            self._focus = (keys, marks)
            self.ws.set_focus(keys, marks)

    def on_detail_control(self, name: str, run: Run) -> None:
        """A run key pressed in the detail screen (through the app): as in the table, this run only."""
        if name == "watch":
            self._toggle_watch(run)
            return
        # The run shown in the detail, never the table's cursor: a filter (active only)
        # may hide it, and then the cursor stays on another run.
        self.table.move_cursor_to(run.key)
        if name == "execute":
            self.control.execute(run)
        elif name == "again":
            self.control.run_again(run)
        else:
            self.request_action(on_kind(Action(name), run), [run])  # a task's c stops it

    def _bulk_progressed(self) -> None:
        """A bulk action's count on the summary line; none once the screen is being taken
        down (the action's worker is cancelled then, and its last count has no line)."""
        if self.query("#summary"):
            self._update_summary()

    def _update_summary(self) -> None:
        counts = [(status, n) for status, n in self.table.counts().items() if n]
        parts = Said(count_wordings(counts)) if counts else None
        noun = "tasks" if self.tasks_scope else "runs"
        head = [Said((self.profile_filter or "all profiles", self.profile_filter or "all")),
                Said((f"{self.table.visible_count}/{self.table.total_count} {noun}",))]
        # A bulk action under way first (what the user just did, while it lasts), then the
        # states (they change what the table shows), then the attention count, the filter
        # last (its text may be long); each shortened before anything is cut.
        flags = [Said(progress.wordings()) for progress in self.control.under_way]
        if self.tasks_scope:
            tasks = key_named(self, "runs.tasks")
            flags.append(Said((f"tasks ({tasks}: back to runs)", f"tasks ({tasks})")))
        down = self._profiles_down()
        if down:
            some = f"{down} profile{'s' if down > 1 else ''}"
            flags.append(Said((f"stale: {some} down", f"stale: {down} down", "stale")))
        if self.frozen:
            flags.append(Said(("refresh paused", "paused")))
        if self.table.active_only:
            flags.append(Said(("active only", "active")))
        marked = len(self.table.marks)
        if marked:
            hidden = marked - len(self.table.marked_runs(visible_only=True))
            some = f" ({hidden} hidden)" if hidden else ""
            clears = key_named(self, "runs.back")
            # the hidden ones are said at every width: an action on the marks touches them too
            flags.append(Said((f"{marked} marked{some} ({clears} clears)", f"{marked} marked{some}",
                               f"{marked} marked" + (f", {hidden} hidden" if hidden else ""))))
        alerts = getattr(self.app, "alerts", None)
        if alerts is not None and alerts.count:
            key = key_named(self, "app.attention")
            flags.append(Said((f"{alerts.count} need attention ({key})", f"{alerts.count} need attention",
                               f"!{alerts.count}")))
        if self.table.filter_text:
            flags.append(Said((f"filter: {self.table.filter_text}", f"/{self.table.filter_text}")))
        summary = self.query_one("#summary", Static)
        width = summary.content_region.width or None
        text = summary_text(head, flags, parts, width)
        if getattr(summary, "_last", None) != text:
            summary._last = text  # type: ignore[attr-defined]
            summary.update(text, layout=False)
            # Handed to the screen now: the key that changed it may already have asked for
            # the frame (the table's cursor listener), which would otherwise go without it.
            repaint_now(summary)
        # What the summary says (marks, filter, scope, pause) also greys keys out: the
        # footer followed only the cursor, and kept Cancel enabled after esc cleared the marks.
        self._keys_for_cursor(self.table.cursor_run)

    def _profiles_down(self) -> int:
        """The profiles in scope whose reads fail: their rows are what was last read. In an
        outage the rows looked live and only the health line, cut at 80 columns, said so."""
        if self.tasks_scope:
            return 0
        shown = [self.profile_filter] if self.profile_filter else list(self.ws.health)
        return sum(1 for name in shown
                   if (h := self.ws.health.get(name)) is not None and h.state is HealthState.ERROR)

    # ---- detail -----------------------------------------------------------------------

    def _detail(self) -> DetailPane | None:
        pane = self._pane
        return pane if pane is not None and pane.is_attached else None

    @on(RunTable.Selected)
    def open_detail(self, event: RunTable.Selected) -> None:
        self.show_detail(event.run)

    def show_detail(self, run: Run) -> None:
        from runtui.tui.screens.detail import DetailScreen

        if self.size.width >= WIDE:
            pane = self._detail()
            if pane is None:
                from runtui.tui.widgets.detail_pane import DetailPane

                pane = self._pane = DetailPane(id="detail")
                self.query_one("#body").mount(pane)
            pane.show_run(run)
            self._detail_open = True
            self.refresh_bindings()  # `q` closes the split now, not the app
        else:
            self.app.push_screen(DetailScreen(run))

    def action_logs(self) -> None:
        """The run under the cursor's log, full screen."""
        from runtui.tui.screens.logs import LogScreen

        run = self.table.cursor_run
        if run is None:
            self.notify("no run selected", severity="warning", timeout=3)
            return
        self.app.push_screen(LogScreen(run))

    def action_diff(self) -> None:
        """The two marked runs side by side (marks from any profile or provider)."""
        from runtui.tui.screens.diff import DiffScreen

        marked = self.table.marked_runs()
        if len(marked) != 2:
            mark = key_named(self, "runs.mark")
            self.notify(f"mark two runs with {mark} to compare them ({len(marked)} marked)",
                        severity="warning", timeout=4)
            return
        self.app.push_screen(DiffScreen(self.ws, marked[0], marked[1]))

    @on(RunTable.CursorMoved)
    def follow_cursor(self, event: RunTable.CursorMoved) -> None:
        pane = self._detail()
        if pane is not None and event.run is not None and self._detail_open:
            pane.show_run(event.run)

    def action_back(self) -> None:
        """Escape undoes one thing at a time: the filter, then the marks, then the pane."""
        flt = self.query_one("#filter", Input)
        if flt.display or self.table.filter_text:
            flt.value = ""
            self._filter_box(False)
            self.table.set_filter("")
            self.table.focus()
            self._update_summary()
            return
        if self.table.marks:
            count = len(self.table.marks)
            self.table.clear_marks()
            self._update_summary()
            self.notify(f"{count} mark(s) cleared", timeout=2)
            return
        self.action_close_detail()

    def action_close_detail(self) -> None:
        """The split's detail closes; the filter, marks and scope stay as they were."""
        pane = self._detail()
        if pane is not None:
            pane.remove()
            self._pane = None
            self._detail_open = False
            self.table.focus()
            self.refresh_bindings()  # `q` quits again

    def action_detail_tab(self, step: int) -> None:
        pane = self._detail()
        if pane is not None:
            pane.action_switch_tab(step)

    # ---- filter / view ----------------------------------------------------------------

    def action_filter(self) -> None:
        if later(self.app):  # read with keys still on their way (`l/`): after them
            return
        flt = self.query_one("#filter", Input)
        pane = self._detail()
        typing = self.focused if isinstance(self.focused, Input) else None
        if typing is not None and (typing is flt or (pane is not None and pane.has_focus_within)):
            # "/" is a priority key: in the filter box (or the log's search box) it is text,
            typing.post_message(events.Key("slash", "/"))  # queued behind the keys before it
            return
        if pane is not None and pane.has_focus_within and pane.find_in_log():
            return  # in the split's Logs tab, `/` finds in the log as it does full screen
        self._filter_box(True)
        # Synchronously, not focus(): keys typed right after "/" (or pasted) must
        # land in the filter, not trigger the table's bindings.
        self.set_focus(flt)

    def _filter_box(self, shown: bool) -> None:
        """The filter box or the health line, on the same line (one at a time). A closed
        box gives the keys back to the table at once (not `focus()`, which waits a turn
        of the loop: a key typed right after Enter went into the hidden box)."""
        flt = self.query_one("#filter", Input)
        flt.display = shown
        self.query_one(HealthBar).display = not shown
        if not shown and self.focused is flt:
            self.set_focus(self.table)

    def show_filter(self, text: str, *, history: bool = False) -> None:
        """Apply `text` as the filter (the workflows view's `enter`); `/` edits it.
        `history`: the runs asked for include finished ones, so "active only" goes off
        (the workflow's failures it was opened for were hidden), and a toast says so."""
        if history and self.table.active_only:
            self.table.set_active_only(False)
            self._remember_view()
            self.notify("active only is off: the workflow's finished runs show too "
                        f"({key_named(self, 'runs.active')}: back on)", timeout=5)
        flt = self.query_one("#filter", Input)
        flt.value = text
        self._filter_to(text)
        self._filter_box(False)
        self.table.focus()

    def _filter_to(self, text: str) -> None:
        if text != self.table.filter_text:
            self.table.set_filter(text)
            self._update_summary()
            table = self.table
            scrollbars = [table.vertical_scrollbar] if table.show_vertical_scrollbar else []
            repaint_now(table, *scrollbars, self.query_one("#summary", Static))

    def action_filter_done(self) -> None:
        """Enter in the filter box: back to the table, the filter kept (the summary shows
        it, `/` edits it, escape clears it) and the health line back."""
        if self.focused is not self.query_one("#filter", Input):
            raise SkipAction()  # Enter for whatever has the focus
        if later(self.app):  # after the keys typed before it (a backspace on its way)
            return
        self._filter_box(False)

    def action_active_only(self) -> None:
        self.table.set_active_only(not self.table.active_only)
        self._update_summary()
        self._remember_view()

    def action_sort(self) -> None:
        self.table.cycle_sort()
        self._remember_view()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()
        self._remember_view()

    def action_sort_column(self, position: int) -> None:
        """1-9: sort by the Nth column shown; the same digit again reverses it."""
        if not self.table.sort_by_position(position):
            self.notify(f"no column {position} at this width", severity="warning", timeout=3)
        self._remember_view()

    def action_next_profile(self) -> None:
        names = [None, *self.ws.profile_names]
        idx = names.index(self.profile_filter) if self.profile_filter in names else 0
        self.profile_filter = names[(idx + 1) % len(names)]
        self.table.set_profile_filter(self.profile_filter)
        self._update_summary()
        self._remember_view()

    def action_refresh(self) -> None:
        self.ws.refresh_now()
        pane = self._detail()
        if pane is not None:
            pane.refresh_now()
        self.notify("refreshing", timeout=1)

    def action_freeze(self) -> None:
        self.frozen = not self.frozen
        self.ws.set_paused(self.frozen)
        self._update_summary()

    def action_mark(self) -> None:
        """Mark or unmark the cursor run and move down, so space, space marks a run of rows."""
        self.table.toggle_mark()
        self.table.action_cursor_down()
        self._update_summary()

    def action_next_failed(self, step: int) -> None:
        """Jump to the next (1) or previous (-1) failed run in the table, wrapping around."""
        runs = self.table.visible_runs()
        failed = [i for i, run in enumerate(runs) if run.status is Status.FAILED]
        if not failed:
            self.notify("no failed run in view", timeout=2)
            return
        keys = [r.key for r in runs]
        here = keys.index(self.table.cursor_key) if self.table.cursor_key in keys else -1
        after = [i for i in failed if (i > here if step > 0 else i < here)]
        target = (after[0] if step > 0 else after[-1]) if after else (failed[0] if step > 0 else failed[-1])
        self.table.move_cursor_to(runs[target].key)

    def action_copy_id(self) -> None:
        run = self.table.cursor_run
        if run is not None:
            self.notify(cast("AppHost", self.app).copy_id(run.id), timeout=4)

    def action_toggle_tasks(self) -> None:
        """T: the table shows the task profiles' tasks (Wexa), then runs again. Tasks are
        read only while shown, into their own store; p, r and c (stop) act on them through
        the same allowed-actions table, confirmation, read-only gate and journal."""
        ws = self.ws
        if not self.tasks_scope and not ws.task_profiles():
            self.notify("no profile's platform has tasks", severity="warning", timeout=4)
            return
        self.tasks_scope = not self.tasks_scope
        self.table.clear_marks()
        self._unsubscribe()
        # The old store's changes still waiting for their frame are in what set_runs reads;
        # applied after it they would put runs among the tasks (or tasks among the runs).
        self._gathered = []
        store = ws.task_store if self.tasks_scope else ws.store
        self.table.set_runs(store.runs.values())
        self._unsubscribe = store.subscribe(self._on_delta)
        ws.show_tasks(self.tasks_scope, on_error=self._task_trouble)
        self._focus = (set(), set())
        self._update_focus()
        self._update_summary()
        self.refresh_bindings()

    def _task_trouble(self, profile: str, exc: RuntuiError) -> None:
        self.notify(str(exc), title=f"{profile}: tasks", severity="error", timeout=8)

    def action_watch_run(self) -> None:
        run = self.table.cursor_run
        if run is not None:
            self._toggle_watch(run)

    def _toggle_watch(self, run: Run) -> None:
        """`w`: announce this run's end (◉ on its row); `w` again stops watching it."""
        watched = cast("AppHost", self.app).watched
        if run.key in watched:
            watched.discard(run.key)
            self.notify(f"no longer watching {display.short_id(run.id)}", timeout=2)
        elif run.status.terminal:
            self.notify(f"{display.short_id(run.id)} has already ended ({run.status.value})", timeout=3)
            return
        else:
            watched.add(run.key)
            self.notify(f"will notify when {display.short_id(run.id)} finishes (◉)", timeout=2)
        self.table.restyle(run.key)

    # ---- control ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Greys out footer keys the selected run's state does not allow (None = disabled),
        and every key while `r` reads what a run asks: what is typed next is the answer."""
        if action == "close_detail":
            return self._detail() is not None  # False: the key goes on to the app's quit
        if action == "detail_tab":
            return self._detail() is not None  # hidden from the footer with no split open
        if asking(self.app):
            return None
        if action == "run_action" and parameters:
            run = self.table.cursor_run
            if run is None and not self.table.marks:
                return None
            if run is not None and not self.table.marks:
                act = on_kind(Action(str(parameters[0])), run)
                ok = decide(run, act, read_only=self.control.read_only(run.profile),
                            busy=self.control.busy(run))
                return True if ok else None
        if action == "execute":
            run = self.table.cursor_run
            if run is not None and self.control.read_only(run.profile):
                return None
        return True

    def key_description(self, binding: Binding) -> str | None:
        """The footer's words for a key (runtui.tui.widgets.keys_footer): on tasks `c`
        stops (the platform's word), and the confirmation says "Stop" too."""
        if self.tasks_scope and binding.action == "run_action('cancel')":
            return "Stop"
        return None

    def on_run_table_cursor_moved(self, event: RunTable.CursorMoved) -> None:
        self._update_focus()  # a scroll brings other rows on screen: read those first
        self._keys_for_cursor(event.run)  # (done already, unless the listener was not set)

    def _keys_for_cursor(self, _run: Run | None) -> None:
        """The table's `cursor_listener`: the footer's keys for the new cursor run, in the
        same frame as the table (`a` or `o` moving the cursor painted the footer one or
        two frames later, ~30 ms after its key, when the CursorMoved message came).

        Repaint the footer only when the keys it greys out actually change: a cursor move
        must cost one or two lines, not the footer too. Only what the footer shows counts
        (hidden bindings such as retry do not)."""
        signature = tuple(self.check_action(action, params) for action, params in FOOTER_ACTIONS)
        if signature != self._bindings_for:
            self._bindings_for = signature
            footer = self.query_one(KeysFooter)
            footer.sync(self)  # now, with the table's frame, not when the screen is next idle
            repaint_now(footer)
            self.refresh_bindings()

    def on_key(self, _event: events.Key) -> None:
        """Any key ends the cursor's keeping to the top row (`RunTable.stop_keeping_top`)."""
        self.table.stop_keeping_top()

    def answer_greyed(self, name: str, params: tuple[object, ...]) -> bool:
        """A greyed-out key still answers when pressed: it says why nothing is sent
        (asked by the app, runtui.tui.greyed_keys).

        Textual skips a binding whose check_action is falsy, so without this a refused
        key (pause on an Edges run, anything on a read-only profile) would do nothing at all.
        """
        if self.focused is not self.table or asking(self.app):
            return False
        if name == "run_action" and params:
            self.action_run_action(str(params[0]))
            return True
        if name == "execute":
            self.control.open_execute(self.table.cursor_run, same_inputs=False)
            return True
        return False

    def answer_key(self) -> str | None:
        """`r` (or its [keymap] key): the split's detail pane shows it by a waiting run."""
        return key_named(self, "runs.resume")

    def refresh_key(self) -> str:
        """The key that reads the split's run again, for the pane's "^r reads"."""
        return key_named(self, "runs.refresh")

    def action_run_action(self, name: str) -> None:
        """The key acts on the marked runs when there are any (always asked, listing them,
        hidden ones said so), else on the cursor's run. On tasks, `c` stops (a task is
        stopped, not cancelled: the platform's word, `actions.on_kind`)."""
        marked = self.table.marked_runs()
        targets = marked or ([self.table.cursor_run] if self.table.cursor_run is not None else [])
        if not targets:
            self.notify("no run selected", severity="warning")
            return
        # one scope at a time (T): the marks are all runs or all tasks, as the cursor's row
        self.request_action(on_kind(Action(name), targets[0]), targets, from_marks=bool(marked))

    def request_action(self, action: Action, targets: list[Run], *, from_marks: bool = False) -> None:
        self.control.request_action(action, targets, from_marks=from_marks)

    def action_execute(self) -> None:
        self.control.execute(self.table.cursor_run)

    def action_run_again(self) -> None:
        """The cursor's run only (a new run is started from one run's inputs); with marks
        it says so, as the other keys act on the marked runs."""
        marked = len(self.table.marks)
        if marked and self.table.cursor_run is not None:
            self.notify(f"run again starts from one run: the cursor's ({marked} marked not used)",
                        timeout=4)
        self.control.run_again(self.table.cursor_run)


def _amount(seconds: float) -> str:
    """A clock offset in words at minute grain ("15m", "2h05m"): the `Date` header it is
    read from says whole seconds, and a network delay more."""
    minutes = round(seconds / 60)
    return f"{minutes}m" if minutes < 60 else display.duration(minutes * 60)


def count_wordings(counts: list[tuple[Status, int]]) -> tuple[str, str, str]:
    """The runs per status: in words, in symbols, and in symbols with the failed count
    first. The last is for a line too narrow for all of them: cut at its end, it keeps
    the count that most needs seeing."""
    words = ", ".join(f"{n} {status.value}" for status, n in counts)
    symbols = [f"{display.SYMBOL[status]}{n}" for status, n in counts]
    failed_first = sorted(counts, key=lambda count: count[0] is not Status.FAILED)
    return words, " ".join(symbols), " ".join(f"{display.SYMBOL[s]}{n}" for s, n in failed_first)

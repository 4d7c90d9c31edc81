"""One run in full, kept fresh while open: overview, timeline, steps, outputs and raw JSON.

The pane never builds requests: a `DetailFollower` reads the run through its
provider and hands back `RunDetail`s. Each update only touches the widgets whose
content changed, so the user's tab, tree expansion and scroll positions survive.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast, runtime_checkable

import msgspec
from rich.cells import cell_len
from rich.style import Style
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane, Tabs, TextArea, Tree
from textual.worker import Worker, WorkerState

from runtui import display
from runtui.actions import PER_RUN, can_execute, decide, table_for
from runtui.engine.detail import DetailFollower
from runtui.errors import ConfigError, ProviderError
from runtui.model import Run, RunDetail, Status, Step, TimelineEntry
from runtui.safe_text import multi_line, one_line
from runtui.tui import clock as tui_clock
from runtui.tui.answering import AnswersByKey, answers_of
from runtui.tui.guard import guard
from runtui.tui.looks import themed
from runtui.tui.widgets.log_panel import LogPanel
from runtui.tui.widgets.steps_tree import STATUS_STYLE, StepsTree, step_details

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace
    from runtui.tui.host import AppHost

@runtime_checkable
class RefreshesByKey(Protocol):
    """A screen the pane is on whose key reads the run again (the runs list, the detail):
    the pane's status line names it, as the [keymap] left it."""

    def refresh_key(self) -> str:
        ...


MAX_ROWS = 200  # output rows shown
MAX_COLUMNS = 50  # output columns shown
MAX_CELL = 80  # characters per output cell
RAW_LIMIT = 200_000  # characters of pretty raw JSON shown
SYNTAX_LIMIT = 64_000  # above this the raw JSON is shown without highlighting (a virtual TextArea)
TABS = ("tab-overview", "tab-steps", "tab-logs", "tab-outputs", "tab-raw")


_UNSET: Any = object()


def _now() -> datetime:
    return datetime.now(UTC)


class RawText(msgspec.Struct, frozen=True):
    """The raw JSON as displayed: pretty, maybe cut, and the note that says so."""

    text: str
    note: str = ""


def whole_raw_command(run: Run | None) -> str:
    """The CLI command that prints all of a run's raw JSON, quoted for a shell."""
    if run is None:
        return "runtui runs show RUN_ID --profile PROFILE --json"
    return (f"runtui runs show {shlex.quote(one_line(run.id))} "
            f"--profile {shlex.quote(run.profile)} --json")


def format_raw(raw: Any, limit: int = RAW_LIMIT, whole: str = whole_raw_command(None)) -> RawText:
    """Pretty JSON of `raw`, cut at `limit` characters without encoding the rest; a cut
    says which command (`whole`) prints all of it.

    Safe to call in a thread; for 10 MB of output it stops once `limit` is reached.
    """
    if raw is None:
        return RawText("", "no raw JSON for this run")
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, default=str)
    parts: list[str] = []
    size = 0
    cut = False
    for chunk in encoder.iterencode(raw):
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            cut = True
            break
    # JSON escapes C0 controls, but with ensure_ascii=False not DEL, C1 or bidi controls.
    text = multi_line("".join(parts))
    if not cut:
        return RawText(text)
    total = len(json.dumps(raw, ensure_ascii=False, default=str))  # C encoder: fast
    text = text[:limit]
    text = text[: text.rfind("\n") + 1] if "\n" in text else text
    note = (f"raw JSON truncated for display: {_size(total)} compact, showing the first "
            f"{_size(len(text))} (all of it: {whole})")
    return RawText(text, note)


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} KB"
    return f"{n} B"


def cell(value: Any, width: int = MAX_CELL) -> str:
    """One table cell: strings as they are (made harmless), the rest as compact JSON, one line,
    capped."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    text = one_line(text.replace("\r\n", "\n").replace("\n", " ⏎ ").replace("\t", " "))
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text


def output_columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


class DetailPane(Vertical):
    """The detail of one run. `show_run()` opens a run; the pane follows it until another opens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "switch_tab(1)", "Next tab", id="detail.next_tab",
                key_display="]", show=False),
        Binding("left_square_bracket", "switch_tab(-1)", "Prev tab", id="detail.prev_tab",
                key_display="[", show=False),
        Binding("down", "enter_tab", "Into the tab", id="detail.enter_tab", show=False),
        Binding("slash", "find_in_log", "Find in the log", id="detail.find", key_display="/", show=False),
    ]

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
    }
    DetailPane #overview-fields {
        height: auto;
    }
    """

    def __init__(self, *, clock: Callable[[], datetime] | None = None, tz: tzinfo | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.clock: Callable[[], datetime] = clock or _now
        self.tz = tz  # None: the local zone
        self._run: Run | None = None
        self._detail: RunDetail | None = None
        self._follower: DetailFollower | None = None
        self._gen = 0  # bumps on every show_run; late results of an older run are dropped
        self._last_ok: datetime | None = None
        self._error: str | None = None
        self._gone: datetime | None = None  # since when the platform answers 404 for the run
        self._shown: dict[str, object] = {}  # widget id -> what it shows now
        self._raw_source: Any = _UNSET  # the raw object shown (compared by identity, then equality)
        self._raw_seq = 0

    # ---- public API --------------------------------------------------------------------

    @property
    def run(self) -> Run | None:
        """The run shown (the newest of its detail and the table's summary), or None."""
        return self._run

    @property
    def detail(self) -> RunDetail | None:
        """The last good detail read for the shown run."""
        return self._detail

    @property
    def error(self) -> str | None:
        """The last read error, shown while the data is stale; None once a read succeeds."""
        return self._error

    @property
    def follower(self) -> DetailFollower | None:
        return self._follower

    def show_run(self, run: Run) -> None:
        """Open `run` (starting to follow it), or take a newer summary when it is already open."""
        if self._run is not None and self._run.key == run.key and self._follower is not None:
            self.note_run(run)
            return
        self._gen += 1
        self._run = run
        self._detail = None
        self._error = None
        self._gone = None
        self._last_ok = None
        self._follower = None
        self._raw_source = _UNSET
        self._raw_seq += 1
        self._shown.clear()
        if self.is_mounted:
            self._reset_views()
            self._render_run()
            self._start_following(run)
            self._sync_logs()
        # Before mount: on_mount starts the follower.

    def note_run(self, run: Run) -> None:
        """The table saw a newer summary of the open run: show it and read the detail again."""
        current = self._run
        if current is None or current.key != run.key or current == run:
            return
        if (current.updated_at is not None and run.updated_at is not None
                and run.updated_at < current.updated_at):
            return  # older than what the detail already said
        self._run = run
        changed = (run.status, run.raw_status) != (current.status, current.raw_status)
        if self.is_mounted:
            self._render_run()
        if changed and self._follower is not None:
            self._follower.refresh_now()

    def refresh_now(self) -> None:
        """Read the run again now (also wakes a finished run's follower)."""
        if self._follower is not None:
            self._follower.refresh_now()
        elif self._run is not None and self.is_mounted:
            self._start_following(self._run)

    # ---- compose / lifecycle -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title", markup=False)
        with TabbedContent(id="detail-tabs", initial="tab-overview"):
            with TabPane("Overview", id="tab-overview"), VerticalScroll(id="overview-scroll"):
                yield Vertical(id="overview-fields")
                yield Static("", id="overview-timeline", markup=False)
            with TabPane("Steps", id="tab-steps"):
                yield StepsTree(clock=self.clock, id="steps-tree")
                yield Static("", id="step-info", markup=False)
            with TabPane("Logs", id="tab-logs"):
                yield Vertical(id="logs-holder")
            with TabPane("Outputs", id="tab-outputs"), VerticalScroll(id="outputs-scroll"):
                yield Static("Inputs", id="inputs-label", classes="detail-heading", markup=False)
                yield DataTable(id="inputs-table", show_cursor=True, zebra_stripes=False)
                yield Static("Outputs", id="outputs-label", classes="detail-heading", markup=False)
                yield DataTable(id="outputs-table", show_cursor=True)
            with TabPane("Raw JSON", id="tab-raw"):
                yield Static("", id="raw-note", markup=False)
                with VerticalScroll(id="raw-scroll"):
                    yield Static("", id="raw-syntax", markup=False)
                yield TextArea("", id="raw-text", read_only=True, soft_wrap=False,
                               show_line_numbers=False)
        yield Static("", id="detail-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(StepsTree).tz = self.tz
        self.query_one("#raw-text", TextArea).display = False
        self.query_one("#raw-note", Static).display = False
        self.query_one("#inputs-table", DataTable).cursor_type = "row"
        self.query_one("#outputs-table", DataTable).cursor_type = "cell"
        self._reset_views()
        self._render_run()
        self.set_interval(1.0, self._tick)
        if self._run is not None and self._follower is None:
            self._start_following(self._run)

    # ---- following ---------------------------------------------------------------------

    @property
    def _workspace(self) -> Workspace:
        return cast("AppHost", self.app).workspace

    # ---- the Logs tab: a LogPanel for the shown run, only while the tab is open ---------

    @on(TabbedContent.TabActivated, "#detail-tabs")
    def _tab_changed(self) -> None:
        self._sync_logs()
        # A key must never land on a widget the switch just hid (`]`, `[` and the arrows
        # then did nothing): focus that was in a tab goes to the tab bar, where `]`, `[`,
        # left, right and ↓ (into the tab) all work. Not into the new tab's content:
        # focusing inside a pane makes TabbedContent switch to it, a message later, which
        # would undo a second `]` pressed in between.
        focused = self.app.focused
        if focused is None or (not isinstance(focused, Tabs) and self in focused.ancestors):
            self.query_one(Tabs).focus()

    CONTENT: ClassVar[dict[str, str]] = {
        "tab-overview": "#overview-scroll", "tab-steps": "#steps-tree", "tab-logs": "#log-view",
        "tab-outputs": "#inputs-table", "tab-raw": "#raw-scroll",
    }

    def focus_content(self) -> None:
        """Focus the open tab's main widget (the log view, the steps tree, …)."""
        active = self.query_one(TabbedContent).active
        found = self.query(self.CONTENT.get(active, "#overview-scroll"))
        if active == "tab-raw" and self.query_one("#raw-text", TextArea).display:
            found = self.query("#raw-text")
        target = next(iter(found), None)
        if target is not None and target.focusable:
            target.focus()

    def find_in_log(self) -> bool:
        """`/` on the Logs tab opens its search wherever the focus is in the pane (on the
        tab bar it did nothing, with no hint that ↓ came first); False elsewhere."""
        if self.query_one(TabbedContent).active != "tab-logs":
            return False
        panel = next(iter(self.query(LogPanel)), None)
        if panel is None:
            return False
        panel.action_search()
        return True

    def action_find_in_log(self) -> None:
        if not self.find_in_log():
            raise SkipAction()

    def action_enter_tab(self) -> None:
        """↓ on the tab bar goes into the tab (the steps tree said ↑/↓ and did nothing)."""
        if not isinstance(self.app.focused, Tabs):
            raise SkipAction()
        self.focus_content()

    def _sync_logs(self) -> None:
        """Follow the shown run's log while the Logs tab is open; let go otherwise, so a
        detail that is only glanced at costs no log reads."""
        holder = self.query_one("#logs-holder", Vertical)
        open_tab = self.query_one(TabbedContent).active == "tab-logs"
        current = next(iter(holder.query(LogPanel)), None)
        wanted = self._run if open_tab else None
        if current is not None and (wanted is None or current.run.key != wanted.key):
            current.stop()
            current.remove()
            current = None
        if wanted is not None and current is None:
            holder.mount(LogPanel(wanted, id="detail-logs", tz=self.tz))

    def _start_following(self, run: Run) -> None:
        gen = self._gen
        try:
            ws = self._workspace
            provider = ws.provider(run.profile)
            profile = ws.config.profiles.get(run.profile)
            interval = (profile.refresh_seconds if profile and profile.refresh_seconds
                        else ws.config.defaults.refresh_seconds)
        except ConfigError as exc:
            self.workers.cancel_group(self, "detail")
            self._follower = None
            self._set_error(f"config: {exc}")
            return

        def on_update(detail: RunDetail) -> None:
            ws.store.note_error(detail.run)  # the row says the error its listing did not
            if gen == self._gen:
                self._apply(detail)

        def on_error(exc: ProviderError) -> None:
            if gen == self._gen:
                if exc.status == 404 and self._gone is None:
                    self._gone = self.clock()
                self._set_error(str(exc))
                self._render_run()  # a run gone stops its clock

        follower = DetailFollower(provider, run, interval=interval, on_update=on_update,
                                  on_error=on_error, paused=lambda: ws.paused, shown=ws.store.shown)
        self._follower = follower
        self._set_status()
        self.run_worker(guard(self, follower.follow(), "following the run"), exclusive=True, group="detail",
                        name="detail follower", exit_on_error=False)

    def show_failure(self, text: str) -> None:
        """The follower stopped on a bug or an unexpected answer, not a ProviderError
        (runtui.tui.guard): said, secrets masked, the data kept."""
        self._follower = None
        self._set_error(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "detail-raw" and event.state is WorkerState.ERROR:
            self._show_raw(RawText("", f"cannot show raw JSON: {worker.error}"))

    # ---- applying a detail -------------------------------------------------------------

    def _apply(self, detail: RunDetail) -> None:
        if self._run is not None and detail.run.key != self._run.key:
            return
        previous = self._detail
        self._detail = detail
        self._run = detail.run
        self._error = None
        self._gone = None
        self._last_ok = self.clock()
        self._render_run()
        if previous is None or previous.steps != detail.steps:
            self.query_one(StepsTree).set_steps(detail.steps)
            self._render_step_info()
        if previous is None or previous.inputs != detail.inputs:
            self._render_inputs(detail.inputs)
        if previous is None or previous.outputs != detail.outputs:
            self._render_outputs(detail.outputs)
        self._render_raw(detail.raw)

    def _set_error(self, message: str) -> None:
        self._error = message
        self._set_status()

    def _render_run(self) -> None:
        """Title, overview, timeline and status line: the parts that depend on the run and the clock."""
        if not self.is_mounted:
            return
        now = self._run_clock()
        self._update("detail-title", self._title(now))
        self._show_overview(self._overview(now))
        self._update("overview-timeline", self._timeline())
        self._set_status()

    def _show_overview(self, rows: list[tuple[str, Text]]) -> None:
        """One widget a field, updated only when its own line changed: as one grid, a tick
        of `created … (9m39s ago)` rewrote every line of the overview each second (5 KB/s
        over SSH at 200x50 for a run finished long ago)."""
        box = self.query_one("#overview-fields", Vertical)
        key_width = max((cell_len(key) for key, _value in rows), default=0)
        lines = [(key_width, key, value) for key, value in rows]
        shown = cast("list[tuple[int, str, Text]]", self._shown.get("overview-fields", []))
        if lines == shown:
            return
        self._shown["overview-fields"] = lines
        fields = list(box.query_children(Static))
        if len(fields) != len(lines):
            box.remove_children()
            box.mount_all(Static(self._grid([(key, value)], width), markup=False)
                          for width, key, value in lines)
            return
        for i, (widget, line) in enumerate(zip(fields, lines, strict=True)):
            if i >= len(shown) or line != shown[i]:
                widget.update(self._grid([(line[1], line[2])], line[0]))

    def _run_clock(self) -> datetime:
        """Now, for the run's times; for a run its platform no longer has, when it was
        last read: it is not running any more ("▶ running" with a ticking duration)."""
        if self._gone is not None:
            return self._last_ok or self._gone
        now = self.clock()
        if self._run is not None:  # its times on its server's clock, as the table counts them
            now = tui_clock.server_now(self._run.profile, now)
        return now

    def _tick(self) -> None:
        run = self._run
        if run is None:
            return
        self._render_run()
        self._set_status()  # (refresh paused or resumed meanwhile)
        if run.status.active and self._gone is None:
            self.query_one(StepsTree).tick()

    def _update(self, widget_id: str, content: Text | str) -> None:
        """Update a Static only when what it shows changed (no flicker, no relayout)."""
        if self._shown.get(widget_id) == content:
            return
        self._shown[widget_id] = content
        self.query_one(f"#{widget_id}", Static).update(content)

    def _set_status(self) -> None:
        if not self.is_mounted:
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        if self._gone is not None and self._run is not None:
            gone = display.gone_words(one_line(self._run.profile))
            text.append(f"✘ {gone}", style=self._looks("$text-error bold"))
            text.append(f" (404 since {self._fmt_time(self._gone)[:5]})", style="bold")
            if self._last_ok is not None:
                text.append(f"; last read {self._fmt_time(self._last_ok)}", style="dim")
        elif self._error is not None:
            text.append("⚠ ", style=self._looks("$text-error bold"))
            text.append(one_line(self._error), style=self._looks("$text-error"))
            if self._last_ok is not None:
                text.append(f" — stale since {self._fmt_time(self._last_ok)}", style="bold")
            elif self._run is not None:
                text.append(" — no detail read yet", style="bold")
        elif self._run is None:
            text.append("no run open", style="dim")
        elif self._last_ok is None:
            text.append("loading…", style="dim")
        else:
            key = self._refresh_key()
            reads = f", {key} reads" if key else ""
            how = "streaming" if self._follower and self._follower.streamed else (
                f"refresh paused{reads}" if self._follower and self._follower.paused()
                else f"every {self._follower.interval:g}s" if self._follower else "")
            if self._run.status.terminal:
                how = f"finished; {key} reads again" if key else "finished"
            text.append(f"updated {self._fmt_time(self._last_ok)}", style="dim")
            if how:
                text.append(f" · {how}", style="dim")
        self._update("detail-status", text)

    def _reset_views(self) -> None:
        tree = self.query_one(StepsTree)
        tree.set_steps(())
        self._shown.pop("step-info", None)
        self.query_one("#step-info", Static).update("")
        for table_id in ("inputs-table", "outputs-table"):
            self.query_one(f"#{table_id}", DataTable).clear(columns=True)
        self._update("inputs-label", "Inputs: loading…" if self._run else "Inputs")
        self._update("outputs-label", "Outputs: loading…" if self._run else "Outputs")
        self._show_raw(RawText("", "loading…" if self._run else ""))

    # ---- overview ----------------------------------------------------------------------

    def _fmt_time(self, when: datetime) -> str:
        return when.astimezone(self.tz).strftime("%H:%M:%S")

    def _abs_rel(self, when: datetime | None, now: datetime) -> str:
        if when is None:
            return "—"
        return f"{when.astimezone(self.tz):%Y-%m-%d %H:%M:%S} ({display.relative(when, now)})"

    def _looks(self, spec: str) -> Style:
        """A style spec in the theme's colours (runtui.tui.looks: NO_COLOR keeps them readable)."""
        return themed(spec, self.app.theme_variables)

    def _title(self, now: datetime) -> Text:
        run = self._run
        text = Text(no_wrap=True, overflow="ellipsis")
        if run is None:
            text.append("no run selected", style="dim")
            return text
        if self._gone is not None:  # not "▶ running": it is not, anywhere, any more
            text.append(f"✘ gone (was {run.status.value})", style=self._looks("$text-error bold"))
        else:
            text.append(display.status_text(run), style=self._looks(STATUS_STYLE[run.status]))
        text.append(f"  {one_line(run.workflow or '(no workflow)')}", style="bold")
        # The short id, as the table shows it (the overview has the full one): a full
        # UUID pushed the profile and the id off an 80-column title.
        text.append(f"  {one_line(run.profile)}/{display.short_id(run.id)}")
        dur = display.duration(run.duration(now))
        if dur:
            text.append(f"  {dur}")
        return text

    def _overview(self, now: datetime) -> list[tuple[str, Text]]:
        """(field, value) rows; compared with what is shown before anything is redrawn."""
        run = self._run
        rows: list[tuple[str, Text]] = []
        if run is None:
            return rows

        def field(key: str, value: str | Text, style: str = "") -> None:
            """One row; a plain value (a server's id, name, time) is made harmless here."""
            rows.append((key, value if isinstance(value, Text) else Text(one_line(value), style=style)))

        field("id", run.id)
        if run.kind.value != "run":
            field("kind", run.kind.value)
        field("profile", run.profile)
        field("provider", run.provider)
        wf = run.workflow_name or "—"
        if run.workflow_id and run.workflow_id != run.workflow_name:
            wf += f" ({run.workflow_id})"
        field("workflow", wf)
        status = Text(display.status_text(run), style=self._looks(STATUS_STYLE[run.status]))
        if run.raw_status:
            status.append(f"  raw: {one_line(run.raw_status)}", style="dim")
        field("status", status)
        waits = self._waits_for(run)
        if waits is not None:
            field("waits", waits)
        if run.partial:
            field("partial", "yes: the provider's answer was incomplete")
        field("created", self._abs_rel(run.created_at, now))
        field("started", self._abs_rel(run.started_at, now))
        field("finished", self._abs_rel(run.finished_at, now))
        dur = display.duration(run.duration(now))
        if dur and run.finished_at is None and not run.status.terminal:
            dur += " (so far)"
        field("duration", dur or "—")
        if run.updated_at is not None:
            field("updated", self._abs_rel(run.updated_at, now))
        field("cost", display.cost(run) or "—")
        if run.parent_id:
            field("parent", run.parent_id)
        if run.task_id:
            field("task", run.task_id)
        if run.last_error:
            field("error", Text(f"✘ {multi_line(run.last_error)}",
                                       style=self._looks("$text-error bold reverse")))
        rows.extend(self._actions(run))
        return rows

    def _refresh_key(self) -> str | None:
        """The key that reads the run again on the screen the pane is on (its own binding
        there, as the [keymap] left it); None on a screen without one."""
        screen = self.screen
        return screen.refresh_key() if isinstance(screen, RefreshesByKey) else None

    def _waits_for(self, run: Run) -> Text | None:
        """The question a waiting run asks (or where it waits), as the attention queue has
        it, and the key that answers: without it the operator saw "paused" and no reason."""
        answers = answers_of(self.app)
        detail = answers.waits_for(run) if answers is not None else None
        if answers is None or detail is None:
            return None
        text = Text(one_line(detail), style="bold")
        screen = self.screen
        key = (screen.answer_key() if isinstance(screen, AnswersByKey) and answers.waits_for_answer(run)
               else None)
        if key is not None:
            text.append(f"  {key}: answer", style="dim")
        return text

    def _actions(self, run: Run) -> list[tuple[str, Text]]:
        read_only = True
        busy = False
        try:
            ws = self._workspace
            read_only = ws.read_only(run.profile)
            busy = ws.controller.is_busy(run)
        except AttributeError:
            pass
        decisions = [decide(run, action, read_only=read_only, busy=busy) for action in PER_RUN]
        allowed = [d.action.value for d in decisions if d]
        if run.status.terminal and can_execute(run.provider, read_only=read_only):
            allowed.append("run again")  # a finished run said "none now" while R worked
        rows = [("actions", Text(", ".join(allowed) if allowed else "none now"))]
        if read_only or busy:
            rows.append(("", Text(decisions[0].reason, style="dim")))
            return rows
        table = table_for(run.provider)
        for d in decisions:
            if d or table is None:
                continue
            if table.sources(run.kind, d.action) or d.action in table.notes:
                rows.append((f"no {d.action.value}", Text(d.reason, style="dim")))
        return rows

    @staticmethod
    def _grid(rows: list[tuple[str, Text]], key_width: int | None = None) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True, width=key_width)
        grid.add_column(ratio=1)
        for key, value in rows:
            grid.add_row(key, value)
        return grid

    def _timeline(self) -> Text:
        run = self._run
        text = Text()
        if run is None:
            return text
        entries: Sequence[TimelineEntry] = self._detail.timeline if self._detail else ()
        derived = not entries
        if derived:
            entries = _derived_timeline(run)
        text.append("\nTimeline" + (" (from the run's times)" if derived else "") + "\n",
                    style="bold underline")
        if not entries:
            text.append("no times known\n", style="dim")
        for entry in entries:
            when = f"{entry.at.astimezone(self.tz):%Y-%m-%d %H:%M:%S}" if entry.at else "?" * 19
            text.append(f"{when}  ")
            text.append(f"{display.SYMBOL[entry.status]} {entry.status.value}",
                        style=self._looks(STATUS_STYLE[entry.status]))
            if entry.raw_status:
                text.append(f" ({one_line(entry.raw_status)})", style="dim")
            if entry.note:
                text.append(f"  {one_line(entry.note)}")
            text.append("\n")
        return text

    # ---- steps -------------------------------------------------------------------------

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Step]) -> None:
        event.stop()
        self._render_step_info()

    def _render_step_info(self) -> None:
        tree = self.query_one(StepsTree)
        node = tree.cursor_node
        if not tree.steps:
            content: Text | str = "no steps reported for this run" if self._detail else ""
        elif node is None or node.data is None:
            content = f"{len(tree.steps)} step(s); ↑/↓ to select, enter to expand"
        else:
            content = step_details(node.data, self.tz, self.clock(), self.app.theme_variables)
        self._update("step-info", content)

    # ---- outputs -----------------------------------------------------------------------

    def _render_inputs(self, inputs: Mapping[str, Any]) -> None:
        table = self.query_one("#inputs-table", DataTable)
        table.clear(columns=True)
        self._update("inputs-label", f"Inputs ({len(inputs)})" if inputs else "Inputs: none")
        table.display = bool(inputs)
        if inputs:
            table.add_columns("key", "value")
            for key, value in list(inputs.items())[:MAX_ROWS]:
                table.add_row(Text(cell(key, 40)), Text(cell(value)))

    def _render_outputs(self, outputs: Sequence[Mapping[str, Any]]) -> None:
        table = self.query_one("#outputs-table", DataTable)
        keep = (table.cursor_coordinate, table.scroll_x, table.scroll_y)
        table.clear(columns=True)
        rows = list(outputs[:MAX_ROWS])
        columns = output_columns(rows)
        label = f"Outputs ({len(outputs)} row(s))" if outputs else "Outputs: none"
        if len(outputs) > MAX_ROWS:
            label += f", showing the first {MAX_ROWS}"
        if len(columns) > MAX_COLUMNS:
            label += f", first {MAX_COLUMNS} of {len(columns)} columns"
            columns = columns[:MAX_COLUMNS]
        self._update("outputs-label", label)
        table.display = bool(rows)
        if not rows:
            return
        # Text, not str: a DataTable reads a str cell as markup ("[link=…]" from a server).
        table.add_columns(*(Text(cell(c, 30)) for c in columns))
        for row in rows:
            table.add_row(*(Text(cell(row.get(c))) for c in columns))
        table.cursor_coordinate = keep[0]  # clamped by the table when it shrank
        table.scroll_to(keep[1], keep[2], animate=False)

    # ---- raw ---------------------------------------------------------------------------

    def _render_raw(self, raw: Any) -> None:
        if raw is self._raw_source:
            return
        self._raw_seq += 1
        self._format_raw(raw, self._raw_source, self._raw_seq)

    @work(thread=True, exclusive=True, group="detail-raw", exit_on_error=False)
    def _format_raw(self, raw: Any, previous: Any, seq: int) -> None:
        """Compare and format in a thread: a 10 MB answer must not stall the UI."""
        if previous is not _UNSET and raw == previous:
            self.app.call_from_thread(self._raw_done, raw, None, seq)
            return
        formatted = format_raw(raw, whole=whole_raw_command(self.run))
        self.app.call_from_thread(self._raw_done, raw, formatted, seq)

    def _raw_done(self, raw: Any, formatted: RawText | None, seq: int) -> None:
        if seq != self._raw_seq:
            return  # a newer detail is being formatted, or another run was opened
        self._raw_source = raw
        if formatted is not None:
            self._show_raw(formatted)

    def _show_raw(self, raw: RawText) -> None:
        if self._shown.get("raw") == raw:
            return
        self._shown["raw"] = raw
        note = self.query_one("#raw-note", Static)
        note.update(Text(one_line(raw.note), style="bold yellow" if raw.text else "dim"))
        note.display = bool(raw.note)
        scroll = self.query_one("#raw-scroll", VerticalScroll)
        syntax = self.query_one("#raw-syntax", Static)
        area = self.query_one("#raw-text", TextArea)
        if len(raw.text) <= SYNTAX_LIMIT:
            area.display = False
            area.load_text("")
            scroll.display = True
            syntax.update(Syntax(raw.text, "json", theme="ansi_dark", word_wrap=True,
                                 background_color="default") if raw.text else "")
        else:
            scroll.display = False
            syntax.update("")
            area.display = True
            position = area.scroll_offset
            if "json" in area.available_languages:
                area.language = "json"
            area.load_text(raw.text)
            area.scroll_to(position.x, position.y, animate=False)

    @property
    def raw_text(self) -> str:
        """The raw JSON as currently displayed (for tests and copy)."""
        shown = self._shown.get("raw")
        return shown.text if isinstance(shown, RawText) else ""

    @property
    def raw_note(self) -> str:
        shown = self._shown.get("raw")
        return shown.note if isinstance(shown, RawText) else ""

    # ---- keys --------------------------------------------------------------------------

    def action_switch_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + step) % len(TABS)]

    def show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id


def _derived_timeline(run: Run) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    if run.created_at is not None:
        entries.append(TimelineEntry(at=run.created_at, status=Status.QUEUED, note="created"))
    if run.started_at is not None:
        entries.append(TimelineEntry(at=run.started_at, status=Status.RUNNING, note="started"))
    if run.finished_at is not None:
        end = run.status if run.status.terminal else Status.UNKNOWN
        entries.append(TimelineEntry(at=run.finished_at, status=end, raw_status=run.raw_status,
                                     note="finished"))
    elif run.status.terminal:
        entries.append(TimelineEntry(at=None, status=run.status, raw_status=run.raw_status,
                                     note="finished (time not reported)"))
    return entries

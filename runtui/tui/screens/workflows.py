"""`W`: one row per workflow across profiles, its trend, and workflow-level pause.

Figures come from `Workspace.stats` (recomputed only for workflows whose runs
changed); where the platform aggregates (Prefect), the counts are the server's.
Triggers (what a workflow-level pause stops) are read when the screen opens,
every minute, and for a profile whose read failed as soon as it answers again.
Pause, resume and cancel go through the workflow controller: the table of the
platform, the read-only gate, a confirmation for cancel, the journal, one request,
a read-back. `enter` returns a filter for the run table.

The table (`LineTable`) draws only the rows on screen, and a refresh repaints only the
lines whose cells changed: with many workflows a tick rewrote the whole table over
SSH, and the rebuild moved the scroll under the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from runtui import display
from runtui.actions import decide_trigger
from runtui.engine.health import Health, HealthState
from runtui.engine.stats import STREAK_FLAG, WINDOWS
from runtui.engine.workflows import WorkflowBook, WorkflowRow
from runtui.engine.workspace import Workspace
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import Action, Status
from runtui.safe_text import clipped, one_line
from runtui.tui import clock
from runtui.tui.guard import guarded
from runtui.tui.keymap import BACK_KEYS
from runtui.tui.widgets.keys_footer import keys_footer
from runtui.tui.widgets.line_table import LineTable
from runtui.tui.widgets.sparkline import sparkline
from runtui.workflow_model import Trigger

SPARK_WIDTH = 10
NAME_WIDTH = 22  # at 80 columns WORKFLOW to STATE fit; the line under the table has the rest
DESCENDING_FIRST = frozenset({"RUNS", "OK", "FAIL", "CANC", "P95", "P50", "FLAGS", "LAST"})  # biggest 1st


TRIGGERS_EVERY = 60.0  # seconds between two reads of the triggers while the screen shows
COLUMNS = ("WORKFLOW", "RUNS", "OK", "FAIL", "RATE", "P95", "TREND", "STATE", "FLAGS", "CANC",
           "PROFILE", "PROVIDER", "P50", "LAST", "NEXT", "SCHEDULE")


def _rate(row: WorkflowRow) -> float:
    rate = row.figures.success_rate
    return -1.0 if rate is None else rate


def _flag_order(row: WorkflowRow) -> tuple[int, int]:
    """What the FLAGS cell shows: a streak counts once it is a flag (a single failure is
    none), so a row with an empty cell never sorts above a flagged one."""
    f = row.figures
    return (f.failure_streak if f.failure_streak >= STREAK_FLAG else 0, len(f.slow))


# Column -> sort key (ascending); numbers sort as numbers, unknowns first.
SORT_KEYS: dict[str, Callable[[WorkflowRow], object]] = {
    "WORKFLOW": lambda r: (r.figures.workflow_name or r.figures.workflow_id).lower(),
    "RUNS": lambda r: r.figures.runs,
    "OK": lambda r: r.figures.succeeded,
    "FAIL": lambda r: r.figures.failed,
    "CANC": lambda r: r.figures.cancelled,
    "PROVIDER": lambda r: r.figures.provider,
    "RATE": _rate,
    "P95": lambda r: r.figures.p95_s or -1.0,
    "TREND": lambda r: r.figures.failure_streak,
    "STATE": lambda r: r.state_word,
    "FLAGS": lambda r: _flag_order(r),
    "PROFILE": lambda r: r.figures.profile,
    "P50": lambda r: r.figures.p50_s or -1.0,
    "LAST": lambda r: r.figures.last_run_at.timestamp() if r.figures.last_run_at else 0.0,
    "NEXT": lambda r: r.next_run_at.timestamp() if r.next_run_at else 0.0,
    "SCHEDULE": lambda r: r.schedule or "",
}


class Looks(NamedTuple):
    """The styles a row's cells take from the theme (`WorkflowTable`'s component classes)."""

    failed: Style
    warning: Style
    succeeded: Style
    cancelled: Style

    @property
    def trend(self) -> dict[Status, Style]:
        return {Status.SUCCEEDED: self.succeeded, Status.FAILED: self.failed + Style(underline=True),
                Status.CANCELLED: self.cancelled}


PLAIN = Looks(Style(bold=True), Style(), Style(), Style(dim=True))


class WorkflowTable(LineTable):
    """The workflows table, with the theme's colours for what its cells say.

    A failure is the theme's error text colour, and bold: a plain `red` is a dark red
    that NO_COLOR turns into a grey the background hides, and bold says it without colour.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = LineTable.COMPONENT_CLASSES | {
        "workflows--failed", "workflows--warning", "workflows--succeeded", "workflows--cancelled"}
    # The table's own Enter, with an id: the help lists it (it had no row) and [keymap] moves it.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "The run table, filtered to this workflow", show=False,
                id="workflows.open"),
        Binding("home", "cursor_first", "First", show=False),
        Binding("end", "cursor_last", "Last", show=False),
    ]
    DEFAULT_CSS = """
    WorkflowTable > .workflows--failed { color: $text-error; text-style: bold; }
    WorkflowTable > .workflows--warning { color: $text-warning; }
    WorkflowTable > .workflows--succeeded { color: $text-success; }
    WorkflowTable > .workflows--cancelled { color: $text-warning; text-style: dim; }
    """

    def looks(self) -> Looks:
        return Looks(*(self.get_component_rich_style(f"workflows--{name}", partial=True)
                       for name in Looks._fields))

    def action_cursor_first(self) -> None:
        self.move_cursor(row=0)

    def action_cursor_last(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))


def row_cells(row: WorkflowRow, now: datetime, looks: Looks = PLAIN, *,
              stale: bool = False) -> tuple[Text, ...]:
    """`stale`: the row's triggers are those of an earlier read (the last one failed): its
    state and next run end in `?`, which says it without colour."""
    f = row.figures
    unsure = "?" if stale and row.triggers else ""
    rate = f.success_rate
    flags = ", ".join(f.flags)
    last = f"{f.last_status.value} {display.relative(f.last_run_at, now)}" if f.last_status else "-"
    server = "*" if f.counted_on_server else ""
    cells = (
        Text(clipped(f.workflow_name or f.workflow_id, NAME_WIDTH)),
        Text(f"{f.runs}{server}", justify="right"),
        Text(str(f.succeeded), justify="right"),
        Text(str(f.failed), style=looks.failed if f.failed else "", justify="right"),
        Text("-" if rate is None else f"{rate:.0%}", justify="right"),
        Text(display.duration(f.p95_s) if f.p95_s is not None else "-", justify="right"),
        sparkline(f.recent, SPARK_WIDTH, looks.trend),
        Text(row.state_word + unsure, style=looks.warning if row.paused else ""),
        Text(flags, style=looks.failed if f.failure_streak >= 2 else looks.warning if flags else ""),
        Text(str(f.cancelled), justify="right"),
        Text(one_line(f.profile)),
        Text(one_line(f.provider)),
        Text(display.duration(f.p50_s) if f.p50_s is not None else "-", justify="right"),
        Text(last),
        Text(display.relative(row.next_run_at, now) + unsure if row.next_run_at else "-"),
        Text(one_line(row.schedule or "-")),
    )
    return cells


Made = tuple[tuple[Text, ...], tuple[int, ...]]  # a row's cells, and how wide each is


class RowCells:
    """Each row's cells and their widths, made again only for a row that changed (or
    every row, when the minute, the theme's looks or the unread profiles change)."""

    def __init__(self) -> None:
        self._made: dict[WorkflowRow, Made] = {}
        self._stamp: object = None

    def take(self, rows: Sequence[WorkflowRow], now: datetime, looks: Looks, unread: set[str]) -> None:
        stamp = (int(now.timestamp()) // 60, looks, frozenset(unread))
        old = self._made if stamp == self._stamp else {}
        self._stamp = stamp
        self._made = {row: old.get(row) or _made(row, now, looks, row.figures.profile in unread)
                      for row in rows}

    def of(self, row: WorkflowRow) -> tuple[Text, ...]:
        return self._made[row][0]

    def widths(self) -> tuple[int, ...]:
        widths = [cell_len(name) for name in COLUMNS]
        for _cells, made in self._made.values():
            widths = [max(a, b) for a, b in zip(widths, made, strict=True)]
        return tuple(widths)


def _made(row: WorkflowRow, now: datetime, looks: Looks, stale: bool) -> Made:
    """A row's cells, and how wide each is."""
    cells = row_cells(row, now, looks, stale=stale)
    return cells, tuple(cell_len(c.plain) for c in cells)


class WorkflowsScreen(Screen[str | None]):
    """Dismisses with a run-table filter (`enter`) or None (`escape`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(BACK_KEYS, "back", "Back", id="workflows.back"),
        Binding("p", "switch('pause')", "Pause", id="workflows.pause"),
        Binding("r", "switch('resume')", "Resume", id="workflows.resume"),
        Binding("c", "switch('cancel')", "Cancel schedule", id="workflows.cancel", show=False),
        Binding("right_square_bracket", "window(1)", "Window", id="workflows.window_next", key_display="]"),
        Binding("left_square_bracket", "window(-1)", "Shorter window", id="workflows.window_previous",
                key_display="[", show=False),
        Binding("s", "cycle_sort", "Sort", id="workflows.sort", show=False),
        Binding("S", "reverse_sort", "Reverse sort", id="workflows.reverse_sort", show=False),
        *(Binding(str(n), f"sort_column({n})", f"Sort by column {n}", id=f"workflows.sort_{n}", show=False)
          for n in range(1, 10)),
        Binding("ctrl+r", "reload", "Reload", id="workflows.reload", show=False),
        Binding("j", "cursor(1)", "Down", id="workflows.down", show=False),
        Binding("k", "cursor(-1)", "Up", id="workflows.up", show=False),
        Binding("g", "cursor_to(0)", "Top", id="workflows.first", show=False),
        Binding("G", "cursor_to(-1)", "Bottom", id="workflows.last", show=False),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = """
    WorkflowsScreen #workflows-title {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkflowsScreen #workflows-table {
        height: 1fr;
    }
    WorkflowsScreen #workflows-selected {
        height: 2;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, workspace: Workspace, book: WorkflowBook | None = None) -> None:
        super().__init__()
        self.ws = workspace
        self.book = book or WorkflowBook(workspace)
        self.window_index = 1  # 24 h
        self.sort_column = "FLAGS"
        self.sort_reverse = True
        self.rows: list[WorkflowRow] = []
        self._shown: object = None
        self._cells = RowCells()
        self.reading = True
        self._down: set[str] = set()  # profiles whose last health was not OK
        self.failure = ""  # the last read's unexpected error (show_failure)

    @property
    def window(self) -> tuple[str, float]:
        return WINDOWS[self.window_index]

    def compose(self) -> ComposeResult:
        yield Static("", id="workflows-title", markup=False)
        yield WorkflowTable(COLUMNS, id="workflows-table")
        yield Static("", id="workflows-selected", markup=False)
        yield keys_footer()

    def on_mount(self) -> None:
        self.query_one(WorkflowTable).focus()
        self._fill()
        self.set_interval(1.0, self._fill)
        self.set_interval(TRIGGERS_EVERY, self._reload)
        self._reload()
        self._down = {name for name, h in self.ws.health.items() if h.state is not HealthState.OK}
        self.ws.health_listeners.append(self._on_health)

    def on_unmount(self) -> None:
        if self._on_health in self.ws.health_listeners:
            self.ws.health_listeners.remove(self._on_health)

    def _on_health(self, health: Health) -> None:
        """A profile whose schedules this view could not read answers again: they are read
        now. The title said `not read: 3 profiles down` for up to a minute after the
        profiles were back (until the next read), while the health line said they were
        fine. Only on the way back from trouble: a schedules read that fails while the
        runs are read well waits for the minute's read, not for every poll."""
        name = health.profile
        if health.state is not HealthState.OK:
            self._down.add(name)
        elif name in self._down:
            self._down.discard(name)
            if name in self.book.unread:
                self._read_again(name)

    # ---- data ------------------------------------------------------------------------

    def _reload(self) -> None:
        self._load(counts_only=False)

    @work(exclusive=True, group="workflows-load")
    @guarded("reading the workflows")
    async def _load(self, counts_only: bool) -> None:
        names = self.ws.profile_names
        if not counts_only:
            read = await self.book.load_triggers(names)
            alerts = getattr(self.app, "alerts", None)  # (none in an app without the runs list)
            if alerts is not None:
                alerts.settle_workflow_outcomes(read)
        now = clock.now()
        figures = self.ws.stats.figures(self.window[1], now.timestamp())
        await self.book.load_counts(names, [f.key for f in figures], self.window[1], now)
        self.reading = False
        self.failure = ""
        self._shown = None
        self._fill()

    def show_failure(self, text: str) -> None:
        """An unexpected error of a read (runtui.tui.guard): in the title until a read succeeds."""
        self.reading = False
        self.failure = text
        self._shown = None
        self._fill()

    @work(group="workflows-read-again")
    async def _read_again(self, name: str) -> None:
        """One profile's schedules, read again as it comes back (`_on_health`)."""
        read = await self.book.load_triggers([name])
        alerts = getattr(self.app, "alerts", None)
        if alerts is not None:
            alerts.settle_workflow_outcomes(read)
        self._shown = None
        self._fill()

    def _fill(self) -> None:
        """Show the rows again only when a figure, a trigger or the order changed; then
        the table repaints only the lines whose cells changed. The cursor stays on its
        workflow and, scrolled down, the first row on screen stays first: workflows
        coming or going above it move nothing on screen."""
        now = clock.now()
        rows = self.book.rows(self.ws.stats.figures(self.window[1], now.timestamp()))
        rows.sort(key=lambda r: (r.figures.profile, r.figures.workflow_name or r.figures.workflow_id))
        rows.sort(key=SORT_KEYS[self.sort_column], reverse=self.sort_reverse)  # type: ignore[arg-type]
        shown = (tuple(rows), self.sort_column, self.sort_reverse, self.window_index, self.reading,
                 self.failure, frozenset(self.book.unread),
                 int(now.timestamp()) // 60)  # relative times: each minute
        if shown == self._shown:
            return
        self._shown = shown
        table = self.query_one(WorkflowTable)
        selected, index = self._selected(), table.cursor_row
        first = self.rows[table.top] if 0 < table.top < len(self.rows) else None
        self.rows = rows
        self._cells.take(rows, now, table.looks(), self.book.unread)
        place = {row.key: i for i, row in enumerate(rows)}
        at = None if selected is None else place.get(selected.key)
        top = None if first is None else place.get(first.key)
        table.show_rows(rows, self._cells.of, self._cells.widths(),
                        cursor=max(0, min(index, len(rows) - 1)) if at is None else at,
                        top=table.top if top is None else top)
        self._update_title()
        self._update_selected()

    def _update_title(self) -> None:
        label = self.window[0]
        paused = sum(1 for r in self.rows if r.paused)
        flagged = sum(1 for r in self.rows if r.figures.flags)
        parts = [f"{len(self.rows)} workflows, last {label}", f"sort {self.sort_column}"
                 + (" ↓" if self.sort_reverse else " ↑")]
        if paused:
            parts.append(f"{paused} paused")
        if flagged:
            parts.append(f"{flagged} flagged")
        if self.reading:
            parts.append("reading schedules…")
        if self.failure:
            parts.insert(1, self.failure)
        if any(r.figures.counted_on_server for r in self.rows):
            parts.append("* counted by the server")
        unread = self._unread_title()
        if unread:
            parts.insert(1, unread)  # before what 80 columns cut
        self.query_one("#workflows-title", Static).update(" | ".join(parts))

    def _unread_title(self) -> str:
        """`not read since 15:48: 3 profiles down` while the last read of some profiles'
        workflows failed: their rows' state is then what an earlier read said. In an
        outage the view went on looking live."""
        unread = sorted(self.book.unread)
        if not unread:
            return ""
        who = f"{one_line(unread[0])} down" if len(unread) == 1 else f"{len(unread)} profiles down"
        read_at = [self.book.read_at[n] for n in unread if n in self.book.read_at]
        if len(read_at) < len(unread):
            return f"not read: {who}"
        return f"not read since {min(read_at).astimezone().strftime('%H:%M')}: {who}"

    def _selected(self) -> WorkflowRow | None:
        table = self.query_one(WorkflowTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def on_line_table_selected(self, _event: LineTable.Selected) -> None:
        """Enter (the table's own select key): the run table, filtered to this workflow."""
        self.action_show_runs()

    def on_line_table_highlighted(self, _event: LineTable.Highlighted) -> None:
        self._update_selected()

    def _update_selected(self) -> None:
        """What the narrow columns leave out, for the row under the cursor."""
        row = self._selected()
        box = self.query_one("#workflows-selected", Static)
        if row is None:
            box.update("no workflow has runs or a schedule yet" if not self.reading else "")
            return
        f = row.figures
        # Who it is on the first line, its state on the second: on one line, 80 columns
        # cut the schedule ("2 schedules, 1 paused") and the next run off.
        note = self.book.notes.get(f.profile) or (self._note(f.profile) if row.triggers else "")
        if not row.triggers and not note:
            note = "no schedule or trigger listed for this workflow"
        state = ["; ".join(f.flags)] if f.flags else []
        if row.schedule:
            state.append(one_line(row.schedule))
        if row.next_run_at:
            state.append(f"next {display.relative(row.next_run_at, clock.now())}")
        if note:
            state.append(one_line(note))
        box.update(f"{one_line(f.workflow_name or f.workflow_id)} · {one_line(f.profile)} · "
                   f"{one_line(f.workflow_id)}\n" + " · ".join(state))

    def _note(self, profile: str) -> str:
        try:
            return self.ws.provider(profile).actions.workflow_note
        except ConfigError:
            return ""

    # ---- keys --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_cursor(self, step: int) -> None:
        table = self.query_one(WorkflowTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_cursor_to(self, row: int) -> None:
        table = self.query_one(WorkflowTable)
        table.move_cursor(row=row if row >= 0 else max(0, len(self.rows) - 1))

    def action_show_runs(self) -> None:
        row = self._selected()
        if row is not None:
            self.dismiss(f"wf:{row.figures.workflow_id} p:{row.figures.profile}")

    def action_window(self, step: int) -> None:
        self.window_index = (self.window_index + step) % len(WINDOWS)
        self._fill()
        self._load(counts_only=True)

    def action_sort_column(self, number: int) -> None:
        if number > len(COLUMNS):
            return
        column = COLUMNS[number - 1]
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, column in DESCENDING_FIRST
        self._fill()

    def action_cycle_sort(self) -> None:
        """Sort by the next column (every column, also those past the digits)."""
        following = (COLUMNS.index(self.sort_column) + 1) % len(COLUMNS)
        self.action_sort_column(following + 1)

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._fill()

    def action_reload(self) -> None:
        self.reading = True
        self._fill()
        self._reload()

    def action_switch(self, name: str) -> None:
        """Pause, resume or cancel the selected workflow's triggers that take it."""
        from runtui.tui.screens.confirm import ConfirmScreen

        row = self._selected()
        if row is None:
            return
        action = Action(name)
        if not row.triggers:
            self.notify(self.book.notes.get(row.figures.profile)
                        or "no schedule or trigger listed for this workflow", severity="warning", timeout=5)
            return
        try:
            read_only = self.ws.read_only(row.figures.profile)
        except ConfigError:
            read_only = True
        takes = [t for t in row.triggers if decide_trigger(t, action, read_only=read_only)]
        if not takes:
            reason = decide_trigger(row.triggers[0], action, read_only=read_only).reason
            self.notify(f"not allowed: {reason}", severity="warning", timeout=5)
            return
        name_shown = one_line(row.figures.workflow_name or row.figures.workflow_id)
        if action.destructive:
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._send(action, takes)

            question = (f"{action.value} {len(takes)} schedule(s) of {name_shown} on "
                        f"{one_line(row.figures.profile)}? This cannot be undone.")
            items = [t.schedule or t.id for t in takes]
            self.app.push_screen(ConfirmScreen(question, items=items), confirmed)
            return
        self._send(action, takes)

    @work(group="workflows-act")
    @guarded("pause or resume")
    async def _send(self, action: Action, takes: list[Trigger]) -> None:
        for trigger in takes:
            try:
                provider = self.ws.provider(trigger.profile)
                result = await self.ws.workflow_control.act(provider, trigger, action)
            except (NotAllowed, ProviderError, ConfigError) as exc:
                why = str(exc).removeprefix("not sent: ")  # a journal's refusal says it already
                self.notify(f"{action.value} not sent: {why}", severity="warning", timeout=6)
                continue
            if result.trigger is not None:
                self.book.replace(result.trigger)
            named = f"{action.value} {one_line(trigger.workflow_name or trigger.id)}"
            if result.uncertain and not result.ok:  # said again once the listing is read
                self.notify(result.message or "", title=f"{named}: outcome was unknown", severity="warning",
                            timeout=10)
                continue
            self.notify(f"{named}: {'ok' if result.ok else 'FAILED'} ({result.message or ''})",
                        severity="information" if result.ok else "error", timeout=6)
        self._shown = None
        self._fill()

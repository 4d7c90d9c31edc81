"""`!`: what needs a human across every profile, and the keys to act on it.

Rows come from the app's live attention queue (`runtui.tui.alerts`). Actions go
through the same controller as the run table's keys: the allowed-actions table,
the read-only gate, a confirmation when work is destroyed, the journal, sent once.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from runtui import display
from runtui.actions import decide
from runtui.engine.attention import AcknowledgementsNotKept, AttentionItem, Reason
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import Action, Run
from runtui.safe_text import one_line
from runtui.tui.alerts import Alerts
from runtui.tui.answering import answers_of, asking
from runtui.tui.guard import guarded
from runtui.tui.keymap import BACK_KEYS, key_named
from runtui.tui.widgets.keys_footer import keys_footer

# Why before which workflow: at 80 columns the detail is what the operator needs to read.
COLUMNS = ("WHY", "PROFILE", "ID", "DETAIL", "WORKFLOW")
DETAIL_WIDTH = 60  # longer details end in "…" (enter opens the run)
CELL_PADDING = 2  # a DataTable cell's padding, one column each side
MIN_DETAIL_WIDTH = 24  # ... and narrower than this the table scrolls sideways instead
LABEL = {Reason.WAITING: "◔ waiting", Reason.FAILED: "✘ failed", Reason.STUCK: "▶ stuck",
         Reason.LATE: "○ late", Reason.PROFILE: "! profile"}


class QueueTable(DataTable[Text]):
    """The queue's rows. `g`/`Home` and `G`/`End` go to the first and last row, as in the
    run table: DataTable's own Home and End scroll sideways, which hid the ID columns."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home,g", "cursor_first", "First", show=False, id="attention.first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="attention.last"),
        # DataTable's own Enter, with an id: the title says "enter detail", and the help
        # listed no such key; [keymap] can move it.
        Binding("enter", "select_cursor", "Open the run's detail", show=False, id="attention.open"),
    ]

    def action_cursor_first(self) -> None:
        self.move_cursor(row=0)

    def action_cursor_last(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))


class AttentionScreen(Screen[None]):
    # The table takes what the title and footer leave: sized to its rows (Textual's
    # default), a long queue made the whole screen scroll, title and all.
    DEFAULT_CSS = """
    AttentionScreen #attention-title {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AttentionScreen #attention-table {
        height: 1fr;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(BACK_KEYS, "back", "Back", id="attention.back"),
        Binding("a", "acknowledge", "Seen", id="attention.ack"),
        Binding("A", "acknowledge_all", "All seen", id="attention.ack_all", show=False),
        Binding("r", "act('resume')", "Resume/answer", id="attention.resume"),
        Binding("t", "act('retry')", "Retry", id="attention.retry", show=False),
        Binding("c", "act('cancel')", "Cancel", id="attention.cancel"),
        Binding("j", "cursor('down')", "Down", id="attention.down", show=False),
        Binding("k", "cursor('up')", "Up", id="attention.up", show=False),
    ]

    def __init__(self, alerts: Alerts) -> None:
        super().__init__()
        self.alerts = alerts
        self._shown_version = (-1, 0)  # the queue's version and the width the rows were cut for
        self._rows: list[AttentionItem] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="attention-title", markup=False)
        table = QueueTable(id="attention-table", cursor_type="row", zebra_stripes=False)
        table.add_columns(*COLUMNS)
        yield table
        yield keys_footer()

    def on_screen_resume(self) -> None:
        self.alerts.show(True)  # where waiting runs wait is read as they start waiting

    def on_screen_suspend(self) -> None:
        self.alerts.show(False)

    def on_unmount(self) -> None:
        self.alerts.show(False)

    def on_mount(self) -> None:
        self._fill()
        self.set_interval(1.0, self._fill)
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self._fill()  # the detail is cut to the new width now, not at the next second

    def _fill(self) -> None:
        """Rebuild the rows when the queue changed (a few dozen rows: a rebuild is cheap)."""
        if (self.alerts.version, self.size.width) == self._shown_version:
            return
        self._shown_version = (self.alerts.version, self.size.width)
        table: DataTable[Text] = self.query_one(DataTable)
        selected, index = self._selected(), table.cursor_row
        self._rows = self.alerts.queue.sorted_items()
        table.clear()
        detail_width = fitted_detail_width(self._rows, self.size.width)
        for item in self._rows:
            table.add_row(*row_cells(item, detail_width), key=_row_key(item))
        table.move_cursor(row=self._cursor_after(selected, index))
        count = len(self._rows)
        title = f"{count} need attention" if count else "nothing needs attention"
        self.query_one("#attention-title", Static).update(
            f"{title} | {key_named(self, 'attention.resume')} resume or answer, "
            f"{key_named(self, 'attention.open', QueueTable)} detail, "
            f"{key_named(self, 'attention.ack_all')} all seen, {key_named(self, 'attention.retry')} retry")

    def _cursor_after(self, selected: AttentionItem | None, index: int) -> int:
        """Where the cursor goes once the rows are rebuilt: on the item it was on, and when
        that item left (seen, answered, resolved), on the one that took its place, so a
        queue is worked down without walking back from the top each time."""
        keys = [_row_key(item) for item in self._rows]
        if selected is not None and _row_key(selected) in keys:
            return keys.index(_row_key(selected))
        return max(0, min(index, len(keys) - 1))

    def _selected(self) -> AttentionItem | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0 or table.cursor_row >= len(self._rows):
            return None
        return self._rows[table.cursor_row]

    def _selected_run(self) -> Run | None:
        item = self._selected()
        if item is None or item.run is None:
            return None
        return self.alerts.workspace.store.get(item.run.key) or item.run

    # ---- keys --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_cursor(self, direction: str) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        if direction == "down":
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While `r` reads what a run asks (a server read before its form opens), only
        escape acts: the keys typed right after `r` are the answer, not this screen's (a
        "c" in it asked to cancel the run, under the form that came next)."""
        return None if asking(self.app) and action != "back" else True

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        """Enter (the table's own select key) opens the run's detail."""
        if not asking(self.app):
            self.action_open()

    def action_open(self) -> None:
        run = self._selected_run()
        if run is None:
            profiles = key_named(self, "app.profiles")
            self.notify(f"a profile's trouble has no run: see the profiles screen ({profiles})", timeout=4)
            return
        from runtui.tui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(run))

    def action_acknowledge(self) -> None:
        item = self._selected()
        if item is None or item.reason is not Reason.FAILED or item.run is None:
            self.notify("only failures are acknowledged; the rest leave when resolved", timeout=4)
            return
        try:
            self.alerts.queue.acknowledge([item.run])
        except AcknowledgementsNotKept as exc:
            self._not_kept(exc)
        self.alerts.say_acknowledgements_problem()  # what the save found unreadable in the file
        self.alerts.version += 1
        self._fill()

    def action_acknowledge_all(self) -> None:
        """Asked first, No the default, like every bulk action: one stray `A` took every
        failure out of sight with nothing to say it had. Done, a toast (kept under `M`)
        says how many."""
        count = self.alerts.queue.failure_count()
        if not count:
            self.notify("no failures to mark as seen", timeout=4)
            return
        from runtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._acknowledge_all()

        question = (f"Mark {_failures(count)} as seen?\nThey leave the queue; "
                    "a run that fails from now on is listed again.")
        self.app.push_screen(ConfirmScreen(question), confirmed)

    def _acknowledge_all(self) -> None:
        marked = self.alerts.queue.failure_count()
        try:
            self.alerts.queue.acknowledge_all()
        except AcknowledgementsNotKept as exc:
            self._not_kept(exc)
        self.alerts.say_acknowledgements_problem()  # what the save found unreadable in the file
        self.alerts.version += 1
        self._fill()
        self.notify(f"marked {_failures(marked)} as seen", title="attention")

    def _not_kept(self, exc: AcknowledgementsNotKept) -> None:
        """The file could not be written (a read-only or full state directory): the items
        leave the queue for this session, and the toast says a restart brings them back."""
        self.notify(f"seen for this session only: {exc}", title="not kept", severity="warning", timeout=10)

    def action_act(self, name: str) -> None:
        run = self._selected_run()
        if run is None:
            self.notify("no run selected", severity="warning")
            return
        action = Action(name)
        ws = self.alerts.workspace
        decision = decide(run, action, read_only=ws.read_only(run.profile),
                          busy=ws.controller.is_busy(run))
        if not decision:
            self.notify(decision.reason, title=f"cannot {action.value}", severity="warning", timeout=6)
            return
        answers = answers_of(self.app)
        if action is Action.RESUME and answers is not None and answers.waits_for_answer(run):
            answers.start(run, lambda: self._send(Action.RESUME, run))
            return
        if action.destructive:
            from runtui.tui.screens.confirm import ConfirmScreen, one_run_question, stale_note

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._send(action, run)

            stale = stale_note([run], ws.health)
            question = f"{one_run_question(action, run)}{stale}\nThis cannot be undone."
            self.app.push_screen(ConfirmScreen(question), confirmed)
            return
        self._send(action, run)

    @work(group="actions")
    @guarded("the action")
    async def _send(self, action: Action, run: Run) -> None:
        ws = self.alerts.workspace
        try:
            result = await ws.controller.act(ws.provider(run.profile), run, action)
        except (NotAllowed, ConfigError, ProviderError) as exc:
            self.notify(str(exc), title=f"{action.value} {display.short_id(run.id)}", severity="error",
                        timeout=8)
            return
        verdict = "ok" if result.ok else "failed"
        state = f" → {result.run.status.value}" if result.run is not None else ""
        self.notify(f"{result.message or ''}{state}",
                    title=f"{action.value} {display.short_id(run.id)}: {verdict}",
                    severity="information" if result.ok else "error")


def fitted_detail_width(items: list[AttentionItem], screen_width: int) -> int:
    """The detail's width: what the columns before it leave on screen (at 80 columns a
    detail was cut by the screen's edge, with no "…" to say so), within its bounds."""
    before = [_leading_cells(item) for item in items]
    used = sum(max([len(COLUMNS[c]), *(len(one_line(row[c])) for row in before)]) + CELL_PADDING
               for c in range(3))
    return max(MIN_DETAIL_WIDTH, min(DETAIL_WIDTH, screen_width - used - CELL_PADDING))


def row_cells(item: AttentionItem, detail_width: int = DETAIL_WIDTH) -> tuple[Text, ...]:
    """One row's cells as plain Text: a str cell would be read as Rich markup, and the
    detail and workflow are server text (`[link=…]` in an error must show as typed)."""
    run = item.run
    cells = (*_leading_cells(item), _clip(one_line(item.detail), detail_width),
             (run.workflow or "") if run else "")
    return tuple(Text(one_line(cell), no_wrap=True, end="") for cell in cells)


def _leading_cells(item: AttentionItem) -> tuple[str, str, str]:
    """WHY, PROFILE and ID: the columns before the detail, which it is fitted after."""
    return LABEL[item.reason], item.profile, display.short_id(item.run.id) if item.run else ""


def _failures(count: int) -> str:
    return f"{count} failure" if count == 1 else f"{count} failures"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _row_key(item: AttentionItem) -> str:
    return f"{item.profile}/{item.run.id if item.run else ''}"

"""`!`: what needs a human across every profile, and the keys to act on it.

Rows come from the app's live attention queue (`runtui.tui.alerts`). Actions go
through the same controller as the run table's keys: the allowed-actions table,
the read-only gate, a confirmation when work is destroyed, the journal, sent once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from runtui import display
from runtui.actions import decide
from runtui.engine.attention import AcknowledgementsNotKept, AttentionItem, Reason, order_key
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import Action, Run
from runtui.safe_text import clipped, one_line
from runtui.tui.alerts import Alerts
from runtui.tui.answering import answers_of, asking
from runtui.tui.guard import guarded
from runtui.tui.keymap import BACK_KEYS, key_named
from runtui.tui.widgets.keys_footer import keys_footer
from runtui.tui.widgets.line_table import LineTable

# Why before which workflow: at 80 columns the detail is what the operator needs to read.
COLUMNS = ("WHY", "PROFILE", "ID", "DETAIL", "WORKFLOW")
DETAIL_WIDTH = 60  # longer details end in "…" (enter opens the run)
CELL_PADDING = 2  # a cell's padding, one column each side
MIN_DETAIL_WIDTH = 24  # ... and narrower than this the table scrolls sideways instead
REBUILD_AT = 256  # more changed items than this (and than a quarter of the rows): sort all again
LABEL = {Reason.WAITING: "◔ waiting", Reason.FAILED: "✘ failed", Reason.STUCK: "▶ stuck",
         Reason.LATE: "○ late", Reason.PROFILE: "! profile"}


class QueueTable(LineTable):
    """The queue's rows, drawn only where they show (`LineTable`). `g`/`Home` and
    `G`/`End` go to the first and last row, as in the run table."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home,g", "cursor_first", "First", show=False, id="attention.first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="attention.last"),
        # With an id: the title says "enter detail", and the help lists it; [keymap] can move it.
        Binding("enter", "select_cursor", "Open the run's detail", show=False, id="attention.open"),
    ]

    def action_cursor_first(self) -> None:
        self.move_cursor(row=0)

    def action_cursor_last(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))


class ColumnWidths:
    """How wide each column's text is, counted over the items as they come and go: the
    widths follow a changed item without measuring every item again."""

    def __init__(self, items: Iterable[AttentionItem] = ()) -> None:
        self._counts: list[Counter[int]] = [Counter() for _ in COLUMNS]
        for item in items:
            self.add(item)

    def add(self, item: AttentionItem) -> None:
        for counts, width in zip(self._counts, _cell_widths(item), strict=True):
            counts[width] += 1

    def remove(self, item: AttentionItem) -> None:
        for counts, width in zip(self._counts, _cell_widths(item), strict=True):
            counts[width] -= 1
            if not counts[width]:
                del counts[width]

    def _widest(self, column: int) -> int:
        return max([cell_len(COLUMNS[column]), *self._counts[column]])

    def detail_width(self, screen_width: int) -> int:
        """The detail's width: what the columns before it leave on screen (at 80 columns a
        detail was cut by the screen's edge, with no "…" to say so), within its bounds."""
        used = sum(self._widest(c) + CELL_PADDING for c in range(3))
        return max(MIN_DETAIL_WIDTH, min(DETAIL_WIDTH, screen_width - used - CELL_PADDING))

    def columns(self, detail_width: int) -> tuple[int, ...]:
        return (*(self._widest(c) for c in range(3)), min(self._widest(3), detail_width), self._widest(4))


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
        self._rows: list[AttentionItem] = []  # in `order_key` order
        self._keys: list[tuple[int, float, str, str]] = []  # each row's `order_key`
        self._seen: dict[tuple[str, str], AttentionItem] = {}  # the queue's items the rows show
        self._widths = ColumnWidths()
        self._title = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="attention-title", markup=False)
        yield QueueTable(COLUMNS, id="attention-table")
        yield keys_footer()

    def on_screen_resume(self) -> None:
        self.alerts.on_screen = self._runs_on_screen  # their words said again each tick
        self.alerts.show(True)  # where waiting runs wait is read as they start waiting

    def on_screen_suspend(self) -> None:
        self.alerts.on_screen = None
        self.alerts.show(False)

    def on_unmount(self) -> None:
        self.alerts.on_screen = None
        self.alerts.show(False)

    def _runs_on_screen(self) -> list[tuple[str, str]]:
        """The runs of the rows on screen: rows scrolled into view get their words at the
        next tick, within a second (saying them all again each second was 40-60 ms of
        every second at 100,000 runs)."""
        table = self.query_one(QueueTable)
        return [_item_key(item) for item in self._rows[table.top:table.top + table.size.height]]

    def on_mount(self) -> None:
        self._fill()
        self.set_interval(1.0, self._fill)
        self.query_one(QueueTable).focus()

    def on_resize(self) -> None:
        self._fill()  # the detail is cut to the new width now, not at the next second

    def _fill(self) -> None:
        """Show the queue's changes: only the items that changed are put in (or taken out
        of) the rows, and only the screen lines that changed are repainted. At 100,000
        runs the queue holds thousands of items; rebuilding the whole table each second
        took most of a core and stalled keys for seconds."""
        if (self.alerts.version, self.size.width) == self._shown_version:
            return
        self._shown_version = (self.alerts.version, self.size.width)
        table = self.query_one(QueueTable)
        selected, index = self._selected(), table.cursor_row
        # Scrolled down, the first row on screen stays first: items coming and going above
        # it move nothing on screen. At the top, new items show at the top.
        first = self._rows[table.top] if 0 < table.top < len(self._rows) else None
        self._take_changes()
        detail_width = self._widths.detail_width(self.size.width)
        top = None if first is None else self._index_of(first)
        table.show_rows(self._rows, partial(row_texts, detail_width=detail_width),
                        self._widths.columns(detail_width),
                        cursor=self._cursor_after(selected, index),
                        top=table.top if top is None else top)
        count = len(self._rows)
        title = f"{count} need attention" if count else "nothing needs attention"
        title = "; ".join([title, *self.alerts.inbox_notes.values(), *self._cut_notes()])
        title = (f"{title} | {key_named(self, 'attention.resume')} resume or answer, "
                 f"{key_named(self, 'attention.open', QueueTable)} detail, "
                 f"{key_named(self, 'attention.ack_all')} all seen, "
                 f"{key_named(self, 'attention.retry')} retry")
        if title != self._title:
            self._title = title
            self.query_one("#attention-title", Static).update(title)

    def _take_changes(self) -> None:
        """Bring the rows (kept in `order_key` order) up to the queue: the items that are
        new, gone or changed since the last look, each put at its place by bisection;
        when most changed, all sorted again."""
        items, seen = self.alerts.queue.items, self._seen
        changed = [item for key, item in items.items() if seen.get(key) is not item]
        gone = [key for key in seen if key not in items]
        if len(changed) + len(gone) > max(REBUILD_AT, len(self._rows) // 4):
            self._seen = dict(items)
            self._rows = sorted(items.values(), key=order_key)
            self._keys = list(map(order_key, self._rows))
            self._widths = ColumnWidths(self._rows)
            return
        for key in gone:
            self._take_out(seen.pop(key))
        for item in changed:
            key = _item_key(item)
            old = seen.get(key)
            seen[key] = item
            if old is not None and not self._replace(old, item):
                self._take_out(old)
                self._put_in(item)
            elif old is None:
                self._put_in(item)

    def _replace(self, old: AttentionItem, new: AttentionItem) -> bool:
        """`new` in `old`'s row if it goes at the same place (new words, as "waits …,
        4m05s" each second); False when it moves."""
        at = self._position(old)
        if at is None or self._keys[at] != order_key(new):
            return False
        self._rows[at] = new
        self._widths.remove(old)
        self._widths.add(new)
        return True

    def _take_out(self, item: AttentionItem) -> None:
        at = self._position(item)
        if at is not None:
            del self._rows[at], self._keys[at]
            self._widths.remove(item)

    def _put_in(self, item: AttentionItem) -> None:
        key = order_key(item)
        at = bisect_left(self._keys, key)
        self._rows.insert(at, item)
        self._keys.insert(at, key)
        self._widths.add(item)

    def _index_of(self, item: AttentionItem) -> int | None:
        """Where `item`'s row is now (its run's, changed or not); None: it left the queue."""
        now = self._seen.get(_item_key(item))
        return None if now is None else self._position(now)

    def _position(self, item: AttentionItem) -> int | None:
        """Where the row of `item`, as it was put in, is (None: not in the rows)."""
        key = order_key(item)
        at = bisect_left(self._keys, key)
        return at if at < len(self._keys) and self._keys[at] == key else None

    def _cut_notes(self) -> list[str]:
        """The profiles whose runs stopped at `[defaults] max_runs`: their older failures
        are judged by neither this queue nor `runtui attention`, which say so alike."""
        ws = self.alerts.workspace
        cap = ws.config.defaults.max_runs
        cut = [name for name in sorted(ws.known_profiles) if ws.store.count(name) >= cap]
        if not cut:
            return []
        return [f"failures among the newest {cap:,} runs of {', '.join(cut)} ([defaults] max_runs)"]

    def _cursor_after(self, selected: AttentionItem | None, index: int) -> int:
        """Where the cursor goes once the rows changed: on the item it was on, and when
        that item left (seen, answered, resolved), on the one that took its place, so a
        queue is worked down without walking back from the top each time."""
        at = None if selected is None else self._index_of(selected)
        return at if at is not None else max(0, min(index, len(self._rows) - 1))

    def _selected(self) -> AttentionItem | None:
        table = self.query_one(QueueTable)
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
        table = self.query_one(QueueTable)
        if direction == "down":
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While `r` reads what a run asks (a server read before its form opens), only
        escape acts: the keys typed right after `r` are the answer, not this screen's (a
        "c" in it asked to cancel the run, under the form that came next)."""
        return None if asking(self.app) and action != "back" else True

    def on_line_table_selected(self, _event: LineTable.Selected) -> None:
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
        title = f"{action.value} {display.short_id(run.id)}"
        if result.skipped is not None:  # it ended meanwhile: nothing failed, nothing left to do
            self.notify(result.skipped, title=f"{title}: skipped", severity="warning")
            return
        verdict = "ok" if result.ok else "failed"
        state = f" → {result.run.status.value}" if result.run is not None else ""
        self.notify(f"{result.message or ''}{state}", title=f"{title}: {verdict}",
                    severity="information" if result.ok else "error")


def fitted_detail_width(items: list[AttentionItem], screen_width: int) -> int:
    """The detail's width for `items` on a screen `screen_width` wide (`ColumnWidths`)."""
    return ColumnWidths(items).detail_width(screen_width)


def row_texts(item: AttentionItem, detail_width: int = DETAIL_WIDTH) -> tuple[str, ...]:
    """One row's cells, each on one line with control characters escaped (server text).
    Drawn as plain text, never read as Rich markup: `[link=…]` in an error shows as typed."""
    run = item.run
    cells = (*_leading_cells(item), clipped(item.detail, detail_width),
             (run.workflow or "") if run else "")
    return tuple(one_line(cell) for cell in cells)


def _cell_widths(item: AttentionItem) -> tuple[int, ...]:
    """The cells' widths before the detail is cut."""
    run = item.run
    return (*(cell_len(one_line(c)) for c in _leading_cells(item)), cell_len(one_line(item.detail)),
            cell_len(one_line(run.workflow or "")) if run else 0)


def _leading_cells(item: AttentionItem) -> tuple[str, str, str]:
    """WHY, PROFILE and ID: the columns before the detail, which it is fitted after."""
    return LABEL[item.reason], item.profile, display.short_id(item.run.id) if item.run else ""


def _failures(count: int) -> str:
    return f"{count} failure" if count == 1 else f"{count} failures"


def _item_key(item: AttentionItem) -> tuple[str, str]:
    """The queue's key of an item: its profile and run id ("" for a profile's trouble)."""
    return item.profile, item.run.id if item.run is not None else ""

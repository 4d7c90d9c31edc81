"""`d` with two runs marked: the two side by side, only what differs (`a`: every field).
Enter on a row shows its two values whole: at 80 columns a cell keeps only their start.

Both runs are read in full (steps, inputs, outputs) from their own profiles, so
runs of two providers compare on the common fields; the comparison itself is
`runtui.engine.diff`, the same as `runtui runs diff`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from runtui import display
from runtui.engine.diff import FieldDiff, compare
from runtui.engine.workspace import Workspace
from runtui.errors import ConfigError, ProviderError
from runtui.model import Run, RunDetail
from runtui.safe_text import cells, clipped, clipped_start, multi_line, one_line
from runtui.tui.guard import guarded
from runtui.tui.keymap import BACK_KEYS, key_named
from runtui.tui.screens.scroll_box import ScrollBoxScreen, scroll_keys
from runtui.tui.widgets.keys_footer import keys_footer

FIELD_WIDTH = 32  # a long step path keeps its end (the step and what differs)
VALUE_MIN = 8  # A and B share the room FIELD leaves; longer values end in "…"
WHOLE_MAX = 20_000  # characters of one value the Enter view shows (`runs diff --json`: all)


def _value(value: object, width: int) -> str:
    return clipped("-" if value is None else str(value), width)


def column_widths(total: int, longest_field: int) -> tuple[int, int]:
    """(FIELD, each of A and B) for a table `total` columns wide: both values on screen.

    With values cut at a fixed 60, A alone filled 80 columns and B was off screen."""
    chrome = 3 + 2 * 2 + 2 + 2  # the ≠ column, cell padding of FIELD, A and B, the scrollbar
    field = min(FIELD_WIDTH, longest_field, max(12, total // 4))
    value = max(VALUE_MIN, (total - chrome - field - 2) // 2)
    return field, value


def whole_value(value: Any) -> str:
    """One value in full, harmless and bounded: text as it is (its lines kept), anything else
    (a subtree past the comparison's depth) as indented JSON; None as the table's `-`."""
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if len(text) > WHOLE_MAX:
        text = f"{text[:WHOLE_MAX]}… ({len(text) - WHOLE_MAX} more characters: runs diff --json has them)"
    return multi_line(text)


def _label(run: Run) -> str:
    return (f"{one_line(run.profile)}/{display.short_id(run.id)} {one_line(run.workflow or '')} "
            f"{display.status_text(run)}")


class DiffScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(BACK_KEYS, "back", "Back", id="diff.back"),
        Binding("a", "toggle_all", "All fields", id="diff.all"),
        # Before the table's own Enter (hidden from the footer and the help); a click on a
        # row selects it, which does the same (on_data_table_row_selected).
        Binding("enter", "whole_values", "Whole values", id="diff.values", priority=True),
        Binding("j", "cursor(1)", "Down", id="diff.down", show=False),
        Binding("k", "cursor(-1)", "Up", id="diff.up", show=False),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = """
    DiffScreen #diff-title {
        height: 2;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DiffScreen #diff-table {
        height: 1fr;
    }
    DiffScreen #diff-summary {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, workspace: Workspace, a: Run, b: Run) -> None:
        super().__init__()
        self.ws = workspace
        self.runs = (a, b)
        self.fields: list[FieldDiff] | None = None
        self.shown: list[FieldDiff] = []  # the table's rows, in order
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Static(f"A {_label(self.runs[0])}\nB {_label(self.runs[1])}", id="diff-title", markup=False)
        yield DataTable(id="diff-table", cursor_type="row", zebra_stripes=False)
        yield Static("reading both runs…", id="diff-summary", markup=False)
        yield keys_footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._read()

    @work(exclusive=True)
    @guarded("reading both runs")
    async def _read(self) -> None:
        details: list[RunDetail] = []
        for run in self.runs:
            try:
                detail = await self.ws.provider(run.profile).read_run(run.id, run.kind)
            except (ProviderError, ConfigError) as exc:
                self.query_one("#diff-summary", Static).update(f"{run.id} not read: {one_line(str(exc))}")
                return
            details.append(detail)
        self.fields = compare(details[0], details[1])
        self._fill()

    def show_failure(self, text: str) -> None:
        """An unexpected error of the read (runtui.tui.guard): said where the summary goes."""
        self.query_one("#diff-summary", Static).update(text)

    def _fill(self) -> None:
        if self.fields is None:
            return
        table: DataTable[Text] = self.query_one(DataTable)
        shown = self.shown = self.fields if self.show_all else [f for f in self.fields if f.differs]
        names = [one_line(f.field) for f in shown]
        field_width, value_width = column_widths(self.size.width or 80, max(map(cells, names), default=5))
        table.clear(columns=True)
        table.add_column("", width=1)
        table.add_column("FIELD", width=field_width)
        table.add_column("A", width=value_width)
        table.add_column("B", width=value_width)
        for f, field in zip(shown, names, strict=True):
            style = "bold" if f.differs else "dim"
            field = clipped_start(field, field_width)  # `….duration_s`: a step path keeps its end
            table.add_row(Text("≠" if f.differs else " "), Text(field, style=style),
                          Text(_value(f.a, value_width), style=style),
                          Text(_value(f.b, value_width), style=style))
        differing = sum(1 for f in self.fields if f.differs)
        key = key_named(self, "diff.all")
        hint = (f" | showing all ({key}: only the differences)" if self.show_all
                else f" | {key}: show every field")
        summary = f"{differing} of {len(self.fields)} fields differ{hint}"
        if not differing:
            summary = f"no differences in {len(self.fields)} fields"
        self.query_one("#diff-summary", Static).update(summary)

    def on_resize(self) -> None:
        """Another width shares out A and B again."""
        self._fill()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self._fill()

    def action_whole_values(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.shown):
            self.app.push_screen(ValuesScreen(self.shown[row], _label(self.runs[0]), _label(self.runs[1])))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_whole_values()

    def action_cursor(self, step: int) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_back(self) -> None:
        self.dismiss(None)


class ValuesScreen(ScrollBoxScreen):
    """One row of the comparison with both values whole, wrapped and scrollable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "close", "Close", id="values.close"),
        *scroll_keys("values"),
    ]

    BOX_ID = "values-box"
    DEFAULT_CSS = """
    ValuesScreen #values-box { width: 100; }
    ValuesScreen .values-head { text-style: bold; }
    ValuesScreen #values-head-b { margin: 1 0 0 0; }
    """

    def __init__(self, field: FieldDiff, a_label: str, b_label: str) -> None:
        super().__init__()
        self.field = field
        self.labels = (a_label, b_label)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="values-box", classes="scroll-box") as box:
            same = "differs" if self.field.differs else "same in both"
            close = key_named(self, "values.close")
            box.border_title = f"{one_line(self.field.field)} ({same}) · {close} closes"
            for side, label, value in zip("AB", self.labels, (self.field.a, self.field.b), strict=True):
                yield Static(f"{side} {label}", classes="values-head", id=f"values-head-{side.lower()}",
                             markup=False)
                yield Static(whole_value(value), id=f"values-{side.lower()}", markup=False)

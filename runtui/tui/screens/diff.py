"""`d` with two runs marked: the two side by side, only what differs (`a`: every field).

Both runs are read in full (steps, inputs, outputs) from their own profiles, so
runs of two providers compare on the common fields; the comparison itself is
`runtui.engine.diff`, the same as `runtui runs diff`.
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
from runtui.engine.diff import FieldDiff, compare
from runtui.engine.workspace import Workspace
from runtui.errors import ConfigError, ProviderError
from runtui.model import Run, RunDetail
from runtui.safe_text import clipped, one_line
from runtui.tui.widgets.keys_footer import keys_footer

FIELD_WIDTH = 32  # a long step path keeps its end (the step and what differs)
VALUE_MIN = 8  # A and B share the room FIELD leaves; longer values end in "…"


def _value(value: object, width: int) -> str:
    return clipped("-" if value is None else str(value), width)


def column_widths(total: int, longest_field: int) -> tuple[int, int]:
    """(FIELD, each of A and B) for a table `total` columns wide: both values on screen.

    With values cut at a fixed 60, A alone filled 80 columns and B was off screen."""
    chrome = 3 + 2 * 2 + 2 + 2  # the ≠ column, cell padding of FIELD, A and B, the scrollbar
    field = min(FIELD_WIDTH, longest_field, max(12, total // 4))
    value = max(VALUE_MIN, (total - chrome - field - 2) // 2)
    return field, value


def _label(run: Run) -> str:
    return (f"{one_line(run.profile)}/{display.short_id(run.id)} {one_line(run.workflow or '')} "
            f"{display.status_text(run)}")


class DiffScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="diff.back"),
        Binding("a", "toggle_all", "All fields", id="diff.all"),
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
    async def _read(self) -> None:
        details: list[RunDetail] = []
        for run in self.runs:
            try:
                detail = await self.ws.provider(run.profile).get_run(run.id, run.kind)
            except (ProviderError, ConfigError) as exc:
                self.query_one("#diff-summary", Static).update(f"{run.id} not read: {one_line(str(exc))}")
                return
            if detail.run.id != run.id:
                self.query_one("#diff-summary", Static).update(
                    f"the server answered the read of {run.id} with another run: not compared")
                return
            details.append(detail)
        self.fields = compare(details[0], details[1])
        self._fill()

    def _fill(self) -> None:
        if self.fields is None:
            return
        table: DataTable[Text] = self.query_one(DataTable)
        shown = self.fields if self.show_all else [f for f in self.fields if f.differs]
        names = [one_line(f.field) for f in shown]
        field_width, value_width = column_widths(self.size.width or 80, max(map(len, names), default=5))
        table.clear(columns=True)
        table.add_column("", width=1)
        table.add_column("FIELD", width=field_width)
        table.add_column("A", width=value_width)
        table.add_column("B", width=value_width)
        for f, field in zip(shown, names, strict=True):
            style = "bold" if f.differs else "dim"
            field = field if len(field) <= field_width else "…" + field[-(field_width - 1):]
            table.add_row(Text("≠" if f.differs else " "), Text(field, style=style),
                          Text(_value(f.a, value_width), style=style),
                          Text(_value(f.b, value_width), style=style))
        differing = sum(1 for f in self.fields if f.differs)
        hint = " | showing all (a: only the differences)" if self.show_all else " | a: show every field"
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

    def action_cursor(self, step: int) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_back(self) -> None:
        self.dismiss(None)

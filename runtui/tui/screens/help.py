"""Every key of the screen underneath and of the app, with the binding id to remap it."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from runtui.tui.widgets.run_filter import HELP as FILTER_HELP

INTRO = ("Keys can be remapped in the config file's \\[keymap] table by binding id, "
         'e.g.  \\[keymap]  "runs.cancel" = "C".  Keys not allowed for the selected run '
         "are greyed out in the footer; the command palette (ctrl+p) lists every action.\n"
         "Filter (/): " + FILTER_HELP + ".")


_NUMBERED = re.compile(r"^(.+)_[1-9]$")
_NUMBER_WORD = re.compile(r"\b[1-9]\b")


def _keys_text(keys: list[str]) -> str:
    """A binding's keys; a run of digits as a range (1-9)."""
    if len(keys) > 2 and all(k.isdigit() and len(k) == 1 for k in keys):
        return f"{keys[0]}-{keys[-1]}"
    return ", ".join(keys)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = """
    HelpScreen #help-box {
        width: 90;
        max-width: 95%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("binding id", style="dim", no_wrap=True)
        # One row per binding (its keys joined), the screen's own keys first, then the app's,
        # then the focused widget's; Textual's built-ins (no id) are left out, and the
        # palette is listed once, at the end.
        found: dict[tuple[str, str], tuple[int, list[str]]] = {}
        for _key, active in self.under.active_bindings.items():
            b = active.binding
            ident = b.id or ""
            if not (b.description or ident):
                continue
            if not ident:
                continue  # Textual's own widget keys (a tree's shift+left, …): not ours to list
            what = b.description or b.action
            numbered = _NUMBERED.match(ident)
            if numbered:  # runs.sort_1 … runs.sort_9: one row, "1-9"
                ident, what = f"{numbered.group(1)}_1…9", _NUMBER_WORD.sub("N", what)
            rank = 0 if active.node is self.under else 1 if active.node is self.app else 2
            _, keys = found.setdefault((ident or b.action, what), (rank, []))
            display = self.app.get_key_display(b)
            if display not in keys:
                keys.append(display)
        ordered = sorted(found.items(), key=lambda item: item[1][0])  # stable: chain order within a rank
        rows = [(_keys_text(keys), what, ident) for (ident, what), (rank, keys) in ordered]
        if ("table.select", "Open") not in found:  # the table is not focused: still say how it works
            rows += [("enter", "Open the run's detail", "table.select"),
                     ("up/down, k/j", "Move the cursor", "table.cursor_up/down"),
                     ("pgup/pgdn, g/G", "Page, top, bottom", "table.page_up/…")]
        rows.append(("ctrl+p", "Command palette", ""))
        for key, what, ident in rows:
            table.add_row(key, what, ident)
        with VerticalScroll(id="help-box"):
            yield Static("[b]runtui keys[/b]\n" + INTRO + "\n", id="help-intro")
            yield Static(table, id="help-table")

    def action_close(self) -> None:
        self.dismiss(None)

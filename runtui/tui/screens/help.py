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

from runtui.tui.keymap import key_named
from runtui.tui.screens.runs import WIDE
from runtui.tui.screens.scroll_box import scroll_keys, scroll_to
from runtui.tui.toasts import keep_toasts_under
from runtui.tui.widgets.keys_footer import DescribesKeys
from runtui.tui.widgets.run_filter import HELP as FILTER_HELP
from runtui.tui.widgets.run_table import RunTable

INTRO = ("Keys can be remapped in the config file's \\[keymap] table by binding id, "
         'e.g.  \\[keymap]  "runs.cancel" = "C".  Keys not allowed for the selected run '
         "are greyed out in the footer; the command palette (ctrl+p) lists every action.")
RUNS_FILTER = "runs.filter"  # the binding id of the runs list's filter: its words are told
RUNS_BACK = "runs.back"
CLOSE_SPLIT = "runs.close_detail"  # the runs list's key that closes the detail beside the table
SPLIT_TABS = (("runs.detail_next_tab", "Next tab"), ("runs.detail_prev_tab", "Previous tab"))


_NUMBERED = re.compile(r"^(.+)_([1-9])$")
_NUMBER_WORD = re.compile(r"\b[1-9]\b")


def _numbers_text(numbers: list[int], dash: str) -> str:
    """Numbers in order, each run of three or more as a range: 1-9, or 1, 2, 4-9."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}{dash}{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        # The list is longer than its box: the keys that move every other list move it too.
        *scroll_keys("help", action="scroll_help", top=("top", "Top"), bottom=("bottom", "Bottom")),
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

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(keys, what, binding id) for every key of the screen underneath and of the app.

        One row per binding (its keys joined), the screen's own keys first, then the app's,
        then the focused widget's; Textual's built-ins (no id) are left out, and the palette
        is listed once, at the end. A numbered binding (runs.sort_1 … runs.sort_9) on its own
        digit joins its family's row ("1-9"); one that the [keymap] moved to another key
        (sort_9 = "0") is a row of its own, so the row never names a digit that does not act.
        """
        found: dict[tuple[str, str], tuple[int, list[str]]] = {}
        families: dict[tuple[str, str], list[int]] = {}  # (id prefix, what) -> its digits
        describes = self.under if isinstance(self.under, DescribesKeys) else None
        keys_of: dict[str, set[str]] = {}  # binding id -> its keys
        for key, active in self.under.active_bindings.items():
            keys_of.setdefault(active.binding.id or "", set()).add(key)
        for key, active in self.under.active_bindings.items():
            b = active.binding
            ident = b.id or ""
            if not ident:
                continue  # Textual's own widget keys (a tree's shift+left, …): not ours to list
            # the screen's words for the key in its state, as its footer says them (c: Stop)
            what = (describes.key_description(b) if describes is not None else None) \
                or b.description or b.action
            rank = 0 if active.node is self.under else 1 if active.node is self.app else 2
            numbered = _NUMBERED.match(ident)
            if numbered and key == numbered.group(2):
                ident, what = numbered.group(1), _NUMBER_WORD.sub("N", what)
                families.setdefault((ident, what), []).append(int(key))
            _, keys = found.setdefault((ident, what), (rank, []))
            display = self.app.get_key_display(b)
            if b.key_display is not None and b.key_display != key and b.key_display in keys_of[b.id or ""]:
                # "end,G" shown as "G" in the footer: each key is named here (End was not)
                display = self.app.get_key_display(b.with_key(key, key_display=None))
            if display not in keys:
                keys.append(display)
        ordered = sorted(found.items(), key=lambda item: item[1][0])  # stable: chain order within a rank
        rows = []
        for (ident, what), (_rank, keys) in ordered:
            digits = families.get((ident, what))
            if digits:
                rows.append((_numbers_text(digits, "-"), what, f"{ident}_{_numbers_text(digits, '…')}"))
            else:
                rows.append((", ".join(keys), what, ident))
        if self._on_runs_list():
            # What the run table does that its keys do not show here: Enter (the filter
            # box's priority Enter hides the table's), and the rest when the box has the
            # focus. Never twice: the table's own rows were listed again under these.
            listed = {ident for ident, _what in found}

            def named(*ids: str) -> str:
                return ", ".join(key_named(self, f"table.{ident}", RunTable, every=True) for ident in ids)

            if "table.select" not in listed:
                rows.append((named("select"), "Open the run's detail", "table.select"))
            if "table.cursor_up" not in listed:
                pages = named("page_up", "page_down", "first", "last")
                rows += [(named("cursor_up", "cursor_down"), "Move the cursor", "table.cursor_up/down"),
                         (pages, "Page, top, bottom", "table.page_up/…")]
            if CLOSE_SPLIT not in listed:  # it acts only while the detail shows beside the table
                row = (key_named(self.under, CLOSE_SPLIT), "Close the detail beside the table "
                       f"({WIDE} columns and more; none open: the app's key)", CLOSE_SPLIT)
                after = [i for i, (_keys, _what, ident) in enumerate(rows) if ident == RUNS_BACK]
                rows.insert(after[0] + 1 if after else len(rows), row)  # by escape's, the other way back
            for ident, what in SPLIT_TABS:  # they too act only while the detail shows beside
                if ident not in listed:
                    after = [i for i, (_keys, _what, listed_id) in enumerate(rows)
                             if listed_id in (RUNS_BACK, CLOSE_SPLIT, *(t for t, _ in SPLIT_TABS))]
                    rows.insert(after[-1] + 1 if after else len(rows),
                                (key_named(self.under, ident), f"{what} of the detail beside the table "
                                 f"({WIDE} columns and more)", ident))
        rows.append(("ctrl+p", "Command palette", ""))
        return rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("binding id", style="dim", no_wrap=True)
        for key, what, ident in self.key_rows():
            table.add_row(key, what, ident)
        with VerticalScroll(id="help-box"):
            intro = INTRO
            if self._on_runs_list():
                intro += f"\nFilter ({key_named(self.under, RUNS_FILTER)}): {FILTER_HELP}."
            yield Static("[b]runtui keys[/b]\n" + intro + "\n", id="help-intro")
            yield Static(table, id="help-table")

    def _on_runs_list(self) -> bool:
        """The screen underneath has the runs list's filter (the workflows view, say, has
        not: its help began with the run filter's words, and listed the run table's keys)."""
        return any(active.binding.id == RUNS_FILTER for active in self.under.active_bindings.values())

    def on_mount(self) -> None:
        keep_toasts_under(self.query_one("#help-box"))  # the keys are read whole

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_help(self, where: str) -> None:
        scroll_to(self.query_one("#help-box", VerticalScroll), where)

"""The toasts said so far, newest first (`M`): what a toast said is never only in the toast.

A toast goes after a few seconds; at 80x24 the older ones are put away while newer
ones show (runtui.tui.toasts), and a dialog leaves them little room. An operator back
from a confirmation, or who looked away, reads here what they missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from runtui.tui.keymap import key_named
from runtui.tui.screens.scroll_box import ScrollBoxScreen, scroll_keys
from runtui.tui.toasts import Said

WORD = {"information": "· info", "warning": "! warning", "error": "✘ error"}
"""The severity in a symbol as well as a word: NO_COLOR shows it too."""


def table(said: Iterable[Said]) -> Table:
    """Newest first: when, how bad, then the title and the words (wrapped in their column)."""
    grid = Table(box=None, expand=True, show_header=False, show_edge=False, pad_edge=False)
    grid.add_column("when", style="dim", no_wrap=True)
    grid.add_column("severity", no_wrap=True)
    grid.add_column("said", ratio=1, overflow="fold")
    for item in sorted(said, key=lambda s: s.at, reverse=True):
        words = Text()
        if item.title:
            words.append(item.title + "\n", style="bold")
        words.append(item.text)
        # every cell a Text: a str cell would be read as Rich markup
        grid.add_row(Text(f"{item.at.astimezone():%H:%M:%S}"), Text(WORD.get(item.severity, item.severity)),
                     words)
    return grid


class MessagesScreen(ScrollBoxScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,M", "close", "Close", id="messages.close"),
        *scroll_keys("messages", top=("first", "Newest"), bottom=("last", "Oldest")),
    ]

    BOX_ID = "messages-box"
    DEFAULT_CSS = "MessagesScreen #messages-box { width: 90; }"

    def __init__(self, said: Iterable[Said]) -> None:
        super().__init__()
        self.source = said  # the app's list, still growing while this screen shows
        self.said = list(said)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="messages-box", classes="scroll-box") as box:
            box.border_title = self._title()
            yield Static(self._content(), id="messages", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self._take_new)

    def _title(self) -> str:
        return f"Messages ({len(self.said)}, newest first) · {key_named(self, 'messages.close')} closes"

    def _content(self) -> Table | str:
        return table(self.said) if self.said else "No messages yet."

    def _take_new(self) -> None:
        """A toast raised while the list shows joins it (at the top) within a second; the
        list is redrawn only when there is one."""
        latest = list(self.source)
        if len(latest) == len(self.said) and (not latest or latest[-1] is self.said[-1]):
            return
        self.said = latest
        self.query_one("#messages-box", VerticalScroll).border_title = self._title()
        self.query_one("#messages", Static).update(self._content())

"""The floor: a trivial Textual app (one label, one key) started the same way as runtui.

    python bench/floor.py

Shows "floor-ready" on its first frame; `j` rewrites the label (a one-line update), and
so does Escape: a lone Escape is a key only after Textual's escape delay (ESCDELAY, 100 ms),
so runtui's Escape is compared with this one, not with `j`.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static


class Floor(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("j", "bump", "bump"), ("escape", "bump", "bump"),
                                              ("q", "quit", "quit")]

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def compose(self) -> ComposeResult:
        yield Static("floor-ready 0", id="label")

    def action_bump(self) -> None:
        self.n += 1
        self.query_one("#label", Static).update(f"floor-ready {self.n}")


if __name__ == "__main__":
    Floor().run()

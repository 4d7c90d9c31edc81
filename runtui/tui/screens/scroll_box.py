"""A modal box of text taller than the screen may be, read by keyboard: the messages
(`M`) and a comparison's two whole values. One look and one set of moves for both."""

from __future__ import annotations

from typing import ClassVar

from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from runtui.tui.toasts import keep_toasts_under


class ScrollBoxScreen(ModalScreen[None]):
    """The box is the screen's `#{BOX_ID}` VerticalScroll (its width is the screen's own
    rule); a screen binds `close` and `scroll('down'|'up'|'home'|'end')` under ids of
    its own, so a keymap can move one screen's keys and not the other's."""

    BOX_ID: ClassVar[str] = "box"

    DEFAULT_CSS = """
    ScrollBoxScreen { align: center middle; background: $background 60%; }
    ScrollBoxScreen .scroll-box {
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        border-title-align: left;
        background: $surface;
        padding: 0 1;
    }
    """

    def box(self) -> VerticalScroll:
        return self.query_one(f"#{self.BOX_ID}", VerticalScroll)

    def on_mount(self) -> None:
        box = self.box()
        box.focus()
        keep_toasts_under(box)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, where: str) -> None:
        box = self.box()
        if where == "down":
            box.scroll_down(animate=False)
        elif where == "up":
            box.scroll_up(animate=False)
        elif where == "home":
            box.scroll_home(animate=False)
        else:
            box.scroll_end(animate=False)

"""A modal box of text taller than the screen may be, read by keyboard: the messages
(`M`) and a comparison's two whole values. One look and one set of moves for both."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from runtui.tui.toasts import keep_toasts_under


def scroll_keys(screen: str, *, action: str = "scroll", top: tuple[str, str] = ("first", "Top"),
                bottom: tuple[str, str] = ("last", "End")) -> list[Binding]:
    """The run table's j k g G on a scrolling box (its arrows and PgUp/PgDn are the box's
    own), under `screen`'s binding ids: a keymap moves one screen's keys, not another's.
    `top`/`bottom`: the last part of the id, and the words the help shows."""
    return [
        Binding("j", f"{action}('down')", "Down", id=f"{screen}.down", show=False),
        Binding("k", f"{action}('up')", "Up", id=f"{screen}.up", show=False),
        Binding("g", f"{action}('home')", top[1], id=f"{screen}.{top[0]}", show=False),
        Binding("G", f"{action}('end')", bottom[1], id=f"{screen}.{bottom[0]}", show=False),
    ]


def scroll_to(box: VerticalScroll, where: str) -> None:
    """`where`: down, up, home or end, at once (no animation over SSH)."""
    moves = {"down": box.scroll_down, "up": box.scroll_up, "home": box.scroll_home, "end": box.scroll_end}
    moves[where](animate=False)


class ScrollBoxScreen(ModalScreen[None]):
    """The box is the screen's `#{BOX_ID}` VerticalScroll (its width is the screen's own
    rule); a screen binds `close`, and `scroll_keys` under ids of its own."""

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
        scroll_to(self.box(), where)

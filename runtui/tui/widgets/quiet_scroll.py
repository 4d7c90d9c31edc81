"""Scrolling a line-drawn view without repainting every line."""

from __future__ import annotations

from textual.scroll_view import ScrollView
from textual.widget import Widget


def scroll_quietly(view: ScrollView, top: int) -> None:
    """Put line `top` at the top of `view` without `ScrollView.watch_scroll_y`, which
    repaints every line: the caller repaints the lines that differ (over SSH, a scroll by
    one line then costs one line's bytes, not a screenful)."""
    if top == view.scroll_offset.y:
        return
    view.set_reactive(Widget.scroll_y, float(top))
    view.set_reactive(Widget.scroll_target_y, float(top))
    if view.show_vertical_scrollbar:
        view.vertical_scrollbar.position = top

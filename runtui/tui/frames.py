"""Putting the repaints a keystroke causes into one frame.

A widget asks the screen to repaint it when its own message queue next goes idle.
When one key changes several widgets (the filter box, the table's rows, its
scrollbar, the summary line), those requests reach the screen at different times,
and the ones that miss the first frame wait for the next (17-30 ms later). Asking
for them at the end of the key's handler puts them all in the first frame.

This calls `Widget._check_refresh`, the method Textual's own idle handler calls;
without it (a future Textual), the repaints simply come as before.
"""

from __future__ import annotations

from textual.widget import Widget


def repaint_now(*widgets: Widget) -> None:
    for widget in widgets:
        check = getattr(widget, "_check_refresh", None)
        if check is not None and widget.is_attached:
            check()

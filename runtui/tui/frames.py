"""Putting the repaints a keystroke causes into one frame.

A widget asks the screen to repaint it when its own message queue next goes idle.
When one key changes several widgets (the filter box, the table's rows, its
scrollbar, the summary line), those requests reach the screen at different times,
and the ones that miss the first frame wait for the next (17-30 ms later). Asking
for them at the end of the key's handler puts them all in the first frame.

This calls `Widget._check_refresh`, the method Textual's own idle handler calls:
private API, so only while `runtui.tui.switch` is on; in stock mode the repaints
come as Textual schedules them.
"""

from __future__ import annotations

from textual.widget import Widget

from runtui.tui import switch


def repaint_now(*widgets: Widget) -> None:
    if not switch.private():
        return
    for widget in widgets:
        if widget.is_attached:
            widget._check_refresh()

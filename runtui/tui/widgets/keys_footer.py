"""The footer every screen shows."""

from __future__ import annotations

from textual.widgets import Footer


def keys_footer() -> Footer:
    """Compact, and without the palette's own entry (help and the palette name ctrl+p):
    at 80 columns the screen's keys still leave room for `q Quit` and `? Help`."""
    return Footer(compact=True, show_command_palette=False)

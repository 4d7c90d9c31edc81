"""A run-duration sparkline in one table cell: one bar per run, coloured by outcome.

Textual's `Sparkline` widget draws one series in one colour; a cell needs text, and
an operator needs to see which bars failed even with NO_COLOR, so failed runs are
underlined as well as red.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from runtui.model import Status

BARS = "▁▂▃▄▅▆▇█"
STYLES = {
    Status.SUCCEEDED: Style(color="green"),
    Status.FAILED: Style(color="red", underline=True),
    Status.CANCELLED: Style(color="yellow", dim=True),
}


def sparkline(recent: tuple[tuple[float, Status], ...], width: int) -> Text:
    """The last `width` runs' durations, oldest left, scaled to the longest of them."""
    shown = recent[-width:]
    text = Text(no_wrap=True, overflow="crop")
    if not shown:
        return text
    top = max(d for d, _ in shown) or 1.0
    for duration, status in shown:
        level = min(len(BARS) - 1, int(duration / top * (len(BARS) - 1) + 0.5))
        text.append(BARS[level], STYLES.get(status, Style()))
    return text

"""A run-duration sparkline in one table cell: one bar per run, coloured by outcome.

Textual's `Sparkline` widget draws one series in one colour; a cell needs text, and
an operator needs to see which bars failed even with NO_COLOR, so failed runs are
underlined as well as coloured. The caller gives the styles (its theme's colours).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from runtui.model import Status

BARS = "▁▂▃▄▅▆▇█"


def sparkline(recent: tuple[tuple[float, Status], ...], width: int, styles: Mapping[Status, Style]) -> Text:
    """The last `width` runs' durations, oldest left, scaled to the longest of them."""
    shown = recent[-width:]
    text = Text(no_wrap=True, overflow="crop")
    if not shown:
        return text
    top = max(d for d, _ in shown) or 1.0
    for duration, status in shown:
        level = min(len(BARS) - 1, int(duration / top * (len(BARS) - 1) + 0.5))
        text.append(BARS[level], styles.get(status, Style()))
    return text

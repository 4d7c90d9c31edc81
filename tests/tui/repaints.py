"""A spy on the regions a widget is asked to repaint: tests of the views that repaint only
what changed count them (every screen write goes through `refresh`)."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.widget import Widget


class Repaints:
    """The regions `widget` is asked to repaint, in order."""

    def __init__(self, widget: Widget) -> None:
        self.calls: list[tuple[Region, ...]] = []
        original = widget.refresh

        def spy(*regions: Region, **kwargs: Any) -> Widget:
            self.calls.append(regions)
            return original(*regions, **kwargs)

        widget.refresh = spy  # type: ignore[method-assign]

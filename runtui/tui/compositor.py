"""Partial screen updates that send only the changed cells, not the line up to them.

Textual's partial update sends a dirty span from the *left edge of the widget*
to the end of the span (its own code says "TODO: crop to x extents"), so a
ticking duration cell at column 150 of a run table costs the whole 150 columns
before it: ~300 bytes a second per running row over SSH. This compositor crops
each update to the dirty span itself (~40 bytes per cell). Everything else is
Textual's: only `render_partial_update` is replaced. This module uses Textual's
private API: only `runtui.tui.switch` imports it, and only while the switch is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip


class CroppedChopsUpdate(ChopsUpdate):
    """A ChopsUpdate whose strips are cropped on both sides of each dirty span."""

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        append = sequences.append
        chops = self.chops
        chop_ends = self.chop_ends
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            line = chops[y]
            ends = chop_ends[y]
            for end, (x, strip) in zip(ends, line.items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                left = max(x, x1)
                right = min(end, x2)
                if left == x and right == end:
                    part: Strip = strip
                else:
                    part = strip.crop(left - x, right - x)
                append(f"\x1b[{y + 1};{left + 1}H")
                append(part.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


class CroppingCompositor(Compositor):
    """Partial updates that render only the dirty lines, and send only the dirty cells.

    Textual renders every widget that overlaps the box around all dirty regions,
    each over its whole height: a ticking duration in the table and the summary
    line above it re-render the footer, the health bar and every table line. Here
    a widget renders only the rows from its first to its last dirty cell, and not
    at all when no dirty region touches it.
    """

    _dirty: list[Region] | None = None

    def render_partial_update(self) -> ChopsUpdate | None:
        self._dirty = list(self._dirty_regions)
        try:
            update = super().render_partial_update()
        finally:
            self._dirty = None
        if update is None:
            return None
        return CroppedChopsUpdate(update.chops, update.spans, update.chop_ends)

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        dirty = self._dirty
        if dirty is None or crop is None:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in list(self.visible_widgets.items()):
            visible = region.intersection(clip)
            hits = [d for d in dirty if d.overlaps(visible)]
            if not hits:
                continue  # no dirty cell of this update is on it
            top = max(visible.y, min(d.y for d in hits))
            bottom = min(visible.bottom, max(d.bottom for d in hits))
            part = Region(visible.x, top, visible.width, bottom - top)
            strips = widget.render_lines(part.translate((-region.x, -region.y)))
            yield region, part, strips


def install_cropping_compositor(screen: Screen[Any]) -> None:
    """Give `screen` the cropping compositor (call from its __init__)."""
    if type(screen._compositor) is Compositor:
        screen._compositor = CroppingCompositor()

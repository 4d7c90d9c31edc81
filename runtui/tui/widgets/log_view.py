"""The log view: a line-API widget that draws only the rows on screen.

Like the run table, no widget per line and no RichLog: a million lines cost the
rows' two integer arrays (log_rows.py) plus the buffer the engine keeps, and a
frame renders at most a screenful of strips. Every row shows its level as a word
(colour is a second cue only, so NO_COLOR loses nothing) and server text made
harmless (`safe_text.one_line`): logs are where escape sequences turn up.

Following: the view sticks to the bottom while new lines arrive; scrolling up
stops that (the status line says so) and `G`/End starts it again.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import MouseScrollUp
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from runtui.engine.log_store import LogLine
from runtui.logtext import ago
from runtui.model import LogLevel, Marker
from runtui.safe_text import one_line
from runtui.tui.widgets.log_rows import LogRows, RowFilter

LEVEL_WORD: dict[LogLevel, str] = {
    LogLevel.DEBUG: "DEBUG",
    LogLevel.INFO: "INFO ",
    LogLevel.WARNING: "WARN ",
    LogLevel.ERROR: "ERROR",
}
TIME_WIDTH = 8
SOURCE_MAX = 20
MIN_MESSAGE = 30  # below this many cells for the message, the source column goes


class LogView(ScrollView, can_focus=True):
    """Draws a `LogRows`; keys scroll, follow, filter, wrap, switch times and find."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_by(-1)", "Up", show=False, id="logs.up"),
        Binding("down,j", "scroll_by(1)", "Down", show=False, id="logs.down"),
        Binding("pageup,b", "page(-1)", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="logs.page_down"),
        Binding("home,g", "top", "Top", show=False, id="logs.top"),
        Binding("end,G", "follow", "Follow", key_display="G", id="logs.follow"),
        Binding("left", "pan(-8)", "Left", show=False, id="logs.left"),
        Binding("right", "pan(8)", "Right", show=False, id="logs.right"),
        Binding("v", "cycle_level", "Level", id="logs.level"),
        Binding("o", "cycle_source", "Source", id="logs.source"),
        Binding("W", "toggle_wrap", "Wrap", id="logs.wrap"),
        Binding("T", "toggle_times", "Times", id="logs.times"),
        Binding("n", "find(1)", "Next match", show=False, id="logs.next_match"),
        Binding("N", "find(-1)", "Previous match", show=False, id="logs.previous_match"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--debug", "log-view--info",
        "log-view--warning", "log-view--error", "log-view--marker", "log-view--match",
    }

    DEFAULT_CSS = """
    LogView { background: $surface; }
    LogView.-following { scrollbar-size-vertical: 0; }
    LogView > .log-view--debug { color: $text-muted; }
    LogView > .log-view--info { }
    LogView > .log-view--warning { color: $warning; text-style: bold; }
    LogView > .log-view--error { color: $text-error; text-style: bold; }  /* $error: dark grey in NO_COLOR */
    LogView > .log-view--marker { text-style: reverse; }
    LogView > .log-view--match { text-style: reverse underline; }
    """

    class Changed(Message):
        """Following, filters, wrap, times or the search changed: the status line redraws."""

    def __init__(self, rows: LogRows, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows = rows
        self._following = True
        self.add_class("-following")
        self.relative_times = False
        self.wrap = False
        self.tz: tzinfo | None = None  # the local zone
        self._pan = 0  # cells of the message scrolled off to the left (no wrap)
        self._source_width = 0
        self._first_time: datetime | None = None
        self.match_row = -1  # the row of the match `n`/`N` went to last (-1: none yet)

    # ---- data --------------------------------------------------------------------------

    def lines_changed(self, dropped: int = 0) -> None:
        """The buffer grew (or was cut at the front): place the new rows, follow, repaint."""
        if not self.rows.sync(dropped):
            return
        self._sync_size()
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def _sync_size(self) -> None:
        self._source_width = min(SOURCE_MAX, max((len(s) for s in self.rows.sources), default=0))
        width = self._prefix_width() + (self.rows.longest if not self.wrap else 0)
        want = Size(max(1, width), len(self.rows))
        if self.virtual_size != want:
            self.virtual_size = want

    def _prefix_width(self) -> int:
        width = TIME_WIDTH + 1 + 5 + 1
        if self._shows_source():
            width += self._source_width + 1
        return width

    def _shows_source(self) -> bool:
        room = self.size.width - (TIME_WIDTH + 7 + self._source_width)
        return self._source_width > 0 and room >= MIN_MESSAGE

    def _message_width(self) -> int:
        return max(8, self.scrollable_content_region.width - self._prefix_width())

    def on_resize(self) -> None:
        if self.wrap:
            self.rows.set_wrap(self._message_width())
        self._sync_size()
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    # ---- drawing -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if not 0 <= row < len(self.rows):
            return Strip.blank(width, self.rich_style)
        line, part, text = self.rows.row(row)
        if line.marker is not None:
            return self._marker_strip(line, width)
        # One style for the whole line, the level's (a level word says it too, so NO_COLOR
        # loses nothing): a followed log repaints every line each read, and one style change
        # a line keeps that to the text's own bytes plus one SGR.
        style = self.rich_style + self.get_component_rich_style(
            f"log-view--{line.level.name.lower()}", partial=True)
        if part == 0:
            head = f"{self._time_text(line)} {LEVEL_WORD.get(line.level, 'INFO ')} "
            if self._shows_source():
                source = one_line(line.source or "-")
                if len(source) > self._source_width:
                    source = source[: self._source_width - 1] + "…"
                head += source.ljust(self._source_width) + " "
        else:
            head = " " * self._prefix_width()
        shown = one_line(text)
        if not self.wrap and self._pan:
            shown = shown[self._pan:]
        segments = [Segment(head, style), *self._highlighted(shown, style)]
        return Strip(Segment.simplify(segments)).crop_extend(0, width, style)

    def _time_text(self, line: LogLine) -> str:
        if line.time is None:
            return "-".center(TIME_WIDTH)
        if self.relative_times:
            first = self._first_time or line.time
            return ago(line.time, first).rjust(TIME_WIDTH)
        return line.time.astimezone(self.tz).strftime("%H:%M:%S")

    def _highlighted(self, text: str, style: Style) -> list[Segment]:
        query = self.rows.query
        if not query or query not in text.lower():
            return [Segment(text, style)]
        match_style = style + self.get_component_rich_style("log-view--match", partial=True)
        lowered = text.lower()
        segments: list[Segment] = []
        at = 0
        while True:
            found = lowered.find(query, at)
            if found == -1:
                segments.append(Segment(text[at:], style))
                return segments
            segments.append(Segment(text[at:found], style))
            segments.append(Segment(text[found:found + len(query)], match_style))
            at = found + len(query)

    def _marker_strip(self, line: LogLine, width: int) -> Strip:
        symbol = {Marker.LOST: "⚠", Marker.GAP: "⋯", Marker.RESUMED: "✓", Marker.ENDED: "■",
                  Marker.GROWS: "⚠"}.get(
            line.marker or Marker.GAP, "·")
        label = f"── {symbol} {one_line(line.message)} "
        style = self.rich_style + self.get_component_rich_style("log-view--marker", partial=True)
        return Strip([Segment(label.ljust(width, "─"), style)]).crop_extend(0, width, style)

    # ---- following and scrolling -------------------------------------------------------

    @property
    def following(self) -> bool:
        """Sticking to the newest line. While it does, the scrollbar is hidden: the view is at
        the bottom by definition (the status line says "following"), and a followed log then
        repaints only its lines, not a scrollbar cell on every row each read."""
        return self._following

    @following.setter
    def following(self, value: bool) -> None:
        self._following = value
        self.set_class(value, "-following")

    def _stop_following(self) -> None:
        if self.following:
            self.following = False
            self.post_message(self.Changed())

    def action_scroll_by(self, step: int) -> None:
        if step < 0:
            self._stop_following()
        self.scroll_to(y=self.scroll_offset.y + step, animate=False, immediate=True)
        if step > 0 and self.scroll_offset.y >= self.max_scroll_y and not self.following:
            self.action_follow()

    def action_page(self, step: int) -> None:
        self.action_scroll_by(step * max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self._stop_following()
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_follow(self) -> None:
        """Stick to the newest line again (G / End)."""
        self.following = True
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.post_message(self.Changed())

    def action_pan(self, cells: int) -> None:
        if self.wrap:
            return
        self._pan = max(0, min(self._pan + cells, max(0, self.rows.longest - self._message_width())))
        self.refresh()

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self._stop_following()

    # ---- choices -----------------------------------------------------------------------

    def _rebuilt(self) -> None:
        self._sync_size()
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed())

    def action_cycle_level(self) -> None:
        self.rows.cycle_level()
        self._rebuilt()

    def action_cycle_source(self) -> None:
        self.rows.cycle_source()
        self._rebuilt()

    def set_filter(self, row_filter: RowFilter) -> None:
        self.rows.set_filter(row_filter)
        self._rebuilt()

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._pan = 0
        self.rows.set_wrap(self._message_width() if self.wrap else None)
        self._rebuilt()

    def action_toggle_times(self) -> None:
        self.relative_times = not self.relative_times
        self._first_time = next((line.time for line in self.rows.lines if line.time is not None), None)
        self.refresh()
        self.post_message(self.Changed())

    def search(self, text: str) -> int:
        """Find `text` in every shown line; jumps to the first match after the top row."""
        found = self.rows.search(text)
        self.match_row = -1
        self.refresh()
        if found:
            self.action_find(1, from_row=int(self.scroll_offset.y) - 1)
        self.post_message(self.Changed())
        return found

    def action_find(self, step: int, from_row: int | None = None) -> None:
        if from_row is not None:
            here = from_row
        else:
            here = self.match_row if self.match_row >= 0 else int(self.scroll_offset.y)
        target = self.rows.next_match(here, step)
        if target is None:
            return
        self._stop_following()
        self.match_row = target
        height = self.scrollable_content_region.height
        if not self.scroll_offset.y <= target < self.scroll_offset.y + height:
            self.scroll_to(y=max(0, target - height // 3), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed())

    @property
    def top_row(self) -> int:
        return int(self.scroll_offset.y)

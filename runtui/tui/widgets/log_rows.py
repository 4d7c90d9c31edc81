"""Which log lines the view shows, in which rows: filtered, split, searchable.

`LogRows` reads a follower's `LogLines` (columns that only grow at the end and are
cut at the front in chunks) and keeps two flat integer arrays, one entry per
screen row: the line's index and which part of the line the row holds (a
message's own line, or a wrapped piece of it). New lines are placed
incrementally, from the columns, without building a line object; a filter,
wrap or width change places them all again (two integers a row: a million lines
cost 8 MB here: 4 bytes each).

No Textual here: the widget (log_view.py) draws what this decides.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

import msgspec
from rich.cells import cell_len

from runtui.engine.log_store import MULTI_LINE, LogLine, LogLines
from runtui.model import LogLevel

LEVELS = (LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR)


class RowFilter(msgspec.Struct, frozen=True):
    """What the operator chose to see. Runtui's own lines (stream lost, gap, end) always show."""

    min_level: LogLevel = LogLevel.DEBUG
    source: str | None = None


def message_parts(message: str, width: int | None) -> list[str]:
    """A message's rows: its own lines, each cut into `width`-cell pieces when wrapping."""
    lines = message.split("\n") if "\n" in message else [message]
    if width is None or width <= 0:
        return lines
    parts: list[str] = []
    for line in lines:
        if len(line) <= width and (line.isascii() or cell_len(line) <= width):
            parts.append(line)
            continue
        piece: list[str] = []
        used = 0
        for char in line:
            size = cell_len(char)
            if used + size > width and piece:
                parts.append("".join(piece))
                piece, used = [], 0
            piece.append(char)
            used += size
        parts.append("".join(piece))
    return parts


class LogRows:
    """The rows of one log as the view shows them now."""

    def __init__(self, lines: LogLines) -> None:
        self.lines = lines
        self.filter = RowFilter()
        self.wrap_width: int | None = None  # None: no wrap (one row per message line)
        self.line_of = array("I")  # row -> line index
        self.part_of = array("I")  # row -> part of that line
        self.longest = 0  # bytes of the longest message seen (horizontal scrolling)
        self.query = ""
        self._matches: array[int] | None = None  # lines matching `query`, ascending
        self._consumed = 0  # lines already placed in rows
        self._offset = 0  # lines cut from the front before `lines[0]`

    def __len__(self) -> int:
        return len(self.line_of)

    @property
    def sources(self) -> list[str]:
        """Every source seen, in order of first appearance."""
        return [name for name in self.lines.source_names if name is not None]

    # ---- keeping up with the buffer ----------------------------------------------------

    def sync(self, dropped: int = 0) -> bool:
        """Place lines the buffer gained since the last call. `dropped`: how many lines the
        buffer has cut from its front in all (then everything is placed again).
        Returns whether any row changed."""
        if dropped != self._offset:
            self._offset = dropped
            self.rebuild()
            return True
        if self._consumed >= len(self.lines):
            return False
        self._place(self._consumed)
        return True

    def rebuild(self) -> None:
        self.line_of = array("I")
        self.part_of = array("I")
        self._consumed = 0
        self._place(0)

    def _kept(self, start: int, end: int) -> list[int]:
        """Indices in [start, end) the filter keeps, read from the columns."""
        lines, rule = self.lines, self.filter
        if rule.min_level <= LogLevel.DEBUG and rule.source is None:
            return list(range(start, end))
        levels, markers = lines.levels, lines.markers
        floor = int(rule.min_level)
        if rule.source is None:
            return [i for i in range(start, end) if levels[i] >= floor or markers[i]]
        try:
            wanted = lines.source_names.index(rule.source)
        except ValueError:
            wanted = -1
        sources = lines.source_ids
        return [i for i in range(start, end)
                if markers[i] or (levels[i] >= floor and sources[i] == wanted)]

    def _place(self, start: int) -> None:
        lines = self.lines
        end = len(lines)
        kept = self._kept(start, end)
        width = self.wrap_width
        flags, offsets = lines.flags, lines.offsets
        if width is None and not any(flags[i] & MULTI_LINE for i in kept):
            self.line_of.extend(kept)  # one row a line: no per-line Python work but this
            self.part_of.extend(bytes(len(kept)))
            if kept:
                self.longest = max(self.longest, max(offsets[i + 1] - offsets[i] for i in kept) - 1)
        else:
            line_of, part_of = self.line_of, self.part_of
            for index in kept:
                if width is None and not flags[index] & MULTI_LINE:
                    line_of.append(index)
                    part_of.append(0)
                    continue
                for part, text in enumerate(message_parts(lines.message(index), width)):
                    line_of.append(index)
                    part_of.append(part)
                    self.longest = max(self.longest, len(text))
        if self.query:  # new lines are searched as they arrive (only they are scanned)
            found = lines.find(self.query, start, end)
            if len(kept) != end - start:
                keep = set(kept)
                found = [i for i in found if i in keep]
            if start == 0 or self._matches is None:
                self._matches = array("q", found)
            else:
                self._matches.extend(found)
        self._consumed = end

    # ---- choices -----------------------------------------------------------------------

    def set_filter(self, row_filter: RowFilter) -> None:
        if row_filter != self.filter:
            self.filter = row_filter
            self.rebuild()

    def set_wrap(self, width: int | None) -> None:
        if width != self.wrap_width:
            self.wrap_width = width
            self.rebuild()

    def cycle_level(self) -> LogLevel:
        """debug → info → warning → error → debug: the lowest level shown."""
        current = LEVELS.index(self.filter.min_level)
        level = LEVELS[(current + 1) % len(LEVELS)]
        self.set_filter(RowFilter(level, self.filter.source))
        return level

    def cycle_source(self) -> str | None:
        """Every source, then all of them again (None)."""
        names = self.sources
        if not names:
            return None
        current = self.filter.source
        following = names.index(current) + 1 if current in names else 0
        source = names[following] if following < len(names) else None
        self.set_filter(RowFilter(self.filter.min_level, source))
        return source

    # ---- search ------------------------------------------------------------------------

    def search(self, text: str) -> int:
        """Match `text` (case-insensitive) over every shown line; returns how many matched."""
        self.query = text.lower()
        if not self.query:
            self._matches = None
            return 0
        found = self.lines.find(self.query, 0, self._consumed)
        rule = self.filter
        if rule.min_level > LogLevel.DEBUG or rule.source is not None:
            keep = set(self._kept(0, self._consumed))
            found = [i for i in found if i in keep]
        self._matches = array("q", found)
        return len(self._matches)

    @property
    def match_count(self) -> int:
        return 0 if self._matches is None else len(self._matches)

    def match_rank(self, row: int) -> int:
        """1-based rank of the match at or before `row` (0: none)."""
        if not self._matches or not len(self.line_of):
            return 0
        return bisect_right(self._matches, self.line_of[min(row, len(self.line_of) - 1)])

    def next_match(self, row: int, step: int) -> int | None:
        """The first row of the next (`step` 1) or previous (-1) matching line from `row`,
        wrapping around the ends; None when nothing matches."""
        matches = self._matches
        if not matches or not len(self.line_of):
            return None
        here = self.line_of[min(max(row, 0), len(self.line_of) - 1)]
        if step > 0:
            target = matches[bisect_right(matches, here) % len(matches)]
        else:
            target = matches[(bisect_left(matches, here) - 1) % len(matches)]
        return self.first_row_of(target)

    def first_row_of(self, line: int) -> int:
        return bisect_left(self.line_of, line)

    # ---- one row -----------------------------------------------------------------------

    def row(self, row: int) -> tuple[LogLine, int, str]:
        """The line a row shows, which part of it, and that part's text."""
        index = self.line_of[row]
        line = self.lines.line(index)
        part = self.part_of[row]
        if self.wrap_width is None and not self.lines.flags[index] & MULTI_LINE:
            return line, 0, line.message
        parts = message_parts(line.message, self.wrap_width)
        return line, part, parts[part] if part < len(parts) else ""

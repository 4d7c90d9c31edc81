"""One run's log lines in columns: about 25 bytes a line besides its text.

A million `LogEvent` objects cost ~440 bytes a line in CPython (the object, its
datetime, its id and message strings). A followed log keeps only what a face
shows, so it is stored as columns: the messages' UTF-8 in one `bytearray`, each
ended by a NUL (so a search scans whole chunks without matching across lines),
and arrays of offsets, times, levels, sources (an index into a table), markers
and flags. Ids are not kept here: the buffer remembers recent ones to drop
repeats, and nothing shown needs them.

`line(i)` gives one line back as a `LogLine` for drawing and saving.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import NamedTuple

from runtui.model import LogEvent, LogLevel, Marker

MARKERS: tuple[Marker | None, ...] = (None, *Marker)
MULTI_LINE = 1  # flag: the message holds a newline
MAX_SOURCES = 65_535  # distinct sources one log names (an unsigned short each)
SEARCH_CHUNK = 8192  # lines decoded per search pass: large enough that C does the work
_NUL = "\x00"


class LogLine(NamedTuple):
    """One stored line, as faces draw and save it."""

    time: datetime | None
    level: LogLevel
    source: str | None
    message: str
    marker: Marker | None


class LogLines:
    """Append-only columns, cut at the front in chunks (`drop_front`)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.offsets = array("I", [0])  # line i is data[offsets[i]:offsets[i + 1] - 1] (< 4 GB)
        self.times = array("d")  # seconds since the epoch; NaN: no time
        self.levels = array("B")  # LogLevel values
        self.source_ids = array("H")  # index into `source_names`; 0: no source
        self.markers = array("B")  # index into MARKERS; 0: a server's line
        self.flags = array("B")
        self.source_names: list[str | None] = [None]
        self._source_index: dict[str | None, int] = {None: 0}

    def __len__(self) -> int:
        return len(self.levels)

    def append(self, events: Iterable[LogEvent]) -> None:
        data, offsets, times, levels = self.data, self.offsets, self.times, self.levels
        sources, markers, flags = self.source_ids, self.markers, self.flags
        index = self._source_index
        for event in events:
            message = event.message
            if _NUL in message:
                message = message.replace(_NUL, "\u2400")  # drawn as ␀ anyway
            data += message.encode("utf-8", "replace")
            data.append(0)
            offsets.append(len(data))
            times.append(event.time.timestamp() if event.time is not None else math.nan)
            levels.append(int(event.level))
            source = None if event.marker is not None else event.source
            found = index.get(source)
            if found is None:
                if len(self.source_names) >= MAX_SOURCES:
                    source = "(more sources)"  # a server naming 65,000 sources: one bucket
                    found = index.get(source)
                if found is None:
                    found = index[source] = len(self.source_names)
                    self.source_names.append(source)
            sources.append(found)
            markers.append(MARKERS.index(event.marker))
            flags.append(MULTI_LINE if "\n" in message else 0)

    def drop_front(self, count: int) -> None:
        """Let the oldest `count` lines go (O(n): call it for a tenth of the lines at a time)."""
        count = min(count, len(self))
        if count <= 0:
            return
        cut = self.offsets[count]
        del self.data[:cut]
        self.offsets = array("I", (o - cut for o in self.offsets[count:]))
        for name in ("times", "levels", "source_ids", "markers", "flags"):
            column: array[int] | array[float] = getattr(self, name)
            del column[:count]

    # ---- one line ----------------------------------------------------------------------

    def message(self, i: int) -> str:
        return self.data[self.offsets[i]:self.offsets[i + 1] - 1].decode("utf-8", "replace")

    def byte_length(self, i: int) -> int:
        return self.offsets[i + 1] - self.offsets[i] - 1

    def time(self, i: int) -> datetime | None:
        value = self.times[i]
        return None if math.isnan(value) else datetime.fromtimestamp(value, UTC)

    def level(self, i: int) -> LogLevel:
        return LogLevel(self.levels[i])

    def source(self, i: int) -> str | None:
        return "runtui" if self.markers[i] else self.source_names[self.source_ids[i]]

    def marker(self, i: int) -> Marker | None:
        return MARKERS[self.markers[i]]

    def line(self, i: int) -> LogLine:
        return LogLine(self.time(i), self.level(i), self.source(i), self.message(i), self.marker(i))

    def __iter__(self) -> Iterator[LogLine]:
        return (self.line(i) for i in range(len(self)))

    # ---- search ------------------------------------------------------------------------

    def find(self, query: str, start: int = 0, end: int | None = None) -> list[int]:
        """Lines in [start, end) whose message contains `query` (lower case), ascending.

        Each chunk of lines is decoded and lower-cased once and scanned with `str.find`;
        a match's line is the number of NULs before it, so case folding that changes a
        text's length (İ) cannot shift a match onto the wrong line."""
        stop_all = len(self) if end is None else min(end, len(self))
        found: list[int] = []
        for first in range(start, stop_all, SEARCH_CHUNK):
            stop = min(stop_all, first + SEARCH_CHUNK)
            text = self.data[self.offsets[first]:self.offsets[stop]].decode("utf-8", "replace").lower()
            at = text.find(query)
            line, counted = first, 0
            while at != -1:
                line += text.count(_NUL, counted, at)
                found.append(line)
                end_of_line = text.find(_NUL, at)
                if end_of_line == -1:
                    break
                line += 1
                counted = end_of_line + 1
                at = text.find(query, counted)
        return found

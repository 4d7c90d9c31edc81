"""Drop a frame that repeats, byte for byte, a frame whose cells nothing has painted since.

Textual lays a newly mounted widget out twice: its first layout sets its
virtual size, which asks for a second layout, which repaints the same cells
(a toast costs ~2 KB a time over SSH, for nothing); a row update may come in
between, and the first paint may carry other lines with it. A frame is a paint
at absolute positions: each piece of it starts with a cursor move to a cell and
sets its own colours, and line wrap is off, so a piece paints only on its line,
from that cell for as many cells as its text is wide. A frame whose pieces all
came, as they are, in one recent frame, with no frame since painting on their
cells (or, for a frame written again whole, on their lines), and nothing else
written, leaves the screen as it is: the copy can go, and only its last cursor
move is sent (where Textual leaves the cursor). Where the pieces paint is worked
out only for such a candidate (rare); a piece with anything but text and colours
in it counts as painting its whole line. A resize forgets every frame (it may
reflow what the terminal shows).

Pure string logic, so tests can feed it any sequence of writes; the quiet
driver (`runtui.tui.driver`) puts every write through it.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

SYNC_START = "\x1b[?2026h"  # what Textual writes around a frame when the terminal can sync
SYNC_END = "\x1b[?2026l"
_MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")  # a cursor move to a cell: what starts a frame
_LAST_MOVE = re.compile(r"\x1b\[\d+;\d+H\Z")
_COLOURS = re.compile(r"\x1b\[[0-9;:]*m")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
RECENT = 8  # frames remembered
WHOLE_LINE = (0, 1 << 30)
MARGIN = 1  # cells either side of a piece: a terminal may draw a character wider than counted

Span = tuple[int, int]  # the cells [start, end) a piece paints on its line


class _Frame:
    __slots__ = ("_spans", "last_move", "lines", "text")

    def __init__(self, text: str, lines: frozenset[str], last_move: str) -> None:
        self.text = text
        self.lines = lines  # the lines it moves the cursor to (as written: "12")
        self.last_move = last_move  # its closing cursor move, or ""
        self._spans: dict[int, list[Span]] | None = None

    @property
    def spans(self) -> dict[int, list[Span]]:
        """Per line, the cells it paints: worked out once, when a candidate repeat asks."""
        if self._spans is None:
            self._spans = _spans(self.text)
        return self._spans


class RepeatedFrameFilter:
    """Says which writes go to the terminal: all of them, but a repeated frame."""

    def __init__(self) -> None:
        self._recent: list[_Frame] = []  # oldest first; only frames, nothing else since
        self._cursor = ""  # the last cursor move written (a frame's closing one)
        self._held_start = False  # SYNC_START written by Textual, not yet by us
        self._dropping = False  # the frame inside the current SYNC pair was a repeat
        self.dropped = 0  # frames dropped (tests read it)

    def admit(self, data: str) -> list[str]:
        """What to write for `data`: nothing, `data` (after a held SYNC_START), or a repeated
        frame's closing cursor move."""
        if data == SYNC_START:
            out = self._release()
            self._held_start = True
            return out
        if data == SYNC_END:
            if self._dropping:  # the end of a repeated frame's sync pair
                self._dropping = False
                return []
            return [*self._release(), data]
        if _MOVE.match(data) is None:
            self.forget()
            return [*self._release(), data]
        frame = _frame(data)
        if self._still_shown(frame):
            self.dropped += 1
            if self._held_start:  # its SYNC_START was never written: nor is its SYNC_END
                self._held_start = False
                self._dropping = True
            if frame.last_move and frame.last_move != self._cursor:
                self._cursor = frame.last_move
                return [frame.last_move]
            return []
        self._recent.append(frame)
        del self._recent[:-RECENT]
        self._cursor = frame.last_move
        return [*self._release(), data]

    def forget(self) -> None:
        """The terminal may no longer show the frames written (resized, resumed, other
        writes): the next ones are written whatever they repeat."""
        self._recent.clear()
        self._cursor = ""

    def _still_shown(self, frame: _Frame) -> bool:
        """Is `frame` one of the recent frames, with no later one painting on its lines, or
        are its pieces all in one, with no later one painting on their cells?"""
        painted: set[str] = set()
        for earlier in reversed(self._recent):
            if earlier.text == frame.text:
                if painted.isdisjoint(frame.lines):
                    return True  # the cheap answer; else cell by cell, below
                break
            painted |= earlier.lines
        body = frame.text[:len(frame.text) - len(frame.last_move)]
        if not body:
            return False
        recent = self._recent
        for at in range(len(recent) - 1, -1, -1):  # the newest that holds them
            if body in recent[at].text:
                mine = _spans(body)
                return not any(_overlap(mine, later.spans) for later in recent[at + 1:])
        return False

    def _release(self) -> list[str]:
        if not self._held_start:
            return []
        self._held_start = False
        return [SYNC_START]


def _frame(text: str) -> _Frame:
    found = _LAST_MOVE.search(text)
    lines = frozenset(line for line, _column in _MOVE.findall(text))
    return _Frame(text, lines, "" if found is None else found.group())


def _spans(text: str) -> dict[int, list[Span]]:
    """Per line, the cells each piece of `text` paints (a piece: a cursor move and what
    follows it up to the next one; Textual ends a line's pieces with a line break)."""
    spans: dict[int, list[Span]] = {}
    moves = list(_MOVE.finditer(text))
    for move, following in zip(moves, [*moves[1:], None], strict=True):
        piece = text[move.end():len(text) if following is None else following.start()]
        shown = _COLOURS.sub("", piece).rstrip("\r\n")
        if not shown:
            continue  # a cursor move alone paints nothing
        if _CONTROL.search(shown) is not None:
            span = WHOLE_LINE  # other sequences or controls: assume the worst
        else:
            start = int(move.group(2)) - 1
            span = (start - MARGIN, start + cell_len(shown) + MARGIN)
        spans.setdefault(int(move.group(1)), []).append(span)
    return spans


def _overlap(mine: dict[int, list[Span]], theirs: dict[int, list[Span]]) -> bool:
    return any(start < their_end and their_start < end
               for line, spans in mine.items() for start, end in spans
               for their_start, their_end in theirs.get(line, ()))

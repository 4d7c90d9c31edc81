"""Drop a frame that repeats, byte for byte, a frame whose cells nothing has painted since.

Textual lays a newly mounted widget out twice: its first layout sets its
virtual size, which asks for a second layout, which repaints the same cells
(a toast costs ~2 KB a time over SSH, for nothing); a row update may come in
between. A frame is a paint at absolute positions: each line it paints starts
with a cursor move to that line, and line wrap is off, so it paints only on the
lines it moves to. Written again while no frame since has painted on those
lines, and nothing else was written, it leaves the screen as it is: the copy can
go, and only its last cursor move is sent (where Textual leaves the cursor). A
resize forgets every frame (it may reflow what the terminal shows).

Pure string logic, so tests can feed it any sequence of writes; the quiet
driver (`runtui.tui.driver`) puts every write through it.
"""

from __future__ import annotations

import re

import msgspec

SYNC_START = "\x1b[?2026h"  # what Textual writes around a frame when the terminal can sync
SYNC_END = "\x1b[?2026l"
_FRAME = re.compile(r"\x1b\[\d+;\d+H")  # a frame starts by moving the cursor to a cell
_LINE = re.compile(r"\x1b\[(\d+);\d+H")
_LAST_MOVE = re.compile(r"\x1b\[\d+;\d+H\Z")
RECENT = 8  # frames remembered


class _Frame(msgspec.Struct, frozen=True):
    text: str
    lines: frozenset[str]  # the lines it moves the cursor to (as written: "12")
    last_move: str  # its closing cursor move, or ""


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
        if _FRAME.match(data) is None:
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
        """Is `frame` one of the recent frames, with no later one painting on its lines?"""
        painted: set[str] = set()
        for earlier in reversed(self._recent):
            if earlier.text == frame.text:
                return painted.isdisjoint(frame.lines)
            painted |= earlier.lines
        return False

    def _release(self) -> list[str]:
        if not self._held_start:
            return []
        self._held_start = False
        return [SYNC_START]


def _frame(text: str) -> _Frame:
    found = _LAST_MOVE.search(text)
    return _Frame(text, frozenset(_LINE.findall(text)), "" if found is None else found.group())

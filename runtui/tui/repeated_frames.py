"""Drop a frame that repeats, byte for byte, the frame written just before it.

Textual lays a newly mounted widget out twice: its first layout sets its
virtual size, which asks for a second layout, which repaints the same cells
(a toast costs ~2 KB a time over SSH, for nothing). A frame is a paint at
absolute positions, so writing it twice in a row leaves the screen as once: the
second copy can go, as long as nothing at all was written in between and the
terminal has not been resized since (a resize may reflow what is on it).

Pure string logic, so tests can feed it any sequence of writes; the quiet
driver (`runtui.tui.driver`) puts every write through it.
"""

from __future__ import annotations

import re

SYNC_START = "\x1b[?2026h"  # what Textual writes around a frame when the terminal can sync
SYNC_END = "\x1b[?2026l"
_FRAME = re.compile(r"\x1b\[\d+;\d+H")  # a frame starts by moving the cursor to a cell


class RepeatedFrameFilter:
    """Says which writes go to the terminal: all of them, but a repeated frame."""

    def __init__(self) -> None:
        self._last_frame: str | None = None
        self._held_start = False  # SYNC_START written by Textual, not yet by us
        self._dropping = False  # the frame inside the current SYNC pair was a repeat
        self.dropped = 0  # frames dropped, for tests and the log

    def admit(self, data: str) -> list[str]:
        """What to write for `data`: nothing, `data`, or a held SYNC_START and `data`."""
        if data == SYNC_START:
            out = self._release()
            self._held_start = True
            return out
        if data == SYNC_END:
            if self._dropping:  # the end of a repeated frame's sync pair
                self._dropping = False
                return []
            return [*self._release(), data]
        if data == self._last_frame:
            self.dropped += 1
            if self._held_start:  # its SYNC_START was never written: nor is its SYNC_END
                self._held_start = False
                self._dropping = True
            return []
        out = self._release()
        out.append(data)
        self._last_frame = data if _FRAME.match(data) else None
        return out

    def forget(self) -> None:
        """The terminal may no longer show the last frame (resized, resumed): paint it again."""
        self._last_frame = None

    def _release(self) -> list[str]:
        if not self._held_start:
            return []
        self._held_start = False
        return [SYNC_START]

"""One-line status texts (the runs summary, the log's status) shortened word by word.

Over SSH at 80 columns every state that changes what is shown (refresh paused, active
only, marks, a filter, a log's level or search) must stay on screen: cut at the end by
an ellipsis, the states after a long first one were lost. Each piece has a long and a
short wording; a line takes the fullest wording that fits, and what may be cut (counts,
typed text) comes last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec
from rich.cells import cell_len


class Said(msgspec.Struct, frozen=True):
    """One piece of the line, from its fullest wording to its tersest."""

    wordings: tuple[str, ...]

    def at(self, level: int) -> str:
        return self.wordings[min(level, len(self.wordings) - 1)]


def _fullest(levels: int, line_at: Callable[[int], str], width: int | None) -> str:
    """`line_at(level)` for the first level (fullest wording first) that fits `width`, else
    the tersest (None: the fullest)."""
    text = ""
    for level in range(max(1, levels)):
        text = line_at(level)
        if width is None or cell_len(text) <= width:
            break
    return text


def _levels(pieces: Sequence[Said]) -> int:
    return max((len(s.wordings) for s in pieces), default=1)


def summary_text(head: Sequence[Said], flags: Sequence[Said], counts: Said | None,
                 width: int | None) -> str:
    """`head | flags | counts` in the fullest wording that fits `width` whole (None: the
    fullest). The head and flags keep their fullest wording while the counts can shrink to
    fit after them (`2 queued, 7 running` -> `○2 ▶7`). Where nothing fits whole, the
    tersest head and flags and the tersest counts after them as far as they go: a fuller
    wording of the flags left no room, and the counts (so the failed count, which the
    tersest counts wording puts first) were cut at 80 columns as soon as a run was marked."""
    def line_at(level: int) -> str:
        groups = [s.at(level) for s in head]
        if flags:
            groups.append(", ".join(s.at(level) for s in flags))
        return " | ".join(groups)

    levels = _levels([*head, *flags])
    if width is not None and counts is not None:
        for level in range(levels):
            base = line_at(level)
            for wording in counts.wordings:
                if cell_len(base) + 3 + cell_len(wording) <= width:
                    return f"{base} | {wording}"
        return f"{line_at(levels - 1)} | {counts.wordings[-1]}"
    text = _fullest(levels, line_at, width)
    if counts is None:
        return text
    return f"{text} | {counts.wordings[0]}"


def fitted(pieces: Sequence[Said], width: int | None, sep: str = " · ") -> str:
    """`pieces` joined by `sep` in the fullest wording that fits `width` (None: the fullest)."""
    return _fullest(_levels(pieces), lambda level: sep.join(s.at(level) for s in pieces), width)

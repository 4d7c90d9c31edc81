"""The runs screen's one-line summary, shortened word by word to fit its width.

Over SSH at 80 columns every state that changes what the table shows (refresh paused,
active only, marks, a filter) must stay on screen: cut at the end by an ellipsis, the
states after a long first one were lost. Each state has a long and a short wording;
the line takes the longest wording that fits, and the per-status counts (only
information) come last, where the cut falls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len


@dataclass(frozen=True)
class Said:
    """One piece of the line, from its fullest wording to its tersest."""

    wordings: tuple[str, ...]

    def at(self, level: int) -> str:
        return self.wordings[min(level, len(self.wordings) - 1)]


def summary_text(head: Sequence[Said], flags: Sequence[Said], counts: Sequence[str],
                 width: int | None) -> str:
    """`head | flags | counts` in the fullest wording whose head and flags fit `width`
    (None: the full wording); the counts are appended whatever is left."""
    levels = max((len(s.wordings) for s in (*head, *flags)), default=1)
    text = ""
    for level in range(levels):
        text = " | ".join(s.at(level) for s in head)
        if flags:
            text += " | " + ", ".join(s.at(level) for s in flags)
        if width is None or cell_len(text) <= width:
            break
    if counts:
        text += " | " + ", ".join(counts)
    return text

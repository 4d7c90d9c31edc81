"""Aligned tables, fitted to the terminal they are printed on.

On a terminal (an 80- or 40-column SSH window) a 150-character row wraps, and every
row of the table becomes two unreadable lines. So, as `gh` does, a table printed to a
terminal is fitted to its width: free text (a workflow name, a message) is cut with "…"
first, then the columns of least value are dropped. Ids are never cut: they are what
a user copies into the next command. Into a pipe or a file, lines stay whole, so
scripts read what they always read.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from runtui.safe_text import cells, clipped, clipped_start

GAP = "  "
SHORTEST_CUT = 10  # a cut column keeps this much (or its header), or it says nothing


@dataclass(frozen=True)
class Column:
    header: str
    cut: bool = False  # free text: may be cut with "…" to fit
    keep_end: bool = False  # a cut keeps the end (`….duration_s`: a path is told apart by its end)
    drop: int = 0  # 0: always shown; 1, 2, ...: dropped in that order when cutting is not enough


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal: the one place that decides whether tables are fitted."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # no stream, or a closed one
        return False


def fit_width() -> int | None:
    """The width to fit tables to (COLUMNS, else the terminal's), or None: not a terminal."""
    return shutil.get_terminal_size().columns if stdout_is_terminal() else None


def render(rows: list[list[str]], columns: Sequence[Column], width: int | None) -> str:
    """`rows` (cells already one harmless line each) under `columns`, within `width` if
    one is given and the table can be brought within it."""
    natural = [max(len(c.header), *(cells(r[i]) for r in rows)) if rows else len(c.header)
               for i, c in enumerate(columns)]
    shown, widths = list(range(len(columns))), natural
    if width is not None:
        shown, widths = _fitted(columns, natural, width)
    lines = [_line([c.header for c in columns], shown, widths, columns)]
    lines += [_line(r, shown, widths, columns) for r in rows]
    return "\n".join(lines)


def _fitted(columns: Sequence[Column], natural: list[int], width: int) -> tuple[list[int], list[int]]:
    """The columns to show and their widths: cut first, then drop in `drop` order."""
    order = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop)
    shown = list(range(len(columns)))
    while True:
        widths = _cut_to(columns, natural, shown, width)
        if _total(widths, shown) <= width or not order:
            return shown, widths
        shown.remove(order.pop(0)[1])


def _cut_to(columns: Sequence[Column], natural: list[int], shown: list[int], width: int) -> list[int]:
    """`natural`, the widest cuttable shown column narrowed one at a time until the
    table fits or none can give more."""
    widths = list(natural)
    floor = [max(len(c.header), min(n, SHORTEST_CUT)) for c, n in zip(columns, natural, strict=True)]
    cuttable = [i for i in shown if columns[i].cut]
    excess = _total(widths, shown) - width
    while excess > 0:
        room = [i for i in cuttable if widths[i] > floor[i]]
        if not room:
            break
        widest = max(room, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def _total(widths: list[int], shown: list[int]) -> int:
    return sum(widths[i] for i in shown) + len(GAP) * (len(shown) - 1)


def _line(texts: list[str], shown: list[int], widths: list[int], columns: Sequence[Column]) -> str:
    return GAP.join(_padded(_cell(texts[i], widths[i], columns[i]), widths[i]) for i in shown).rstrip()


def _padded(text: str, width: int) -> str:
    """`text` and spaces to `width` cells: a wide character (日本, most emoji) takes two, so
    a workflow name in Japanese would push every later column out of line by `len`."""
    return text + " " * (width - cells(text))


def _cell(text: str, width: int, column: Column) -> str:
    return clipped_start(text, width) if column.keep_end else clipped(text, width)

"""Columns of the run table: titles, widths and cell text (their sort values: `sort_values`).

Pure functions over `Run`, no Textual: the table widget lays these out and
renders them line by line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from operator import attrgetter, methodcaller

import msgspec
from rich.cells import cell_len

from runtui import display
from runtui.model import Run, Status
from runtui.safe_text import one_line, start_cells
from runtui.tui.clock import offset_seconds, server_now

GAP = 2  # blank cells between two columns
NARROW = 100  # below this many cells the status column gives up its long forms
NARROW_STATUS = 13  # "✔ succeeded" and two more: "? unknown (R…"
WORKFLOW_ROOM = 24  # spare cells the workflow keeps before a LAST ERROR column gets any
# Spare cells left after every header gets room for its sort arrow, or none gets it (at
# 80 columns the workflow's name matters more than a letter of DURATION).
ARROW_ROOM_SPARE = 2 * WORKFLOW_ROOM
MARK_WIDTH = 3  # "*" marked (or "◉" watched), "…" action pending, then one blank

class Column(msgspec.Struct, frozen=True):
    key: str
    title: str
    priority: int  # lower survives longer when the table is narrow
    min_width: int
    max_width: int  # the widest the natural (content) width may grow to
    flexible: bool = False  # takes the width that is left over
    right: bool = False  # right-aligned
    timed: bool = False  # its text changes with the clock


COLUMNS: tuple[Column, ...] = (
    Column("status", "STATUS", 0, 11, 22),
    Column("workflow", "WORKFLOW", 1, 12, 10_000, flexible=True),
    Column("id", "ID", 2, 8, 12),
    Column("profile", "PROFILE", 3, 7, 16),
    # Created, not started: the servers page newest-created first, so the rows on
    # screen are the ones the newest page brings, and a queued run that starts
    # keeps its place instead of jumping to the top.
    Column("created", "CREATED", 5, 10, 10, timed=True),
    Column("duration", "DURATION", 4, 8, 8, right=True, timed=True),
    # The clock columns sit side by side so a tick repaints one short span per row.
    Column("updated", "UPDATED", 8, 10, 10, timed=True),
    Column("cost", "COST", 6, 4, 14, right=True),
    Column("provider", "PROVIDER", 7, 8, 10),
    # Why a run failed, at a glance, when there is room (the detail's header says it too).
    Column("error", "LAST ERROR", 9, 16, 10_000, flexible=True),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
SORT_CYCLE: tuple[str, ...] = tuple(c.key for c in COLUMNS)
# Columns whose width follows their content (computed from the data, not per row).
NATURAL_KEYS: tuple[str, ...] = ("status", "id", "profile", "cost", "provider")


def ago(when: datetime | None, now: datetime) -> str:
    """A relative time at minute precision ("<1m ago", "5m ago", "2h05m ago").

    A list does not need "12s ago" (the detail pane has the exact time), and a
    coarser text means a row's clock cells change once a minute, not every second:
    over SSH only the ticking durations of running runs cost bytes.
    """
    if when is None:
        return ""
    seconds = (now - as_utc(when)).total_seconds()
    if -60 < seconds < 60:
        return "<1m ago"  # a list needs no seconds here: the row stays still for a minute
    if seconds < 0:
        return display.relative(as_utc(when), now)
    s = int(seconds)
    if s < 3600:
        return f"{s // 60}m ago"
    return display.duration(seconds) + " ago"


def as_utc(value: datetime) -> datetime:
    """A time as the providers give it (aware); a naive one is taken as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


DURATION_STEP = 5  # seconds: how often a young running run's duration cell changes


def duration_text(run: Run, now: datetime) -> str:
    if display.not_started(run):
        return ""  # not started: its age is in CREATED, nothing has run yet
    seconds = run.duration(now)
    if seconds is None:
        return ""
    # Still running: 5-second steps in the first minute, then minutes, so a
    # running run's cell changes every 5 s at most and a long one's once a
    # minute. Each change costs ~55 bytes over SSH (truecolor); a screen of
    # young runs ticking every second came to over 1 KB/s. The detail pane
    # shows the exact seconds.
    if run.finished_at is None and seconds < 3600:
        if seconds < 60:
            return f"{int(seconds) // DURATION_STEP * DURATION_STEP}s"
        return f"{int(seconds) // 60}m"
    return display.duration(seconds)


CELL_TEXT: dict[str, Callable[[Run, datetime], str]] = {
    "status": lambda run, now: display.status_text(run),
    "workflow": lambda run, now: one_line(run.workflow_name or run.workflow_id or ""),
    "id": lambda run, now: display.short_id(run.id),
    "profile": lambda run, now: one_line(run.profile),
    "created": lambda run, now: ago(run.created_at or run.started_at, server_now(run.profile, now)),
    "duration": lambda run, now: duration_text(run, server_now(run.profile, now)),
    "cost": lambda run, now: display.cost(run),
    "provider": lambda run, now: one_line(run.provider),
    "updated": lambda run, now: ago(run.updated_at, server_now(run.profile, now)),
    "error": lambda run, now: one_line(run.last_error or ""),
}
"""The text of each column's cell, before it is fitted to the column width.

Every text a server sent is made harmless here (`safe_text.one_line`, directly or
through `display`): the table draws its own segments, so nothing else would.
"""


def time_texts(keys: Sequence[str], run: Run, now: datetime) -> tuple[str, ...]:
    """The clock-dependent texts of a row, for `tick` to compare."""
    return tuple(CELL_TEXT[k](run, now) for k in keys)


def next_change(keys: Sequence[str], run: Run, now: float) -> float:
    """Epoch seconds before which none of the row's clock texts can change.

    Lets the per-second tick skip rows whose texts are minute- or hour-grained
    (most of them) without computing the texts. Never later than the real
    change; earlier only costs a comparison.
    """
    offset = offset_seconds(run.profile)  # judged on the server's clock, said on ours
    return _next_change(keys, run, now + offset) - offset if offset else _next_change(keys, run, now)


def _next_change(keys: Sequence[str], run: Run, now: float) -> float:
    until = math.inf
    for key in keys:
        if key == "created":
            until = min(until, _ago_until(run.created_at or run.started_at, now))
        elif key == "updated":
            until = min(until, _ago_until(run.updated_at, now))
        elif key == "duration":
            until = min(until, _duration_until(run, now))
        else:
            return now  # a clock text we know nothing about: look every tick
    return until


def _step_until(start: float, elapsed: float) -> float:
    """When a text of `elapsed` seconds since `start` at `ago`/duration grain next changes."""
    if elapsed < 86400:
        return start + (elapsed // 60 + 1) * 60  # "5m", "2h05m": per minute
    return start + (elapsed // 3600 + 1) * 3600  # "3d04h": per hour


def _ago_until(when: datetime | None, now: float) -> float:
    if when is None:
        return math.inf
    start = as_utc(when).timestamp()
    elapsed = now - start
    if elapsed <= -60:
        return now  # in the future (clock skew): shown to the second, so look every tick
    if elapsed < 60:
        return start + 60  # "<1m ago"
    return _step_until(start, elapsed)


def _duration_until(run: Run, now: float) -> float:
    if run.finished_at is not None or run.status.terminal:
        return math.inf  # a finished run's duration is fixed
    if display.not_started(run):
        return math.inf  # blank until it starts, which is a change of the run
    begin = run.started_at or run.created_at
    if begin is None:
        return math.inf
    start = as_utc(begin).timestamp()
    elapsed = max(0.0, now - start)
    if elapsed < 60:
        return start + (elapsed // DURATION_STEP + 1) * DURATION_STEP
    return _step_until(start, elapsed)


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or truncate (with "…") to exactly `width` cells."""
    if width <= 0:
        return ""
    if text.isascii():
        size = len(text)
        if size <= width:
            return text.rjust(width) if right else text.ljust(width)
        return text[: width - 1] + "…"
    size = cell_len(text)
    if size <= width:
        pad = " " * (width - size)
        return pad + text if right else text + pad
    cut = start_cells(text, width - 1) + "…"  # a flag or a letter's marks are never cut in two
    return cut + " " * (width - cell_len(cut))


def natural_widths(runs: Iterable[Run]) -> dict[str, int]:
    """The widest text of each content-sized column over `runs` (titles included)."""
    widths = {k: len(BY_KEY[k].title) for k in NATURAL_KEYS}
    widths[PROVIDER_SHOWN] = 0
    grow_natural(widths, runs)
    return widths


def grow_natural(widths: dict[str, int], runs: Iterable[Run]) -> bool:
    """Widen `widths` for `runs`; True when any width grew.

    Per-run Python work is kept to a minimum (this runs over every run on
    `set_runs`): distinct values and C-level maps, and upper bounds where exact
    widths would cost a format per run (ids, costs).
    """
    runs = runs if isinstance(runs, list) else list(runs)
    if not runs:
        return False
    ids = list(map(_ID, runs))
    longest_id = max(map(len, ids))
    prefixed = any(map(methodcaller("startswith", _ID_PREFIXES), ids))
    costs = [c for c in map(_COST, runs) if c is not None]
    cost_width = 0
    if costs:
        amounts = list(map(_AMOUNT, costs))
        cost_width = max(len(f"{max(amounts):.2f}"), len(f"{min(amounts):.2f}")) + 1
        cost_width += max(map(len, set(map(_UNIT, costs))))
    status_width = _STATUS_WORD_WIDTH + (len(" (partial)") if any(map(_PARTIAL, runs)) else 0)
    unknown_status = Status.UNKNOWN  # read once: Python 3.11 reads an enum's member slowly
    unknown = [r for r in runs if r.status is unknown_status and r.raw_status]
    if unknown:
        status_width = max(status_width, *(cell_len(display.status_text(r)) for r in unknown))
    found = {
        "profile": max(map(cell_len, set(map(_PROFILE, runs)))),
        "provider": max(map(cell_len, set(map(_PROVIDER, runs)))),
        "status": status_width,
        "id": min(longest_id, 12 if prefixed else 8),
        "cost": cost_width,
    }
    grew = False
    if not widths.get(PROVIDER_SHOWN) and any(
            p.lower() not in name.lower() for name, p in set(zip(map(_PROFILE, runs), map(_PROVIDER, runs),
                                                                strict=True))):
        widths[PROVIDER_SHOWN] = 1  # some profile's name does not say its platform
        grew = True
    for key, width in found.items():
        width = min(width, BY_KEY[key].max_width)
        if width > widths[key]:
            widths[key] = width
            grew = True
    return grew


PROVIDER_SHOWN = "provider shown"
"""A flag among the natural widths: 0 while every profile's name holds its provider's
("b3os-prod" is b3os), so a PROVIDER column would only repeat PROFILE."""

_ID = attrgetter("id")
_COST = attrgetter("cost")
_AMOUNT = attrgetter("amount")
_UNIT = attrgetter("unit")
_PARTIAL = attrgetter("partial")
_PROFILE = attrgetter("profile")
_PROVIDER = attrgetter("provider")
_ID_PREFIXES = ("run_", "wf_")
_STATUS_WORD_WIDTH = max(cell_len(f"{display.SYMBOL[s]} {s.value}") for s in Status)


class Placed(msgspec.Struct, frozen=True):
    column: Column
    x: int  # first cell, counted from the left edge of the row
    width: int


def _arrow_room(chosen: set[str], base: Callable[[Column], int]) -> dict[str, int]:
    """The cells each chosen column lacks to show its whole title and a sort arrow
    (`DURATION ▼`): given on a wide screen, where the title lost a letter to it."""
    need = {key: len(BY_KEY[key].title) + 2 - base(BY_KEY[key]) for key in chosen}
    return {key: n for key, n in need.items() if n > 0}


def layout(width: int, natural: dict[str, int]) -> tuple[Placed, ...]:
    """Columns that fit in `width` cells, in display order, with their widths.

    Columns are admitted in priority order while they fit at their minimum
    width; the first one that does not fit drops it and every later one. The
    flexible columns share whatever width is left: the workflow first takes
    `WORKFLOW_ROOM` cells (else the last error is not shown), then a third of the rest.
    """

    def base(col: Column) -> int:
        if col.key in natural:
            widest = col.max_width
            if col.key == "status" and width < NARROW:
                widest = NARROW_STATUS  # "✔ succeeded (partial)" cut: the workflow's name matters more
            return max(col.min_width, min(natural[col.key], widest))
        return col.min_width

    used = MARK_WIDTH - GAP  # the first column needs no gap before it
    chosen: set[str] = set()
    for col in sorted(COLUMNS, key=lambda c: c.priority):
        if col.key == "provider" and natural.get(PROVIDER_SHOWN, 1) == 0:
            continue  # it would repeat the profile's name
        need = base(col) + GAP
        if used + need > width:
            break
        used += need
        chosen.add(col.key)
    if not chosen:
        chosen.add(COLUMNS[0].key)
    spare = max(0, width - used)
    if "error" in chosen and spare < WORKFLOW_ROOM:
        chosen.discard("error")  # the workflow's name first: the error only where there is room
        spare += base(BY_KEY["error"]) + GAP
    arrow_room = _arrow_room(chosen, base)
    if spare - sum(arrow_room.values()) >= ARROW_ROOM_SPARE:
        spare -= sum(arrow_room.values())
    else:
        arrow_room = {}
    share = {"workflow": spare}
    if "error" in chosen:  # the workflow takes its room, then a third of what is left
        first = WORKFLOW_ROOM + (spare - WORKFLOW_ROOM) // 3
        share = {"workflow": first, "error": spare - first}
    placed: list[Placed] = []
    x = MARK_WIDTH - GAP
    for col in COLUMNS:
        if col.key not in chosen:
            continue
        w = base(col) + share.get(col.key, 0) + arrow_room.get(col.key, 0)
        x += GAP
        placed.append(Placed(col, x, w))
        x += w
    return tuple(placed)

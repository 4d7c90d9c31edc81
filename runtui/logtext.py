"""Log lines as text, the same in `runtui runs logs`, a saved log file and the log view.

`TIME LEVEL SOURCE MESSAGE`: the level is a word (never only a colour), times have
no microseconds, and a multi-line message continues on indented lines.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from runtui.model import LogLevel
from runtui.safe_text import one_line

LEVEL_WIDTH = 7  # "WARNING"
LEVEL_SYMBOL: dict[LogLevel, str] = {
    LogLevel.DEBUG: "·",
    LogLevel.INFO: "i",
    LogLevel.WARNING: "!",
    LogLevel.ERROR: "✘",
}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> timedelta | None:
    """`30s`, `10m`, `2h`, `1d`, `1w` as a timedelta; None for anything else. An age longer
    than a timedelta holds ("9999999999w" is a few keys) is `timedelta.max`: "ever"."""
    match = _AGE.match(text)
    if match is None:
        return None
    try:
        return timedelta(seconds=float(match.group(1)) * _UNIT[match.group(2).lower()])
    except OverflowError:
        return timedelta.max


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`10m`, `2h`, `30s`, `1d`, `1w` ago, or an ISO 8601 time (UTC when it has no zone)."""
    age = parse_age(text)
    if age is not None:
        try:
            return (now or datetime.now(UTC)) - age
        except OverflowError:  # "9999999999w": before the year 1
            raise ValueError(f"{text!r} reaches back before any date") from None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is neither a duration (10m, 2h, 1d) nor an ISO time") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def clock(when: datetime | None, tz: tzinfo | None = None, *, date: bool = True) -> str:
    """An absolute time without microseconds, in `tz` (the local zone by default)."""
    if when is None:
        return "-" * (19 if date else 8)
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")


def ago(when: datetime | None, now: datetime) -> str:
    """A relative time: `+12s` after `now`'s reference (the log's first line), fixed width."""
    if when is None:
        return "-"
    seconds = (when - now).total_seconds()
    sign = "-" if seconds < 0 else "+"
    s = int(abs(seconds))
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m{s % 60:02d}s"
    return f"{sign}{s // 3600}h{(s % 3600) // 60:02d}m"


class LineFields(Protocol):
    """What a log line needs to be written out: a `LogEvent`, or a stored `LogLine`."""

    @property
    def time(self) -> datetime | None: ...
    @property
    def level(self) -> LogLevel: ...
    @property
    def source(self) -> str | None: ...
    @property
    def message(self) -> str: ...


def format_line(line: LineFields, tz: tzinfo | None = None) -> str:
    """One event as the CLI prints it and a saved log holds it. The source (a step's name,
    the server's words) is one line: a newline in it would start a line of the server's
    making at column 0, where only real lines start."""
    source = one_line(line.source) if line.source else "-"
    lead = f"{clock(line.time, tz)} {line.level.word.upper():<{LEVEL_WIDTH}} {source} "
    first, *rest = line.message.split("\n")
    if not rest:
        return lead + first
    pad = " " * 4
    return lead + first + "".join(f"\n{pad}{part}" for part in rest)

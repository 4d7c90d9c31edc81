"""Which rows the log view shows: filters, wrap, search, and that no line is lost or doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtui.engine import log_store
from runtui.engine.log_store import LogLines
from runtui.model import LogEvent, LogLevel, Marker
from runtui.tui.widgets.log_rows import LogRows, RowFilter, message_parts

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def line(n: int, message: str = "", level: LogLevel = LogLevel.INFO, source: str = "flow",
         marker: Marker | None = None) -> LogEvent:
    return LogEvent(id=f"l{n}", time=T0 + timedelta(seconds=n), level=level,
                    message=message or f"line {n}", source=source, marker=marker)


def store(events: list[LogEvent]) -> LogLines:
    lines = LogLines()
    lines.append(events)
    return lines


def shown(rows: LogRows) -> list[str]:
    return [rows.row(i)[2] for i in range(len(rows))]


def test_new_lines_are_placed_incrementally() -> None:
    lines = store([line(0), line(1)])
    rows = LogRows(lines)
    assert rows.sync() and shown(rows) == ["line 0", "line 1"]
    assert not rows.sync()  # nothing new: nothing to repaint
    lines.append([line(2, "a\nb")])
    assert rows.sync()
    assert shown(rows) == ["line 0", "line 1", "a", "b"]
    assert [rows.row(i)[1] for i in range(len(rows))] == [0, 0, 0, 1]


def test_a_cut_buffer_is_placed_again() -> None:
    lines = store([line(n) for n in range(5)])
    rows = LogRows(lines)
    rows.sync()
    lines.drop_front(3)
    assert rows.sync(dropped=3)
    assert shown(rows) == ["line 3", "line 4"]


def test_level_and_source_filters_keep_runtuis_own_lines() -> None:
    lines = store([line(0, level=LogLevel.DEBUG), line(1, level=LogLevel.WARNING, source="task-a"),
             line(2, "stream lost", level=LogLevel.DEBUG, source="runtui", marker=Marker.LOST),
             line(3, level=LogLevel.ERROR, source="task-b")])
    rows = LogRows(lines)
    rows.sync()
    assert rows.cycle_level() is LogLevel.INFO
    assert shown(rows) == ["line 1", "stream lost", "line 3"]
    assert rows.cycle_source() == "flow"
    assert shown(rows) == ["stream lost"]  # the only "flow" line is debug
    assert rows.cycle_source() == "task-a"
    assert shown(rows) == ["line 1", "stream lost"]
    rows.set_filter(RowFilter())
    assert len(rows) == 4


def test_wrap_cuts_long_lines_by_cells() -> None:
    assert message_parts("abcdefgh", 3) == ["abc", "def", "gh"]
    assert message_parts("日本語です", 4) == ["日本", "語で", "す"]  # two cells each
    assert message_parts("x\ny", None) == ["x", "y"]
    rows = LogRows(store([line(0, "abcdefgh")]))
    rows.set_wrap(3)
    assert shown(rows) == ["abc", "def", "gh"]


def test_search_finds_lines_case_insensitively_and_walks_them() -> None:
    lines = store([line(n, "Boom here" if n in (3, 7, 8) else f"quiet {n}") for n in range(10)])
    rows = LogRows(lines)
    rows.sync()
    assert rows.search("BOOM") == 3
    assert rows.next_match(0, 1) == 3
    assert rows.next_match(3, 1) == 7
    assert rows.next_match(8, 1) == 3  # wraps around
    assert rows.next_match(3, -1) == 8
    assert rows.match_rank(7) == 2
    lines.append([line(10, "boom again")])
    rows.sync()
    assert rows.match_count == 4  # new lines are matched as they arrive
    assert rows.search("") == 0 and rows.next_match(0, 1) is None


def test_search_sees_lines_across_chunk_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_store, "SEARCH_CHUNK", 4)  # small chunks, the same code path
    lines = store([line(n, "needle" if n % 5 == 0 else "hay") for n in range(23)])
    rows = LogRows(lines)
    rows.sync()
    assert rows.search("needle") == 5
    assert [rows.next_match(i, 1) for i in (0, 5, 10, 15, 20)] == [5, 10, 15, 20, 0]


MESSAGES = st.sampled_from(["alpha", "beta gamma", "x\ny", "ALPHA beta", "", "z" * 30])
LEVELS = st.sampled_from(list(LogLevel))


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(st.lists(st.tuples(MESSAGES, LEVELS), max_size=6), max_size=8),
       level=LEVELS, query=st.sampled_from(["", "alpha", "beta", "y"]),
       wrap=st.sampled_from([None, 4]))
def test_follow_search_and_filter_never_lose_or_double_a_line(
        batches: list[list[tuple[str, LogLevel]]], level: LogLevel, query: str,
        wrap: int | None) -> None:
    events: list[LogEvent] = []
    lines = LogLines()
    rows = LogRows(lines)
    rows.set_filter(RowFilter(level))
    rows.set_wrap(wrap)
    rows.search(query)
    n = 0
    for batch in batches:  # lines arrive in batches, as the follower reads them
        batch_events = [line(n + k, message or f"empty {n + k}", lvl)
                        for k, (message, lvl) in enumerate(batch)]
        n += len(batch_events)
        events.extend(batch_events)
        lines.append(batch_events)
        rows.sync()
    expected = [i for i, event in enumerate(events) if event.level >= level]
    placed = list(dict.fromkeys(rows.line_of))  # each line's rows are together, in order
    assert placed == expected
    for index in expected:  # every part of every kept line is there once
        parts = message_parts(events[index].message, wrap)
        assert [rows.part_of[r] for r in range(len(rows)) if rows.line_of[r] == index] == list(
            range(len(parts)))
    matches_now = rows.match_count
    assert matches_now == rows.search(query)  # incremental matching == a fresh search
    assert matches_now == sum(1 for i in expected if query and query in events[i].message.lower())


def test_search_counts_lines_not_characters_when_case_folding_grows_text() -> None:
    lines = store([line(0, "İstanbul İzmir"), line(1, "needle"), line(2, "İİ needle")])
    rows = LogRows(lines)
    rows.sync()
    assert rows.search("needle") == 2
    assert [rows.next_match(0, 1), rows.next_match(1, 1)] == [1, 2]


def test_a_nul_from_the_server_cannot_split_a_line() -> None:
    lines = store([line(0, "before\x00after"), line(1, "next")])
    assert lines.message(0) == "before\u2400after" and lines.message(1) == "next"
    assert lines.find("after") == [0]

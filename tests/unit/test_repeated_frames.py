"""The repeated-frame filter: which writes reach the terminal."""

from __future__ import annotations

from runtui.tui import repeated_frames
from runtui.tui.repeated_frames import SYNC_END, SYNC_START, RepeatedFrameFilter

TOAST = "\x1b[40;139H\x1b[48;2;52;63;73m 7 new \x1b[0m\x1b[41;139H\x1b[0mqueued\x1b[1;4H"
CELL = "\x1b[3;150H12s\x1b[1;4H"


def written(writes: list[str], frames: RepeatedFrameFilter | None = None) -> list[str]:
    frames = frames or RepeatedFrameFilter()
    return [part for data in writes for part in frames.admit(data)]


def test_a_frame_that_repeats_the_last_one_is_left_out_with_its_sync_marks() -> None:
    frames = RepeatedFrameFilter()
    out = written([SYNC_START, TOAST, SYNC_END, SYNC_START, TOAST, SYNC_END], frames)
    assert out == [SYNC_START, TOAST, SYNC_END]
    assert frames.dropped == 1


def test_a_different_frame_in_between_means_the_repeat_is_written() -> None:
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, CELL, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes


def test_any_other_write_in_between_means_the_repeat_is_written() -> None:
    writes = [SYNC_START, TOAST, SYNC_END, "\x07", SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes


def test_after_a_resize_the_same_frame_is_written_again() -> None:
    frames = RepeatedFrameFilter()
    written([SYNC_START, TOAST, SYNC_END], frames)
    frames.forget()
    assert written([SYNC_START, TOAST, SYNC_END], frames) == [SYNC_START, TOAST, SYNC_END]


def test_without_sync_marks_a_repeated_frame_is_left_out_but_a_repeated_bell_is_not() -> None:
    assert written([TOAST, TOAST]) == [TOAST]
    assert written(["\x07", "\x07"]) == ["\x07", "\x07"]
    clipboard = "\x1b]52;c;aWQ=\x07"
    assert written([clipboard, clipboard]) == [clipboard, clipboard]


def test_a_write_between_the_marks_of_a_repeat_is_still_written() -> None:
    """A signal handler may write while a frame is under way (the sync query on SIGWINCH)."""
    query = "\x1b[?2026$p"
    out = written([SYNC_START, TOAST, SYNC_END, SYNC_START, query, TOAST, SYNC_END])
    assert out == [SYNC_START, TOAST, SYNC_END, SYNC_START, query, TOAST, SYNC_END]
    out = written([SYNC_START, TOAST, SYNC_END, SYNC_START, TOAST, query, SYNC_END])
    assert out == [SYNC_START, TOAST, SYNC_END, query]


ROWS_BELOW = "\x1b[10;1Hrunning\x1b[11;1Hqueued\x1b[2;9H"  # other lines; the cursor ends elsewhere


def test_a_repeat_after_frames_on_other_lines_is_left_out_but_its_cursor_move_is_sent() -> None:
    """The toast's second paint with a row update in between: the toast's lines were not
    painted since, so only where the repeat leaves the cursor is written."""
    frames = RepeatedFrameFilter()
    written([SYNC_START, TOAST, SYNC_END, SYNC_START, ROWS_BELOW, SYNC_END], frames)
    assert written([SYNC_START, TOAST, SYNC_END], frames) == ["\x1b[1;4H"]
    assert frames.dropped == 1
    assert written([SYNC_START, TOAST, SYNC_END], frames) == []  # the cursor is there now


def test_a_repeat_after_a_frame_on_one_of_its_lines_is_written() -> None:
    over = "\x1b[41;150Hsucceeded\x1b[2;9H"  # line 41: one of the toast's
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, over, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes


def test_only_the_last_few_frames_are_remembered() -> None:
    frames = RepeatedFrameFilter()
    written([TOAST], frames)
    for i in range(repeated_frames.RECENT):
        written([f"\x1b[{20 + i};1Hrow {i}"], frames)
    assert written([TOAST], frames) == [TOAST]

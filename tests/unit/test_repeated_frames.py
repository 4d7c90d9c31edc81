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


def test_a_different_frame_in_between_on_its_cells_means_the_repeat_is_written() -> None:
    under = "\x1b[40;141Hrunning\x1b[1;4H"  # over the toast's " 7 new " (columns 139-145)
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, under, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, CELL, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes[:6]  # CELL paints elsewhere, and left the cursor where the toast does


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


def test_a_repeat_after_a_frame_on_one_of_its_cells_is_written() -> None:
    over = "\x1b[41;143Hsucceeded\x1b[2;9H"  # line 41, over the end of the toast's "queued"
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, over, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes


def test_a_repeat_after_a_frame_on_other_cells_of_its_lines_is_left_out() -> None:
    """The row under the toast changed left of it (a status, a duration): the toast's own
    cells were not painted since, so its second paint changes nothing."""
    frames = RepeatedFrameFilter()
    left = "\x1b[41;20H\x1b[1msucceeded\x1b[0m\x1b[41;120H3m 2s\r\n\x1b[2;9H"  # columns 20-28, 120-124
    written([SYNC_START, TOAST, SYNC_END, SYNC_START, left, SYNC_END], frames)
    assert written([SYNC_START, TOAST, SYNC_END], frames) == ["\x1b[1;4H"]
    assert frames.dropped == 1


def test_the_toasts_second_paint_without_the_lines_its_first_carried_is_left_out() -> None:
    """Seen at 50,000 runs: the toast's first paint came in one frame with two table lines,
    its second alone; every piece of the second is in the first, as it was."""
    frames = RepeatedFrameFilter()
    rows = "\x1b[38;9H\x1b[38;2;224;224;224m0 credits\x1b[0m\r\n\x1b[39;9H      \r\n"
    first = rows + TOAST
    written([SYNC_START, first, SYNC_END], frames)
    assert written([SYNC_START, TOAST, SYNC_END], frames) == []  # the cursor is already there
    assert frames.dropped == 1
    changed = TOAST.replace(" 7 new ", " 8 new ")
    assert written([SYNC_START, changed, SYNC_END], frames) == [SYNC_START, changed, SYNC_END]


def test_a_piece_with_sequences_other_than_colours_counts_as_its_whole_line() -> None:
    """A link or another escape in a piece: its width is not read, the whole line is its."""
    link = "\x1b[41;2H\x1b]8;;https://example.test\x1b\\x\x1b]8;;\x1b\\\x1b[2;9H"
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, link, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes


def test_wide_characters_count_as_two_cells() -> None:
    """Two CJK characters at column 135 reach column 138: next to the toast (139), so
    within the margin kept for terminals that draw wider than counted."""
    wide = "\x1b[40;135H\u4f60\u597d\x1b[2;9H"
    writes = [SYNC_START, TOAST, SYNC_END, SYNC_START, wide, SYNC_END, SYNC_START, TOAST, SYNC_END]
    assert written(writes) == writes
    frames = RepeatedFrameFilter()
    far = "\x1b[40;120H\u4f60\u597d\x1b[2;9H"  # columns 120-123
    written([SYNC_START, TOAST, SYNC_END, SYNC_START, far, SYNC_END], frames)
    assert written([SYNC_START, TOAST, SYNC_END], frames) == ["\x1b[1;4H"]


def test_only_the_last_few_frames_are_remembered() -> None:
    frames = RepeatedFrameFilter()
    written([TOAST], frames)
    for i in range(repeated_frames.RECENT):
        written([f"\x1b[{20 + i};1Hrow {i}"], frames)
    assert written([TOAST], frames) == [TOAST]

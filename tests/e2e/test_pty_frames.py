"""One keystroke, one frame: the real `runtui` under a pty, its output split into frames.

Textual wraps each frame in synchronized-update marks (mode 2026), so frames can
be counted in the bytes a terminal receives. A filter key changes the filter box,
the rows, the scrollbar and the summary; each widget asks for its repaint when it
idles, and before the flush in `RunsScreen._filter_to` (and the `_size_updated`
override in RunLines) the rows or the scrollbar came in a second frame 17-30 ms
later. Headless Pilot runs cannot show this: its frames are not paced as a real
terminal's are.

The world is frozen, every run finished weeks ago: no clock ticks into the window.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import run as bench_run
from bench import screen as screen_model
from bench.term import PtyProcess

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

RUNS = 300
AGE = 30 * 24 * 3600.0
FRAME_START = b"\x1b[?2026h"
ROW_BACKGROUND = "1e1e1e"  # the table's rows in the default theme (the cursor row differs)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[PtyProcess]:
    # Every run finished and weeks old: no duration or "ago" text changes in the window.
    sim = bench_run.start_sim(tmp_path, RUNS, active_fraction=0.0, age=AGE)
    runtui = shutil.which("runtui")
    argv = [runtui] if runtui else [sys.executable, "-m", "runtui"]
    proc = PtyProcess([*argv, "--config", str(sim.config)], env=bench_run.app_env(tmp_path, sim.env),
                      cols=160, rows=40, markers=[f"{RUNS}/{RUNS} runs".encode()])
    try:
        assert proc.wait_marker(f"{RUNS}/{RUNS} runs".encode(), 60) is not None, proc.text()[-500:]
        yield proc
    finally:
        proc.stop()
        sim.stop()


def press(app: PtyProcess, key: bytes) -> bytes:
    """Send a key; its output: everything until the terminal has been quiet for 0.4 s."""
    assert app.wait_quiet(0.4, 10)
    start = len(app.chunks)
    first, _last, _size = app.key_latency(key, quiet=0.4, timeout=10)
    assert first is not None, f"no output for {key!r}"
    return b"".join(data for _t, data in app.chunks[start:])


def shown_count(output: bytes) -> int:
    found = re.findall(rb"(\d+)/" + str(RUNS).encode() + rb" runs", output)
    assert found, output[-300:]
    return int(found[-1])


def test_a_filter_key_that_narrows_the_rows_is_one_frame(app: PtyProcess) -> None:
    press(app, b"/")
    first = press(app, b"w")
    narrowed = press(app, b"e")  # "we": fewer rows again, so the scrollbar thumb moves too
    assert shown_count(narrowed) < shown_count(first) < RUNS
    assert narrowed.count(FRAME_START) == 1, [f[:60] for f in narrowed.split(FRAME_START)]


def test_a_toast_is_painted_once(app: PtyProcess) -> None:
    """Textual lays a new toast out twice and repaints it the same both times; the
    second copy changes no cell and is not sent (`runtui.tui.repeated_frames`)."""
    output = press(app, b"d")  # nothing marked: a warning toast, and nothing else changes
    frames = output.split(FRAME_START)[1:]
    with_toast = [frame for frame in frames if b"mark two runs" in frame]
    assert len(with_toast) == 1, [frame[:80] for frame in frames]


def test_escape_out_of_the_filter_is_one_frame_and_leaves_the_screen_as_it_was(app: PtyProcess) -> None:
    """The filter box opens on the health line and takes the focus; escape gives both
    back. The terminal's cells (a screen model fed the real bytes) show it: the cursor row
    dims while the box has the focus (it used to show the focus one change behind), and
    after escape every cell, colours included, is as before `/`, in one frame (Textual
    drew the screen twice: the box's layout, then everything again for the focus), and
    the rest of the table is not sent again for either key (Textual repaints a widget
    whole when the focus comes or goes)."""
    model = screen_model.Screen(160, 40)

    def cells() -> list[tuple[Any, ...]]:
        model.feed_until(app.chunks, float("inf"))
        return model.styled()

    def cursor_colour() -> str:
        colours = {line[10].bg for line in cells()[2:-2]} - {ROW_BACKGROUND}
        assert len(colours) == 1, colours  # the cursor row's, and only it differs
        return str(colours.pop())

    assert app.wait_quiet(0.4, 10)
    focused = cursor_colour()
    header = screen_model.table_rows(model.lines())
    assert header is not None
    y, columns = header
    x0, x1 = columns["ID"]
    # The cursor to the top row: a filter that narrows to one run and widens again leaves
    # it on the line it had, which is the top one only if it started there. After the load
    # it need not (a page with newer runs than the cursor's, read after it was placed,
    # puts them above it: the cursor stays on its run), least of all on a busy machine.
    while (line := next(i for i, row in enumerate(cells()) if row[10].bg == focused)) > y + 1:
        press(app, b"k")
        assert next(i for i, row in enumerate(cells()) if row[10].bg == focused) == line - 1
    before = cells()
    top_id = model.lines()[y + 1][x0:x1].strip()  # the cursor's run: the filter keeps it on top
    opened = press(app, b"/")
    assert cursor_colour() != focused
    typed = b""
    for char in top_id[:6].encode():
        typed += press(app, bytes([char]))
    assert shown_count(typed) < RUNS
    for _ in range(6):
        press(app, b"\x7f")
    closed = press(app, b"\x1b")
    assert closed.count(FRAME_START) == 1, [f[:60] for f in closed.split(FRAME_START)]
    assert cursor_colour() == focused
    assert cells() == before
    # Neither key sends the table again: only the cursor row's colours follow the focus
    # (whole, the frame is ~11 KB here: 11.3 and 12.3 KB before the focus repaints were
    # narrowed to the cursor row; 2.6 and 3.7 KB after).
    assert len(opened) < 6000 and len(closed) < 6000, (len(opened), len(closed))


def test_active_only_and_back_are_one_frame_each(app: PtyProcess) -> None:
    """`a` (no run is active here: the view empties, the cursor is on no run) changes the
    rows, the summary and the cursor run, and comes back: one frame each way. At 50,000
    runs the footer and the summary came one or two frames after the rows (~30 ms), when
    the table's CursorMoved message reached the screen; 300 runs are too few for that
    late frame to show here (tests/tui/test_runs_screen.py holds the order of it)."""
    for _ in range(2):
        emptied = press(app, b"a")
        assert shown_count(emptied) == 0
        assert emptied.count(FRAME_START) == 1, [f[:60] for f in emptied.split(FRAME_START)]
        assert b"active only" in emptied  # the summary says so in that frame
        back = press(app, b"a")
        assert shown_count(back) == RUNS
        assert back.count(FRAME_START) == 1, [f[:60] for f in back.split(FRAME_START)]

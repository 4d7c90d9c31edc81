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

import pytest

from bench import run as bench_run
from bench.term import PtyProcess

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

RUNS = 300
AGE = 30 * 24 * 3600.0
FRAME_START = b"\x1b[?2026h"


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

"""Over SSH every byte counts: the split detail of a run that finished minutes ago sends
only what changes, `created … (9m39s ago)` and its like, not its whole overview.

As one grid, each tick of the "ago" texts rewrote every line of the Overview (id,
profile, provider, status…): 3.6-5.4 KB/s at 200x50 for a run nothing happened to."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from bench import run as bench_run
from bench.term import PtyProcess

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

RUNS = 40
AGE = 600.0  # every run finished ~10 minutes ago: its "ago" texts tick each second
BOUND = 1500  # bytes a second: the ticking lines, not the 20-odd of the overview (3,600)


def test_the_split_detail_sends_only_the_lines_the_clock_changes(tmp_path: Path) -> None:
    sim = bench_run.start_sim(tmp_path, RUNS, active_fraction=0.0, age=AGE)
    runtui = shutil.which("runtui")
    argv = [runtui] if runtui else [sys.executable, "-m", "runtui"]
    ready = f"{RUNS}/{RUNS} runs".encode()
    proc = PtyProcess([*argv, "--config", str(sim.config)], env=bench_run.app_env(tmp_path, sim.env),
                      cols=200, rows=50, markers=[ready, b"actions"])
    try:
        assert proc.wait_marker(ready, 60) is not None, proc.text()[-500:]
        assert proc.wait_quiet(0.5, 20)
        proc.send(b"\r")  # the split detail of the newest run
        assert proc.wait_marker(b"actions", 20) is not None, proc.text()[-500:]
        time.sleep(2.0)  # the detail read and laid out (a pty: no event to wait on)
        start = time.perf_counter()
        time.sleep(6.0)  # six ticks of the clock
        end = time.perf_counter()
        rate = proc.bytes_between(start, end) / (end - start)
        assert proc.bytes_between(start, end) > 0, "the ago texts tick: something is sent"
        assert rate < BOUND, f"{rate:.0f} bytes a second while only the clock changed"
    finally:
        proc.stop()
        sim.stop()

"""A hang-up is told from a `kill -HUP` by the terminal itself: gone, or still there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")

from runtui.tui.ending import terminal_gone  # noqa: E402  (POSIX only)


def test_a_terminal_is_gone_once_its_other_end_closed() -> None:
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as stream:
        assert not terminal_gone(stream)  # `kill -HUP` with the terminal there: restore it
        os.close(master)  # the SSH session or the tmux pane closed
        assert terminal_gone(stream)


FORCED_EXIT = """
import asyncio, sys
from runtui import demo, key_command
from runtui.tui import ending

async def main() -> None:
    asyncio.create_task(key_command.run("sh -c 'sleep {marker}'", timeout=60, profile="p"))
    while not key_command._RUNNING:
        await asyncio.sleep(0.01)
    print(demo.start(runs=1).directory, flush=True)
    ending._exit_now(129)

asyncio.run(main())
"""


def test_an_ending_given_up_still_kills_key_commands_and_removes_the_demo(tmp_path: Path) -> None:
    """The last resort (an ending stuck on a dead terminal) exits at once, but first does
    what `q` would have: no key command left running, no demo directory with its keys."""
    marker = f"30.{os.getpid()}5"
    proc = subprocess.run([sys.executable, "-c", FORCED_EXIT.format(marker=marker)],
                          capture_output=True, text=True, timeout=60,
                          env=os.environ | {"TMPDIR": str(tmp_path)})
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    for pid in left:  # (not to leave them behind when the test fails)
        os.kill(int(pid), signal.SIGKILL)
    assert proc.returncode == 129, proc.stderr
    assert left == [], "the key command outlived the process"
    directory = Path(proc.stdout.strip())
    assert directory.parent == tmp_path and not directory.exists()

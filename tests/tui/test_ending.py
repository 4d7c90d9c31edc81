"""A hang-up is told from a `kill -HUP` by the terminal itself: gone, or still there."""

from __future__ import annotations

import os
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")

from runtui.tui.ending import terminal_gone  # noqa: E402  (POSIX only)


def test_a_terminal_is_gone_once_its_other_end_closed() -> None:
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as stream:
        assert not terminal_gone(stream)  # `kill -HUP` with the terminal there: restore it
        os.close(master)  # the SSH session or the tmux pane closed
        assert terminal_gone(stream)

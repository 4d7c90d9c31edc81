"""A disk that is slow for as long as a test says: `os.fsync` held for the files it picks.

An fsync takes 10-100 ms on an NFS home or a busy laptop; one on the event loop froze
every key. A test holds the fsync, presses keys, and sees them answered meanwhile.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

GIVE_UP = 15.0
"""How long a held fsync waits at most: one made on the event loop (the bug) holds the
loop itself, and the test then fails on `still_held` instead of hanging."""


class HeldFsync:
    """`os.fsync` that waits until `release()` for the files `holds` picks; others go through."""

    def __init__(self, holds: Callable[[int], bool]) -> None:
        self.holds = holds
        self.entered = threading.Event()
        self.released = threading.Event()
        self.still_held = False
        self._real = os.fsync

    def __call__(self, fd: int) -> None:
        if self.holds(fd):
            self.entered.set()
            self.still_held = True
            self.released.wait(GIVE_UP)
            self.still_held = False
        self._real(fd)

    def release(self) -> None:
        self.released.set()


def the_file(path: Path) -> Callable[[int], bool]:
    """Picks the open file `path` names."""
    def holds(fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            return False
    return holds


def named_from(prefix: str) -> Callable[[int], bool]:
    """Picks open files whose name starts with `prefix` (a temp file of a fresh name)."""
    def holds(fd: int) -> bool:
        try:
            return Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith(prefix)
        except OSError:
            return False
    return holds

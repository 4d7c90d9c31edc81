"""A real read-only directory for tests of writes that fail: a small tmpfs mounted read-only.

Tests run as root, which ignores mode bits, so `chmod a-w` proves nothing; a read-only
mount refuses root too (EROFS). Where mounting is not allowed, the test is skipped.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only_dir(path: Path, fill: Callable[[Path], None] = lambda _path: None) -> Iterator[Path]:
    """`path` as a read-only file system, holding what `fill` wrote into it first."""
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command")
    path.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([mount, "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(path)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        fill(path)
        subprocess.run([mount, "-o", "remount,ro", str(path)], check=True, capture_output=True)
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)

"""The runs view as the operator left it: sort, "active only" and profile scope.

An on-call session is long and ends by accident (a dropped SSH link, a stray `q`): the
order and scope chosen at 3 a.m. should still be there after a restart, as htop keeps its
sort. The filter text and the marks are not kept: a filter left from yesterday would hide
today's failures at start, and marks are for the task at hand.

A small JSON file in the state dir, written when one of them changes. Unreadable or
invalid, it is ignored (the defaults apply); unwritable, it is skipped: remembering a view
must never stop the app from starting or quitting.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from runtui.config import state_dir
from runtui.errors import ConfigError
from runtui.own_files import FILE_MODE, refuse_link, write_atomic

FILE_NAME = "view.json"
MAX_BYTES = 4096  # a few fields; anything larger is not ours


class ViewMemory(msgspec.Struct, frozen=True):
    sort: str = "created"
    reverse: bool = True
    active_only: bool = False
    profile: str | None = None  # None: all profiles


def memory_path() -> Path:
    return state_dir() / FILE_NAME


def load_view(path: Path | None = None) -> ViewMemory:
    """The view saved last, or the defaults when there is none or it cannot be read."""
    path = path or memory_path()
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        data: Any = json.loads(raw) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError):
        return ViewMemory()
    if not isinstance(data, dict):
        return ViewMemory()
    default = ViewMemory()
    sort, reverse = data.get("sort"), data.get("reverse")
    active_only, profile = data.get("active_only"), data.get("profile")
    return ViewMemory(
        sort=sort if isinstance(sort, str) and sort else default.sort,
        reverse=reverse if isinstance(reverse, bool) else default.reverse,
        active_only=active_only if isinstance(active_only, bool) else default.active_only,
        profile=profile if isinstance(profile, str) and profile else None,
    )


def save_view(memory: ViewMemory, path: Path | None = None) -> bool:
    """Write it whole and the owner's only, as runtui's other state files are written
    (`write_atomic`: a temp file of a fresh name, fsynced, renamed over the old): a crash
    leaves one or the other. A link planted in its place is not written through. False
    when it cannot be written. Blocks on the disk: not for the event loop."""
    path = path or memory_path()
    try:
        refuse_link(path)  # write_atomic would replace the link's target
        write_atomic(path, json.dumps(msgspec.structs.asdict(memory)), mode=FILE_MODE)
    except (OSError, ConfigError):  # a planted link: not written, like an unwritable dir
        return False
    return True

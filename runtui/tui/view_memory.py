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
import os
from pathlib import Path
from typing import Any

import msgspec

from runtui.config import state_dir
from runtui.errors import ConfigError
from runtui.own_files import make_own_dirs, open_own

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
    """Write it whole (a new file renamed over the old: a crash leaves one or the other),
    readable by the owner only. False when the state dir cannot be written."""
    path = path or memory_path()
    tmp = path.with_name(path.name + ".tmp")
    try:
        make_own_dirs(path.parent)
        fd = open_own(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(msgspec.structs.asdict(memory), fh)
        os.replace(tmp, path)
    except (OSError, ConfigError):  # a planted link: not written, like an unwritable dir
        return False
    return True

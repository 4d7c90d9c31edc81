"""The audit journal: one JSONL line when an action starts, one when it ends.

Written before the request so a crash mid-action still leaves a record; keys
never reach it (only ids, names and the server's message).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from runtui.config import state_dir
from runtui.errors import ConfigError, NotAllowed
from runtui.own_files import make_own_dirs, open_own

MAX_MESSAGE = 500
CONFIRMED = "ok, confirmed by read-back"
"""The outcome of an action whose answer was lost but whose read-back shows it took effect."""


def default_path() -> Path:
    return state_dir() / "journal.jsonl"


class Entry(msgspec.Struct, frozen=True):
    id: str
    time: str
    profile: str
    provider: str
    run_id: str | None
    action: str
    # "started" | "ok" | CONFIRMED | "failed" | "uncertain" | "refused"
    outcome: str
    message: str | None = None
    finished: str | None = None


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.unreadable = 0
        """Lines the last `entries()` skipped: not UTF-8, not JSON (a torn line), not a record."""

    def _append(self, record: dict[str, Any]) -> None:
        make_own_dirs(self.path.parent)
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        fd = open_own(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def started(self, *, profile: str, provider: str, run_id: str | None, action: str) -> str:
        entry_id = uuid.uuid4().hex[:12]
        self._append({"id": entry_id, "phase": "started", "time": _now(), "profile": profile,
                      "provider": provider, "run_id": run_id, "action": action})
        return entry_id

    def finished(self, entry_id: str, *, outcome: str, message: str | None = None,
                 run_id: str | None = None, new_run_id: str | None = None) -> None:
        self._append({"id": entry_id, "phase": "finished", "time": _now(), "outcome": outcome,
                      "message": (message or "")[:MAX_MESSAGE] or None, "run_id": run_id,
                      "new_run_id": new_run_id})

    def raised(self, entry_id: str, exc: BaseException) -> None:
        """End the entry of an action that raised. A local refusal (NotAllowed, ConfigError:
        raised before any request, by their contract) is "refused", nothing sent: an auditor
        reading "uncertain" must assume it may have gone out. Anything else is uncertain."""
        if isinstance(exc, NotAllowed | ConfigError):
            self.finished(entry_id, outcome="refused", message=f"not sent: {exc}")
        else:
            self.finished(entry_id, outcome="uncertain", message=f"interrupted: {type(exc).__name__}")

    def refused(self, *, profile: str, provider: str, run_id: str, action: str,
                message: str) -> None:
        """An action refused before any request (e.g. the server named another run)."""
        entry_id = self.started(profile=profile, provider=provider, run_id=run_id, action=action)
        self.finished(entry_id, outcome="refused", message=message, run_id=run_id)

    def entries(self) -> Iterator[Entry]:
        """Actions oldest first; an action with no end line shows as outcome "unknown"."""
        self.unreadable = 0
        try:
            lines = self.path.read_bytes().splitlines()  # one bad byte spoils its line, not the file
        except FileNotFoundError:
            return
        starts: dict[str, _Started] = {}
        ends: dict[str, _Finished] = {}
        order: list[str] = []
        for line in lines:
            if not line.strip():
                continue
            record = _record(line)
            if record is None:
                self.unreadable += 1
            elif isinstance(record, _Started):
                starts[record.id] = record
                order.append(record.id)
            else:
                ends[record.id] = record
        for entry_id in order:
            s, e = starts[entry_id], ends.get(entry_id)
            yield Entry(id=entry_id, time=s.time, profile=s.profile, provider=s.provider,
                        run_id=(e.run_id if e is not None else None) or s.run_id, action=s.action,
                        outcome=e.outcome if e is not None else "unknown (no outcome recorded)",
                        message=e.message if e is not None else None,
                        finished=e.time if e is not None else None)


class _Started(msgspec.Struct, frozen=True, tag_field="phase", tag="started"):
    """A journal's "started" line, as read: every field of the type it is written with."""

    id: str
    time: str = ""
    profile: str = ""
    provider: str = ""
    run_id: str | None = None
    action: str = ""


class _Finished(msgspec.Struct, frozen=True, tag_field="phase", tag="finished"):
    id: str
    outcome: str = "unknown (no outcome recorded)"
    time: str | None = None
    message: str | None = None
    run_id: str | None = None


_LINE = msgspec.json.Decoder(_Started | _Finished)


def _record(line: bytes) -> _Started | _Finished | None:
    """One line, or None when it is not a record: not UTF-8, not JSON (a torn line after a
    crash), or JSON with a field of the wrong type (`"action": 5` crashed `history`, and
    `--json` passed it on to scripts as it was)."""
    try:
        return _LINE.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")

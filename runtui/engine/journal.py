"""The audit journal: one JSONL line when an action starts, one when it ends.

Written before the request so a crash mid-action still leaves a record; keys
never reach it (only ids, names and the server's message). Each line is written and
fsynced in the journal's own thread and awaited (`Journal._write`): a slow disk no
longer freezes the TUI's keys, and an action still waits for its line to be on disk.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from runtui.config import state_dir
from runtui.errors import ConfigError, NotAllowed, StateUnusable
from runtui.own_files import make_own_dirs, open_own

MAX_MESSAGE = 500
CONFIRMED = "ok, confirmed by read-back"
"""The outcome of an action whose answer was lost but whose read-back shows it took effect."""
SKIPPED = "skipped"
"""The outcome of an action the platform refused on a run that, as read back, no longer
takes it (it ended meanwhile): nothing was left to do, nothing failed."""


def default_path() -> Path:
    return state_dir() / "journal.jsonl"


class Entry(msgspec.Struct, frozen=True):
    id: str
    time: str
    profile: str
    provider: str
    run_id: str | None
    action: str
    # "started" | "ok" | CONFIRMED | SKIPPED | "failed" | "uncertain" | "refused"
    outcome: str
    message: str | None = None
    finished: str | None = None


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.unreadable = 0
        """Lines the last `entries()` skipped: not UTF-8, not JSON (a torn line), not a record,
        or an outcome whose "started" line is nowhere in the file."""
        self.on_unrecorded: Callable[[str], None] = _say_nothing
        """Told, in words for people, when an action's outcome could not be written: the
        action went its way (its outcome is shown as it is), and a face says this beside it."""
        self._open: dict[str, str] = {}  # entry id -> "pause r-1", until its outcome is written
        self._writer: ThreadPoolExecutor | None = None  # made at the first write (`_write`)

    async def _write(self, record: dict[str, Any]) -> None:
        """`_append` in the journal's own thread, awaited: its fsync took 10-100 ms on a slow
        disk (an NFS home, a busy laptop), and on the event loop that froze every key of the
        TUI. One thread writes the lines one at a time, in the order they were asked for;
        the caller goes on once its line is on disk, or gets `_append`'s StateUnusable.
        A caller cancelled meanwhile stops waiting; its line is written all the same."""
        written = self._submit(record)
        try:
            await asyncio.shield(written)
        except asyncio.CancelledError:
            written.add_done_callback(self._tell_if_unwritten)
            raise

    def _write_later(self, record: dict[str, Any]) -> None:
        """Queue a line after those asked for before it, waiting for none of them."""
        self._submit(record).add_done_callback(self._tell_if_unwritten)

    def _submit(self, record: dict[str, Any]) -> asyncio.Future[None]:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="runtui-journal")
        job: Future[None] = self._writer.submit(self._append, record)
        return asyncio.wrap_future(job)

    def _tell_if_unwritten(self, written: asyncio.Future[None]) -> None:
        """A line nobody waited for that could not be written is still said."""
        problem = None if written.cancelled() else written.exception()
        if problem is not None:
            self.on_unrecorded(f"the journal could not record a line of an interrupted action: {problem}")

    def _append(self, record: dict[str, Any]) -> None:
        """Write one whole line, durable before this returns. Raises StateUnusable (a
        planted link in place of the journal too: nothing is written through it).

        A line is written whole (a short write on a full disk is written on, or raises), and
        starts a line of its own: after a torn last line (a full disk, a crash mid-write) the
        next record was glued onto the fragment and lost from `history` with it."""
        line = (json.dumps(record, separators=(",", ":"), default=str) + "\n").encode()
        try:
            make_own_dirs(self.path.parent)
            fd = open_own(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        except OSError as exc:
            raise StateUnusable(f"cannot write the journal {self.path}: {self._why(exc)}") from None
        except ConfigError as exc:
            raise StateUnusable(f"cannot write the journal: {exc}") from None
        try:
            _write_all(fd, line if _ends_a_line(fd) else b"\n" + line)
            os.fsync(fd)
        except OSError as exc:
            raise StateUnusable(f"cannot write the journal {self.path}: {self._why(exc)}") from None
        finally:
            os.close(fd)

    def _why(self, exc: OSError) -> str:
        """The system's reason, said of runtui's paths (a state path that is a file said
        "Not a directory: '.../journal.jsonl'", naming a file that cannot exist)."""
        if isinstance(exc, IsADirectoryError):
            return "it is a directory, not a file"
        if isinstance(exc, NotADirectoryError | FileExistsError):
            state = self.path.parent
            if state.exists() and not state.is_dir():
                return f"the state directory {state} is not a directory"
            return f"a part of the state directory's path {state} is a file, not a directory"
        return exc.strerror or type(exc).__name__

    async def _start(self, *, profile: str, provider: str, run_id: str | None, action: str) -> str:
        entry_id = uuid.uuid4().hex[:12]
        what = f"{action} {run_id}" if run_id else action
        try:
            await self._write({"id": entry_id, "phase": "started", "time": _now(), "profile": profile,
                               "provider": provider, "run_id": run_id, "action": action})
        except asyncio.CancelledError:
            # The caller stops here, before any request; the line is written all the same,
            # so its end follows it: not an action with no outcome, that may have gone out.
            self._write_later(_end(entry_id, outcome="refused", run_id=run_id,
                                   message="not sent: interrupted while the journal was written"))
            raise
        self._open[entry_id] = what
        return entry_id

    async def started(self, *, profile: str, provider: str, run_id: str | None, action: str) -> str:
        """Record an action about to be sent, returning once the line is on disk. Raises
        StateUnusable ("not sent: cannot write the journal ...") when the line cannot be
        written: an action is sent only once its record is on disk, so the caller sends nothing."""
        try:
            return await self._start(profile=profile, provider=provider, run_id=run_id, action=action)
        except StateUnusable as exc:
            raise StateUnusable(f"not sent: {exc}") from None

    async def finished(self, entry_id: str, *, outcome: str, message: str | None = None,
                       run_id: str | None = None, new_run_id: str | None = None) -> None:
        """Record an action's outcome. Never raises (a cancelled caller's CancelledError
        aside: the line is written all the same): the request went its way, and a journal
        that cannot be written must not hide what happened (`on_unrecorded` is told)."""
        what = self._open.pop(entry_id, "an action")
        try:
            await self._write(_end(entry_id, outcome=outcome, message=message, run_id=run_id,
                                   new_run_id=new_run_id))
        except StateUnusable as exc:
            self.on_unrecorded(f"the journal could not record the outcome of {what}: {exc}")

    async def raised(self, entry_id: str, exc: BaseException) -> None:
        """End the entry of an action that raised. A local refusal (NotAllowed, ConfigError:
        raised before any request, by their contract) is "refused", nothing sent: an auditor
        reading "uncertain" must assume it may have gone out. Anything else is uncertain."""
        if isinstance(exc, NotAllowed | ConfigError):
            await self.finished(entry_id, outcome="refused", message=f"not sent: {exc}")
        else:
            await self.finished(entry_id, outcome="uncertain",
                                message=f"interrupted: {type(exc).__name__}")

    async def refused(self, *, profile: str, provider: str, run_id: str, action: str,
                      message: str) -> None:
        """An action refused before any request (e.g. the server named another run). Never
        raises: nothing was sent either way, and the refusal is what the user must hear."""
        try:
            entry_id = await self._start(profile=profile, provider=provider, run_id=run_id,
                                         action=action)
        except StateUnusable as exc:
            self.on_unrecorded(f"the journal could not record the refusal of {action} {run_id}: {exc}")
            return
        await self.finished(entry_id, outcome="refused", message=message, run_id=run_id)

    def entries(self, limit: int | None = None) -> list[Entry]:
        """Actions oldest first, the newest `limit` of them (all when None); an action with no
        end line shows as outcome "unknown". Read from the end, only as far as the newest
        `limit` starts: `history -n 50` of a 100 MB journal read and decoded it all (1 s,
        475 MB). Raises StateUnusable when the journal cannot be read (no journal: none)."""
        self.unreadable = 0
        starts: list[_Started] = []  # newest first
        ends: dict[str, _Finished] = {}
        whole = True
        try:
            with self.path.open("rb") as fh:
                for line in _lines_from_end(fh):
                    if line is not None and not line.strip():
                        continue
                    record = None if line is None else _record(line)
                    if record is None:
                        self.unreadable += 1
                    elif isinstance(record, _Started):
                        starts.append(record)
                        if limit is not None and len(starts) >= limit:
                            whole = False
                            break
                    else:
                        ends.setdefault(record.id, record)  # the last one written stands
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StateUnusable(f"cannot read the journal {self.path}: {self._why(exc)}") from None
        if whole:  # an outcome with no start anywhere: counted, never dropped unsaid
            self.unreadable += len(ends.keys() - {s.id for s in starts})
        return [_entry(s, ends.get(s.id)) for s in reversed(starts)]

    def unusable(self) -> str | None:
        """Why no action could be journaled (so none sent), from a look that writes nothing:
        the state path a file, the journal a directory, a read-only directory. Said at start,
        not at the first action in an incident. A full disk shows only when written."""
        state = self.path.parent
        found = next((p for p in (state, *state.parents) if p.exists()), None)
        if found is not None and not found.is_dir():
            return (f"the state directory {state} is not a directory" if found == state
                    else f"a part of the state directory's path {state} is a file, not a directory")
        if self.path.is_dir():
            return f"the journal {self.path} is a directory, not a file"
        writable = self.path if self.path.exists() else found
        if writable is not None and not os.access(writable, os.W_OK):
            return f"the journal {self.path} cannot be written (read-only)"
        return None


def _end(entry_id: str, *, outcome: str, message: str | None = None, run_id: str | None = None,
         new_run_id: str | None = None) -> dict[str, Any]:
    """An action's "finished" line."""
    return {"id": entry_id, "phase": "finished", "time": _now(), "outcome": outcome,
            "message": (message or "")[:MAX_MESSAGE] or None, "run_id": run_id,
            "new_run_id": new_run_id}


def _entry(start: _Started, end: _Finished | None) -> Entry:
    return Entry(id=start.id, time=start.time, profile=start.profile, provider=start.provider,
                 run_id=(end.run_id if end is not None else None) or start.run_id,
                 action=start.action,
                 outcome=end.outcome if end is not None else "unknown (no outcome recorded)",
                 message=end.message if end is not None else None,
                 finished=end.time if end is not None else None)


_BLOCK = 64 * 1024
_LONGEST = 256 * 1024
"""No record is this long (a message is cut to MAX_MESSAGE): a longer line is counted, not kept."""


def _lines_from_end(fh: BinaryIO) -> Iterator[bytes | None]:
    """The file's lines, last first, read a block at a time (memory bounded by _BLOCK and
    _LONGEST, whatever the file's size). None stands for a line too long to be a record."""
    pos = fh.seek(0, os.SEEK_END)
    tail: bytes | None = b""  # the end of the line the last block read began inside
    while pos > 0:
        step = min(_BLOCK, pos)
        pos -= step
        fh.seek(pos)
        parts = fh.read(step).split(b"\n")
        last = None if tail is None else parts[-1] + tail
        if len(parts) == 1:  # no line starts in this block: the line goes on to the left
            tail = last if last is not None and len(last) <= _LONGEST else None
            continue
        yield last
        yield from reversed(parts[1:-1])
        tail = parts[0]
    yield tail


def _ends_a_line(fd: int) -> bool:
    """The file is empty or its last byte ends a line (one byte read, at each write)."""
    size = os.fstat(fd).st_size
    return size == 0 or os.pread(fd, 1, size - 1) == b"\n"


def _write_all(fd: int, data: bytes) -> None:
    """os.write may take part of the data (a disk filling up): write the rest, or raise."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the disk took none of the line")
        view = view[written:]


def _say_nothing(_message: str) -> None:
    return None


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

"""The log/event capability: how a face reads what a run said or did, page by page.

A provider that has real logs (Prefect) reads them; one that has none (B3OS,
Wexa, Edges) derives ordered events from what its API does publish (node
transitions, agent outputs, the status timeline). Either way the face gets
`LogEvent`s and a cursor to continue from, and is told which of the two it got.

A line keeps the server's text exactly (bounded in length): like every other
server string it is made harmless by the face that shows it (`runtui.safe_text`),
and `--json` prints it escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec

from runtui.model import LogEvent, LogLevel, Run, RunDetail, Status, Step

MAX_MESSAGE = 8_000  # characters of one line kept: a log line, not a document
MAX_OUTPUT = 200  # characters of a step's output shown in its "finished" line

def capped(text: str, limit: int = MAX_MESSAGE) -> str:
    """Server text as a log line keeps it: exact (faces make it harmless when they show it,
    `--json` prints it escaped), with Windows line ends made plain and its length bounded."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event(event_id: str, time: datetime | None, level: LogLevel, message: str,
          source: str | None = None, run_id: str = "") -> LogEvent:
    """A log line built from server text: the only constructor providers use."""
    return LogEvent(id=event_id, time=time, level=level, message=capped(message),
                    source=capped(source, 200) if source else None, run_id=run_id)


class EventQuery(msgspec.Struct, frozen=True):
    """What to read: providers filter on the server what it can and the rest here."""

    since: datetime | None = None
    min_level: LogLevel = LogLevel.DEBUG
    page_size: int = 200


class EventPage(msgspec.Struct, frozen=True):
    """One read: the lines, where to continue, and what kind of log this is.

    `cursor` is opaque to everyone but the provider that made it. `more`: the server
    has more lines right now (read again without waiting). `run`: the run as it was
    read, so the follower knows when it ended. `gap`: lines may be missing before these;
    `gap_reason`: why (runtui's words, e.g. the stream that was dropped).
    """

    events: tuple[LogEvent, ...]
    cursor: Any
    real_logs: bool
    run: Run | None = None
    more: bool = False
    gap: bool = False
    gap_reason: str | None = None


def keep(events: Iterable[LogEvent], query: EventQuery) -> tuple[LogEvent, ...]:
    """What a server could not filter: level and time, applied client-side."""
    since = query.since
    return tuple(e for e in events if e.level >= query.min_level
                 and (since is None or e.time is None or e.time >= since))


# ---- events derived from a run's state (providers without a log API) --------------------


def short_output(value: Any, limit: int = MAX_OUTPUT) -> str:
    """One line of a step's output for its "finished" event."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
        except (TypeError, ValueError):
            text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(steps: Iterable[Step], prefix: str = "") -> Iterator[tuple[str, Step]]:
    for step in steps:
        name = step.name or step.id
        source = f"{prefix}/{name}" if prefix else name
        yield source, step
        yield from _walk(step.children, source)


def step_events(detail: RunDetail, *, show_output: bool = True) -> list[LogEvent]:
    """A node/agent/step's transitions as lines: started, then how it ended (or waits).

    Ids name the step and the transition, so the same transition read twice is one line.
    """
    run_id = detail.run.id
    found: list[LogEvent] = []
    for source, step in _walk(detail.steps):
        raw = (step.raw_status or step.status.value).lower()
        base = f"step:{step.id}"
        if step.started_at is not None:
            found.append(event(f"{base}:started", step.started_at, LogLevel.INFO, "started",
                               source, run_id))
        # An end without its own time is untimed (it stays after the step's start), not
        # dated at the start: "failed" at 03:09:34 read as 40 s before the run failed.
        at = step.finished_at
        if raw == "skipped":
            found.append(event(f"{base}:skipped", at, LogLevel.INFO, "skipped", source, run_id))
        elif step.status is Status.FAILED:
            text = f"failed: {step.error}" if step.error else "failed"
            found.append(event(f"{base}:failed", at, LogLevel.ERROR, text, source, run_id))
        elif step.status is Status.SUCCEEDED:
            out = short_output(step.output) if show_output else ""
            text = f"finished: {out}" if out else "finished"
            found.append(event(f"{base}:finished", at, LogLevel.INFO, text, source, run_id))
        elif step.status is Status.WAITING:  # waiting since it started: that time is its own
            found.append(event(f"{base}:waiting", at or step.started_at, LogLevel.WARNING,
                               "waiting (needs a human or an event)", source, run_id))
        elif step.status is Status.CANCELLED:
            found.append(event(f"{base}:cancelled", at, LogLevel.WARNING, "cancelled", source, run_id))
        elif step.status is Status.PAUSED:
            found.append(event(f"{base}:paused", at or step.started_at, LogLevel.WARNING, "paused",
                               source, run_id))
    return found


def status_events(detail: RunDetail, *, last_error: bool = True) -> list[LogEvent]:
    """The run's own transitions (its timeline, else its times) and its last error.

    `last_error=False` when the provider's own error lines already say it (Wexa `errors`).
    """
    run = detail.run
    found: list[LogEvent] = []
    if detail.timeline:
        for index, entry in enumerate(detail.timeline):
            raw = entry.raw_status or entry.status.value
            text = f"{entry.status.value} ({raw})" + (f": {entry.note}" if entry.note else "")
            level = LogLevel.ERROR if entry.status is Status.FAILED else LogLevel.INFO
            found.append(event(f"run:{index}:{raw}", entry.at, level, text, "run", run.id))
    else:
        if run.created_at is not None:
            found.append(event("run:created", run.created_at, LogLevel.INFO, "created", "run", run.id))
        if run.started_at is not None:
            found.append(event("run:started", run.started_at, LogLevel.INFO, "started", "run", run.id))
        if run.status.terminal:
            raw = run.raw_status or run.status.value
            level = LogLevel.ERROR if run.status is Status.FAILED else LogLevel.INFO
            found.append(event(f"run:end:{raw}", run.finished_at or run.updated_at, level,
                               f"{run.status.value} ({raw})", "run", run.id))
    if run.last_error and last_error:
        found.append(event("run:last_error", run.finished_at or run.updated_at, LogLevel.ERROR,
                           f"last error: {run.last_error}", "run", run.id))
    return found


def in_time_order(events: Iterable[LogEvent]) -> list[LogEvent]:
    """Oldest first. A line without a time (a node skipped, so never run) stays next to
    the line listed before it, the previous node's, or leads when listed first (the
    nodes a retry skipped): put after every timed line, it came after "run failed" and
    read as if it happened once the run had ended."""
    listed = list(events)
    first = min((e.time for e in listed if e.time is not None), default=None)
    places: list[datetime] = []
    for e in listed:
        places.append(e.time or (places[-1] if places else first) or datetime.min.replace(tzinfo=UTC))
    order = sorted(range(len(listed)), key=places.__getitem__)  # stable: ties keep the listing's order
    return [listed[i] for i in order]


def derived_page(events: Iterable[LogEvent], detail: RunDetail, query: EventQuery) -> EventPage:
    """A whole derived log as one page: the engine drops the lines it has already shown."""
    return EventPage(events=keep(in_time_order(events), query), cursor=None, real_logs=False,
                     run=detail.run)

"""A provider with a real-looking log (levels, sources, a traceback, a hostile line) for the
log view's Pilot and snapshot tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from runtui.engine.workspace import Workspace
from runtui.errors import ProviderError
from runtui.model import LogEvent, LogLevel, Run, Status
from runtui.providers.events import EventPage, EventQuery
from tests.tui.apps.detail_support import NOW, MemoryProvider, make_workspace, sample_detail, sample_run

T0 = NOW - timedelta(minutes=4)

SCRIPT: list[tuple[int, LogLevel, str, str]] = [
    (0, LogLevel.INFO, "flow", "Beginning flow run 'invoice-sync' for flow 'Invoice sync'"),
    (1, LogLevel.DEBUG, "flow", "Loaded 3 parameters: since=2026-12-03, batch=500, dry_run=False"),
    (2, LogLevel.INFO, "fetch-invoices", "Fetching invoices updated since 2026-12-03T00:00:00Z"),
    (9, LogLevel.INFO, "fetch-invoices", "Fetched 1,284 invoices in 3 pages"),
    (10, LogLevel.WARNING, "fetch-invoices", "Page 2 answered 429; retried after 2s (Retry-After)"),
    (14, LogLevel.INFO, "match-payments", "Matching 1,284 invoices against 1,301 payments"),
    (31, LogLevel.WARNING, "match-payments", "17 invoices have no matching payment; kept for review"),
    (40, LogLevel.INFO, "push-ledger", "Pushing 1,267 ledger entries to the accounting API"),
    (75, LogLevel.ERROR, "push-ledger",
     "Accounting API timeout after 30s on batch 4 of 6\nTraceback (most recent call last):\n"
     "  File \"flows/ledger.py\", line 88, in push\n    client.post(batch)\n"
     "httpx.ReadTimeout: timed out"),
    (76, LogLevel.INFO, "push-ledger", "Retrying batch 4 of 6 (attempt 2 of 3)"),
    (92, LogLevel.INFO, "push-ledger", "Batch 4 of 6 pushed; a long line follows to show what wrapping "
     "does to a message that is far wider than the terminal it is shown in, word after word after word"),
    (120, LogLevel.INFO, "notify", "hostile \x1b]52;c;Zm9v\x07 text from the server, shown not run"),
    (121, LogLevel.INFO, "flow", "Finished in state Completed()"),
]


def script_lines(run_id: str) -> list[LogEvent]:
    return [LogEvent(id=f"log-{n}", time=T0 + timedelta(seconds=at), level=level, message=message,
                     source=source, run_id=run_id) for n, (at, level, source, message) in enumerate(SCRIPT)]


class LoggingProvider(MemoryProvider):
    """Serves `lines` in pages of `page` lines; `fail_reads` are read numbers that fail."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: list[LogEvent] = []
        self.page = 100
        self.fail_reads: set[int] = set()
        self.log_reads = 0
        self.final: Run | None = None

    def events_note(self) -> str | None:
        return None

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        self.log_reads += 1
        if self.log_reads in self.fail_reads:
            raise ProviderError("connection reset by peer", provider="b3os", kind="network")
        start = cursor or 0
        found = self.lines[start:start + self.page]
        end = start + len(found)
        return EventPage(events=tuple(found), cursor=end, real_logs=True, run=self.final or run,
                         more=end < len(self.lines))


def logging_workspace(status: Status = Status.SUCCEEDED) -> tuple[Workspace, LoggingProvider, Run]:
    ws, _fakes = make_workspace()
    provider = LoggingProvider(ws.config.profiles["b3-prod"])
    ws.providers["b3-prod"] = provider
    run = sample_run(status, "success" if status is Status.SUCCEEDED else "running")
    provider.details[run.id] = sample_detail(run)
    provider.lines = script_lines(run.id)
    provider.final = run
    ws.logs.tick = 0.05  # the hub reads quickly in tests (one request per profile per tick still)
    ws.logs.catch_up_tick = 0.01
    return ws, provider, run

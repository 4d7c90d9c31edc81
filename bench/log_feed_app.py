"""A log screen following a run that writes 1,000 lines a second (bench/logs.py runs it on a pty).

The provider makes the lines the clock says exist since the last read, so the
reader (the real LogHub, one read a second) gets about 1,000 new lines a read.
`h` covers the log with an empty screen (what is written while it is hidden).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from bench.logs import make_lines
from runtui.actions import ActionTable
from runtui.config import Profile
from runtui.engine.logs import LogHub
from runtui.model import Action, Kind, Run, RunDetail, StartRequest, Status
from runtui.providers.base import ListQuery, Provider
from runtui.providers.events import EventPage, EventQuery
from runtui.providers.http import HttpClient
from runtui.secret import Secret
from runtui.tui.screens.logs import LogScreen

RATE = int(os.environ.get("FEED_RATE", "1000"))
RUN = Run(profile="feed", provider="feed", id="run-feed", status=Status.RUNNING,
          workflow_name=f"feed {RATE} lines/s")


class FeedProvider(Provider):
    name: ClassVar[str] = "feed"
    label: ClassVar[str] = "Feed"
    actions: ClassVar[ActionTable] = ActionTable(provider="feed", per_kind={Kind.RUN: {}})

    def __init__(self) -> None:
        profile = Profile(name="feed", provider="feed", api_key_env="UNUSED")
        super().__init__(profile, HttpClient(provider="feed", base_url="http://127.0.0.1:9",
                                             auth_headers={}, error_reader=lambda _b: None))
        self.started = time.monotonic()

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {}

    @staticmethod
    def read_error(body: Any) -> str | None:
        return None

    def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        raise NotImplementedError

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        return RunDetail(run=RUN)

    async def check(self) -> str:
        return "ok"

    async def _start(self, request: StartRequest) -> str:
        raise NotImplementedError

    async def _send(self, run: Run, action: Action) -> str | None:
        raise NotImplementedError

    def events_note(self) -> str | None:
        return None

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        done = int(cursor or 0)
        due = int((time.monotonic() - self.started) * RATE)
        return EventPage(events=tuple(make_lines(due - done, done)), cursor=due, real_logs=True, run=RUN)


class Workspace:
    """What the log screen asks of the app's workspace: its log hub."""

    def __init__(self) -> None:
        provider = FeedProvider()
        self.logs = LogHub(lambda _profile: provider)


class FeedApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("h", "hide", "Hide")]

    def __init__(self) -> None:
        super().__init__()
        self.workspace = Workspace()

    def on_mount(self) -> None:
        self.push_screen(LogScreen(RUN))

    def action_hide(self) -> None:
        cover = Screen[None]()
        self.push_screen(cover)
        cover.mount(Static("hidden"))


if __name__ == "__main__":
    FeedApp().run()

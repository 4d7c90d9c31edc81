"""An in-memory Provider for engine tests of things the simulator cannot stage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from runtui.config import Profile
from runtui.errors import ProviderError
from runtui.model import Action, Kind, Run, RunDetail, StartRequest, Status
from runtui.providers.base import ListQuery, Provider
from runtui.providers.edges import ACTIONS as EDGES
from runtui.providers.http import HttpClient
from runtui.secret import Secret


class FakeProvider(Provider):
    name = "edges"
    label = "Fake"
    actions = EDGES

    def __init__(self, runs: list[Run] | None = None, profile: str = "p") -> None:
        prof = Profile(name=profile, provider="edges", api_key_env="X")
        http = HttpClient(provider="edges", base_url="http://127.0.0.1:9", auth_headers={},
                          error_reader=lambda _b: None)
        super().__init__(prof, http)
        self.runs = {r.id: r for r in runs or []}
        self.fail: list[ProviderError] = []  # raised by the next reads, in order
        self.list_calls: list[ListQuery] = []
        self.sent: list[tuple[str, Action]] = []
        self.in_list = 0
        self.max_in_list = 0
        self.reads: list[str] = []  # the ids `get_run` was asked for, in order

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {}

    @staticmethod
    def read_error(body: Any) -> str | None:
        return None

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        self.list_calls.append(query)
        self.in_list += 1
        self.max_in_list = max(self.max_in_list, self.in_list)
        try:
            if self.fail:
                raise self.fail.pop(0)
            runs = [r for r in self.runs.values()
                    if query.statuses is None or r.status in query.statuses]
            for i in range(0, len(runs), query.page_size):
                yield runs[i:i + query.page_size]
        finally:
            self.in_list -= 1

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        self.reads.append(run_id)
        if run_id not in self.runs:
            raise ProviderError("not found", provider="edges", status=404)
        return RunDetail(run=self.runs[run_id])

    async def check(self) -> str:
        return "ok"

    async def _start(self, request: StartRequest) -> str:
        raise ProviderError("no", provider="edges", status=400)

    async def _send(self, run: Run, action: Action) -> str | None:
        self.sent.append((run.id, action))
        if self.fail:
            raise self.fail.pop(0)
        return None


def make_run(i: int, status: Status = Status.RUNNING, profile: str = "p") -> Run:
    raw = {Status.RUNNING: "RUNNING", Status.SUCCEEDED: "SUCCEEDED", Status.QUEUED: "QUEUED"}.get(
        status, status.value.upper())
    return Run(profile=profile, provider="edges", id=f"run-{i}", status=status, raw_status=raw)

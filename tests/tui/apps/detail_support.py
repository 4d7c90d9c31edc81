"""Fixed data, an in-memory provider and small apps for the detail and execute tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from runtui import config as config_mod
from runtui.config import Profile
from runtui.engine.workspace import Workspace
from runtui.errors import ProviderError
from runtui.model import Action, Cost, Kind, Run, RunDetail, StartRequest, Status, Step, TimelineEntry
from runtui.providers.b3os import ACTIONS as B3OS
from runtui.providers.base import ListQuery, Provider, WorkflowInfo
from runtui.providers.http import HttpClient
from runtui.secret import Secret
from runtui.tui.widgets.detail_pane import DetailPane

CSS_PATH = Path(__file__).resolve().parents[3] / "runtui" / "tui" / "runtui.tcss"
NOW = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)
FAKE_PATH = Path("/home/demo/.config/runtui/config.toml")


def frozen_clock() -> datetime:
    return NOW


class MemoryProvider(Provider):
    """A provider whose answers the test sets: details by run id, errors queued in order."""

    name = "b3os"
    label = "Memory"
    actions = B3OS

    def __init__(self, profile: Profile) -> None:
        http = HttpClient(provider=profile.provider, base_url="http://127.0.0.1:9", auth_headers={},
                          error_reader=lambda _b: None)
        super().__init__(profile, http)
        self.details: dict[str, RunDetail] = {}
        self.errors: list[ProviderError] = []
        self.workflows: dict[str, WorkflowInfo] = {}
        self.reads = 0

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {}

    @staticmethod
    def read_error(body: Any) -> str | None:
        return None

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        yield [d.run for d in self.details.values()]

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        self.reads += 1
        if self.errors:
            raise self.errors.pop(0)
        if run_id not in self.details:
            raise ProviderError("run not found", provider=self.profile.provider, status=404)
        return self.details[run_id]

    async def check(self) -> str:
        return "ok"

    async def get_workflow(self, workflow_id: str) -> WorkflowInfo | None:
        return self.workflows.get(workflow_id)

    async def _start(self, request: StartRequest) -> str:
        return "new-run"

    async def _send(self, run: Run, action: Action) -> str | None:
        return None


def make_workspace(profiles: dict[str, str] | None = None, *, refresh: float = 0.2
                   ) -> tuple[Workspace, dict[str, MemoryProvider]]:
    """A workspace whose profiles (name -> provider) are served by MemoryProviders."""
    profiles = profiles or {"b3-prod": "b3os"}
    cfg = config_mod.Config(path=FAKE_PATH)
    cfg.defaults = config_mod.Defaults(refresh_seconds=max(refresh, 0.2))
    fakes: dict[str, MemoryProvider] = {}
    for name, provider in profiles.items():
        prof = Profile(name=name, provider=provider, api_key_env="RUNTUI_TEST_KEY")
        cfg.profiles[name] = prof
    ws = Workspace(cfg)
    for name, prof in cfg.profiles.items():
        fakes[name] = MemoryProvider(prof)
        ws.providers[name] = fakes[name]
    return ws, fakes


def sample_run(status: Status = Status.RUNNING, raw: str = "running", **kw: Any) -> Run:
    fields: dict[str, Any] = {
        "profile": "b3-prod", "provider": "b3os", "id": "run_7f3a9c2e41d84b0c",
        "workflow_id": "wf_invoice_sync", "workflow_name": "Invoice sync",
        "status": status, "raw_status": raw,
        "created_at": NOW - timedelta(minutes=5, seconds=30),
        "started_at": NOW - timedelta(minutes=5),
        "cost": Cost(amount=12.5, unit="CU"),
    }
    if status.terminal:
        fields["finished_at"] = NOW - timedelta(minutes=1)
    fields.update(kw)
    return Run(**fields)


def sample_detail(run: Run | None = None, *, raw: Any = None) -> RunDetail:
    run = run or sample_run()
    steps = (
        Step(id="s1", name="fetch invoices", type="http", status=Status.SUCCEEDED, raw_status="success",
             started_at=NOW - timedelta(minutes=5), finished_at=NOW - timedelta(minutes=4, seconds=50)),
        Step(id="s2", name="transform", type="code", status=Status.RUNNING, raw_status="running",
             started_at=NOW - timedelta(minutes=4, seconds=50),
             children=(
                 Step(id="s2a", name="map fields", status=Status.SUCCEEDED, raw_status="success"),
                 Step(id="s2b", name="validate totals", status=Status.FAILED, raw_status="failure",
                      error="total mismatch on INV-0042"),
             )),
        Step(id="s3", name="upload", type="http", status=Status.QUEUED, raw_status="pending"),
    )
    outputs = (
        {"invoice": "INV-0041", "total": 120.5, "ok": True},
        {"invoice": "INV-0042", "total": 99, "ok": False, "note": "x" * 300},
    )
    timeline = (
        TimelineEntry(at=NOW - timedelta(minutes=5, seconds=30), status=Status.QUEUED, raw_status="queued"),
        TimelineEntry(at=NOW - timedelta(minutes=5), status=Status.RUNNING, raw_status="running",
                      note="picked by worker-3"),
    )
    if raw is None:
        raw = {"id": run.id, "status": run.raw_status, "workflowId": run.workflow_id,
               "nodes": [{"id": s.id, "status": s.raw_status} for s in steps]}
    return RunDetail(run=run, steps=steps, outputs=outputs, inputs={"month": "2025-02", "dry_run": False},
                     timeline=timeline, raw=raw)


class PaneApp(App[None]):
    """A DetailPane alone, as the split shows it."""

    CSS_PATH = CSS_PATH

    def __init__(self, workspace: Workspace, *, clock: Any = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield DetailPane(id="detail", clock=self.clock, tz=UTC)

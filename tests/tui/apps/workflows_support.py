"""Fixed workflows for the workflows-view and diff snapshots: no simulator, no network.

Three profiles, six workflows with 14 runs each (durations and outcomes from a fixed
pattern), triggers a fake adapter lists, and two run details to compare. The
TUI's clock (`runtui.tui.clock`) is frozen at `NOW`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from runtui.model import Cost, Run, RunDetail, Status, Step
from runtui.providers.b3os import B3osProvider
from runtui.providers.capabilities import ControlsWorkflows
from runtui.providers.edges import EdgesProvider
from runtui.providers.wexa import WexaProvider
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp
from runtui.workflow_model import Trigger
from tests.fakes import FakeProvider
from tests.tui.apps.runs_support import snapshot_workspace

ADAPTERS = {"b3os": B3osProvider, "edges": EdgesProvider, "wexa": WexaProvider}

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
FAKE_PATH = Path("/home/demo/.config/runtui/config.toml")
PROFILES = {"wexa-prod": "wexa", "edges-dev": "edges", "b3-prod": "b3os"}
RAW = {"wexa": {Status.SUCCEEDED: "completed", Status.FAILED: "failed", Status.CANCELLED: "cancelled",
                Status.RUNNING: "running"},
       "edges": {Status.SUCCEEDED: "SUCCEEDED", Status.FAILED: "FAILED", Status.CANCELLED: "STOPPED",
                 Status.RUNNING: "RUNNING"},
       "b3os": {Status.SUCCEEDED: "success", Status.FAILED: "failure", Status.CANCELLED: "cancelled",
                Status.RUNNING: "running"}}
# (profile, workflow id, name, outcome pattern oldest first: s ok, f failed, c cancelled, r running)
WORKFLOWS = (
    ("b3-prod", "wf_treasury", "Daily treasury rebalance", "sssssssssssssr"),
    ("b3-prod", "wf_payroll", "Payroll in USDC", "ssssfsssssssff"),
    ("edges-dev", "linkedin-profile-enrich", "LinkedIn profile enrichment", "sssssssssssss"),
    ("edges-dev", "email-finder-bulk", "Bulk email finder", "sfssscsssssss"),
    ("wexa-prod", "6650f1a2b3c4d5e6f7a8b9c0", "Invoice Reconciler", "ssssssssssssfff"),
    ("wexa-prod", "6650f1a2b3c4d5e6f7a8b9c1", "Lead Qualifier", "ssscsssssssssr"),
)
STATUS = {"s": Status.SUCCEEDED, "f": Status.FAILED, "c": Status.CANCELLED, "r": Status.RUNNING}


def sample_runs() -> list[Run]:
    runs: list[Run] = []
    for w, (profile, wid, name, pattern) in enumerate(WORKFLOWS):
        provider = PROFILES[profile]
        for i, code in enumerate(pattern):
            status = STATUS[code]
            started = NOW - timedelta(minutes=90 * (len(pattern) - i) + 7 * w)
            took = 40 + (i * 37 + w * 11) % 90 + (400 if (w == 1 and i == 8) else 0)
            if status is Status.RUNNING:
                started = NOW - timedelta(seconds=took * 3)  # running well past the p95
            runs.append(Run(
                profile=profile, provider=provider, id=f"{provider[:2]}-{w}-{i:02d}", workflow_id=wid,
                workflow_name=name, status=status, raw_status=RAW[provider][status],
                created_at=started, started_at=started,
                finished_at=None if status is Status.RUNNING else started + timedelta(seconds=took),
                cost=Cost(1.5 * (i + 1), "CU") if provider == "b3os" else None,
                last_error="RPC timeout" if status is Status.FAILED else None))
    return runs


TRIGGERS = {
    "b3-prod": [Trigger("b3-prod", "b3os", "wf_treasury", "wf_treasury", "Daily treasury rebalance", "active",
                        False),
                Trigger("b3-prod", "b3os", "wf_payroll", "wf_payroll", "Payroll in USDC", "paused", True),
                Trigger("b3-prod", "b3os", "wf_sweeper", "wf_sweeper", "Legacy bridge sweeper", "archived")],
    "edges-dev": [Trigger("edges-dev", "edges", "5d0c2f9e-0000-4000-8000-000000000001",
                          "linkedin-profile-enrich", None, "ACTIVE", False, "cron 0 * * * * (UTC)",
                          NOW + timedelta(minutes=51))],
}


class SnapProvider(FakeProvider):
    """Reads fixed run details; sends nothing anywhere. No workflow control (like Wexa)."""

    def __init__(self, profile: str, runs: list[Run]) -> None:
        super().__init__([r for r in runs if r.profile == profile], profile=profile)
        self.triggers = TRIGGERS.get(profile, [])
        self.actions = ADAPTERS[PROFILES[profile]].actions  # type: ignore[misc]

    async def get_run(self, run_id: str, kind: object = None) -> RunDetail:  # type: ignore[override]
        return detail_of(self.runs[run_id])


class SnapControlled(SnapProvider, ControlsWorkflows):
    """Also lists fixed triggers (B3OS workflows, an Edges schedule)."""

    async def list_triggers(self) -> list[Trigger]:
        return list(self.triggers)

    async def read_trigger(self, trigger: Trigger) -> Trigger:
        return next(t for t in self.triggers if t.id == trigger.id)

    async def send_trigger_action(self, trigger: Trigger, action: object) -> None:
        raise AssertionError("snapshots send nothing")


def detail_of(run: Run) -> RunDetail:
    """A fixed detail: two steps, inputs and one output that vary with the run's number."""
    n = int(run.id[-2:])
    start = run.started_at or NOW
    last = run.status if run.status.terminal else Status.RUNNING
    steps = (Step(id="read", name="Read balances", status=Status.SUCCEEDED,
                  started_at=start, finished_at=start + timedelta(seconds=4 + n)),
             Step(id="swap", name="Swap to target", status=last, error=run.last_error))
    return RunDetail(run=run, steps=steps, inputs={"amount": 100 * (n % 3 + 1), "note": "weekly"},
                     outputs=({"tx": f"0x{n:04x}", "gas": 21000 + n},))


def build_app() -> RuntuiApp:
    runs = sample_runs()
    ws = snapshot_workspace(PROFILES, runs, NOW)
    for name in PROFILES:
        kind = SnapControlled if name in TRIGGERS else SnapProvider
        ws.providers[name] = kind(name, runs)
    return RuntuiApp(ws, watch=False)


def freeze() -> None:
    tui_clock.now = lambda: NOW

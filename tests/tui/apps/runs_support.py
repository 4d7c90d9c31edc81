"""Fixed runs and a workspace for the runs-screen snapshots: no simulator, no network.

Every time on screen is relative to `NOW`; the snapshot tests freeze the run table's
clock there (`freeze_clock`), so the pictures never change with the day they are taken.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runtui import config as config_mod
from runtui.config import Profile
from runtui.engine.health import Health, HealthState
from runtui.engine.workspace import Workspace
from runtui.model import Cost, Run, Status
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
FAKE_PATH = Path("/home/demo/.config/runtui/config.toml")

PROFILES = {"wexa-prod": "wexa", "edges-dev": "edges", "b3-prod": "b3os"}

# (profile, status, raw status, workflow, minutes ago started, seconds it ran or None)
_ROWS: tuple[tuple[str, Status, str, str, float, int | None], ...] = (
    ("b3-prod", Status.RUNNING, "running", "Gas refuel bot", 0.2, None),
    ("wexa-prod", Status.RUNNING, "running", "Lead Qualifier", 1.5, None),
    ("edges-dev", Status.RUNNING, "RUNNING", "LinkedIn profile enrichment", 2, None),
    ("wexa-prod", Status.QUEUED, "ready", "Weekly KPI Digest", 3, None),
    ("b3-prod", Status.WAITING, "waiting", "Payroll in USDC", 4, None),
    ("wexa-prod", Status.PAUSED, "paused", "Contract Review", 6, None),
    ("edges-dev", Status.WAITING, "BLOCKED", "Company employees extract", 8, None),
    ("b3-prod", Status.FAILED, "failure", "Legacy bridge sweeper", 9, 41),
    ("wexa-prod", Status.SUCCEEDED, "completed", "Invoice Reconciler", 11, 95),
    ("edges-dev", Status.SUCCEEDED, "SUCCEEDED", "LinkedIn post engagers", 13, 47),
    ("b3-prod", Status.SUCCEEDED, "success", "Whale wallet alert", 15, 57),
    ("wexa-prod", Status.CANCELLED, "cancelled", "Market Research Brief", 18, 18),
    ("edges-dev", Status.CANCELLED, "STOPPED", "Sales Navigator search export", 21, 33),
    ("b3-prod", Status.SUCCEEDED, "partial", "Daily treasury rebalance", 24, 83),
    ("wexa-prod", Status.FAILED, "failed", "Support Triage", 27, 12),
    ("edges-dev", Status.FAILED, "FAILED", "Bulk email finder", 31, 5),
    ("b3-prod", Status.CANCELLED, "cancelled", "NFT mint notifier", 36, 60),
    ("wexa-prod", Status.SUCCEEDED, "completed", "Lead Qualifier", 42, 62),
    ("edges-dev", Status.UNKNOWN, "RETRYING", "LinkedIn profile enrichment", 48, None),
    ("b3-prod", Status.SUCCEEDED, "success", "Gas refuel bot", 55, 91),
    ("wexa-prod", Status.SUCCEEDED, "completed", "Weekly KPI Digest", 63, 35),
    ("edges-dev", Status.SUCCEEDED, "SUCCEEDED", "Company employees extract", 71, 105),
    ("b3-prod", Status.SUCCEEDED, "success", "Whale wallet alert", 80, 24),
    ("wexa-prod", Status.SUCCEEDED, "completed", "Invoice Reconciler", 90, 113),
    ("edges-dev", Status.SUCCEEDED, "SUCCEEDED", "LinkedIn post engagers", 101, 57),
    ("b3-prod", Status.FAILED, "failure", "Payroll in USDC", 113, 9),
    ("wexa-prod", Status.SUCCEEDED, "completed", "Contract Review", 126, 56),
    ("edges-dev", Status.SUCCEEDED, "SUCCEEDED", "Bulk email finder", 140, 85),
    ("b3-prod", Status.SUCCEEDED, "success", "NFT mint notifier", 155, 37),
    ("wexa-prod", Status.SUCCEEDED, "completed", "Market Research Brief", 171, 59),
    ("edges-dev", Status.SUCCEEDED, "SUCCEEDED", "Sales Navigator search export", 188, 72),
    ("b3-prod", Status.SUCCEEDED, "success", "Daily treasury rebalance", 206, 48),
)


def _run_id(provider: str, i: int) -> str:
    h = f"{(i * 2654435761) & 0xFFFFFFFF:08x}"
    if provider == "b3os":
        return f"run_{h.upper()}q{i:02d}Zk7Lm2Xw9Rp4Tb"
    if provider == "wexa":
        return f"{h}-4b1e-4c2d-9a7f-{i:012d}"
    return f"{h}-7e0c-41aa-8d3b-{i:012d}"


def sample_runs() -> list[Run]:
    runs = []
    for i, (profile, status, raw, workflow, ago, took) in enumerate(_ROWS):
        provider = PROFILES[profile]
        started = NOW - timedelta(minutes=ago)
        finished = started + timedelta(seconds=took) if took is not None else None
        unit = {"wexa": "credits", "b3os": "CU"}.get(provider)
        runs.append(Run(
            profile=profile, provider=provider, id=_run_id(provider, i),
            workflow_id=f"wf_{i % 6}",
            workflow_name=workflow, status=status, raw_status=raw,
            created_at=started - timedelta(seconds=5),
            started_at=None if status is Status.QUEUED else started,
            finished_at=finished, updated_at=finished or started,
            cost=Cost(amount=round(0.37 * (i + 1), 2), unit=unit) if unit else None,
        ))
    return runs


def freeze_clock() -> None:
    """Freeze the TUI's clock at NOW (for running an app module by hand)."""
    tui_clock.now = lambda: NOW


MISSING_KEY_ENV = "RUNTUI_FLOWS_STAGING_KEY"


def snapshot_workspace(profiles: dict[str, str], runs: list[Run], now: datetime) -> Workspace:
    """A workspace over fixed runs: one profile per name (its provider), each loaded at `now`."""
    cfg = config_mod.Config(path=FAKE_PATH)
    for name, provider in profiles.items():
        cfg.profiles[name] = Profile(name=name, provider=provider, api_key_env="RUNTUI_SNAP_KEY")
    ws = Workspace(cfg)
    ws.store.upsert(runs)
    for name in profiles:
        count = sum(1 for r in runs if r.profile == name)
        ws._set_health(Health(profile=name, state=HealthState.OK, since=now, last_ok=now, runs=count))
    return ws


def build_app(*, broken: bool = False) -> RuntuiApp:
    """RuntuiApp over fixed runs, not watching.

    `broken` adds a profile whose key variable is not set: the workspace's own
    start_watching gives it the config-error health entry (no watcher, no request).
    """
    ws = snapshot_workspace(PROFILES, sample_runs(), NOW)
    cfg = ws.config
    if broken:
        os.environ.pop(MISSING_KEY_ENV, None)
        cfg.profiles["flows-staging"] = Profile(name="flows-staging", provider="edges",
                                                api_key_env=MISSING_KEY_ENV)
        ws.start_watching(["flows-staging"])
        assert ws.health["flows-staging"].state is HealthState.CONFIG, ws.health["flows-staging"]
    return RuntuiApp(ws, watch=False)

"""The engine fed garbage: the watcher never raises, marks health error, and keeps bad statuses
as `unknown` with the raw value. Parser-level property tests (any JSON into any parser) are in
tests/unit/providers/test_prov_properties.py; this is the same promise one level up."""

from __future__ import annotations

from collections import defaultdict

import pytest

from runtui import display
from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.model import Status
from runtui.sim.faults import UNKNOWN_STATUS

from .conftest import SimFactory

KINDS = ["malformed", "wrongtypes", "unknown_status", "truncated", "html"]
PROFILE_OF = {"wexa": "wexa-sim", "edges": "edges-sim", "b3os": "b3os-sim"}


async def _no_sleep(_: float) -> None:
    return None


async def test_watcher_survives_garbage_and_keeps_unknown_statuses_raw(sims: SimFactory) -> None:
    sim = sims(speed=1e-9, runs=45, faults=1.0, fault_kinds=tuple(KINDS))
    ws = Workspace.load(sim.config_path)
    states: dict[str, set[HealthState]] = defaultdict(set)
    messages: dict[str, list[str]] = defaultdict(list)

    def record(health) -> None:  # type: ignore[no-untyped-def]
        states[health.profile].add(health.state)
        if health.message:
            messages[health.profile].append(health.message)

    ws.health_listeners.append(record)
    ws.start_watching()
    for watcher in ws.watchers.values():
        await watcher.stop()  # drive the polls by hand, deterministically
        watcher.provider.http._sleep = _no_sleep
    try:
        unknown_seen: dict[str, set[str | None]] = defaultdict(set)
        raw_seen: dict[str, dict[str | None, Status]] = defaultdict(dict)
        for i in range(40):
            for provider, name in PROFILE_OF.items():
                watcher = ws.watchers[name]
                # never raises, whatever the server sent; a full sync every other poll
                delay = await watcher.poll_once(float(i * 100 if i % 2 else i))
                assert delay > 0
                for run in ws.store.for_profile(name):
                    raw_seen[provider][run.raw_status] = run.status
                    if run.status is Status.UNKNOWN:
                        unknown_seen[provider].add(run.raw_status)
                        expected = f"unknown ({run.raw_status})" if run.raw_status else "unknown (no status)"
                        assert expected in display.status_text(run)
            if all(HealthState.ERROR in states[PROFILE_OF[p]] and UNKNOWN_STATUS[p] in raw_seen[p]
                   and unknown_seen[p] for p in PROFILE_OF) and i >= 5:
                break
        for provider, name in PROFILE_OF.items():
            assert HealthState.ERROR in states[name], (name, states[name])
            assert messages[name] and all(m.strip() for m in messages[name])
            # the raw value the server sent is kept next to `unknown`
            assert unknown_seen[provider], provider
            raw = UNKNOWN_STATUS[provider]
            if provider == "wexa":  # the adapter maps "*approval*" to waiting on purpose (wexa.py)
                assert raw_seen[provider].get(raw) is Status.WAITING
            else:
                assert raw in unknown_seen[provider], (provider, unknown_seen[provider])
        faults = sim.stats()["faults"]
        assert set(faults) <= set(KINDS) and len(faults) >= 4
        # Nothing a parser raised escaped as anything but a one-line health message.
        for msgs in messages.values():
            assert all("\n" not in m and len(m) <= 600 for m in msgs)
    finally:
        await ws.aclose()


@pytest.mark.parametrize("kind", KINDS)
async def test_each_garbage_kind_alone_is_an_error_or_an_unknown_row(sims: SimFactory, kind: str) -> None:
    sim = sims(speed=1e-9, runs=15, faults=1.0, fault_kinds=(kind,))
    ws = Workspace.load(sim.config_path)
    ws.start_watching()
    for watcher in ws.watchers.values():
        await watcher.stop()
        watcher.provider.http._sleep = _no_sleep
    try:
        for name, watcher in ws.watchers.items():
            await watcher.poll_once(0.0)
            health = ws.health[name]
            if kind == "unknown_status":
                assert health.state is HealthState.OK
                raw = UNKNOWN_STATUS[watcher.provider.name]
                assert any(r.raw_status == raw for r in ws.store.for_profile(name))
            elif kind == "wrongtypes":
                assert health.state in (HealthState.OK, HealthState.ERROR)
            else:
                assert health.state is HealthState.ERROR and health.message
    finally:
        await ws.aclose()

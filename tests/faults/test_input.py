"""Hostile input: ids typed by a user reach the server as one escaped path segment (or are
refused), and a 10 MB run is cut for display without freezing the UI.

`seg()` itself is unit-tested in tests/unit/providers/test_prov_common.py; these go through the
real CLI and simulator and check the simulator's per-route counters.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtui import config as config_mod
from runtui.config import Profile, validated
from runtui.engine.workspace import Workspace
from runtui.model import Run, Status
from runtui.providers.b3os import B3osProvider
from runtui.providers.edges import EdgesProvider
from runtui.providers.wexa import WexaProvider
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.widgets.detail_pane import DetailPane

from .conftest import SimFactory, run_cli, wait_for

HOSTILE = ["a?b=c", "a#frag", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc", "..%2F_sim%2Fstats",
           "x?limit=1&status=RUNNING", "run id with spaces", "ü-ñ-✓"]
# A slash is refused, not escaped: servers that decode %2F before routing would
# otherwise let an escaped id reach a sibling route.
REFUSED = ["..", ".", "", "a\nb", "a\rb", "a\x00b", "../../x", "a/b", "/_sim/faults", "a\\b"]

# The only provider routes a `runs show ID` may reach: the single-run reads, and the run
# list (an id no run has may be the start of one: the list says).
SHOW_ROUTES = {
    "edges-sim": {"GET /edges/v1/flows/runs/{uid}", "GET /edges/v1/flows/runs/{uid}/outputs",
                  "GET /edges/v1/flows/runs"},
    "wexa-sim": {"GET /wexa/execute_flow/{execution_id}", "GET /wexa/{project_id}/execution_flows"},
    "b3os-sim": {"GET /b3os/v1/runs/{run_id}", "GET /b3os/v1/runs"},
}


@pytest.fixture
def sim(sims: SimFactory) -> Any:
    return sims(speed=1e-9, runs=30)


@pytest.mark.parametrize("run_id", HOSTILE)
def test_hostile_ids_stay_one_segment_on_every_cli_path(sim: Any, run_id: str) -> None:
    for profile, allowed in SHOW_ROUTES.items():
        sim.reset_stats()
        for args in (("runs", "show", run_id, "-p", profile),
                     ("runs", "show", run_id, "-p", profile, "--json")):
            res = run_cli(sim.config_path, *args)
            assert res.code == 1, (args, res)
            # No run has it as an id, nor as the start of one (the list is read to check).
            said = res.json()["error"] if "--json" in args else {"message": res.err, "kind": "not_found"}
            assert said["kind"] == "not_found" and "no run has the id" in said["message"]
            assert "Traceback" not in res.err
        routes = sim.routes()
        assert set(routes) <= allowed, (profile, run_id, routes)
        assert sim.stats()["faults"] == {}
    # Actions read the run first, so a hostile id never gets as far as a POST.
    sim.reset_stats()
    for args in (("runs", "cancel", run_id, "-p", "edges-sim"),
                 ("runs", "cancel", run_id, "-p", "b3os-sim", "--json"),
                 ("runs", "pause", run_id, "-p", "wexa-sim"),
                 ("runs", "execute", "-p", "edges-sim", "-w", run_id, "-i", "x=1"),
                 ("runs", "execute", "-p", "b3os-sim", "-w", run_id, "--json")):
        res = run_cli(sim.config_path, *args)
        assert res.code == 1 and "Traceback" not in res.err, (args, res)
    assert set(sim.routes()) <= {"GET /edges/v1/flows/runs/{uid}/status", "GET /b3os/v1/runs/{run_id}",
                                 "GET /wexa/execute_flow/{execution_id}",
                                 "GET /edges/v1/flows/runs", "GET /b3os/v1/runs",
                                 "GET /wexa/{project_id}/execution_flows",
                                 "POST /edges/v1/flows/{flow_slug}/run/async",
                                 "POST /b3os/v1/workflows/{workflow_id}/run"}, sim.routes()
    # The simulator's control routes were never reached through an id.
    assert sim.control("GET", "/stats")["faults"] == {}


@pytest.mark.parametrize("run_id", REFUSED, ids=repr)
def test_ids_that_cannot_be_one_segment_are_refused_before_any_request(sim: Any, run_id: str) -> None:
    sim.reset_stats()
    for profile in SHOW_ROUTES:
        res = run_cli(sim.config_path, "runs", "show", run_id, "-p", profile)
        assert res.code != 0 and ("invalid id" in res.err or "cannot be empty" in res.err), res
    res = run_cli(sim.config_path, "runs", "cancel", run_id, "-p", "edges-sim", "--json")
    message = res.json()["error"]["message"]  # JSON asked: JSON said
    assert res.code == 2 and ("invalid id" in message or "cannot be empty" in message)
    assert sim.routes() == {}


@pytest.mark.parametrize("cls", [WexaProvider, EdgesProvider, B3osProvider], ids=lambda c: c.name)
async def test_every_adapter_sends_ids_as_one_raw_segment(cls: Any, monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setenv("FAULTS_SEG_KEY", "seg-key-123456")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode().split("?")[0])
        return httpx.Response(404, json={"message": "nope", "detail": "nope"})

    profile = validated(Profile, {"name": "t", "provider": cls.name, "api_key_env": "FAULTS_SEG_KEY",
                                      "base_url": "https://api.test/base", "project_id": "p" * 24,
                                      "user_id": "u"})
    provider = cls.from_profile(profile, transport=httpx.MockTransport(handler))
    for hostile in HOSTILE:
        seen.clear()
        with pytest.raises(Exception):  # noqa: B017 - any typed error; the point is the path
            await provider.get_run(hostile)
        clean = [p for p in seen]
        for raw in clean:
            assert "/../" not in raw and "?" not in raw and "#" not in raw
            assert not any(part in (".", "..") for part in raw.split("/"))
        baseline = seen[0].count("/")
        seen.clear()
        with pytest.raises(Exception):  # noqa: B017
            await provider.get_run("plainid")
        assert seen[0].count("/") == baseline, (hostile, clean, seen)
    await provider.aclose()


# ---- huge answers --------------------------------------------------------------------

BIG = 10_000_000


def _huge_handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/outputs"):
        rows = [{"uid": f"o{i}", "step_uid": "s1", "output": "x" * 10_000} for i in range(1000)]
        return httpx.Response(200, json=rows)
    body = {"uid": "big-run", "status": "SUCCEEDED", "created_at": "2024-01-01T00:00:00Z",
            "workflow": {"slug": "huge", "name": "Huge"}, "output": "y" * BIG,
            "steps": [{"uid": f"s{i}", "status": "SUCCEEDED", "name": "n" * 500} for i in range(20)]}
    return httpx.Response(200, json=body)


async def test_a_10mb_run_is_cut_for_display_and_the_ui_keeps_ticking(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULTS_BIG_KEY", "big-key-123456")
    profile = Profile(name="big", provider="edges", base_url="https://edges.test/v1",
                      api_key_env="FAULTS_BIG_KEY")
    ws = Workspace(config_mod.Config(path=tmp_path / "c.toml", profiles={"big": profile}))
    ws.providers["big"] = EdgesProvider.from_profile(profile, transport=httpx.MockTransport(_huge_handler))
    run = Run(profile="big", provider="edges", id="big-run", status=Status.SUCCEEDED,
              raw_status="SUCCEEDED")
    ws.store.upsert([run])
    app = RuntuiApp(ws, watch=False)
    ticks: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        app.set_interval(0.05, lambda: ticks.append(time.monotonic()))
        await pilot.pause(0.2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), 5, "detail")
        pane = app.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail is not None, 30, "the 10 MB detail")
        for _ in range(4):  # Overview → Steps → Logs → Outputs → Raw JSON
            await pilot.press("right_square_bracket")
            await pilot.pause(0.1)
        await wait_for(pilot, lambda: "truncated" in pane.raw_note, 30, "the truncation note")
        assert "10.0 MB" in pane.raw_note or "MB" in pane.raw_note
        shown = app.export_screenshot()
        assert "truncated" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), 5, "back to the list")
        await pilot.pause(0.3)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 10
    assert max(gaps) < 1.0, f"the UI froze for {max(gaps):.2f}s"

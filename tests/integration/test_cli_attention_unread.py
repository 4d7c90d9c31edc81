"""`runtui attention` reads why B3OS failures failed (their listing says no more than
"failed"); a failure whose detail cannot be read stays listed as "failed" and its profile
is not made trouble: the why is a bonus, the failure itself is what the check reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from runtui.sim import SimConfig, SimServer
from tests.cli_result import invoke
from tests.integration.conftest import serve_sim

PROFILE = "b3os-sim"


class DetailGone:
    """Wraps the sim's app: the detail of each run in `gone` answers 404 (a run deleted
    between the listing and the read), everything else as the sim answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gone: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] == "http" and scope["method"] == "GET" \
                and any(path.endswith(f"/v1/runs/{run_id}") for run_id in self.gone):
            gone = JSONResponse({"success": False, "error": "not found"}, status_code=404)
            await gone(scope, receive, send)
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DetailGone, Path]]:
    doors: list[DetailGone] = []

    def wrap(server: SimServer) -> DetailGone:
        doors.append(DetailGone(server.app))
        return doors[0]

    with serve_sim(SimConfig(seed=11, runs=90, spawn_every=0), tmp_path_factory.mktemp("detail-gone"),
                   wrap=wrap) as sim:
        yield doors[0], sim.config_path


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def _failures(config: Path) -> dict[str, str]:
    result = invoke(config, "attention", "-p", PROFILE, "--json")
    assert result.code == 1, result.err
    return {i["id"]: i["detail"] for i in result.json() if i["reason"] == "failed"}


def test_a_failure_whose_detail_cannot_be_read_is_listed_as_failed_and_the_others_say_why(
        served: tuple[DetailGone, Path]) -> None:
    door, config = served
    before = _failures(config)
    assert len(before) >= 2 and all(why != "failed" for why in before.values()), before
    gone = sorted(before)[0]
    door.gone = {gone}
    try:
        result = invoke(config, "attention", "-p", PROFILE, "--json")
    finally:
        door.gone = set()
    assert result.code == 1, result.err
    items = result.json()
    after = {i["id"]: i["detail"] for i in items if i["reason"] == "failed"}
    assert after == {**before, gone: "failed"}
    assert not [i for i in items if i["reason"] == "profile"], items  # the profile is no trouble
    assert "404" not in result.err and "not found" not in result.err

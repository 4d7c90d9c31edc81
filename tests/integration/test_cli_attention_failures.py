"""`runtui attention` judges every failure not acknowledged, as the TUI does.

It judged only the newest 200 runs of each profile while the TUI judged every run it
holds: at 100k runs the two disagreed by thousands, and neither said so. Its text
output listed thousands of waiting runs before the first failure, so `| head` never
showed one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtui.sim import SimConfig
from tests.cli_result import invoke
from tests.integration.conftest import Sim, serve_sim

PROFILE = "edges-sim"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    with serve_sim(SimConfig(seed=7, runs=3000, spawn_every=0, speed=0.001),
                   tmp_path_factory.mktemp("sim")) as found:
        yield found


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def _failed_on_server(sim: Sim) -> set[str]:
    return {r["id"] for r in invoke(sim.config_path, "runs", "list", "-p", PROFILE, "--status", "failed",
                                    "--json").json()}


def test_every_unacknowledged_failure_is_listed_not_only_the_newest_200_runs(big: Sim) -> None:
    newest = invoke(big.config_path, "runs", "list", "-p", PROFILE, "--limit", "200", "--json").json()
    failed = _failed_on_server(big)
    older = failed - {r["id"] for r in newest}
    assert older, "the profile has failures older than its newest 200 runs"
    items = invoke(big.config_path, "attention", "-p", PROFILE, "--json").json()
    assert {i["id"] for i in items if i["reason"] == "failed"} == failed


def test_the_first_line_counts_every_reason_so_head_shows_the_failures(big: Sim) -> None:
    result = invoke(big.config_path, "attention", "-p", PROFILE)
    items = invoke(big.config_path, "attention", "-p", PROFILE, "--json").json()
    reasons = [i["reason"] for i in items]
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first.startswith(f"{len(items)} need attention: ")
    assert f"{reasons.count('failed')} failed" in first and f"{reasons.count('waiting')} waiting" in first


def test_a_cut_at_max_runs_is_said(big: Sim, tmp_path: Path) -> None:
    config = tmp_path / "small.toml"
    config.write_text(big.config_path.read_text(encoding="utf-8").replace(
        "[defaults]\n", "[defaults]\nmax_runs = 5\n"), encoding="utf-8")
    config.chmod(0o600)
    result = invoke(config, "attention", "-p", PROFILE)
    assert f"runtui: {PROFILE}: only the newest 5 failures read ([defaults] max_runs)" in result.err

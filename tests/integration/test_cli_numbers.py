"""Numbers on the command line are finite: click's FloatRange lets `nan` through, and
`runs wait --timeout nan` gave up at once (exit 4) instead of being a usage error."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Sim, run_cli


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-1"])
def test_a_wait_timeout_that_is_no_number_of_seconds_is_a_usage_error(sim: Sim, value: str) -> None:
    run_id = sim.find("edges", "SUCCEEDED")[0]["id"]
    before = sim.control("GET", "/stats")["total"]
    result = run_cli(sim, "runs", "wait", run_id, "-p", "edges-sim", "--timeout", value)
    assert result.code == 2, result.out + result.err
    assert "--timeout" in result.err
    assert sim.control("GET", "/stats")["total"] == before, "nothing read"


def test_a_finite_timeout_still_waits(sim: Sim) -> None:
    run_id = sim.find("edges", "SUCCEEDED")[0]["id"]
    result = run_cli(sim, "runs", "wait", run_id, "-p", "edges-sim", "--timeout", "30")
    assert result.code == 0, result.err


@pytest.mark.parametrize(("option", "value"), [("--speed", "nan"), ("--speed", "inf"), ("--speed", "0"),
                                               ("--faults", "nan"), ("--faults", "2"),
                                               ("--runs", "1000001"), ("--runs", "-1")])
def test_demo_refuses_numbers_the_simulator_cannot_use(sim: Sim, option: str, value: str) -> None:
    result = run_cli(sim, "demo", "--print-only", option, value)
    assert result.code == 2 and option in result.err, result.out + result.err


def test_demo_help_states_the_bound_of_runs_as_sim_does(sim: Sim) -> None:
    """`--runs` over the simulator's bound ended `demo` in a traceback, and its help gave
    no bound while `sim --help` did."""
    from runtui.commands import DEMO_MAX_RUNS
    from runtui.sim.config import MAX_RUNS

    assert DEMO_MAX_RUNS == MAX_RUNS
    said = run_cli(sim, "demo", "--help").out
    assert f"at most {MAX_RUNS:,}" in said

"""`runs diff` on two runs of one Prefect flow, against a real Prefect 3 server."""

from __future__ import annotations

import pytest

from .conftest import PROFILE, PrefectServer

pytestmark = pytest.mark.prefect


def test_two_identical_runs_pair_every_task_run(prefect_server: PrefectServer) -> None:
    """Prefect names each task run `step-<random>`: by name no step of one run had a partner."""
    runs = [prefect_server.create_run("quick", {"n": 3}) for _ in range(2)]
    for run_id in runs:
        final = prefect_server.wait_type(run_id, "COMPLETED", "FAILED", "CRASHED", timeout=90)
        assert final["state_type"] == "COMPLETED", final["state"]["message"]
    names = [{t["name"] for t in prefect_server.call("POST", "/task_runs/filter",
                                                     {"flow_runs": {"id": {"any_": [r]}}})}
             for r in runs]
    assert len(names[0]) == 3 and not names[0] & names[1]  # the names really differ per run

    res = prefect_server.cli("runs", "diff", runs[0], runs[1], "-p", PROFILE, "--all", "--json")
    assert res.code == 0, res.err
    steps = {f["field"]: (f["a"], f["b"]) for f in res.json()["all"] if f["field"].startswith("steps.")}
    assert {field for field in steps if field.endswith(".status")} == {
        "steps.step.status", "steps.step#2.status", "steps.step#3.status"}
    assert all(a is not None and b is not None for a, b in steps.values()), steps
    assert all(a == b for field, (a, b) in steps.items() if field.endswith(".status")), steps

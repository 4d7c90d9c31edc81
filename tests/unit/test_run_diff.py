"""Two runs compared field by field, across providers, with bounds on what a server sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from runtui.engine.diff import MAX_LEAVES, compare, differences, flatten
from runtui.model import Cost, Run, RunDetail, Status, Step

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def detail(run_id: str, provider: str, status: Status, took: float, *, inputs: dict[str, object],
           steps: tuple[Step, ...] = (), outputs: tuple[dict[str, object], ...] = ()) -> RunDetail:
    run = Run(profile=f"{provider}-prod", provider=provider, id=run_id, workflow_id="wf",
              workflow_name="Payroll",
              status=status, raw_status=status.value, started_at=T0, finished_at=T0 + timedelta(seconds=took),
              cost=Cost(3, "CU") if provider == "b3os" else None)
    return RunDetail(run=run, steps=steps, inputs=inputs, outputs=outputs)


def step(name: str, status: Status, seconds: float) -> Step:
    return Step(id=name, name=name, status=status, started_at=T0, finished_at=T0 + timedelta(seconds=seconds))


def test_only_what_differs_by_default() -> None:
    a = detail("a", "b3os", Status.SUCCEEDED, 60, inputs={"amount": 100, "note": "x"},
               steps=(step("load", Status.SUCCEEDED, 4), step("pay", Status.SUCCEEDED, 50)))
    b = detail("b", "b3os", Status.FAILED, 12, inputs={"amount": 250, "note": "x"},
               steps=(step("load", Status.SUCCEEDED, 4), step("pay", Status.FAILED, 6)))
    found = {d.field: (d.a, d.b) for d in differences(a, b)}
    assert found == {
        "status": ("succeeded", "failed"), "raw_status": ("succeeded", "failed"),
        "duration_s": (60.0, 12.0), "inputs.amount": (100, 250),
        "steps.pay.status": ("succeeded", "failed"), "steps.pay.duration_s": (50.0, 6.0),
    }
    everything = {d.field for d in compare(a, b)}
    assert {"inputs.note", "steps.load.status", "workflow", "outputs.count"} <= everything


def test_across_providers_a_missing_field_is_none_on_its_side() -> None:
    a = detail("a", "b3os", Status.SUCCEEDED, 10, inputs={"amount": 1}, outputs=({"tx": "0x1"},))
    b = detail("b", "edges", Status.SUCCEEDED, 10, inputs={})
    found = {d.field: (d.a, d.b) for d in differences(a, b)}
    assert found["provider"] == ("b3os", "edges")
    assert found["cost"] == ("3 CU", None)
    assert found["inputs.amount"] == (1, None)
    assert found["outputs.count"] == (1, 0) and found["outputs[0].tx"] == ("0x1", None)


def test_identical_runs_have_no_differences() -> None:
    a = detail("a", "edges", Status.SUCCEEDED, 10, inputs={"q": [1, 2]})
    assert differences(a, a) == []


def test_repeated_step_names_are_numbered() -> None:
    a = detail("a", "wexa", Status.SUCCEEDED, 10, inputs={},
               steps=(step("agent", Status.SUCCEEDED, 1), step("agent", Status.SUCCEEDED, 2)))
    b = detail("b", "wexa", Status.SUCCEEDED, 10, inputs={},
               steps=(step("agent", Status.SUCCEEDED, 1), step("agent", Status.FAILED, 2)))
    assert [d.field for d in differences(a, b)] == ["steps.agent#2.status"]


def test_depth_and_size_are_bounded() -> None:
    deep: object = "leaf"
    for _ in range(50):
        deep = {"k": deep}
    assert max(len(path.split(".")) for path, _ in flatten(deep, "inputs")) <= 8
    wide = {f"k{i}": i for i in range(10_000)}
    a = detail("a", "edges", Status.SUCCEEDED, 1, inputs=wide)
    fields = [d.field for d in compare(a, a) if d.field.startswith("inputs")]
    assert len(fields) == MAX_LEAVES + 1 and fields[-1] == "inputs (more)"


def keyed(name: str, key: str, status: Status, seconds: float) -> Step:
    return Step(id=f"id-{name}", name=name, key=key, status=status, started_at=T0,
                finished_at=T0 + timedelta(seconds=seconds))


def test_steps_pair_by_their_stable_key_not_their_per_run_names() -> None:
    """Two runs of one Prefect flow: task runs `step-2d5`/`step-d10`, the same task `step`."""
    a = detail("a", "prefect", Status.SUCCEEDED, 10, inputs={},
               steps=(keyed("step-2d5", "step", Status.SUCCEEDED, 1),
                      keyed("step-4f1", "step", Status.SUCCEEDED, 1),
                      keyed("load-a01", "load", Status.SUCCEEDED, 2)))
    b = detail("b", "prefect", Status.SUCCEEDED, 10, inputs={},
               steps=(keyed("step-d10", "step", Status.SUCCEEDED, 1),
                      keyed("step-6e1", "step", Status.FAILED, 1),
                      keyed("load-b77", "load", Status.SUCCEEDED, 2)))
    assert [(d.field, d.a, d.b) for d in differences(a, b)] == [
        ("steps.step#2.status", "succeeded", "failed")]
    same = b.model_copy(update={"steps": tuple(s.model_copy(update={"status": Status.SUCCEEDED})
                                               for s in b.steps)})
    assert differences(a, same) == []
    assert [d.field for d in compare(a, same) if d.field.endswith(".status")] == [
        "steps.step.status", "steps.step#2.status", "steps.load.status"]


def test_durations_a_moment_apart_are_the_same_and_far_apart_differ() -> None:
    a = detail("a", "edges", Status.SUCCEEDED, 0.7, inputs={},
               steps=(step("load", Status.SUCCEEDED, 0.3), step("pay", Status.SUCCEEDED, 3600)))
    b = detail("b", "edges", Status.SUCCEEDED, 0.8, inputs={},
               steps=(step("load", Status.SUCCEEDED, 0.4), step("pay", Status.SUCCEEDED, 3660)))
    assert differences(a, b) == []  # 0.1 s apart, and an hour against 61 minutes
    everything = {d.field: (d.a, d.b) for d in compare(a, b)}
    assert everything["duration_s"] == (0.7, 0.8)  # `--all` still shows both
    slow = detail("c", "edges", Status.SUCCEEDED, 30, inputs={},
                  steps=(step("load", Status.SUCCEEDED, 0.3), step("pay", Status.SUCCEEDED, 3600)))
    assert [d.field for d in differences(a, slow)] == ["duration_s"]

"""Two runs side by side: the fields every provider fills, inputs, outputs and steps.

Works across providers on the common model: a field one run lacks shows as None
on its side. Nested inputs and outputs are flattened to paths (`inputs.region`,
`outputs[0].rows`) so a difference names exactly what differs; depth and item
counts are bounded so a huge answer cannot make the comparison huge.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from runtui.model import RunDetail, Step

MAX_DEPTH = 6
MAX_LEAVES = 400  # per side and section
MAX_OUTPUTS = 50
DURATION = "duration_s"
# Two runs of one workflow never take exactly as long: 0.7 s against 0.8 s is noise that
# buried what really differed. Durations this close are the same (`--all` shows both).
SAME_DURATION_S = 1.0
SAME_DURATION_SHARE = 0.1


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _close(a: float, b: float) -> bool:
    """Within a second, or a tenth of the longer (an hour against 61 minutes is the same)."""
    return abs(a - b) < max(SAME_DURATION_S, SAME_DURATION_SHARE * max(abs(a), abs(b)))


class FieldDiff(msgspec.Struct, frozen=True):
    field: str
    a: Any
    b: Any

    @property
    def differs(self) -> bool:
        if self.field.endswith(DURATION) and _numbers(self.a, self.b):
            return not _close(self.a, self.b)
        return bool(self.a != self.b)

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "a": self.a, "b": self.b}


def flatten(value: Any, prefix: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(path, leaf) pairs of a JSON value; past `MAX_DEPTH` a subtree is one leaf."""
    if depth < MAX_DEPTH and isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}", depth + 1)
    elif depth < MAX_DEPTH and isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{i}]", depth + 1)
    elif depth > 0 or not isinstance(value, dict | list):
        yield prefix, value  # an empty input or output list at the top says nothing


def _leaves(value: Any, prefix: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path, leaf in flatten(value, prefix):
        if len(found) >= MAX_LEAVES:
            found[f"{prefix} (more)"] = "…"
            break
        found[path] = leaf
    return found


def _steps(steps: tuple[Step, ...], prefix: str = "steps") -> Iterator[tuple[str, Step]]:
    """Each step under a path of its stable names; a repeated one gets `#2`, `#3`… in order.

    The key, not the name, when the provider has one: two runs of one Prefect flow name
    their task runs `step-2d5` and `step-d10`, and by name no step had a partner."""
    seen: dict[str, int] = {}
    for step in steps:
        name = step.key or step.name or step.id
        seen[name] = seen.get(name, 0) + 1
        path = f"{prefix}.{name}" + (f"#{seen[name]}" if seen[name] > 1 else "")
        yield path, step
        yield from _steps(step.children, path)


def _step_fields(detail: RunDetail) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path, step in _steps(detail.steps):
        found[f"{path}.status"] = step.status.value
        if step.started_at and step.finished_at:
            found[f"{path}.duration_s"] = round((step.finished_at - step.started_at).total_seconds(), 1)
        if step.error:
            found[f"{path}.error"] = step.error
    return found


def _run_fields(detail: RunDetail) -> dict[str, Any]:
    run = detail.run
    duration = run.duration() if run.status.terminal else None
    return {
        "provider": run.provider, "workflow": run.workflow, "status": run.status.value,
        "raw_status": run.raw_status, "partial": run.partial,
        "duration_s": None if duration is None else round(duration, 1),
        "cost": None if run.cost is None else str(run.cost), "last_error": run.last_error,
    }


def compare(a: RunDetail, b: RunDetail) -> list[FieldDiff]:
    """Every field of either run, in a stable order: run fields, inputs, outputs, steps."""
    sides = []
    for detail in (a, b):
        fields = _run_fields(detail)
        fields |= _leaves(detail.inputs, "inputs")
        fields["outputs.count"] = len(detail.outputs)
        fields |= _leaves(list(detail.outputs[:MAX_OUTPUTS]), "outputs")
        fields |= _step_fields(detail)
        sides.append(fields)
    order = list(sides[0]) + [k for k in sides[1] if k not in sides[0]]
    return [FieldDiff(k, sides[0].get(k), sides[1].get(k)) for k in order]


def differences(a: RunDetail, b: RunDetail) -> list[FieldDiff]:
    return [d for d in compare(a, b) if d.differs]

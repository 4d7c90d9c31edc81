"""Where a run waits and why it failed, read from its steps: what a listing does not say
(a B3OS list carries no node states), for the attention queue, its news and `runs wait`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from runtui.engine.attention import stamp
from runtui.engine.store import Key
from runtui.errors import RuntuiError
from runtui.model import Run, RunDetail, Status, Step
from runtui.providers.base import Provider


def every_step(detail: RunDetail) -> Iterator[Step]:
    """A run's steps at any depth, in their order (a node before its children)."""
    stack = list(reversed(detail.steps))
    while stack:
        step = stack.pop()
        yield step
        stack.extend(reversed(step.children))


def waiting_steps(detail: RunDetail) -> list[str]:
    """The names of a run's steps (at any depth) that wait: where a waiting run waits."""
    return [step.name or step.id for step in every_step(detail) if step.status is Status.WAITING]


def failure_reason(detail: RunDetail) -> str:
    """Why a failed run failed, from its detail: its failed steps and their errors, else
    the run's own error, else where it failed; "" when the detail says nothing either.
    A B3OS listing carries no node states, so its failures said only "failed"."""
    failed = [step for step in every_step(detail) if step.status is Status.FAILED]
    errors = [f"{step.name or step.id}: {step.error}" for step in failed if step.error]
    if errors:
        return "; ".join(errors)
    if detail.run.last_error:
        return detail.run.last_error
    return f"failed at {', '.join(step.name or step.id for step in failed)}" if failed else ""


async def read_failure_reasons(failed: Iterable[Run], provider_of: Callable[[str], Provider],
                               limit: int) -> dict[Key, str]:
    """Why the failures of `failed` whose listing said nothing failed: each one's detail,
    read once, the newest `limit` at most. Why is a bonus: a read that fails (a run gone
    meanwhile) leaves it unsaid and is no error of the caller's."""
    unsaid = sorted((run for run in failed if run.status is Status.FAILED and not run.last_error),
                    key=stamp, reverse=True)
    found: dict[Key, str] = {}
    for run in unsaid[:limit]:
        try:
            detail = await provider_of(run.profile).read_steps(run.id, run.kind)
        except RuntuiError:
            continue
        why = failure_reason(detail)
        if why:
            found[run.key] = why
    return found

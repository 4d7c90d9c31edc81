"""How one action travels: table check, journal, one POST, journal, read back.

Both faces call this; neither sends actions on its own. A second action on a
run whose first is still in flight is refused, so a key pressed twice sends one
request. An action goes to the id the user chose, never to an id a server put
in its answer: a read of that run whose id differs is refused before anything
is sent.
"""

from __future__ import annotations

import time
from typing import Any

from runtui.actions import can_execute, decide, skip_reason
from runtui.engine.journal import CONFIRMED, SKIPPED, Journal
from runtui.engine.outcomes import run_outcomes
from runtui.engine.store import Key, RunStore
from runtui.errors import BadInput, NotAllowed, ProviderError
from runtui.model import Action, ActionResult, HumanRequest, Kind, Run, StartRequest
from runtui.providers.base import Provider
from runtui.providers.capabilities import DescribesWorkflows, unknown_inputs


class Controller:
    def __init__(self, journal: Journal, store: RunStore | None = None,
                 task_store: RunStore | None = None) -> None:
        self.journal = journal
        self.store = store
        self.task_store = task_store
        self.in_flight: set[Key] = set()
        # lost answers the read-back did not show done: settled by later polls (a face says how)
        self.unsettled = run_outcomes()

    def is_busy(self, run: Run) -> bool:
        return run.key in self.in_flight

    async def act(self, provider: Provider, run: Run, action: Action, *,
                  chosen_id: str | None = None) -> ActionResult:
        """Send `action` to the run the user chose: `chosen_id` (the id they named), else `run.id`
        (the row on screen).

        A refusal after which the run, as read back, no longer takes the action (it ended
        meanwhile) comes back `skipped` with why, journaled "skipped": not a failure.

        Raises NotAllowed (before any request) when the table or read-only refuses,
        StateUnusable (nothing sent) when the journal cannot record the start, and
        ProviderError (kind "mismatch", nothing sent, journaled "refused") when `run`, as
        the server answered it, carries another id than the one chosen.
        """
        if chosen_id is not None and run.id != chosen_id:
            await self._refuse_other_id(provider, run, chosen_id, action)
        self.check(provider, run, action)
        # Busy from before the journal's write (awaited, in its own thread): a second key
        # meanwhile is refused. Free again however it ends: a journal that cannot be written
        # (a full disk, a planted link) raises StateUnusable, nothing sent, and must not leave
        # the run busy for good.
        self.in_flight.add(run.key)
        try:
            entry = await self.journal.started(profile=run.profile, provider=run.provider,
                                               run_id=run.id, action=action.value)
            try:
                result = await provider.perform(run, action)
            except BaseException as exc:
                await self.journal.raised(entry, exc)
                raise
        finally:
            self.in_flight.discard(run.key)
        if not result.ok and not result.uncertain:
            result = result.model_copy(update={"skipped": skip_reason(action, result.run)})
        await self.journal.finished(entry, outcome=_outcome(result), message=result.message,
                                    run_id=run.id, new_run_id=result.new_run_id)
        self._keep(result.run)
        if result.uncertain and not result.ok:
            self.unsettled.watch(result.run or run, action, time.monotonic())
        return result

    def check(self, provider: Provider, run: Run, action: Action) -> None:
        """Raise NotAllowed when `action` cannot happen to `run` now (its state, a read-only
        profile, an action in flight): asked before a confirmation, so nobody is asked to
        confirm what would be refused, and again by `act`."""
        decision = decide(run, action, read_only=provider.profile.read_only, busy=self.is_busy(run))
        if not decision:
            raise NotAllowed(decision.reason, profile=run.profile)

    async def answer(self, provider: Provider, run: Run, request: HumanRequest, *, approve: bool,
                     values: dict[str, Any]) -> ActionResult:
        """Answer what a waiting run asks (input, approval): the same gates as any action.

        Read-only profiles and a run with an action in flight are refused before
        anything is sent; the answer is journaled (never its values: they may hold
        secrets a person typed) and sent once.
        """
        if provider.profile.read_only:
            raise NotAllowed(f"profile {run.profile!r} is read-only", profile=run.profile)
        if self.is_busy(run):
            raise NotAllowed("an action on this run is still in flight", profile=run.profile)
        if request.run_id != run.id:
            raise NotAllowed(f"the request belongs to run {request.run_id!r}, not {run.id!r}",
                             profile=run.profile)
        if not approve and not request.can_reject:
            what = request.context.get("type") or "request"
            raise NotAllowed(f"{provider.label} cannot reject this {what}: cancel the run instead",
                             profile=run.profile)
        verb = "answer" if approve else "reject"
        self.in_flight.add(run.key)  # before the journal's write, as in `act`
        try:
            entry = await self.journal.started(
                profile=run.profile, provider=run.provider, run_id=run.id,
                action=f"{verb} {request.context.get('type') or 'request'}")
            try:
                result = await provider.answer(run, request, approve=approve, values=values)
            except BaseException as exc:
                await self.journal.raised(entry, exc)
                raise
        finally:
            self.in_flight.discard(run.key)
        await self.journal.finished(entry, outcome=_outcome(result), message=result.message,
                                    run_id=run.id)
        self._keep(result.run)
        return result

    async def _refuse_other_id(self, provider: Provider, run: Run, chosen_id: str,
                               action: Action) -> None:
        message = (f"the server answered the read of {chosen_id!r} with another run, {run.id!r}; "
                   f"nothing sent")
        await self.journal.refused(profile=run.profile, provider=run.provider, run_id=chosen_id,
                                   action=action.value, message=message)
        raise ProviderError(message, provider=provider.name, kind="mismatch")

    async def execute(self, provider: Provider, request: StartRequest) -> ActionResult:
        decision = can_execute(provider.name, read_only=provider.profile.read_only)
        if not decision:
            raise NotAllowed(decision.reason, profile=provider.profile.name)
        problem = await self._input_problem(provider, request)
        if problem is not None:
            raise BadInput(problem)
        entry = await self.journal.started(profile=provider.profile.name, provider=provider.name,
                                           run_id=None, action=f"execute {request.workflow_id}")
        try:
            result = await provider.execute(request)
        except BaseException as exc:
            await self.journal.raised(entry, exc)
            raise
        await self.journal.finished(entry, outcome=_outcome(result), message=result.message,
                                    run_id=result.new_run_id)
        self._keep(result.run)
        return result


    @staticmethod
    async def _input_problem(provider: Provider, request: StartRequest) -> str | None:
        """Why the start's inputs are sure to fail, where the platform publishes a closed
        input schema (a Prefect deployment's parameters): one read of it, only when inputs
        are given. A failed read says nothing: the platform decides, as before."""
        if not request.inputs or not isinstance(provider, DescribesWorkflows):
            return None
        try:
            info = await provider.get_workflow(request.workflow_id)
        except ProviderError:
            return None
        return None if info is None else unknown_inputs(info, request.inputs)

    def _keep(self, run: Run | None) -> None:
        """The run as read back after an action goes to the store of its kind: runs here,
        tasks to `task_store` (the run watchers' listings never see tasks and would drop
        them from a shared store)."""
        if run is None:
            return
        store = self.task_store if run.kind is Kind.TASK else self.store
        if store is not None:
            store.upsert([run], partial=True)


def _outcome(result: ActionResult) -> str:
    if result.uncertain:
        # The answer was lost; a read-back that shows the action took effect settles it.
        return CONFIRMED if result.ok else "uncertain"
    if result.skipped is not None:
        return SKIPPED
    return "ok" if result.ok else "failed"

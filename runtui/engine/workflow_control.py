"""How a workflow-level action travels: the same path as a run's.

Table check and read-only gate (`actions.decide_trigger`), one action in flight per
trigger, journal, one POST never retried, journal, read back by the id the user
chose. A lost answer is settled by the read-back, as for runs; one the read-back does
not show done is kept in `unsettled` (runtui.engine.outcomes, as the run controller's),
settled by the next reads of the workflows' triggers.
"""

from __future__ import annotations

import time

from runtui.actions import decide_trigger
from runtui.engine.journal import CONFIRMED, Journal
from runtui.engine.outcomes import Unsettled
from runtui.errors import NotAllowed, ProviderError, Unreachable
from runtui.model import Action
from runtui.providers.base import Provider
from runtui.providers.capabilities import ControlsWorkflows
from runtui.workflow_model import Trigger, TriggerResult

# What a trigger's state is after each action, when the action took effect.
PAUSED_AFTER = {Action.PAUSE: True, Action.RESUME: False}


class WorkflowController:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.in_flight: set[tuple[str, str]] = set()
        # lost answers the read-back did not show done: settled by later reads (a face says how)
        self.unsettled: Unsettled[Trigger] = Unsettled(took_effect, lambda trigger: trigger.key)

    def is_busy(self, trigger: Trigger) -> bool:
        return trigger.key in self.in_flight

    async def act(self, provider: Provider, trigger: Trigger, action: Action) -> TriggerResult:
        """Send `action` once to `trigger.id`. Raises NotAllowed before any request when the
        platform has no workflow control, the table or read-only refuses, or one is in flight."""
        if not isinstance(provider, ControlsWorkflows):
            raise NotAllowed(provider.actions.workflow_note
                             or f"{provider.label} has no workflow-level actions", profile=trigger.profile)
        decision = decide_trigger(trigger, action, read_only=provider.profile.read_only,
                                  busy=self.is_busy(trigger))
        if not decision:
            raise NotAllowed(decision.reason, profile=trigger.profile)
        self.in_flight.add(trigger.key)  # before the journal's write: a second key meanwhile is refused
        try:
            entry = await self.journal.started(profile=trigger.profile, provider=trigger.provider,
                                               run_id=None, action=f"{action.value} workflow {trigger.id}")
            try:
                result = await _send_and_read(provider, trigger, action)
            except BaseException as exc:
                await self.journal.raised(entry, exc)
                raise
        finally:
            self.in_flight.discard(trigger.key)
        outcome = (CONFIRMED if result.ok else "uncertain") if result.uncertain else (
            "ok" if result.ok else "failed")
        await self.journal.finished(entry, outcome=outcome, message=result.message)
        if result.uncertain and not result.ok:
            self.unsettled.watch(result.trigger or trigger, action, time.monotonic())
        return result


async def _send_and_read(provider: ControlsWorkflows, trigger: Trigger, action: Action) -> TriggerResult:
    try:
        await provider.send_trigger_action(trigger, action)
    except Unreachable as exc:  # nothing sent: the trigger is as it was
        return TriggerResult(action=action, ok=False, message=exc.not_sent(trigger.profile))
    except ProviderError as exc:
        fresh = await _read_back(provider, trigger)
        state = f"; it is now {fresh.state}" if fresh is not None and fresh.state else ""
        if exc.outcome_unknown:
            ok = fresh is not None and took_effect(action, fresh)
            verdict = ("confirmed by read-back" if ok
                       else "outcome unknown: not seen done when read back (the next reads will tell)")
            return TriggerResult(action=action, ok=ok, trigger=fresh, uncertain=True,
                                 message=f"the answer was lost ({exc.message}); {verdict}{state}")
        return TriggerResult(action=action, ok=False, trigger=fresh, message=str(exc) + state)
    fresh = await _read_back(provider, trigger)
    state = f"; it is now {fresh.state}" if fresh is not None and fresh.state else ""
    return TriggerResult(action=action, ok=True, trigger=fresh, message=f"{action.value} sent{state}")


async def _read_back(provider: ControlsWorkflows, trigger: Trigger) -> Trigger | None:
    """The trigger as the server has it now, only when the read names the chosen id."""
    try:
        fresh = await provider.read_trigger(trigger)
    except ProviderError:
        return None
    return fresh if fresh.id == trigger.id else None


def took_effect(action: Action, fresh: Trigger) -> bool:
    """Does the trigger as read show `action` done? Asked of the read-back and of the
    triggers later reads of the workflows list (runtui.engine.outcomes)."""
    if action is Action.CANCEL:
        return (fresh.state or "").strip().lower() in ("cancelled", "canceled")
    return fresh.paused is PAUSED_AFTER.get(action)

"""How one action travels: table check, journal, one POST, journal, read back.

Both faces call this; neither sends actions on its own. A second action on a
run whose first is still in flight is refused, so a key pressed twice sends one
request.
"""

from __future__ import annotations

from runtui.actions import can_execute, decide
from runtui.engine.journal import Journal
from runtui.engine.store import Key, RunStore
from runtui.errors import NotAllowed
from runtui.model import Action, ActionResult, Run, StartRequest
from runtui.providers.base import Provider


class Controller:
    def __init__(self, journal: Journal, store: RunStore | None = None) -> None:
        self.journal = journal
        self.store = store
        self.in_flight: set[Key] = set()

    def is_busy(self, run: Run) -> bool:
        return run.key in self.in_flight

    async def act(self, provider: Provider, run: Run, action: Action) -> ActionResult:
        """Raises NotAllowed (before any request) when the table or read-only refuses."""
        decision = decide(run, action, read_only=provider.profile.read_only, busy=self.is_busy(run))
        if not decision:
            raise NotAllowed(decision.reason)
        self.in_flight.add(run.key)
        entry = self.journal.started(profile=run.profile, provider=run.provider, run_id=run.id,
                                     action=action.value)
        try:
            result = await provider.perform(run, action)
        except BaseException as exc:
            self.journal.finished(entry, outcome="uncertain", message=f"interrupted: {type(exc).__name__}")
            raise
        finally:
            self.in_flight.discard(run.key)
        self.journal.finished(entry, outcome=_outcome(result), message=result.message,
                              run_id=run.id, new_run_id=result.new_run_id)
        if self.store is not None and result.run is not None:
            self.store.upsert([result.run], partial=True)
        return result

    async def execute(self, provider: Provider, request: StartRequest) -> ActionResult:
        decision = can_execute(provider.name, read_only=provider.profile.read_only)
        if not decision:
            raise NotAllowed(decision.reason)
        entry = self.journal.started(profile=provider.profile.name, provider=provider.name,
                                     run_id=None, action=f"execute {request.workflow_id}")
        try:
            result = await provider.execute(request)
        except BaseException as exc:
            self.journal.finished(entry, outcome="uncertain", message=f"interrupted: {type(exc).__name__}")
            raise
        self.journal.finished(entry, outcome=_outcome(result), message=result.message,
                              run_id=result.new_run_id)
        if self.store is not None and result.run is not None:
            self.store.upsert([result.run], partial=True)
        return result


def _outcome(result: ActionResult) -> str:
    if result.uncertain:
        return "uncertain"
    return "ok" if result.ok else "failed"

"""What a provider may do beyond listing and reading runs, as small protocols.

An adapter offers a capability by implementing its methods; faces and the engine ask
`isinstance(provider, Capability)` (or `supports(cls, …)` before one is built), never a
provider's name (k9s asks a resource whether it is a Nuker or a Restartable the same way).
Per-run actions are not here: the adapter's `ActionTable` says which statuses take which.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import msgspec

from runtui.model import Action, HumanRequest, Kind, Run, RunDetail

if TYPE_CHECKING:
    from datetime import datetime

    from runtui.providers.events import EventPage, EventQuery
    from runtui.workflow_model import OutcomeCounts, Trigger


class WorkflowInfo(msgspec.Struct, frozen=True):
    """What the execute form can offer for a workflow (B3OS inputSchema, …)."""

    id: str
    name: str | None = None
    inputs: tuple[dict[str, Any], ...] = ()
    closed: bool = False
    """The platform takes no input but `inputs` (Prefect: a flow's parameters are its
    function's arguments, and another key crashes the run): a start with another key is
    refused before it is sent. False when the schema allows more, or is not known."""


def unknown_inputs(info: WorkflowInfo, given: Iterable[str]) -> str | None:
    """Why a start with the keys `given` would fail on a workflow whose inputs are closed
    (`unknown input 'bogus' (known: n)`), or None when it would not or cannot be told."""
    if not info.closed:
        return None
    known = [str(f.get("key") or f.get("name")) for f in info.inputs if f.get("key") or f.get("name")]
    unknown = [k for k in given if k not in known]
    if not unknown:
        return None
    names = ", ".join(repr(k) for k in unknown)
    told = f"known: {', '.join(known)}" if known else "it takes no inputs"
    return f"unknown input{'s' if len(unknown) > 1 else ''} {names} ({told})"


@runtime_checkable
class StreamsRuns(Protocol):
    """Pushes a followed run's changes (B3OS SSE) instead of being polled."""

    def stream_run(self, run_id: str, kind: Kind = Kind.RUN) -> AsyncIterator[RunDetail] | None:
        """The live stream, or None when this run has none (then the run is polled)."""


@runtime_checkable
class DescribesWorkflows(Protocol):
    """Publishes a workflow's inputs, so the execute form can offer fields."""

    async def get_workflow(self, workflow_id: str) -> WorkflowInfo | None:
        """The workflow's name and input schema, or None when the platform has none."""


@runtime_checkable
class AnswersHumans(Protocol):
    """Says what a waiting run asks a person for and sends the answer."""

    async def human_request(self, run: Run) -> HumanRequest | None:
        """What this waiting run asks for (values to fill, a yes or no), or None."""

    async def send_answer(self, run: Run, request: HumanRequest, *, approve: bool,
                          values: dict[str, Any]) -> None:
        """Send the one request that answers `request` for `run` (never retried)."""


@runtime_checkable
class ListsHumanRequests(Protocol):
    """Lists requests apart from run statuses (an inbox)."""

    async def human_requests(self) -> list[HumanRequest]:
        """Open requests, newest first."""


@runtime_checkable
class ReadsInboxInParts(Protocol):
    """Reads a very long inbox over several calls, and says what is not read yet (apart
    from `ListsHumanRequests`, so an inbox that has no such note still counts as one)."""

    def inbox_note(self) -> str | None:
        """What the last reads left unread, for a person, or None."""


def inbox_note(provider: object) -> str | None:
    """`provider`'s note on what its inbox reads left unread, None when it has none."""
    return provider.inbox_note() if isinstance(provider, ReadsInboxInParts) else None


@runtime_checkable
class ReportsTrouble(Protocol):
    """Sees account trouble beyond failed requests (a work pool with no worker)."""

    async def troubles(self) -> list[str]:
        """What is wrong with the account itself, worded for a person."""


@runtime_checkable
class ReadsEvents(Protocol):
    """Reads a run's log (Prefect) or the events its state shows (platforms without a log
    API), page by page from an opaque cursor."""

    def events_note(self) -> str | None:
        """What a face should say about this log ("Edges publishes no log API: …"), or None."""

    async def read_events(self, run: Run, cursor: Any, query: EventQuery) -> EventPage:
        """Lines after `cursor` (None: from the start), oldest first, one request where it can."""


@runtime_checkable
class ControlsWorkflows(Protocol):
    """Lists what starts a workflow's runs on its own (B3OS workflow triggers, Edges
    schedules, Prefect deployments) and pauses or resumes it. The adapter's
    `ActionTable.workflow_rules` says which state takes which action."""

    async def list_triggers(self) -> list[Trigger]:
        """Every trigger of the account, bounded like a run listing."""

    async def read_trigger(self, trigger: Trigger) -> Trigger:
        """`trigger` as the server has it now, read by its own id (a read-back)."""

    async def send_trigger_action(self, trigger: Trigger, action: Action) -> None:
        """Send `action` once to `trigger.id` (never retried); raise ProviderError on failure."""


@runtime_checkable
class CountsRuns(Protocol):
    """Counts a workflow's runs by outcome on the server (Prefect's flow-run history), so
    the figures cover runs the store never loaded."""

    async def count_runs(self, workflow_ids: list[str], since: datetime,
                         until: datetime) -> dict[str, OutcomeCounts]:
        """Per workflow id, the runs created between `since` and `until` by outcome."""


CAPABILITIES: dict[str, type] = {
    "logs": ReadsEvents,
    "stream": StreamsRuns,
    "workflow inputs": DescribesWorkflows,
    "answer": AnswersHumans,
    "inbox": ListsHumanRequests,
    "trouble": ReportsTrouble,
    "workflow pause": ControlsWorkflows,
    "run counts": CountsRuns,
}
"""Name shown by `runtui providers` -> the protocol behind it."""


def supports(cls: type, capability: type) -> bool:
    """Whether adapter class `cls` implements `capability` (before any instance exists)."""
    return issubclass(cls, capability)


def reader_of(provider: object) -> ReadsEvents | None:
    """The provider's event reader, or None when it has no way to read events."""
    return provider if isinstance(provider, ReadsEvents) else None

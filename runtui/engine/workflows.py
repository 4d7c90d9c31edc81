"""What the workflows view and `runtui workflows` show: figures joined with triggers.

A row is one workflow of one profile: the figures the store's runs give
(`engine.stats`), the server's own counts where the platform aggregates
(`CountsRuns`), and the triggers a workflow-level pause acts on (`ControlsWorkflows`).
A workflow the platform lists still shows with 0 runs when none ran in the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
from collections.abc import AsyncGenerator, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import msgspec

from runtui.engine.stats import WorkflowFigures, WorkflowKey
from runtui.errors import ConfigError, ProviderError, RuntuiError
from runtui.model import Run
from runtui.providers.base import ListQuery, Provider
from runtui.providers.capabilities import ControlsWorkflows, CountsRuns
from runtui.workflow_model import OutcomeCounts, Trigger

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace

RECENT_CAP = 20_000  # runs read per profile by a one-shot `workflows list`
NAMES_SINCE = timedelta(days=7)  # runs read back to this when a workflow is looked up by name
NAMES_CAP = 2_000  # and at most these many


class WorkflowRow(msgspec.Struct, frozen=True):
    figures: WorkflowFigures
    triggers: tuple[Trigger, ...] = ()

    @property
    def key(self) -> WorkflowKey:
        return self.figures.key

    @property
    def _standing(self) -> list[Trigger]:
        """The triggers that can still start runs: not those whose state is a word that is
        neither live nor paused (a cancelled schedule, a draft), unless all are such."""
        standing = [t for t in self.triggers if t.paused is not None or not t.state]
        return standing or list(self.triggers)

    @property
    def paused(self) -> bool | None:
        """True when every standing trigger is paused, False when one is live, None when unknown."""
        states = [t.paused for t in self._standing]
        if any(s is False for s in states):
            return False
        if states and all(s is True for s in states):
            return True
        return None

    @property
    def state_word(self) -> str:
        """paused, live, `1/2 paused` (some of its standing triggers are: "live" hid a
        paused schedule), the platform's word (draft, cancelled) or - with no trigger."""
        if self.paused is False:
            standing = self._standing
            some = sum(1 for t in standing if t.paused)
            return f"{some}/{len(standing)} paused" if some else "live"
        if self.paused is not None:
            return "paused"
        states = {t.state for t in self.triggers if t.state}
        return states.pop().lower() if len(states) == 1 else "-"

    @property
    def schedule(self) -> str | None:
        if len(self.triggers) > 1:
            paused = sum(1 for t in self.triggers if t.paused)
            ended = sum(1 for t in self.triggers if t.paused is None and t.state)
            return (f"{len(self.triggers)} schedules" + (f", {paused} paused" if paused else "")
                    + (f", {ended} ended" if ended else ""))
        return self.triggers[0].schedule if self.triggers else None

    @property
    def next_run_at(self) -> datetime | None:
        return min((t.next_run_at for t in self.triggers if t.next_run_at), default=None)

    def to_json(self) -> dict[str, Any]:
        return {**self.figures.to_json(), "paused": self.paused, "schedule": self.schedule,
                "next_run_at": None if self.next_run_at is None else self.next_run_at.isoformat(),
                "flags": list(self.figures.flags), "triggers": [t.to_json() for t in self.triggers]}


def with_counts(figures: WorkflowFigures, counts: OutcomeCounts) -> WorkflowFigures:
    """The figures with the server's counts in place of those the loaded runs gave."""
    return msgspec.structs.replace(figures, runs=counts.runs, succeeded=counts.succeeded,
                                   failed=counts.failed, cancelled=counts.cancelled,
                                   counted_on_server=True)


def join(figures: Iterable[WorkflowFigures], triggers: Iterable[Trigger],
         counts: dict[WorkflowKey, OutcomeCounts] | None = None,
         providers: dict[str, str] | None = None) -> list[WorkflowRow]:
    """One row per workflow: from its runs, its triggers, or both."""
    by_key: dict[WorkflowKey, WorkflowFigures] = {f.key: f for f in figures}
    grouped: dict[WorkflowKey, list[Trigger]] = {}
    for trigger in triggers:
        key = (trigger.profile, trigger.workflow_id)
        grouped.setdefault(key, []).append(trigger)
        if key not in by_key:
            by_key[key] = WorkflowFigures(
                profile=trigger.profile, provider=trigger.provider,
                workflow_id=trigger.workflow_id, workflow_name=trigger.workflow_name)
        elif by_key[key].workflow_name is None and trigger.workflow_name:
            by_key[key] = msgspec.structs.replace(by_key[key], workflow_name=trigger.workflow_name)
    for key, found in (counts or {}).items():
        if key not in by_key:
            provider = (providers or {}).get(key[0], "")
            by_key[key] = WorkflowFigures(profile=key[0], provider=provider, workflow_id=key[1])
        by_key[key] = with_counts(by_key[key], found)
    return [WorkflowRow(f, tuple(grouped.get(k, ()))) for k, f in by_key.items()]


class WorkflowBook:
    """Triggers and server counts per profile, with what each profile could not say."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.triggers: dict[str, list[Trigger]] = {}
        self.notes: dict[str, str] = {}  # profile -> why it shows no pause (or what failed)
        self.counts: dict[WorkflowKey, OutcomeCounts] = {}
        # The triggers' reads: when each profile's last succeeded, and the profiles whose
        # last failed (their triggers are those read before: what they say may be old).
        self.read_at: dict[str, datetime] = {}
        self.unread: set[str] = set()

    def provider_of(self, name: str) -> Provider | None:
        """The profile's adapter, or None with the config problem kept in `notes`."""
        try:
            return self.ws.provider(name)
        except ConfigError as exc:
            self.notes[name] = exc.detail
            return None

    async def load_triggers(self, names: Iterable[str]) -> list[Trigger]:
        """Each profile's triggers, all at once; a profile that fails says so in `notes`.
        Returns the triggers read now (not those kept from before by a profile that failed):
        what settles a lost answer's workflow action (runtui.engine.outcomes)."""
        read: list[Trigger] = []

        async def one(name: str) -> None:
            provider = self.provider_of(name)
            if provider is None:
                return
            if not isinstance(provider, ControlsWorkflows):
                self.triggers[name] = []
                self.notes[name] = provider.actions.workflow_note or f"{provider.label} has no workflow pause"
                return
            try:
                self.triggers[name] = await provider.list_triggers()
                self.notes.pop(name, None)
                read.extend(self.triggers[name])
                self.read_at[name] = datetime.now(UTC)
                self.unread.discard(name)
            except ProviderError as exc:
                self.notes[name] = f"workflows not read: {exc.message}"
                self.unread.add(name)

        await asyncio.gather(*(one(n) for n in names))
        return read

    async def load_counts(self, names: Iterable[str], known: Iterable[WorkflowKey], window: float,
                          now: datetime | None = None) -> None:
        """The server's counts for each workflow of a profile whose platform aggregates."""
        until = now or datetime.now(UTC)
        since = until - timedelta(seconds=window)
        ids: dict[str, set[str]] = {}
        for profile, workflow_id in known:
            ids.setdefault(profile, set()).add(workflow_id)
        for name in names:
            for trigger in self.triggers.get(name, ()):
                ids.setdefault(name, set()).add(trigger.workflow_id)
        self.counts = {}
        for name in names:
            provider = self.provider_of(name)
            if provider is None or not isinstance(provider, CountsRuns) or not ids.get(name):
                continue
            try:
                found = await provider.count_runs(sorted(ids[name]), since, until)
            except ProviderError as exc:
                self.notes[name] = f"server counts not read: {exc.message}"
                continue
            self.counts.update(((name, wid), c) for wid, c in found.items())

    def rows(self, figures: Iterable[WorkflowFigures],
             names: Iterable[str] | None = None) -> list[WorkflowRow]:
        wanted = set(self.ws.profile_names if names is None else names)
        triggers = [t for n in wanted for t in self.triggers.get(n, ())]
        counts = {k: c for k, c in self.counts.items() if k[0] in wanted}
        providers = {n: self.ws.config.profiles[n].provider for n in wanted if n in self.ws.config.profiles}
        return join((f for f in figures if f.profile in wanted), triggers, counts, providers)

    def find(self, profile: str, ident: str) -> list[Trigger]:
        """The trigger named `ident`, or every trigger of workflow `ident`, in `profile`."""
        mine = self.triggers.get(profile, [])
        exact = [t for t in mine if t.id == ident]
        return exact or [t for t in mine if t.workflow_id == ident]

    def replace(self, trigger: Trigger) -> None:
        """A trigger as read back after an action."""
        mine = self.triggers.setdefault(trigger.profile, [])
        for i, old in enumerate(mine):
            if old.id == trigger.id:
                mine[i] = trigger
                return
        mine.append(trigger)


async def recent_runs(provider: Provider, since: datetime, cap: int = RECENT_CAP) -> list[Run]:
    """A profile's runs back to `since` (lists are newest first): paging stops at the first
    page wholly older than the window, or at `cap` runs."""
    found: list[Run] = []
    listing = cast("AsyncGenerator[list[Run], None]", provider.iter_runs(ListQuery(limit=cap, page_size=100)))
    async with contextlib.aclosing(listing) as pages:
        async for page in pages:
            found.extend(page)
            times = [r.started_at or r.created_at for r in page]
            if page and all(t is not None and t < since for t in times):
                break
    return found


async def known_workflows(provider: Provider, triggers: Iterable[Trigger] = ()) -> dict[str, str | None]:
    """The profile's workflows as far as it can be told, id -> name: those `triggers`
    name, and those its recent runs name (a workflow with no schedule has only runs). A
    failed read of the runs leaves them out: this only helps with a typed id."""
    known: dict[str, str | None] = {t.workflow_id: t.workflow_name for t in triggers}
    try:
        runs = await recent_runs(provider, datetime.now(UTC) - NAMES_SINCE, cap=NAMES_CAP)
    except RuntuiError:
        runs = []
    for run in runs:
        if run.workflow_id and known.get(run.workflow_id) is None:
            known[run.workflow_id] = run.workflow
    return known


def ids_named(known: dict[str, str | None], name: str) -> list[str]:
    """The ids of the workflows called `name` (case aside): a user types what tables show."""
    wanted = name.casefold()
    return sorted(wid for wid, named in known.items() if named is not None and named.casefold() == wanted)


def close_to(known: dict[str, str | None], typed: str) -> list[str]:
    """Ids whose id or name is close to `typed` (a typo, a name given for an id): a hint."""
    by_word: dict[str, str] = {}
    for wid, named in known.items():
        by_word.setdefault(wid.casefold(), wid)
        if named:
            by_word.setdefault(named.casefold(), wid)
    near = difflib.get_close_matches(typed.casefold(), list(by_word), n=3, cutoff=0.6)
    return list(dict.fromkeys(by_word[word] for word in near))

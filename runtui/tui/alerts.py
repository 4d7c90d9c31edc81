"""The app's ears: the live attention queue, and the notifications it and finished runs raise.

One object per app, wired to the workspace's store and health. It keeps the
attention queue (`runtui.engine.attention`) current, and tells the operator about
what newly needs them or a watched/marked run that ended: a toast always, and,
as `[notify]` says, the bell, a desktop notification through the terminal, a
command. Screens read `queue` and `version`; nothing here knows a platform.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec

from runtui import display
from runtui.engine.attention import (
    Acknowledgements,
    AttentionItem,
    AttentionQueue,
    Reason,
)
from runtui.engine.health import Health, HealthState
from runtui.engine.notify import Event, Notifier, desktop_sequences
from runtui.engine.reasons import failure_reason, waiting_steps
from runtui.engine.store import Delta, Key
from runtui.errors import RuntuiError
from runtui.model import Action, Run, Status
from runtui.providers.capabilities import ListsHumanRequests, ReportsTrouble, inbox_note
from runtui.tui import clock
from runtui.tui.frames import after_frame
from runtui.tui.guard import guard
from runtui.tui.keymap import key_named
from runtui.workflow_model import Trigger

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel
    from textual.timer import Timer

    from runtui.engine.workspace import Workspace

TICK_SECONDS = 30.0  # how often stuck/late verdicts (which only the clock changes) are re-judged
TOAST_GATHER_SECONDS = 0.5  # news arriving together is told in one toast
# News toasts come at most this often: in a storm (runs starting to wait by the dozen)
# news came every settle check, a toast every 5 s that always covered the table's
# bottom rows; now one shows for Textual's 5 s, then the table is clear for 10 s, and
# what came meanwhile is gathered into the next ("N new … ! lists them"). The header's
# count, the bell, desktop notifications and commands are not held back, nor is the end
# of a run the user asked about (watched or marked): it is told after the gather, on the
# first line. Each toast also costs three full layouts of the screen (~4 ms each at
# 10,000 runs).
TOAST_SPACING_SECONDS = 15.0
TOAST_LINES = 3  # lines of a gathered toast before "… and N more"
TOASTS_REMEMBERED = 2000  # event keys kept to toast each once
WAITING_SETTLE = 30.0  # seconds a run waits before that is news (a toast, the bell, …)
SETTLE_CHECK_SECONDS = 5.0
WHY_WAIT = 3.0  # seconds a failure's news waits, at most, for why it failed (its detail read)
POLL_SECONDS = 15.0  # how often inboxes and account trouble (not in run listings) are read
DETAILS_PER_POLL = 10  # waiting runs whose detail is read per poll, to say where they wait
CATCH_UP_SECONDS = 0.5  # after a profile's first listing is in (others may follow at once)
FIRST_POLL_LATEST_SECONDS = 1.0  # inboxes are first read by then, whether or not rows came
_UNREACHABLE = frozenset({HealthState.ERROR, HealthState.RATE_LIMITED})  # told back when OK again


class _Pending(NamedTuple):
    """News waiting for the next toast."""

    event: Event
    severity: str
    asked: bool  # the user asked to hear it (a watched or marked run's end)


class Alerts:
    def __init__(self, app: App[int], workspace: Workspace,
                 is_followed: Callable[[Key], bool]) -> None:
        self.app = app
        self.workspace = workspace
        self.is_followed = is_followed  # watched or marked: its end is worth a notification
        settings = workspace.config.notify
        if workspace.config.defaults.bell and not settings.bell:  # the older `[defaults] bell`
            settings = msgspec.structs.replace(settings, bell=True)
        self.notifier = Notifier(settings)
        self.queue = AttentionQueue(acks=Acknowledgements.load(), on_new=self._needs_attention,
                                    read_only={n: workspace.read_only(n) for n in workspace.profile_names})
        self.version = 0  # bumped on every change of the queue, for screens that show it
        self.inbox_notes: dict[str, str] = {}  # per profile: what its inbox reads left unread
        self._loaded: set[str] = set()  # profiles whose first listing is in: their news is live
        self._polling = False  # an inbox/trouble poll is in flight
        self._details_busy = False  # a read of where runs wait and why they failed is in flight
        self._details_again = False  # ... and new runs to read came meanwhile
        self._toasted: OrderedDict[str, None] = OrderedDict()  # events already toasted
        self._settling: dict[Key, datetime] = {}  # runs that started waiting, since when
        self._announced_unread: dict[Key, None] = {}  # told as waiting, where not read yet
        self._announced_failed: dict[Key, None] = {}  # told as failed, why not read yet
        self._why_wanted: dict[Key, datetime] = {}  # failures whose news waits for why, since when
        self._down: dict[str, datetime] = {}  # profiles told unreachable, since when: told back too
        self._pending_toasts: list[_Pending] = []  # gathered into the next toast
        self._answering: dict[Key, int] = {}  # runs a bulk action is under way on (how many)
        self._held: list[tuple[Key, Event]] = []  # news about them, for that action's outcome
        self._last_toast = -TOAST_SPACING_SECONDS  # time.monotonic() of the last news toast
        self._flush_timer: Timer | None = None  # the next toast, due at `_flush_due`
        self._flush_due = 0.0
        # Where waiting runs wait costs a detail read each. While the attention screen shows,
        # runs are read as they start waiting; otherwise only the ones that stayed waiting,
        # DETAILS_PER_POLL of them a poll: reading every newly waiting run on every delta was
        # most of a busy tick's CPU, and reading each one as it was announced, ~3 reads a
        # tick in a storm (1% of 10,000 runs changing every tick) nobody was looking at.
        self._shown = False
        # The runs of the rows the attention screen has on screen (set by it while it
        # shows): only their words are said again each tick (`AttentionQueue.tick`).
        self.on_screen: Callable[[], Collection[Key]] | None = None
        self._catch_up_timer: Timer | None = None  # reads the usual times once listings are in
        self._polled = False  # inboxes and trouble have been read (or are being read)

    def start(self) -> None:
        self.queue.waits_on_human = {p.name: p.waits_on_human for p in self.workspace.providers.values()}
        self.queue.apply(self.workspace.store.runs.values(), [], [], live=False, now=clock.now())
        self.workspace.store.subscribe(self.on_delta)
        self.workspace.health_listeners.append(self.on_health)
        self.workspace.profile_listeners.append(self.on_profiles_changed)
        for health in self.workspace.health.values():  # what is known at start is backlog
            if health.state is HealthState.OK:
                self._loaded.add(health.profile)
            self.queue.set_health(health, now=clock.now(), live=False)
        self.app.set_interval(TICK_SECONDS, self.tick)
        self.app.set_interval(SETTLE_CHECK_SECONDS, self._settle)
        self.app.set_interval(POLL_SECONDS, self.poll)
        self._first_poll_after_first_rows()
        self.say_acknowledgements_problem()

    def _first_poll_after_first_rows(self) -> None:
        """The first read of inboxes and trouble, once the first rows are on screen (or
        after FIRST_POLL_LATEST_SECONDS): its requests and answers took CPU from the
        first rows, which wait on nothing else."""
        store = self.workspace.store

        def first_poll() -> None:
            if not self._polled:
                self.poll(live=False)

        def on_first_delta(_delta: Delta) -> None:
            unsubscribe()
            after_frame(self.app, first_poll, name="attention-first-poll")

        self.app.set_timer(FIRST_POLL_LATEST_SECONDS, first_poll, name="attention-first-poll-latest")
        if store.runs:
            after_frame(self.app, first_poll, name="attention-first-poll")
            return
        unsubscribe = store.subscribe(on_first_delta)

    def say_acknowledgements_problem(self) -> None:
        """What of the acknowledgements file could not be read, once (a hand edit, a damaged
        file): its entries are ignored, and without a word a profile's failures came back
        or, worse, vanished."""
        acks = self.queue.acks
        problem = acks.take_problem() if acks is not None else None
        if problem is not None:
            self.app.notify(problem, title="acknowledgements", severity="warning",
                            timeout=10)

    @property
    def shown(self) -> bool:
        return self._shown

    def show(self, shown: bool) -> None:
        """The attention screen is (or no longer is) on screen: read the details it needs eagerly."""
        self._shown = shown
        if not shown:
            return
        self.queue.reword(clock.now())  # the ticks left their minutes while nobody looked
        self.version += 1
        if self._unread_waiting() or self._unread_failed():
            self._request_details()

    @property
    def count(self) -> int:
        return len(self.queue)

    # ---- inputs ------------------------------------------------------------------------

    def on_delta(self, delta: Delta) -> None:
        live_added = [r for r in delta.added if r.profile in self._loaded]
        backlog = [r for r in delta.added if r.profile not in self._loaded]
        now = clock.now()
        if backlog:
            self.queue.apply(backlog, [], [], live=False, now=now)
        self.queue.apply(live_added, [new for _old, new in delta.changed], delta.removed, now=now)
        self._finished(delta)
        if self.workspace.controller.unsettled:  # (none, nearly always: nothing to build)
            self._settle_outcomes([*delta.added, *(new for _old, new in delta.changed)])
        self.version += 1
        if self.shown and (self._unread_waiting() or self._unread_failed()):
            self._request_details()

    def _unread_failed(self) -> list[Run]:
        """Failed runs whose listing says nothing of why (a B3OS list carries no node
        states), not read yet, newest first. Unless the attention screen shows, only the
        failures told as news this session: the backlog is read when somebody opens the
        queue, a few a poll, as the waiting runs are."""
        known = self.queue.failed_why_known
        candidates = self._to_read(Reason.FAILED, self._announced_failed, known)
        unread = [run for run in candidates if not run.last_error and not known(run.key)]
        unread.sort(key=_started, reverse=True)
        return unread

    def _unread_waiting(self) -> list[Run]:
        """Waiting runs whose waiting step is not known yet, newest first. Unless the attention
        screen shows, only those announced as news (they stayed waiting `WAITING_SETTLE`):
        runs that flip between running and waiting (Edges throttling, B3OS waits that end at
        once) would otherwise cost a detail read each time, and the backlog of a big account
        (~8,000 waiting at 50,000 runs) is read when somebody opens the queue."""
        known = self.queue.waiting_at_known
        candidates = self._to_read(Reason.WAITING, self._announced_unread, known)
        unread = [run for run in candidates if not known(run.key) and self.queue.request_for(run.key) is None]
        unread.sort(key=_started, reverse=True)
        return unread

    def _to_read(self, reason: Reason, announced: dict[Key, None], known: Callable[[Key], bool]) -> list[Run]:
        """The runs of the queue's `reason` items whose detail may be read: all of them while
        the attention screen shows, else the ones told as news (`announced`, rid of those
        that moved on or were read)."""
        items = self.queue.items
        if self._shown:
            return [i.run for i in items.values() if i.reason is reason and i.run is not None]
        gone = [k for k in announced if (i := items.get(k)) is None or i.reason is not reason or known(k)]
        for key in gone:
            del announced[key]
        return [run for k in announced if (run := items[k].run) is not None]

    def _request_details(self) -> None:
        """Read where new waiting runs wait and why new failures failed; while a read is in
        flight, it goes round once more."""
        if self._details_busy:
            self._details_again = True
            return
        self._details_busy = True
        reading = guard(self.app, self._details_read(), "reading where runs wait and why they failed")
        self.app.run_worker(reading, group="attention-details")

    async def _details_read(self) -> None:
        try:
            self._details_again = True
            while self._details_again:
                self._details_again = False
                await self._read_details()
                self.version += 1
        finally:
            self._details_busy = False

    def on_health(self, health: Health) -> None:
        if health.state is HealthState.OK:
            self._back(health.profile)
        if health.state is HealthState.OK and health.profile not in self._loaded:
            self._loaded.add(health.profile)  # its first listing is in
            if self._catch_up_timer is None:
                self._catch_up_timer = self.app.set_timer(CATCH_UP_SECONDS, self._catch_up)
            else:
                self._catch_up_timer.reset()
        self.queue.set_health(health, now=clock.now())
        self.version += 1

    def on_profiles_changed(self, dropped: set[str]) -> None:
        """The config was reloaded (a profile added, edited, renamed or removed): the items
        of profiles that are gone leave the queue, and the header's count with them. A
        profile whose runs were `dropped` (edited) lists them again from scratch: that
        listing is backlog, as at start, not a toast for every failure it already had."""
        ws = self.workspace
        known = ws.known_profiles
        self.queue.keep_profiles(known)
        self.queue.read_only = {n: ws.read_only(n) for n in ws.profile_names}
        self._loaded &= known - dropped
        self._down = {p: since for p, since in self._down.items() if p in known}
        self.version += 1

    def _catch_up(self) -> None:
        """The workflows' usual times from every run of the listings just in."""
        self._catch_up_timer = None
        self.queue.catch_up(clock.now())

    def tick(self) -> None:
        # judged on each server's clock, as the run table counts its runs' times
        self.queue.clock_offsets = dict(clock.offsets)
        self.queue.read_acknowledgements()  # what another runtui on this state dir marked seen
        self.say_acknowledgements_problem()
        on_screen = self.on_screen
        self.queue.tick(clock.now(), reword=self._shown and (True if on_screen is None else on_screen()))
        self.version += 1

    def _settle_outcomes(self, runs: list[Run]) -> None:
        """An action whose answer was lost was told "outcome unknown" and then nothing more:
        once a poll shows it done, or it was not within the patience, that is said too.
        (A run the polls read unchanged is in no delta: its last state is the one to say.)"""
        for settled in self.workspace.controller.unsettled.settle(runs, time.monotonic()):
            run = settled.subject
            now = f"{run.status.value} ({run.raw_status})" if run.raw_status else run.status.value
            self._tell_settled(settled.action, settled.took_effect, _named(run.profile, run), now,
                               data=_run_json(run))

    def settle_workflow_outcomes(self, triggers: Iterable[Trigger]) -> None:
        """The workflows' triggers were just read (the workflows view): a workflow-level
        pause or resume whose answer was lost is said done once they show it, or, out of
        patience, not done, or still unknown when nothing read its trigger since."""
        unsettled = self.workspace.workflow_control.unsettled
        for settled in unsettled.settle(triggers, time.monotonic()):
            trigger = settled.subject
            self._tell_settled(settled.action, settled.took_effect, _trigger_named(trigger),
                               _trigger_state(trigger), data=dict(trigger.to_json()),
                               unknown=not settled.read_again, patience=unsettled.patience)

    def _tell_settled(self, action: Action, took_effect: bool, who: str, state: str, *,
                      data: dict[str, Any], unknown: bool = False, patience: float = 0.0) -> None:
        # The message says it all: toasts that come together show their messages only.
        if took_effect:
            title = f"{action.value} took effect"
            message = f"{title}: {who} is now {state}"
        elif unknown:
            title = f"{action.value}: outcome still unknown"
            message = (f"{title}: {who} was not read again within {patience:.0f}s "
                       f"(the workflows view, {key_named(self.app, 'app.workflows')}, reads it)")
        else:
            title = f"{action.value} did not take effect"
            message = f"{title}: {who} is still {state}; send it again if still wanted"
        event = Event(key=f"settled:{action.value}:{who}:{time.monotonic()}", title=title, message=message,
                      data={"event": "settled", "action": action.value, "took_effect": took_effect, **data})
        self._deliver(event, severity="information" if took_effect else "warning", asked=True)

    def _polled_profiles(self) -> list[str]:
        """Profiles whose adapter lists requests apart from runs, or sees account trouble."""
        names = []
        for name in self.workspace.profile_names:
            if self.workspace.waits_for_key(name):
                continue  # its watcher waits for the key and says so; the others are read now
            try:
                provider = self.workspace.provider(name)
            except RuntuiError:
                continue  # a broken profile is already the health bar's trouble
            if isinstance(provider, ListsHumanRequests | ReportsTrouble):
                names.append(name)
        return names

    def poll(self, live: bool = True) -> None:
        """Read inboxes and trouble now, unless a poll is still in flight (then this one is dropped)."""
        if self._polling:
            return
        self._polling = self._polled = True
        self.app.run_worker(guard(self.app, self._poll(live), "reading what needs you"),
                            group="attention-poll")

    async def _poll(self, live: bool) -> None:
        """Read each polled profile's inbox and trouble; a failed read changes nothing
        (the profile's health already says why)."""
        try:
            await self._poll_once(live)
        finally:
            self._polling = False

    async def _poll_once(self, live: bool) -> None:
        before = dict(self.queue.items)
        for name in self._polled_profiles():
            provider = self.workspace.provider(name)
            try:
                if isinstance(provider, ListsHumanRequests):
                    requests = await provider.human_requests()
                    if self._still_there(name):
                        self._set_inbox_note(name, inbox_note(provider))
                        self.queue.set_requests(name, requests, now=clock.now(), live=live)
                        # The runs asked about read as waiting everywhere, not only here.
                        self.workspace.store.set_asked(name, (r.run_id for r in requests))
                if isinstance(provider, ReportsTrouble):
                    troubles = await provider.troubles()
                    if self._still_there(name):
                        self.queue.set_troubles(name, troubles, now=clock.now(), live=live)
            except RuntuiError:
                continue
        # Unless the queue shows, `_unread_waiting` leaves the runs still settling: the
        # read is for the ones that stayed, ready when the queue opens (then it reads eagerly).
        await self._read_details()
        if self.queue.items != before:
            self.version += 1

    def _set_inbox_note(self, profile: str, note: str | None) -> None:
        """What a long inbox's reads left unread so far, for `!`'s title (never silent)."""
        if self.inbox_notes.get(profile) != note:
            self.version += 1
        if note is None:
            self.inbox_notes.pop(profile, None)
        else:
            self.inbox_notes[profile] = note

    def _still_there(self, profile: str) -> bool:
        """`profile` was not removed while its read was on its way (its answer would put
        back what `on_profiles_changed` took out, for good)."""
        return profile in self.workspace.known_profiles

    async def _read_details(self) -> None:
        """Say where waiting runs wait, then why failed runs failed where their listing
        did not say: each one's detail, read once, DETAILS_PER_POLL of them a poll."""
        budget = DETAILS_PER_POLL
        for run in self._unread_waiting()[:budget]:
            budget -= 1
            try:
                detail = await self.workspace.provider(run.profile).read_steps(run.id, run.kind)
            except RuntuiError:
                continue
            self.queue.set_waiting_at(run.key, waiting_steps(detail), now=clock.now())
        for run in self._unread_failed()[:budget]:
            try:
                detail = await self.workspace.provider(run.profile).read_steps(run.id, run.kind)
            except RuntuiError:
                self._tell_failures(given_up={run.key})
                continue
            self.queue.set_failed_why(run.key, failure_reason(detail), now=clock.now())
            self.workspace.store.note_error(detail.run)
        self._tell_failures()

    # ---- outputs -----------------------------------------------------------------------

    def _needs_attention(self, item: AttentionItem) -> None:
        """News of a new item; a run that starts waiting is told once it has stayed so for
        `WAITING_SETTLE` (Edges runs flip RUNNING/BLOCKED under throttling: not news)."""
        if item.reason is Reason.WAITING and item.run is not None:
            self._settling.setdefault(item.run.key, clock.now())
            return
        if item.reason is Reason.FAILED and item.run is not None and not item.run.last_error:
            # Its listing does not say why (B3OS's carries no node states): the news waits
            # for its detail, read now, WHY_WAIT at most, and says the failed node's error.
            self._announced_failed[item.run.key] = None
            self._why_wanted[item.run.key] = clock.now()
            self._request_details()
            return
        self._announce(item, since=clock.now())

    def _tell_failures(self, given_up: Collection[Key] = ()) -> None:
        """Announce the failures whose why is read, could not be read (`given_up`), or was
        waited for WHY_WAIT; a failure seen or gone meanwhile is no news."""
        now = clock.now()
        for key, since in list(self._why_wanted.items()):
            item = self.queue.items.get(key)
            if item is None or item.reason is not Reason.FAILED:
                del self._why_wanted[key]
            elif (key in given_up or self.queue.failed_why_known(key)
                  or (now - since).total_seconds() >= WHY_WAIT):
                del self._why_wanted[key]
                self._announce(item, since=since)

    def _settle(self) -> None:
        """Announce the waiting runs that stayed waiting; forget the ones that moved on;
        say which lost answers' actions ran out of patience."""
        if self.workspace.controller.unsettled:
            self._settle_outcomes([])
        if self.workspace.workflow_control.unsettled:
            self.settle_workflow_outcomes([])
        self._tell_failures()
        now = clock.now()
        for key, since in list(self._settling.items()):
            item = self.queue.items.get(key)
            if item is None or item.reason is not Reason.WAITING:
                del self._settling[key]
            elif (now - since).total_seconds() >= WAITING_SETTLE:
                del self._settling[key]
                self._announce(item, since=since)
                if item.run is not None and not self.queue.waiting_at_known(key):
                    self._announced_unread[key] = None  # read by a coming poll (`_poll_once`)

    def _announce(self, item: AttentionItem, *, since: datetime) -> None:
        """Tell an item that came into the queue `since`. The key names that episode, not
        only the run or profile: an outage that ended and a new one, or a run answered that
        waits again, is news again (a key per profile, remembered for the session, told
        only a profile's first outage); the same episode is still told once."""
        what = item.run.id if item.run is not None else item.profile
        event = Event(key=f"attention:{item.reason.value}:{item.profile}:{what}:{since.isoformat()}",
                      title=f"needs attention: {item.reason.value}",
                      message=f"{_named(item.profile, item.run)}: {item.detail}", data=item.to_json())
        if item.reason is Reason.PROFILE:
            self._note_down(item.profile)
        self._deliver(event, severity="warning")

    def _note_down(self, profile: str) -> None:
        """A profile told in trouble because it does not answer: its return is told too."""
        health = self.workspace.health.get(profile)
        if health is not None and health.state in _UNREACHABLE and profile not in self._down:
            self._down[profile] = health.since or clock.now()

    def _back(self, profile: str) -> None:
        """A profile told unreachable answers again: said once, so that `M` (and a
        `[notify]` command) shows the outage ended, and how long it lasted."""
        since = self._down.pop(profile, None)
        if since is None:
            return
        now = clock.now()
        lasted = display.duration(max(0.0, (now - since).total_seconds()))
        event = Event(key=f"back:{profile}:{since.isoformat()}", title="profile back",
                      message=f"{profile} answers again after {lasted}",
                      data={"event": "back", "profile": profile, "down_since": since.isoformat(),
                            "down_seconds": round((now - since).total_seconds())})
        self._deliver(event, severity="information")

    def _finished(self, delta: Delta) -> None:
        for old, new in delta.changed:
            if old.status.terminal or not new.status.terminal or not self.is_followed(new.key):
                continue
            event = Event(key=f"finished:{new.profile}:{new.id}", title="run finished",
                          message=f"{_named(new.profile, new)}: {new.status.value}",
                          data={"event": "finished", **_run_json(new)})
            self._deliver(event, severity="information" if new.status is Status.SUCCEEDED else "warning",
                          asked=True)

    # ---- an action's own runs ---------------------------------------------------------

    def hold_news_of(self, keys: Iterable[Key]) -> None:
        """A bulk action is sent on these runs: news about them (one ended, one failed)
        waits for its outcome, which says it. At 80x24 the news of a 474-run cancel's runs
        ending came as "N new" toasts and pushed the cancel's own outcome off the screen."""
        for key in keys:
            self._answering[key] = self._answering.get(key, 0) + 1

    def release_news_of(self, keys: Iterable[Key]) -> list[str]:
        """The action on these runs is answered: the news held about them (its messages, as
        they came), for its outcome toast. Other news waits its spacing after that toast
        (`TOAST_SPACING_SECONDS`), which is then the newest on the screen."""
        released = set()
        for key in keys:
            left = self._answering.get(key, 0) - 1
            if left > 0:
                self._answering[key] = left
            else:
                self._answering.pop(key, None)
                released.add(key)
        told = [event.message for key, event in self._held if key in released]
        self._held = [(key, event) for key, event in self._held if key not in released]
        self._last_toast = time.monotonic()
        return told

    @property
    def held_news(self) -> int:
        """News waiting for the outcome of an action on its run."""
        return len(self._held)

    def _deliver(self, event: Event, *, severity: str, asked: bool = False) -> None:
        """A toast once per event (a run flapping between running and blocked says it once),
        gathered over a moment into one; bell, desktop and command once per event, rate-limited.
        `asked`: the user asked to hear it (a watched or marked run's end), so it is not held
        back by TOAST_SPACING_SECONDS."""
        if event.key not in self._toasted:
            self._toasted[event.key] = None
            if len(self._toasted) > TOASTS_REMEMBERED:
                self._toasted.popitem(last=False)
            about = _run_of(event)
            if about is not None and about in self._answering:
                self._held.append((about, event))  # told in the action's outcome
            else:
                self._pending_toasts.append(_Pending(event, severity, asked))
                self._flush_in(TOAST_GATHER_SECONDS if asked else self._toast_delay())
        if not self.notifier.offer(event):
            return
        settings = self.notifier.settings
        if settings.bell:
            self.app.bell()
        if settings.desktop:
            write_to_terminal(self.app, desktop_sequences(event.title, event.message,
                                                          in_tmux=bool(os.environ.get("TMUX"))))
        if settings.command:
            self.app.run_worker(guard(self.app, self._run_command(event), "the [notify] command"),
                                group="notify")

    def _toast_delay(self) -> float:
        """A moment to gather what comes together; in a storm, until TOAST_SPACING_SECONDS
        after the last toast."""
        since = time.monotonic() - self._last_toast
        return max(TOAST_GATHER_SECONDS, TOAST_SPACING_SECONDS - since)

    def _flush_in(self, delay: float) -> None:
        """The pending toast in `delay` seconds, unless it comes sooner already."""
        due = time.monotonic() + delay
        if self._flush_timer is not None:
            if self._flush_due <= due:
                return
            self._flush_timer.stop()
        self._flush_timer = self.app.set_timer(delay, self._flush_toasts)
        self._flush_due = due

    def _flush_toasts(self) -> None:
        """One toast for what came together: a burst of failures is one line of news, and
        what the user asked about comes first, never in the "… and N more"."""
        self._flush_timer = None
        batch, self._pending_toasts = self._pending_toasts, []
        if not batch:
            return
        batch.sort(key=lambda pending: not pending.asked)  # stable: the asked first, else as they came
        self._last_toast = time.monotonic()
        severity: SeverityLevel = "warning" if any(p.severity == "warning" for p in batch) else "information"
        if len(batch) == 1:
            event = batch[0].event
            # a message written to stand alone in a gathered toast starts with its title
            self.app.notify(event.message.removeprefix(f"{event.title}: "), title=event.title,
                            severity=severity)
            return
        shown = [pending.event.message for pending in batch[:TOAST_LINES]]
        if len(batch) > TOAST_LINES:
            shown.append(f"… and {len(batch) - TOAST_LINES} more: ! lists them")
        self.app.notify("\n".join(shown), title=f"{len(batch)} new", severity=severity)

    async def _run_command(self, event: Event) -> None:
        problem = await self.notifier.run_command(event)
        if problem is not None:
            self.app.notify(problem, title="notify", severity="error")


def write_to_terminal(app: App[int], text: str) -> bool:
    """Raw bytes to the terminal. Textual has no public call for an OSC of our own, so this
    uses its private driver, only while the switch allows it (runtui.tui.switch); in stock
    mode a desktop notification is not sent (the toast and the bell still are)."""
    from runtui.tui import switch

    driver = getattr(app, "_driver", None) if switch.private() else None
    if driver is None:
        return False
    driver.write(text)
    return True


def _named(profile: str, run: Run | None) -> str:
    """Who news is about, as every other toast names it: the profile and the run's short id
    (a full id wrapped in the toast, leaving ": <detail>" alone on the next line); a
    profile's own trouble names the profile once."""
    return f"{profile} {display.short_id(run.id)}" if run is not None else profile


def _trigger_named(trigger: Trigger) -> str:
    """A workflow as toasts name it: profile and name, and the schedule's short id when
    the workflow has schedules of its own (Edges, Prefect)."""
    name = f"{trigger.profile} {trigger.workflow_name or trigger.workflow_id}"
    return name if trigger.id == trigger.workflow_id else f"{name} ({display.short_id(trigger.id)})"


def _trigger_state(trigger: Trigger) -> str:
    if trigger.paused is not None:
        return "paused" if trigger.paused else "live"
    return (trigger.state or "unknown").lower()


def _run_json(run: Run) -> dict[str, str | None]:
    return {"id": run.id, "profile": run.profile, "provider": run.provider,
            "status": run.status.value, "raw_status": run.raw_status, "workflow": run.workflow}


def _run_of(event: Event) -> Key | None:
    """The run news is about (its profile and id), None for a profile's own trouble."""
    profile, run_id = event.data.get("profile"), event.data.get("id")
    return (profile, run_id) if isinstance(profile, str) and isinstance(run_id, str) else None


def _started(run: Run) -> float:
    """When a run started (else was created), for ordering; 0 when it has no time."""
    when = run.started_at or run.created_at
    return when.timestamp() if when is not None else 0.0

"""Run control from the runs screen: a key's action checked, confirmed, sent and reported,
and the execute form opened and its start sent.

Apart from the screen, which keeps the table, the filter and the live updates: this is
what the keys do to runs on the platforms, and it needs of the screen only its table,
its toasts and workers, and two calls back (the gathered changes applied, the marks'
summary redrawn).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import msgspec
from textual.notifications import SeverityLevel
from textual.screen import Screen

from runtui import display
from runtui.actions import can_execute, caveat_of, decide
from runtui.engine.journal import CONFIRMED
from runtui.engine.store import Delta
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import Action, ActionResult, Kind, Run, StartRequest
from runtui.safe_text import one_line
from runtui.tui.answering import answers_of
from runtui.tui.guard import guard
from runtui.tui.keymap import key_named
from runtui.tui.widgets.run_table import RunTable

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace
    from runtui.tui.alerts import Alerts
    from runtui.tui.host import AppHost


IN_FLIGHT_PER_PROFILE = 4
"""A bulk action's requests a profile has under way at once; the rest wait their turn.
Sent all at once, 300 marked runs were 300 simultaneous connections to one platform,
which a real one answers with 429s (each one more "failed") or a block. With four, a
platform sees no more connections from a bulk action than from a browser tab, and a few
hundred runs still take seconds where each answer takes ~100 ms."""


class BulkProgress(msgspec.Struct):
    """A bulk action under way: how many of its runs the platform has answered for."""

    action: Action
    total: int
    done: int = 0

    def wordings(self) -> tuple[str, str]:
        """`cancel: 120/474 done` for the summary line, `cancel 120/474` where it is short."""
        return (f"{self.action.value}: {self.done}/{self.total} done",
                f"{self.action.value} {self.done}/{self.total}")


class RunControl:
    """What the runs screen's action keys do: one per screen, kept by it."""

    def __init__(self, screen: Screen[None], table: RunTable, *,
                 apply_gathered: Callable[[], None], marks_cleared: Callable[[], None],
                 progress_changed: Callable[[], None] = lambda: None) -> None:
        self.screen = screen
        self.table = table
        self._apply_gathered = apply_gathered  # the beat's changes, before keys work again
        self._marks_cleared = marks_cleared
        self._progress_changed = progress_changed
        self.under_way: list[BulkProgress] = []  # the bulk actions sent and not all answered
        self._in_flight: dict[str, asyncio.Semaphore] = {}  # per profile, across bulk actions

    def _turns(self, profile: str) -> asyncio.Semaphore:
        """The profile's turns for a bulk action's requests (`IN_FLIGHT_PER_PROFILE`)."""
        turns = self._in_flight.get(profile)
        if turns is None:
            turns = self._in_flight[profile] = asyncio.Semaphore(IN_FLIGHT_PER_PROFILE)
        return turns

    @property
    def ws(self) -> Workspace:
        return cast("AppHost", self.screen.app).workspace

    def read_only(self, profile: str) -> bool:
        return bool(self.ws.read_only(profile))

    def busy(self, run: Run) -> bool:
        """An action on the run is under way (sent, or about to be: its worker may not run yet)."""
        return self.ws.controller.is_busy(run) or run.key in self.table.pending

    def asking_words(self) -> str:
        key = key_named(self.screen, "runs.resume")
        return f"waits for an answer (without marks, {key} on it opens its form)"

    def request_action(self, action: Action, targets: list[Run], *, from_marks: bool = False) -> None:
        """Check the table for each run, confirm when destructive or on marks, then send.

        An action on marks lists every run it will touch (a mark the filter hides says
        so) and clears the marks once sent: a mark never outlives its action.
        """
        bulk = from_marks or len(targets) > 1
        answers = answers_of(self.screen.app)
        allowed: list[Run] = []
        refused: list[tuple[Run, str]] = []
        asking: list[Run] = []  # a bulk resume skips them: each answer is its own form
        for run in targets:
            decision = decide(run, action, read_only=self.read_only(run.profile), busy=self.busy(run))
            if decision and action is Action.RESUME and answers is not None \
                    and answers.waits_for_answer(run):
                asking.append(run)
            elif decision:
                allowed.append(run)
            else:
                refused.append((run, decision.reason))
        if asking and not bulk:
            run = asking[0]
            assert answers is not None
            answers.start(run, lambda: self.send(Action.RESUME, [run]))
            return
        if not allowed:
            why = refused + [(run, self.asking_words()) for run in asking]
            lines = reasons_by_run(why)
            self.screen.notify(lines[0] if len(why) == 1 else "\n".join([f"{len(why)} runs:", *lines]),
                        title=f"cannot {action.value}", severity="warning", timeout=6)
            return
        # what the platform does otherwise than the key's name says (Prefect's pause stops no
        # code): asked first, saying it, so the person decides knowing it
        caveats = sorted({c for r in allowed if (c := caveat_of(action, r.provider)) is not None})
        if action.destructive or bulk or caveats:
            from runtui.tui.screens.confirm import ConfirmScreen, one_run_question, stale_note

            skipped = [f"{len(refused)} marked run(s) will be skipped:", *reasons_by_run(refused)] \
                if refused else []
            if asking:
                skipped.append(f"{len(asking)} marked run(s) will be skipped: {self.asking_words()}.")
            warn = "\nThis cannot be undone." if action.destructive else ""
            shown = {r.key for r in self.table.visible_runs()}
            # a line each (the list scrolls by line): the short id the table shows, what
            # the filter hides said before the name a narrow dialog may cut
            items = [("(hidden by the filter) " if r.key not in shown else "")
                     + f"{display.short_id(r.id)}  [{r.profile}]  {r.workflow or '(no workflow)'}"
                     for r in allowed]

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.send(action, allowed)
                    if from_marks:
                        self.table.clear_marks()
                        self._marks_cleared()

            asked = f"{action.value.capitalize()} {len(allowed)} run(s)?" if bulk \
                else one_run_question(action, allowed[0])
            said = "".join(f"\n{caveat}." for caveat in caveats)
            question = f"{asked}{said}{stale_note(allowed, self.ws.health)}{warn}"
            self.screen.app.push_screen(ConfirmScreen(question, items=items if bulk else (), skipped=skipped),
                                        confirmed)
            return
        self.send(action, allowed)

    def send(self, action: Action, runs: list[Run]) -> None:
        for run in runs:
            self.table.set_pending(run.key, True)
        if len(runs) == 1:
            self.screen.run_worker(guard(self.screen, self._send_one(action, runs[0]), "the action"),
                                   group="actions")
        else:
            self.screen.run_worker(guard(self.screen, self._send_many(action, runs), "the action"),
                                   group="actions")
        self.screen.refresh_bindings()

    async def _send_many(self, action: Action, runs: list[Run]) -> None:
        """A bulk action: a few requests per profile at a time (`IN_FLIGHT_PER_PROFILE`),
        its progress on the summary line, then one toast that sums up the outcomes."""
        progress = BulkProgress(action, len(runs))
        self.under_way.append(progress)
        self._progress_changed()
        alerts = self._alerts()
        keys = [run.key for run in runs]
        if alerts is not None:
            alerts.hold_news_of(keys)
        news: list[str] = []

        async def one(run: Run) -> tuple[Run, ActionResult | None, str]:
            async with self._turns(run.profile):
                try:
                    result = await self.ws.controller.act(self.ws.provider(run.profile), run, action)
                except (NotAllowed, ConfigError, ProviderError) as exc:
                    return run, None, str(exc)
                finally:
                    self._action_ended(run)
                    progress.done += 1
                    self._progress_changed()
            return run, result, result.message or ""

        try:
            outcomes = await asyncio.gather(*(one(run) for run in runs))
        finally:
            self.under_way.remove(progress)
            self._progress_changed()
            if alerts is not None:
                news = alerts.release_news_of(keys)
        self.screen.refresh_bindings()
        for profile in {run.profile for run in runs}:
            self.ws.refresh_now(profile)
        message, severity = bulk_summary(action, outcomes)
        if news:
            message += "\n" + folded_news(news)
        self.screen.notify(message, title=f"{action.value} {len(runs)} runs", severity=severity,
                    timeout=6 if severity == "information" else 12)

    def _alerts(self) -> Alerts | None:
        """The app's news, if it has any (a test app may not)."""
        return cast("Alerts | None", getattr(self.screen.app, "alerts", None))

    async def _send_one(self, action: Action, run: Run) -> None:
        result: ActionResult | None = None
        try:
            provider = self.ws.provider(run.profile)
            result = await self.ws.controller.act(provider, run, action)
        except (NotAllowed, ConfigError, ProviderError) as exc:
            self.screen.notify(str(exc), title=f"{action.value} {display.short_id(run.id)}", severity="error",
                        timeout=8)
        finally:
            self._action_ended(run)
            self.screen.refresh_bindings()
            self.ws.refresh_now(run.profile)  # the run's own profile: the others are not news
            if run.kind is Kind.TASK:
                self.ws.refresh_tasks()
        if result is not None:
            self.report(result, run)  # a retry's new run is in the table: the cursor can go to it

    def _action_ended(self, run: Run) -> None:
        """The run as the action's answer left it is in the store, maybe still gathered for
        the beat: applied before its keys work again (a second p found the row still
        running and sent a second pause) and before the cursor goes to a new run."""
        self._apply_gathered()
        self.table.set_pending(run.key, False)

    def report(self, result: ActionResult, run: Run) -> None:
        state = ""
        if result.run is not None:
            state = " → " + (display.interim_text(result.action, result.run)
                             or f"{result.run.status.value} ({result.run.raw_status})")
        title = f"{result.action.value} {display.short_id(run.id)}"  # a full id split the title
        if result.uncertain and result.ok:
            # The answer was lost, but the run as read back shows the action took effect.
            self.screen.notify(f"{result.message}", title=f"{title}: {CONFIRMED}", timeout=6)
        elif result.uncertain:
            self.screen.notify(f"{result.message}", title=title + ": outcome was unknown", severity="warning",
                        timeout=10)
        elif result.ok:
            self.screen.notify(f"{_without_new_id(result)}{state}", title=title, timeout=4)
        elif result.skipped is not None:
            # the run ended (or moved on) before the request: what bulk says "skipped", and
            # what a key pressed on the fresh row says ("cannot ..."), never "failed"
            self.screen.notify(result.skipped, title=f"{title}: skipped", severity="warning", timeout=6)
        else:
            self.screen.notify(f"{result.message}", title=title + " failed", severity="error", timeout=10)
        if result.new_run_id and result.run is not None:
            self.table.move_cursor_to(result.run.key)

    def execute(self, run: Run | None) -> None:
        if run is not None and decide(run, Action.START, read_only=self.read_only(run.profile)):
            # A created-but-not-started Wexa execution is launched directly.
            self.send(Action.START, [run])
            return
        self.open_execute(run, same_inputs=False)

    def run_again(self, run: Run | None) -> None:
        if run is None:
            self.screen.notify("no run selected", severity="warning", timeout=3)
            return
        if not run.status.terminal:
            self.screen.notify("run again works on finished runs", severity="warning")
            return
        self.open_execute(run, same_inputs=True)

    def open_execute(self, run: Run | None, *, same_inputs: bool) -> None:
        from runtui.tui.screens.execute import ExecuteScreen

        profiles = [p for p in self.ws.profile_names
                    if can_execute(self.ws.config.profiles[p].provider,
                                   read_only=self.read_only(p))]
        if not profiles:
            self.screen.notify("no profile can start runs (read-only or no provider support)",
                        severity="warning")
            return
        if run is not None and run.profile not in profiles:
            self.screen.notify(f"profile {run.profile} is read-only", severity="warning")
            return

        self.screen.app.push_screen(ExecuteScreen(profiles, run, same_inputs=same_inputs, start=self.start))

    async def start(self, profile: str, request: StartRequest) -> str | None:
        """The form's start: why nothing started (said in the form, which stays open with
        what was typed), or None once a run started or the outcome was reported."""
        try:
            provider = self.ws.provider(profile)
            result = await self.ws.controller.execute(provider, request)
        except (NotAllowed, ConfigError) as exc:
            return str(exc)  # decided here: nothing was sent
        except ProviderError as exc:
            self.screen.notify(str(exc), title="execute", severity="error", timeout=8)
            return None
        if not result.ok and not result.uncertain:
            return result.message or "the platform refused the start"
        if result.run is not None:
            self.table.apply_delta(Delta(added=(result.run,)))
        self.report(result, result.run or Run(profile=profile, provider=provider.name,
                                               id=result.new_run_id or "?"))
        self.ws.refresh_now()
        return None



def _without_new_id(result: ActionResult) -> str:
    """The platform's words with the new run named as the title names runs: its short id,
    and not at all after "started" (the title is "execute <that id>")."""
    message, new_id = result.message or "", result.new_run_id
    if not new_id:
        return message
    return message.replace(f"started {new_id}", "started").replace(new_id, display.short_id(new_id))


def reasons_by_run(refused: list[tuple[Run, str]], ids_shown: int = 3) -> list[str]:
    """One line per distinct reason, with the runs it applies to (`8fab0b79, run_1a2b3c4d
    +2: why`): marks on two platforms are refused for two reasons, and saying only the
    first left the other run unexplained."""
    runs_by_reason: dict[str, list[Run]] = {}
    for run, why in refused:
        runs_by_reason.setdefault(why, []).append(run)
    lines = []
    for why, runs in runs_by_reason.items():
        ids = ", ".join(display.short_id(run.id) for run in runs[:ids_shown])
        more = f" +{len(runs) - ids_shown}" if len(runs) > ids_shown else ""
        lines.append(f"{ids}{more}: {one_line(why)}")
    return lines


NEWS_LINES = 3  # news about a bulk action's runs told in its outcome before "and N more"


def folded_news(news: list[str]) -> str:
    """What the platform told meanwhile about the action's runs (`wexa-sim 8fab0b79:
    failed`), under its outcome: they are the same runs, and as toasts of their own they
    took the room the outcome needed."""
    lines = [f"news about these runs ({len(news)}):", *(f"  {line}" for line in news[:NEWS_LINES])]
    if len(news) > NEWS_LINES:
        lines.append(f"  and {len(news) - NEWS_LINES} more")
    return "\n".join(lines)


def bulk_summary(action: Action, outcomes: list[tuple[Run, ActionResult | None, str]]
                 ) -> tuple[str, SeverityLevel]:
    """One toast for a bulk action: how many worked (and the state they are in now, in
    common words), how many were skipped because they had already ended (or moved on to a
    state the action does not apply to: `ActionResult.skipped`), then each failure with its
    run and reason."""
    done = [(run, result) for run, result, _ in outcomes if result is not None and result.ok]
    skipped = [result for _, result, _ in outcomes if result is not None and result.skipped is not None]
    ended = [result.run for result in skipped if result.run is not None and result.run.status.terminal]
    moved_on = Counter(result.skipped for result in skipped
                       if result.run is None or not result.run.status.terminal)
    failed = [(run, why) for run, result, why in outcomes
              if result is None or not (result.ok or result.skipped is not None)]
    states = Counter(result.run.status.value for _, result in done if result.run is not None)
    lines = []
    if done:
        now = ", ".join(f"{n} {state}" for state, n in states.most_common())
        lines.append(f"{len(done)} done" + (f" (now {now})" if now else ""))
    if ended:
        lines.append(skipped_as_ended(ended))
    lines += [f"{n} skipped: {one_line(why or '')}" for why, n in moved_on.most_common()]
    if failed:
        lines.append(f"{len(failed)} failed:")
        lines += [f"  {display.short_id(run.id)}: {why}" for run, why in failed[:5]]
        if len(failed) > 5:
            lines.append(f"  and {len(failed) - 5} more (runtui history has them all)")
    severity: SeverityLevel = "information" if not failed else "warning" if done or skipped else "error"
    return "\n".join(lines), severity


def skipped_as_ended(runs: list[Run]) -> str:
    """`337 skipped: already succeeded`, or `12 skipped: already ended (10 succeeded, 2 failed)`."""
    states = Counter(run.status.value for run in runs)
    if len(states) == 1:
        return f"{len(runs)} skipped: already {next(iter(states))}"
    now = ", ".join(f"{n} {state}" for state, n in states.most_common())
    return f"{len(runs)} skipped: already ended ({now})"

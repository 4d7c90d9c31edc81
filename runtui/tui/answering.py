"""`r` on a run that waits for a person: read what it asks, open the form, send the answer.

The attention queue, the runs list and the detail all resume with `r`. On a run the
queue holds as waiting, on a platform that answers people, a plain resume is wrong:
Wexa refuses it ("waits for an answer in the inbox") and elsewhere it would skip the
question. So every screen hands such a run to the app's one `Answers`, and the read,
the form, the answer and its report are the same wherever the key was pressed.

The app owns it (not a screen): the detail's `r` acts through the runs screen below
it, and the answer must still be reported after the screen that asked has gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.app import App

from runtui import display
from runtui.engine.attention import Reason
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import HumanRequest, Run
from runtui.providers.capabilities import AnswersHumans
from runtui.tui.guard import guard

if TYPE_CHECKING:
    from runtui.tui.alerts import Alerts
    from runtui.tui.screens.answer import Answer

ASK_GROUP = "answers-read"  # one read at a time: a second `r` replaces the first


@runtime_checkable
class AnswersByKey(Protocol):
    """A screen whose resume key answers a run that waits (the runs list, the detail). A
    pane on it asks the screen for the key rather than knowing its bindings' names."""

    def answer_key(self) -> str | None:
        """The key that answers here, as the [keymap] left it; None when none is bound."""
        ...


class Answers:
    """The app's ask-and-answer flow, and whether a read is on its way (`asking`): while
    it is, the screens grey their keys, so what is typed after `r` is the answer."""

    def __init__(self, app: App[int], alerts: Callable[[], Alerts | None]) -> None:
        self._app = app
        self._alerts = alerts
        self.asking = False

    def waits_for(self, run: Run) -> str | None:
        """What the queue says `run` waits for (its question, or the step it waits at)."""
        alerts = self._alerts()
        item = alerts.queue.items.get(run.key) if alerts is not None else None
        return item.detail if item is not None and item.reason is Reason.WAITING else None

    def waits_for_answer(self, run: Run) -> bool:
        """The queue holds `run` as waiting for a person and its platform takes answers."""
        alerts = self._alerts()
        return (alerts is not None and self.waits_for(run) is not None
                and isinstance(alerts.workspace.provider(run.profile), AnswersHumans))

    def start(self, run: Run, resume: Callable[[], object]) -> None:
        """Read what `run` asks and open the form; `resume` (the screen's plain resume) is
        called instead when the platform says the run asks nothing after all."""
        self.asking = True  # now, with the key: the worker starts a step later
        self._app.refresh_bindings()
        self._app.run_worker(guard(self._app, self._ask(run, resume), "reading what the run asks"),
                             group=ASK_GROUP, exclusive=True)

    async def _ask(self, run: Run, resume: Callable[[], object]) -> None:
        try:
            await self._read_and_open_form(run, resume)
        finally:
            self.asking = False
            self._app.refresh_bindings()

    async def _read_and_open_form(self, run: Run, resume: Callable[[], object]) -> None:
        from runtui.tui.screens.answer import AnswerScreen

        alerts = self._alerts()
        provider = alerts.workspace.provider(run.profile) if alerts is not None else None
        if not isinstance(provider, AnswersHumans):
            resume()
            return
        try:
            request = await provider.human_request(run)
        except (ConfigError, ProviderError) as exc:
            self._app.notify(str(exc), title=f"cannot read what {display.short_id(run.id)} asks",
                             severity="error", timeout=8)
            return
        if request is None:
            resume()
            return

        async def send(answer: Answer) -> str | None:
            return await self._answer(run, request, answer)

        from runtui.tui.screens.confirm import run_named

        label = f"{run.profile} {display.short_id(run.id)}"
        self._app.push_screen(AnswerScreen(request, label, run_name=run_named(run), send=send))

    async def _answer(self, run: Run, request: HumanRequest, answer: Answer) -> str | None:
        """Send the form's answer: why it did not go through (nothing sent, or the platform
        refused it), said in the form, which keeps what was typed; or None once it went
        through or its answer was lost (said in a toast: the form closes, as sending again
        could answer twice)."""
        alerts = self._alerts()
        if alerts is None:
            return None
        ws = alerts.workspace
        try:
            result = await ws.controller.answer(ws.provider(run.profile), run, request,
                                                approve=answer.approve, values=answer.values)
        except (NotAllowed, ConfigError, ProviderError) as exc:
            return str(exc)
        if not result.ok and not result.uncertain:
            return result.message or "the platform refused the answer"
        verb = "answered" if answer.approve else "rejected"
        state = f" → {result.run.status.value}" if result.run is not None else ""
        short = display.short_id(run.id)
        # the title says the verb: "answered 1a2b3c4d", then what was asked, not "answered:" again
        said = (result.message or "").removeprefix(f"{verb}: ") if result.ok else result.message or ""
        # past here, not ok is a lost answer (a refusal stayed in the form): as the runs
        # screen says a lost action, "outcome was unknown", never "failed"
        self._app.notify(f"{said}{state}",
                         title=f"{verb} {short}" if result.ok else f"answer {short}: outcome was unknown",
                         severity="information" if result.ok else "warning")
        ws.refresh_now(run.profile)
        alerts.poll()
        return None


def answers_of(app: object) -> Answers | None:
    """The app's `Answers`; None in an app without one (a test's small host app)."""
    found = getattr(app, "answers", None)
    return found if isinstance(found, Answers) else None


def asking(app: object) -> bool:
    """`r` is reading what a run asks: the screens grey their keys meanwhile."""
    answers = answers_of(app)
    return answers is not None and answers.asking

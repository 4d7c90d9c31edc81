"""A yes/no question whose default is No: destructive keys never act on a stray Enter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from runtui import display
from runtui.engine.health import Health, HealthState
from runtui.model import Action, Kind, Run
from runtui.safe_text import multi_line, one_line
from runtui.tui.keymap import key_named
from runtui.tui.toasts import keep_toasts_under


def run_named(run: Run) -> str:
    """`run 8fab0b79 of Invoice Reconciler on edges-prod`, as a question names the run it
    asks about: a full UUID alone did not say which run a yes would end."""
    noun = "task" if run.kind is Kind.TASK else "run"
    of = f" of {one_line(run.workflow)}" if run.workflow else ""
    return f"{noun} {display.short_id(run.id)}{of} on {one_line(run.profile)}"


def one_run_question(action: Action, run: Run) -> str:
    """`Cancel run 8fab0b79 of Invoice Reconciler on edges-prod?` (the bulk question names
    workflow and profile too)."""
    return f"{action.value.capitalize()} {run_named(run)}?"


def stale_note(runs: Sequence[Run], health: Mapping[str, Health]) -> str:
    """`\nedges-prod has not answered since 15:39:11: this row may be stale`, a line per
    profile of `runs` whose reads fail: the row may no longer show the run's state, and
    whoever answers yes decides knowing it. Empty when every profile answers."""
    notes = []
    for profile in dict.fromkeys(run.profile for run in runs):
        state = health.get(profile)
        if state is None or state.state is not HealthState.ERROR:
            continue
        when = state.last_ok or state.since
        since = f" since {when.astimezone().strftime('%H:%M:%S')}" if when is not None else ""
        rows = "this row" if len(runs) == 1 else "its rows"
        notes.append(f"\n{one_line(profile)} has not answered{since}: {rows} may be stale")
    return "".join(notes)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "No", id="confirm.escape", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmScreen #dialog {
        width: 60;
        max-width: 90%;
        height: auto;
        border: thick $error;
        background: $surface;
        padding: 1 2;
    }
    ConfirmScreen #question {
        width: 100%;
        margin-bottom: 1;
    }
    ConfirmScreen #buttons {
        height: auto;
        align: center middle;
    }
    ConfirmScreen Button {
        margin: 0 2;
    }
    ConfirmScreen #targets { height: auto; max-height: 12; margin: 1 0 0 0; }
    """

    def __init__(self, question: str, *, items: Sequence[str] = ()) -> None:
        """`items`: what the answer acts on (a bulk action's runs), listed and scrollable."""
        super().__init__()
        self.question = question
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # The question names runs by their server ids: plain text, made harmless.
            yield Static(multi_line(self.question), id="question", markup=False)
            if self.items:
                with VerticalScroll(id="targets", can_focus=False):
                    yield Static(one_line("\n".join(self.items)).replace("␊", "\n"), markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"No ({key_named(self, 'confirm.no')})", id="no", variant="primary")
                yield Button(f"Yes ({key_named(self, 'confirm.yes')})", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()
        keep_toasts_under(self.query_one("#dialog"))  # the question and y/n stay readable

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class QuitQuestion(ConfirmScreen):
    """`q` while watched runs are still going: quitting loses their watches (nobody is
    told when they end), so it asks first, No the default. Its own class, so a second
    quit key while it shows is known as asked already."""

    def __init__(self, going: Sequence[Run]) -> None:
        count = len(going)
        noun = "run is" if count == 1 else "runs are"
        super().__init__(f"{count} watched {noun} still going; quit anyway?",
                         items=[run_named(run) for run in going])

"""A yes/no question whose default is No: destructive keys never act on a stray Enter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual import events
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


SHORT_DIALOG = 16
"""Screen rows under which the dialog drops its padding and its buttons are one row high:
at 40x10 the question and its buttons took every row, none left for the list."""
NARROW_DIALOG = 50
"""Screen columns under which the buttons are narrower: at 40 columns Yes was cut."""
LIST_ROWS = 12
"""The most rows the run list takes, however tall the screen."""
SKIPPED_ROWS = 8
"""The most rows the reasons for skipped runs take (a third of what is left, when short)."""


class ConfirmScreen(ModalScreen[bool]):
    """The question, what it acts on (`items`, one line each) and why some are left out
    (`skipped`), and No/Yes.

    However many runs a bulk action touches and however short the screen, the question
    and its buttons stay on it: the two lists take the rows left and scroll (at 80x24 a
    474-run cancel was taller than the screen, its buttons below the last row). The run
    list scrolls by keys too (j/k, arrows, PgDn/PgUp, g/G), since focus stays on No so
    that enter keeps answering No; a line says which of the runs show when not all do.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "No", id="confirm.escape", show=False),
        Binding("j,down", "scroll_list('down')", "Scroll the list down", id="confirm.down", show=False),
        Binding("k,up", "scroll_list('up')", "Scroll the list up", id="confirm.up", show=False),
        Binding("pagedown", "scroll_list('page_down')", "A page down the list", id="confirm.page_down",
                show=False),
        Binding("pageup", "scroll_list('page_up')", "A page up the list", id="confirm.page_up", show=False),
        Binding("home,g", "scroll_list('home')", "The list's top", id="confirm.first", show=False),
        Binding("end,G", "scroll_list('end')", "The list's end", id="confirm.last", show=False),
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
    ConfirmScreen #skipped { height: auto; max-height: 8; }
    /* the lists' max-heights: SKIPPED_ROWS and LIST_ROWS, until the rows are shared out */
    ConfirmScreen #targets { height: auto; max-height: 12; margin: 1 0 0 0; overflow-x: hidden; }
    ConfirmScreen #targets > Static { text-wrap: nowrap; text-overflow: ellipsis; }
    ConfirmScreen #shown { color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    ConfirmScreen.-cramped #dialog { padding: 0 1; }
    ConfirmScreen.-thin Button { min-width: 8; margin: 0 1; }
    ConfirmScreen.-cramped #question { margin-bottom: 0; }
    ConfirmScreen.-cramped #targets { margin: 0; }
    """

    def __init__(self, question: str, *, items: Sequence[str] = (), skipped: Sequence[str] = ()) -> None:
        """`items`: what the answer acts on (a bulk action's runs), listed and scrollable;
        `skipped`: what it leaves out and why (a line each, wrapped)."""
        super().__init__()
        self.question = question
        self.items = list(items)
        self.skipped = list(skipped)
        self._list_rows = min(len(self.items), LIST_ROWS)  # until the rows are shared out

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # The question names runs by their server ids: plain text, made harmless.
            yield Static(multi_line(self.question), id="question", markup=False)
            if self.skipped:
                with VerticalScroll(id="skipped", can_focus=False):
                    yield Static(multi_line("\n".join(self.skipped)), markup=False)
            if self.items:
                with VerticalScroll(id="targets", can_focus=False):
                    yield Static("\n".join(one_line(item) for item in self.items), markup=False)
                yield Static("", id="shown", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"No ({key_named(self, 'confirm.no')})", id="no", variant="primary")
                yield Button(f"Yes ({key_named(self, 'confirm.yes')})", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()
        keep_toasts_under(self.query_one("#dialog"))  # the question and y/n stay readable
        if self.items:
            self.watch(self.query_one("#targets"), "scroll_y", self._say_shown, init=False)
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """The lists' heights from the rows the question and buttons leave: the sizes
        of those are known once laid out, so it is measured after the next refresh."""
        size = self.app.size  # the screen's own is not known yet when it mounts
        short = size.height < SHORT_DIALOG
        self.set_class(short, "-cramped")
        self.set_class(size.width < NARROW_DIALOG, "-thin")
        for button in self.query(Button):
            button.compact = short
        self.call_after_refresh(self._share_rows)

    def _share_rows(self) -> None:
        dialog = self.query_one("#dialog")
        question = self.query_one("#question")
        buttons = self.query_one("#buttons")
        shown = 1 if self.items else 0
        height = self.app.size.height
        fixed = dialog.styles.gutter.height + buttons.outer_size.height + shown
        question.styles.max_height = max(1, height - fixed)
        rows = height - fixed - question.outer_size.height - question.styles.margin.bottom
        for widget in self.query("#skipped, #targets"):
            rows -= widget.styles.margin.top + widget.styles.margin.bottom
        rows = max(0, rows)
        skipped = self.query("#skipped")
        if skipped:
            wanted = skipped.first().virtual_size.height
            share = min(wanted, rows if not self.items else max(1, rows // 3), SKIPPED_ROWS)
            skipped.first().styles.max_height = share
            rows -= share
        if self.items:
            self._list_rows = max(0, min(rows, LIST_ROWS, len(self.items)))
            self.query_one("#targets").styles.max_height = self._list_rows
            self._say_shown()

    def _say_shown(self) -> None:
        """`showing 7-12 of 378 (j, pagedown: scroll)` when not every run fits: the list
        showed 6 runs and nothing said there were 372 more."""
        targets = self.query_one("#targets")
        rows = self._list_rows  # a line a run: no run wraps
        count = len(self.items)
        said = ""
        if rows < count:
            first = min(round(targets.scroll_y), count)
            last = min(first + rows, count)
            down, page = key_named(self, "confirm.down"), key_named(self, "confirm.page_down")
            span = f"{first + 1}-{last}" if last > first else "none"
            said = f"showing {span} of {count} ({down}, {page}: scroll)"
        shown = self.query_one("#shown", Static)
        shown.update(said)
        shown.display = bool(said)

    def action_scroll_list(self, where: str) -> None:
        targets = self.query("#targets")
        if not targets:
            return
        scroll = targets.first(VerticalScroll)
        moves = {"down": scroll.scroll_down, "up": scroll.scroll_up, "page_down": scroll.scroll_page_down,
                 "page_up": scroll.scroll_page_up, "home": scroll.scroll_home, "end": scroll.scroll_end}
        moves[where](animate=False)

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

"""The form that answers what a waiting run asks: its fields, free JSON, approve or reject.

Built from the adapter's `HumanRequest`, so one form serves a Prefect run paused
with an input schema, a B3OS node waiting for data and a Wexa inbox item. It
sends the answer through `send` (the controller's gates, journal, sent once) and stays
open until the platform has answered: an answer that was not sent (the platform
unreachable, a local refusal) or that the platform refused is said in the form with
everything typed still there, and F2 sends again. It closes once the answer went
through or was reported (a lost answer: sending again could answer twice). Values are
checked here first: a bad field keeps the form open with the cursor on it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import msgspec
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static, TextArea

from runtui.human_input import collect, free_object, initial_text
from runtui.model import HumanRequest
from runtui.safe_text import multi_line, one_line
from runtui.tui.guard import guarded
from runtui.tui.keymap import key_named
from runtui.tui.screens.form_box import form_box
from runtui.tui.toasts import keep_toasts_under


class Answer(msgspec.Struct, frozen=True):
    approve: bool
    values: dict[str, Any]


Sender = Callable[[Answer], Awaitable[str | None]]
"""Sends an answer: returns why it did not go through (nothing sent, or the platform
refused it: the form stays open with it) or None once it went through or was reported
(the form closes)."""


class AnswerScreen(ModalScreen[Answer | None]):
    DEFAULT_CSS = form_box("AnswerScreen #answer-form", 84) + """
    AnswerScreen { align: center middle; background: $background 60%; }
    AnswerScreen .answer-label { padding: 1 0 0 0; }
    AnswerScreen #answer-note, AnswerScreen .answer-help { color: $text-muted; }
    AnswerScreen #answer-errors { color: $text-error; }
    AnswerScreen #answer-errors.-sending { color: $text; text-style: bold; }
    AnswerScreen Input.invalid { border: tall $error; }
    AnswerScreen TextArea { height: 6; }
    AnswerScreen #answer-buttons { height: auto; align: center middle; margin-top: 1; }
    AnswerScreen #answer-buttons Button { margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "send(True)", "Send", id="answer.send"),
        Binding("ctrl+s", "send(True)", "Send", id="answer.send_ctrl", show=False),
        Binding("f3", "send(False)", "Reject", id="answer.reject"),
        Binding("escape", "close", "Cancel", id="answer.cancel"),
    ]

    def __init__(self, request: HumanRequest, run_label: str, *, run_name: str | None = None,
                 send: Sender | None = None) -> None:
        """`run_label`: the title's short name; `run_name`: the run as a question about it
        names it (workflow, short id, profile). `send`: the answer is sent from the form,
        which closes once it went through; without it the form returns the answer."""
        super().__init__()
        self.request = request
        self.run_label = run_label
        self.run_name = run_name or f"run {run_label}"
        self.send = send
        self.sending = False  # an answer sent, the platform's answer not in: F2, F3 and Esc wait

    def compose(self) -> ComposeResult:
        request = self.request
        with VerticalScroll(id="answer-form"):
            yield Static(one_line(f"{self.run_label}: {request.title}"), id="answer-title", markup=False)
            for spec in request.fields:
                key = str(spec.get("key"))
                need = "required" if spec.get("required") else "optional"
                label = one_line(str(spec.get("label") or key))
                kind = one_line(str(spec.get("type") or "any"))
                yield Label(f"{label} ({kind}, {need})", classes="answer-label", markup=False)
                # A server's default is shown harmless (an ESC would be drawn raw by Input).
                yield Input(one_line(initial_text(spec)), id=f"field-{_dom_id(key)}", name=key)
                if spec.get("description"):
                    yield Static(multi_line(str(spec["description"])), classes="answer-help", markup=False)
            if request.free_form:
                yield Label("Data (a JSON object; empty for {})", classes="answer-label", markup=False)
                initial = request.context.get("initial")
                yield TextArea(json.dumps(initial, indent=2) if initial is not None else "",
                               id="answer-data", language=None)
            if not request.fields and not request.free_form:
                yield Static("Nothing to fill in: send resumes the run.", classes="answer-help")
            if request.note:
                yield Static(multi_line(request.note), id="answer-note", markup=False)
            yield Static("", id="answer-errors", markup=False)
            with Horizontal(id="answer-buttons"):
                yield Button(f"Send ({key_named(self, 'answer.send')})", id="answer-send", variant="primary")
                if request.can_reject:
                    yield Button(f"Reject ({key_named(self, 'answer.reject')})", id="answer-reject",
                                 variant="error")
                yield Button(f"Cancel ({key_named(self, 'answer.cancel')})", id="answer-cancel")

    def on_mount(self) -> None:
        """The cursor starts where typing is needed: the first empty required field.
        Focused now, not by focus() (a turn of the loop later), so an answer typed right
        after the key that opened the form lands in it (RuntuiApp.on_key)."""
        inputs = list(self.query(Input))
        required = {str(f.get("key")) for f in self.request.fields if f.get("required")}
        first = next((i for i in inputs if i.name in required and not i.value), inputs[0] if inputs else None)
        target: Widget
        if first is not None:
            target = first
        elif self.request.free_form:
            target = self.query_one("#answer-data", TextArea)
        else:
            target = self.query_one("#answer-send", Button)
        # Scrolled to once laid out: before the first layout the scroll would be wrong.
        self.set_focus(target, scroll_visible=False)
        self.call_after_refresh(target.scroll_visible, animate=False)
        keep_toasts_under(self.query_one("#answer-form"))  # what is asked and the buttons stay readable

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        """Enter in a field moves on (it never sends: a stray Enter must not answer)."""
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "answer-cancel":
            self.action_close()
        else:
            self.action_send(event.button.id == "answer-send")

    def action_close(self) -> None:
        if not self.sending:  # the answer is on its way: its outcome must not be lost
            self.dismiss(None)

    def action_send(self, approve: bool) -> None:
        if self.sending:
            return
        if not approve and not self.request.can_reject:
            self._show_errors("this request cannot be rejected: Esc closes the form")
            return
        if not approve:
            self._reject()
            return
        inputs = {str(i.name): i for i in self.query(Input)}
        values, errors = collect(self.request.fields, {k: i.value for k, i in inputs.items()})
        for key, widget in inputs.items():
            widget.set_class(key in errors, "invalid")
        if self.request.free_form:
            try:
                values = {**free_object(self.query_one("#answer-data", TextArea).text), **values}
            except ValueError as exc:
                errors["data"] = str(exc)
        if errors:
            self._show_errors("; ".join(f"{key}: {why}" for key, why in errors.items()))
            bad = next((inputs[k] for k in errors if k in inputs), None)
            if bad is not None:
                bad.focus()
            elif "data" in errors:
                self.query_one("#answer-data", TextArea).focus()
            return
        self._submit(Answer(approve=True, values=values))

    def _submit(self, answer: Answer) -> None:
        if self.send is None:
            self.dismiss(answer)
            return
        self.sending = True
        self._show_errors("sending… (waiting for the platform's answer)", sending=True)
        self._send(self.send, answer)

    @work(group="answer-send")
    @guarded("sending the answer")
    async def _send(self, send: Sender, answer: Answer) -> None:
        try:
            refused = await send(answer)
        finally:
            self.sending = False
        if refused is None:
            self.dismiss(answer)
            return
        again = key_named(self, "answer.send" if answer.approve else "answer.reject")
        self._show_errors(f"✘ {refused}\n{again} sends again, with what is typed here")

    def _reject(self) -> None:
        """A rejection that ends the run (Wexa cancels the execution) is asked first, No the
        default, as `c` is: F3 sits next to F2. A platform whose rejection is only a "no"
        and lets the run go on (`reject_ends_run` false) loses nothing: it is sent at once."""
        rejected = Answer(approve=False, values={})
        if not self.request.reject_ends_run:
            self._submit(rejected)
            return
        from runtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._submit(rejected)

        question = (f"Reject {self.run_name}?\nIts platform ends the run on a rejection."
                    "\nThis cannot be undone.")
        self.app.push_screen(ConfirmScreen(question), confirmed)

    def _show_errors(self, text: str, *, sending: bool = False) -> None:
        errors = self.query_one("#answer-errors", Static)
        errors.update(multi_line(text))
        errors.set_class(sending, "-sending")


def _dom_id(key: str) -> str:
    """A field key as a widget id (ids allow letters, digits, `-` and `_`)."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key)
